/*
 * pktbuild.h - build packets in C tests, layer by layer, with the lengths
 * fixed up afterwards.  Headers are written byte by byte in network order.
 *
 *   struct pb p; pb_init(&p);
 *   pb_eth(&p, 0x0800);
 *   size_t ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 17);
 *   size_t u = pb_udp(&p, 1234, 4789);
 *   pb_vxlan(&p, 0x08, 123);
 *   ... inner ...
 *   pb_end_udp(&p, u); pb_end_ipv4(&p, ip);
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_PKTBUILD_H
#define MDEC_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

struct pb {
    uint8_t b[1 << 17];
    size_t n;
};

void pb_init(struct pb *p);
void pb_u8(struct pb *p, unsigned v);
void pb_be16(struct pb *p, unsigned v);
void pb_be32(struct pb *p, uint32_t v);
void pb_bytes(struct pb *p, const void *d, size_t n);
void pb_fill(struct pb *p, uint8_t v, size_t n);
void pb_set16(struct pb *p, size_t at, unsigned v);

/* Ethernet header with fixed MACs and the given type; VLAN tags with pb_tag. */
void pb_eth(struct pb *p, unsigned type);
void pb_tag(struct pb *p, unsigned tpid_next_type, unsigned vid);
/* IPv4 header without options, total length to be fixed by pb_end_ipv4. */
size_t pb_ipv4(struct pb *p, const char *src, const char *dst, unsigned proto);
void pb_end_ipv4(struct pb *p, size_t at);
/* IPv6 header, payload length fixed by pb_end_ipv6. */
size_t pb_ipv6(struct pb *p, const char *src, const char *dst, unsigned next);
void pb_end_ipv6(struct pb *p, size_t at);
size_t pb_udp(struct pb *p, unsigned sport, unsigned dport);
void pb_end_udp(struct pb *p, size_t at);
void pb_tcp(struct pb *p, unsigned sport, unsigned dport, unsigned flags);
void pb_vxlan(struct pb *p, unsigned flags, uint32_t vni);

/* A whole AWS-style VXLAN mirror of an IPv4/TCP packet with `payload`
 * payload bytes: Ethernet/IPv4/UDP 4789/VXLAN vni/Ethernet/IPv4/TCP. */
void pb_aws_tcp(struct pb *p, uint32_t vni, size_t payload);

#endif /* MDEC_PKTBUILD_H */

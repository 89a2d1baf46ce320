/*
 * pktbuild.c - see pktbuild.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "pktbuild.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

void pb_init(struct pb *p)
{
    p->n = 0;
}

void pb_u8(struct pb *p, unsigned v)
{
    if (p->n >= sizeof p->b)
        abort();
    p->b[p->n++] = (uint8_t)v;
}

void pb_be16(struct pb *p, unsigned v)
{
    pb_u8(p, v >> 8);
    pb_u8(p, v & 0xFF);
}

void pb_be32(struct pb *p, uint32_t v)
{
    pb_be16(p, v >> 16);
    pb_be16(p, v & 0xFFFF);
}

void pb_bytes(struct pb *p, const void *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pb_u8(p, ((const uint8_t *)d)[i]);
}

void pb_fill(struct pb *p, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pb_u8(p, v);
}

void pb_set16(struct pb *p, size_t at, unsigned v)
{
    p->b[at] = (uint8_t)(v >> 8);
    p->b[at + 1] = (uint8_t)v;
}

void pb_eth(struct pb *p, unsigned type)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0xb, 2, 2, 0, 0, 0, 0xa, 1};
    pb_bytes(p, macs, sizeof macs);
    pb_be16(p, type);
}

void pb_tag(struct pb *p, unsigned next_type, unsigned vid)
{
    pb_be16(p, vid);
    pb_be16(p, next_type);
}

size_t pb_ipv4(struct pb *p, const char *src, const char *dst, unsigned proto)
{
    size_t at = p->n;
    uint8_t a[4];
    pb_u8(p, 0x45);
    pb_u8(p, 0);
    pb_be16(p, 0); /* total length, fixed later */
    pb_be32(p, 0x00010000);
    pb_u8(p, 64);
    pb_u8(p, proto);
    pb_be16(p, 0);
    if (inet_pton(AF_INET, src, a) != 1)
        abort();
    pb_bytes(p, a, 4);
    if (inet_pton(AF_INET, dst, a) != 1)
        abort();
    pb_bytes(p, a, 4);
    return at;
}

void pb_end_ipv4(struct pb *p, size_t at)
{
    pb_set16(p, at + 2, (unsigned)(p->n - at));
}

size_t pb_ipv6(struct pb *p, const char *src, const char *dst, unsigned next)
{
    size_t at = p->n;
    uint8_t a[16];
    pb_be32(p, 0x60000000);
    pb_be16(p, 0);
    pb_u8(p, next);
    pb_u8(p, 64);
    if (inet_pton(AF_INET6, src, a) != 1)
        abort();
    pb_bytes(p, a, 16);
    if (inet_pton(AF_INET6, dst, a) != 1)
        abort();
    pb_bytes(p, a, 16);
    return at;
}

void pb_end_ipv6(struct pb *p, size_t at)
{
    pb_set16(p, at + 4, (unsigned)(p->n - at - 40));
}

size_t pb_udp(struct pb *p, unsigned sport, unsigned dport)
{
    size_t at = p->n;
    pb_be16(p, sport);
    pb_be16(p, dport);
    pb_be16(p, 0);
    pb_be16(p, 0);
    return at;
}

void pb_end_udp(struct pb *p, size_t at)
{
    pb_set16(p, at + 4, (unsigned)(p->n - at));
}

void pb_tcp(struct pb *p, unsigned sport, unsigned dport, unsigned flags)
{
    pb_be16(p, sport);
    pb_be16(p, dport);
    pb_be32(p, 1000);
    pb_be32(p, 0);
    pb_u8(p, 0x50);
    pb_u8(p, flags);
    pb_be16(p, 8192);
    pb_be32(p, 0);
}

void pb_vxlan(struct pb *p, unsigned flags, uint32_t vni)
{
    pb_u8(p, flags);
    pb_u8(p, 0);
    pb_be16(p, 0);
    pb_be32(p, vni << 8);
}

void pb_aws_tcp(struct pb *p, uint32_t vni, size_t payload)
{
    pb_init(p);
    pb_eth(p, 0x0800);
    size_t oip = pb_ipv4(p, "10.0.1.15", "10.0.9.9", 17);
    size_t u = pb_udp(p, 51234, 4789);
    pb_vxlan(p, 0x08, vni);
    pb_eth(p, 0x0800);
    size_t iip = pb_ipv4(p, "10.0.1.15", "93.184.216.34", 6);
    pb_tcp(p, 49152, 443, 0x02);
    pb_fill(p, 'x', payload);
    pb_end_ipv4(p, iip);
    pb_end_udp(p, u);
    pb_end_ipv4(p, oip);
}

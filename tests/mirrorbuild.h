/*
 * mirrorbuild.h - one mirrored TCP packet as AWS VPC Traffic Mirroring
 * delivers it (outer Ethernet/IPv4/UDP 4789/VXLAN, then the mirrored
 * Ethernet frame), field by field, with real checksums: the packets of the
 * de-duplication tests (tests/flow/test_dedup.c) and of fuzz_dedup, which
 * need two copies of one packet that differ only where two mirror points
 * see it differently.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_MIRRORBUILD_H
#define MDEC_MIRRORBUILD_H

#include <stddef.h>
#include <stdint.h>

/* The conversation's fields and the mirror's. */
struct mb_spec {
    int v6;               /* inner IPv6, else IPv4                         */
    uint32_t vni;         /* the mirror session                            */
    const char *sender;   /* the mirror's carrier source (the ENI), IPv4   */
    uint8_t ttl;          /* TTL or hop limit                              */
    uint8_t tos;          /* type of service or traffic class              */
    uint16_t ipid;        /* IPv4 identification                           */
    uint32_t flowlabel;   /* IPv6, 20 bits                                 */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t window;
    int ts;               /* TCP timestamps option (12 bytes with 2 NOPs)  */
    uint32_t tsval, tsecr;
    size_t payload;       /* payload bytes ('a' + i % 26), at most 1400    */
    uint8_t payload_xor;  /* changes the payload's first byte              */
    int mac;              /* which MAC pair: the two sides of a router      */
    int vlan;             /* an 802.1Q tag with this id on the inner frame  */
    size_t cut;           /* the mirror keeps this many inner bytes (0 all) */
};

/* A TCP segment of 100 bytes from 10.0.1.10:443 (2600:1f18::a) to
 * 10.0.2.20:51000 (2600:1f18::b), mirrored under VNI 101 from 10.0.1.10. */
struct mb_spec mb_base(void);

/* Where the mirrored packet's headers lie in the frame mb_build() made:
 * the inner IP header's offset and the end of the TCP header. */
struct mb_layout {
    size_t ip_off;
    size_t hdr_end;
};

/* Builds the whole mirror frame of s into out (at least 2048 bytes);
 * returns its length and, when lay is not NULL, where the headers lie (as
 * built, whether or not the mirror's cut kept them). */
size_t mb_build(const struct mb_spec *s, uint8_t *out, struct mb_layout *lay);

#endif /* MDEC_MIRRORBUILD_H */

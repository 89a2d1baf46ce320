/*
 * stackbuild.c - see stackbuild.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "stackbuild.h"

#include <arpa/inet.h>
#include <stdlib.h>

const enum mdec_tunnel_type sb_tunnel_of[SB_COUNT] = {
    MDEC_TUNNEL_VXLAN, MDEC_TUNNEL_VXLAN_GPE, MDEC_TUNNEL_GENEVE, MDEC_TUNNEL_GENEVE,
    MDEC_TUNNEL_GRE,   MDEC_TUNNEL_ERSPAN,    MDEC_TUNNEL_ERSPAN};

/* The carrier and tunnel header of one layer; *ip and *udp (0: GRE) are
 * for closing it. */
static void open_layer(struct pb *p, const struct sb_layer *l, size_t *ip, size_t *udp)
{
    static const unsigned udp_port[SB_COUNT] = {4789, 4790, 6081, 6081, 0, 0, 0};
    *udp = 0;
    *ip = pb_ipv4(p, l->src, "10.0.0.250", udp_port[l->type] ? 17 : 47);
    if (udp_port[l->type])
        *udp = pb_udp(p, 40000 + l->type, udp_port[l->type]);
    switch (l->type) {
    case SB_VXLAN:
        pb_vxlan(p, 0x08, l->id);
        break;
    case SB_GPE:
        pb_u8(p, 0x0C); /* I and P */
        pb_be16(p, 0);
        pb_u8(p, 3); /* next protocol: Ethernet */
        pb_be32(p, l->id << 8);
        break;
    case SB_GENEVE:
        pb_be16(p, 0);
        pb_be16(p, 0x6558);
        pb_be32(p, l->id << 8);
        break;
    case SB_GENEVE_GWLB:
        pb_u8(p, 3); /* 12 bytes of options */
        pb_u8(p, 0);
        pb_be16(p, 0x0800);
        pb_be32(p, l->id << 8);
        pb_be16(p, MDEC_GENEVE_CLASS_AWS_GWLB);
        pb_u8(p, 1); /* endpoint id */
        pb_u8(p, 2);
        pb_be32(p, 0);
        pb_be32(p, l->id);
        break;
    case SB_GRE:
        pb_be16(p, 0x2000); /* K */
        pb_be16(p, 0x6558);
        pb_be32(p, l->id);
        break;
    case SB_ERSPAN2:
        pb_be16(p, 0x1000); /* S */
        pb_be16(p, 0x88BE);
        pb_be32(p, 1);
        pb_be16(p, 0x1000); /* version 1, VLAN 0 */
        pb_be16(p, l->id & 0x3FF);
        pb_be32(p, 0);
        break;
    case SB_ERSPAN3:
        pb_be16(p, 0);
        pb_be16(p, 0x22EB);
        pb_be16(p, 0x2000); /* version 2 */
        pb_be16(p, l->id & 0x3FF);
        pb_be32(p, 0);      /* timestamp */
        pb_be32(p, 0);      /* SGT, P, FT 0 (Ethernet), HwID, D, Gra, O */
        break;
    case SB_COUNT:
        abort();
    }
}

void sb_build(struct pb *p, const struct sb_layer *layers, unsigned n, const char *inner_src)
{
    size_t ip[MDEC_MAX_TUNNELS + 4], udp[MDEC_MAX_TUNNELS + 4];
    if (n == 0 || n > MDEC_MAX_TUNNELS + 4)
        abort();
    pb_init(p);
    int ethernet = 1;
    for (unsigned i = 0; i < n; i++) {
        if (ethernet)
            pb_eth(p, 0x0800);
        open_layer(p, &layers[i], &ip[i], &udp[i]);
        ethernet = layers[i].type != SB_GENEVE_GWLB;
    }
    if (ethernet)
        pb_eth(p, 0x0800);
    const size_t in = pb_ipv4(p, inner_src, "10.0.2.20", 6);
    pb_tcp(p, 49152, 22, 0x02);
    pb_end_ipv4(p, in);
    for (unsigned i = n; i-- > 0;) {
        if (udp[i])
            pb_end_udp(p, udp[i]);
        pb_end_ipv4(p, ip[i]);
    }
}

/* prefix contains the IPv4 address a, bit by bit. */
static int naive_contains(const struct mdec_prefix *prefix, const uint8_t a[4])
{
    if (prefix->addr.family != MDEC_AF_IPV4)
        return 0;
    for (unsigned i = 0; i < prefix->len && i < 32; i++)
        if (((prefix->addr.a[i / 8] ^ a[i / 8]) >> (7 - i % 8)) & 1)
            return 0;
    return 1;
}

int sb_trusted(const struct mdec_config *cfg, const struct sb_layer *l)
{
    uint8_t a[4];
    if (inet_pton(AF_INET, l->src, a) != 1)
        abort();
    for (unsigned t = 0; t < cfg->n_transports && t < MDEC_MAX_TRANSPORTS; t++) {
        const struct mdec_transport *tr = &cfg->transports[t];
        if (tr->type != sb_tunnel_of[l->type])
            continue;
        for (unsigned k = 0; k < tr->n_from && k < MDEC_TRANSPORT_PREFIXES; k++)
            if (naive_contains(&tr->from[k], a))
                return 1;
    }
    return 0;
}

unsigned sb_keying(const struct mdec_config *cfg, const struct sb_layer *layers, unsigned n)
{
    unsigned max = cfg->max_depth < 1 ? 1 : cfg->max_depth;
    if (max > MDEC_MAX_TUNNELS)
        max = MDEC_MAX_TUNNELS;
    unsigned i = 0;
    while (i + 1 < n && i + 1 < max && sb_trusted(cfg, &layers[i]))
        i++;
    return i;
}

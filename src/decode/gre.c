/*
 * gre.c - GRE (RFC 2784, key and sequence number from RFC 2890, routing from
 * RFC 1701), IP protocol 47, as used to carry ERSPAN, NVGRE (RFC 7637) and
 * IP.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Checksum (C or R)        |       Offset (C or R)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Key (K)                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Sequence Number (S)                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Routing (R): a list of SREs                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * SRE (RFC 1701): Address Family (16), SRE Offset (8), SRE Length (8),
 * then SRE Length bytes; the list ends with family 0 and length 0.
 *
 * Protocol Type decides what follows: 0x88BE ERSPAN type I or II, 0x22EB
 * ERSPAN type III (both handed to erspan.c: GRE carrying ERSPAN is one
 * erspan tunnel), 0x6558 Ethernet (NVGRE, gretap), 0x0800 / 0x86DD IP.
 * Anything else (PPP, NHRP, WCCP, MPLS ...) is unsupported, as is version 1
 * (PPTP's enhanced GRE).  Bits s, Recur, A and Flags are reserved in
 * version 0: noted, or rejected in strict mode.  The key is the tunnel id
 * (for NVGRE: VSID << 8 | FlowID).  The checksum is not verified.
 *
 * No fast-path twin: the fast path calls this decoder (mdec__peel).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

#define GRE_C 0x8000
#define GRE_R 0x4000
#define GRE_K 0x2000
#define GRE_S 0x1000
#define GRE_RESERVED 0x0FF8 /* s, Recur, A, Flags */

bool mdec__gre(struct dec *d, const struct win *w, struct mdec_tunnel *t, struct win *payload)
{
    struct mdec_gre_info gi = {0};
    t->hdr_len = 4;
    const uint8_t *h = mdec__need_view(d, w, 0, 4, MDEC_LAYER_GRE, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    const uint16_t fv = rd_get16(h), proto = rd_get16(h + 2);
    gi.flags_ver = fv;
    gi.proto = proto;
    t->u.gre = gi;
    if ((fv & 7) != 0)
        return mdec__unsupported(d, MDEC_A_GRE_VERSION, MDEC_LAYER_GRE, w->off);
    if ((fv & GRE_RESERVED) &&
        !mdec__reserved(d, MDEC_A_GRE_RESERVED, MDEC_LAYER_GRE, w->off))
        return false;

    uint32_t len = 4;
    if (fv & (GRE_C | GRE_R))
        len += 4;
    const uint32_t key_at = len;
    if (fv & GRE_K)
        len += 4;
    const uint32_t seq_at = len;
    if (fv & GRE_S)
        len += 4;
    t->hdr_len = len;
    h = mdec__need_view(d, w, 0, len, MDEC_LAYER_GRE, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    if (fv & GRE_K) {
        gi.key = rd_get32(h + key_at);
        t->id = gi.key;
        t->flags |= MDEC_TF_ID;
    }
    if (fv & GRE_S)
        gi.seq = rd_get32(h + seq_at);
    t->u.gre = gi;

    if (fv & GRE_R) {
        /* Each SRE takes at least 4 bytes of a bounded window: the walk ends. */
        for (;;) {
            const uint8_t *sre = mdec__need_view(d, w, len, 4, MDEC_LAYER_GRE, MDEC_A_GRE_ROUTING);
            if (sre == NULL)
                return false;
            len += 4;
            if (rd_get16(sre) == 0 && sre[3] == 0) /* family 0, length 0: the end */
                break;
            len += sre[3];
        }
        t->hdr_len = len; /* the last SRE viewed ends here: all present */
    }

    if (proto != ETH_ERSPAN_II && proto != ETH_ERSPAN_III)
        t->flags |= MDEC_TF_HEADER; /* ERSPAN's is read by erspan.c */
    switch (proto) {
    case ETH_ERSPAN_II:
    case ETH_ERSPAN_III:
        /* One erspan tunnel; its id is the ERSPAN session id, not the key
         * (which stays in u.erspan.gre.key). */
        t->type = MDEC_TUNNEL_ERSPAN;
        t->flags &= (uint8_t)~MDEC_TF_ID;
        t->id = 0;
        return mdec__erspan(d, w, len, t, payload);
    case ETH_TEB:
    case ETH_IPV4:
    case ETH_IPV6:
        t->payload = proto;
        break;
    default:
        return mdec__unsupported(d, MDEC_A_GRE_PROTO, MDEC_LAYER_GRE, w->off);
    }
    *payload = mdec__tunnel_payload(w, len);
    return true;
}

/*
 * erspan.c - Cisco ERSPAN (draft-foschiano-erspan-03), carried in GRE.
 *
 * Type I: GRE protocol 0x88BE with no sequence number.  There is no ERSPAN
 * header: the mirrored Ethernet frame follows the GRE header.
 *
 * Type II: GRE protocol 0x88BE with a sequence number (S), 8-byte header:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Ver  |          VLAN         | COS | En|T|    Session ID     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Reserved         |                  Index                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Type III: GRE protocol 0x22EB, 12-byte header:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Ver  |          VLAN         | COS |BSO|T|     Session ID    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Timestamp                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             SGT               |P|    FT   |   Hw ID   |D|Gra|O|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * followed, when O is set, by an 8-byte platform specific sub-header.
 *
 * Checks: Ver is 1 in type II and 2 in type III; type II's reserved bits are
 * noted (strict: rejected).  Type III frame type 0 is Ethernet, 2 is IP
 * (the version nibble tells IPv4 from IPv6); other frame types are
 * unsupported.  The 10-bit session id is the tunnel id; type I has none.
 *
 * No fast-path twin: the fast path calls this decoder (mdec__peel, gre.c).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__erspan(struct dec *d, const struct win *w, uint32_t gre_len, struct mdec_tunnel *t,
                  struct win *payload)
{
    struct mdec_erspan_info *e = &t->u.erspan;
    const struct mdec_gre_info gi = t->u.gre;
    const struct win hw = mdec__rest(w, gre_len);

    e->gre = gi;
    e->cos = e->en_bso = e->t = e->ft = e->hw_id = e->d = e->gra = e->o = e->p = 0;
    e->vlan = e->sgt = 0;
    e->index = 0;
    e->platform = 0;

    if (gi.proto == ETH_ERSPAN_II && !(gi.flags_ver & 0x1000)) {
        e->version = 1;
        t->flags |= MDEC_TF_HEADER;
        t->payload = ETH_TEB;
        *payload = mdec__tunnel_payload(w, gre_len);
        return true;
    }

    const bool v3 = gi.proto == ETH_ERSPAN_III;
    const uint32_t hlen = v3 ? 12 : 8;
    e->version = v3 ? 3 : 2;
    t->hdr_len = gre_len + hlen;
    const uint8_t *h = mdec__need_view(d, &hw, 0, hlen, MDEC_LAYER_ERSPAN, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;

    e->vlan = rd_get16(h) & 0x0FFF;
    e->cos = (uint8_t)(h[2] >> 5);
    e->en_bso = (uint8_t)((h[2] >> 3) & 3);
    e->t = (uint8_t)((h[2] >> 2) & 1);
    t->id = rd_get16(h + 2) & 0x03FF;
    t->flags |= MDEC_TF_ID;
    if (!v3)
        t->flags |= MDEC_TF_HEADER;
    if (h[0] >> 4 != (v3 ? 2 : 1))
        return mdec__malformed(d, MDEC_A_ERSPAN_VERSION, MDEC_LAYER_ERSPAN, hw.off);

    if (!v3) {
        e->index = rd_get24(h + 5) & 0x0FFFFF;
        if ((h[4] || (h[5] & 0xF0)) &&
            !mdec__reserved(d, MDEC_A_ERSPAN_RESERVED, MDEC_LAYER_ERSPAN, hw.off))
            return false;
        t->payload = ETH_TEB;
        *payload = mdec__tunnel_payload(w, t->hdr_len);
        return true;
    }

    e->index = rd_get32(h + 4);
    e->sgt = rd_get16(h + 8);
    e->p = (uint8_t)(h[10] >> 7);
    e->ft = (uint8_t)((h[10] >> 2) & 0x1F);
    e->hw_id = (uint8_t)((rd_get16(h + 10) >> 4) & 0x3F);
    e->d = (uint8_t)((h[11] >> 3) & 1);
    e->gra = (uint8_t)((h[11] >> 1) & 3);
    e->o = (uint8_t)(h[11] & 1);
    if (e->o) {
        t->hdr_len += 8;
        const uint8_t *ph = mdec__need_view(d, &hw, 12, 8, MDEC_LAYER_ERSPAN, MDEC_A_HEADER_BEYOND);
        if (ph == NULL)
            return false;
        e->platform = rd_get64(ph);
    }
    t->flags |= MDEC_TF_HEADER;
    if (e->ft == 0)
        t->payload = ETH_TEB;
    else if (e->ft == 2)
        t->payload = 0; /* IP: the version nibble decides */
    else
        return mdec__unsupported(d, MDEC_A_ERSPAN_FRAME_TYPE, MDEC_LAYER_ERSPAN, hw.off);
    *payload = mdec__tunnel_payload(w, t->hdr_len);
    return true;
}

/*
 * vxlan_gpe.c - Generic Protocol Extension for VXLAN
 * (draft-ietf-nvo3-vxlan-gpe-12 section 3.3), UDP 4790.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|R|Ver|I|P|B|O|           Reserved            | Next Protocol |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                VXLAN Network Identifier (VNI) |   Reserved    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Next Protocol: 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS.
 *
 * Checks, as the Linux receiver makes them: version 0, P set (else there is
 * no next protocol), O clear (an OAM packet carries no mirrored traffic:
 * unsupported), next protocol IPv4, IPv6 or Ethernet (NSH and the rest are
 * unsupported).  I set means the VNI is valid; without it the tunnel has no
 * id.  Reserved bits: noted, or rejected in strict mode.
 *
 * No fast-path twin: the fast path calls this decoder (mdec__peel).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__vxlan_gpe(struct dec *d, const struct win *w, struct mdec_tunnel *t,
                     struct win *payload)
{
    t->hdr_len = 8;
    const uint8_t *h = mdec__need_view(d, w, 0, 8, MDEC_LAYER_VXLAN_GPE, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    t->u.gpe.flags = h[0];
    t->u.gpe.next_proto = h[3];
    t->flags |= MDEC_TF_HEADER;
    if (h[0] & 0x08) {
        t->id = rd_get24(h + 4);
        t->flags |= MDEC_TF_ID;
    }
    if (h[0] & 0x30)
        return mdec__malformed(d, MDEC_A_GPE_VERSION, MDEC_LAYER_VXLAN_GPE, w->off);
    if (!(h[0] & 0x04))
        return mdec__malformed(d, MDEC_A_GPE_P_FLAG, MDEC_LAYER_VXLAN_GPE, w->off);
    if ((h[0] & 0xC0) || rd_get16(h + 1) || h[7]) {
        if (!mdec__reserved(d, MDEC_A_VXLAN_RESERVED, MDEC_LAYER_VXLAN_GPE, w->off))
            return false;
    }
    if (h[0] & 0x01)
        return mdec__unsupported(d, MDEC_A_GPE_OAM, MDEC_LAYER_VXLAN_GPE, w->off);
    switch (h[3]) {
    case 1:
        t->payload = ETH_IPV4;
        break;
    case 2:
        t->payload = ETH_IPV6;
        break;
    case 3:
        t->payload = ETH_TEB;
        break;
    default:
        return mdec__unsupported(d, MDEC_A_GPE_NEXT_PROTO, MDEC_LAYER_VXLAN_GPE, w->off);
    }
    *payload = mdec__tunnel_payload(w, 8);
    return true;
}

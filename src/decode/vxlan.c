/*
 * vxlan.c - VXLAN (RFC 7348 section 5), as sent by AWS VPC Traffic
 * Mirroring and Azure virtual network TAP on UDP 4789, and by Linux vxlan
 * devices on 8472.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|R|R|R|I|R|R|R|            Reserved                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                VXLAN Network Identifier (VNI) |   Reserved    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The payload is an Ethernet frame.  Checks: the I flag must be set (it says
 * the VNI is valid; without it the header fails VXLAN's only hard rule).
 * Reserved bits "MUST be set to zero on transmission and ignored on
 * receipt": permissive mode notes them, strict mode (what Suricata and
 * Arkime do) rejects the packet.  Extensions that reuse reserved bits
 * (VXLAN-GBP's group policy id) therefore show up as reserved-bit anomalies.
 *
 * Fast-path twin: fast_vxlan() in fastpath.c (flags 0x08 and every reserved
 * bit zero; any other header comes here); a change here is made there too.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__vxlan(struct dec *d, const struct win *w, struct mdec_tunnel *t, struct win *payload)
{
    t->hdr_len = 8;
    const uint8_t *h = mdec__need_view(d, w, 0, 8, MDEC_LAYER_VXLAN, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    t->flags |= MDEC_TF_HEADER;
    if (!(h[0] & 0x08))
        return mdec__malformed(d, MDEC_A_VXLAN_I_FLAG, MDEC_LAYER_VXLAN, w->off);
    t->id = rd_get24(h + 4);
    t->flags |= MDEC_TF_ID;
    if ((h[0] & ~0x08) || rd_get24(h + 1) || h[7]) {
        if (!mdec__reserved(d, MDEC_A_VXLAN_RESERVED, MDEC_LAYER_VXLAN, w->off))
            return false;
    }
    t->payload = ETH_TEB;
    *payload = mdec__tunnel_payload(w, 8);
    return true;
}

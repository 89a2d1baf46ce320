/*
 * icmp.c - ICMP (RFC 792) and ICMPv6 (RFC 4443) headers.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Rest of header (ICMP; part of the ICMPv6 body)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Every ICMP message has the 8-byte header above; RFC 4443 defines the
 * ICMPv6 header as the first 4 bytes, the rest being the message body.
 * Type and code go into the flow key as soon as they are present.  The
 * checksum is not verified.
 *
 * Fast-path twin: fast_l4() in fastpath.c (ICMP and ICMPv6); a change here
 * is made there too.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__icmp(struct dec *d, const struct win *w, int v6, struct l4_out *out)
{
    const enum mdec_layer layer = v6 ? MDEC_LAYER_ICMPV6 : MDEC_LAYER_ICMP;
    const uint32_t hlen = v6 ? 4 : 8;
    const uint8_t *tc = rd_view(w, 0, 2);
    out->flow = 0;
    if (tc != NULL) {
        out->icmp_type = tc[0];
        out->icmp_code = tc[1];
        out->flow = MDEC_FLOW_ICMP;
    }
    if (!mdec__need(d, w, hlen, layer, MDEC_A_HEADER_BEYOND))
        return false;
    out->hdr_len = hlen;
    out->payload = mdec__rest(w, hlen);
    return true;
}

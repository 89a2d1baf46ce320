/*
 * udp.c - UDP header (RFC 768).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Checks: length at least 8 and within the IP payload.  Length 0 is what
 * GSO / BIG TCP captures show (and what RFC 2675 jumbograms carry): the IP
 * payload's length stands in, noted.  The checksum is not verified; VXLAN
 * senders usually send 0, which RFC 7348 allows.  The ports are read before,
 * by mdec__l4_ports(), as soon as their four bytes are present: the pipeline
 * needs them to tell a tunnel's carrier from the innermost L4 header.
 *
 * Fast-path twins: mdec__fast_ethernet() in fastpath.c (the carrier's UDP
 * header) and fast_l4() (the inner one); a change here is made there too.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__udp(struct dec *d, const struct win *w, struct l4_out *out)
{
    const uint8_t *h = mdec__need_view(d, w, 0, 8, MDEC_LAYER_UDP, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    uint64_t len = rd_get16(h + 4);
    if (len == 0) {
        mdec__note(d, MDEC_A_UDP_LEN_ZERO, MDEC_LAYER_UDP, w->off);
        len = w->wire_end - w->off;
    }
    if (len < 8)
        return mdec__malformed(d, MDEC_A_UDP_LEN_SHORT, MDEC_LAYER_UDP, w->off);
    struct win dg;
    if (!mdec__sub(w, len, &dg))
        return mdec__malformed(d, MDEC_A_UDP_LEN_BEYOND, MDEC_LAYER_UDP, w->off);
    out->hdr_len = 8;
    out->udp_len = len;
    out->payload = mdec__rest(&dg, 8);
    return true;
}

/*
 * tcp.c - TCP header (RFC 9293).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Options (Data Offset > 5)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Checks: data offset at least 5 and within the segment.  Ports are
 * reported once their four bytes are present, flags once byte 13 is, so a
 * mirror cut inside the TCP header still yields the flow key.
 *
 * Fast-path twin: fast_l4() in fastpath.c (the whole header present); a
 * change here is made there too.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__tcp(struct dec *d, const struct win *w, struct l4_out *out)
{
    mdec__l4_ports(w, out);
    const uint8_t *flags = rd_view(w, 13, 1);
    if (flags != NULL) {
        out->tcp_flags = *flags;
        out->flow |= MDEC_FLOW_TCP_FLAGS;
    }
    const uint8_t *h = mdec__need_view(d, w, 0, 20, MDEC_LAYER_TCP, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    const uint32_t hlen = (uint32_t)(h[12] >> 4) * 4; /* data offset */
    if (hlen < 20)
        return mdec__malformed(d, MDEC_A_TCP_OFFSET, MDEC_LAYER_TCP, w->off);
    if (!mdec__need(d, w, hlen, MDEC_LAYER_TCP, MDEC_A_TCP_OFFSET))
        return false;
    out->hdr_len = hlen;
    out->payload = mdec__rest(w, hlen);
    return true;
}

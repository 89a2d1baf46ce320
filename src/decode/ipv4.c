/*
 * ipv4.c - IPv4 header (RFC 791).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)          |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Checks: version 4; IHL at least 5; total length at least the header and
 * within what the carrier states (inside a tunnel a larger total length is
 * the normal sign of a mirror that truncated the packet).  A total length of
 * 0 is what captures on GSO / BIG TCP hosts show for packets larger than
 * 64 KiB: the frame's length stands in, and the fact is noted.  Options are
 * skipped, not interpreted.  The checksum is not verified: AWS does not
 * recompute it for truncated mirrors.  Flags: MF with offset 0 is a first
 * fragment (ports present, datagram continues elsewhere); a non-zero offset
 * is a later fragment, which holds no L4 header.
 *
 * Fast-path twin: fast_ip() in fastpath.c (a whole, unfragmented datagram
 * of non-zero length); a change here is made there too.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__ipv4(struct dec *d, const struct win *w, struct ip_out *out)
{
    out->src.family = out->dst.family = MDEC_AF_NONE;
    out->frag = 0;
    out->proto_known = 0;
    const uint8_t *h = mdec__need_view(d, w, 0, 20, MDEC_LAYER_IPV4, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    if (h[0] >> 4 != 4)
        return mdec__malformed(d, MDEC_A_IP_VERSION, MDEC_LAYER_IPV4, w->off);

    mdec__addr_set(&out->src, MDEC_AF_IPV4, h + 12);
    mdec__addr_set(&out->dst, MDEC_AF_IPV4, h + 16);
    out->proto = h[9];
    out->proto_known = 1;

    const uint32_t ihl = (uint32_t)(h[0] & 0x0F) * 4;
    if (ihl < 20)
        return mdec__malformed(d, MDEC_A_IPV4_IHL, MDEC_LAYER_IPV4, w->off);
    uint64_t len = rd_get16(h + 2);
    if (len == 0) {
        mdec__note(d, MDEC_A_IP_LEN_ZERO, MDEC_LAYER_IPV4, w->off);
        len = w->wire_end - w->off;
    }
    if (len < ihl)
        return mdec__malformed(d, MDEC_A_IP_LEN_SHORT, MDEC_LAYER_IPV4, w->off);
    if (!mdec__sub(w, len, &out->ip))
        return mdec__malformed(d, MDEC_A_IP_LEN_BEYOND, MDEC_LAYER_IPV4, w->off);
    out->ip_len = len;
    out->hdr_len = ihl;

    const uint16_t frag = rd_get16(h + 6);
    if ((frag & 0x1FFF) != 0)
        out->frag = 2;
    else if (frag & 0x2000)
        out->frag = 1;
    if (out->frag)
        mdec__note(d, MDEC_A_IP_FRAGMENT, MDEC_LAYER_IPV4, w->off);

    return mdec__need(d, &out->ip, ihl, MDEC_LAYER_IPV4, MDEC_A_IP_LEN_SHORT);
}

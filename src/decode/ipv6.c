/*
 * ipv6.c - IPv6 header (RFC 8200) and the walk over its extension headers,
 * jumbograms (RFC 2675).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Source Address (16 bytes)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Destination Address (16 bytes)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Extension headers walked: hop-by-hop (0), routing (43), destination
 * options (60), mobility (135), HIP (139), shim6 (140) - all
 * "Next Header, Hdr Ext Len in 8-byte units after the first 8" - fragment
 * (44, 8 bytes) and AH (51, length in 4-byte units minus 2).  ESP (50) and
 * No Next Header (59) end the walk with that protocol; anything else is the
 * upper layer.
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Next Header  |  Hdr Ext Len  |  ...                          |
 *   Fragment header:
 *   |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *   |                         Identification                        |
 *
 * Payload length 0 means one of two things.  With a hop-by-hop Jumbo
 * Payload option (type 0xC2, 4 bytes) it is a jumbogram whose length that
 * option gives (it must exceed 65535).  Without one it is how GSO / BIG TCP
 * hosts capture packets over 64 KiB (they drop the jumbo option): the
 * frame's length stands in, and the fact is noted.  A jumbo option with a
 * non-zero payload length is malformed.  At most MAX_EXT extension headers
 * are walked: a longer chain is malformed (and bounds the work).
 *
 * Fast-path twin: fast_ip() in fastpath.c (no extension header, non-zero
 * payload length); a change here is made there too.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

#define MAX_EXT 16

enum {
    NH_HOPOPT = 0,
    NH_ROUTING = 43,
    NH_FRAGMENT = 44,
    NH_AH = 51,
    NH_NONE = 59,
    NH_DSTOPTS = 60,
    NH_MOBILITY = 135,
    NH_HIP = 139,
    NH_SHIM6 = 140
};

/*
 * Looks through the options of the hop-by-hop header viewed at h (hlen
 * bytes, all present) for a Jumbo Payload option.  Returns 1 and its value,
 * 0 when there is none, -1 when one is malformed.  Every option is read
 * only once its length shows it inside the hlen bytes.
 */
static int find_jumbo(const uint8_t *h, uint32_t hlen, uint32_t *jumbo)
{
    uint32_t at = 2;
    while (at < hlen) {
        const uint8_t type = h[at];
        if (type == 0) { /* Pad1 */
            at++;
            continue;
        }
        if (at + 2 > hlen || at + 2u + h[at + 1] > hlen)
            return -1;
        const uint8_t len = h[at + 1];
        if (type == 0xC2) {
            if (len != 4)
                return -1;
            *jumbo = rd_get32(h + at + 2);
            return 1;
        }
        at += 2u + len;
    }
    return 0;
}

/*
 * The length the fixed header h (at the start of w) states for the
 * datagram: 40 + payload length, a jumbo option's length, or (payload
 * length 0 without one: GSO / BIG TCP) what the frame holds.  False when a
 * jumbo option is malformed.
 */
static bool datagram_length(struct dec *d, const struct win *w, const uint8_t *h, uint64_t *len)
{
    const uint8_t nh = h[6];
    const uint32_t plen = rd_get16(h + 4);
    *len = 40 + (uint64_t)plen;

    /* A hop-by-hop header first: it may carry a jumbo length. */
    const uint8_t *hbh = nh == NH_HOPOPT ? rd_view(w, 40, 2) : NULL;
    if (hbh != NULL) {
        const uint32_t hlen = ((uint32_t)hbh[1] + 1) * 8;
        if ((hbh = rd_view(w, 40, hlen)) != NULL) {
            uint32_t jumbo = 0;
            int j = find_jumbo(hbh, hlen, &jumbo);
            if (j < 0 || (j > 0 && (plen != 0 || jumbo <= 65535)))
                return mdec__malformed(d, MDEC_A_IPV6_JUMBO, MDEC_LAYER_IPV6, w->off);
            if (j > 0)
                *len = 40 + (uint64_t)jumbo;
        }
    }
    /* No payload length and no jumbo option (a jumbo length exceeds 65535):
     * GSO / BIG TCP capture, or a packet of bare header (next header 59) -
     * the frame decides. */
    if (*len == 40 && nh != NH_NONE) {
        mdec__note(d, MDEC_A_IP_LEN_ZERO, MDEC_LAYER_IPV6, w->off);
        *len = w->wire_end - w->off;
    }
    return true;
}

/*
 * The extension headers from 40 on, the first of type nh, inside the
 * datagram out->ip: out->proto, proto_known, hdr_len and a fragment's
 * kind.
 */
static bool extension_headers(struct dec *d, const struct win *w, uint8_t nh, struct ip_out *out)
{
    uint32_t at = 40;
    for (unsigned n = 0;; n++) {
        uint64_t ext;
        switch (nh) {
        case NH_HOPOPT:
        case NH_ROUTING:
        case NH_DSTOPTS:
        case NH_MOBILITY:
        case NH_HIP:
        case NH_SHIM6:
        case NH_FRAGMENT:
        case NH_AH:
            break;
        default:
            if (nh == IPPROTO_ESP_)
                mdec__note(d, MDEC_A_IPV6_ESP, MDEC_LAYER_IPV6, w->off);
            out->proto = nh;
            out->proto_known = 1;
            out->hdr_len = at;
            return true;
        }
        out->hdr_len = at;
        if (n >= MAX_EXT)
            return mdec__malformed(d, MDEC_A_IPV6_EXT_LIMIT, MDEC_LAYER_IPV6, w->off);
        const uint8_t *x = mdec__need_view(d, &out->ip, at, 2, MDEC_LAYER_IPV6,
                                           MDEC_A_IPV6_EXT_BEYOND);
        if (x == NULL)
            return false;
        const uint8_t next = x[0], hl = x[1];
        if (nh == NH_FRAGMENT)
            ext = 8;
        else if (nh == NH_AH)
            ext = ((uint64_t)hl + 2) * 4;
        else
            ext = ((uint64_t)hl + 1) * 8;
        x = mdec__need_view(d, &out->ip, at, (uint32_t)ext, MDEC_LAYER_IPV6, MDEC_A_IPV6_EXT_BEYOND);
        if (x == NULL)
            return false;
        if (nh == NH_FRAGMENT) {
            const uint16_t fo = rd_get16(x + 2);
            if ((fo >> 3) != 0)
                out->frag = 2;
            else if (fo & 1)
                out->frag = 1;
            if (out->frag)
                mdec__note(d, MDEC_A_IP_FRAGMENT, MDEC_LAYER_IPV6, w->off);
            if (out->frag == 2) {
                out->proto = next;
                out->proto_known = 1;
                out->hdr_len = at + 8;
                return true;
            }
        }
        at += (uint32_t)ext;
        nh = next;
    }
}

bool mdec__ipv6(struct dec *d, const struct win *w, struct ip_out *out)
{
    out->src.family = out->dst.family = MDEC_AF_NONE;
    out->frag = 0;
    out->proto_known = 0;
    const uint8_t *h = mdec__need_view(d, w, 0, 40, MDEC_LAYER_IPV6, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    if (h[0] >> 4 != 6)
        return mdec__malformed(d, MDEC_A_IP_VERSION, MDEC_LAYER_IPV6, w->off);

    mdec__addr_set(&out->src, MDEC_AF_IPV6, h + 8);
    mdec__addr_set(&out->dst, MDEC_AF_IPV6, h + 24);
    out->proto = h[6];

    uint64_t len;
    if (!datagram_length(d, w, h, &len))
        return false;
    if (!mdec__sub(w, len, &out->ip))
        return mdec__malformed(d, MDEC_A_IP_LEN_BEYOND, MDEC_LAYER_IPV6, w->off);
    out->ip_len = len;
    return extension_headers(d, w, h[6], out);
}

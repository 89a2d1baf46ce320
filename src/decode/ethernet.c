/*
 * ethernet.c - Ethernet II frames (IEEE 802.3) and their VLAN tags
 * (IEEE 802.1Q, 802.1ad).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Destination address                      |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                        Source address                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      EtherType or TPID        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A tag (TPID 0x8100 802.1Q, 0x88A8 802.1ad, 0x9100 pre-standard QinQ)
 * inserts four bytes before the EtherType:
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             TPID              | PCP |D|         VLAN id       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Checks: the 14-byte header and every tag must be present; more than
 * MAX_TAGS tags is malformed (no real network stacks that many, and the
 * limit bounds the walk).  A type field below 0x0600 is an 802.3 length:
 * an LLC frame, noted and handed back as "not IP".  The FCS, when a capture
 * keeps it, is trailing bytes that IP's own length excludes.
 *
 * Fast-path twin: fast_eth() in fastpath.c (untagged, one or two tags,
 * IPv4 or IPv6 only); a change here is made there too.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

#define MAX_TAGS 8

/* The tags from rel on, the first of type `type`; then as below. */
static MDEC_NOINLINE bool walk_tags(struct dec *d, const struct win *w, uint32_t rel,
                                    uint16_t type, enum mdec_layer layer, struct link_out *out)
{
    while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
        if (out->n_vlan >= MAX_TAGS)
            return mdec__malformed(d, MDEC_A_VLAN_DEPTH, layer, w->off);
        const uint8_t *tag = mdec__need_view(d, w, rel, 4, layer, MDEC_A_HEADER_BEYOND);
        if (tag == NULL)
            return false;
        type = rd_get16(tag + 2);
        if (out->n_vlan < 2)
            out->vlan[out->n_vlan] = rd_get16(tag) & 0x0FFF;
        out->n_vlan++;
        rel += 4;
    }
    out->ethertype = type;
    out->hdr_len = rel;
    if (type < 0x0600)
        mdec__note(d, MDEC_A_ETHER_LENGTH, layer, w->off);
    return true;
}

/*
 * Walks the VLAN tags of a link header whose type field said `type` and
 * whose payload (the first tag's TCI, or the network layer) starts at rel.
 * Most frames have no tag: they return at once, without the frame that
 * the walk over tags needs.
 */
bool mdec__link_tags(struct dec *d, const struct win *w, uint32_t rel, uint16_t type,
                     enum mdec_layer layer, struct link_out *out)
{
    out->n_vlan = 0;
    out->vlan[0] = out->vlan[1] = 0;
    if (MDEC_UNLIKELY(type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD || type < 0x0600))
        return walk_tags(d, w, rel, type, layer, out);
    out->ethertype = type;
    out->hdr_len = rel;
    return true;
}

bool mdec__ethernet(struct dec *d, const struct win *w, struct link_out *out)
{
    const uint8_t *h = mdec__need_view(d, w, 0, 14, MDEC_LAYER_ETHERNET, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    return mdec__link_tags(d, w, 14, rd_get16(h + 12), MDEC_LAYER_ETHERNET, out);
}

/*
 * sll.c - Linux cooked capture headers, v1 (LINKTYPE_LINUX_SLL, 113) and v2
 * (LINKTYPE_LINUX_SLL2, 276), as written by libpcap for the "any" device.
 * https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and
 * LINKTYPE_LINUX_SLL2.html
 *
 * v1, 16 bytes:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Packet type          |        ARPHRD type            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Link-layer address length  |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |            Link-layer address (8 bytes, zero padded)          |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |        Protocol type          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * v2, 20 bytes:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Protocol type          |           Reserved            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Interface index                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          ARPHRD type          |  Packet type  | Address length|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Link-layer address (8 bytes, zero padded)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The protocol type is an EtherType when it is 0x0600 or more; smaller
 * values name Linux-internal framings (802.2 LLC, CAN, ...), which carry no
 * IP and are noted.  A VLAN tag left in by the kernel follows the header
 * as it would in Ethernet (TCI, then the inner EtherType).
 *
 * No fast-path twin: Linux cooked captures go to the walk.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__sll(struct dec *d, const struct win *w, int version, struct link_out *out)
{
    const uint32_t hdr = version == 1 ? 16 : 20;
    const uint32_t proto_at = version == 1 ? 14 : 0;
    const uint8_t *h = mdec__need_view(d, w, 0, hdr, MDEC_LAYER_SLL, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    const uint16_t proto = rd_get16(h + proto_at);
    if (proto < 0x0600) {
        mdec__note(d, MDEC_A_SLL_PROTOCOL, MDEC_LAYER_SLL, w->off);
        out->ethertype = proto;
        out->n_vlan = 0;
        out->vlan[0] = out->vlan[1] = 0;
        out->hdr_len = hdr;
        return true;
    }
    return mdec__link_tags(d, w, hdr, proto, MDEC_LAYER_SLL, out);
}

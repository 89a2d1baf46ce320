/*
 * arp.c - ARP (RFC 826), recognised inside tunnels as a non-IP payload.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Hardware Type         |         Protocol Type         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HW addr len  | Proto addr len|           Operation           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Sender HW address | Sender proto address | Target HW | Target proto |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The message is 8 + 2 * (HW len + proto len) bytes; the addresses are not
 * interpreted (ARP has no flow key).  ARP is only decoded inside a tunnel,
 * where a message longer than what arrived is a mirror's cut (truncated).
 *
 * No fast-path twin: ARP goes to the walk.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__arp(struct dec *d, const struct win *w, struct win *msg)
{
    const uint8_t *h = mdec__need_view(d, w, 0, 8, MDEC_LAYER_ARP, MDEC_A_HEADER_BEYOND);
    if (h == NULL)
        return false;
    const uint32_t len = 8 + 2 * ((uint32_t)h[4] + h[5]); /* hardware, protocol address lengths */
    if (!mdec__need(d, w, len, MDEC_LAYER_ARP, MDEC_A_HEADER_BEYOND))
        return false;
    *msg = mdec__head(w, len);
    return true;
}

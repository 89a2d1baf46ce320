/*
 * sctp.c - SCTP common header (RFC 9260 section 3.1).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Source Port Number        |     Destination Port Number   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Verification Tag                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           Checksum                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Only the common header is decoded (ports for the flow key); the chunks
 * that follow are the payload.  The CRC32c is not verified.
 *
 * No fast-path twin: SCTP goes to the walk.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "proto.h"

bool mdec__sctp(struct dec *d, const struct win *w, struct l4_out *out)
{
    mdec__l4_ports(w, out);
    if (!mdec__need(d, w, 12, MDEC_LAYER_SCTP, MDEC_A_HEADER_BEYOND))
        return false;
    out->hdr_len = 12;
    out->payload = mdec__rest(w, 12);
    return true;
}

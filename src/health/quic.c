/*
 * quic.c - QUIC by its long and short headers.
 *
 * Reference: RFC 9000 (QUIC) 17.2, "Long Header Packets", 17.3, "Short
 * Header Packets", and 17.2.1, "Version Negotiation Packet"; RFC 9369
 * (QUIC version 2) for its version number.
 *
 *   long header:   0        1        2        3        4        5
 *                 +--------+--------+--------+--------+--------+--------+- -
 *                 |1|1|T T|x x x x|          Version          |DCID Len| DCID
 *                 +--------+--------+--------+--------+--------+--------+- -
 *                  - -+--------+- - - - - -+- - - -
 *                     |SCID Len| SCID      | type-specific ...
 *                  - -+--------+- - - - - -+- - - -
 *     Header Form 1, Fixed Bit 1 (RFC 9000 17.2); version 0x00000001 (v1),
 *     0x6b3343cf (v2), 0xff00001d..0xff000022 (drafts 29-34), or 0 for a
 *     Version Negotiation packet; connection ids of at most 20 bytes.
 *
 *   short header:  0
 *                 +--------+- - - - - - - - - - - - - -
 *                 |0|1|S|R R|K|P P| DCID, packet number, protected payload
 *                 +--------+- - - - - - - - - - - - - -
 *
 * A UDP flow is QUIC when a datagram starts with a long header of a known
 * version and both connection id lengths within bounds: seven bytes and
 * the ids' lengths as evidence.  Short-header packets carry no version, so
 * they are recognised only inside a flow already known to be QUIC.
 * Every QUIC packet's payload is protected; Initial packets too, although
 * their keys derive from the connection id (RFC 9001 5.2): an IDS must
 * decrypt them, so they count as encrypted.  Version Negotiation packets
 * (a list of versions) are cleartext.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

#define QUIC_MAX_CID 20u

static bool known_version(uint32_t v)
{
    return v == 0x00000001u || v == 0x6b3343cfu || (v >= 0xff00001du && v <= 0xff000022u);
}

enum det mdec__quic_detect(const struct win *w)
{
    const uint8_t *b = rd_view(w, 0, 1);
    if (!b)
        return w->wire_end - w->off >= 7 ? DET_MORE : DET_NO;
    if ((b[0] & 0xC0u) != 0xC0u)
        return DET_NO;
    const uint8_t *h = rd_view(w, 0, 6);
    if (!h)
        return w->wire_end - w->off >= 7 ? DET_MORE : DET_NO;
    const uint32_t version = rd_get32(h + 1);
    if (!known_version(version) || h[5] > QUIC_MAX_CID)
        return DET_NO;
    const uint8_t *scid = rd_view(w, 6u + h[5], 1);
    if (!scid)
        return w->wire_end - w->off >= 7u + h[5] ? DET_MORE : DET_NO;
    return scid[0] <= QUIC_MAX_CID && w->wire_end - w->off >= 7u + h[5] + scid[0] ? DET_YES
                                                                                   : DET_NO;
}

enum mdec_vis mdec__quic_datagram(const struct win *w)
{
    const uint8_t *b = rd_view(w, 0, 1);
    if (!b)
        return MDEC_VIS_UNKNOWN;
    if (b[0] & 0x80u) {
        const uint8_t *h = rd_view(w, 0, 5);
        if (h && rd_get32(h + 1) == 0)
            return MDEC_VIS_CLEARTEXT; /* Version Negotiation */
        return MDEC_VIS_ENCRYPTED;
    }
    return (b[0] & 0x40u) ? MDEC_VIS_ENCRYPTED : MDEC_VIS_UNKNOWN;
}

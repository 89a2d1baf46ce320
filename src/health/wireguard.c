/*
 * wireguard.c - WireGuard by its message format.
 *
 * Reference: Jason A. Donenfeld, "WireGuard: Next Generation Kernel Network
 * Tunnel", NDSS 2017, 5.4, "Messages" (5.4.2 handshake initiation, 5.4.3
 * response, 5.4.7 cookie reply, 5.4.6 transport data), as the Linux and
 * wireguard-go implementations send them.
 *
 *    0        1        2        3        4 ..
 *   +--------+--------+--------+--------+- - - - - - - - - - - - - - -
 *   |  type  |     reserved: 0 0 0      | sender / receiver index ...
 *   +--------+--------+--------+--------+- - - - - - - - - - - - - - -
 *     type 1 handshake initiation   148 bytes
 *     type 2 handshake response      92 bytes
 *     type 3 cookie reply            64 bytes
 *     type 4 transport data          16-byte header + encrypted packet and
 *                                    its 16-byte tag, padded to 16: at
 *                                    least 32 bytes, a multiple of 16
 *
 * The UDP payload's length on the wire must be the type's: four bytes and
 * the length as evidence, so a mirror that cut the datagram still lets it
 * be recognised.  Every message is encrypted or key material (the
 * handshake carries ephemeral keys and an encrypted static key): nothing
 * in it is inspectable.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

enum det mdec__wireguard_detect(const struct win *w)
{
    const uint64_t wire = w->wire_end - w->off;
    const uint8_t *h = rd_view(w, 0, 4);
    if (!h) {
        const uint8_t *b = rd_view(w, 0, 1);
        return (!b || (b[0] >= 1 && b[0] <= 4)) && wire >= 32 ? DET_MORE : DET_NO;
    }
    if (h[1] | h[2] | h[3])
        return DET_NO;
    switch (h[0]) {
    case 1:
        return wire == 148 ? DET_YES : DET_NO;
    case 2:
        return wire == 92 ? DET_YES : DET_NO;
    case 3:
        return wire == 64 ? DET_YES : DET_NO;
    case 4:
        return wire >= 32 && wire % 16 == 0 ? DET_YES : DET_NO;
    default:
        return DET_NO;
    }
}

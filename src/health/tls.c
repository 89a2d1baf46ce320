/*
 * tls.c - TLS by its record header.
 *
 * Reference: RFC 8446 (TLS 1.3) 5.1, "Record Layer"; RFC 5246 (TLS 1.2)
 * 6.2.1 for the versions and lengths of earlier records.
 *
 *    0        1        2        3        4        5
 *   +--------+--------+--------+--------+--------+- - - - - - - -
 *   |  type  | legacy_record_version |     length      | fragment ...
 *   +--------+--------+--------+--------+--------+- - - - - - - -
 *     20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data,
 *     24 heartbeat (RFC 6520)
 *     version 0x0300 (SSL 3.0) .. 0x0304; TLS 1.3 writes 0x0303 (0x0301
 *     allowed in a ClientHello)
 *     length: at most 2^14 + 2048 (RFC 5246: TLSCiphertext; RFC 8446
 *     allows 2^14 + 256), never 0 for a handshake or application record
 *
 * A flow is TLS when a payload starts with such a header; a handshake
 * record's first body byte, when present, must be a handshake type a
 * connection starts with (ClientHello 1, ServerHello 2) or any valid one
 * (1..24) for a flow picked up mid-way.  Five bytes of evidence, the
 * record's own.  DTLS (over UDP) is not recognised.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

#define TLS_MAX_RECORD (16384u + 2048u)

int mdec__tls_record(const struct win *w, uint64_t rel, uint8_t *type, uint32_t *len)
{
    const uint8_t *h = rd_view(w, rel, 5);
    if (!h)
        return 2;
    const uint16_t version = rd_get16(h + 1);
    const uint16_t n = rd_get16(h + 3);
    if (h[0] < 20 || h[0] > 24 || version < 0x0300 || version > 0x0304 || n > TLS_MAX_RECORD ||
        (n == 0 && (h[0] == 22 || h[0] == 23)))
        return 0;
    *type = h[0];
    *len = n;
    return 1;
}

enum det mdec__tls_detect(const struct win *w)
{
    uint8_t type;
    uint32_t len;
    const int r = mdec__tls_record(w, 0, &type, &len);
    if (r != 1) { /* not all five bytes present: MORE only if the type fits */
        const uint8_t *t = rd_view(w, 0, 1);
        return r == 0 || w->wire_end - w->off < 5 || (t && (t[0] < 20 || t[0] > 24)) ? DET_NO
                                                                                    : DET_MORE;
    }
    if (type == 22) {
        const uint8_t *b = rd_view(w, 5, 1);
        if (b && (b[0] == 0 || b[0] > 24))
            return DET_NO;
    }
    return DET_YES;
}

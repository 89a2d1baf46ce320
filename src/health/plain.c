/*
 * plain.c - cleartext an IDS reads as it is: HTTP/1.x, DNS, text.
 *
 * References: RFC 9112 (HTTP/1.1) 3, "Request Line", and 4, "Status
 * Line"; RFC 1035 (DNS) 4.1.1, "Header section format", and 4.2.2 for the
 * two-byte length before a message over TCP.
 *
 *   HTTP:  "GET " "POST " "PUT " "HEAD " "DELETE " "OPTIONS " "PATCH "
 *          "CONNECT " "TRACE " at the start of a request, "HTTP/1." at the
 *          start of a response
 *
 *   DNS (port 53 or 5353; over TCP after a 2-byte length):
 *    0        1        2        3        4        5        6 .. 11
 *   +--------+--------+--------+--------+--------+--------+- - - - - - - -
 *   |        ID       |Q|Opcode|AATCRD|RA|Z|..|     QDCOUNT     | AN NS AR
 *   +--------+--------+--------+--------+--------+--------+- - - - - - - -
 *     Opcode 0, 1, 2, 4 or 5 (RFC 6895 2.2), the Z bit 0, at most 16
 *     questions and 4096 records of each other kind
 *
 *   text:  the first 4..16 present bytes printable ASCII, tab, CR or LF
 *          (SMTP, IMAP, POP3, FTP, IRC, Redis, memcached ...)
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

/* DET_YES when the payload starts with word, DET_MORE when every present
 * byte matches and the word runs into bytes that were cut. */
static enum det starts_with(const struct win *w, const char *word, size_t n)
{
    const uint64_t cap = w->end - w->off, wire = w->wire_end - w->off;
    const size_t have = cap < n ? (size_t)cap : n;
    const uint8_t *p = rd_view(w, 0, have);
    if (have && (!p || memcmp(p, word, have) != 0))
        return DET_NO;
    if (have == n)
        return DET_YES;
    return wire >= n ? DET_MORE : DET_NO;
}

enum det mdec__http_detect(const struct win *w)
{
    static const char *const words[] = {"GET ",     "POST ",  "PUT ",     "HEAD ",  "DELETE ",
                                        "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "HTTP/1."};
    const uint8_t *b = rd_view(w, 0, 1);
    if (b && !memchr("GPHDOCT", b[0], 7))
        return DET_NO; /* no method or "HTTP/" starts with it */
    enum det best = DET_NO;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        const enum det d = starts_with(w, words[i], strlen(words[i]));
        if (d == DET_YES)
            return DET_YES;
        if (d == DET_MORE)
            best = DET_MORE;
    }
    return best;
}

enum det mdec__dns_detect(const struct win *w, const struct pkt_meta *m)
{
    const bool port = m->sport == 53 || m->dport == 53 || m->sport == 5353 || m->dport == 5353;
    if (!port || (m->proto != 17 && m->proto != 6))
        return DET_NO;
    const uint64_t at = m->proto == 6 ? 2 : 0;
    if (w->wire_end - w->off < at + 12)
        return DET_NO;
    const uint8_t *h = rd_view(w, at, 12);
    if (!h)
        return DET_MORE;
    const unsigned opcode = (h[2] >> 3) & 0x0Fu;
    if ((opcode != 0 && opcode != 1 && opcode != 2 && opcode != 4 && opcode != 5) ||
        (h[3] & 0x40u) || rd_get16(h + 4) > 16 || rd_get16(h + 6) > 4096 ||
        rd_get16(h + 8) > 4096 || rd_get16(h + 10) > 4096)
        return DET_NO;
    if (at) { /* the TCP length must cover at least the header */
        const uint8_t *l = rd_view(w, 0, 2);
        if (!l || rd_get16(l) < 12)
            return DET_NO;
    }
    return DET_YES;
}

enum det mdec__text_detect(const struct win *w)
{
    const uint64_t cap = w->end - w->off, wire = w->wire_end - w->off;
    const size_t n = cap < 16 ? (size_t)cap : 16;
    const uint8_t *p = rd_view(w, 0, n);
    if (n == 0 || !p)
        return wire > cap ? DET_MORE : DET_NO;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 0x20 && p[i] < 0x7F) || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
            return DET_NO;
    if (n >= 4 || (n == cap && cap == wire)) /* n > 0 here */
        return DET_YES;
    return wire > cap ? DET_MORE : DET_NO;
}

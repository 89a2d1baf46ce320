/*
 * esp.c - IPsec ESP, as IP protocol 50 or encapsulated in UDP.
 *
 * Reference: RFC 4303 (IP Encapsulating Security Payload) 2, "Encapsulating
 * Security Payload Packet Format", and 2.1 for the SPI; RFC 3948 (UDP
 * Encapsulation of IPsec ESP Packets) 2.1-2.3 for port 4500, the non-ESP
 * marker and the NAT keepalive.
 *
 *    0        1        2        3        4        5        6        7
 *   +--------+--------+--------+--------+--------+--------+--------+--------+- -
 *   |  Security Parameters Index (SPI)  |          Sequence Number          | ...
 *   +--------+--------+--------+--------+--------+--------+--------+--------+- -
 *     SPI 1..255 are reserved by IANA and 0 is never sent (RFC 4303 2.1);
 *     on UDP 4500 a first word of 0 is the non-ESP marker of IKE, and a
 *     lone 0xFF byte a NAT keepalive (RFC 3948 2.2, 2.3).
 *
 * Everything after the header is encrypted, unless the SA uses ESP-NULL
 * (RFC 4303 2.1 allows it; telling it apart takes heuristics, RFC 5879):
 * such traffic is counted as encrypted too.  The header's eight bytes are
 * counted with the rest.  IKE itself is not recognised (its messages
 * after IKE_SA_INIT are encrypted, the first two are not).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

#define NATT_PORT 4500u
/* An ESP packet holds the header, at least the trailer's two bytes and, in
 * practice, an ICV: 16 bytes is the least worth the name. */
#define ESP_MIN 16u

enum det mdec__esp_detect(const struct win *w, const struct pkt_meta *m)
{
    const bool udp = m->proto == 17 && (m->sport == NATT_PORT || m->dport == NATT_PORT);
    if (m->proto != 50 && !udp)
        return DET_NO;
    if (w->wire_end - w->off < ESP_MIN)
        return DET_NO; /* NAT keepalive, or too short */
    const uint8_t *h = rd_view(w, 0, 8);
    if (!h)
        return DET_MORE;
    const uint32_t spi = rd_get32(h);
    return spi >= 256 ? DET_YES : DET_NO; /* 0 on 4500: IKE's non-ESP marker */
}

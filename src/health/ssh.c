/*
 * ssh.c - SSH after its banner.
 *
 * Reference: RFC 4253 (the SSH transport layer) 4.2, "Protocol Version
 * Exchange", 6, "Binary Packet Protocol", and 7.3, "Taking Keys Into Use".
 *
 *   identification:  "SSH-2.0-softwareversion SP comments CR LF"
 *                    (or "SSH-1.99-" from a server that speaks both); at
 *                    most 255 bytes; a server may send other lines first
 *
 *   binary packet:    0        1        2        3        4        5
 *                    +--------+--------+--------+--------+--------+--------+--
 *                    |           packet_length           |pad_len | msg ...
 *                    +--------+--------+--------+--------+--------+--------+--
 *     packet_length excludes itself and the MAC; before NEWKEYS there is no
 *     MAC and the cipher is "none" (block size 8): 4 + packet_length is a
 *     multiple of 8, padding is 4..255 bytes and shorter than the packet;
 *     RFC 4253 6.1 caps a packet at 35000 bytes.  Message 21 is
 *     SSH_MSG_NEWKEYS: the sender's later packets are encrypted.
 *
 * A flow is SSH when a payload starts with "SSH-2.0-" or "SSH-1.99-".
 * The identification and the key exchange before NEWKEYS are cleartext
 * (algorithm lists, host key); everything after it encrypted.  A flow
 * picked up after its banner is not recognised as SSH.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

#define SSH_MAX_PACKET 35000u
#define SSH_MAX_LINE 255u

enum det mdec__ssh_detect(const struct win *w)
{
    static const char v2[] = "SSH-2.0-", v199[] = "SSH-1.99-";
    const uint64_t cap = w->end - w->off, wire = w->wire_end - w->off;
    const uint8_t *p = rd_view(w, 0, cap); /* read below cap only */
    const char *forms[2] = {v2, v199};
    const size_t lens[2] = {sizeof v2 - 1, sizeof v199 - 1};
    enum det best = DET_NO;
    for (unsigned f = 0; f < 2; f++) {
        size_t i = 0;
        while (i < lens[f] && i < cap && p[i] == (uint8_t)forms[f][i])
            i++;
        if (i == lens[f])
            return DET_YES;
        if (i == cap && wire > cap) /* all present bytes match; the rest cut */
            best = DET_MORE;
    }
    return best;
}

uint64_t mdec__ssh_line_end(const struct win *w, uint64_t rel)
{
    for (uint64_t i = 0; i <= SSH_MAX_LINE; i++) {
        const uint8_t *b = rd_view(w, rel + i, 1);
        if (!b)
            return 0;
        if (b[0] == '\n')
            return rel + i + 1;
    }
    return 0;
}

int mdec__ssh_packet(const struct win *w, uint64_t rel, uint32_t *len, uint8_t *msg)
{
    const uint8_t *h = rd_view(w, rel, 6);
    if (!h)
        return 2;
    const uint32_t n = rd_get32(h);
    const uint8_t pad = h[4];
    if (n < 12 || n > SSH_MAX_PACKET || (n + 4) % 8 != 0 || pad < 4 || pad >= n - 1)
        return 0;
    *len = n;
    *msg = h[5];
    return 1;
}

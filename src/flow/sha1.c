/*
 * sha1.c - SHA-1 as FIPS 180-4 section 6.1 defines it, for the Community ID
 * (community_id.c), which is SHA-1 by definition.  Tested against the
 * FIPS 180 example vectors (tests/flow/test_flowid.c).
 *
 * A Community ID is one block (at most 40 bytes of input), computed per
 * packet by the tools, so the 80 rounds are unrolled in groups of five
 * with the schedule in a ring of 16 words, as usual for SHA-1.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "flow_int.h"

static inline uint32_t rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* The message schedule in a ring of 16 words: W[t] for t >= 16 is
 * computed in place as the rounds need it. */
#define W(t) w[(t)&15]
#define EXPAND(t) (W(t) = rol32(W((t) + 13) ^ W((t) + 8) ^ W((t) + 2) ^ W(t), 1))
#define ROUND(a, b, c, d, e, f, k, wt)                                                            \
    do {                                                                                         \
        e += rol32(a, 5) + (f) + (k) + (wt);                                                     \
        b = rol32(b, 30);                                                                        \
    } while (0)
#define F1(b, c, d) (d ^ (b & (c ^ d)))
#define F2(b, c, d) (b ^ c ^ d)
#define F3(b, c, d) ((b & c) | (d & (b | c)))

/* Five rounds with the variables rotated, so no value is moved. */
#define FIVE(F, k, t, WT)                                                                         \
    do {                                                                                         \
        ROUND(a, b, c, d, e, F(b, c, d), k, WT(t));                                              \
        ROUND(e, a, b, c, d, F(a, b, c), k, WT((t) + 1));                                        \
        ROUND(d, e, a, b, c, F(e, a, b), k, WT((t) + 2));                                        \
        ROUND(c, d, e, a, b, F(d, e, a), k, WT((t) + 3));                                        \
        ROUND(b, c, d, e, a, F(c, d, e), k, WT((t) + 4));                                        \
    } while (0)

static void block(uint32_t h[5], const uint8_t *p)
{
    uint32_t w[16];
    for (unsigned t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    FIVE(F1, 0x5A827999u, 0, W);
    FIVE(F1, 0x5A827999u, 5, W);
    FIVE(F1, 0x5A827999u, 10, W);
    ROUND(a, b, c, d, e, F1(b, c, d), 0x5A827999u, W(15));
    ROUND(e, a, b, c, d, F1(a, b, c), 0x5A827999u, EXPAND(16));
    ROUND(d, e, a, b, c, F1(e, a, b), 0x5A827999u, EXPAND(17));
    ROUND(c, d, e, a, b, F1(d, e, a), 0x5A827999u, EXPAND(18));
    ROUND(b, c, d, e, a, F1(c, d, e), 0x5A827999u, EXPAND(19));
    FIVE(F2, 0x6ED9EBA1u, 20, EXPAND);
    FIVE(F2, 0x6ED9EBA1u, 25, EXPAND);
    FIVE(F2, 0x6ED9EBA1u, 30, EXPAND);
    FIVE(F2, 0x6ED9EBA1u, 35, EXPAND);
    FIVE(F3, 0x8F1BBCDCu, 40, EXPAND);
    FIVE(F3, 0x8F1BBCDCu, 45, EXPAND);
    FIVE(F3, 0x8F1BBCDCu, 50, EXPAND);
    FIVE(F3, 0x8F1BBCDCu, 55, EXPAND);
    FIVE(F2, 0xCA62C1D6u, 60, EXPAND);
    FIVE(F2, 0xCA62C1D6u, 65, EXPAND);
    FIVE(F2, 0xCA62C1D6u, 70, EXPAND);
    FIVE(F2, 0xCA62C1D6u, 75, EXPAND);
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void mdec__sha1_init(struct mdec__sha1 *s)
{
    s->h[0] = 0x67452301u;
    s->h[1] = 0xEFCDAB89u;
    s->h[2] = 0x98BADCFEu;
    s->h[3] = 0x10325476u;
    s->h[4] = 0xC3D2E1F0u;
    s->len = 0;
    s->nbuf = 0;
}

void mdec__sha1_update(struct mdec__sha1 *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->len += n;
    while (n > 0) {
        if (s->nbuf == 0 && n >= 64) {
            block(s->h, p);
            p += 64;
            n -= 64;
            continue;
        }
        size_t k = 64 - s->nbuf;
        if (k > n)
            k = n;
        memcpy(s->buf + s->nbuf, p, k);
        s->nbuf += (uint32_t)k;
        p += k;
        n -= k;
        if (s->nbuf == 64) {
            block(s->h, s->buf);
            s->nbuf = 0;
        }
    }
}

void mdec__sha1_final(struct mdec__sha1 *s, uint8_t digest[20])
{
    const uint64_t bits = s->len * 8;
    s->buf[s->nbuf++] = 0x80;
    if (s->nbuf > 56) {
        memset(s->buf + s->nbuf, 0, 64 - s->nbuf);
        block(s->h, s->buf);
        s->nbuf = 0;
    }
    memset(s->buf + s->nbuf, 0, 56 - s->nbuf);
    for (unsigned i = 0; i < 8; i++)
        s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    block(s->h, s->buf);
    for (unsigned i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(s->h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)s->h[i];
    }
}

void mdec__sha1_short(const uint8_t *data, size_t n, uint8_t digest[20])
{
    uint8_t b[64];
    uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    memcpy(b, data, n);
    b[n] = 0x80;
    memset(b + n + 1, 0, 62 - n);
    b[62] = (uint8_t)(n * 8 >> 8);
    b[63] = (uint8_t)(n * 8);
    block(h, b);
    for (unsigned i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
}

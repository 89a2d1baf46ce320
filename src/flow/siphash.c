/*
 * siphash.c - SipHash-c-d (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012), streaming.  The flow hash and the
 * de-duplication window use SipHash-1-3 with the caller's 128-bit key: a
 * keyed function, so that a sender who does not know the key cannot craft
 * packets that fill one bucket of the window, or that pass for copies of
 * other packets.  The tests hold the code, run as SipHash-2-4, to the
 * paper's vectors.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "flow_int.h"

static inline uint64_t rol64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n));
}

static inline uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

#define SIPROUND(v0, v1, v2, v3)                                                                 \
    do {                                                                                         \
        v0 += v1;                                                                                \
        v1 = rol64(v1, 13);                                                                      \
        v1 ^= v0;                                                                                \
        v0 = rol64(v0, 32);                                                                      \
        v2 += v3;                                                                                \
        v3 = rol64(v3, 16);                                                                      \
        v3 ^= v2;                                                                                \
        v0 += v3;                                                                                \
        v3 = rol64(v3, 21);                                                                      \
        v3 ^= v0;                                                                                \
        v2 += v1;                                                                                \
        v1 = rol64(v1, 17);                                                                      \
        v1 ^= v2;                                                                                \
        v2 = rol64(v2, 32);                                                                      \
    } while (0)

void mdec__sip_init(struct mdec__sip *s, const struct mdec_hash_key *key, unsigned c, unsigned d)
{
    const uint64_t k0 = le64(key->bytes), k1 = le64(key->bytes + 8);
    s->v0 = k0 ^ 0x736f6d6570736575ull;
    s->v1 = k1 ^ 0x646f72616e646f6dull;
    s->v2 = k0 ^ 0x6c7967656e657261ull;
    s->v3 = k1 ^ 0x7465646279746573ull;
    s->tail = 0;
    s->ntail = 0;
    s->c = c;
    s->d = d;
    s->len = 0;
}

/* The state lives in locals while words are compressed: the packet bytes
 * are uint8_t, which may alias the state, so working through s would
 * reload it after every byte read. */
void mdec__sip_update(struct mdec__sip *s, const uint8_t *p, size_t n)
{
    uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3, tail = s->tail;
    uint32_t ntail = s->ntail;
    const unsigned c = s->c;
    s->len += n;
    while (n > 0 && ntail != 0) {
        tail |= (uint64_t)*p++ << (8 * ntail);
        n--;
        if (++ntail == 8) {
            v3 ^= tail;
            for (unsigned i = 0; i < c; i++)
                SIPROUND(v0, v1, v2, v3);
            v0 ^= tail;
            tail = 0;
            ntail = 0;
        }
    }
    for (; n >= 8; p += 8, n -= 8) {
        const uint64_t m = le64(p);
        v3 ^= m;
        for (unsigned i = 0; i < c; i++)
            SIPROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    for (; n > 0; n--)
        tail |= (uint64_t)*p++ << (8 * ntail++);
    s->v0 = v0;
    s->v1 = v1;
    s->v2 = v2;
    s->v3 = v3;
    s->tail = tail;
    s->ntail = ntail;
}

uint64_t mdec__sip_final(struct mdec__sip *s)
{
    uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;
    const uint64_t m = s->tail | (s->len & 0xff) << 56;
    v3 ^= m;
    for (unsigned i = 0; i < s->c; i++)
        SIPROUND(v0, v1, v2, v3);
    v0 ^= m;
    v2 ^= 0xff;
    for (unsigned i = 0; i < s->d; i++)
        SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t mdec__siphash(const struct mdec_hash_key *key, unsigned c, unsigned d, const uint8_t *p,
                       size_t n)
{
    struct mdec__sip s;
    mdec__sip_init(&s, key, c, d);
    mdec__sip_update(&s, p, n);
    return mdec__sip_final(&s);
}

/*
 * flow_int.h - what the flow modules share (src/flow/): SHA-1 for the
 * Community ID, SipHash for the keyed hashes of the flow hash and the
 * de-duplication window.  Internal: never installed.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_FLOW_INT_H
#define MDEC_FLOW_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "mirrordec/flowid.h"

/* ------------------------------------------------------------------ SHA-1 */

/*
 * SHA-1 (FIPS 180-4).  Used for the Community ID only, which needs SHA-1
 * by definition; nothing here relies on SHA-1 resisting collisions.
 */
struct mdec__sha1 {
    uint32_t h[5];
    uint64_t len;       /* bytes hashed so far   */
    uint8_t buf[64];    /* a block being filled  */
    uint32_t nbuf;
};

MDEC_HIDDEN void mdec__sha1_init(struct mdec__sha1 *s);
MDEC_HIDDEN void mdec__sha1_update(struct mdec__sha1 *s, const void *data, size_t n);
MDEC_HIDDEN void mdec__sha1_final(struct mdec__sha1 *s, uint8_t digest[20]);
/* SHA-1 of a message of at most 55 bytes, which pads to one block: what a
 * Community ID hashes (at most 40 bytes), without the streaming state. */
MDEC_HIDDEN void mdec__sha1_short(const uint8_t *data, size_t n, uint8_t digest[20]);

/* ---------------------------------------------------------------- SipHash */

/*
 * SipHash (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012) with c compression rounds and d finalisation rounds, a 128-bit key
 * and a 64-bit result, streaming.  The library uses SipHash-1-3 (MDEC__SIP_C / MDEC__SIP_D): a keyed function, so a
 * sender who does not know the key cannot choose packets that collide.
 * The tests run the same code as SipHash-2-4 against the paper's vectors.
 */
#define MDEC__SIP_C 1
#define MDEC__SIP_D 3

struct mdec__sip {
    uint64_t v0, v1, v2, v3;
    uint64_t tail;  /* bytes not yet compressed, little-endian  */
    uint32_t ntail; /* how many (0..7)                           */
    uint32_t c, d;  /* rounds                                    */
    uint64_t len;   /* bytes in all                              */
};

/* Inline, so that with the round counts as constants the compiler unrolls
 * the rounds and keeps the state in registers: the flow hash and the
 * de-duplication window call it per packet. */
static inline uint64_t mdec__rol64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n));
}

static inline uint64_t mdec__le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

#define MDEC__SIPROUND(v0, v1, v2, v3)                                                             \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = mdec__rol64(v1, 13);                                                                  \
        v1 ^= v0;                                                                                  \
        v0 = mdec__rol64(v0, 32);                                                                  \
        v2 += v3;                                                                                  \
        v3 = mdec__rol64(v3, 16);                                                                  \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = mdec__rol64(v3, 21);                                                                  \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = mdec__rol64(v1, 17);                                                                  \
        v1 ^= v2;                                                                                  \
        v2 = mdec__rol64(v2, 32);                                                                  \
    } while (0)

static inline void mdec__sip_init(struct mdec__sip *s, const struct mdec_hash_key *key,
                                  unsigned c, unsigned d)
{
    const uint64_t k0 = mdec__le64(key->bytes), k1 = mdec__le64(key->bytes + 8);
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
static inline void mdec__sip_update(struct mdec__sip *s, const uint8_t *p, size_t n)
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
                MDEC__SIPROUND(v0, v1, v2, v3);
            v0 ^= tail;
            tail = 0;
            ntail = 0;
        }
    }
    for (; n >= 8; p += 8, n -= 8) {
        const uint64_t m = mdec__le64(p);
        v3 ^= m;
        for (unsigned i = 0; i < c; i++)
            MDEC__SIPROUND(v0, v1, v2, v3);
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

static inline uint64_t mdec__sip_final(struct mdec__sip *s)
{
    uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;
    const uint64_t m = s->tail | (s->len & 0xff) << 56;
    v3 ^= m;
    for (unsigned i = 0; i < s->c; i++)
        MDEC__SIPROUND(v0, v1, v2, v3);
    v0 ^= m;
    v2 ^= 0xff;
    for (unsigned i = 0; i < s->d; i++)
        MDEC__SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

static inline uint64_t mdec__siphash(const struct mdec_hash_key *key, unsigned c, unsigned d,
                                     const uint8_t *p, size_t n)
{
    struct mdec__sip s;
    mdec__sip_init(&s, key, c, d);
    mdec__sip_update(&s, p, n);
    return mdec__sip_final(&s);
}

/* SipHash-1-3 of n whole 64-bit words under (k0, k1), the words taken as
 * the message's little-endian words (the final block is the length byte
 * alone, as SipHash pads a message of 8n bytes): the flow tracker hashes a
 * fixed-size key of words, without the streaming state. */
static inline uint64_t mdec__siphash13(uint64_t k0, uint64_t k1, const uint64_t *w, size_t n)
{
    uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
    uint64_t v3 = k1 ^ 0x7465646279746573ull;
    for (size_t i = 0; i < n; i++) {
        v3 ^= w[i];
        MDEC__SIPROUND(v0, v1, v2, v3);
        v0 ^= w[i];
    }
    const uint64_t b = (uint64_t)(n * 8) << 56;
    v3 ^= b;
    MDEC__SIPROUND(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    MDEC__SIPROUND(v0, v1, v2, v3);
    MDEC__SIPROUND(v0, v1, v2, v3);
    MDEC__SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ------------------------------------------------------------ dedup */

struct mdec_dedup;
/* The window's key of res under scope (dedup.c): 1 with *key set, or 0 when
 * the packet is not judged.  For fuzz_dedup's model, which must know the
 * bucket (*key modulo the number of buckets) a packet goes to. */
MDEC_HIDDEN int mdec__dedup_key(const struct mdec_dedup *d, const struct mdec_result *res,
                                uint64_t scope, uint64_t *key);

#endif /* MDEC_FLOW_INT_H */

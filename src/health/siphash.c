/*
 * siphash.c - SipHash-1-3, the flow tracker's keyed hash.
 *
 * Reference: Jean-Philippe Aumasson and Daniel J. Bernstein, "SipHash: a
 * fast short-input PRF" (INDOCRYPT 2012); SipHash-c-d with c = 1
 * compression and d = 3 finalization rounds, as Rust's standard hasher and
 * Python's (3.11+) use it for hash tables fed by untrusted input.
 *
 * Why keyed: a sender chooses the inner 5-tuples a mirror delivers, and
 * with an unkeyed hash it could pick thousands of flows that land in one
 * bucket and evict the flows it wants hidden.  The key comes from the
 * caller (mdec_flows_init), one per tracker: no global state.
 *
 * The message is whole 64-bit words (the tracker hashes a fixed-size flow
 * key), taken as SipHash's little-endian message words; the final block is
 * the length byte alone, as the specification pads a message of 8n bytes.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

static inline uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64u - b));
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = rotl(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = rotl(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = rotl(v2, 32);                                                                         \
    } while (0)

uint64_t mdec__siphash13(uint64_t k0, uint64_t k1, const uint64_t *w, size_t n)
{
    uint64_t v0 = k0 ^ UINT64_C(0x736f6d6570736575);
    uint64_t v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
    uint64_t v2 = k0 ^ UINT64_C(0x6c7967656e657261);
    uint64_t v3 = k1 ^ UINT64_C(0x7465646279746573);
    for (size_t i = 0; i < n; i++) {
        v3 ^= w[i];
        SIPROUND;
        v0 ^= w[i];
    }
    const uint64_t b = (uint64_t)(n * 8) << 56;
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

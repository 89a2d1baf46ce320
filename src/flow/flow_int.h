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

/* ---------------------------------------------------------------- SipHash */

/*
 * SipHash (Aumasson and Bernstein, 2012) with c compression rounds and d
 * finalisation rounds, a 128-bit key and a 64-bit result.  The library
 * uses SipHash-1-3 (MDEC__SIP_C / MDEC__SIP_D): a keyed function, so a
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

MDEC_HIDDEN void mdec__sip_init(struct mdec__sip *s, const struct mdec_hash_key *key, unsigned c,
                                unsigned d);
MDEC_HIDDEN void mdec__sip_update(struct mdec__sip *s, const uint8_t *p, size_t n);
MDEC_HIDDEN uint64_t mdec__sip_final(struct mdec__sip *s);
/* One call: SipHash-c-d of p[0..n). */
MDEC_HIDDEN uint64_t mdec__siphash(const struct mdec_hash_key *key, unsigned c, unsigned d,
                                   const uint8_t *p, size_t n);

/* ------------------------------------------------------------ dedup */

struct mdec_dedup;
/* The window's key of res under scope (dedup.c): 1 with *key set, or 0 when
 * the packet is not judged.  For fuzz_dedup's model, which must know the
 * bucket (*key modulo the number of buckets) a packet goes to. */
MDEC_HIDDEN int mdec__dedup_key(const struct mdec_dedup *d, const struct mdec_result *res,
                                uint64_t scope, uint64_t *key);

#endif /* MDEC_FLOW_INT_H */

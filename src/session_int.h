/*
 * session_int.h - what session.c and session_key.c share.  Never installed.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_SESSION_INT_H
#define MDEC_SESSION_INT_H

#include "internal.h"
#include "mirrordec/session.h"

/* Largest id a key of this kind holds (0 for NONE and unknown kinds). */
MDEC_HIDDEN uint64_t mdec__key_id_max(unsigned kind);

/*
 * 1 when key can name a session: a known kind; NONE without id; GWLB with
 * one; has_id 0 or 1, id 0 without one and within the kind's range with one.
 * The padding is not looked at.
 */
MDEC_HIDDEN int mdec__key_valid(const struct mdec_key *key);

/* 1 when a and b name the same session (kind, has_id, id; not the padding). */
static inline int mdec__key_eq(const struct mdec_key *a, const struct mdec_key *b)
{
    return a->kind == b->kind && a->has_id == b->has_id && a->id == b->id;
}

#define MDEC__TABLE_MAX_CAPACITY (UINT32_C(1) << 26)
#define MDEC__TABLE_LEVELS 5 /* bitmap levels: 64^5 >= 2^26 */

/* One bucket of the hash index. */
struct mdec__bucket {
    uint32_t hash;  /* low 32 bits of the key's hash         */
    uint32_t slot1; /* slot index + 1; 0: the bucket is empty */
};

/* The table's header, at the start of the caller's buffer; the layout of
 * the rest is described at the top of session.c. */
struct mdec_table {
    struct mdec_session *sessions;        /* capacity + 1 slots                   */
    struct mdec__bucket *buckets;         /* mask + 1 buckets                     */
    uint32_t *free_next;                  /* link below each freed slot           */
    uint64_t *level[MDEC__TABLE_LEVELS];  /* in-use bitmap, level 0 = the slots   */
    uint32_t level_bits[MDEC__TABLE_LEVELS];
    uint32_t n_levels;
    uint32_t capacity;
    uint32_t count;
    uint32_t mask;        /* buckets - 1                                        */
    uint32_t free_top;    /* most recently freed slot; UINT32_MAX when none     */
    uint32_t fresh;       /* slots fresh..capacity-1 unused since the last clear */
    uint64_t seed;        /* of the hash, from the buffer's address             */
    size_t bitmap_bytes;  /* all levels, which lie one after another            */
    uint8_t key_select;   /* enum mdec_key_select                               */
    uint8_t unknown;      /* enum mdec_unknown_policy                           */
    const struct mdec_filter *learn_filter; /* template of learned sessions     */
    const struct mdec_prefix *learn_allow;
    uint32_t n_learn_allow;
    struct mdec_table_stats stats;
};

#endif /* MDEC_SESSION_INT_H */

/*
 * session_int.h - what session.c and session_key.c share.  Never installed.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_SESSION_INT_H
#define MDEC_SESSION_INT_H

#include <string.h>

#include "base.h"
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

/* An address or prefix as two 64-bit words in memory order under a mask
 * (mdec__addr_words), with its family: what the per-packet checks compare. */
struct mdec__net {
    uint64_t w[2]; /* the address bits the mask keeps */
    uint64_t m[2]; /* the prefix (or whole address) mask; 0 for no family */
};

/* A list of prefixes in that form (an allow-list, the learn template). */
struct mdec__nets {
    uint8_t n;
    uint8_t family[MDEC_SESSION_ALLOW];
    struct mdec__net net[MDEC_SESSION_ALLOW];
};

/*
 * A slot: the session as the caller sees it, then its settings in the form
 * the packet path wants them.  The first cache lines hold what every packet
 * reads (key, counters, filter, allow-list head); slots are 64-byte aligned.
 */
struct mdec__slot {
    struct mdec_session pub;          /* first: a session pointer is a slot's */
    const struct mdec_filter *filter;
    uint8_t n_local;
    uint8_t local_family[MDEC_SESSION_ADDRS];
    struct mdec__nets allow;
    uint64_t local[MDEC_SESSION_ADDRS][2];
};

/* The table's header, at the start of the caller's buffer; the layout of
 * the rest is described at the top of session.c. */
struct mdec_table {
    struct mdec__slot *slots;             /* capacity + 1 slots                   */
    struct mdec__bucket *buckets;         /* mask + 1 buckets                     */
    uint32_t *free_next;                  /* link below each freed slot           */
    uint64_t *level[MDEC__TABLE_LEVELS];  /* in-use bitmap, level 0 = the slots   */
    uint32_t level_bits[MDEC__TABLE_LEVELS];
    uint32_t n_levels;
    uint32_t capacity;
    uint32_t mask;        /* buckets - 1                                        */
    uint32_t free_top;    /* most recently freed slot; UINT32_MAX when none     */
    uint32_t fresh;       /* slots fresh..capacity-1 unused since the last clear */
    uint64_t seed;        /* of the hash, from the buffer's address             */
    size_t bitmap_bytes;  /* all levels, which lie one after another            */
    uint8_t unknown;      /* enum mdec_unknown_policy                           */
    const struct mdec_filter *learn_filter; /* template of learned sessions     */
    struct mdec__nets learn_allow;
    struct mdec_table_stats stats;        /* count and capacity included        */
};

/* The slot of session s, which must be one of t's (mdec__slot_of checks). */
static inline struct mdec__slot *mdec__slot(struct mdec_session *s)
{
    return (struct mdec__slot *)(void *)s; /* pub is the slot's first member */
}

/*
 * Builds the derived form of allow[0..n) into out; 0, or MDEC_E_NOSPACE /
 * MDEC_E_INVALID (out then unchanged).  session.c.
 */
MDEC_HIDDEN int mdec__nets_set(struct mdec__nets *out, const struct mdec_prefix *allow, size_t n);

/*
 * The lookup, inline: mdec_table_process() runs it for every packet.
 * The hash is splitmix64's finaliser over the key and the table's seed.
 */
static inline uint64_t mdec__mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

static inline uint32_t mdec__key_hash(const struct mdec_table *t, const struct mdec_key *k)
{
    const uint64_t tag = (uint64_t)k->kind << 1 | (k->has_id & 1u);
    return (uint32_t)mdec__mix64(k->id + t->seed + tag * UINT64_C(0x9e3779b97f4a7c15));
}

#define MDEC__NO_SLOT UINT32_MAX

/* The bucket holding key (whose hash is h), or MDEC__NO_SLOT.  Linear
 * probing; the index is never full (see session.c), so the probe ends. */
static inline uint32_t mdec__find_bucket(const struct mdec_table *t, const struct mdec_key *key,
                                         uint32_t h)
{
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        const struct mdec__bucket b = t->buckets[i];
        if (b.slot1 == 0)
            return MDEC__NO_SLOT;
        if (b.hash == h && mdec__key_eq(&t->slots[b.slot1 - 1].pub.key, key))
            return i;
    }
}

static inline struct mdec__slot *mdec__table_find(const struct mdec_table *t,
                                                 const struct mdec_key *key)
{
    const uint32_t i = mdec__find_bucket(t, key, mdec__key_hash(t, key));
    return i == MDEC__NO_SLOT ? NULL : &t->slots[t->buckets[i].slot1 - 1];
}

/* mdec_key_from_result(), inline for the packet path: the innermost tunnel
 * peeled is the mirror's (the trust rule, decode.h). */
static inline int mdec__key_from_result(const struct mdec_result *res, struct mdec_key *key)
{
    memset(key, 0, sizeof *key);
    unsigned n = res->n_tunnels;
    if (n > MDEC_MAX_TUNNELS)
        n = MDEC_MAX_TUNNELS;
    if (n == 0)
        return -1;
    const unsigned i = n - 1;
    const struct mdec_tunnel *t = &res->tunnels[i];
    if (t->type < MDEC_TUNNEL_VXLAN || t->type > MDEC_TUNNEL_GRE)
        return -1; /* not a tunnel the decoder reports: no key */
    if (t->type == MDEC_TUNNEL_GENEVE && (t->u.geneve.have & MDEC_GWLB_ENDPOINT)) {
        key->kind = MDEC_KEY_GWLB;
        key->has_id = 1;
        key->id = t->u.geneve.gwlb_endpoint;
        return (int)i;
    }
    key->kind = t->type; /* kinds 1..63 are the tunnel types (session.h) */
    if (t->flags & MDEC_TF_ID) {
        key->has_id = 1;
        key->id = t->id;
    }
    return (int)i;
}

/*
 * 1 when every tunnel outside the keying tunnel kt is a trusted transport
 * (MDEC_TF_TRANSPORT), so that kt's carrier source is vouched for.  The
 * decoder never peels past a tunnel that is not one; a result built or
 * changed by other means may.
 */
static inline int mdec__stack_trusted(const struct mdec_result *res, int kt)
{
    for (int i = 0; i < kt && i < MDEC_MAX_TUNNELS; i++)
        if (!(res->tunnels[i].flags & MDEC_TF_TRANSPORT))
            return 0;
    return 1;
}

#endif /* MDEC_SESSION_INT_H */

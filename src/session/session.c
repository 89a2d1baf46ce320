/*
 * session.c - the session table: mirror sessions by key, inside the caller's
 * buffer.  What the table decides for each packet is in session_packet.c.
 *
 * Layout of the caller's buffer (each part starts on a 64-byte boundary):
 *
 *   struct mdec_table              header: sizes, pointers to the parts below,
 *                                  policy, learn template, statistics
 *   struct mdec__slot [cap + 1]    the slots (64-byte aligned): the session as
 *                                  the caller sees it, then its settings in
 *                                  the form the packet path reads; slot cap is
 *                                  the default session
 *   struct mdec__bucket [nb]       hash index: nb = the power of two >= 2 cap;
 *                                  {low 32 bits of the key's hash, slot + 1},
 *                                  slot + 1 == 0 marks an empty bucket
 *   uint32_t [cap]                 free-slot stack links: a new session takes
 *                                  the most recently freed slot, else the
 *                                  lowest slot never used since the last clear
 *   uint64_t [...]                 in-use bitmap, 1 to 5 levels: bit i of
 *                                  level 0 says slot i holds a session; bit w
 *                                  of level k+1 says word w of level k is not 0
 *
 * Index: open addressing with linear probing over slot indexes, load factor
 * at most 1/2, and backward-shift deletion (no tombstones, so a long-lived
 * table that sees many adds and removes does not slow down).  A probe
 * compares the stored 32-bit hash first and reads a session's key only when
 * it matches, so a miss usually touches the bucket array alone.  Sessions
 * never move: the index holds slot numbers, and a slot keeps its session
 * until it is removed.
 *
 * Iteration walks the bitmap in slot order: next() finds the first in-use
 * slot above the previous one, going up the levels until a word holds a set
 * bit and down again, at most 5 words each way for 2^26 slots.  Because
 * next() only needs the previous session's slot number, removing the current
 * session (or any other) during a walk is safe.
 *
 * Hashing: splitmix64's finaliser over the id plus a constant per (kind,
 * has_id) plus a seed.  The seed is made per table from the address of its
 * memory (no global or static state), so that an attacker who chooses the
 * keys of forged packets cannot aim them all at one probe run.  One round of
 * the finaliser is enough for ids that are sequential or random; keys of
 * different kinds can only collide where a 64-bit GWLB id is involved, which
 * costs a probe, never a wrong answer.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "session_int.h"
#include "text.h"

#define MAX_CAPACITY MDEC__TABLE_MAX_CAPACITY
#define MAX_LEVELS MDEC__TABLE_LEVELS
#define NO_SLOT MDEC__NO_SLOT
#define PART_ALIGN 64

_Static_assert(MDEC_TABLE_ALIGN % PART_ALIGN == 0, "parts are aligned within the buffer");

/* ----------------------------------------------------------------- layout */

struct layout {
    uint64_t sessions, buckets, free_next, levels, total;
    uint64_t level_words[MAX_LEVELS];
    uint32_t level_bits[MAX_LEVELS];
    uint32_t n_levels;
    uint32_t n_buckets;
};

static uint64_t align_up(uint64_t v)
{
    return (v + PART_ALIGN - 1) & ~(uint64_t)(PART_ALIGN - 1);
}

/* Computes the layout for capacity; 0 when it is out of range or its size
 * does not fit in a size_t.  All arithmetic in 64 bits: for 2^26 slots the
 * total is about 15 GB, far below 2^64. */
static int layout_of(uint32_t capacity, struct layout *l)
{
    if (capacity == 0 || capacity > MAX_CAPACITY)
        return 0;
    uint64_t off = align_up(sizeof(struct mdec_table));
    l->sessions = off;
    off = align_up(off + ((uint64_t)capacity + 1) * sizeof(struct mdec__slot));
    uint32_t nb = 2;
    while (nb < 2 * capacity)
        nb *= 2;
    l->n_buckets = nb;
    l->buckets = off;
    off = align_up(off + (uint64_t)nb * sizeof(struct mdec__bucket));
    l->free_next = off;
    off = align_up(off + (uint64_t)capacity * sizeof(uint32_t));
    l->levels = off;
    uint32_t bits = capacity;
    uint32_t n = 0;
    for (;;) {
        const uint32_t words = (bits + 63) / 64;
        l->level_bits[n] = bits;
        l->level_words[n] = words;
        off += (uint64_t)words * sizeof(uint64_t);
        n++;
        if (words == 1)
            break;
        bits = words;
    }
    l->n_levels = n;
    l->total = align_up(off);
    return l->total <= SIZE_MAX;
}

size_t mdec_table_size(uint32_t capacity)
{
    struct layout l;
    return layout_of(capacity, &l) ? (size_t)l.total : 0;
}

/* ---------------------------------------------------------------- hashing */

/* mdec__key_hash() is in session_int.h: the packet path inlines it. */

/* --------------------------------------------------------------- bitmap */

static unsigned ctz64(uint64_t v)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(v);
#else
    unsigned n = 0;
    while (!(v & 1u)) {
        v >>= 1;
        n++;
    }
    return n;
#endif
}

static void bit_set(struct mdec_table *t, uint32_t i)
{
    for (uint32_t k = 0; k < t->n_levels; k++, i >>= 6) {
        uint64_t *w = &t->level[k][i >> 6];
        const uint64_t was = *w;
        *w = was | UINT64_C(1) << (i & 63);
        if (was)
            break; /* the levels above already know this word is not 0 */
    }
}

static void bit_clear(struct mdec_table *t, uint32_t i)
{
    for (uint32_t k = 0; k < t->n_levels; k++, i >>= 6) {
        uint64_t *w = &t->level[k][i >> 6];
        *w &= ~(UINT64_C(1) << (i & 63));
        if (*w)
            break;
    }
}

/* The first slot in use at or above i, or NO_SLOT. */
static uint32_t bit_next(const struct mdec_table *t, uint32_t i)
{
    uint32_t k = 0;
    for (;;) {
        if (i >= t->level_bits[k])
            return NO_SLOT;
        const uint64_t w = t->level[k][i >> 6] & (~UINT64_C(0) << (i & 63));
        if (w) {
            i = (i & ~UINT32_C(63)) | ctz64(w);
            break;
        }
        if (++k == t->n_levels)
            return NO_SLOT;
        i = (i >> 6) + 1; /* the words after this one, one level up */
    }
    while (k > 0) {
        k--;
        i = i << 6 | ctz64(t->level[k][i]);
    }
    return i;
}

/* ------------------------------------------------------------------ table */

struct mdec_table *mdec_table_init(void *mem, size_t size, uint32_t capacity,
                                   const struct mdec_table_config *cfg)
{
    struct layout l;
    struct mdec__nets learn_allow;
    memset(&learn_allow, 0, sizeof learn_allow);
    if (mem == NULL || (uintptr_t)mem % MDEC_TABLE_ALIGN != 0)
        return NULL;
    if (!layout_of(capacity, &l) || size < l.total)
        return NULL;
    if (cfg && (cfg->unknown > MDEC_UNKNOWN_LEARN ||
                (cfg->n_learn_allow > 0 && cfg->learn_allow == NULL) ||
                mdec__nets_set(&learn_allow, cfg->learn_allow, cfg->n_learn_allow) != 0))
        return NULL;
    unsigned char *base = mem;
    struct mdec_table *t = mem;
    memset(t, 0, sizeof *t);
    t->slots = (struct mdec__slot *)(void *)(base + l.sessions);
    t->buckets = (struct mdec__bucket *)(void *)(base + l.buckets);
    t->free_next = (uint32_t *)(void *)(base + l.free_next);
    uint64_t off = l.levels;
    for (uint32_t k = 0; k < l.n_levels; k++) {
        t->level[k] = (uint64_t *)(void *)(base + off);
        t->level_bits[k] = l.level_bits[k];
        off += l.level_words[k] * sizeof(uint64_t);
    }
    t->bitmap_bytes = (size_t)(off - l.levels);
    t->n_levels = l.n_levels;
    t->capacity = capacity;
    t->mask = l.n_buckets - 1;
    t->seed = mdec__mix64((uint64_t)(uintptr_t)mem ^ UINT64_C(0x6d69727264656321));
    if (cfg) {
        t->unknown = cfg->unknown;
        t->learn_filter = cfg->learn_filter;
        t->learn_allow = learn_allow;
    }
    struct mdec__slot *def = &t->slots[capacity];
    memset(def, 0, sizeof *def);
    def->pub.index = capacity;
    mdec_table_clear(t);
    return t;
}

void mdec_table_clear(struct mdec_table *t)
{
    if (t == NULL)
        return;
    memset(t->buckets, 0, ((size_t)t->mask + 1) * sizeof(struct mdec__bucket));
    memset(t->level[0], 0, t->bitmap_bytes);
    t->free_top = NO_SLOT;
    t->fresh = 0;
    memset(&t->stats, 0, sizeof t->stats);
    t->stats.capacity = t->capacity;
    memset(&t->slots[t->capacity].pub.counters, 0, sizeof(struct mdec_counters));
}

struct mdec_session *mdec_table_default(struct mdec_table *t)
{
    if (t == NULL)
        return NULL;
    return &t->slots[t->capacity].pub;
}

/* The slot of s when s is one of t's sessions (the default included), else
 * NULL.  Never dereferences s before knowing it lies inside the slots. */
static struct mdec__slot *slot_of(const struct mdec_table *t, const struct mdec_session *s)
{
    const uintptr_t p = (uintptr_t)s, base = (uintptr_t)t->slots;
    if (s == NULL || p < base || (p - base) % sizeof(struct mdec__slot) != 0 ||
        (p - base) / sizeof(struct mdec__slot) > t->capacity)
        return NULL;
    return &t->slots[(p - base) / sizeof(struct mdec__slot)];
}

const struct mdec_table_stats *mdec_table_get_stats(const struct mdec_table *t)
{
    if (t == NULL)
        return NULL;
    return &t->stats;
}

struct mdec_session *mdec_table_find(const struct mdec_table *t, const struct mdec_key *key)
{
    if (t == NULL || key == NULL)
        return NULL;
    struct mdec__slot *s = mdec__table_find(t, key);
    return s ? &s->pub : NULL;
}

int mdec_table_add(struct mdec_table *t, const struct mdec_key *key, struct mdec_session **out)
{
    if (out)
        *out = NULL;
    if (t == NULL || key == NULL || !mdec__key_valid(key))
        return MDEC_E_INVALID;
    const uint32_t h = mdec__key_hash(t, key);
    if (mdec__find_bucket(t, key, h) != NO_SLOT)
        return MDEC_E_EXISTS;
    if (t->stats.count >= t->capacity)
        return MDEC_E_NOSPACE;

    uint32_t slot;
    if (t->free_top != NO_SLOT) {
        slot = t->free_top;
        t->free_top = t->free_next[slot];
    } else {
        slot = t->fresh++; /* count < capacity, so fresh < capacity here */
    }
    struct mdec__slot *s = &t->slots[slot];
    memset(s, 0, sizeof *s);
    s->pub.key.kind = key->kind;
    s->pub.key.has_id = key->has_id;
    s->pub.key.id = key->id;
    s->pub.index = slot;

    uint32_t i = h & t->mask;
    while (t->buckets[i].slot1 != 0)
        i = (i + 1) & t->mask;
    t->buckets[i].hash = h;
    t->buckets[i].slot1 = slot + 1;
    bit_set(t, slot);
    t->stats.count++;
    if (out)
        *out = &s->pub;
    return 0;
}

int mdec_table_remove(struct mdec_table *t, const struct mdec_key *key)
{
    if (t == NULL || key == NULL)
        return MDEC_E_INVALID;
    uint32_t i = mdec__find_bucket(t, key, mdec__key_hash(t, key));
    if (i == NO_SLOT)
        return MDEC_E_NOTFOUND;
    const uint32_t slot = t->buckets[i].slot1 - 1;

    /* Backward-shift deletion: pull later entries of the probe run into the
     * hole unless that would move one before its home bucket. */
    for (uint32_t j = (i + 1) & t->mask; t->buckets[j].slot1 != 0; j = (j + 1) & t->mask) {
        const uint32_t home = t->buckets[j].hash & t->mask;
        if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
            t->buckets[i] = t->buckets[j];
            i = j;
        }
    }
    t->buckets[i].slot1 = 0;
    t->buckets[i].hash = 0;

    bit_clear(t, slot);
    t->free_next[slot] = t->free_top;
    t->free_top = slot;
    t->stats.count--;
    return 0;
}

struct mdec_session *mdec_table_next(const struct mdec_table *t, const struct mdec_session *prev)
{
    if (t == NULL)
        return NULL;
    uint32_t from = 0;
    if (prev) {
        const struct mdec__slot *s = slot_of(t, prev);
        if (s == NULL || s->pub.index >= t->capacity) /* the default, or not t's */
            return NULL;
        from = s->pub.index + 1;
    }
    const uint32_t i = bit_next(t, from);
    return i == NO_SLOT ? NULL : &t->slots[i].pub;
}

/* --------------------------------------------------------------- sessions */

/* The mask of the first bits bits of an address, in memory order. */
static void prefix_mask(unsigned bits, uint64_t m[2])
{
    uint8_t b[16] = {0};
    for (unsigned i = 0; i < 16 && bits > 0; i++) {
        const unsigned take = bits >= 8 ? 8 : bits;
        b[i] = (uint8_t)(0xFF00u >> take);
        bits -= take;
    }
    memcpy(m, b, sizeof b);
}

int mdec__nets_set(struct mdec__nets *out, const struct mdec_prefix *allow, size_t n)
{
    struct mdec__nets v;
    memset(&v, 0, sizeof v);
    if (n > MDEC_SESSION_ALLOW)
        return MDEC_E_NOSPACE;
    if (n > 0 && allow == NULL)
        return MDEC_E_INVALID;
    for (size_t i = 0; i < n; i++) {
        const unsigned fam = allow[i].addr.family;
        const unsigned max = fam == MDEC_AF_IPV4 ? 32 : 128;
        if ((fam != MDEC_AF_IPV4 && fam != MDEC_AF_IPV6) || allow[i].len > max)
            return MDEC_E_INVALID;
        uint64_t w[2], fm[2];
        mdec__addr_words(&allow[i].addr, w, fm);
        prefix_mask(allow[i].len, v.net[i].m);
        v.net[i].w[0] = w[0] & v.net[i].m[0];
        v.net[i].w[1] = w[1] & v.net[i].m[1];
        v.family[i] = (uint8_t)fam;
    }
    v.n = (uint8_t)n;
    *out = v;
    return 0;
}

/* The slot of s for a settings call, or NULL (the NULL policy, or not t's). */
static struct mdec__slot *settable(struct mdec_table *t, struct mdec_session *s)
{
    return t == NULL ? NULL : slot_of(t, s);
}

int mdec_session_set_allow(struct mdec_table *t, struct mdec_session *s,
                           const struct mdec_prefix *allow, size_t n)
{
    struct mdec__slot *sl = settable(t, s);
    return sl ? mdec__nets_set(&sl->allow, allow, n) : MDEC_E_INVALID;
}

int mdec_session_set_local(struct mdec_table *t, struct mdec_session *s,
                           const struct mdec_addr *local, size_t n)
{
    struct mdec__slot *sl = settable(t, s);
    if (sl == NULL || (n > 0 && local == NULL))
        return MDEC_E_INVALID;
    if (n > MDEC_SESSION_ADDRS)
        return MDEC_E_NOSPACE;
    for (size_t i = 0; i < n; i++)
        if (local[i].family != MDEC_AF_IPV4 && local[i].family != MDEC_AF_IPV6)
            return MDEC_E_INVALID;
    for (size_t i = 0; i < n; i++) {
        uint64_t m[2];
        mdec__addr_words(&local[i], sl->local[i], m);
        sl->local_family[i] = local[i].family;
    }
    sl->n_local = (uint8_t)n;
    return 0;
}

int mdec_session_set_filter(struct mdec_table *t, struct mdec_session *s,
                            const struct mdec_filter *filter)
{
    struct mdec__slot *sl = settable(t, s);
    if (sl == NULL)
        return MDEC_E_INVALID;
    sl->filter = filter;
    return 0;
}

int mdec_session_set_name(struct mdec_table *t, struct mdec_session *s, const char *name)
{
    struct mdec__slot *sl = settable(t, s);
    if (sl == NULL)
        return MDEC_E_INVALID;
    size_t n = 0;
    if (name)
        while (n < MDEC_NAME_MAX - 1 && name[n])
            n++;
    memcpy(sl->pub.name, name ? name : "", n);
    sl->pub.name[n] = '\0';
    return name && name[n] ? MDEC_E_NOSPACE : 0;
}

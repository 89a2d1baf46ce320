/*
 * test_session.c - the session table: sizes, keys, adding, finding,
 * removing, iterating, a full table, 100k sessions against a reference;
 * then what the table decides per packet: forged sources, direction, the
 * unknown-session policies, counters.
 *
 * Results are built by hand (tunnels, flags, flow), as a decoder would fill
 * them; one test decodes a real packet to tie the two together.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static uint64_t rng_state = 0x1234567887654321u;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void shuffle(uint32_t *a, uint32_t n)
{
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = (uint32_t)(rnd() % i);
        uint32_t tmp = a[i - 1];
        a[i - 1] = a[j];
        a[j] = tmp;
    }
}

static struct mdec_key key_of(enum mdec_key_kind kind, int has_id, uint64_t id)
{
    struct mdec_key k;
    memset(&k, 0, sizeof k);
    k.kind = (uint8_t)kind;
    k.has_id = (uint8_t)has_id;
    k.id = id;
    return k;
}

static struct mdec_key vxlan(uint64_t vni)
{
    return key_of(MDEC_KEY_VXLAN, 1, vni);
}

/* A table of capacity sessions in fresh aligned memory; *mem to free(). */
static struct mdec_table *new_table(uint32_t capacity, const struct mdec_table_config *cfg,
                                    void **mem)
{
    size_t need = mdec_table_size(capacity);
    assert_true(need > 0);
    size_t alloc = (need + MDEC_TABLE_ALIGN - 1) / MDEC_TABLE_ALIGN * MDEC_TABLE_ALIGN;
    *mem = aligned_alloc(MDEC_TABLE_ALIGN, alloc);
    assert_non_null(*mem);
    /* Garbage everywhere: the table must not depend on zeroed memory. */
    memset(*mem, 0xA5, alloc);
    struct mdec_table *t = mdec_table_init(*mem, need, capacity, cfg);
    assert_ptr_equal(t, *mem);
    return t;
}

static struct mdec_session *add_ok(struct mdec_table *t, struct mdec_key k)
{
    struct mdec_session *s = (struct mdec_session *)&s; /* anything but NULL */
    assert_int_equal(mdec_table_add(t, &k, &s), 0);
    assert_non_null(s);
    return s;
}

static void add_fails(struct mdec_table *t, struct mdec_key k, int want)
{
    struct mdec_session *s = (struct mdec_session *)&s;
    assert_int_equal(mdec_table_add(t, &k, &s), want);
    assert_null(s); /* stored NULL on failure */
}

/* ------------------------------------------------------- size and init */

static void test_size_and_init(void **state)
{
    (void)state;
    assert_int_equal(mdec_table_size(0), 0);
    assert_int_equal(mdec_table_size((UINT32_C(1) << 26) + 1), 0);
    assert_int_equal(mdec_table_size(UINT32_MAX), 0);
    const size_t one = mdec_table_size(1);
    assert_true(one > sizeof(struct mdec_session) * 2);
    assert_true(mdec_table_size(2) > one);
    assert_true(mdec_table_size(1000) > 1000 * sizeof(struct mdec_session));
    if (sizeof(size_t) >= 8) {
        const size_t max = mdec_table_size(UINT32_C(1) << 26);
        assert_true(max > ((size_t)1 << 26) * sizeof(struct mdec_session));
        assert_true(max > mdec_table_size((UINT32_C(1) << 26) - 1));
    }

    const uint32_t cap = 8;
    const size_t need = mdec_table_size(cap);
    unsigned char *mem = aligned_alloc(MDEC_TABLE_ALIGN, need + 64);
    assert_non_null(mem);
    assert_null(mdec_table_init(NULL, need, cap, NULL));
    assert_null(mdec_table_init(mem, need - 1, cap, NULL));           /* too small */
    assert_null(mdec_table_init(mem + 8, need + 8, cap, NULL));       /* misaligned */
    assert_null(mdec_table_init(mem + 16, need + 16, cap, NULL));
    assert_null(mdec_table_init(mem + 1, need + 8, cap, NULL));
    assert_null(mdec_table_init(mem, need, 0, NULL));                 /* capacity 0 */
    assert_null(mdec_table_init(mem, need, (UINT32_C(1) << 26) + 1, NULL));
    /* The size of a smaller table is not enough for a bigger one. */
    assert_null(mdec_table_init(mem, mdec_table_size(4), cap, NULL));
    struct mdec_table_config bad = {.unknown = MDEC_UNKNOWN_LEARN + 1};
    assert_null(mdec_table_init(mem, need, cap, &bad));

    memset(mem, 0xFF, need + 64);
    struct mdec_table *t = mdec_table_init(mem + 64, need, cap, NULL); /* 64 is aligned */
    assert_ptr_equal(t, mem + 64);
    assert_int_equal(mdec_table_get_stats(t)->count, 0);
    assert_int_equal(mdec_table_get_stats(t)->capacity, cap);
    assert_null(mdec_table_next(t, NULL));
    struct mdec_session *d = mdec_table_default(t);
    assert_non_null(d);
    assert_int_equal(d->index, cap);
    assert_int_equal(d->key.kind, MDEC_KEY_NONE);
    assert_int_equal(d->counters.packets, 0);
    const struct mdec_table_stats *st = mdec_table_get_stats(t);
    assert_int_equal(st->unknown + st->dropped + st->learned + st->learn_full, 0);
    /* The default session is not part of the walk. */
    assert_null(mdec_table_next(t, d));
    /* A capacity-1 table holds exactly one session. */
    free(mem);
    void *m1;
    t = new_table(1, NULL, &m1);
    add_ok(t, vxlan(1));
    add_fails(t, vxlan(2), MDEC_E_NOSPACE);
    free(m1);
}

/* ---------------------------------------------------------------- keys */

static void test_add_find_remove(void **state)
{
    (void)state;
    void *mem;
    struct mdec_table *t = new_table(16, NULL, &mem);
    struct mdec_session *a = add_ok(t, vxlan(123));
    assert_int_equal(a->key.kind, MDEC_KEY_VXLAN);
    assert_int_equal(a->key.has_id, 1);
    assert_int_equal(a->key.id, 123);
    assert_string_equal(a->name, "");
    assert_null(a->user);
    assert_int_equal(a->counters.packets, 0);
    assert_int_equal(mdec_table_get_stats(t)->count, 1);

    struct mdec_key k = vxlan(123);
    assert_ptr_equal(mdec_table_find(t, &k), a);
    /* The same id under another kind, or without has_id, is another key. */
    k = key_of(MDEC_KEY_GENEVE, 1, 123);
    assert_null(mdec_table_find(t, &k));
    struct mdec_session *g = add_ok(t, k);
    assert_ptr_not_equal(g, a);
    k = key_of(MDEC_KEY_VXLAN, 0, 0);
    assert_null(mdec_table_find(t, &k));
    struct mdec_session *nid = add_ok(t, k);
    /* Padding is not part of the key. */
    k = vxlan(123);
    k.pad_[0] = 7;
    k.pad_[5] = 9;
    assert_ptr_equal(mdec_table_find(t, &k), a);
    add_fails(t, k, MDEC_E_EXISTS);
    add_fails(t, vxlan(123), MDEC_E_EXISTS);
    assert_int_equal(mdec_table_add(t, &k, NULL), MDEC_E_EXISTS); /* out may be NULL */
    assert_int_equal(mdec_table_get_stats(t)->count, 3);

    /* Keys no session can have. */
    add_fails(t, key_of((enum mdec_key_kind)7, 1, 1), MDEC_E_INVALID);
    add_fails(t, key_of((enum mdec_key_kind)6, 1, 1), MDEC_E_INVALID);  /* a future tunnel */
    add_fails(t, key_of((enum mdec_key_kind)65, 1, 1), MDEC_E_INVALID); /* past gwlb */
    add_fails(t, key_of(MDEC_KEY_VXLAN, 2, 1), MDEC_E_INVALID);
    add_fails(t, key_of(MDEC_KEY_VXLAN, 1, UINT64_C(1) << 24), MDEC_E_INVALID);
    add_fails(t, key_of(MDEC_KEY_VXLAN_GPE, 1, UINT64_C(1) << 24), MDEC_E_INVALID);
    add_fails(t, key_of(MDEC_KEY_GENEVE, 1, UINT64_C(1) << 24), MDEC_E_INVALID);
    add_fails(t, key_of(MDEC_KEY_ERSPAN, 1, 1024), MDEC_E_INVALID);
    add_fails(t, key_of(MDEC_KEY_GRE, 1, UINT64_C(1) << 32), MDEC_E_INVALID);
    add_fails(t, key_of(MDEC_KEY_GWLB, 0, 0), MDEC_E_INVALID);
    add_fails(t, key_of(MDEC_KEY_NONE, 1, 0), MDEC_E_INVALID);
    add_fails(t, key_of(MDEC_KEY_NONE, 0, 5), MDEC_E_INVALID);
    add_fails(t, key_of(MDEC_KEY_ERSPAN, 0, 5), MDEC_E_INVALID);
    assert_int_equal(mdec_table_add(t, NULL, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_table_get_stats(t)->count, 3);

    /* The largest id of every kind fits. */
    add_ok(t, key_of(MDEC_KEY_VXLAN, 1, 0xFFFFFF));
    add_ok(t, key_of(MDEC_KEY_VXLAN_GPE, 1, 0xFFFFFF));
    add_ok(t, key_of(MDEC_KEY_ERSPAN, 1, 1023));
    add_ok(t, key_of(MDEC_KEY_GRE, 1, 0xFFFFFFFF));
    add_ok(t, key_of(MDEC_KEY_GWLB, 1, UINT64_MAX));
    add_ok(t, key_of(MDEC_KEY_NONE, 0, 0)); /* untunneled traffic */
    assert_int_equal(mdec_table_get_stats(t)->count, 9);

    k = vxlan(123);
    assert_int_equal(mdec_table_remove(t, &k), 0);
    assert_null(mdec_table_find(t, &k));
    assert_int_equal(mdec_table_remove(t, &k), MDEC_E_NOTFOUND);
    k = vxlan(999);
    assert_int_equal(mdec_table_remove(t, &k), MDEC_E_NOTFOUND);
    assert_int_equal(mdec_table_get_stats(t)->count, 8);
    k = key_of(MDEC_KEY_GENEVE, 1, 123);
    assert_ptr_equal(mdec_table_find(t, &k), g);
    k = key_of(MDEC_KEY_VXLAN, 0, 0);
    assert_ptr_equal(mdec_table_find(t, &k), nid);
    /* Added again, it starts from zero. */
    a = add_ok(t, vxlan(123));
    assert_int_equal(a->counters.packets, 0);
    assert_string_equal(a->name, "");
    free(mem);
}

static void test_session_name(void **state)
{
    (void)state;
    void *mem;
    struct mdec_table *t = new_table(2, NULL, &mem);
    struct mdec_session *s = add_ok(t, vxlan(1));
    assert_int_equal(mdec_session_set_name(t, s, "eni-0abc"), 0);
    assert_string_equal(s->name, "eni-0abc");
    char long_name[64];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(mdec_session_set_name(t, s, long_name), MDEC_E_NOSPACE);
    assert_int_equal(strlen(s->name), MDEC_NAME_MAX - 1);
    assert_int_equal(mdec_session_set_name(t, s, long_name + sizeof long_name - MDEC_NAME_MAX), 0);
    assert_int_equal(strlen(s->name), MDEC_NAME_MAX - 1);
    assert_int_equal(mdec_session_set_name(t, s, NULL), 0);
    assert_string_equal(s->name, "");
    free(mem);
}

static void test_full_table(void **state)
{
    (void)state;
    void *mem;
    struct mdec_table *t = new_table(4, NULL, &mem);
    for (uint64_t i = 0; i < 4; i++)
        add_ok(t, vxlan(i));
    assert_int_equal(mdec_table_get_stats(t)->count, 4);
    add_fails(t, vxlan(4), MDEC_E_NOSPACE);
    /* A duplicate says so even when the table is full. */
    add_fails(t, vxlan(2), MDEC_E_EXISTS);
    add_fails(t, key_of(MDEC_KEY_ERSPAN, 1, 5000), MDEC_E_INVALID);
    assert_int_equal(mdec_table_get_stats(t)->count, 4);
    /* Every session is still there. */
    for (uint64_t i = 0; i < 4; i++) {
        struct mdec_key k = vxlan(i);
        assert_non_null(mdec_table_find(t, &k));
    }
    struct mdec_key k = vxlan(1);
    assert_int_equal(mdec_table_remove(t, &k), 0);
    add_ok(t, vxlan(4));
    add_fails(t, vxlan(5), MDEC_E_NOSPACE);
    free(mem);
}

/* Walks t; counts visits per user tag (uintptr_t user); checks slot order. */
static uint32_t walk(const struct mdec_table *t, uint32_t *visits, uint32_t n)
{
    uint32_t count = 0, last = 0;
    for (struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s)) {
        const uint32_t idx = s->index;
        assert_true(idx < mdec_table_get_stats(t)->capacity);
        if (count)
            assert_true(idx > last);
        last = idx;
        const uintptr_t tag = (uintptr_t)s->user;
        assert_true(tag < n);
        visits[tag]++;
        count++;
    }
    return count;
}

static void test_iteration(void **state)
{
    (void)state;
    enum { CAP = 300 };
    void *mem;
    struct mdec_table *t = new_table(CAP, NULL, &mem);
    static uint32_t order[CAP], visits[CAP];
    static int present[CAP];
    for (uint32_t i = 0; i < CAP; i++) {
        order[i] = i;
        struct mdec_session *s = add_ok(t, vxlan(1000 + i));
        s->user = (void *)(uintptr_t)i;
        present[i] = 1;
    }
    memset(visits, 0, sizeof visits);
    assert_int_equal(walk(t, visits, CAP), CAP);
    for (uint32_t i = 0; i < CAP; i++)
        assert_int_equal(visits[i], 1);
    /* Leave sparse runs: remove 250 at random, 50 remain spread out. */
    shuffle(order, CAP);
    for (uint32_t i = 0; i < 250; i++) {
        struct mdec_key k = vxlan(1000 + order[i]);
        assert_int_equal(mdec_table_remove(t, &k), 0);
        present[order[i]] = 0;
    }
    memset(visits, 0, sizeof visits);
    assert_int_equal(walk(t, visits, CAP), 50);
    for (uint32_t i = 0; i < CAP; i++)
        assert_int_equal(visits[i], (uint32_t)present[i]);
    /* A session of another table ends the walk rather than wander. */
    void *mem2;
    struct mdec_table *t2 = new_table(CAP, NULL, &mem2);
    struct mdec_session *other = add_ok(t2, vxlan(1));
    assert_null(mdec_table_next(t, other));
    assert_int_equal(mdec_session_set_name(t, other, "x"), MDEC_E_INVALID); /* not t's */
    free(mem2);
    free(mem);
}

static void test_remove_during_iteration(void **state)
{
    (void)state;
    enum { CAP = 200 };
    void *mem;
    struct mdec_table *t = new_table(CAP, NULL, &mem);
    static uint32_t visits[CAP];
    for (uint32_t i = 0; i < CAP; i++) {
        struct mdec_session *s = add_ok(t, key_of(MDEC_KEY_GRE, 1, 7 * i));
        s->user = (void *)(uintptr_t)i;
    }
    /* Remove every third session as it is visited: the others are still
     * visited exactly once. */
    memset(visits, 0, sizeof visits);
    uint32_t seen = 0;
    for (struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s)) {
        const uint32_t tag = (uint32_t)(uintptr_t)s->user;
        visits[tag]++;
        seen++;
        if (tag % 3 == 0)
            assert_int_equal(mdec_table_remove(t, &s->key), 0);
    }
    assert_int_equal(seen, CAP);
    for (uint32_t i = 0; i < CAP; i++)
        assert_int_equal(visits[i], 1);
    assert_int_equal(mdec_table_get_stats(t)->count, CAP - (CAP + 2) / 3);
    memset(visits, 0, sizeof visits);
    assert_int_equal(walk(t, visits, CAP), CAP - (CAP + 2) / 3);
    for (uint32_t i = 0; i < CAP; i++)
        assert_int_equal(visits[i], i % 3 ? 1u : 0u);

    /* Remove them all as they are visited. */
    seen = 0;
    for (struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s)) {
        assert_int_equal(mdec_table_remove(t, &s->key), 0);
        seen++;
    }
    assert_int_equal(seen, CAP - (CAP + 2) / 3);
    assert_int_equal(mdec_table_get_stats(t)->count, 0);
    assert_null(mdec_table_next(t, NULL));
    free(mem);
}

static void test_clear(void **state)
{
    (void)state;
    void *mem;
    struct mdec_table *t = new_table(10, NULL, &mem);
    for (uint64_t i = 0; i < 10; i++)
        add_ok(t, vxlan(i));
    struct mdec_session *d = mdec_table_default(t);
    int tag;
    d->user = &tag;
    assert_int_equal(mdec_session_set_name(t, d, "default"), 0);
    d->counters.packets = 5;
    mdec_table_clear(t);
    assert_int_equal(mdec_table_get_stats(t)->count, 0);
    assert_null(mdec_table_next(t, NULL));
    for (uint64_t i = 0; i < 10; i++) {
        struct mdec_key k = vxlan(i);
        assert_null(mdec_table_find(t, &k));
    }
    /* The default session keeps its settings; its counters restart. */
    assert_ptr_equal(mdec_table_default(t), d);
    assert_ptr_equal(d->user, &tag);
    assert_string_equal(d->name, "default");
    assert_int_equal(d->counters.packets, 0);
    /* The whole capacity is there again. */
    for (uint64_t i = 100; i < 110; i++)
        add_ok(t, vxlan(i));
    add_fails(t, vxlan(110), MDEC_E_NOSPACE);
    free(mem);
}

static void test_slot_index_stable(void **state)
{
    (void)state;
    enum { CAP = 64 };
    void *mem;
    struct mdec_table *t = new_table(CAP, NULL, &mem);
    struct mdec_session *a = add_ok(t, vxlan(1));
    struct mdec_session *b = add_ok(t, vxlan(2));
    struct mdec_session *c = add_ok(t, vxlan(3));
    const uint32_t ia = a->index, ic = c->index;
    assert_int_not_equal(ia, ic);
    assert_int_not_equal(b->index, ia);
    struct mdec_key k = vxlan(2);
    assert_int_equal(mdec_table_remove(t, &k), 0);
    /* Churn: many adds and removes around a and c. */
    for (int round = 0; round < 2000; round++) {
        k = vxlan(100 + rnd() % 200);
        if (mdec_table_find(t, &k))
            assert_int_equal(mdec_table_remove(t, &k), 0);
        else if (mdec_table_get_stats(t)->count < CAP)
            add_ok(t, k);
        k = vxlan(1);
        assert_ptr_equal(mdec_table_find(t, &k), a);
        k = vxlan(3);
        assert_ptr_equal(mdec_table_find(t, &k), c);
    }
    assert_int_equal(a->index, ia);
    assert_int_equal(c->index, ic);
    assert_int_equal(a->key.id, 1);
    assert_int_equal(c->key.id, 3);
    /* Live sessions have distinct slots below capacity. */
    static uint8_t used[CAP];
    memset(used, 0, sizeof used);
    for (struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s)) {
        uint32_t i = s->index;
        assert_true(i < CAP);
        assert_int_equal(used[i], 0);
        used[i] = 1;
        assert_ptr_equal(s, mdec_table_find(t, &s->key));
    }
    free(mem);
}

/* Random adds, finds and removes over a key universe against a reference. */
static void test_churn_against_reference(void **state)
{
    (void)state;
    enum { CAP = 1000, UNIVERSE = 2500 };
    void *mem;
    struct mdec_table *t = new_table(CAP, NULL, &mem);
    static struct mdec_session *ref[UNIVERSE];
    memset(ref, 0, sizeof ref);
    uint32_t count = 0;
    for (int op = 0; op < 300000; op++) {
        const uint32_t u = (uint32_t)(rnd() % UNIVERSE);
        /* Keys that collide often in the low bits of the id, and in kind. */
        struct mdec_key k = key_of(u % 2 ? MDEC_KEY_GRE : MDEC_KEY_GWLB, 1,
                                   (uint64_t)(u / 2) << 20);
        struct mdec_session *s = mdec_table_find(t, &k);
        assert_ptr_equal(s, ref[u]);
        if (s) {
            if (rnd() % 2) {
                assert_int_equal(mdec_table_remove(t, &k), 0);
                ref[u] = NULL;
                count--;
            }
        } else if (count < CAP) {
            ref[u] = add_ok(t, k);
            ref[u]->user = (void *)(uintptr_t)u;
            count++;
        } else {
            add_fails(t, k, MDEC_E_NOSPACE);
        }
        assert_int_equal(mdec_table_get_stats(t)->count, count);
    }
    for (uint32_t u = 0; u < UNIVERSE; u++) {
        struct mdec_key k = key_of(u % 2 ? MDEC_KEY_GRE : MDEC_KEY_GWLB, 1,
                                   (uint64_t)(u / 2) << 20);
        assert_ptr_equal(mdec_table_find(t, &k), ref[u]);
        if (ref[u])
            assert_int_equal((uintptr_t)ref[u]->user, u);
    }
    free(mem);
}

/* The key of reference entry i: every kind, ids spread over their range,
 * all distinct. */
static struct mdec_key key_number(uint32_t i)
{
    const uint32_t n = i / 6;
    switch (i % 6) {
    case 0:
        return key_of(MDEC_KEY_VXLAN, 1, n);
    case 1:
        return key_of(MDEC_KEY_GENEVE, 1, n ^ 0xABCDEF);
    case 2:
        return key_of(MDEC_KEY_VXLAN_GPE, 1, n);
    case 3:
        return key_of(MDEC_KEY_GRE, 1, (uint64_t)n * 40503u); /* below 2^30 */
    case 4:
        return key_of(MDEC_KEY_GWLB, 1, (uint64_t)n * UINT64_C(0x9E3779B97F4A7C15));
    default: /* ERSPAN has only 1024 ids */
        return n < 1024 ? key_of(MDEC_KEY_ERSPAN, 1, n)
                        : key_of(MDEC_KEY_GRE, 1, (UINT64_C(1) << 30) + n);
    }
}

static int same_key(const struct mdec_key *a, const struct mdec_key *b)
{
    return a->kind == b->kind && a->has_id == b->has_id && a->id == b->id;
}

static void test_100k_sessions(void **state)
{
    (void)state;
    enum { N = 100000 };
    void *mem;
    struct mdec_table *t = new_table(N, NULL, &mem);
    uint32_t *order = malloc(N * sizeof *order);
    struct mdec_session **ref = calloc(N, sizeof *ref);
    assert_non_null(order);
    assert_non_null(ref);
    for (uint32_t i = 0; i < N; i++)
        order[i] = i;
    shuffle(order, N);
    for (uint32_t n = 0; n < N; n++) {
        const uint32_t i = order[n];
        ref[i] = add_ok(t, key_number(i));
        ref[i]->user = (void *)(uintptr_t)i;
    }
    assert_int_equal(mdec_table_get_stats(t)->count, N);
    add_fails(t, key_of(MDEC_KEY_GRE, 1, 0xFFFFFFFF), MDEC_E_NOSPACE);
    add_fails(t, key_number(77), MDEC_E_EXISTS);
    for (uint32_t i = 0; i < N; i++) {
        struct mdec_key k = key_number(i);
        struct mdec_session *s = mdec_table_find(t, &k);
        assert_ptr_equal(s, ref[i]);
        assert_true(same_key(&s->key, &k));
        assert_int_equal((uintptr_t)s->user, i);
    }
    /* Misses: ids next to the present ones. */
    for (uint32_t n = 0; n < 1000; n++) {
        struct mdec_key k = key_of(MDEC_KEY_VXLAN, 1, N / 6 + 1 + n);
        assert_null(mdec_table_find(t, &k));
        k = key_of(MDEC_KEY_GWLB, 1, rnd() | 1);
        assert_null(mdec_table_find(t, &k));
    }
    /* Remove half in random order; the rest stay findable. */
    shuffle(order, N);
    for (uint32_t n = 0; n < N / 2; n++) {
        const uint32_t i = order[n];
        struct mdec_key k = key_number(i);
        assert_int_equal(mdec_table_remove(t, &k), 0);
        ref[i] = NULL;
    }
    assert_int_equal(mdec_table_get_stats(t)->count, N / 2);
    for (uint32_t i = 0; i < N; i++) {
        struct mdec_key k = key_number(i);
        assert_ptr_equal(mdec_table_find(t, &k), ref[i]);
    }
    /* The walk sees exactly the sessions left, each once. */
    uint32_t left = 0;
    for (struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s)) {
        const uintptr_t i = (uintptr_t)s->user;
        assert_true(i < N);
        assert_ptr_equal(ref[i], s);
        ref[i] = NULL; /* a second visit would fail the check above */
        left++;
    }
    assert_int_equal(left, N / 2);
    /* Remove everything else, in random order. */
    shuffle(order, N);
    for (uint32_t n = 0; n < N; n++) {
        struct mdec_key k = key_number(order[n]);
        const int rc = mdec_table_remove(t, &k);
        assert_true(rc == 0 || rc == MDEC_E_NOTFOUND);
    }
    assert_int_equal(mdec_table_get_stats(t)->count, 0);
    assert_null(mdec_table_next(t, NULL));
    /* And the whole capacity once more. */
    for (uint32_t i = 0; i < N; i++)
        add_ok(t, key_number(i));
    free(ref);
    free(order);
    free(mem);
}

/* ------------------------------------------------------- keys as text */

static void format_is(struct mdec_key k, const char *want)
{
    char buf[32];
    const int n = mdec_key_format(&k, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
    /* And back. */
    struct mdec_key back;
    memset(&back, 0xEE, sizeof back);
    struct mdec_parse_error e;
    assert_int_equal(mdec_key_parse(buf, (size_t)n, &back, &e), 0);
    assert_true(same_key(&back, &k));
    for (int i = 0; i < 6; i++)
        assert_int_equal(back.pad_[i], 0);
}

static void test_key_format(void **state)
{
    (void)state;
    format_is(key_of(MDEC_KEY_NONE, 0, 0), "none");
    format_is(vxlan(123), "vxlan:123");
    format_is(vxlan(0), "vxlan:0");
    format_is(key_of(MDEC_KEY_VXLAN, 0, 0), "vxlan:-");
    format_is(key_of(MDEC_KEY_VXLAN_GPE, 1, 0xFFFFFF), "vxlan-gpe:16777215");
    format_is(key_of(MDEC_KEY_GENEVE, 1, 0), "geneve:0");
    format_is(key_of(MDEC_KEY_ERSPAN, 1, 1023), "erspan:1023");
    format_is(key_of(MDEC_KEY_ERSPAN, 0, 0), "erspan:-");
    format_is(key_of(MDEC_KEY_GRE, 1, 0xFFFFFFFF), "gre:4294967295");
    format_is(key_of(MDEC_KEY_GRE, 0, 0), "gre:-");
    format_is(key_of(MDEC_KEY_GWLB, 1, UINT64_C(0x0123456789abcdef)), "gwlb:0x0123456789abcdef");
    format_is(key_of(MDEC_KEY_GWLB, 1, 0), "gwlb:0x0000000000000000");
    format_is(key_of(MDEC_KEY_GWLB, 1, UINT64_MAX), "gwlb:0xffffffffffffffff");
    /* Random ids of every kind survive the round trip. */
    for (int i = 0; i < 2000; i++) {
        static const enum mdec_key_kind kinds[] = {MDEC_KEY_VXLAN, MDEC_KEY_VXLAN_GPE,
                                                   MDEC_KEY_GENEVE, MDEC_KEY_ERSPAN,
                                                   MDEC_KEY_GRE, MDEC_KEY_GWLB};
        static const uint64_t max[] = {0xFFFFFF, 0xFFFFFF, 0xFFFFFF, 1023, 0xFFFFFFFF,
                                       UINT64_MAX};
        const unsigned which = (unsigned)(rnd() % 6);
        struct mdec_key k = key_of(kinds[which], 1, rnd() & max[which]);
        char buf[32];
        const int n = mdec_key_format(&k, buf, sizeof buf);
        assert_true(n > 0);
        struct mdec_key back;
        assert_int_equal(mdec_key_parse(buf, (size_t)n, &back, NULL), 0);
        assert_true(same_key(&back, &k));
    }
    /* Too small a buffer: cut, NUL-terminated, NOSPACE. */
    char small[8];
    struct mdec_key k = vxlan(16777215);
    assert_int_equal(mdec_key_format(&k, small, sizeof small), MDEC_E_NOSPACE);
    assert_string_equal(small, "vxlan:1");
    char exact[16];
    assert_int_equal(mdec_key_format(&k, exact, 14), MDEC_E_NOSPACE); /* 14 chars + NUL */
    assert_int_equal(mdec_key_format(&k, exact, 15), 14);
    /* A kind out of range is refused. */
    k = key_of((enum mdec_key_kind)9, 1, 1);
    assert_int_equal(mdec_key_format(&k, exact, sizeof exact), MDEC_E_INVALID);
    assert_string_equal(exact, "");

    assert_string_equal(mdec_key_kind_name(MDEC_KEY_NONE), "none");
    assert_string_equal(mdec_key_kind_name(MDEC_KEY_VXLAN), "vxlan");
    assert_string_equal(mdec_key_kind_name(MDEC_KEY_VXLAN_GPE), "vxlan-gpe");
    assert_string_equal(mdec_key_kind_name(MDEC_KEY_GENEVE), "geneve");
    assert_string_equal(mdec_key_kind_name(MDEC_KEY_ERSPAN), "erspan");
    assert_string_equal(mdec_key_kind_name(MDEC_KEY_GRE), "gre");
    assert_string_equal(mdec_key_kind_name(MDEC_KEY_GWLB), "gwlb");
    assert_string_equal(mdec_key_kind_name((enum mdec_key_kind)7), "?");
}

static void parse_is(const char *text, struct mdec_key want)
{
    struct mdec_key k;
    struct mdec_parse_error e;
    memset(&e, 0, sizeof e);
    if (mdec_key_parse(text, strlen(text), &k, &e) != 0)
        fail_msg("'%s': %s (column %u)", text, e.message, e.column);
    assert_true(same_key(&k, &want));
}

static void parse_fails(const char *text, uint32_t column, const char *words)
{
    struct mdec_key k = vxlan(4242), before = k;
    struct mdec_parse_error e;
    memset(&e, 0, sizeof e);
    assert_int_equal(mdec_key_parse(text, strlen(text), &k, &e), MDEC_E_SYNTAX);
    /* A failed parse leaves the key as it was. */
    assert_true(same_key(&k, &before));
    assert_int_equal(e.line, 1);
    if (e.column != column)
        fail_msg("'%s': column %u, expected %u (%s)", text, e.column, column, e.message);
    if (!strstr(e.message, words))
        fail_msg("'%s': message '%s' lacks '%s'", text, e.message, words);
    /* err may be NULL. */
    assert_int_equal(mdec_key_parse(text, strlen(text), &k, NULL), MDEC_E_SYNTAX);
}

static void test_key_parse(void **state)
{
    (void)state;
    parse_is("123", vxlan(123)); /* a bare number is a VXLAN VNI */
    parse_is("0", vxlan(0));
    parse_is("0x7b", vxlan(123));
    parse_is("16777215", vxlan(0xFFFFFF));
    parse_is("VXLAN:5", vxlan(5)); /* kinds in any case */
    parse_is("Vxlan-GPE:0X1f", key_of(MDEC_KEY_VXLAN_GPE, 1, 31));
    parse_is("geneve:0xABCDEF", key_of(MDEC_KEY_GENEVE, 1, 0xABCDEF));
    parse_is("erspan:1023", key_of(MDEC_KEY_ERSPAN, 1, 1023));
    parse_is("gre:-", key_of(MDEC_KEY_GRE, 0, 0));
    parse_is("gre:4294967295", key_of(MDEC_KEY_GRE, 1, 0xFFFFFFFF));
    parse_is("gwlb:18446744073709551615", key_of(MDEC_KEY_GWLB, 1, UINT64_MAX));
    parse_is("gwlb:0x1", key_of(MDEC_KEY_GWLB, 1, 1));
    parse_is("none", key_of(MDEC_KEY_NONE, 0, 0));
    parse_is("NONE", key_of(MDEC_KEY_NONE, 0, 0));
    /* Not NUL-terminated: only len bytes count. */
    struct mdec_key k;
    assert_int_equal(mdec_key_parse("vxlan:12345", 8, &k, NULL), 0);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_VXLAN, 1, {0}, 12}));

    parse_fails("", 1, "found nothing");
    parse_fails("foo:1", 1, "unknown key kind 'foo'");
    parse_fails(":1", 1, "unknown key kind ''");
    parse_fails("vxla:1", 1, "expected none, vxlan");
    parse_fails("vxlan", 6, "expected ':'");
    parse_fails("vxlan:", 7, "expected an id");
    parse_fails("vxlan:x", 7, "found 'x'");
    parse_fails("vxlan:12x", 9, "unexpected text after the id: 'x'");
    parse_fails("vxlan:1 ", 8, "unexpected text");
    parse_fails("vxlan:--", 7, "expected an id");
    parse_fails("vxlan:16777216", 7, "above 16777215, the largest vxlan id (24 bits)");
    parse_fails("16777216", 1, "above 16777215");
    parse_fails("geneve:0x1000000", 8, "largest geneve id");
    parse_fails("erspan:1024", 8, "above 1023, the largest erspan id (10 bits)");
    parse_fails("gre:4294967296", 5, "above 4294967295");
    parse_fails("gwlb:18446744073709551616", 6, "above 18446744073709551615");
    parse_fails("gwlb:0x10000000000000000", 6, "(64 bits)");
    parse_fails("gwlb:-", 6, "needs its endpoint id");
    parse_fails("vxlan:0x", 9, "hex digits after '0x'");
    parse_fails("vxlan:0xg", 9, "hex digits");
    parse_fails("vxlan:012", 7, "leading zero");
    parse_fails("none:1", 5, "takes no id");
    parse_fails("12:3", 1, "unknown key kind '12'");
    parse_fails("-", 1, "unknown key kind");
    parse_fails("vxlan:-5", 7, "expected an id");
    /* NULL text with length 0 is nothing. */
    assert_int_equal(mdec_key_parse(NULL, 0, &k, NULL), MDEC_E_SYNTAX);
}

/* --------------------------------------------------- keys from results */

static void result_init(struct mdec_result *r)
{
    memset(r, 0, sizeof *r);
    r->status = MDEC_STATUS_OK;
}

/* Appends a tunnel; src NULL: no carrier addresses. */
static struct mdec_tunnel *push_tunnel(struct mdec_result *r, enum mdec_tunnel_type type,
                                       int has_id, uint32_t id, const char *src, const char *dst)
{
    assert_true(r->n_tunnels < MDEC_MAX_TUNNELS);
    struct mdec_tunnel *t = &r->tunnels[r->n_tunnels++];
    memset(t, 0, sizeof *t);
    t->type = (uint8_t)type;
    if (has_id) {
        t->flags |= MDEC_TF_ID;
        t->id = id;
    }
    if (src) {
        t->flags |= MDEC_TF_CARRIER;
        t->src = addr_of(src);
        t->dst = addr_of(dst);
    }
    return t;
}

static void test_key_from_result(void **state)
{
    (void)state;
    struct mdec_result r;
    struct mdec_key k;
    result_init(&r);
    r.status = MDEC_STATUS_NOT_TUNNELED;
    memset(&k, 0xEE, sizeof k);
    assert_int_equal(mdec_key_from_result(&r, &k), -1);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_NONE, 0, {0}, 0}));
    assert_int_equal(k.pad_[0], 0);

    /* A Gateway Load Balancer's GENEVE with the endpoint option. */
    struct mdec_tunnel *g = push_tunnel(&r, MDEC_TUNNEL_GENEVE, 1, 0, "10.9.0.5", "10.9.1.7");
    g->u.geneve.have = MDEC_GWLB_ENDPOINT | MDEC_GWLB_COOKIE;
    g->u.geneve.gwlb_endpoint = UINT64_C(0x0123456789abcdef);
    r.status = MDEC_STATUS_OK;
    assert_int_equal(mdec_key_from_result(&r, &k), 0);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_GWLB, 1, {0}, 0x0123456789abcdefu}));
    /* Without the endpoint option the GENEVE VNI keys. */
    g->u.geneve.have = MDEC_GWLB_COOKIE;
    g->id = 77;
    assert_int_equal(mdec_key_from_result(&r, &k), 0);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_GENEVE, 1, {0}, 77}));
    /* AWS mirroring behind a GWLB: the innermost tunnel peeled, the
     * mirror's VXLAN, keys. */
    g->u.geneve.have = MDEC_GWLB_ENDPOINT;
    push_tunnel(&r, MDEC_TUNNEL_VXLAN, 1, 4711, "172.16.0.10", "172.16.0.99");
    assert_int_equal(mdec_key_from_result(&r, &k), 1);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_VXLAN, 1, {0}, 4711}));

    /* Tunnels without an id. */
    result_init(&r);
    push_tunnel(&r, MDEC_TUNNEL_ERSPAN, 0, 0, "192.0.2.1", "192.0.2.2");
    assert_int_equal(mdec_key_from_result(&r, &k), 0);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_ERSPAN, 0, {0}, 0}));
    push_tunnel(&r, MDEC_TUNNEL_GRE, 1, 0xDEADBEEF, "192.0.2.1", "192.0.2.2");
    assert_int_equal(mdec_key_from_result(&r, &k), 1);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_GRE, 1, {0}, 0xDEADBEEF}));
    /* A stale id without MDEC_TF_ID is not used. */
    result_init(&r);
    struct mdec_tunnel *v = push_tunnel(&r, MDEC_TUNNEL_VXLAN_GPE, 0, 0, NULL, NULL);
    v->id = 99;
    assert_int_equal(mdec_key_from_result(&r, &k), 0);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_VXLAN_GPE, 0, {0}, 0}));
}

/* ------------------------------------------------------ per packet */

/* An AWS-style mirror packet: VXLAN vni from outer_src (NULL: no carrier
 * addresses) carrying inner_src -> inner_dst (NULL: no inner IP), an inner
 * packet of wire/cap bytes, with the given status. */
static void aws_packet(struct mdec_result *r, uint32_t vni, const char *outer_src,
                       const char *inner_src, const char *inner_dst, uint32_t wire, uint32_t cap,
                       enum mdec_status status)
{
    result_init(r);
    r->status = (uint8_t)status;
    push_tunnel(r, MDEC_TUNNEL_VXLAN, 1, vni, outer_src, outer_src ? "10.0.0.250" : NULL);
    r->spans_present = 1u << MDEC_SPAN_OUTER_LINK | 1u << MDEC_SPAN_OUTER_IP |
                       1u << MDEC_SPAN_OUTER_L4 | 1u << MDEC_SPAN_INNER_LINK;
    r->inner.wire_len = wire;
    r->inner.cap_len = cap;
    r->inner.ethernet = 1;
    r->has_inner = 1;
    r->wire_len = wire + 50;
    r->cap_len = cap + 50;
    if (inner_src) {
        r->spans_present |= 1u << MDEC_SPAN_INNER_IP;
        r->flow.flags = MDEC_FLOW_IP | MDEC_FLOW_PROTO | MDEC_FLOW_TUNNEL_ID;
        r->flow.src = addr_of(inner_src);
        r->flow.dst = addr_of(inner_dst);
        r->flow.proto = 6;
        r->flow.tunnel_type = MDEC_TUNNEL_VXLAN;
        r->flow.tunnel_id = vni;
    }
}

static struct mdec_prefix prefix_of(const char *text)
{
    struct mdec_prefix p;
    struct mdec_parse_error e;
    if (mdec_prefix_parse(text, strlen(text), &p, &e) != 0)
        fail_msg("prefix '%s': %s", text, e.message);
    return p;
}

static enum mdec_verdict process(struct mdec_table *t, const struct mdec_result *r,
                                 struct mdec_match *m)
{
    memset(m, 0xEE, sizeof *m);
    const enum mdec_verdict v = mdec_table_process(t, r, m);
    assert_int_equal(m->verdict, v);
    return v;
}

static void test_forged_sources(void **state)
{
    (void)state;
    void *mem;
    struct mdec_table *t = new_table(8, NULL, &mem);
    struct mdec_session *s = add_ok(t, vxlan(100));
    struct mdec_prefix allow[3] = {prefix_of("10.1.0.0/16"), prefix_of("2001:db8:1::/48"),
                                   prefix_of("192.0.2.7")};
    assert_int_equal(mdec_session_set_allow(t, s, allow, 3), 0);
    struct mdec_result r;
    struct mdec_match m;

    static const struct {
        const char *src;
        enum mdec_verdict want;
    } cases[] = {
        {"10.1.2.3", MDEC_VERDICT_ACCEPT},       {"10.1.255.255", MDEC_VERDICT_ACCEPT},
        {"10.2.0.1", MDEC_VERDICT_FORGED},       {"11.1.2.3", MDEC_VERDICT_FORGED},
        {"2001:db8:1::5", MDEC_VERDICT_ACCEPT},  {"2001:db8:1:ffff::1", MDEC_VERDICT_ACCEPT},
        {"2001:db8:2::5", MDEC_VERDICT_FORGED},  {"::ffff:10.1.2.3", MDEC_VERDICT_FORGED},
        {"192.0.2.7", MDEC_VERDICT_ACCEPT},      {"192.0.2.8", MDEC_VERDICT_FORGED},
    };
    uint64_t accepted = 0, forged = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aws_packet(&r, 100, cases[i].src, "172.31.0.1", "172.31.0.2", 100, 100, MDEC_STATUS_OK);
        const enum mdec_verdict v = process(t, &r, &m);
        if (v != cases[i].want)
            fail_msg("source %s: %s, expected %s", cases[i].src, mdec_verdict_name(v),
                     mdec_verdict_name(cases[i].want));
        assert_ptr_equal(m.session, s);
        assert_int_equal(m.index, s->index);
        assert_int_equal(m.key_tunnel, 0);
        if (v == MDEC_VERDICT_FORGED) {
            assert_int_equal(m.direction, MDEC_DIR_UNKNOWN);
            forged++;
        } else {
            accepted++;
        }
    }
    /* Forged packets count as forged only: packets and bytes hold the
     * accepted ones alone. */
    assert_int_equal(s->counters.forged, forged);
    assert_int_equal(s->counters.packets, accepted);
    assert_int_equal(s->counters.bytes_wire, 100 * accepted);
    assert_int_equal(s->counters.bytes_cap, 100 * accepted);
    assert_int_equal(s->counters.filtered, 0);

    /* No known source: refused while an allow-list is set. */
    aws_packet(&r, 100, NULL, "172.31.0.1", "172.31.0.2", 100, 100, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    /* A carrier whose source is unknown (mdec_decode_udp with only the
     * destination known). */
    aws_packet(&r, 100, "10.1.2.3", "172.31.0.1", "172.31.0.2", 100, 100, MDEC_STATUS_OK);
    r.tunnels[0].src.family = MDEC_AF_NONE;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    assert_int_equal(s->counters.forged, forged + 2);
    assert_int_equal(s->counters.packets, accepted);

    /* classify judges alike and writes nothing. */
    const struct mdec_counters before = s->counters;
    aws_packet(&r, 100, "10.9.9.9", "172.31.0.1", "172.31.0.2", 100, 100, MDEC_STATUS_OK);
    assert_int_equal(mdec_table_classify(t, &r, &m), MDEC_VERDICT_FORGED);
    assert_int_equal(m.verdict, MDEC_VERDICT_FORGED);
    assert_memory_equal(&before, &s->counters, sizeof before);

    /* Without an allow-list every source is taken, even an unknown one. */
    assert_int_equal(mdec_session_set_allow(t, s, NULL, 0), 0);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    aws_packet(&r, 100, NULL, "172.31.0.1", "172.31.0.2", 100, 100, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    /* 0.0.0.0/0 allows IPv4 only. */
    struct mdec_prefix any4 = prefix_of("0.0.0.0/0");
    assert_int_equal(mdec_session_set_allow(t, s, &any4, 1), 0);
    aws_packet(&r, 100, "203.0.113.9", "172.31.0.1", "172.31.0.2", 100, 100, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    aws_packet(&r, 100, "2001:db8::9", "172.31.0.1", "172.31.0.2", 100, 100, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    free(mem);
}

/* The direction classify derives for a packet of session vxlan:1. */
static enum mdec_direction dir_of(const struct mdec_table *t, const char *carrier, const char *src,
                                  const char *dst)
{
    struct mdec_result r;
    struct mdec_match m;
    aws_packet(&r, 1, carrier, src, dst, 60, 60, MDEC_STATUS_OK);
    assert_int_equal(mdec_table_classify(t, &r, &m), MDEC_VERDICT_ACCEPT);
    return (enum mdec_direction)m.direction;
}

static void test_direction(void **state)
{
    (void)state;
    void *mem;
    struct mdec_table *t = new_table(4, NULL, &mem);
    struct mdec_session *s = add_ok(t, vxlan(1));
    /* No own addresses: the carrier source (the ENI's primary IP) stands in. */
    assert_int_equal(dir_of(t, "10.0.0.5", "10.0.0.5", "198.51.100.1"), MDEC_DIR_EGRESS);
    assert_int_equal(dir_of(t, "10.0.0.5", "198.51.100.1", "10.0.0.5"), MDEC_DIR_INGRESS);
    assert_int_equal(dir_of(t, "10.0.0.5", "198.51.100.1", "198.51.100.2"), MDEC_DIR_UNKNOWN);
    assert_int_equal(dir_of(t, "10.0.0.5", "10.0.0.5", "10.0.0.5"), MDEC_DIR_EGRESS);
    assert_int_equal(dir_of(t, NULL, "10.0.0.5", "10.0.0.6"), MDEC_DIR_UNKNOWN);
    assert_int_equal(dir_of(t, "2001:db8::5", "2001:db8::5", "2001:db8::9"), MDEC_DIR_EGRESS);
    /* The same 4 bytes in another family are another address. */
    assert_int_equal(dir_of(t, "10.0.0.5", "::a00:5", "::a00:6"), MDEC_DIR_UNKNOWN);
    /* No inner IP: unknown. */
    assert_int_equal(dir_of(t, "10.0.0.5", NULL, NULL), MDEC_DIR_UNKNOWN);

    /* The session's own addresses, when set, replace the carrier source. */
    struct mdec_addr local[MDEC_SESSION_ADDRS + 1] = {
        addr_of("10.0.0.5"), addr_of("10.0.0.77") /* a secondary address */,
        addr_of("2001:db8::5")};
    /* Bytes past an IPv4 address's fourth, left over by hand, do not count. */
    local[1].a[12] = 0xEE;
    assert_int_equal(mdec_session_set_local(t, s, local, 3), 0);
    assert_int_equal(dir_of(t, "10.0.0.250", "10.0.0.77", "198.51.100.1"), MDEC_DIR_EGRESS);
    assert_int_equal(dir_of(t, "10.0.0.250", "198.51.100.1", "10.0.0.5"), MDEC_DIR_INGRESS);
    assert_int_equal(dir_of(t, "10.0.0.250", "2001:db8::1", "2001:db8::5"), MDEC_DIR_INGRESS);
    assert_int_equal(dir_of(t, "10.0.0.250", "10.0.0.250", "198.51.100.1"), MDEC_DIR_UNKNOWN);
    assert_int_equal(dir_of(t, NULL, "198.51.100.1", "10.0.0.77"), MDEC_DIR_INGRESS);
    /* Only the n given count. */
    assert_int_equal(mdec_session_set_local(t, s, local, 1), 0);
    assert_int_equal(dir_of(t, "10.0.0.250", "10.0.0.77", "198.51.100.1"), MDEC_DIR_UNKNOWN);
    /* Refused settings change nothing. */
    local[4] = local[0];
    assert_int_equal(mdec_session_set_local(t, s, local, MDEC_SESSION_ADDRS + 1), MDEC_E_NOSPACE);
    local[0].family = MDEC_AF_NONE;
    assert_int_equal(mdec_session_set_local(t, s, local, 2), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_local(t, s, NULL, 2), MDEC_E_INVALID);
    assert_int_equal(dir_of(t, "10.0.0.250", "10.0.0.5", "198.51.100.1"), MDEC_DIR_EGRESS);
    /* Back to none: the carrier again. */
    assert_int_equal(mdec_session_set_local(t, s, NULL, 0), 0);
    assert_int_equal(dir_of(t, "10.0.0.5", "198.51.100.1", "10.0.0.5"), MDEC_DIR_INGRESS);
    free(mem);
}

/* GENEVE from a GWLB (endpoint option) around VXLAN from an AWS mirror. */
static void gwlb_stack(struct mdec_result *r, const char *inner_src, const char *inner_dst)
{
    result_init(r);
    struct mdec_tunnel *g = push_tunnel(r, MDEC_TUNNEL_GENEVE, 1, 0, "10.9.0.5", "10.9.1.7");
    g->u.geneve.have = MDEC_GWLB_ENDPOINT;
    g->u.geneve.gwlb_endpoint = UINT64_C(0x0123456789abcdef);
    push_tunnel(r, MDEC_TUNNEL_VXLAN, 1, 4711, "172.16.0.10", "172.16.0.99");
    r->flow.flags = MDEC_FLOW_IP | MDEC_FLOW_PROTO;
    r->flow.src = addr_of(inner_src);
    r->flow.dst = addr_of(inner_dst);
    r->spans_present = 1u << MDEC_SPAN_INNER_IP;
    r->has_inner = 1;
    r->inner.wire_len = r->inner.cap_len = 40;
}

/*
 * The trust rule in the table: the innermost tunnel keys; its carrier source
 * is judged by the allow-list only when every tunnel around it is a trusted
 * transport (the decoder never peels past one that is not; a result put
 * together by other means is refused as forged, allow-list or not).
 */
static void test_trust_nested(void **state)
{
    (void)state;
    struct mdec_prefix vxlan_net = prefix_of("172.16.0.0/12");
    struct mdec_prefix gwlb_net = prefix_of("10.9.0.0/16");
    struct mdec_result r;
    struct mdec_match m;
    void *mem;
    struct mdec_table *t = new_table(4, NULL, &mem);
    struct mdec_session *sv = add_ok(t, vxlan(4711));
    struct mdec_session *sg = add_ok(t, key_of(MDEC_KEY_GWLB, 1, 0x0123456789abcdefu));
    for (int trusted = 0; trusted < 2; trusted++) {
        gwlb_stack(&r, "172.16.0.10", "198.51.100.1");
        if (trusted)
            r.tunnels[0].flags |= MDEC_TF_TRANSPORT;
        assert_int_equal(mdec_session_set_allow(t, sv, NULL, 0), 0);
        assert_int_equal(process(t, &r, &m), trusted ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_FORGED);
        assert_ptr_equal(m.session, sv); /* never the GWLB's session */
        assert_int_equal(m.key_tunnel, 1);
        assert_true(same_key(&m.key, &(struct mdec_key){MDEC_KEY_VXLAN, 1, {0}, 4711}));
        /* n_local == 0: the keying tunnel's carrier source is the
         * interface, which is the inner source here. */
        assert_int_equal(m.direction, trusted ? MDEC_DIR_EGRESS : MDEC_DIR_UNKNOWN);
        /* The allow-list judges the keying tunnel's carrier, which the
         * transport vouches for; not the transport's own source. */
        assert_int_equal(mdec_session_set_allow(t, sv, &vxlan_net, 1), 0);
        assert_int_equal(process(t, &r, &m), trusted ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_FORGED);
        assert_int_equal(mdec_session_set_allow(t, sv, &gwlb_net, 1), 0);
        assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    }
    assert_int_equal(sv->counters.packets, 2);
    assert_int_equal(sv->counters.forged, 4);
    assert_int_equal(sg->counters.packets + sg->counters.forged, 0);
    /* Learning never learns from an untrusted stack either. */
    free(mem);
    struct mdec_table_config lc = {.unknown = MDEC_UNKNOWN_LEARN};
    t = new_table(4, &lc, &mem);
    gwlb_stack(&r, "172.16.0.10", "198.51.100.1");
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    assert_int_equal(mdec_table_get_stats(t)->count, 0);
    assert_int_equal(mdec_table_get_stats(t)->learn_forged, 1);
    r.tunnels[0].flags |= MDEC_TF_TRANSPORT;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_int_equal(mdec_table_get_stats(t)->count, 1);
    assert_true(same_key(&m.session->key, &(struct mdec_key){MDEC_KEY_VXLAN, 1, {0}, 4711}));
    free(mem);
}

static void test_unknown_drop(void **state)
{
    (void)state;
    void *mem;
    struct mdec_table *t = new_table(4, NULL, &mem);
    add_ok(t, vxlan(1));
    struct mdec_result r;
    struct mdec_match m;
    aws_packet(&r, 5, "10.0.0.5", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_null(m.session);
    assert_int_equal(m.index, UINT32_MAX);
    assert_int_equal(m.direction, MDEC_DIR_UNKNOWN);
    assert_int_equal(m.key_tunnel, 0);
    assert_true(same_key(&m.key, &(struct mdec_key){MDEC_KEY_VXLAN, 1, {0}, 5}));
    /* A frame without a tunnel has the key "none" and is unknown too. */
    result_init(&r);
    r.status = MDEC_STATUS_NOT_TUNNELED;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(m.key_tunnel, -1);
    assert_int_equal(m.key.kind, MDEC_KEY_NONE);
    /* So is one that failed before its first tunnel. */
    r.status = MDEC_STATUS_MALFORMED;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    const struct mdec_table_stats *st = mdec_table_get_stats(t);
    assert_int_equal(st->unknown, 3);
    assert_int_equal(st->dropped, 3);
    assert_int_equal(st->learned + st->learn_full, 0);
    assert_int_equal(mdec_table_get_stats(t)->count, 1);
    assert_int_equal(mdec_table_default(t)->counters.packets, 0);
    /* A session for "none" takes untunneled traffic. */
    struct mdec_session *none = add_ok(t, key_of(MDEC_KEY_NONE, 0, 0));
    r.status = MDEC_STATUS_NOT_TUNNELED;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_ptr_equal(m.session, none);
    assert_int_equal(none->counters.packets, 1);
    assert_int_equal(st->unknown, 3);
    /* clear zeroes the statistics. */
    mdec_table_clear(t);
    assert_int_equal(st->unknown + st->dropped, 0);
    free(mem);
}

static void test_unknown_default(void **state)
{
    (void)state;
    struct mdec_table_config cfg = {.unknown = MDEC_UNKNOWN_DEFAULT};
    void *mem;
    struct mdec_table *t = new_table(4, &cfg, &mem);
    struct mdec_session *known = add_ok(t, vxlan(1));
    struct mdec_session *d = mdec_table_default(t);
    struct mdec_result r;
    struct mdec_match m;
    aws_packet(&r, 5, "10.0.0.5", "10.0.0.5", "10.0.0.6", 60, 50, MDEC_STATUS_OK);
    assert_int_equal(mdec_table_classify(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_ptr_equal(m.session, d);
    assert_int_equal(m.index, 4);
    assert_int_equal(d->counters.packets, 0); /* classify writes nothing */
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_ptr_equal(m.session, d);
    assert_int_equal(m.direction, MDEC_DIR_EGRESS);
    assert_int_equal(d->counters.packets, 1);
    assert_int_equal(d->counters.bytes_wire, 60);
    assert_int_equal(d->counters.bytes_cap, 50);
    /* Known keys still go to their own session. */
    aws_packet(&r, 1, "10.0.0.5", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_ptr_equal(m.session, known);
    /* Untunneled frames too go to the default session. */
    result_init(&r);
    r.status = MDEC_STATUS_NOT_TUNNELED;
    r.wire_len = r.cap_len = 70;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_ptr_equal(m.session, d);
    assert_int_equal(d->counters.bytes_wire, 130);
    /* The default session's allow-list applies to unknown keys. */
    struct mdec_prefix p = prefix_of("10.0.0.0/8");
    assert_int_equal(mdec_session_set_allow(t, d, &p, 1), 0);
    aws_packet(&r, 9, "192.0.2.1", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    assert_int_equal(d->counters.forged, 1);
    const struct mdec_table_stats *st = mdec_table_get_stats(t);
    assert_int_equal(st->unknown, 3);
    assert_int_equal(st->dropped, 0);
    assert_int_equal(mdec_table_get_stats(t)->count, 1);
    free(mem);
}

static void test_unknown_learn(void **state)
{
    (void)state;
    struct mdec_table_config cfg = {.unknown = MDEC_UNKNOWN_LEARN};
    void *mem;
    struct mdec_table *t = new_table(3, &cfg, &mem);
    const struct mdec_table_stats *st = mdec_table_get_stats(t);
    struct mdec_result r;
    struct mdec_match m;
    aws_packet(&r, 1, "10.0.0.5", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_OK);
    /* classify does not learn. */
    assert_int_equal(mdec_table_classify(t, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(mdec_table_get_stats(t)->count, 0);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_int_equal(mdec_table_get_stats(t)->count, 1);
    struct mdec_session *s1 = m.session;
    assert_non_null(s1);
    assert_string_equal(s1->name, "vxlan:1");
    assert_int_equal(m.direction, MDEC_DIR_EGRESS);
    assert_int_equal(m.index, s1->index);
    assert_int_equal(s1->counters.packets, 1);
    struct mdec_key k = vxlan(1);
    assert_ptr_equal(mdec_table_find(t, &k), s1);
    assert_int_equal(st->unknown, 1);
    assert_int_equal(st->learned, 1);
    /* The next packet of that key is known. */
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_ptr_equal(m.session, s1);
    assert_int_equal(s1->counters.packets, 2);
    assert_int_equal(st->unknown, 1);
    /* Untunneled traffic learns a "none" session, a GWLB stack its key. */
    result_init(&r);
    r.status = MDEC_STATUS_NOT_TUNNELED;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_string_equal(m.session->name, "none");
    gwlb_stack(&r, "172.16.0.10", "198.51.100.1");
    r.n_tunnels = 1; /* the GWLB alone */
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_string_equal(m.session->name, "gwlb:0x0123456789abcdef");
    assert_int_equal(mdec_table_get_stats(t)->count, 3);
    assert_int_equal(st->learned, 3);
    /* Full: unknown keys are dropped and counted as learn_full. */
    aws_packet(&r, 2, "10.0.0.5", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_null(m.session);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(st->learn_full, 2);
    assert_int_equal(st->dropped, 2);
    assert_int_equal(st->unknown, 5);
    assert_int_equal(st->learned, 3);
    assert_int_equal(mdec_table_get_stats(t)->count, 3);
    /* Known sessions go on working. */
    aws_packet(&r, 1, "10.0.0.5", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_ptr_equal(m.session, s1);
    /* Room again: learning resumes. */
    assert_int_equal(mdec_table_remove(t, &k), 0);
    aws_packet(&r, 2, "10.0.0.5", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_string_equal(m.session->name, "vxlan:2");
    assert_int_equal(st->learned, 4);
    /* A key no session can have (a hand-made result) is dropped, not
     * learned. */
    aws_packet(&r, 1u << 24, "10.0.0.5", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_OK);
    k = vxlan(2);
    assert_int_equal(mdec_table_remove(t, &k), 0);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(st->learned, 4);
    assert_int_equal(st->learn_full, 2);
    assert_int_equal(st->dropped, 3);
    free(mem);
}

static void test_counters_mix(void **state)
{
    (void)state;
    void *mem;
    struct mdec_table *t = new_table(4, NULL, &mem);
    struct mdec_session *s = add_ok(t, vxlan(7));
    struct mdec_prefix p = prefix_of("10.0.0.0/24");
    assert_int_equal(mdec_session_set_allow(t, s, &p, 1), 0);
    struct mdec_result r;
    struct mdec_match m;
    aws_packet(&r, 7, "10.0.0.5", "10.0.0.5", "10.0.0.6", 100, 100, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    /* Cut by the mirror: wire and captured bytes differ. */
    aws_packet(&r, 7, "10.0.0.5", "10.0.0.5", "10.0.0.6", 1500, 200, MDEC_STATUS_TRUNCATED);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    /* Malformed inside the inner packet. */
    aws_packet(&r, 7, "10.0.0.5", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_MALFORMED);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    /* Malformed before the inner packet began: the frame's lengths. */
    aws_packet(&r, 7, "10.0.0.5", NULL, NULL, 0, 0, MDEC_STATUS_MALFORMED);
    r.spans_present = 1u << MDEC_SPAN_OUTER_IP | 1u << MDEC_SPAN_OUTER_L4;
    r.has_inner = 0;
    r.wire_len = r.cap_len = 80;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    /* Truncated before the inner packet began. */
    aws_packet(&r, 7, "10.0.0.5", NULL, NULL, 0, 0, MDEC_STATUS_TRUNCATED);
    r.spans_present = 1u << MDEC_SPAN_OUTER_IP;
    r.has_inner = 0; /* failed before the inner packet: the frame's lengths count */
    r.wire_len = 90;
    r.cap_len = 48;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    /* Forged ones count as forged only, truncated or not. */
    aws_packet(&r, 7, "10.0.1.5", "10.0.0.5", "10.0.0.6", 1500, 99, MDEC_STATUS_TRUNCATED);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    aws_packet(&r, 7, "10.0.1.5", "10.0.0.5", "10.0.0.6", 60, 60, MDEC_STATUS_MALFORMED);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);

    const struct mdec_counters *c = &s->counters;
    assert_int_equal(c->packets, 5);
    assert_int_equal(c->bytes_wire, 100 + 1500 + 60 + 80 + 90);
    assert_int_equal(c->bytes_cap, 100 + 200 + 60 + 80 + 48);
    assert_int_equal(c->truncated, 2);
    assert_int_equal(c->malformed, 2);
    assert_int_equal(c->filtered, 0);
    assert_int_equal(c->forged, 2);

    /* mdec_counters_add on its own. */
    struct mdec_counters x;
    memset(&x, 0, sizeof x);
    aws_packet(&r, 7, "10.0.0.5", "10.0.0.5", "10.0.0.6", 1000, 300, MDEC_STATUS_TRUNCATED);
    mdec_counters_add(&x, &r, MDEC_VERDICT_REJECT);
    assert_int_equal(x.packets, 1);
    assert_int_equal(x.filtered, 1);
    assert_int_equal(x.truncated, 1);
    assert_int_equal(x.bytes_wire, 1000);
    assert_int_equal(x.bytes_cap, 300);
    const struct mdec_counters y = x;
    mdec_counters_add(&x, &r, MDEC_VERDICT_UNKNOWN_SESSION);
    mdec_counters_add(&x, &r, (enum mdec_verdict)9);
    assert_memory_equal(&x, &y, sizeof x);
    mdec_counters_add(&x, &r, MDEC_VERDICT_FORGED);
    assert_int_equal(x.forged, 1);
    assert_int_equal(x.packets, 1);
    free(mem);
}

/* A filter in fresh memory from rule text; *mem to free(). */
static struct mdec_filter *new_filter(const char *rules, void **mem)
{
    const size_t need = mdec_filter_size(16);
    assert_true(need > 0);
    *mem = aligned_alloc(MDEC_FILTER_ALIGN, (need + 15) / 16 * 16);
    assert_non_null(*mem);
    struct mdec_filter *f = mdec_filter_init(*mem, need, 16);
    assert_non_null(f);
    struct mdec_parse_error e;
    if (mdec_filter_parse(f, rules, strlen(rules), &e) != 0)
        fail_msg("filter line %u column %u: %s", e.line, e.column, e.message);
    return f;
}

static void test_filter(void **state)
{
    (void)state;
    void *mem, *fmem;
    struct mdec_table *t = new_table(4, NULL, &mem);
    struct mdec_session *s = add_ok(t, vxlan(3));
    /* Ingress to the ENI on 443, and everything it sends. */
    assert_int_equal(mdec_session_set_filter(t, s, new_filter("ingress 100 accept tcp any any dport 443\n"
                           "egress 100 accept all any any\n",
                           &fmem)), 0);
    struct mdec_result r;
    struct mdec_match m;
    /* Egress: accepted by the egress rule. */
    aws_packet(&r, 3, "10.0.0.5", "10.0.0.5", "198.51.100.1", 80, 80, MDEC_STATUS_OK);
    r.flow.flags |= MDEC_FLOW_PORTS;
    r.flow.sport = 40000;
    r.flow.dport = 22;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_int_equal(m.direction, MDEC_DIR_EGRESS);
    /* Ingress to port 22: no ingress rule matches, rejected. */
    aws_packet(&r, 3, "10.0.0.5", "198.51.100.1", "10.0.0.5", 80, 80, MDEC_STATUS_OK);
    r.flow.flags |= MDEC_FLOW_PORTS;
    r.flow.sport = 40000;
    r.flow.dport = 22;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_REJECT);
    assert_int_equal(m.direction, MDEC_DIR_INGRESS);
    assert_ptr_equal(m.session, s);
    /* Ingress to 443: accepted. */
    r.flow.dport = 443;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_int_equal(s->counters.packets, 3);
    assert_int_equal(s->counters.filtered, 1);
    assert_int_equal(s->counters.bytes_wire, 240);
    /* The filter is not consulted for forged packets. */
    struct mdec_prefix p = prefix_of("10.0.0.5");
    assert_int_equal(mdec_session_set_allow(t, s, &p, 1), 0);
    aws_packet(&r, 3, "10.0.0.6", "198.51.100.1", "10.0.0.5", 80, 80, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    assert_int_equal(s->counters.filtered, 1);
    assert_int_equal(s->counters.forged, 1);
    free(fmem);
    free(mem);
}

/* Learned sessions start from the table's template: the packet that creates
 * one is filtered, and a source outside the learn allow-list creates none. */
static void test_learn_template(void **state)
{
    (void)state;
    void *mem, *fmem;
    struct mdec_prefix vpc = prefix_of("10.0.0.0/16");
    struct mdec_table_config cfg = {
                                   .unknown = MDEC_UNKNOWN_LEARN,
                                   .learn_allow = &vpc,
                                   .n_learn_allow = 1};
    cfg.learn_filter = new_filter("egress 10 accept tcp any any dport 443\n", &fmem);
    struct mdec_table *t = new_table(4, &cfg, &mem);
    const struct mdec_table_stats *st = mdec_table_get_stats(t);
    struct mdec_result r;
    struct mdec_match m;

    /* From inside the VPC, not port 443: learned, and already filtered. */
    aws_packet(&r, 7, "10.0.0.5", "10.0.0.5", "198.51.100.1", 60, 60, MDEC_STATUS_OK);
    r.flow.flags |= MDEC_FLOW_PORTS;
    r.flow.sport = 40000;
    r.flow.dport = 80;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_REJECT);
    assert_non_null(m.session);
    assert_int_equal(m.session->counters.filtered, 1); /* the template's filter */
    r.flow.dport = 443;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_int_equal(st->learned, 1);

    /* A forged source for a new key: refused, nothing learned. */
    aws_packet(&r, 8, "203.0.113.66", "10.0.0.5", "198.51.100.1", 60, 60, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    assert_null(m.session);
    assert_int_equal(mdec_table_get_stats(t)->count, 1);
    assert_int_equal(st->learn_forged, 1);
    assert_int_equal(st->dropped, 1);
    /* A forged source for the learned key: refused by its session. */
    aws_packet(&r, 7, "203.0.113.66", "10.0.0.5", "198.51.100.1", 60, 60, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    assert_int_equal(m.session->counters.forged, 1);
    assert_int_equal(st->learn_forged, 1);

    /* An allowed sender's packet that is no mirrored IP packet (garbage
     * behind a tunnel header), or malformed: nothing learned, counted. */
    aws_packet(&r, 9, "10.0.0.5", NULL, NULL, 60, 60, MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    aws_packet(&r, 9, "10.0.0.5", "10.0.0.5", "198.51.100.1", 60, 60, MDEC_STATUS_MALFORMED);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_null(m.session);
    assert_int_equal(st->learn_invalid, 2);
    assert_int_equal(st->learned, 1);
    assert_int_equal(mdec_table_get_stats(t)->count, 1);

    /* A learn allow-list without its array, or longer than a session's
     * allow-list can be, is refused at init. */
    struct mdec_prefix many[MDEC_SESSION_ALLOW + 1];
    for (unsigned i = 0; i <= MDEC_SESSION_ALLOW; i++)
        many[i] = vpc;
    void *mem2 = aligned_alloc(MDEC_TABLE_ALIGN, mdec_table_size(4));
    cfg.learn_allow = many;
    cfg.n_learn_allow = MDEC_SESSION_ALLOW;
    assert_non_null(mdec_table_init(mem2, mdec_table_size(4), 4, &cfg));
    cfg.n_learn_allow = MDEC_SESSION_ALLOW + 1;
    assert_null(mdec_table_init(mem2, mdec_table_size(4), 4, &cfg));
    cfg.learn_allow = NULL;
    cfg.n_learn_allow = 1;
    assert_null(mdec_table_init(mem2, mdec_table_size(4), 4, &cfg));
    free(mem2);
    free(mem);
    free(fmem);
}

/* A real frame through the decoder and the table: AWS VXLAN mirroring of a
 * TCP SYN sent by the mirrored ENI 10.0.0.5 (the outer source). */
static void test_decoded_packet(void **state)
{
    (void)state;
    static const uint8_t frame[] = {
        /* Ethernet: dst, src, IPv4 */
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
        /* IPv4 10.0.0.5 -> 10.0.0.250, UDP, total length 20 + 8 + 8 + 54 = 90 */
        0x45, 0x00, 0x00, 0x5a, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 10, 0, 0, 5,
        10, 0, 0, 250,
        /* UDP 50000 -> 4789, length 70, no checksum */
        0xc3, 0x50, 0x12, 0xb5, 0x00, 0x46, 0x00, 0x00,
        /* VXLAN: I flag, VNI 123 */
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7b, 0x00,
        /* inner Ethernet */
        0x02, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x03, 0x08, 0x00,
        /* inner IPv4 10.0.0.5 -> 198.51.100.1, TCP, total length 40 */
        0x45, 0x00, 0x00, 0x28, 0x00, 0x02, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 10, 0, 0, 5,
        198, 51, 100, 1,
        /* TCP 40000 -> 443, SYN */
        0x9c, 0x40, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02,
        0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
    };
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    struct mdec_result r;
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, frame, sizeof frame, sizeof frame, &r),
                     MDEC_STATUS_OK);
    struct mdec_table_config tcfg = {.unknown = MDEC_UNKNOWN_LEARN};
    void *mem;
    struct mdec_table *t = new_table(4, &tcfg, &mem);
    struct mdec_match m;
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    assert_non_null(m.session);
    assert_string_equal(m.session->name, "vxlan:123");
    assert_int_equal(m.direction, MDEC_DIR_EGRESS);
    assert_int_equal(m.session->counters.bytes_wire, 14 + 40);
    assert_int_equal(m.session->counters.bytes_cap, 14 + 40);
    /* Only the ENI itself may send this session's mirror traffic. */
    struct mdec_prefix p = prefix_of("10.0.0.5");
    assert_int_equal(mdec_session_set_allow(t, m.session, &p, 1), 0);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_ACCEPT);
    uint8_t forged[sizeof frame];
    memcpy(forged, frame, sizeof frame);
    forged[14 + 15] = 6; /* outer source 10.0.0.6 */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, forged, sizeof forged, sizeof forged,
                                 &r),
                     MDEC_STATUS_OK);
    assert_int_equal(process(t, &r, &m), MDEC_VERDICT_FORGED);
    assert_int_equal(m.session->counters.packets, 2);
    assert_int_equal(m.session->counters.forged, 1);
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_and_init),
        cmocka_unit_test(test_add_find_remove),
        cmocka_unit_test(test_session_name),
        cmocka_unit_test(test_full_table),
        cmocka_unit_test(test_iteration),
        cmocka_unit_test(test_remove_during_iteration),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_slot_index_stable),
        cmocka_unit_test(test_churn_against_reference),
        cmocka_unit_test(test_100k_sessions),
        cmocka_unit_test(test_key_format),
        cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_key_from_result),
        cmocka_unit_test(test_forged_sources),
        cmocka_unit_test(test_direction),
        cmocka_unit_test(test_trust_nested),
        cmocka_unit_test(test_unknown_drop),
        cmocka_unit_test(test_unknown_default),
        cmocka_unit_test(test_unknown_learn),
        cmocka_unit_test(test_learn_template),
        cmocka_unit_test(test_counters_mix),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_decoded_packet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

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
    int err = 12345;
    struct mdec_session *s = mdec_table_add(t, &k, &err);
    assert_non_null(s);
    assert_int_equal(err, 0);
    return s;
}

static void add_fails(struct mdec_table *t, struct mdec_key k, int want)
{
    int err = 0;
    assert_null(mdec_table_add(t, &k, &err));
    assert_int_equal(err, want);
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
    assert_null(mdec_table_init(mem + 1, need + 8, cap, NULL));
    assert_null(mdec_table_init(mem, need, 0, NULL));                 /* capacity 0 */
    assert_null(mdec_table_init(mem, need, (UINT32_C(1) << 26) + 1, NULL));
    /* The size of a smaller table is not enough for a bigger one. */
    assert_null(mdec_table_init(mem, mdec_table_size(4), cap, NULL));
    struct mdec_table_config bad = {MDEC_KEY_OUTERMOST + 1, MDEC_UNKNOWN_DROP};
    assert_null(mdec_table_init(mem, need, cap, &bad));
    bad.key_select = MDEC_KEY_INNERMOST;
    bad.unknown = MDEC_UNKNOWN_LEARN + 1;
    assert_null(mdec_table_init(mem, need, cap, &bad));

    memset(mem, 0xFF, need + 64);
    struct mdec_table *t = mdec_table_init(mem + 16, need, cap, NULL); /* 16 is aligned */
    assert_ptr_equal(t, mem + 16);
    assert_int_equal(mdec_table_count(t), 0);
    assert_int_equal(mdec_table_capacity(t), cap);
    assert_null(mdec_table_next(t, NULL));
    struct mdec_session *d = mdec_table_default(t);
    assert_non_null(d);
    assert_int_equal(mdec_session_index(t, d), cap);
    assert_int_equal(d->key.kind, MDEC_KEY_NONE);
    assert_int_equal(d->n_allow, 0);
    assert_null(d->filter);
    assert_int_equal(d->counters.packets, 0);
    const struct mdec_table_stats *st = mdec_table_stats(t);
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
    assert_null(a->filter);
    assert_null(a->allow);
    assert_int_equal(a->n_allow, 0);
    assert_int_equal(a->n_local, 0);
    assert_int_equal(a->counters.packets, 0);
    assert_int_equal(mdec_table_count(t), 1);

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
    assert_null(mdec_table_add(t, &k, NULL)); /* err may be NULL */
    assert_int_equal(mdec_table_count(t), 3);

    /* Keys no session can have. */
    add_fails(t, key_of((enum mdec_key_kind)7, 1, 1), MDEC_E_INVALID);
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
    int err = 0;
    assert_null(mdec_table_add(t, NULL, &err));
    assert_int_equal(err, MDEC_E_INVALID);
    assert_int_equal(mdec_table_count(t), 3);

    /* The largest id of every kind fits. */
    add_ok(t, key_of(MDEC_KEY_VXLAN, 1, 0xFFFFFF));
    add_ok(t, key_of(MDEC_KEY_VXLAN_GPE, 1, 0xFFFFFF));
    add_ok(t, key_of(MDEC_KEY_ERSPAN, 1, 1023));
    add_ok(t, key_of(MDEC_KEY_GRE, 1, 0xFFFFFFFF));
    add_ok(t, key_of(MDEC_KEY_GWLB, 1, UINT64_MAX));
    add_ok(t, key_of(MDEC_KEY_NONE, 0, 0)); /* untunneled traffic */
    assert_int_equal(mdec_table_count(t), 9);

    k = vxlan(123);
    assert_int_equal(mdec_table_remove(t, &k), 0);
    assert_null(mdec_table_find(t, &k));
    assert_int_equal(mdec_table_remove(t, &k), MDEC_E_NOTFOUND);
    k = vxlan(999);
    assert_int_equal(mdec_table_remove(t, &k), MDEC_E_NOTFOUND);
    assert_int_equal(mdec_table_count(t), 8);
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
    assert_int_equal(mdec_session_set_name(s, "eni-0abc"), 0);
    assert_string_equal(s->name, "eni-0abc");
    char long_name[64];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(mdec_session_set_name(s, long_name), MDEC_E_NOSPACE);
    assert_int_equal(strlen(s->name), MDEC_NAME_MAX - 1);
    assert_int_equal(mdec_session_set_name(s, long_name + sizeof long_name - MDEC_NAME_MAX), 0);
    assert_int_equal(strlen(s->name), MDEC_NAME_MAX - 1);
    assert_int_equal(mdec_session_set_name(s, NULL), 0);
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
    assert_int_equal(mdec_table_count(t), 4);
    add_fails(t, vxlan(4), MDEC_E_NOSPACE);
    /* A duplicate says so even when the table is full. */
    add_fails(t, vxlan(2), MDEC_E_EXISTS);
    add_fails(t, key_of(MDEC_KEY_ERSPAN, 1, 5000), MDEC_E_INVALID);
    assert_int_equal(mdec_table_count(t), 4);
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
        const uint32_t idx = mdec_session_index(t, s);
        assert_true(idx < mdec_table_capacity(t));
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
    assert_int_equal(mdec_session_index(t, other), UINT32_MAX);
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
    assert_int_equal(mdec_table_count(t), CAP - (CAP + 2) / 3);
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
    assert_int_equal(mdec_table_count(t), 0);
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
    assert_int_equal(mdec_session_set_name(d, "default"), 0);
    d->counters.packets = 5;
    mdec_table_clear(t);
    assert_int_equal(mdec_table_count(t), 0);
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
    const uint32_t ia = mdec_session_index(t, a), ic = mdec_session_index(t, c);
    assert_int_not_equal(ia, ic);
    assert_int_not_equal(mdec_session_index(t, b), ia);
    struct mdec_key k = vxlan(2);
    assert_int_equal(mdec_table_remove(t, &k), 0);
    /* Churn: many adds and removes around a and c. */
    for (int round = 0; round < 2000; round++) {
        k = vxlan(100 + rnd() % 200);
        if (mdec_table_find(t, &k))
            assert_int_equal(mdec_table_remove(t, &k), 0);
        else if (mdec_table_count(t) < CAP)
            add_ok(t, k);
        k = vxlan(1);
        assert_ptr_equal(mdec_table_find(t, &k), a);
        k = vxlan(3);
        assert_ptr_equal(mdec_table_find(t, &k), c);
    }
    assert_int_equal(mdec_session_index(t, a), ia);
    assert_int_equal(mdec_session_index(t, c), ic);
    assert_int_equal(a->key.id, 1);
    assert_int_equal(c->key.id, 3);
    /* Live sessions have distinct slots below capacity. */
    static uint8_t used[CAP];
    memset(used, 0, sizeof used);
    for (struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s)) {
        uint32_t i = mdec_session_index(t, s);
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
        assert_int_equal(mdec_table_count(t), count);
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
    assert_int_equal(mdec_table_count(t), N);
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
    assert_int_equal(mdec_table_count(t), N / 2);
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
    assert_int_equal(mdec_table_count(t), 0);
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
        const enum mdec_key_kind kind = (enum mdec_key_kind)(1 + rnd() % 6);
        static const uint64_t max[] = {0, 0xFFFFFF, 0xFFFFFF, 0xFFFFFF, 1023, 0xFFFFFFFF,
                                       UINT64_MAX};
        struct mdec_key k = key_of(kind, 1, rnd() & max[kind]);
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
    r->status = MDEC_OK;
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
    r.status = MDEC_NOT_TUNNELED;
    memset(&k, 0xEE, sizeof k);
    assert_int_equal(mdec_key_from_result(&r, MDEC_KEY_INNERMOST, &k), -1);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_NONE, 0, {0}, 0}));
    assert_int_equal(k.pad_[0], 0);

    /* AWS mirroring behind a GWLB: GENEVE with the endpoint option, then
     * the mirror's VXLAN. */
    struct mdec_tunnel *g = push_tunnel(&r, MDEC_TUNNEL_GENEVE, 1, 0, "10.9.0.5", "10.9.1.7");
    g->u.geneve.have = MDEC_GWLB_ENDPOINT | MDEC_GWLB_COOKIE;
    g->u.geneve.gwlb_endpoint = UINT64_C(0x0123456789abcdef);
    push_tunnel(&r, MDEC_TUNNEL_VXLAN, 1, 4711, "172.16.0.10", "172.16.0.99");
    r.status = MDEC_OK;
    assert_int_equal(mdec_key_from_result(&r, MDEC_KEY_INNERMOST, &k), 1);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_VXLAN, 1, {0}, 4711}));
    assert_int_equal(mdec_key_from_result(&r, MDEC_KEY_OUTERMOST, &k), 0);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_GWLB, 1, {0}, 0x0123456789abcdefu}));
    /* Without the endpoint option the GENEVE VNI keys. */
    g->u.geneve.have = MDEC_GWLB_COOKIE;
    g->id = 77;
    assert_int_equal(mdec_key_from_result(&r, MDEC_KEY_OUTERMOST, &k), 0);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_GENEVE, 1, {0}, 77}));

    /* Tunnels without an id. */
    result_init(&r);
    push_tunnel(&r, MDEC_TUNNEL_ERSPAN, 0, 0, "192.0.2.1", "192.0.2.2");
    assert_int_equal(mdec_key_from_result(&r, MDEC_KEY_INNERMOST, &k), 0);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_ERSPAN, 0, {0}, 0}));
    push_tunnel(&r, MDEC_TUNNEL_GRE, 1, 0xDEADBEEF, "192.0.2.1", "192.0.2.2");
    assert_int_equal(mdec_key_from_result(&r, MDEC_KEY_INNERMOST, &k), 1);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_GRE, 1, {0}, 0xDEADBEEF}));
    /* A stale id without MDEC_TF_ID is not used. */
    result_init(&r);
    struct mdec_tunnel *v = push_tunnel(&r, MDEC_TUNNEL_VXLAN_GPE, 0, 0, NULL, NULL);
    v->id = 99;
    assert_int_equal(mdec_key_from_result(&r, MDEC_KEY_INNERMOST, &k), 0);
    assert_true(same_key(&k, &(struct mdec_key){MDEC_KEY_VXLAN_GPE, 0, {0}, 0}));
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_session_threads.c - the two thread models session.h documents:
 *
 *  1. one table per worker: each worker owns a table and calls
 *     mdec_table_process() on it; nothing is shared;
 *  2. one table shared read-only: workers call only mdec_table_classify()
 *     and keep per-worker counter arrays indexed by the match's slot index;
 *     the sums must equal what mdec_table_process() counts single-threaded,
 *     and the shared table must be left untouched.
 *
 * Run it under -fsanitize=thread to have the shared model checked for
 * races (the MDEC_SANITIZE build checks memory errors).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { WORKERS = 4, ROUNDS = 200 };

static void *aligned(size_t size, size_t align)
{
    void *p = aligned_alloc(align, (size + align - 1) / align * align);
    assert_non_null(p);
    return p;
}

static struct mdec_prefix prefix_of(const char *text)
{
    struct mdec_prefix p;
    assert_int_equal(mdec_prefix_parse(text, strlen(text), &p, NULL), 0);
    return p;
}

static struct mdec_key vxlan(uint64_t vni)
{
    return (struct mdec_key){.kind = MDEC_KEY_VXLAN, .has_id = 1, .id = vni};
}

/* A VXLAN mirror packet of vni from outer_src carrying src -> dst (TCP to
 * port dport), inner length wire/cap, with a status. */
static void packet(struct mdec_result *r, uint32_t vni, const char *outer_src, const char *src,
                   const char *dst, uint16_t dport, uint32_t wire, uint32_t cap,
                   enum mdec_status status)
{
    memset(r, 0, sizeof *r);
    r->status = (uint8_t)status;
    r->n_tunnels = 1;
    struct mdec_tunnel *t = &r->tunnels[0];
    t->type = MDEC_TUNNEL_VXLAN;
    t->flags = MDEC_TF_ID | MDEC_TF_CARRIER;
    t->id = vni;
    t->src = addr_of(outer_src);
    t->dst = addr_of("10.0.0.250");
    r->spans_present = 1u << MDEC_SPAN_INNER_LINK | 1u << MDEC_SPAN_INNER_IP;
    r->has_inner = 1;
    r->inner.wire_len = wire;
    r->inner.cap_len = cap;
    r->wire_len = wire + 50;
    r->cap_len = cap + 50;
    r->flow.flags = MDEC_FLOW_IP | MDEC_FLOW_PORTS;
    r->flow.src = addr_of(src);
    r->flow.dst = addr_of(dst);
    r->flow.proto = 6;
    r->flow.sport = 40000;
    r->flow.dport = dport;
}

/* ------------------------------------------------- 1. a table per worker */

struct own_worker {
    uint32_t id;
    int ok;
    struct mdec_result packets[20]; /* built before the thread starts */
};

static void *own_table_worker(void *arg)
{
    struct own_worker *w = arg;
    struct mdec_table_config cfg = {.unknown = MDEC_UNKNOWN_LEARN};
    /* No cmocka assertions in a worker thread: it records failure in ok. */
    const size_t need = mdec_table_size(16);
    void *mem = aligned_alloc(MDEC_TABLE_ALIGN, (need + 15) / 16 * 16);
    struct mdec_table *t = mem ? mdec_table_init(mem, need, 16, &cfg) : NULL;
    struct mdec_match m;
    w->ok = t != NULL;
    /* Every worker sees the same 20 VNIs: its own table learns the first
     * 16 of them, with no interference from the others, and is then full. */
    for (uint32_t i = 0; t && i < ROUNDS * 20; i++) {
        const uint32_t n = i % 20;
        const enum mdec_verdict want = n < 16 ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_UNKNOWN_SESSION;
        if (mdec_table_process(t, &w->packets[n], &m) != want)
            w->ok = 0;
    }
    if (t) {
        /* 16 sessions learned; the 4 other VNIs were refused, table full. */
        const struct mdec_table_stats *st = mdec_table_get_stats(t);
        if (st->count != 16 || st->learned != 16 || st->learn_full != ROUNDS * 4)
            w->ok = 0;
        for (struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s))
            if (s->counters.packets != ROUNDS ||
                s->counters.bytes_wire != (uint64_t)ROUNDS * (100 + w->id))
                w->ok = 0;
    }
    free(mem);
    return NULL;
}

static void test_table_per_worker(void **state)
{
    (void)state;
    pthread_t th[WORKERS];
    static struct own_worker w[WORKERS];
    for (uint32_t i = 0; i < WORKERS; i++) {
        w[i].id = i;
        w[i].ok = 0;
        for (uint32_t n = 0; n < 20; n++)
            packet(&w[i].packets[n], 100 + n, "10.0.0.5", "10.0.0.5", "198.51.100.1", 443,
                   100 + i, 100, MDEC_STATUS_OK);
        assert_int_equal(pthread_create(&th[i], NULL, own_table_worker, &w[i]), 0);
    }
    for (uint32_t i = 0; i < WORKERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_true(w[i].ok);
    }
}

/* ------------------------------------- 2. one shared read-only table */

enum { N_PACKETS = 12 };

struct shared {
    const struct mdec_table *t;
    const struct mdec_result *packets;
    uint32_t slots; /* capacity + 1 */
};

struct shared_worker {
    const struct shared *sh;
    struct mdec_counters *counters; /* this worker's, slots entries */
    uint64_t unknown;               /* packets with no session       */
};

static void *shared_table_worker(void *arg)
{
    struct shared_worker *w = arg;
    struct mdec_match m;
    for (uint32_t round = 0; round < ROUNDS; round++) {
        for (uint32_t i = 0; i < N_PACKETS; i++) {
            const struct mdec_result *r = &w->sh->packets[(i + round) % N_PACKETS];
            const enum mdec_verdict v = mdec_table_classify(w->sh->t, r, &m);
            if (v == MDEC_VERDICT_UNKNOWN_SESSION) {
                w->unknown++;
                continue;
            }
            if (m.index < w->sh->slots)
                mdec_counters_add(&w->counters[m.index], r, v);
        }
    }
    return NULL;
}

/* Builds the sessions both tables hold: same keys, allow-lists, filter. */
static void populate(struct mdec_table *t, const struct mdec_prefix *allow,
                     const struct mdec_filter *f)
{
    for (uint64_t vni = 1; vni <= 5; vni++) {
        struct mdec_session *s;
        assert_int_equal(mdec_table_add(t, &(struct mdec_key){MDEC_KEY_VXLAN, 1, {0}, vni}, &s),
                         0);
        if (vni == 2)
            assert_int_equal(mdec_session_set_allow(t, s, allow, 1), 0);
        if (vni == 3)
            assert_int_equal(mdec_session_set_filter(t, s, f), 0);
    }
}

static void test_shared_read_only_table(void **state)
{
    (void)state;
    const uint32_t cap = 8;
    struct mdec_table_config cfg = {.unknown = MDEC_UNKNOWN_DEFAULT};
    const struct mdec_prefix allow = prefix_of("10.0.0.0/24");

    const size_t fneed = mdec_filter_size(4);
    void *fmem = aligned(fneed, MDEC_FILTER_ALIGN);
    struct mdec_filter *f = mdec_filter_init(fmem, fneed, 4);
    assert_non_null(f);
    static const char rules[] = "ingress 10 accept tcp any any dport 443\n"
                                "egress 10 accept all any any\n";
    assert_int_equal(mdec_filter_parse(f, rules, sizeof rules - 1, NULL), 0);

    const size_t need = mdec_table_size(cap);
    void *mem = aligned(need, MDEC_TABLE_ALIGN);
    void *ref_mem = aligned(need, MDEC_TABLE_ALIGN);
    struct mdec_table *t = mdec_table_init(mem, need, cap, &cfg);
    struct mdec_table *ref = mdec_table_init(ref_mem, need, cap, &cfg);
    assert_non_null(t);
    assert_non_null(ref);
    populate(t, &allow, f);
    populate(ref, &allow, f);

    /* A mix: accepted, forged, filtered, truncated, unknown (default). */
    struct mdec_result packets[N_PACKETS];
    packet(&packets[0], 1, "10.0.0.5", "10.0.0.5", "198.51.100.1", 80, 100, 100, MDEC_STATUS_OK);
    packet(&packets[1], 1, "10.0.0.5", "198.51.100.1", "10.0.0.5", 80, 1500, 300, MDEC_STATUS_TRUNCATED);
    packet(&packets[2], 2, "10.0.0.6", "10.0.0.6", "198.51.100.1", 80, 60, 60, MDEC_STATUS_OK);
    packet(&packets[3], 2, "10.9.0.6", "10.9.0.6", "198.51.100.1", 80, 60, 60, MDEC_STATUS_OK);
    packet(&packets[4], 3, "10.0.0.7", "198.51.100.1", "10.0.0.7", 443, 70, 70, MDEC_STATUS_OK);
    packet(&packets[5], 3, "10.0.0.7", "198.51.100.1", "10.0.0.7", 22, 70, 70, MDEC_STATUS_OK);
    packet(&packets[6], 3, "10.0.0.7", "10.0.0.7", "198.51.100.1", 22, 70, 70, MDEC_STATUS_MALFORMED);
    packet(&packets[7], 4, "10.0.0.8", "10.0.0.8", "198.51.100.1", 80, 80, 80, MDEC_STATUS_OK);
    packet(&packets[8], 5, "10.0.0.9", "10.0.0.9", "198.51.100.1", 80, 90, 90, MDEC_STATUS_OK);
    packet(&packets[9], 99, "10.0.0.9", "10.0.0.9", "198.51.100.1", 80, 90, 90, MDEC_STATUS_OK);
    packet(&packets[10], 98, "10.0.0.9", "10.0.0.9", "198.51.100.1", 80, 50, 40,
           MDEC_STATUS_TRUNCATED);
    packet(&packets[11], 2, "10.0.0.6", "198.51.100.1", "10.0.0.6", 80, 60, 60, MDEC_STATUS_OK);

    /* The reference: what mdec_table_process counts single-threaded. */
    struct mdec_match m;
    for (uint32_t round = 0; round < WORKERS * ROUNDS; round++)
        for (uint32_t i = 0; i < N_PACKETS; i++)
            (void)mdec_table_process(ref, &packets[i], &m);
    /* The filter really refused some, the allow-list some. */
    struct mdec_key k3 = vxlan(3), k2 = vxlan(2);
    assert_true(mdec_table_find(ref, &k3)->counters.filtered > 0);
    assert_true(mdec_table_find(ref, &k2)->counters.forged > 0);
    assert_true(mdec_table_default(ref)->counters.packets > 0);

    struct shared sh = {t, packets, cap + 1};
    pthread_t th[WORKERS];
    struct shared_worker w[WORKERS];
    for (uint32_t i = 0; i < WORKERS; i++) {
        w[i].sh = &sh;
        w[i].counters = calloc(cap + 1, sizeof *w[i].counters);
        assert_non_null(w[i].counters);
        w[i].unknown = 0;
        assert_int_equal(pthread_create(&th[i], NULL, shared_table_worker, &w[i]), 0);
    }
    for (uint32_t i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);

    /* Sum the workers' arrays slot by slot; compare with the reference,
     * session by session (the default session included). */
    uint32_t compared = 0;
    for (struct mdec_session *s = mdec_table_next(t, NULL);; s = mdec_table_next(t, s)) {
        const int is_default = s == NULL;
        if (is_default)
            s = mdec_table_default(t);
        const uint32_t idx = s->index;
        assert_true(idx <= cap);
        struct mdec_counters sum;
        memset(&sum, 0, sizeof sum);
        for (uint32_t i = 0; i < WORKERS; i++) {
            sum.packets += w[i].counters[idx].packets;
            sum.bytes_wire += w[i].counters[idx].bytes_wire;
            sum.bytes_cap += w[i].counters[idx].bytes_cap;
            sum.truncated += w[i].counters[idx].truncated;
            sum.malformed += w[i].counters[idx].malformed;
            sum.filtered += w[i].counters[idx].filtered;
            sum.forged += w[i].counters[idx].forged;
        }
        const struct mdec_session *rs =
            is_default ? mdec_table_default(ref) : mdec_table_find(ref, &s->key);
        assert_non_null(rs);
        assert_memory_equal(&sum, &rs->counters, sizeof sum);
        /* The shared table itself counted nothing. */
        const struct mdec_counters zero = {0, 0, 0, 0, 0, 0, 0, 0};
        assert_memory_equal(&s->counters, &zero, sizeof zero);
        compared++;
        if (is_default)
            break;
    }
    assert_int_equal(compared, 6);
    const struct mdec_table_stats *st = mdec_table_get_stats(t);
    assert_int_equal(st->unknown + st->dropped + st->learned + st->learn_full, 0);
    /* Under the default policy no packet is without a session. */
    for (uint32_t i = 0; i < WORKERS; i++) {
        assert_int_equal(w[i].unknown, 0);
        free(w[i].counters);
    }
    assert_int_equal(mdec_table_get_stats(ref)->unknown, (uint64_t)WORKERS * ROUNDS * 2);
    free(ref_mem);
    free(mem);
    free(fmem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_per_worker),
        cmocka_unit_test(test_shared_read_only_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

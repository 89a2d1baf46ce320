/*
 * test_flowtrack.c - the flow tracker's table: sizes and arguments, both
 * directions in one flow, sessions apart, idle expiry, eviction when a
 * bucket is full (the flow idle longest goes), the burst call equal to
 * packet by packet, clearing, and SipHash-1-3 against reference values.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health_int.h"

#define S (MDEC_NS_PER_S)

/* SipHash-1-3 with the zero key over the bytes 0, 1, ..., n-1 as
 * little-endian words: the values CPython 3.11 gives hash(bytes(range(n)))
 * with PYTHONHASHSEED=0 (its string hash is SipHash-1-3; seed 0 means the
 * zero key). */
static void test_siphash_vectors(void **state)
{
    (void)state;
    static const struct {
        size_t words;
        uint64_t want;
    } v[] = {{1, UINT64_C(0xead411e67ebe2eea)},
             {2, UINT64_C(0x8972188433a5c5b7)},
             {6, UINT64_C(0xfe1f2445ba50237f)}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint64_t w[6] = {0};
        for (size_t b = 0; b < v[i].words * 8; b++)
            w[b / 8] |= (uint64_t)b << (8 * (b % 8));
        assert_true(mdec__siphash13(0, 0, w, v[i].words) == v[i].want);
    }
    /* The key matters. */
    const uint64_t w[2] = {1, 2};
    assert_true(mdec__siphash13(0, 0, w, 2) != mdec__siphash13(1, 0, w, 2));
    assert_true(mdec__siphash13(0, 0, w, 2) != mdec__siphash13(0, 1, w, 2));
}

static void test_size_and_init(void **state)
{
    (void)state;
    struct mdec_hash_key key;
    memset(&key, 0, sizeof key);
    assert_int_equal(mdec_flows_size(0, 1), 0);
    assert_int_equal(mdec_flows_size(1, 0), 0);
    assert_int_equal(mdec_flows_size((1u << 26) + 1, 1), 0);
    assert_int_equal(mdec_flows_size(1, (1u << 26) + 1), 0);
    /* Rounded up to a power of two, at least one bucket. */
    assert_int_equal(mdec_flows_size(1, 1), mdec_flows_size(8, 1));
    assert_true(mdec_flows_size(9, 1) == mdec_flows_size(16, 1));
    assert_true(mdec_flows_size(16, 1) > mdec_flows_size(8, 1));
    const size_t need = mdec_flows_size(100, 3);
    uint8_t *mem = aligned_alloc(64, need + 128);
    assert_non_null(mem);
    assert_null(mdec_flows_init(mem + 8, need, 100, 3, S, &key));    /* misaligned */
    assert_null(mdec_flows_init(mem, need - 1, 100, 3, S, &key));    /* too small  */
    assert_null(mdec_flows_init(mem, need, 100, 3, 0, &key));        /* idle 0     */
    assert_null(mdec_flows_init(mem, need, 100, 3, (UINT64_C(1) << 63) + 1, &key));
    assert_null(mdec_flows_init(mem, need, 0, 3, S, &key));
    assert_null(mdec_flows_init(mem, need, 100, 0, S, &key));
    memset(mem, 0xA5, need);                                        /* need not be zeroed */
    struct mdec_flows *t = mdec_flows_init(mem, need, 100, 3, S, &key);
    assert_ptr_equal(t, mem);
    const struct mdec_flows_stats *st = mdec_flows_get_stats(t);
    assert_int_equal(st->capacity, 128);
    assert_int_equal(st->active + st->created + st->evicted + st->expired, 0);
    for (uint32_t s = 0; s < 3; s++) {
        const struct mdec_health *h = mdec_flows_counters(t, s);
        assert_non_null(h);
        static const struct mdec_health zero;
        assert_memory_equal(h, &zero, sizeof zero);
    }
    assert_null(mdec_flows_counters(t, 3));
    free(mem);
}

static enum mdec_track tcp(struct mdec_flows *t, const char *src, const char *dst,
                           unsigned sport, unsigned dport, uint32_t session, uint64_t ts)
{
    struct pb p;
    hu_frame(&p, 7, src, dst, 6, sport, dport, 1, 0, 0x10, NULL, 0);
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    struct mdec_result r;
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_OK);
    return mdec_flows_packet(t, &r, session, ts);
}

static void test_both_directions_one_flow(void **state)
{
    (void)state;
    struct mdec_flows *t = hu_flows(64, 2, 10 * S);
    assert_int_equal(tcp(t, "10.0.0.1", "10.0.0.2", 1000, 80, 0, 1), MDEC_TRACK_NEW);
    assert_int_equal(tcp(t, "10.0.0.2", "10.0.0.1", 80, 1000, 0, 2), MDEC_TRACK_FOUND);
    assert_int_equal(tcp(t, "10.0.0.1", "10.0.0.2", 1000, 80, 0, 3), MDEC_TRACK_FOUND);
    /* Another port, another session: other flows. */
    assert_int_equal(tcp(t, "10.0.0.1", "10.0.0.2", 1001, 80, 0, 4), MDEC_TRACK_NEW);
    assert_int_equal(tcp(t, "10.0.0.1", "10.0.0.2", 1000, 80, 1, 5), MDEC_TRACK_NEW);
    /* Same addresses both ways: the ports tell the endpoints apart. */
    assert_int_equal(tcp(t, "10.0.0.9", "10.0.0.9", 5, 6, 0, 6), MDEC_TRACK_NEW);
    assert_int_equal(tcp(t, "10.0.0.9", "10.0.0.9", 6, 5, 0, 7), MDEC_TRACK_FOUND);
    const struct mdec_flows_stats *st = mdec_flows_get_stats(t);
    assert_int_equal(st->created, 4);
    assert_int_equal(st->active, 4);
    assert_int_equal(mdec_flows_counters(t, 0)->flows, 3);
    assert_int_equal(mdec_flows_counters(t, 0)->packets, 6);
    assert_int_equal(mdec_flows_counters(t, 1)->flows, 1);
    /* A session index out of range is counted apart and changes nothing. */
    assert_int_equal(tcp(t, "10.0.0.1", "10.0.0.2", 1000, 80, 2, 8), MDEC_TRACK_NONE);
    assert_int_equal(st->bad_session, 1);
    assert_int_equal(mdec_flows_counters(t, 0)->packets, 6);
    /* MDEC_FLOWS_SKIP passes a packet over, counted nowhere. */
    const struct mdec_flows_stats before = *st;
    assert_int_equal(tcp(t, "10.0.0.1", "10.0.0.2", 1000, 80, MDEC_FLOWS_SKIP, 9),
                     MDEC_TRACK_NONE);
    assert_memory_equal(st, &before, sizeof before);
    assert_int_equal(mdec_flows_counters(t, 0)->packets, 6);
    free(t);
}

static void test_idle_expiry(void **state)
{
    (void)state;
    struct mdec_flows *t = hu_flows(64, 1, 10 * S);
    assert_int_equal(tcp(t, "10.0.0.1", "10.0.0.2", 1000, 80, 0, 100 * S), MDEC_TRACK_NEW);
    assert_int_equal(tcp(t, "10.0.0.2", "10.0.0.1", 80, 1000, 0, 110 * S), MDEC_TRACK_FOUND);
    /* Exactly idle_ns later is still the flow; one more nanosecond is not. */
    assert_int_equal(tcp(t, "10.0.0.2", "10.0.0.1", 80, 1000, 0, 120 * S), MDEC_TRACK_FOUND);
    assert_int_equal(tcp(t, "10.0.0.2", "10.0.0.1", 80, 1000, 0, 130 * S + 1), MDEC_TRACK_NEW);
    const struct mdec_flows_stats *st = mdec_flows_get_stats(t);
    assert_int_equal(st->expired, 1);
    assert_int_equal(st->created, 2);
    assert_int_equal(st->active, 1);
    /* A timestamp that goes back counts as the latest seen. */
    assert_int_equal(tcp(t, "10.0.0.2", "10.0.0.1", 80, 1000, 0, 5), MDEC_TRACK_FOUND);
    free(t);
}

static void test_eviction_when_full(void **state)
{
    (void)state;
    /* Capacity 8: one bucket, so every flow competes for its 8 slots. */
    struct mdec_flows *t = hu_flows(8, 1, 1000 * S);
    char a[32];
    for (unsigned i = 0; i < 8; i++) {
        snprintf(a, sizeof a, "10.0.1.%u", i + 1);
        assert_int_equal(tcp(t, a, "10.0.0.2", 1000, 80, 0, (10 + i) * S), MDEC_TRACK_NEW);
    }
    /* Flow 1 (10.0.1.1) is touched again: flow 2 is now the idlest. */
    assert_int_equal(tcp(t, "10.0.1.1", "10.0.0.2", 1000, 80, 0, 20 * S), MDEC_TRACK_FOUND);
    assert_int_equal(tcp(t, "10.0.2.1", "10.0.0.2", 1000, 80, 0, 21 * S), MDEC_TRACK_EVICTED);
    const struct mdec_flows_stats *st = mdec_flows_get_stats(t);
    assert_int_equal(st->evicted, 1);
    assert_int_equal(st->active, 8);
    assert_int_equal(tcp(t, "10.0.1.1", "10.0.0.2", 1000, 80, 0, 22 * S), MDEC_TRACK_FOUND);
    assert_int_equal(tcp(t, "10.0.1.3", "10.0.0.2", 1000, 80, 0, 23 * S), MDEC_TRACK_FOUND);
    assert_int_equal(tcp(t, "10.0.1.2", "10.0.0.2", 1000, 80, 0, 24 * S), MDEC_TRACK_EVICTED);
    /* Past idle_ns the idlest flow is expired, not evicted. */
    assert_int_equal(tcp(t, "10.0.3.1", "10.0.0.2", 1000, 80, 0, 2000 * S), MDEC_TRACK_NEW);
    assert_int_equal(st->evicted, 2);
    assert_int_equal(st->expired, 1);
    assert_int_equal(st->created, 11);
    free(t);
}

static void test_untracked(void **state)
{
    (void)state;
    struct mdec_flows *t = hu_flows(64, 1, S);
    struct mdec_result r;
    memset(&r, 0, sizeof r);
    r.status = MDEC_STATUS_MALFORMED;
    assert_int_equal(mdec_flows_packet(t, &r, 0, 1), MDEC_TRACK_NONE);
    r.status = MDEC_STATUS_OK; /* no inner packet */
    assert_int_equal(mdec_flows_packet(t, &r, 0, 1), MDEC_TRACK_NONE);
    /* A TCP packet cut before its ports. */
    struct pb p;
    hu_frame(&p, 7, "10.0.0.1", "10.0.0.2", 6, 1, 2, 1, 0, 0x10, NULL, 0);
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, 50 + 34 + 2, p.n, &r),
                     MDEC_STATUS_TRUNCATED);
    assert_int_equal(mdec_flows_packet(t, &r, 0, 1), MDEC_TRACK_NONE);
    assert_int_equal(mdec_flows_counters(t, 0)->untracked, 3);
    assert_int_equal(mdec_flows_counters(t, 0)->packets, 3);
    assert_int_equal(mdec_flows_get_stats(t)->created, 0);
    free(t);
}

/* A deterministic mix of flows and segments, each frame kept. */
#define MIX 300
static void test_burst_equals_packets(void **state)
{
    (void)state;
    static struct pb frames[MIX];
    static struct mdec_result res[MIX];
    uint32_t session[MIX];
    uint64_t ts[MIX];
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    uint64_t x = 42;
    for (unsigned i = 0; i < MIX; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char src[32];
        snprintf(src, sizeof src, "10.0.%u.%u", (unsigned)(x % 3), (unsigned)(x >> 8) % 40);
        const int back = (x >> 20) & 1;
        const unsigned proto = (x >> 21) % 4 ? 6 : 17;
        static const uint8_t tls[64] = {23, 3, 3, 0, 20}; /* a record, then zeros */
        hu_frame(&frames[i], 7, back ? "10.9.9.9" : src, back ? src : "10.9.9.9", proto,
                 back ? 443 : 40000, back ? 40000 : 443, (uint32_t)(x >> 24) % 5000,
                 (uint32_t)(x >> 30) % 5000, 0x10, (x >> 40) % 2 ? tls : NULL,
                 (size_t)((x >> 41) % 60) + 5);
        assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, frames[i].b, frames[i].n,
                                     frames[i].n, &res[i]),
                         MDEC_STATUS_OK);
        session[i] = (uint32_t)(x >> 50) % 5; /* 3 is out of range, 4 skipped */
        if (session[i] == 4)
            session[i] = MDEC_FLOWS_SKIP;
        ts[i] = (uint64_t)i * S / 10;
    }
    struct mdec_flows *a = hu_flows(32, 3, 5 * S), *b = hu_flows(32, 3, 5 * S);
    size_t tracked = 0;
    for (unsigned i = 0; i < MIX; i++)
        tracked += mdec_flows_packet(a, &res[i], session[i], ts[i]) != MDEC_TRACK_NONE;
    assert_int_equal(mdec_flows_packet_burst(b, res, session, ts, MIX), tracked);
    assert_memory_equal(mdec_flows_get_stats(a), mdec_flows_get_stats(b),
                        sizeof(struct mdec_flows_stats));
    for (uint32_t s = 0; s < 3; s++)
        assert_memory_equal(mdec_flows_counters(a, s), mdec_flows_counters(b, s),
                            sizeof(struct mdec_health));
    assert_true(mdec_flows_get_stats(a)->evicted > 0); /* 32 slots: the mix overflows */
    assert_true(mdec_flows_get_stats(a)->bad_session > 0);
    size_t skipped = 0, bad = 0;
    for (unsigned i = 0; i < MIX; i++) {
        skipped += session[i] == MDEC_FLOWS_SKIP;
        bad += session[i] == 3;
    }
    assert_true(skipped > 0);
    assert_int_equal(mdec_flows_get_stats(a)->bad_session, bad); /* the skipped ones not */
    /* Without timestamps: the latest time seen. */
    assert_true(mdec_flows_packet_burst(b, res, session, NULL, 10) > 0);
    free(a);
    free(b);
}

static void test_clear_and_add(void **state)
{
    (void)state;
    struct mdec_flows *t = hu_flows(64, 2, S);
    assert_int_equal(tcp(t, "10.0.0.1", "10.0.0.2", 1000, 80, 1, 1), MDEC_TRACK_NEW);
    struct mdec_health sum;
    memset(&sum, 0, sizeof sum);
    mdec_health_add(&sum, mdec_flows_counters(t, 1));
    mdec_health_add(&sum, mdec_flows_counters(t, 1));
    assert_int_equal(sum.packets, 2);
    assert_int_equal(sum.flows, 2);
    assert_int_equal(sum.tcp_packets, 2);
    mdec_flows_clear(t);
    assert_int_equal(mdec_flows_counters(t, 1)->packets, 0);
    assert_int_equal(mdec_flows_get_stats(t)->active, 0);
    assert_int_equal(mdec_flows_get_stats(t)->capacity, 64);
    assert_int_equal(tcp(t, "10.0.0.1", "10.0.0.2", 1000, 80, 1, 1), MDEC_TRACK_NEW);
    free(t);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(mdec_vis_name(MDEC_VIS_CUT), "cut");
    assert_string_equal(mdec_vis_name((enum mdec_vis)4), "?");
    assert_string_equal(mdec_app_name(MDEC_APP_WIREGUARD), "wireguard");
    assert_string_equal(mdec_app_name((enum mdec_app)10), "?");
    assert_string_equal(mdec_loss_evidence_name(MDEC_LOSS_ONE_WAY), "one_way");
    assert_string_equal(mdec_loss_evidence_name((enum mdec_loss_evidence)3), "?");
    assert_string_equal(mdec_track_name(MDEC_TRACK_EVICTED), "evicted");
    assert_string_equal(mdec_track_name((enum mdec_track)4), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siphash_vectors),
        cmocka_unit_test(test_size_and_init),
        cmocka_unit_test(test_both_directions_one_flow),
        cmocka_unit_test(test_idle_expiry),
        cmocka_unit_test(test_eviction_when_full),
        cmocka_unit_test(test_untracked),
        cmocka_unit_test(test_burst_equals_packets),
        cmocka_unit_test(test_clear_and_add),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

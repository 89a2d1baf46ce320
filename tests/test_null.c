/*
 * test_null.c - the NULL policy of common.h, function by function: every
 * public function given NULL where its comment does not allow it answers as
 * the policy says, without touching memory (a crash fails the test, and the
 * sanitizer build sees any read through the pointer).
 *
 * A new public function that takes a pointer must get a line here:
 * check_null_coverage.py (ctest null_policy_covered) fails otherwise.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static void test_common(void **state)
{
    (void)state;
    struct mdec_addr a = {MDEC_AF_IPV4, {10, 0, 0, 1}};
    struct mdec_prefix p = {a, 8};
    char buf[64];
    assert_int_equal(mdec_addr_format(NULL, buf, sizeof buf), MDEC_E_INVALID);
    assert_int_equal(mdec_addr_format(&a, NULL, 10), MDEC_E_INVALID);
    assert_int_equal(mdec_addr_format(&a, NULL, 0), MDEC_E_INVALID);
    assert_int_equal(mdec_addr_parse(NULL, 3, &a, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_addr_parse("1.2.3.4", 7, NULL, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_prefix_parse(NULL, 3, &p, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_prefix_parse("1.2.3.4", 7, NULL, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_prefix_contains(NULL, &a), 0);
    assert_int_equal(mdec_prefix_contains(&p, NULL), 0);
    /* A NULL text of length 0 is an empty text, which is a syntax error. */
    assert_int_equal(mdec_addr_parse(NULL, 0, &a, NULL), MDEC_E_SYNTAX);
}

static void test_decode(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    struct mdec_prefix p = {{MDEC_AF_IPV4, {10}}, 8};
    static const uint8_t frame[64];
    mdec_config_init(NULL);
    assert_int_equal(mdec_config_set_port(NULL, 4789, MDEC_TUNNEL_VXLAN), MDEC_E_INVALID);
    assert_int_equal(mdec_config_add_transport(NULL, MDEC_TUNNEL_GENEVE, &p, 1), MDEC_E_INVALID);
    mdec_config_init(&cfg);
    /* decode: no config or no result is a caller error, UNSUPPORTED. */
    assert_int_equal(mdec_decode(NULL, MDEC_LINK_ETHERNET, frame, sizeof frame, 0, &r),
                     MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(r.status, MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(r.n_tunnels + r.n_anomalies + r.has_inner, 0);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, frame, sizeof frame, 0, NULL),
                     MDEC_STATUS_UNSUPPORTED);
    /* frame NULL with cap_len 0 is allowed: an empty frame, decoded. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, NULL, 0, 0, &r), MDEC_STATUS_MALFORMED);
    assert_true(mdec_result_has_anomaly(&r, MDEC_A_HEADER_BEYOND));
    /* frame NULL with cap_len > 0 is not: nothing is read. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, NULL, 64, 64, &r), MDEC_STATUS_UNSUPPORTED);
    struct mdec_udp_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.dport = 4789;
    assert_int_equal(mdec_decode_udp(NULL, frame, 8, 8, &meta, &r), MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(mdec_decode_udp(&cfg, frame, 8, 8, NULL, &r), MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(r.status, MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(mdec_decode_udp(&cfg, frame, 8, 8, &meta, NULL), MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(mdec_decode_udp(&cfg, NULL, 8, 8, &meta, &r), MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(mdec_result_has_anomaly(NULL, MDEC_A_MIRROR_CUT), 0);
    const struct mdec_frame fr = {frame, sizeof frame, 0};
    assert_int_equal(mdec_decode_burst(NULL, MDEC_LINK_ETHERNET, &fr, NULL, 1, &r), 0);
    assert_int_equal(mdec_decode_burst(&cfg, MDEC_LINK_ETHERNET, NULL, NULL, 1, &r), 0);
    assert_int_equal(mdec_decode_burst(&cfg, MDEC_LINK_ETHERNET, &fr, NULL, 1, NULL), 0);
    struct mdec_geneve_iter it;
    struct mdec_geneve_opt o;
    mdec_geneve_iter_init(NULL, frame, 8, 8);
    mdec_geneve_iter_result(NULL, &r, 0);
    mdec_geneve_iter_result(&it, NULL, 0);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_END); /* an empty iterator */
    assert_int_equal(mdec_geneve_next(NULL, &o), MDEC_ITER_END);
    mdec_geneve_iter_init(&it, frame, 8, 8);
    assert_int_equal(mdec_geneve_next(&it, NULL), MDEC_ITER_END);
}

static void test_filter(void **state)
{
    (void)state;
    struct mdec_rule rule;
    struct mdec_result r;
    struct mdec_flow flow;
    struct mdec_addr a = {MDEC_AF_IPV4, {10, 0, 0, 2}};
    char buf[200];
    memset(&r, 0, sizeof r);
    memset(&flow, 0, sizeof flow);
    mdec_rule_init(NULL);
    mdec_rule_init(&rule);
    assert_int_equal(mdec_rule_format(NULL, buf, sizeof buf), MDEC_E_INVALID);
    assert_int_equal(mdec_rule_format(&rule, NULL, 10), MDEC_E_INVALID);
    assert_null(mdec_filter_init(NULL, 1 << 20, 4));
    mdec_filter_clear(NULL);
    assert_int_equal(mdec_filter_add(NULL, &rule), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_remove(NULL, MDEC_DIR_INGRESS, 1), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_count(NULL), 0);
    assert_null(mdec_filter_rule(NULL, 0));
    assert_int_equal(mdec_filter_set_options(NULL, 1), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_options(NULL), 0);
    assert_int_equal(mdec_filter_add_dns_resolver(NULL, &a), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_parse(NULL, "x", 1, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_parse_aws_json(NULL, "{}", 2, NULL, NULL), MDEC_E_INVALID);

    const size_t need = mdec_filter_size(4);
    void *mem = aligned_alloc(MDEC_FILTER_ALIGN, need);
    struct mdec_filter *f = mdec_filter_init(mem, need, 4);
    assert_non_null(f);
    assert_int_equal(mdec_filter_add(f, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_add_dns_resolver(f, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_parse(f, NULL, 5, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_parse_aws_json(f, NULL, 5, NULL, NULL), MDEC_E_INVALID);
    /* The evaluations: a filter with nothing to evaluate rejects. */
    assert_int_equal(mdec_filter_eval(NULL, &r, MDEC_DIR_INGRESS), MDEC_VERDICT_REJECT);
    assert_int_equal(mdec_filter_eval(f, NULL, MDEC_DIR_INGRESS), MDEC_VERDICT_REJECT);
    assert_int_equal(mdec_filter_eval_flow(NULL, &flow, 0, MDEC_DIR_INGRESS),
                     MDEC_VERDICT_REJECT);
    assert_int_equal(mdec_filter_eval_flow(f, NULL, 0, MDEC_DIR_INGRESS), MDEC_VERDICT_REJECT);
    free(mem);
}

static void test_session(void **state)
{
    (void)state;
    struct mdec_key k = {MDEC_KEY_VXLAN, 1, {0}, 5};
    struct mdec_result r;
    struct mdec_match m;
    struct mdec_counters c;
    char buf[40];
    memset(&r, 0, sizeof r);
    memset(&c, 0, sizeof c);
    assert_int_equal(mdec_key_from_result(NULL, &k), -1);
    assert_int_equal(mdec_key_from_result(&r, NULL), -1);
    assert_int_equal(mdec_key_format(NULL, buf, sizeof buf), MDEC_E_INVALID);
    assert_int_equal(mdec_key_format(&k, NULL, 10), MDEC_E_INVALID);
    assert_int_equal(mdec_key_parse(NULL, 3, &k, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_key_parse("5", 1, NULL, NULL), MDEC_E_INVALID);
    mdec_counters_add(NULL, &r, MDEC_VERDICT_ACCEPT);
    mdec_counters_add(&c, NULL, MDEC_VERDICT_ACCEPT);
    assert_int_equal(c.packets, 0);

    struct mdec_session *s = (struct mdec_session *)&s;
    assert_null(mdec_table_init(NULL, 1 << 20, 4, NULL));
    assert_int_equal(mdec_table_add(NULL, &k, &s), MDEC_E_INVALID);
    assert_null(s);
    assert_null(mdec_table_find(NULL, &k));
    assert_int_equal(mdec_table_remove(NULL, &k), MDEC_E_INVALID);
    assert_null(mdec_table_next(NULL, NULL));
    mdec_table_clear(NULL);
    assert_null(mdec_table_default(NULL));
    assert_null(mdec_table_get_stats(NULL));
    assert_int_equal(mdec_table_classify(NULL, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(mdec_table_process(NULL, &r, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(mdec_table_classify_burst(NULL, &r, 1, &m), 0);
    assert_int_equal(mdec_table_process_burst(NULL, &r, 1, &m), 0);

    const size_t need = mdec_table_size(4);
    void *mem = aligned_alloc(MDEC_TABLE_ALIGN, need);
    struct mdec_table *t = mdec_table_init(mem, need, 4, NULL);
    assert_non_null(t);
    assert_int_equal(mdec_table_add(t, NULL, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_table_add(t, &k, &s), 0);
    struct mdec_prefix p = {{MDEC_AF_IPV4, {10}}, 8};
    struct mdec_addr a = {MDEC_AF_IPV4, {10, 0, 0, 1}};
    assert_int_equal(mdec_session_set_name(NULL, s, "x"), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_name(t, NULL, "x"), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_name(t, s, NULL), 0); /* allowed: the empty name */
    assert_string_equal(s->name, "");
    assert_int_equal(mdec_session_set_allow(NULL, s, &p, 1), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_allow(t, NULL, &p, 1), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_allow(t, s, NULL, 1), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_allow(t, s, NULL, 0), 0); /* allowed: none */
    assert_int_equal(mdec_session_set_local(NULL, s, &a, 1), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_local(t, NULL, &a, 1), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_local(t, s, NULL, 1), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_filter(NULL, s, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_filter(t, NULL, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_session_set_filter(t, s, NULL), 0); /* allowed: no filter */
    assert_null(mdec_table_find(t, NULL));
    assert_int_equal(mdec_table_remove(t, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_table_classify(t, NULL, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(mdec_table_classify(t, &r, NULL), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(mdec_table_process(t, NULL, &m), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(mdec_table_process(t, &r, NULL), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(mdec_table_classify_burst(t, NULL, 1, &m), 0);
    assert_int_equal(mdec_table_process_burst(t, &r, 1, NULL), 0);
    assert_int_equal(mdec_table_get_stats(t)->unknown, 0); /* nothing was counted */
    free(mem);
}

static void test_health(void **state)
{
    (void)state;
    struct mdec_hash_key key;
    memset(&key, 0, sizeof key);
    struct mdec_result r;
    memset(&r, 0, sizeof r);
    const uint32_t session = 0;
    const uint64_t ts = 1;
    struct mdec_health h, sum;
    struct mdec_health_summary s;
    memset(&h, 0, sizeof h);
    memset(&sum, 0, sizeof sum);
    memset(&s, 0x5A, sizeof s);
    assert_null(mdec_flows_init(NULL, 1 << 20, 8, 1, 1, &key));
    assert_int_equal(mdec_flows_packet(NULL, &r, 0, 1), MDEC_TRACK_NONE);
    assert_int_equal(mdec_flows_packet_burst(NULL, &r, &session, &ts, 1), 0);
    assert_null(mdec_flows_counters(NULL, 0));
    assert_null(mdec_flows_get_stats(NULL));
    mdec_flows_clear(NULL);
    mdec_health_add(NULL, &h);
    h.packets = 1;
    mdec_health_add(&sum, NULL);
    assert_int_equal(sum.packets, 0);
    mdec_health_summarize(NULL, &s);
    assert_int_equal(s.evidence, 0x5A); /* untouched */
    mdec_health_summarize(&h, NULL);

    const size_t need = mdec_flows_size(8, 1);
    void *mem = aligned_alloc(MDEC_FLOWS_ALIGN, need);
    assert_null(mdec_flows_init(mem, need, 8, 1, 1, NULL));
    struct mdec_flows *t = mdec_flows_init(mem, need, 8, 1, 1, &key);
    assert_non_null(t);
    assert_int_equal(mdec_flows_packet(t, NULL, 0, 1), MDEC_TRACK_NONE);
    assert_int_equal(mdec_flows_packet_burst(t, NULL, &session, &ts, 1), 0);
    assert_int_equal(mdec_flows_packet_burst(t, &r, NULL, &ts, 1), 0);
    /* ts_ns NULL is allowed: the latest time seen. */
    assert_int_equal(mdec_flows_packet_burst(t, &r, &session, NULL, 1), 0);
    assert_int_equal(mdec_flows_counters(t, 0)->packets, 1);
    free(mem);
}

static void test_flowid(void **state)
{
    (void)state;
    struct mdec_flow f;
    struct mdec_result r;
    struct mdec_hash_key k;
    memset(&f, 0, sizeof f);
    memset(&r, 0, sizeof r);
    memset(&k, 0, sizeof k);
    uint8_t d[20];
    char buf[MDEC_COMMUNITY_ID_STRLEN] = "x";
    memset(d, 0xAA, sizeof d);
    assert_int_equal(mdec_community_id_digest(NULL, 0, d), MDEC_E_INVALID);
    for (size_t i = 0; i < sizeof d; i++)
        assert_int_equal(d[i], 0); /* cleared */
    assert_int_equal(mdec_community_id_digest(&f, 0, NULL), MDEC_E_INVALID);
    assert_int_equal(mdec_community_id(NULL, 0, 0, buf, sizeof buf), MDEC_E_INVALID);
    assert_int_equal(buf[0], '\0'); /* cleared, as the policy says */
    buf[0] = 'x';
    assert_int_equal(mdec_community_id(NULL, 0, 0, buf, 0), MDEC_E_INVALID);
    assert_int_equal(buf[0], 'x'); /* size 0: nothing may be written */
    assert_int_equal(mdec_community_id(&f, 0, 0, NULL, 10), MDEC_E_INVALID);
    assert_int_equal(mdec_community_id_result(NULL, 0, 0, buf, sizeof buf), MDEC_E_INVALID);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(mdec_community_id_result(&r, 0, 0, NULL, 10), MDEC_E_INVALID);
    assert_true(mdec_flow_hash(NULL, &k) == 0);
    assert_true(mdec_flow_hash(&f, NULL) == 0);
    assert_true(mdec_flow_hash_result(NULL, &k) == 0);
    assert_true(mdec_flow_hash_result(&r, NULL) == 0);
}

static void test_dedup(void **state)
{
    (void)state;
    struct mdec_hash_key k;
    memset(&k, 0, sizeof k);
    const size_t size = mdec_dedup_size(8);
    void *mem = aligned_alloc(MDEC_DEDUP_ALIGN, size);
    assert_non_null(mem);
    assert_null(mdec_dedup_init(NULL, size, 8, 1000, &k));
    assert_null(mdec_dedup_init(mem, size, 8, 1000, NULL));
    struct mdec_dedup *dd = mdec_dedup_init(mem, size, 8, 1000, &k);
    assert_non_null(dd);
    struct mdec_result r;
    memset(&r, 0, sizeof r);
    struct mdec_counters c;
    memset(&c, 0, sizeof c);
    assert_int_equal(mdec_dedup_check(NULL, &r, 0, 0, &c), MDEC_VERDICT_ACCEPT);
    assert_int_equal(mdec_dedup_check(dd, NULL, 0, 0, &c), MDEC_VERDICT_ACCEPT);
    assert_true(mdec_dedup_get_stats(dd)->checked == 0); /* nothing counted */
    assert_true(c.duplicates == 0);
    mdec_dedup_clear(NULL);
    assert_null(mdec_dedup_get_stats(NULL));
    assert_int_equal(mdec_dedup_capacity(NULL), 0);
    assert_true(mdec_dedup_window(NULL) == 0);
    /* c NULL is allowed: nothing to count in. */
    assert_int_equal(mdec_dedup_check(dd, &r, 0, 0, NULL), MDEC_VERDICT_ACCEPT);
    assert_true(mdec_dedup_get_stats(dd)->unjudged == 1);
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_common),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_session),
        cmocka_unit_test(test_flowid),
        cmocka_unit_test(test_dedup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

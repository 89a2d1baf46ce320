/*
 * test_trust.c - the trust rule (decode.h), end to end: packets built byte by
 * byte, decoded, and classified by a session table.
 *
 * Only the outermost carrier's source is vouched for by the network.  An
 * attacker who can reach the sensor writes everything inside: here it takes
 * web-1's genuine mirror packet (VXLAN 101 from the mirrored interface,
 * 10.0.1.10) and wraps it in tunnels of every type, at every depth, from its
 * own address and from addresses it pretends to be.  None of those may land
 * in web-1; what a model of the rule predicts must happen, bit for bit; and
 * AWS mirroring behind a Gateway Load Balancer (GENEVE from the GWLB's
 * subnet, 10.9.0.0/16, around the mirror's VXLAN) works exactly when that
 * transport is declared.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "stackbuild.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#define ATTACKER "203.0.113.66"
#define GWLB "10.9.0.5"
#define ENI "10.0.1.10"
#define OTHER "10.0.5.5"

static int same_addr(const struct mdec_addr *a, const char *text)
{
    const struct mdec_addr b = addr_of(text);
    return a->family == b.family && memcmp(a->a, b.a, sizeof a->a) == 0;
}

static struct mdec_prefix prefix(const char *text)
{
    struct mdec_prefix pf;
    assert_int_equal(mdec_prefix_parse(text, strlen(text), &pf, NULL), 0);
    return pf;
}

/* declare: 0 nothing, 1 the GWLB's GENEVE from 10.9.0.0/16, 2 that and
 * also tunnels of type `also` from 10.9.0.0/16 and 10.0.5.0/24. */
static void config(struct mdec_config *cfg, int declare, unsigned max_depth,
                   enum mdec_tunnel_type also)
{
    mdec_config_init(cfg);
    cfg->max_depth = (uint8_t)max_depth;
    const struct mdec_prefix from[2] = {prefix("10.9.0.0/16"), prefix("10.0.5.0/24")};
    if (declare)
        assert_int_equal(mdec_config_add_transport(cfg, MDEC_TUNNEL_GENEVE, from, 1), 0);
    if (declare == 2)
        assert_int_equal(mdec_config_add_transport(cfg, also, from, 2), 0);
}

struct bench {
    void *mem;
    struct mdec_table *t;
    struct mdec_session *web;
    struct mdec_prefix allow;
};

static void bench_init(struct bench *b, enum mdec_unknown_policy unknown)
{
    const uint32_t cap = 64;
    const size_t need = mdec_table_size(cap);
    b->mem = aligned_alloc(MDEC_TABLE_ALIGN, need);
    assert_non_null(b->mem);
    b->allow = prefix(ENI);
    static const struct mdec_prefix vpc = {{MDEC_AF_IPV4, {10}}, 8};
    struct mdec_table_config tc = {.unknown = (uint8_t)unknown};
    if (unknown == MDEC_UNKNOWN_LEARN) {
        tc.learn_allow = &vpc;
        tc.n_learn_allow = 1;
    }
    b->t = mdec_table_init(b->mem, need, cap, &tc);
    assert_non_null(b->t);
    const struct mdec_key web = {MDEC_KEY_VXLAN, 1, {0}, 101};
    assert_int_equal(mdec_table_add(b->t, &web, &b->web), 0);
    assert_int_equal(mdec_session_set_allow(b->t, b->web, &b->allow, 1), 0);
}

/* Decodes and classifies; checks the result against the model. */
static enum mdec_verdict run(struct bench *b, const struct mdec_config *cfg,
                             const struct sb_layer *layers, unsigned n, struct mdec_match *m,
                             int every_length)
{
    static struct pb p;
    struct mdec_result r;
    sb_build(&p, layers, n, ENI);
    if (every_length) /* a guard page per length: for some packets only */
        check_every_length(cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n);
    assert_int_equal(mdec_decode(cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_OK);
    const unsigned k = sb_keying(cfg, layers, n);
    if (k >= n) { /* the model keys on one of the layers built */
        fail_msg("keying layer %u of %u", k, n);
        memset(m, 0, sizeof *m);
        return MDEC_VERDICT_UNKNOWN_SESSION;
    }
    assert_int_equal(r.n_tunnels, k + 1);
    for (unsigned i = 0; i <= k && i < n; i++) {
        assert_int_equal(r.tunnels[i].type, sb_tunnel_of[layers[i].type]);
        assert_true(same_addr(&r.tunnels[i].src, layers[i].src));
        /* Every tunnel outside the keying one is a trusted transport. */
        if (i < k)
            assert_true(r.tunnels[i].flags & MDEC_TF_TRANSPORT);
    }
    if (k + 1 < n) /* a tunnel left unpeeled inside the mirrored packet, said why */
        assert_true(mdec_result_has_anomaly(&r, MDEC_A_NESTED_UNTRUSTED) ||
                    mdec_result_has_anomaly(&r, MDEC_A_DEPTH_LIMIT));
    const enum mdec_verdict v = mdec_table_process(b->t, &r, m);
    const struct sb_layer *key = &layers[k];
    const int web = key->type == SB_VXLAN && key->id == 101;
    const int from_eni = strcmp(key->src, ENI) == 0;
    if (web) {
        assert_ptr_equal(m->session, b->web);
        assert_int_equal(v, from_eni ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_FORGED);
    } else {
        assert_true(m->session != b->web);
    }
    return v;
}

/* web-1's genuine packet wrapped by an attacker in d tunnels of one type,
 * for every type, d up to the most the decoder peels, with and without the
 * GWLB transport declared, at every max_depth: never accepted into web-1. */
static void test_wrapped_every_type_and_depth(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b, MDEC_UNKNOWN_DROP);
    unsigned tried = 0;
    for (int declare = 0; declare < 2; declare++) {
        for (unsigned max = 1; max <= MDEC_MAX_TUNNELS; max++) {
            struct mdec_config cfg;
            config(&cfg, declare, max, MDEC_TUNNEL_NONE);
            for (int type = 0; type < SB_COUNT; type++) {
                for (unsigned d = 1; d < MDEC_MAX_TUNNELS + 2; d++) {
                    struct sb_layer layers[MDEC_MAX_TUNNELS + 2];
                    for (unsigned i = 0; i < d; i++) /* the attacker, then a GWLB it fakes */
                        layers[i] = (struct sb_layer){(enum sb_type)type, i ? GWLB : ATTACKER,
                                                   101};
                    layers[d] = (struct sb_layer){SB_VXLAN, ENI, 101};
                    struct mdec_match m;
                    assert_int_not_equal(run(&b, &cfg, layers, d + 1, &m,
                                             max == MDEC_MAX_TUNNELS && d % 3 == 1),
                                         MDEC_VERDICT_ACCEPT);
                    tried++;
                }
            }
        }
    }
    assert_int_equal(b.web->counters.packets, 0);
    print_message("%u wrapped forgeries refused\n", tried);
    free(b.mem);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Random stacks of random types, sources and ids, against the model; when
 * the attacker is the outermost sender, nothing ever reaches web-1, nor is
 * learned. */
static void test_random_stacks_against_model(void **state)
{
    (void)state;
    static const char *const srcs[] = {ATTACKER, GWLB, ENI, OTHER};
    struct bench drop, learn;
    bench_init(&drop, MDEC_UNKNOWN_DROP);
    bench_init(&learn, MDEC_UNKNOWN_LEARN);
    unsigned accepted = 0, attacker_first = 0;
    for (unsigned round = 0; round < 4000; round++) {
        struct mdec_config cfg;
        config(&cfg, (int)rnd(3), 1 + rnd(MDEC_MAX_TUNNELS),
               (enum mdec_tunnel_type)(MDEC_TUNNEL_VXLAN + rnd(5)));
        const unsigned n = 1 + rnd(MDEC_MAX_TUNNELS + 1);
        struct sb_layer layers[MDEC_MAX_TUNNELS + 2];
        for (unsigned i = 0; i < n; i++) {
            static const uint32_t ids[] = {101, 999, 7};
            layers[i] = (struct sb_layer){(enum sb_type)rnd(SB_COUNT), srcs[rnd(4)], ids[rnd(3)]};
        }
        if (rnd(2))
            layers[n - 1] = (struct sb_layer){SB_VXLAN, ENI, 101};
        const int by_attacker = strcmp(layers[0].src, ATTACKER) == 0;
        struct mdec_match m;
        const uint32_t learned = mdec_table_get_stats(learn.t)->count;
        const enum mdec_verdict v = run(&drop, &cfg, layers, n, &m, 0);
        (void)run(&learn, &cfg, layers, n, &m, 0);
        if (by_attacker) {
            attacker_first++;
            assert_int_not_equal(v, MDEC_VERDICT_ACCEPT);
            assert_int_equal(mdec_table_get_stats(learn.t)->count, learned); /* nothing learned */
        }
        accepted += v == MDEC_VERDICT_ACCEPT;
    }
    /* Both outcomes occurred: the model was exercised, not vacuous. */
    assert_true(accepted > 0);
    assert_true(attacker_first > 0);
    assert_true(mdec_table_get_stats(learn.t)->learn_forged > 0);
    print_message("%u accepted, %u sent by the attacker first (all refused)\n", accepted,
                  attacker_first);
    free(drop.mem);
    free(learn.mem);
}

/* AWS mirroring behind a GWLB: accepted into web-1 only with the transport
 * declared; an attacker inside the VPC that sends through the GWLB is still
 * judged by its own address; a VNI it nests inside its own never re-keys. */
static void test_gwlb_then_vxlan(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b, MDEC_UNKNOWN_DROP);
    struct mdec_config plain, trusting;
    config(&plain, 0, 4, MDEC_TUNNEL_NONE);
    config(&trusting, 1, 4, MDEC_TUNNEL_NONE);
    struct mdec_match m;
    const struct sb_layer genuine[] = {{SB_GENEVE_GWLB, GWLB, 5}, {SB_VXLAN, ENI, 101}};
    assert_int_equal(run(&b, &plain, genuine, 2, &m, 1), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(m.key.kind, MDEC_KEY_GWLB);
    assert_int_equal(run(&b, &trusting, genuine, 2, &m, 1), MDEC_VERDICT_ACCEPT);
    assert_int_equal(m.key_tunnel, 1);
    assert_int_equal(m.direction, MDEC_DIR_EGRESS); /* 10.0.1.10 sent the inner packet */
    const struct sb_layer insider[] = {{SB_GENEVE_GWLB, GWLB, 5}, {SB_VXLAN, OTHER, 101}};
    assert_int_equal(run(&b, &trusting, insider, 2, &m, 1), MDEC_VERDICT_FORGED);
    const struct sb_layer nested[] = {
        {SB_GENEVE_GWLB, GWLB, 5}, {SB_VXLAN, OTHER, 999}, {SB_VXLAN, ENI, 101}};
    assert_int_equal(run(&b, &trusting, nested, 3, &m, 1), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(m.key.id, 999);
    /* A GENEVE from outside the declared prefixes is no transport. */
    const struct sb_layer fake[] = {{SB_GENEVE_GWLB, ATTACKER, 5}, {SB_VXLAN, ENI, 101}};
    assert_int_equal(run(&b, &trusting, fake, 2, &m, 1), MDEC_VERDICT_UNKNOWN_SESSION);
    assert_int_equal(b.web->counters.packets, 1);
    assert_int_equal(b.web->counters.forged, 1);
    free(b.mem);
}

/* The UDP socket path: the socket's sender is the outermost source. */
static void test_udp_socket_sender(void **state)
{
    (void)state;
    static struct pb p;
    struct bench b;
    bench_init(&b, MDEC_UNKNOWN_DROP);
    struct mdec_config cfg;
    config(&cfg, 1, 4, MDEC_TUNNEL_NONE);
    struct mdec_udp_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.dport = 6081;
    meta.sport = 40000;
    meta.dst = addr_of("10.0.0.250");
    /* The GENEVE header and what follows, as a socket delivers it. */
    const struct sb_layer layers[] = {{SB_GENEVE_GWLB, GWLB, 5}, {SB_VXLAN, ENI, 101}};
    sb_build(&p, layers, 2, ENI);
    const size_t at = 14 + 20 + 8; /* Ethernet, IPv4, UDP of the outer layer */
    for (int from_gwlb = 0; from_gwlb < 2; from_gwlb++) {
        struct mdec_result r;
        struct mdec_match m;
        meta.src = addr_of(from_gwlb ? GWLB : ATTACKER);
        check_every_length_udp(&cfg, p.b + at, p.n - at, p.n - at, &meta);
        assert_int_equal(mdec_decode_udp(&cfg, p.b + at, p.n - at, p.n - at, &meta, &r), MDEC_STATUS_OK);
        assert_int_equal(r.n_tunnels, from_gwlb ? 2 : 1);
        const enum mdec_verdict v = mdec_table_process(b.t, &r, &m);
        assert_int_equal(v, from_gwlb ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_UNKNOWN_SESSION);
    }
    /* An unknown sender vouches for nothing. */
    struct mdec_result r;
    meta.src.family = meta.dst.family = MDEC_AF_NONE;
    assert_int_equal(mdec_decode_udp(&cfg, p.b + at, p.n - at, p.n - at, &meta, &r), MDEC_STATUS_OK);
    assert_int_equal(r.n_tunnels, 1);
    assert_true(mdec_result_has_anomaly(&r, MDEC_A_NESTED_UNTRUSTED));
    free(b.mem);
}

static void test_add_transport(void **state)
{
    (void)state;
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    assert_int_equal(cfg.n_transports, 0); /* the default: no transport */
    struct mdec_prefix two[2] = {prefix("10.9.0.0/16"), prefix("fd00:9::/32")};
    struct mdec_prefix many[MDEC_TRANSPORT_PREFIXES + 1];
    for (unsigned i = 0; i < MDEC_TRANSPORT_PREFIXES + 1; i++)
        many[i] = two[0];
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_NONE, two, 2), MDEC_E_INVALID);
    assert_int_equal(mdec_config_add_transport(&cfg, (enum mdec_tunnel_type)6, two, 2),
                     MDEC_E_INVALID);
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_GENEVE, two, 0), MDEC_E_INVALID);
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_GENEVE, NULL, 1),
                     MDEC_E_INVALID);
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_GENEVE, many,
                                               MDEC_TRANSPORT_PREFIXES + 1),
                     MDEC_E_INVALID);
    struct mdec_prefix bad = two[0];
    bad.len = 33;
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_GENEVE, &bad, 1),
                     MDEC_E_INVALID);
    bad.addr.family = MDEC_AF_NONE;
    bad.len = 0;
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_GENEVE, &bad, 1),
                     MDEC_E_INVALID);
    assert_int_equal(cfg.n_transports, 0); /* nothing half-added */
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_GENEVE, many,
                                               MDEC_TRANSPORT_PREFIXES),
                     0);
    for (unsigned i = 1; i < MDEC_MAX_TRANSPORTS; i++)
        assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_GRE, two, 2), 0);
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_GRE, two, 2), MDEC_E_NOSPACE);
    assert_int_equal(cfg.n_transports, MDEC_MAX_TRANSPORTS);
    assert_int_equal(cfg.transports[1].n_from, 2);
    assert_true(mdec_prefix_contains(&cfg.transports[1].from[1], &(struct mdec_addr){
                                                                     MDEC_AF_IPV6,
                                                                     {0xfd, 0, 0, 9, 1}}));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrapped_every_type_and_depth),
        cmocka_unit_test(test_random_stacks_against_model),
        cmocka_unit_test(test_gwlb_then_vxlan),
        cmocka_unit_test(test_udp_socket_sender),
        cmocka_unit_test(test_add_transport),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_burst.c - the burst calls give exactly what single calls give:
 * mdec_decode_burst() against mdec_decode() / mdec_decode_udp(), and
 * mdec_table_process_burst() / _classify_burst() against
 * mdec_table_process() / _classify(), match by match and count by count.
 *
 * The traffic: every frame of the fixture captures, and random tunnel
 * stacks (tests/stackbuild.c) over a few hundred VNIs from allowed and
 * refused senders, so that bursts hold packets of one session several
 * times, sessions learned by an earlier packet of the same burst, forged
 * packets and unknown keys.  Tables: learning (with a learn allow-list and
 * a filter template), configured sessions only, and a default session.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "result_check.h"
#include "stackbuild.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 4096
#define MAX_FILE (1 << 20)

struct stream {
    size_t n;
    struct mdec_frame f[MAX_FRAMES];
    uint8_t *owned[MAX_FRAMES];
};

static uint64_t rng = 0x243F6A8885A308D3u;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void add_frame(struct stream *s, const uint8_t *data, size_t cap, size_t wire)
{
    assert_true(s->n < MAX_FRAMES);
    uint8_t *copy = malloc(cap ? cap : 1);
    assert_non_null(copy);
    memcpy(copy, data, cap);
    s->owned[s->n] = copy;
    s->f[s->n].data = copy;
    s->f[s->n].cap_len = (uint32_t)cap;
    s->f[s->n].wire_len = (uint32_t)wire;
    s->n++;
}

/* The Ethernet fixtures, then random stacks. */
static void build_stream(struct stream *s)
{
    static const char *const files[] = {"aws_vxlan.pcap", "aws_truncated.pcap", "gwlb.pcap",
                                        "gcp.pcap",       "erspan.pcap",        "gre.pcap",
                                        "vxlan_gpe.pcap", "malformed.pcap",     "forged.pcap",
                                        "ipv6_ext.pcap",  "gso.pcap",           "plain.pcap"};
    static uint8_t data[MAX_FILE];
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", MDEC_FIXTURE_DIR, files[i]);
        const size_t len = read_file(path, data, sizeof data);
        struct pcap_reader rd;
        assert_int_equal(pcap_reader_open(&rd, data, len), 0);
        assert_int_equal(rd.linktype, MDEC_LINK_ETHERNET);
        const uint8_t *pkt;
        uint32_t cap, wire;
        while (pcap_reader_next(&rd, &pkt, &cap, &wire) == 1)
            add_frame(s, pkt, cap, wire);
    }
    static const char *const srcs[] = {"10.0.1.10", "10.9.0.5", "203.0.113.66", "10.0.5.5"};
    static struct pb p;
    while (s->n < MAX_FRAMES) {
        struct sb_layer l[3];
        const unsigned n = 1 + rnd(3);
        for (unsigned i = 0; i < n; i++)
            l[i] = (struct sb_layer){(enum sb_type)rnd(SB_COUNT), srcs[rnd(4)], 100 + rnd(300)};
        sb_build(&p, l, n, "10.0.1.10");
        add_frame(s, p.b, p.n, p.n);
    }
}

static void free_stream(struct stream *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->owned[i]);
}

static void config(struct mdec_config *cfg)
{
    mdec_config_init(cfg);
    const struct mdec_prefix gw = {{MDEC_AF_IPV4, {10, 9}}, 16};
    assert_int_equal(mdec_config_add_transport(cfg, MDEC_TUNNEL_GENEVE, &gw, 1), 0);
}

static void test_decode_burst(void **state)
{
    (void)state;
    static struct stream s;
    static struct mdec_result one[MAX_FRAMES], many[MAX_FRAMES];
    struct mdec_config cfg;
    config(&cfg);
    build_stream(&s);
    size_t ok = 0;
    for (size_t i = 0; i < s.n; i++)
        ok += mdec_decode(&cfg, MDEC_LINK_ETHERNET, s.f[i].data, s.f[i].cap_len,
                          s.f[i].wire_len, &one[i]) == MDEC_STATUS_OK;
    /* Bursts of every size from 1 to 64, then the whole stream at once. */
    memset(many, 0xA5, sizeof many);
    size_t got = 0;
    for (size_t at = 0, size = 1; at < s.n; at += size, size = size % 64 + 1) {
        const size_t k = s.n - at < size ? s.n - at : size;
        got += mdec_decode_burst(&cfg, MDEC_LINK_ETHERNET, s.f + at, NULL, k, many + at);
    }
    assert_int_equal(got, ok);
    for (size_t i = 0; i < s.n; i++)
        if (result_differs(&one[i], &many[i]))
            fail_msg("frame %zu: the burst's result differs from mdec_decode's", i);
    assert_int_equal(mdec_decode_burst(&cfg, MDEC_LINK_ETHERNET, s.f, NULL, s.n, many), ok);
    assert_true(ok > 1000 && ok < s.n); /* both kinds of frames were there */

    /* UDP payloads with their senders: the frames whose outer layer is
     * IPv4/UDP (Ethernet, IPv4 without options, UDP). */
    static struct mdec_frame uf[MAX_FRAMES];
    static struct mdec_udp_meta um[MAX_FRAMES];
    size_t nu = 0;
    for (size_t i = 0; i < s.n; i++) {
        const uint8_t *d = s.f[i].data;
        if (s.f[i].cap_len < 42 || d[12] != 8 || d[13] != 0 || d[14] != 0x45 || d[23] != 17)
            continue;
        memset(&um[nu], 0, sizeof um[nu]);
        um[nu].src.family = um[nu].dst.family = MDEC_AF_IPV4;
        memcpy(um[nu].src.a, d + 26, 4);
        memcpy(um[nu].dst.a, d + 30, 4);
        um[nu].sport = (uint16_t)(d[34] << 8 | d[35]);
        um[nu].dport = (uint16_t)(d[36] << 8 | d[37]);
        uf[nu].data = d + 42;
        uf[nu].cap_len = s.f[i].cap_len - 42;
        uf[nu].wire_len = 0;
        nu++;
    }
    assert_true(nu > 1000);
    size_t uok = 0;
    for (size_t i = 0; i < nu; i++)
        uok += mdec_decode_udp(&cfg, uf[i].data, uf[i].cap_len, 0, &um[i], &one[i]) ==
               MDEC_STATUS_OK;
    assert_int_equal(mdec_decode_burst(&cfg, 0, uf, um, nu, many), uok);
    for (size_t i = 0; i < nu; i++)
        if (result_differs(&one[i], &many[i]))
            fail_msg("datagram %zu: the burst's result differs from mdec_decode_udp's", i);
    free_stream(&s);
}

/* Two tables built alike. */
struct pair {
    void *mem[2];
    struct mdec_table *t[2];
};

static void make_pair(struct pair *p, enum mdec_unknown_policy unknown, const struct mdec_filter *f,
                      uint32_t cap)
{
    static const struct mdec_prefix vpc = {{MDEC_AF_IPV4, {10}}, 8};
    const struct mdec_prefix eni = {{MDEC_AF_IPV4, {10, 0, 1, 10}}, 32};
    struct mdec_table_config tc;
    memset(&tc, 0, sizeof tc);
    tc.unknown = (uint8_t)unknown;
    tc.learn_filter = f;
    tc.learn_allow = &vpc;
    tc.n_learn_allow = 1;
    const size_t need = mdec_table_size(cap);
    for (int k = 0; k < 2; k++) {
        p->mem[k] = aligned_alloc(MDEC_TABLE_ALIGN, need);
        assert_non_null(p->mem[k]);
        p->t[k] = mdec_table_init(p->mem[k], need, cap, &tc);
        assert_non_null(p->t[k]);
        if (unknown == MDEC_UNKNOWN_LEARN)
            continue;
        /* Configured sessions: every third VNI, half of them allow-listed. */
        for (uint64_t vni = 100; vni < 400; vni += 3) {
            struct mdec_session *s;
            const struct mdec_key key = {MDEC_KEY_VXLAN, 1, {0}, vni};
            assert_int_equal(mdec_table_add(p->t[k], &key, &s), 0);
            if (vni % 2)
                assert_int_equal(mdec_session_set_allow(p->t[k], s, &eni, 1), 0);
            assert_int_equal(mdec_session_set_filter(p->t[k], s, f), 0);
        }
        if (unknown == MDEC_UNKNOWN_DEFAULT)
            assert_int_equal(mdec_session_set_filter(p->t[k], mdec_table_default(p->t[k]), f), 0);
    }
}

static void same_match(const struct mdec_match *a, const struct mdec_match *b, size_t i)
{
    if (a->verdict != b->verdict || a->direction != b->direction ||
        a->key_tunnel != b->key_tunnel || a->index != b->index ||
        memcmp(&a->key, &b->key, sizeof a->key) != 0 || (a->session == NULL) != (b->session == NULL))
        fail_msg("packet %zu: the burst's match differs (verdict %s / %s, index %u / %u)", i,
                 mdec_verdict_name((enum mdec_verdict)a->verdict),
                 mdec_verdict_name((enum mdec_verdict)b->verdict), a->index, b->index);
}

/* Everything the two tables counted is the same. */
static void same_tables(struct mdec_table *a, struct mdec_table *b)
{
    assert_memory_equal(mdec_table_get_stats(a), mdec_table_get_stats(b),
                        sizeof(struct mdec_table_stats));
    const struct mdec_session *sa = mdec_table_next(a, NULL), *sb = mdec_table_next(b, NULL);
    for (; sa && sb; sa = mdec_table_next(a, sa), sb = mdec_table_next(b, sb)) {
        assert_memory_equal(&sa->key, &sb->key, sizeof sa->key);
        assert_int_equal(sa->index, sb->index);
        assert_string_equal(sa->name, sb->name);
        assert_memory_equal(&sa->counters, &sb->counters, sizeof sa->counters);
    }
    assert_true(sa == NULL && sb == NULL);
    assert_memory_equal(&mdec_table_default(a)->counters, &mdec_table_default(b)->counters,
                        sizeof(struct mdec_counters));
}

static void test_process_burst(void **state)
{
    (void)state;
    static struct stream s;
    static struct mdec_result res[MAX_FRAMES];
    static struct mdec_match one[MAX_FRAMES], many[MAX_FRAMES];
    struct mdec_config cfg;
    config(&cfg);
    build_stream(&s);
    (void)mdec_decode_burst(&cfg, MDEC_LINK_ETHERNET, s.f, NULL, s.n, res);
    static unsigned char fmem[1 << 16];
    struct mdec_filter *f = mdec_filter_init(fmem, sizeof fmem, 16);
    assert_non_null(f);
    static const char rules[] = "ingress 10 reject tcp any any dport 22\n"
                                "ingress 20 accept all any any\n"
                                "egress 10 accept tcp any any\n"
                                "egress 20 reject all any any\n";
    assert_int_equal(mdec_filter_parse(f, rules, sizeof rules - 1, NULL), 0);
    static const enum mdec_unknown_policy policies[] = {MDEC_UNKNOWN_LEARN, MDEC_UNKNOWN_DROP,
                                                        MDEC_UNKNOWN_DEFAULT};
    for (size_t p = 0; p < 3; p++) {
        /* A capacity below the VNIs seen: learning also fills the table. */
        struct pair tp;
        make_pair(&tp, policies[p], f, 200);
        size_t acc_one = 0, acc_many = 0;
        for (size_t i = 0; i < s.n; i++)
            acc_one += mdec_table_process(tp.t[0], &res[i], &one[i]) == MDEC_VERDICT_ACCEPT;
        for (size_t at = 0, size = 1; at < s.n; at += size, size = size % 40 + 1) {
            const size_t k = s.n - at < size ? s.n - at : size;
            acc_many += mdec_table_process_burst(tp.t[1], res + at, k, many + at);
        }
        assert_int_equal(acc_many, acc_one);
        for (size_t i = 0; i < s.n; i++)
            same_match(&one[i], &many[i], i);
        same_tables(tp.t[0], tp.t[1]);
        assert_true(acc_one > 0 && acc_one < s.n);
        if (policies[p] == MDEC_UNKNOWN_LEARN)
            assert_true(mdec_table_get_stats(tp.t[0])->learn_full > 0);

        /* classify, single and burst, on the table as it now stands:
         * the same matches, and nothing written. */
        const struct mdec_table_stats before = *mdec_table_get_stats(tp.t[1]);
        size_t c_one = 0;
        for (size_t i = 0; i < s.n; i++)
            c_one += mdec_table_classify(tp.t[0], &res[i], &one[i]) == MDEC_VERDICT_ACCEPT;
        assert_int_equal(mdec_table_classify_burst(tp.t[1], res, s.n, many), c_one);
        for (size_t i = 0; i < s.n; i++)
            same_match(&one[i], &many[i], i);
        assert_memory_equal(&before, mdec_table_get_stats(tp.t[1]), sizeof before);
        same_tables(tp.t[0], tp.t[1]);
        free(tp.mem[0]);
        free(tp.mem[1]);
    }
    free_stream(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_burst),
        cmocka_unit_test(test_process_burst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

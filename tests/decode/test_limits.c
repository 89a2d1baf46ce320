/*
 * test_limits.c - the decoder at the edges of its arrays: configs whose
 * counts a caller wrote beyond the arrays they count, results assembled by
 * hand with such counts, more anomalies than n_anomalies_seen counts, and
 * strict mode refusing a repeated GENEVE cloud option.  Configs and results
 * sit at the end of a page whose next page is unreadable (guard_copy), so a
 * read past a clamped count crashes the test.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "pktbuild.h"
#include "testutil.h"

#include <stddef.h>
#include <string.h>

static struct pb p;

/* A copy of *cfg at the end of a page (read past it: a crash). */
static struct mdec_config *guarded_config(struct guard *g, const struct mdec_config *cfg)
{
    guard_copy(g, cfg, sizeof *cfg);
    return (struct mdec_config *)(void *)g->p;
}

/* n_transports and a transport's n_from above their arrays are read as
 * their arrays' sizes. */
static void test_transport_counts_clamped(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    struct guard g;
    mdec_config_init(&cfg);
    /* Eight VXLAN transports from a network the carrier is not in: every
     * prefix of every transport is looked at. */
    const struct mdec_prefix doc = {addr_of("192.0.2.0"), 24};
    for (unsigned i = 0; i < MDEC_MAX_TRANSPORTS; i++)
        assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_VXLAN, &doc, 1), 0);
    pb_aws_tcp(&p, 77, 10);

    for (int which = 0; which < 2; which++) {
        struct mdec_config *c = guarded_config(&g, &cfg);
        if (which == 0)
            c->n_transports = 255;
        else
            c->transports[MDEC_MAX_TRANSPORTS - 1].n_from = 255;
        assert_int_equal(mdec_decode(c, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_OK);
        assert_int_equal(r.n_tunnels, 1);
        assert_int_equal(r.tunnels[0].id, 77);
        assert_false(r.tunnels[0].flags & MDEC_TF_TRANSPORT);
        check_result(&r, p.b, p.n);
        guard_free(&g);
    }
}

/* n_ports above MDEC_MAX_PORTS: only ports[] is looked at, by the decoder
 * and by mdec_config_set_port().  The bytes after ports[] are made to read
 * as mappings of UDP 7777 to VXLAN, which must not be found. */
static void test_port_count_clamped(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    struct guard g;
    mdec_config_init(&cfg);
    const struct mdec_port_map fake = {7777, MDEC_TUNNEL_VXLAN};
    uint8_t *ports = (uint8_t *)cfg.ports;
    const size_t room = sizeof cfg - offsetof(struct mdec_config, ports);
    for (size_t at = MDEC_MAX_PORTS * sizeof fake; at + sizeof fake <= room; at += sizeof fake)
        memcpy(ports + at, &fake, sizeof fake);
    cfg.n_transports = 0;
    cfg.n_ports = 255;

    /* VXLAN to 7777: not a configured port. */
    pb_init(&p);
    pb_eth(&p, 0x0800);
    const size_t ip = pb_ipv4(&p, "10.0.1.15", "10.0.9.9", 17);
    const size_t u = pb_udp(&p, 51234, 7777);
    pb_vxlan(&p, 0x08, 5);
    pb_fill(&p, 0, 40);
    pb_end_udp(&p, u);
    pb_end_ipv4(&p, ip);

    struct mdec_config *c = guarded_config(&g, &cfg);
    assert_int_equal(mdec_decode(c, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r),
                     MDEC_STATUS_NOT_TUNNELED);
    assert_int_equal(r.flow.dport, 7777);
    /* The defaults still hold in ports[0..3]. */
    pb_aws_tcp(&p, 9, 0);
    assert_int_equal(mdec_decode(c, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_OK);
    /* ports[] is full as far as set_port sees: 7777 is not found, nor added. */
    assert_int_equal(mdec_config_set_port(c, 7777, MDEC_TUNNEL_GENEVE), MDEC_E_NOSPACE);
    assert_int_equal(mdec_config_set_port(c, 4789, MDEC_TUNNEL_GENEVE), MDEC_E_OK);
    assert_int_equal(c->ports[0].type, MDEC_TUNNEL_GENEVE);
    guard_free(&g);
}

/* A result assembled by hand with counts beyond its arrays: the public
 * readers of a result look at the arrays only. */
static void test_result_counts_clamped(void **state)
{
    (void)state;
    struct mdec_result base;
    struct guard g;
    memset(&base, 0, sizeof base);
    base.n_anomalies = 255;
    base.n_tunnels = 255;
    for (unsigned i = 0; i < MDEC_MAX_ANOMALIES; i++)
        base.anomalies[i].code = MDEC_A_VXLAN_RESERVED;
    for (unsigned i = 0; i < MDEC_MAX_TUNNELS; i++)
        base.tunnels[i].type = MDEC_TUNNEL_VXLAN;
    guard_copy(&g, &base, sizeof base);
    const struct mdec_result *r = (const struct mdec_result *)(void *)g.p;

    assert_int_equal(mdec_result_has_anomaly(r, MDEC_A_VXLAN_RESERVED), 1);
    assert_int_equal(mdec_result_has_anomaly(r, MDEC_A_GENEVE_OAM), 0);

    struct mdec_geneve_iter it;
    struct mdec_geneve_opt o;
    mdec_geneve_iter_result(&it, r, 10); /* below n_tunnels, past tunnels[] */
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_END);
    guard_free(&g);
}

/* A GENEVE header of 252 option bytes: 63 empty critical options with
 * their reserved bits set, O and a reserved bit set in the header - 128
 * informational anomalies - carrying IPv4 of the given protocol. */
static void geneve_noisy(struct pb *q)
{
    pb_u8(q, 63);   /* version 0, Opt Len 63 (252 bytes) */
    pb_u8(q, 0x81); /* O, and a reserved bit */
    pb_be16(q, 0x0800);
    pb_be32(q, 0x00000700); /* VNI 7 */
    for (unsigned i = 0; i < 63; i++) {
        pb_be16(q, 0x0000); /* class */
        pb_u8(q, 0x80);     /* critical, type 0 */
        pb_u8(q, 0xE0);     /* R bits, length 0 */
    }
}

/* More than 255 anomalies: n_anomalies_seen stays at 255, the status is
 * what the frame deserves. */
static void test_anomalies_seen_saturate(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    mdec_config_init(&cfg);
    const struct mdec_prefix lb = {addr_of("10.9.0.0"), 16};
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_GENEVE, &lb, 1), 0);

    /* GENEVE (from a trusted 10.9.0.5) / IPv4 / UDP 6081 / GENEVE / IPv4 / TCP */
    pb_init(&p);
    geneve_noisy(&p);
    const size_t ip = pb_ipv4(&p, "10.0.1.15", "10.0.9.9", 17);
    const size_t u = pb_udp(&p, 40000, 6081);
    geneve_noisy(&p);
    const size_t iip = pb_ipv4(&p, "10.0.1.15", "93.184.216.34", 6);
    pb_tcp(&p, 49152, 443, 0x02);
    pb_end_ipv4(&p, iip);
    pb_end_udp(&p, u);
    pb_end_ipv4(&p, ip);

    struct mdec_udp_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.src = addr_of("10.9.0.5");
    meta.dst = addr_of("10.9.9.9");
    meta.sport = 40000;
    meta.dport = 6081;
    assert_int_equal(mdec_decode_udp(&cfg, p.b, p.n, p.n, &meta, &r), MDEC_STATUS_OK);
    assert_int_equal(r.n_tunnels, 2);
    assert_int_equal(r.n_anomalies_seen, 255); /* 256 found */
    assert_int_equal(r.n_anomalies, MDEC_MAX_ANOMALIES);
    assert_int_equal(r.flow.dport, 443);
    check_result(&r, p.b, p.n);
}

/* One GENEVE header (UDP payload) with option `opt` (len bytes) twice. */
static enum mdec_status geneve_twice(const struct mdec_config *cfg, const uint8_t *opt,
                                     const uint8_t *opt2, size_t len, struct mdec_result *r)
{
    pb_init(&p);
    pb_u8(&p, (unsigned)(2 * len / 4));
    pb_u8(&p, 0);
    pb_be16(&p, 0x0800);
    pb_be32(&p, 0x00000700);
    pb_bytes(&p, opt, len);
    pb_bytes(&p, opt2, len);
    const size_t iip = pb_ipv4(&p, "10.0.1.15", "93.184.216.34", 6);
    pb_tcp(&p, 49152, 443, 0x02);
    pb_end_ipv4(&p, iip);
    struct mdec_udp_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.sport = 40000;
    meta.dport = 6081;
    const enum mdec_status st = mdec_decode_udp(cfg, p.b, p.n, p.n, &meta, r);
    check_result(r, p.b, p.n);
    check_every_length_udp(cfg, p.b, p.n, p.n, &meta);
    return st;
}

/* Each cloud option may appear once: strict mode refuses a copy, whether
 * it repeats the value or not; permissive mode notes it and, for two
 * values, keeps neither. */
static void test_cloud_option_twice(void **state)
{
    (void)state;
    static const uint8_t cookie[] = {0x01, 0x08, 0x03, 0x01, 0xC0, 0x0C, 0x1E, 0x00};
    static const uint8_t cookie2[] = {0x01, 0x08, 0x03, 0x01, 0xC0, 0x0C, 0x1E, 0x01};
    static const uint8_t profile[] = {0x01, 0x32, 0x03, 0x02, 1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t profile2[] = {0x01, 0x32, 0x03, 0x02, 1, 2, 3, 4, 5, 6, 7, 9};
    static const struct {
        const uint8_t *a, *b;
        size_t len;
        unsigned bit;
    } cases[] = {
        {cookie, cookie, sizeof cookie, MDEC_GWLB_COOKIE},
        {cookie, cookie2, sizeof cookie, MDEC_GWLB_COOKIE},
        {profile, profile, sizeof profile, MDEC_GCP_PROFILE},
        {profile, profile2, sizeof profile, MDEC_GCP_PROFILE},
    };
    struct mdec_config cfg;
    struct mdec_result r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int same = memcmp(cases[i].a, cases[i].b, cases[i].len) == 0;
        mdec_config_init(&cfg);
        cfg.flags |= MDEC_CFG_STRICT;
        assert_int_equal(geneve_twice(&cfg, cases[i].a, cases[i].b, cases[i].len, &r),
                         MDEC_STATUS_MALFORMED);
        assert_true(mdec_result_has_anomaly(&r, MDEC_A_GENEVE_DUP_OPTION));
        assert_false(r.tunnels[0].flags & MDEC_TF_COMPLETE);

        mdec_config_init(&cfg);
        assert_int_equal(geneve_twice(&cfg, cases[i].a, cases[i].b, cases[i].len, &r),
                         MDEC_STATUS_OK);
        assert_true(mdec_result_has_anomaly(&r, MDEC_A_GENEVE_DUP_OPTION));
        assert_int_equal((r.tunnels[0].u.geneve.have & cases[i].bit) != 0, same);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_counts_clamped),
        cmocka_unit_test(test_port_count_clamped),
        cmocka_unit_test(test_result_counts_clamped),
        cmocka_unit_test(test_anomalies_seen_saturate),
        cmocka_unit_test(test_cloud_option_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

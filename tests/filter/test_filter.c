/*
 * test_filter.c - the AWS Traffic Mirror filter: rules x packets with the
 * verdicts AWS semantics give, and the filter object's API.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "filter_testutil.h"

enum { IN = MDEC_DIR_INGRESS, EG = MDEC_DIR_EGRESS, UNK = MDEC_DIR_UNKNOWN };
enum { ACC = MDEC_VERDICT_ACCEPT, REJ = MDEC_VERDICT_REJECT };

static void expect_flow(const struct mdec_filter *f, const struct mdec_flow *fl, int truncated,
                        int dir, int want, int line)
{
    const int got = (int)mdec_filter_eval_flow(f, fl, truncated, (enum mdec_direction)dir);
    if (got != want) {
        char s[MDEC_ADDR_STRLEN], d[MDEC_ADDR_STRLEN];
        mdec_addr_format(&fl->src, s, sizeof s);
        mdec_addr_format(&fl->dst, d, sizeof d);
        fail_msg("line %d: %s %s -> %s proto %u ports %s%u->%u trunc %d: got %s, want %s", line,
                 mdec_direction_name((enum mdec_direction)dir), s, d, fl->proto,
                 (fl->flags & MDEC_FLOW_PORTS) ? "" : "(none) ", fl->sport, fl->dport, truncated,
                 mdec_verdict_name((enum mdec_verdict)got),
                 mdec_verdict_name((enum mdec_verdict)want));
    }
}

/* One packet with ports (sport < 0: without), not truncated. */
#define EXPECT(f, dir, src, dst, proto, sport, dport, want)                                        \
    do {                                                                                           \
        const struct mdec_flow fl_ = mkflow(src, dst, proto, sport, dport);                        \
        expect_flow(f, &fl_, 0, dir, want, __LINE__);                                              \
    } while (0)

static struct mdec_filter *filter_of(const char *text)
{
    struct mdec_filter *f = new_filter(64);
    parse_ok(f, text);
    return f;
}

/* ------------------------------------------------------------ the object */

static void test_size_and_init(void **state)
{
    (void)state;
    assert_int_equal(mdec_filter_size(0), 0);
    assert_int_equal(mdec_filter_size(65533), 0);
    assert_true(mdec_filter_size(1) > 0);
    assert_true(mdec_filter_size(65532) > mdec_filter_size(1));
    assert_int_equal(mdec_filter_size(10) % MDEC_FILTER_ALIGN, 0);
    /* Each rule costs room: more rules, more bytes. */
    assert_true(mdec_filter_size(11) > mdec_filter_size(10));

    const size_t size = mdec_filter_size(4);
    unsigned char *mem = aligned_alloc(MDEC_FILTER_ALIGN, size + MDEC_FILTER_ALIGN);
    assert_non_null(mem);
    assert_null(mdec_filter_init(NULL, size, 4));
    assert_null(mdec_filter_init(mem, size - 1, 4));
    assert_null(mdec_filter_init(mem + 8, size, 4)); /* misaligned */
    assert_null(mdec_filter_init(mem, size, 0));
    assert_null(mdec_filter_init(mem, (size_t)-1, 65533));
    struct mdec_filter *f = mdec_filter_init(mem, size, 4);
    assert_ptr_equal(f, mem);
    assert_int_equal(mdec_filter_count(f), 0);
    assert_int_equal(mdec_filter_options(f), 0);
    assert_null(mdec_filter_rule(f, 0));
    /* No rules: everything is rejected, in every direction. */
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, 2, REJ);
    EXPECT(f, EG, "10.0.0.1", "10.0.0.2", 6, 1, 2, REJ);
    EXPECT(f, UNK, "2001:db8::1", "2001:db8::2", 17, 1, 2, REJ);
    free(mem);
}

static void test_rule_init(void **state)
{
    (void)state;
    struct mdec_rule r;
    memset(&r, 0xAB, sizeof r);
    mdec_rule_init(&r);
    assert_int_equal(r.direction, MDEC_DIR_INGRESS);
    assert_int_equal(r.action, MDEC_VERDICT_ACCEPT);
    assert_int_equal(r.number, 0);
    assert_int_equal(r.protocol, MDEC_PROTO_ANY);
    assert_int_equal(r.match, 0);
    assert_int_equal(r.src.addr.family, MDEC_AF_NONE);
    assert_int_equal(r.dst.addr.family, MDEC_AF_NONE);
    assert_int_equal(r.line, 0);
    /* Number 0 must be set before the rule can be added. */
    struct mdec_filter *f = new_filter(2);
    assert_int_equal(mdec_filter_add(f, &r), MDEC_E_INVALID);
    r.number = 1;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, 2, ACC);
    EXPECT(f, IN, "2001:db8::1", "::1", 50, -1, 0, ACC);
    free(f);
}

/* ------------------------------------------------------- CIDR edges */

static void test_cidr_edges_ipv4(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept all 10.1.2.0/24 any\n"
                                      "ingress 20 accept all any 192.0.2.1/32\n"
                                      "ingress 30 accept all 172.16.0.0/12 any\n"
                                      "ingress 40 accept all any 198.51.100.6/31\n"
                                      "egress 10 accept all 0.0.0.0/0 0.0.0.0/0\n"
                                      "egress 20 accept all 128.0.0.0/1 any\n");
    /* /24 and its neighbours */
    EXPECT(f, IN, "10.1.2.0", "1.1.1.1", 6, 1, 1, ACC);
    EXPECT(f, IN, "10.1.2.255", "1.1.1.1", 6, 1, 1, ACC);
    EXPECT(f, IN, "10.1.1.255", "1.1.1.1", 6, 1, 1, REJ);
    EXPECT(f, IN, "10.1.3.0", "1.1.1.1", 6, 1, 1, REJ);
    /* /32 and its neighbours, on the destination */
    EXPECT(f, IN, "1.1.1.1", "192.0.2.1", 6, 1, 1, ACC);
    EXPECT(f, IN, "1.1.1.1", "192.0.2.0", 6, 1, 1, REJ);
    EXPECT(f, IN, "1.1.1.1", "192.0.2.2", 6, 1, 1, REJ);
    EXPECT(f, IN, "192.0.2.1", "1.1.1.1", 6, 1, 1, REJ); /* wrong side */
    /* /12: a length that is not a byte boundary */
    EXPECT(f, IN, "172.16.0.0", "1.1.1.1", 6, 1, 1, ACC);
    EXPECT(f, IN, "172.31.255.255", "1.1.1.1", 6, 1, 1, ACC);
    EXPECT(f, IN, "172.15.255.255", "1.1.1.1", 6, 1, 1, REJ);
    EXPECT(f, IN, "172.32.0.0", "1.1.1.1", 6, 1, 1, REJ);
    /* /31 */
    EXPECT(f, IN, "1.1.1.1", "198.51.100.6", 6, 1, 1, ACC);
    EXPECT(f, IN, "1.1.1.1", "198.51.100.7", 6, 1, 1, ACC);
    EXPECT(f, IN, "1.1.1.1", "198.51.100.5", 6, 1, 1, REJ);
    EXPECT(f, IN, "1.1.1.1", "198.51.100.8", 6, 1, 1, REJ);
    /* /0 takes every IPv4 address and no IPv6 one */
    EXPECT(f, EG, "0.0.0.0", "255.255.255.255", 6, 1, 1, ACC);
    EXPECT(f, EG, "255.255.255.255", "0.0.0.0", 1, -1, 0, ACC);
    EXPECT(f, EG, "::", "::", 6, 1, 1, REJ);
    EXPECT(f, EG, "::ffff:10.0.0.1", "::ffff:10.0.0.2", 6, 1, 1, REJ);
    free(f);
}

static void test_cidr_edges_ipv6(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept all 2001:db8::1/128 any\n"
                                      "ingress 20 accept all any 2001:db8:0:1::/64\n"
                                      "ingress 30 accept all 2001:db8:8000::/33 any\n"
                                      "ingress 40 accept all any fe80::/127\n"
                                      "egress 10 accept all ::/0 ::/0\n");
    /* /128 and its neighbours */
    EXPECT(f, IN, "2001:db8::1", "2001:db9::", 6, 1, 1, ACC);
    EXPECT(f, IN, "2001:db8::", "2001:db9::", 6, 1, 1, REJ);
    EXPECT(f, IN, "2001:db8::2", "2001:db9::", 6, 1, 1, REJ);
    EXPECT(f, IN, "2001:db8::1:0:0:1", "2001:db9::", 6, 1, 1, REJ);
    /* /64: the boundary between the two 64-bit words */
    EXPECT(f, IN, "2001:db9::", "2001:db8:0:1::", 6, 1, 1, ACC);
    EXPECT(f, IN, "2001:db9::", "2001:db8:0:1:ffff:ffff:ffff:ffff", 6, 1, 1, ACC);
    EXPECT(f, IN, "2001:db9::", "2001:db8:0:0:ffff:ffff:ffff:ffff", 6, 1, 1, REJ);
    EXPECT(f, IN, "2001:db9::", "2001:db8:0:2::", 6, 1, 1, REJ);
    /* /33 */
    EXPECT(f, IN, "2001:db8:8000::", "2001:db9::", 6, 1, 1, ACC);
    EXPECT(f, IN, "2001:db8:ffff:ffff::1", "2001:db9::", 6, 1, 1, ACC);
    EXPECT(f, IN, "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", "2001:db9::", 6, 1, 1, REJ);
    EXPECT(f, IN, "2001:db9::", "2001:db9::", 6, 1, 1, REJ);
    /* /127: the last bit is free, the one before is not */
    EXPECT(f, IN, "2001:db9::", "fe80::", 6, 1, 1, ACC);
    EXPECT(f, IN, "2001:db9::", "fe80::1", 6, 1, 1, ACC);
    EXPECT(f, IN, "2001:db9::", "fe80::2", 6, 1, 1, REJ);
    /* ::/0 takes every IPv6 address and no IPv4 one */
    EXPECT(f, EG, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 58, -1, 0, ACC);
    EXPECT(f, EG, "0.0.0.0", "0.0.0.0", 6, 1, 1, REJ);
    free(f);
}

static void test_families_and_any(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept all 0.0.0.0/0 0.0.0.0/0\n"
                                      "egress 10 accept all any any\n"
                                      "egress 20 reject all any any\n");
    /* IPv4 rules never take IPv6 packets, not even IPv4-mapped ones */
    EXPECT(f, IN, "2001:db8::1", "2001:db8::2", 6, 1, 2, REJ);
    EXPECT(f, IN, "::ffff:10.0.0.1", "::ffff:10.0.0.2", 6, 1, 2, REJ);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, 2, ACC);
    /* "any" takes both families */
    EXPECT(f, EG, "2001:db8::1", "2001:db8::2", 6, 1, 2, ACC);
    EXPECT(f, EG, "10.0.0.1", "10.0.0.2", 6, 1, 2, ACC);
    free(f);

    /* any on one side, a family on the other: that family only */
    f = filter_of("ingress 10 accept all any 10.0.0.0/8\n"
                  "ingress 20 accept all 2001:db8::/32 any\n");
    EXPECT(f, IN, "192.0.2.1", "10.9.9.9", 6, 1, 2, ACC);
    EXPECT(f, IN, "2001:db8::1", "10.9.9.9", 6, 1, 2, REJ); /* mixed packet: never */
    EXPECT(f, IN, "2001:db8::1", "2001:db9::1", 6, 1, 2, ACC);
    EXPECT(f, IN, "2001:db9::1", "2001:db8::1", 6, 1, 2, REJ);
    /* IPv4 bytes 4..15 of a hand-built flow do not matter */
    struct mdec_flow fl = mkflow("192.0.2.1", "10.1.2.3", 6, 1, 2);
    memset(fl.dst.a + 4, 0x5A, 12);
    expect_flow(f, &fl, 0, IN, ACC, __LINE__);
    /* A flow whose families differ matches nothing */
    fl.src = addr_of("2001:db8::1");
    expect_flow(f, &fl, 0, IN, REJ, __LINE__);
    free(f);
}

/* ------------------------------------------------------------------ ports */

static void test_port_edges(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept tcp any any dport 1000-2000\n"
                                      "ingress 20 accept udp any any sport 53\n"
                                      "ingress 30 accept tcp any any sport 0 dport 65535\n"
                                      "egress 10 accept udp any any sport 0-65535\n");
    for (int d = 998; d <= 2002; d++) {
        const int in = d >= 1000 && d <= 2000;
        if (d > 1002 && d < 1998)
            continue;
        EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 40000, d, in ? ACC : REJ);
    }
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 17, 40000, 1500, REJ); /* tcp rule, udp packet */
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 17, 52, 1, REJ);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 17, 53, 1, ACC);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 17, 54, 1, REJ);
    /* both ports at the extremes */
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 0, 65535, ACC);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, 65535, REJ);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 0, 65534, REJ);
    /* the whole range takes every port, but needs ports */
    EXPECT(f, EG, "10.0.0.1", "10.0.0.2", 17, 0, 0, ACC);
    EXPECT(f, EG, "10.0.0.1", "10.0.0.2", 17, 65535, 65535, ACC);
    EXPECT(f, EG, "10.0.0.1", "10.0.0.2", 17, -1, 0, REJ);
    free(f);
}

static void test_ports_of_truncated_packets(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 reject tcp any any dport 22\n"
                                      "ingress 20 accept tcp any any\n"
                                      "egress 10 accept tcp any any dport 0-65535\n");
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 5000, 22, REJ);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 5000, 23, ACC);
    /* The capture holds no ports: rule 10 cannot match, rule 20 decides. */
    struct mdec_flow fl = mkflow("10.0.0.1", "10.0.0.2", 6, -1, 0);
    fl.dport = 22; /* stale value behind a clear flag must not count */
    expect_flow(f, &fl, 1, IN, ACC, __LINE__);
    expect_flow(f, &fl, 1, EG, REJ, __LINE__);
    /* A later fragment carries no L4 header either */
    fl.flags |= MDEC_FLOW_FRAGMENT;
    expect_flow(f, &fl, 0, IN, ACC, __LINE__);
    /* Through mdec_filter_eval with a truncated result */
    struct mdec_result res;
    memset(&res, 0, sizeof res);
    res.status = MDEC_STATUS_TRUNCATED;
    res.flow = mkflow("10.0.0.1", "10.0.0.2", 6, -1, 0);
    assert_int_equal(mdec_filter_eval(f, &res, MDEC_DIR_INGRESS), ACC);
    assert_int_equal(mdec_filter_eval(f, &res, MDEC_DIR_EGRESS), REJ);
    res.flow = mkflow("10.0.0.1", "10.0.0.2", 6, 5000, 22);
    assert_int_equal(mdec_filter_eval(f, &res, MDEC_DIR_INGRESS), REJ);
    assert_int_equal(mdec_filter_eval(f, &res, MDEC_DIR_EGRESS), ACC);
    free(f);
}

/* -------------------------------------------------------------- protocol */

static void test_protocols(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept icmp any any\n"
                                      "ingress 20 accept 47 any any\n"
                                      "ingress 30 accept 0 any any\n"
                                      "egress 10 accept all any any\n");
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 1, -1, 0, ACC);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 47, -1, 0, ACC);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 0, -1, 0, ACC);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, 2, REJ);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 58, -1, 0, REJ);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 255, -1, 0, REJ);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 129, -1, 0, REJ); /* 1 + 128: every bit counts */
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 175, -1, 0, REJ); /* 47 + 128 */
    /* all: every protocol number */
    for (int p = 0; p < 256; p++)
        EXPECT(f, EG, "2001:db8::1", "2001:db8::2", p, -1, 0, ACC);
    free(f);
}

/* ------------------------------------------------------- order and lists */

static void test_first_match_by_number(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(8);
    struct mdec_rule r;
    /* Added out of order: 30 accept, 10 reject (ssh), 20 accept tcp. */
    mdec_rule_init(&r);
    r.number = 30;
    r.action = MDEC_VERDICT_REJECT;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    mdec_rule_init(&r);
    r.number = 10;
    r.action = MDEC_VERDICT_REJECT;
    r.protocol = 6;
    r.match = MDEC_RULE_DPORT;
    r.dport_lo = r.dport_hi = 22;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    mdec_rule_init(&r);
    r.number = 20;
    r.protocol = 6;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    /* The same numbers are free in the other direction. */
    mdec_rule_init(&r);
    r.direction = MDEC_DIR_EGRESS;
    r.number = 10;
    r.protocol = 17;
    assert_int_equal(mdec_filter_add(f, &r), 0);

    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 5000, 22, REJ);  /* 10 before 20 */
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 5000, 80, ACC);  /* 20 */
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 17, 5000, 80, REJ); /* 30 */
    EXPECT(f, EG, "10.0.0.1", "10.0.0.2", 17, 5000, 80, ACC);
    EXPECT(f, EG, "10.0.0.1", "10.0.0.2", 6, 5000, 80, REJ); /* no egress match */

    /* Evaluation order: ingress by number, then egress. */
    assert_int_equal(mdec_filter_count(f), 4);
    const unsigned want_num[] = {10, 20, 30, 10};
    const unsigned want_dir[] = {IN, IN, IN, EG};
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(mdec_filter_rule(f, i)->number, want_num[i]);
        assert_int_equal(mdec_filter_rule(f, i)->direction, want_dir[i]);
    }
    assert_null(mdec_filter_rule(f, 4));

    /* Removing rule 10 lets rule 20 take ssh. */
    assert_int_equal(mdec_filter_remove(f, MDEC_DIR_INGRESS, 10), 0);
    assert_int_equal(mdec_filter_remove(f, MDEC_DIR_INGRESS, 10), MDEC_E_NOTFOUND);
    assert_int_equal(mdec_filter_remove(f, MDEC_DIR_UNKNOWN, 20), MDEC_E_NOTFOUND);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 5000, 22, ACC);
    assert_int_equal(mdec_filter_count(f), 3);
    /* Removing the only egress rule leaves egress empty: rejected. */
    assert_int_equal(mdec_filter_remove(f, MDEC_DIR_EGRESS, 10), 0);
    EXPECT(f, EG, "10.0.0.1", "10.0.0.2", 17, 5000, 80, REJ);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 5000, 22, ACC);
    free(f);
}

static void test_rule_order_with_many_rules(void **state)
{
    (void)state;
    /* Rule n rejects dport n, except every 7th accepts; a catch-all last. */
    struct mdec_filter *f = new_filter(300);
    struct mdec_rule r;
    for (int n = 250; n >= 1; n--) {
        mdec_rule_init(&r);
        r.number = (uint16_t)(n * 3);
        r.protocol = 6;
        r.action = n % 7 ? MDEC_VERDICT_REJECT : MDEC_VERDICT_ACCEPT;
        r.match = MDEC_RULE_DPORT;
        r.dport_lo = (uint16_t)n;
        r.dport_hi = (uint16_t)(n + 5); /* overlapping: the lowest number wins */
        assert_int_equal(mdec_filter_add(f, &r), 0);
    }
    mdec_rule_init(&r);
    r.number = 32766;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    for (int port = 1; port <= 260; port++) {
        /* the first rule (lowest n) whose range holds port */
        int n = port - 5 < 1 ? 1 : port - 5;
        const int want = n > 250 ? ACC : (n % 7 ? REJ : ACC);
        EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, port, want);
    }
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 17, 1, 10, ACC); /* 32766 */
    free(f);
}

static void test_unknown_direction(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 reject tcp any any dport 80\n"
                                      "ingress 20 accept tcp any any\n"
                                      "egress 10 accept tcp any any dport 80\n");
    /* both lists: accepted when either accepts */
    EXPECT(f, UNK, "10.0.0.1", "10.0.0.2", 6, 1, 80, ACC);  /* egress accepts */
    EXPECT(f, UNK, "10.0.0.1", "10.0.0.2", 6, 1, 443, ACC); /* ingress accepts */
    EXPECT(f, UNK, "10.0.0.1", "10.0.0.2", 17, 1, 80, REJ); /* neither */
    /* a value outside the enum counts as unknown */
    EXPECT(f, 7, "10.0.0.1", "10.0.0.2", 6, 1, 80, ACC);
    mdec_filter_set_options(f, MDEC_FILTER_UNKNOWN_REJECT);
    EXPECT(f, UNK, "10.0.0.1", "10.0.0.2", 6, 1, 80, REJ);
    EXPECT(f, UNK, "10.0.0.1", "10.0.0.2", 6, 1, 443, REJ);
    EXPECT(f, 7, "10.0.0.1", "10.0.0.2", 6, 1, 443, REJ);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, 443, ACC); /* known ones unaffected */
    free(f);

    /* The text setting does the same. */
    f = filter_of("unknown-direction reject\negress 1 accept all any any\n");
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_UNKNOWN_REJECT);
    EXPECT(f, UNK, "10.0.0.1", "10.0.0.2", 6, 1, 80, REJ);
    parse_ok(f, "unknown-direction both\n");
    assert_int_equal(mdec_filter_options(f), 0);
    EXPECT(f, UNK, "10.0.0.1", "10.0.0.2", 6, 1, 80, ACC);
    free(f);
}

/* ------------------------------------------- beyond AWS: vni, truncation */

static void test_tunnel_id(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept all any any vni 100-200\n"
                                      "egress 10 accept all any any vni 0-4294967295\n"
                                      "egress 20 accept udp any any vni 7 dport 53\n");
    struct mdec_flow fl = mkflow("10.0.0.1", "10.0.0.2", 6, 1, 2);
    fl.flags |= MDEC_FLOW_TUNNEL_ID;
    const uint32_t ids[] = {99, 100, 150, 200, 201, 0, UINT32_MAX};
    const int want[] = {REJ, ACC, ACC, ACC, REJ, REJ, REJ};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        fl.tunnel_id = ids[i];
        expect_flow(f, &fl, 0, IN, want[i], __LINE__);
        expect_flow(f, &fl, 0, EG, ACC, __LINE__); /* whole range */
    }
    /* no tunnel id: a vni rule never matches, not even the whole range */
    fl.flags &= (uint8_t)~MDEC_FLOW_TUNNEL_ID;
    fl.tunnel_id = 150;
    expect_flow(f, &fl, 0, IN, REJ, __LINE__);
    expect_flow(f, &fl, 0, EG, REJ, __LINE__);
    free(f);
}

static void test_truncated_and_complete(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept all any any truncated\n"
                                      "egress 10 accept all any any complete\n");
    struct mdec_result res;
    memset(&res, 0, sizeof res);
    res.flow = mkflow("10.0.0.1", "10.0.0.2", 6, 1, 2);
    const int statuses[] = {MDEC_STATUS_OK, MDEC_STATUS_TRUNCATED, MDEC_STATUS_MALFORMED, MDEC_STATUS_UNSUPPORTED,
                            MDEC_STATUS_NOT_TUNNELED};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        res.status = (uint8_t)statuses[i];
        const int trunc = statuses[i] == MDEC_STATUS_TRUNCATED;
        assert_int_equal(mdec_filter_eval(f, &res, MDEC_DIR_INGRESS), trunc ? ACC : REJ);
        assert_int_equal(mdec_filter_eval(f, &res, MDEC_DIR_EGRESS), trunc ? REJ : ACC);
    }
    /* eval_flow: any nonzero truncated counts as truncated */
    expect_flow(f, &res.flow, 5, IN, ACC, __LINE__);
    expect_flow(f, &res.flow, 0, IN, REJ, __LINE__);
    free(f);
}

static void test_non_ip_packets(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept all any any\n");
    struct mdec_flow fl;
    memset(&fl, 0, sizeof fl); /* ARP: no MDEC_FLOW_IP */
    expect_flow(f, &fl, 0, IN, REJ, __LINE__);
    fl = mkflow("10.0.0.1", "10.0.0.2", 6, 1, 2);
    fl.flags &= (uint8_t)~MDEC_FLOW_IP; /* addresses present but not valid */
    expect_flow(f, &fl, 0, IN, REJ, __LINE__);
    fl.flags |= MDEC_FLOW_IP;
    expect_flow(f, &fl, 0, IN, ACC, __LINE__);
    fl.src.family = fl.dst.family = MDEC_AF_NONE; /* IP flag without families */
    expect_flow(f, &fl, 0, IN, REJ, __LINE__);
    free(f);
}

/* ------------------------------------------------------------ Amazon DNS */

static void test_amazon_dns(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept all any any\n"
                                      "egress 10 accept all any any\n");
    /* Default: Amazon DNS is rejected before the rules, both ways. */
    EXPECT(f, EG, "10.0.1.5", "169.254.169.253", 17, 40000, 53, REJ);
    EXPECT(f, IN, "169.254.169.253", "10.0.1.5", 17, 53, 40000, REJ);
    EXPECT(f, EG, "10.0.1.5", "169.254.169.253", 6, 40000, 53, REJ);
    EXPECT(f, EG, "2001:db8::5", "fd00:ec2::253", 17, 40000, 53, REJ);
    EXPECT(f, IN, "fd00:ec2::253", "2001:db8::5", 6, 53, 40000, REJ);
    EXPECT(f, UNK, "10.0.1.5", "169.254.169.253", 17, 40000, 53, REJ);
    /* Not DNS: other port, other protocol, other address, no ports, the
     * resolver's port 53 on the wrong side. */
    EXPECT(f, EG, "10.0.1.5", "169.254.169.253", 17, 40000, 54, ACC);
    EXPECT(f, EG, "10.0.1.5", "169.254.169.253", 132, 40000, 53, ACC);
    EXPECT(f, EG, "10.0.1.5", "169.254.169.252", 17, 40000, 53, ACC);
    struct mdec_flow nop = mkflow("10.0.1.5", "169.254.169.253", 17, -1, 0);
    nop.dport = 53; /* stale, behind a clear MDEC_FLOW_PORTS */
    expect_flow(f, &nop, 1, EG, ACC, __LINE__);
    EXPECT(f, EG, "169.254.169.253", "10.0.1.5", 17, 40000, 53, ACC);
    EXPECT(f, EG, "10.0.1.5", "10.0.0.2", 17, 40000, 53, ACC);
    /* The VPC resolver (base + 2) once added */
    struct mdec_addr vpc2 = addr_of("10.0.0.2");
    assert_int_equal(mdec_filter_add_dns_resolver(f, &vpc2), 0);
    EXPECT(f, EG, "10.0.1.5", "10.0.0.2", 17, 40000, 53, REJ);
    EXPECT(f, IN, "10.0.0.2", "10.0.1.5", 17, 53, 40000, REJ);

    /* amazon-dns: accepted outright, whatever the rules and direction */
    mdec_filter_set_options(f, MDEC_FILTER_AMAZON_DNS | MDEC_FILTER_UNKNOWN_REJECT);
    assert_int_equal(mdec_filter_remove(f, MDEC_DIR_EGRESS, 10), 0);
    parse_ok(f, "ingress 5 reject udp any any\n");
    EXPECT(f, EG, "10.0.1.5", "169.254.169.253", 17, 40000, 53, ACC);
    EXPECT(f, IN, "169.254.169.253", "10.0.1.5", 17, 53, 40000, ACC);
    EXPECT(f, UNK, "10.0.1.5", "10.0.0.2", 17, 40000, 53, ACC);
    EXPECT(f, IN, "fd00:ec2::253", "2001:db8::5", 6, 53, 40000, ACC);
    EXPECT(f, IN, "10.0.1.9", "10.0.1.5", 17, 53, 40000, REJ); /* not DNS: rule 5 */

    /* amazon-dns rules: the rules decide, as for any packet */
    mdec_filter_set_options(f, MDEC_FILTER_AMAZON_DNS | MDEC_FILTER_AMAZON_DNS_BY_RULES);
    EXPECT(f, EG, "10.0.1.5", "169.254.169.253", 17, 40000, 53, REJ); /* no egress rule */
    EXPECT(f, IN, "169.254.169.253", "10.0.1.5", 17, 53, 40000, REJ); /* rule 5 */
    EXPECT(f, IN, "169.254.169.253", "10.0.1.5", 6, 53, 40000, ACC);  /* rule 10 */
    /* BY_RULES alone does not make DNS eligible */
    mdec_filter_set_options(f, MDEC_FILTER_AMAZON_DNS_BY_RULES);
    EXPECT(f, IN, "169.254.169.253", "10.0.1.5", 6, 53, 40000, REJ);
    free(f);

    /* The text settings */
    f = filter_of("amazon-dns mirror\namazon-dns-resolver 172.31.0.2\n");
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_AMAZON_DNS);
    EXPECT(f, IN, "172.31.0.2", "172.31.5.5", 17, 53, 1234, ACC);
    EXPECT(f, IN, "172.31.0.3", "172.31.5.5", 17, 53, 1234, REJ);
    parse_ok(f, "amazon-dns rules\n");
    assert_int_equal(mdec_filter_options(f),
                     MDEC_FILTER_AMAZON_DNS | MDEC_FILTER_AMAZON_DNS_BY_RULES);
    EXPECT(f, IN, "172.31.0.2", "172.31.5.5", 17, 53, 1234, REJ);
    parse_ok(f, "amazon-dns skip\ningress 1 accept all any any\n");
    assert_int_equal(mdec_filter_options(f), 0);
    EXPECT(f, IN, "172.31.0.2", "172.31.5.5", 17, 53, 1234, REJ);
    EXPECT(f, IN, "172.31.0.3", "172.31.5.5", 17, 53, 1234, ACC);
    free(f);
}

static void test_dns_resolver_api(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 1 accept all any any\n");
    struct mdec_addr a;
    memset(&a, 0, sizeof a);
    assert_int_equal(mdec_filter_add_dns_resolver(f, &a), MDEC_E_INVALID);
    a.family = 5;
    assert_int_equal(mdec_filter_add_dns_resolver(f, &a), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_add_dns_resolver(f, NULL), MDEC_E_INVALID);
    /* The built-in ones and repeats take no room. */
    for (int rep = 0; rep < 3; rep++) {
        a = addr_of("169.254.169.253");
        assert_int_equal(mdec_filter_add_dns_resolver(f, &a), 0);
        a = addr_of("fd00:ec2::253");
        assert_int_equal(mdec_filter_add_dns_resolver(f, &a), 0);
    }
    char text[32];
    for (int i = 0; i < MDEC_FILTER_MAX_RESOLVERS; i++) {
        snprintf(text, sizeof text, "10.%d.0.2", i);
        a = addr_of(text);
        assert_int_equal(mdec_filter_add_dns_resolver(f, &a), 0);
        assert_int_equal(mdec_filter_add_dns_resolver(f, &a), 0);
    }
    a = addr_of("10.99.0.2");
    assert_int_equal(mdec_filter_add_dns_resolver(f, &a), MDEC_E_NOSPACE);
    EXPECT(f, IN, "10.7.0.2", "10.7.1.1", 17, 53, 999, REJ);
    EXPECT(f, IN, "10.99.0.2", "10.7.1.1", 17, 53, 999, ACC);
    /* IPv4 bytes 4..15 of the caller's address are ignored */
    mdec_filter_clear(f);
    a = addr_of("10.1.0.2");
    memset(a.a + 4, 0xEE, 12);
    assert_int_equal(mdec_filter_add_dns_resolver(f, &a), 0);
    parse_ok(f, "ingress 1 accept all any any\n");
    EXPECT(f, IN, "10.1.0.2", "10.1.1.1", 17, 53, 999, REJ);
    /* clear drops the resolvers */
    mdec_filter_clear(f);
    parse_ok(f, "ingress 1 accept all any any\n");
    EXPECT(f, IN, "10.1.0.2", "10.1.1.1", 17, 53, 999, ACC);
    EXPECT(f, IN, "169.254.169.253", "10.1.1.1", 17, 53, 999, REJ); /* built in */
    free(f);
}

/* ------------------------------------------------------------ add/remove */

static void test_add_rejects_invalid_rules(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(4);
    struct mdec_rule r;
#define BAD(stmt)                                                                                  \
    do {                                                                                           \
        mdec_rule_init(&r);                                                                        \
        r.number = 5;                                                                              \
        stmt;                                                                                      \
        if (mdec_filter_add(f, &r) != MDEC_E_INVALID)                                              \
            fail_msg("accepted a rule with %s", #stmt);                                            \
    } while (0)
    BAD(r.direction = MDEC_DIR_UNKNOWN);
    BAD(r.direction = 3);
    BAD(r.action = MDEC_VERDICT_FORGED);
    BAD(r.number = 0);
    BAD(r.number = 32767);
    BAD(r.protocol = 256);
    BAD(r.protocol = -2);
    BAD(r.match = 1u << 5);
    BAD((r.protocol = 1, r.match = MDEC_RULE_DPORT)); /* ports need tcp/udp */
    BAD((r.match = MDEC_RULE_SPORT));                 /* ... not all */
    BAD((r.protocol = 6, r.match = MDEC_RULE_SPORT, r.sport_lo = 2, r.sport_hi = 1));
    BAD((r.protocol = 17, r.match = MDEC_RULE_DPORT, r.dport_lo = 9, r.dport_hi = 8));
    BAD((r.match = MDEC_RULE_TUNNEL_ID, r.tunnel_id_lo = 9, r.tunnel_id_hi = 8));
    BAD((r.match = MDEC_RULE_TRUNCATED | MDEC_RULE_COMPLETE));
    BAD((r.src.addr = addr_of("10.0.0.1"), r.src.len = 33));
    BAD((r.src.addr = addr_of("10.0.0.1"), r.src.len = 24)); /* host bits */
    BAD((r.dst.addr = addr_of("2001:db8::1"), r.dst.len = 129));
    BAD((r.dst.addr = addr_of("2001:db8::1"), r.dst.len = 64));
    BAD((r.dst.addr = addr_of("10.0.0.0"), r.dst.len = 8, r.dst.addr.a[9] = 1));
    BAD((r.src.addr.family = 5));
    BAD((r.src.len = 1)); /* any with a length */
    BAD((r.src.addr = addr_of("10.0.0.0"), r.src.len = 8, r.dst.addr = addr_of("::"),
         r.dst.len = 0)); /* families differ */
#undef BAD
    assert_int_equal(mdec_filter_count(f), 0);
    assert_int_equal(mdec_filter_add(NULL, &r), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_add(f, NULL), MDEC_E_INVALID);

    /* Limits that are fine */
    mdec_rule_init(&r);
    r.number = 32766;
    r.protocol = 255;
    r.src.addr = addr_of("255.255.255.255");
    r.src.len = 32;
    r.dst.addr = addr_of("::");
    r.dst.addr.family = MDEC_AF_NONE; /* any: bytes ignored */
    memset(r.dst.addr.a, 0x77, 16);
    assert_int_equal(mdec_filter_add(f, &r), 0);
    /* An "any" prefix comes back zeroed; unused ranges too. */
    mdec_rule_init(&r);
    r.number = 1;
    r.sport_lo = 9;
    r.tunnel_id_hi = 77;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    const struct mdec_rule *got = mdec_filter_rule(f, 0);
    assert_int_equal(got->number, 1);
    assert_int_equal(got->sport_lo, 0);
    assert_int_equal(got->tunnel_id_hi, 0);
    got = mdec_filter_rule(f, 1);
    const uint8_t zero[16] = {0};
    assert_memory_equal(got->dst.addr.a, zero, 16);
    free(f);
}

static void test_add_duplicates_and_capacity(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(3);
    struct mdec_rule r;
    mdec_rule_init(&r);
    r.number = 100;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    r.action = MDEC_VERDICT_REJECT;
    assert_int_equal(mdec_filter_add(f, &r), MDEC_E_EXISTS);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, 2, ACC); /* the first one stays */
    r.direction = MDEC_DIR_EGRESS;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    r.number = 101;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    r.number = 102;
    assert_int_equal(mdec_filter_add(f, &r), MDEC_E_NOSPACE);
    /* EXISTS is told before NOSPACE */
    r.number = 101;
    assert_int_equal(mdec_filter_add(f, &r), MDEC_E_EXISTS);
    assert_int_equal(mdec_filter_count(f), 3);
    /* room again after a removal */
    assert_int_equal(mdec_filter_remove(f, MDEC_DIR_EGRESS, 100), 0);
    r.number = 102;
    assert_int_equal(mdec_filter_add(f, &r), 0);
    assert_int_equal(mdec_filter_rule(f, 1)->number, 101);
    assert_int_equal(mdec_filter_rule(f, 2)->number, 102);
    /* clear: no rules, options 0 */
    mdec_filter_set_options(f, MDEC_FILTER_AMAZON_DNS);
    mdec_filter_clear(f);
    assert_int_equal(mdec_filter_count(f), 0);
    assert_int_equal(mdec_filter_options(f), 0);
    EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, 2, REJ);
    /* capacity is unchanged by clear */
    for (uint16_t n = 1; n <= 3; n++) {
        r.number = n;
        assert_int_equal(mdec_filter_add(f, &r), 0);
    }
    r.number = 4;
    assert_int_equal(mdec_filter_add(f, &r), MDEC_E_NOSPACE);
    free(f);
}

static void test_options(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(1);
    /* unknown bits are dropped, not refused: a setup call that succeeds */
    assert_int_equal(mdec_filter_set_options(f, 0xFFFFFFFFu), 0);
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_AMAZON_DNS | MDEC_FILTER_UNKNOWN_REJECT |
                                                 MDEC_FILTER_AMAZON_DNS_BY_RULES);
    assert_int_equal(mdec_filter_set_options(f, 0), 0);
    assert_int_equal(mdec_filter_options(f), 0);
    /* the NULL policy of a setup function */
    assert_int_equal(mdec_filter_set_options(NULL, MDEC_FILTER_AMAZON_DNS), MDEC_E_INVALID);
    free(f);
}

/* A failed parse leaves rules, options and resolvers as they were. */
static void test_failed_parse_changes_nothing(void **state)
{
    (void)state;
    static const char base[] = "ingress 10 accept tcp 10.0.0.0/8 any dport 80\n"
                               "egress 20 reject udp any 2001:db8::/32 sport 1-2\n";
    static const char *const bad[] = {
        /* settings and rules before a syntax error on the last line */
        "ingress 5 accept all any any\namazon-dns mirror\namazon-dns-resolver 10.0.0.2\n"
        "unknown-direction both\negress 7 accept all any any\nbogus\n",
        /* a number the filter already uses */
        "amazon-dns mirror\ningress 5 accept all any any\ningress 10 accept all any any\n",
        /* a number used twice in the text */
        "amazon-dns-resolver 10.0.0.2\ningress 6 accept all any any\ningress 6 reject all any "
        "any\n",
        /* one rule more than there is room for (capacity 5, 2 in use) */
        "unknown-direction both\negress 1 accept all any any\negress 2 accept all any any\n"
        "egress 3 accept all any any\negress 4 accept all any any\n",
    };
    static const int want_rc[] = {MDEC_E_SYNTAX, MDEC_E_EXISTS, MDEC_E_EXISTS, MDEC_E_NOSPACE};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mdec_filter *f = new_filter(5), *ref = new_filter(5);
        parse_ok(f, base);
        parse_ok(ref, base);
        mdec_filter_set_options(f, MDEC_FILTER_UNKNOWN_REJECT);
        struct mdec_parse_error e;
        assert_int_equal(mdec_filter_parse(f, bad[i], strlen(bad[i]), &e), want_rc[i]);
        assert_same_rules(f, ref);
        assert_int_equal(mdec_filter_options(f), MDEC_FILTER_UNKNOWN_REJECT);
        /* 10.0.0.2 was not made a resolver; amazon-dns not switched on;
         * unknown-direction still rejects. */
        EXPECT(f, IN, "10.0.0.2", "10.0.0.9", 6, 53, 80, ACC);
        EXPECT(f, EG, "10.0.0.2", "169.254.169.253", 17, 1, 53, REJ);
        EXPECT(f, UNK, "10.0.0.1", "10.0.0.2", 6, 1, 80, REJ);
        /* the scratch slots the parser wrote are not rules */
        EXPECT(f, EG, "10.0.0.1", "10.0.0.2", 6, 1, 80, REJ);
        EXPECT(f, IN, "10.0.0.1", "10.0.0.2", 6, 1, 81, REJ);
        /* and still there to be used */
        parse_ok(f, "egress 1 accept all any any\negress 2 accept all any any\n"
                    "egress 3 accept all any any\n");
        assert_int_equal(mdec_filter_count(f), 5);
        free(f);
        free(ref);
    }
}

/* --------------------------------------------------------------- format */

/* addr/len with the host bits cleared. */
static struct mdec_prefix prefix_of(const char *addr, unsigned len)
{
    struct mdec_prefix p;
    p.addr = addr_of(addr);
    p.len = (uint8_t)len;
    for (unsigned b = len; b < 128; b++)
        p.addr.a[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
    return p;
}

static void test_format(void **state)
{
    (void)state;
    struct mdec_rule r;
    char buf[192];
    mdec_rule_init(&r);
    r.number = 100;
    const int n0 = mdec_rule_format(&r, buf, sizeof buf);
    assert_string_equal(buf, "ingress 100 accept all any any");
    assert_int_equal(n0, (int)strlen(buf));

    /* The longest rule text there is fits in 192 bytes. */
    r.direction = MDEC_DIR_INGRESS;
    r.number = 32766;
    r.action = MDEC_VERDICT_REJECT;
    r.protocol = 6;
    r.src.addr = addr_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
    r.src.len = 128;
    r.dst = r.src;
    r.match = MDEC_RULE_SPORT | MDEC_RULE_DPORT | MDEC_RULE_TUNNEL_ID | MDEC_RULE_TRUNCATED;
    r.sport_lo = r.dport_lo = 65534;
    r.sport_hi = r.dport_hi = 65535;
    r.tunnel_id_lo = 4294967294u;
    r.tunnel_id_hi = 4294967295u;
    const int n = mdec_rule_format(&r, buf, sizeof buf);
    assert_true(n > 150 && n < 192);
    assert_string_equal(buf, "ingress 32766 reject tcp ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128 "
                             "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128 sport 65534-65535 "
                             "dport 65534-65535 vni 4294967294-4294967295 truncated");
    /* Too small a buffer: NOSPACE and a cut, terminated text */
    char small[20];
    assert_int_equal(mdec_rule_format(&r, small, sizeof small), MDEC_E_NOSPACE);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(strncmp(small, buf, sizeof small - 1), 0);

    /* Names for the known protocols, numbers for the others */
    const int protos[] = {MDEC_PROTO_ANY, 1, 6, 17, 58, 132, 0, 47, 255};
    const char *names[] = {"all", "icmp", "tcp", "udp", "icmpv6", "sctp", "0", "47", "255"};
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
        mdec_rule_init(&r);
        r.direction = MDEC_DIR_EGRESS;
        r.number = 7;
        r.protocol = (int16_t)protos[i];
        r.src.addr = addr_of("10.0.0.0");
        r.src.len = 8;
        char want[96];
        snprintf(want, sizeof want, "egress 7 accept %s 10.0.0.0/8 any", names[i]);
        assert_true(mdec_rule_format(&r, buf, sizeof buf) > 0);
        assert_string_equal(buf, want);
    }
}

/* Formatted rules parse back to the same rules. */
static void test_format_roundtrip(void **state)
{
    (void)state;
    const char *text = "ingress 1 accept tcp 0.0.0.0/0 10.0.0.0/16 dport 443\n"
                       "ingress 2 reject udp 192.0.2.7/32 any sport 1-1023 dport 53\n"
                       "ingress 3 accept all 2001:db8::/32 ::/0 vni 100-200 complete\n"
                       "ingress 32766 accept 47 any any truncated\n"
                       "egress 1 accept icmpv6 fe80::/10 any vni 0\n"
                       "egress 2 reject sctp any 203.0.113.0/24\n"
                       "egress 3 accept icmp any any\n"
                       "egress 4 accept tcp ::/0 ::1/128 sport 0-65535 dport 0\n";
    struct mdec_filter *f = filter_of(text);
    char dump[4096];
    dump_rules(f, dump, sizeof dump);
    assert_string_equal(dump, text);
    struct mdec_filter *g = new_filter(64);
    parse_ok(g, dump);
    assert_same_rules(f, g);

    /* Rules added from C, with the fields at their limits */
    mdec_filter_clear(f);
    struct mdec_rule r;
    for (unsigned i = 0; i < 40; i++) {
        mdec_rule_init(&r);
        r.direction = i % 2 ? MDEC_DIR_EGRESS : MDEC_DIR_INGRESS;
        r.number = (uint16_t)(32766 - i * 811);
        r.action = i % 3 ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_REJECT;
        r.protocol = i % 4 ? (int16_t)(i % 2 ? 6 : 17) : (int16_t)(i * 6);
        const unsigned len = i * 3 % 129;
        if (i % 5) {
            r.src = prefix_of(i % 2 ? "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff" : "198.51.100.255",
                              i % 2 ? len : len % 33);
            r.dst = prefix_of(i % 2 ? "::1" : "255.255.255.255", i % 2 ? 128 - len : 32 - len % 33);
        }
        if (r.protocol == 6 || r.protocol == 17) {
            r.match |= MDEC_RULE_SPORT | MDEC_RULE_DPORT;
            r.sport_lo = (uint16_t)(i * 1000);
            r.sport_hi = (uint16_t)(i * 1000 + i);
            r.dport_lo = r.dport_hi = (uint16_t)(65535 - i);
        }
        if (i % 3 == 1) {
            r.match |= MDEC_RULE_TUNNEL_ID;
            r.tunnel_id_lo = i;
            r.tunnel_id_hi = UINT32_MAX - i;
        }
        if (i % 7 == 2)
            r.match |= MDEC_RULE_COMPLETE;
        assert_int_equal(mdec_filter_add(f, &r), 0);
    }
    dump_rules(f, dump, sizeof dump);
    mdec_filter_clear(g);
    parse_ok(g, dump);
    /* The parser records line numbers; C rules have 0: compare the rest. */
    assert_int_equal(mdec_filter_count(f), mdec_filter_count(g));
    for (uint32_t i = 0; i < mdec_filter_count(f); i++) {
        struct mdec_rule a = *mdec_filter_rule(f, i), b = *mdec_filter_rule(g, i);
        assert_int_equal(a.line, 0);
        assert_true(b.line >= 1);
        b.line = 0;
        assert_memory_equal(&a, &b, sizeof a);
    }
    free(f);
    free(g);
}

/* The filter holds no pointers: a byte copy works the same. */
static void test_copy_is_a_filter(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept tcp 10.0.0.0/8 any dport 80\n"
                                      "egress 10 accept udp any any\n"
                                      "amazon-dns-resolver 10.0.0.2\n");
    const size_t size = mdec_filter_size(64);
    struct mdec_filter *g = aligned_alloc(MDEC_FILTER_ALIGN, size);
    assert_non_null(g);
    memcpy(g, f, size);
    memset(f, 0xA5, size); /* the original is gone */
    free(f);
    assert_int_equal(mdec_filter_count(g), 2);
    EXPECT(g, IN, "10.1.1.1", "1.1.1.1", 6, 1, 80, ACC);
    EXPECT(g, IN, "10.1.1.1", "1.1.1.1", 6, 1, 81, REJ);
    EXPECT(g, EG, "10.1.1.1", "1.1.1.1", 17, 1, 81, ACC);
    EXPECT(g, EG, "10.1.1.1", "10.0.0.2", 17, 1, 53, REJ);
    parse_ok(g, "ingress 5 accept all any any\n");
    EXPECT(g, IN, "10.1.1.1", "1.1.1.1", 6, 1, 81, ACC);
    free(g);
}

/* An IPv6 packet cut inside its extension headers has addresses but no
 * known upper-layer protocol (MDEC_FLOW_PROTO clear): rules naming a
 * protocol cannot match it, rules for all protocols still can. */
static void test_protocol_unknown(void **state)
{
    (void)state;
    struct mdec_filter *f = filter_of("ingress 10 accept tcp any any\n"
                                      "ingress 20 reject 0 any any\n"
                                      "ingress 30 accept all 2001:db8::/32 any\n");
    struct mdec_flow fl = mkflow("2001:db8::1", "2001:db8::2", 6, -1, 0);
    expect_flow(f, &fl, 1, IN, ACC, __LINE__); /* rule 10 */
    fl.flags &= (uint8_t)~MDEC_FLOW_PROTO;
    fl.proto = 0; /* what was read so far: a hop-by-hop header's number */
    expect_flow(f, &fl, 1, IN, ACC, __LINE__); /* neither 10 nor 20: rule 30 */
    fl = mkflow("2001:db9::1", "2001:db8::2", 0, -1, 0);
    expect_flow(f, &fl, 1, IN, REJ, __LINE__); /* rule 20 */
    fl.flags &= (uint8_t)~MDEC_FLOW_PROTO;
    expect_flow(f, &fl, 1, IN, REJ, __LINE__); /* no rule: rejected anyway */
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol_unknown),
        cmocka_unit_test(test_size_and_init),
        cmocka_unit_test(test_rule_init),
        cmocka_unit_test(test_cidr_edges_ipv4),
        cmocka_unit_test(test_cidr_edges_ipv6),
        cmocka_unit_test(test_families_and_any),
        cmocka_unit_test(test_port_edges),
        cmocka_unit_test(test_ports_of_truncated_packets),
        cmocka_unit_test(test_protocols),
        cmocka_unit_test(test_first_match_by_number),
        cmocka_unit_test(test_rule_order_with_many_rules),
        cmocka_unit_test(test_unknown_direction),
        cmocka_unit_test(test_tunnel_id),
        cmocka_unit_test(test_truncated_and_complete),
        cmocka_unit_test(test_non_ip_packets),
        cmocka_unit_test(test_amazon_dns),
        cmocka_unit_test(test_dns_resolver_api),
        cmocka_unit_test(test_add_rejects_invalid_rules),
        cmocka_unit_test(test_add_duplicates_and_capacity),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_failed_parse_changes_nothing),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_roundtrip),
        cmocka_unit_test(test_copy_is_a_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

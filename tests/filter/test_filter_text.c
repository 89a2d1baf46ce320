/*
 * test_filter_text.c - the rule text syntax: every error with its line,
 * column and words; comments, blank lines, CRLF, settings; big files.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "filter_testutil.h"

#define RULE_NUMBERS 32766u /* 1..32766 in each direction */

struct bad_case {
    const char *text;
    int rc;
    uint32_t line, column;
    const char *words; /* must appear in the message */
};

static void check_bad(struct mdec_filter *f, const struct bad_case *c)
{
    char before[8192];
    dump_rules(f, before, sizeof before);
    const uint32_t opt = mdec_filter_options(f);
    struct mdec_parse_error e;
    memset(&e, 0xFF, sizeof e);
    const int rc = mdec_filter_parse(f, c->text, strlen(c->text), &e);
    if (rc != c->rc || e.line != c->line || e.column != c->column || !strstr(e.message, c->words))
        fail_msg("text '%s':\n got rc %d at %u:%u '%s'\nwant rc %d at %u:%u with '%s'", c->text, rc,
                 e.line, e.column, e.message, c->rc, c->line, c->column, c->words);
    assert_true(strlen(e.message) < sizeof e.message);
    char after[8192];
    dump_rules(f, after, sizeof after);
    assert_string_equal(before, after);
    assert_int_equal(mdec_filter_options(f), opt);
}

static const struct bad_case syntax_cases[] = {
    /* first word */
    {"bogus 1 2", MDEC_E_SYNTAX, 1, 1,
     "expected 'ingress', 'egress' or a setting (amazon-dns, amazon-dns-resolver, "
     "unknown-direction), found 'bogus'"},
    {"  \t ingres 1 accept all any any", MDEC_E_SYNTAX, 1, 5, "found 'ingres'"},
    {"\n\n# comment\n   egres", MDEC_E_SYNTAX, 4, 4, "found 'egres'"},
    /* number */
    {"ingress", MDEC_E_SYNTAX, 1, 8, "expected a rule number (1..32766), found end of line"},
    {"ingress x accept all any any", MDEC_E_SYNTAX, 1, 9,
     "expected a rule number (1..32766), found 'x'"},
    {"ingress 0 accept all any any", MDEC_E_SYNTAX, 1, 9, "found '0'"},
    {"ingress 32767 accept all any any", MDEC_E_SYNTAX, 1, 9, "found '32767'"},
    {"egress 99999999999999999999 accept all any any", MDEC_E_SYNTAX, 1, 8, "rule number"},
    {"egress -1 accept all any any", MDEC_E_SYNTAX, 1, 8, "found '-1'"},
    {"egress +1 accept all any any", MDEC_E_SYNTAX, 1, 8, "found '+1'"},
    {"egress 1e2 accept all any any", MDEC_E_SYNTAX, 1, 8, "found '1e2'"},
    /* action */
    {"ingress 10", MDEC_E_SYNTAX, 1, 11, "expected 'accept' or 'reject', found end of line"},
    {"ingress 10 acept tcp any any", MDEC_E_SYNTAX, 1, 12,
     "expected 'accept' or 'reject', found 'acept'"},
    {"ingress 10 drop tcp any any", MDEC_E_SYNTAX, 1, 12, "found 'drop'"},
    /* protocol */
    {"ingress 10 accept", MDEC_E_SYNTAX, 1, 18,
     "expected a protocol (all, tcp, udp, icmp, icmpv6, sctp or 0..255), found end of line"},
    {"ingress 10 accept tcpp any any", MDEC_E_SYNTAX, 1, 19, "found 'tcpp'"},
    {"ingress 10 accept 256 any any", MDEC_E_SYNTAX, 1, 19, "found '256'"},
    {"ingress 10 accept -1 any any", MDEC_E_SYNTAX, 1, 19, "found '-1'"},
    /* source */
    {"ingress 10 accept tcp", MDEC_E_SYNTAX, 1, 22,
     "expected a source CIDR or 'any', found end of line"},
    {"ingress 10 accept tcp 10.0.0.0/33 any", MDEC_E_SYNTAX, 1, 32,
     "bad source CIDR: expected a prefix length of 0 to 32"},
    {"ingress 10 accept tcp 10.0.0.256/32 any", MDEC_E_SYNTAX, 1, 30,
     "bad source CIDR: IPv4 address part above 255"},
    {"ingress 10 accept tcp 10.0.0.1/8 any", MDEC_E_SYNTAX, 1, 23,
     "host bits set beyond the prefix length in '10.0.0.1/8': did you mean 10.0.0.0/8?"},
    {"ingress 10 accept tcp anything any", MDEC_E_SYNTAX, 1, 23, "bad source CIDR"},
    {"ingress 10 accept tcp 2001:db8::/129 any", MDEC_E_SYNTAX, 1, 34,
     "expected a prefix length of 0 to 128"},
    /* destination */
    {"ingress 10 accept tcp any", MDEC_E_SYNTAX, 1, 26,
     "expected a destination CIDR or 'any', found end of line"},
    {"ingress 10 accept tcp any 2001:db8::g/64", MDEC_E_SYNTAX, 1, 37, "bad destination CIDR"},
    {"ingress 10 accept tcp 10.0.0.0/8 ::/0", MDEC_E_SYNTAX, 1, 34,
     "destination is IPv6 but source is IPv4: the rule could never match"},
    {"ingress 10 accept tcp ::/0 0.0.0.0/0", MDEC_E_SYNTAX, 1, 28,
     "destination is IPv4 but source is IPv6"},
    /* options */
    {"ingress 10 accept tcp any any port 80", MDEC_E_SYNTAX, 1, 31,
     "expected an option (sport, dport, vni, truncated, complete), found 'port'"},
    {"ingress 10 accept tcp any any dport", MDEC_E_SYNTAX, 1, 36,
     "expected a port or port range (0..65535 or LO-HI) after 'dport', found end of line"},
    {"ingress 10 accept tcp any any dport 65536", MDEC_E_SYNTAX, 1, 37, "found '65536'"},
    {"ingress 10 accept tcp any any sport 80-", MDEC_E_SYNTAX, 1, 37, "after 'sport', found '80-'"},
    {"ingress 10 accept tcp any any sport -80", MDEC_E_SYNTAX, 1, 37, "found '-80'"},
    {"ingress 10 accept tcp any any dport 1-2-3", MDEC_E_SYNTAX, 1, 37, "found '1-2-3'"},
    {"ingress 10 accept tcp any any dport 90-80", MDEC_E_SYNTAX, 1, 37,
     "range '90-80' runs backwards"},
    {"ingress 10 accept icmp any any dport 80", MDEC_E_SYNTAX, 1, 32,
     "ports need protocol tcp or udp, found protocol 'icmp'"},
    {"ingress 10 accept all any any sport 80", MDEC_E_SYNTAX, 1, 31,
     "ports need protocol tcp or udp, found protocol 'all'"},
    {"ingress 10 accept sctp any any sport 80", MDEC_E_SYNTAX, 1, 32, "found protocol 'sctp'"},
    {"ingress 10 accept 6 any any dport 80 dport 81", MDEC_E_SYNTAX, 1, 38,
     "'dport' appears twice in the rule"},
    {"ingress 10 accept all any any vni", MDEC_E_SYNTAX, 1, 34,
     "expected a tunnel id or range (0..4294967295 or LO-HI) after 'vni', found end of line"},
    {"ingress 10 accept all any any vni 4294967296", MDEC_E_SYNTAX, 1, 35, "found '4294967296'"},
    {"ingress 10 accept all any any vni 5-4", MDEC_E_SYNTAX, 1, 35, "runs backwards"},
    {"ingress 10 accept all any any vni 1 vni 2", MDEC_E_SYNTAX, 1, 37, "'vni' appears twice"},
    {"ingress 10 accept all any any truncated complete", MDEC_E_SYNTAX, 1, 41,
     "'complete' contradicts 'truncated'"},
    {"ingress 10 accept all any any complete truncated", MDEC_E_SYNTAX, 1, 40,
     "'truncated' contradicts 'complete'"},
    {"ingress 10 accept all any any truncated truncated", MDEC_E_SYNTAX, 1, 41,
     "'truncated' appears twice"},
    /* settings */
    {"amazon-dns", MDEC_E_SYNTAX, 1, 11,
     "expected 'mirror', 'skip' or 'rules' after 'amazon-dns', found end of line"},
    {"amazon-dns on", MDEC_E_SYNTAX, 1, 12, "found 'on'"},
    {"amazon-dns mirror now", MDEC_E_SYNTAX, 1, 19,
     "unexpected 'now' after 'amazon-dns', expected end of line"},
    {"amazon-dns mirror\namazon-dns skip", MDEC_E_SYNTAX, 2, 1,
     "'amazon-dns' is already set on line 1"},
    {"unknown-direction", MDEC_E_SYNTAX, 1, 18, "expected 'both' or 'reject'"},
    {"unknown-direction maybe", MDEC_E_SYNTAX, 1, 19, "found 'maybe'"},
    {"unknown-direction both\n\nunknown-direction both", MDEC_E_SYNTAX, 3, 1,
     "'unknown-direction' is already set on line 1"},
    {"amazon-dns-resolver", MDEC_E_SYNTAX, 1, 20,
     "expected an IPv4 or IPv6 address after 'amazon-dns-resolver', found end of line"},
    {"amazon-dns-resolver 10.0.0.0/8", MDEC_E_SYNTAX, 1, 29,
     "bad Amazon DNS resolver address: unexpected text after IPv4 address"},
    {"amazon-dns-resolver 10.0.0.2 10.0.0.3", MDEC_E_SYNTAX, 1, 30,
     "unexpected '10.0.0.3' after 'amazon-dns-resolver'"},
    /* odd bytes are shown escaped */
    {"ingress 10 accept\x01 all any any", MDEC_E_SYNTAX, 1, 12, "found 'accept\\x01'"},
    {"ingress 10 \xc3\xa9 all any any", MDEC_E_SYNTAX, 1, 12, "found '\\xc3\\xa9'"},
    /* the error is on the line it is on */
    {"# rules\ningress 10 accept all any any\r\n\r\negress 1 accept tcp any any dport x\r\n",
     MDEC_E_SYNTAX, 4, 35, "found 'x'"},
    {"ingress 10 accept all any any\ningress 11 accept all any any\nbogus\n", MDEC_E_SYNTAX, 3, 1,
     "found 'bogus'"},
};

static void test_syntax_errors(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(16);
    for (size_t i = 0; i < sizeof syntax_cases / sizeof syntax_cases[0]; i++)
        check_bad(f, &syntax_cases[i]);
    assert_int_equal(mdec_filter_count(f), 0);
    /* the same with rules already in the filter */
    parse_ok(f, "ingress 500 accept all any any\negress 500 reject all any any\n");
    for (size_t i = 0; i < sizeof syntax_cases / sizeof syntax_cases[0]; i++)
        check_bad(f, &syntax_cases[i]);
    assert_int_equal(mdec_filter_count(f), 2);
    free(f);
}

static void test_duplicate_numbers(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(16);
    const struct bad_case in_text[] = {
        {"ingress 5 accept all any any\n\ningress 5 reject all any any\n", MDEC_E_EXISTS, 3, 9,
         "rule number 5 is already used by ingress rule on line 1"},
        {"egress  7 accept all any any\ningress 7 accept all any any\n"
         "egress\t7 reject all any any\n",
         MDEC_E_EXISTS, 3, 8, "rule number 7 is already used by egress rule on line 1"},
        /* several: the earliest second use is told */
        {"ingress 9 accept all any any\ningress 3 accept all any any\n"
         "ingress 3 accept all any any\ningress 9 accept all any any\n",
         MDEC_E_EXISTS, 3, 9, "rule number 3 is already used by ingress rule on line 2"},
        /* a duplicate before a syntax error: the earlier line wins */
        {"ingress 1 accept all any any\ningress 1 accept all any any\nbogus\n", MDEC_E_EXISTS, 2, 9,
         "on line 1"},
        /* a syntax error before a duplicate */
        {"bogus\ningress 1 accept all any any\ningress 1 accept all any any\n", MDEC_E_SYNTAX, 1, 1,
         "found 'bogus'"},
        /* with rules already in the filter */
        {"ingress 2 accept all any any\ningress 100 accept all any any\n", MDEC_E_EXISTS, 2, 9,
         "rule number 100 is already used by an ingress rule in the filter"},
    };
    for (size_t i = 0; i < sizeof in_text / sizeof in_text[0]; i++) {
        mdec_filter_clear(f);
        if (i == sizeof in_text / sizeof in_text[0] - 1)
            parse_ok(f, "ingress 100 accept all any any\n");
        check_bad(f, &in_text[i]);
    }
    /* the same number in the two directions is fine */
    mdec_filter_clear(f);
    parse_ok(f, "ingress 5 accept all any any\negress 5 reject all any any\n");
    assert_int_equal(mdec_filter_count(f), 2);
    free(f);
}

static void test_capacity(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(3);
    parse_ok(f, "ingress 1 accept all any any\n");
    const struct bad_case full = {
        "# two fit\negress 1 accept all any any\negress 2 accept all any any\n"
        "egress 3 accept all any any\n",
        MDEC_E_NOSPACE, 4, 1,
        "the filter is full: it holds at most 3 rules, 1 were in it and 2 came before this line"};
    check_bad(f, &full);
    assert_int_equal(mdec_filter_count(f), 1);
    parse_ok(f, "egress 1 accept all any any\negress 2 accept all any any\n");
    assert_int_equal(mdec_filter_count(f), 3);
    /* settings alone still fit in a full filter */
    parse_ok(f, "amazon-dns mirror\n# nothing else\n");
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_AMAZON_DNS);
    free(f);

    /* resolvers: 8 besides the built-in ones; repeats take no room */
    f = new_filter(1);
    char text[1024];
    size_t used = 0;
    used += (size_t)snprintf(text + used, sizeof text - used,
                             "amazon-dns-resolver 169.254.169.253\n"
                             "amazon-dns-resolver fd00:ec2::253\n");
    for (int i = 0; i < 8; i++)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "amazon-dns-resolver 10.%d.0.2\namazon-dns-resolver 10.%d.0.2\n",
                                 i, i);
    parse_ok(f, text);
    struct mdec_addr a = addr_of("10.8.0.2");
    assert_int_equal(mdec_filter_add_dns_resolver(f, &a), MDEC_E_NOSPACE);
    mdec_filter_clear(f);
    snprintf(text + used, sizeof text - used, "amazon-dns-resolver 10.8.0.2\n");
    const struct bad_case nine = {text, MDEC_E_NOSPACE, 19, 21,
                                  "no room for another Amazon DNS resolver"};
    check_bad(f, &nine);
    /* nothing was added: all 8 still fit */
    for (int i = 0; i < 8; i++) {
        char t[32];
        snprintf(t, sizeof t, "10.%d.0.2", i + 20);
        a = addr_of(t);
        assert_int_equal(mdec_filter_add_dns_resolver(f, &a), 0);
    }
    free(f);
}

static void test_layout_tolerance(void **state)
{
    (void)state;
    struct mdec_filter *f = new_filter(16);
    static const char text[] =
        "# A filter for web traffic\r\n"
        "\r\n"
        "   \t  \n"
        "ingress\t100\taccept\ttcp\t0.0.0.0/0\t10.0.0.0/16\tdport\t443   # https\r\n"
        "INGRESS 200 Reject UDP Any ANY Sport 1-2 # case does not matter\n"
        "egress 100 accept all any any#glued comment\n"
        "#ingress 300 accept all any any\n"
        "  egress   200   reject   icmpv6   ::/0   fe80::/10   \r\n"
        "amazon-dns  mirror # yes\n"
        "unknown-direction reject\r\n"
        "amazon-dns-resolver\t10.0.0.2\n"
        "ingress 300 accept 132 any any"; /* no final newline */
    parse_ok(f, text);
    char dump[1024];
    dump_rules(f, dump, sizeof dump);
    assert_string_equal(dump, "ingress 100 accept tcp 0.0.0.0/0 10.0.0.0/16 dport 443\n"
                              "ingress 200 reject udp any any sport 1-2\n"
                              "ingress 300 accept sctp any any\n"
                              "egress 100 accept all any any\n"
                              "egress 200 reject icmpv6 ::/0 fe80::/10\n");
    assert_int_equal(mdec_filter_options(f), MDEC_FILTER_AMAZON_DNS | MDEC_FILTER_UNKNOWN_REJECT);
    /* line numbers are recorded */
    assert_int_equal(mdec_filter_rule(f, 0)->line, 4);
    assert_int_equal(mdec_filter_rule(f, 1)->line, 5);
    assert_int_equal(mdec_filter_rule(f, 2)->line, 12);
    assert_int_equal(mdec_filter_rule(f, 3)->line, 6);
    assert_int_equal(mdec_filter_rule(f, 4)->line, 8);
    /* the resolver took effect: DNS to 10.0.0.2 is mirrored outright */
    struct mdec_flow fl = mkflow("10.1.1.1", "10.0.0.2", 17, 999, 53);
    assert_int_equal(mdec_filter_eval_flow(f, &fl, 0, MDEC_DIR_UNKNOWN), MDEC_VERDICT_ACCEPT);
    free(f);

    /* Empty texts, comments only: nothing changes, no error */
    f = new_filter(2);
    struct mdec_parse_error e;
    assert_int_equal(mdec_filter_parse(f, "", 0, &e), 0);
    assert_int_equal(mdec_filter_parse(f, NULL, 0, &e), 0);
    assert_int_equal(mdec_filter_parse(f, "\n\n#x\n\r\n", 6, NULL), 0);
    assert_int_equal(mdec_filter_count(f), 0);
    assert_int_equal(mdec_filter_parse(f, NULL, 3, &e), MDEC_E_INVALID);
    assert_int_equal(mdec_filter_parse(NULL, "", 0, &e), MDEC_E_INVALID);
    /* err may be NULL on failure too */
    assert_int_equal(mdec_filter_parse(f, "bogus", 5, NULL), MDEC_E_SYNTAX);
    /* the text need not be NUL-terminated: only len bytes are read */
    const char *longer = "egress 1 accept all any anyXYZ";
    assert_int_equal(mdec_filter_parse(f, longer, strlen(longer) - 3, &e), 0);
    assert_int_equal(mdec_filter_count(f), 1);
    free(f);
}

/* The parser never reads past len: each prefix of a text on a guard page. */
static void test_every_prefix_on_guard_page(void **state)
{
    (void)state;
    static const char text[] = "ingress 100 accept tcp 0.0.0.0/0 10.0.0.0/16 dport 443-444\r\n"
                               "egress 7 reject udp 2001:db8::/32 any sport 53 vni 9\n"
                               "amazon-dns mirror # c\namazon-dns-resolver fd00::2\n"
                               "unknown-direction reject\negress 8 accept 0 any any complete";
    struct mdec_filter *f = new_filter(4);
    for (size_t n = 0; n <= sizeof text - 1; n++) {
        struct guard g;
        guard_copy(&g, text, n);
        struct mdec_parse_error e;
        memset(&e, 0, sizeof e);
        const int rc = mdec_filter_parse(f, (const char *)g.p, n, &e);
        if (rc == 0) {
            assert_true(mdec_filter_count(f) <= 3);
        } else {
            assert_true(e.line >= 1 && e.column >= 1);
            assert_int_equal(mdec_filter_count(f), 0);
        }
        mdec_filter_clear(f);
        guard_free(&g);
    }
    free(f);
}

/* ------------------------------------------------------------ big files */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 33) % n;
}

/* A rule line in canonical form for (dir, number), varied by number. */
static int rule_line(char *buf, size_t size, int dir, unsigned number)
{
    static const char *const protos[] = {"tcp", "udp", "all", "icmp", "47"};
    const char *p = protos[number % 5];
    const int ports = number % 5 < 2;
    char src[48], dst[48], opt[64] = "";
    if (number % 3 == 0)
        snprintf(src, sizeof src, "10.%u.%u.0/24", number / 256 % 256, number % 256);
    else if (number % 3 == 1)
        snprintf(src, sizeof src, "2001:db8:%x::/48", number);
    else
        snprintf(src, sizeof src, "any");
    snprintf(dst, sizeof dst, "%s", number % 3 == 1 ? "::/0" : "any");
    if (ports)
        snprintf(opt, sizeof opt, " dport %u-%u", number, number + 10);
    return snprintf(buf, size, "%s %u %s %s %s %s%s", dir ? "egress" : "ingress", number,
                    number % 2 ? "accept" : "reject", p, src, dst, opt);
}

static void test_big_file(void **state)
{
    (void)state;
    /* Every number of both directions (65532 rules, the most a filter
     * holds), in shuffled order, with comments and CRLF here and there. */
    const uint32_t n = 2 * RULE_NUMBERS;
    uint32_t *order = malloc(n * sizeof *order);
    assert_non_null(order);
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    for (uint32_t i = n - 1; i > 0; i--) {
        const uint32_t k = rnd(i + 1), t = order[i];
        order[i] = order[k];
        order[k] = t;
    }
    const size_t cap = (size_t)n * 96 + 1024;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t used = 0;
    for (uint32_t i = 0; i < n; i++) {
        const int dir = order[i] >= RULE_NUMBERS;
        const unsigned number = order[i] % RULE_NUMBERS + 1;
        if (i % 100 == 0)
            used += (size_t)snprintf(text + used, cap - used, "# block %u\n", i / 100);
        used += (size_t)rule_line(text + used, cap - used, dir, number);
        used += (size_t)snprintf(text + used, cap - used, i % 3 ? "\n" : "  # c\r\n");
        assert_true(used < cap - 128);
    }
    struct mdec_filter *f = new_filter(n);
    parse_ok(f, text);
    assert_int_equal(mdec_filter_count(f), n);
    /* in evaluation order, and each rule as written */
    for (uint32_t i = 0; i < n; i++) {
        const struct mdec_rule *r = mdec_filter_rule(f, i);
        const int dir = i >= RULE_NUMBERS;
        assert_int_equal(r->direction, dir ? MDEC_DIR_EGRESS : MDEC_DIR_INGRESS);
        assert_int_equal(r->number, i % RULE_NUMBERS + 1);
        char want[128], got[192];
        rule_line(want, sizeof want, dir, r->number);
        assert_true(mdec_rule_format(r, got, sizeof got) > 0);
        assert_string_equal(got, want);
    }
    /* and it evaluates: rule 1 (udp? no: 1 % 5 = 1, udp, dport 1-11,
     * 2001:db8:1::/48 -> ::/0, accept) */
    struct mdec_flow fl = mkflow("2001:db8:1::9", "2001:db8:ffff::1", 17, 5, 11);
    assert_int_equal(mdec_filter_eval_flow(f, &fl, 0, MDEC_DIR_INGRESS), MDEC_VERDICT_ACCEPT);
    fl.dport = 12; /* not rule 1; rule 2 (all, any any, reject) takes it */
    assert_int_equal(mdec_filter_eval_flow(f, &fl, 0, MDEC_DIR_INGRESS), MDEC_VERDICT_REJECT);

    /* One more rule than the filter holds: it is full, at the last line
     * (that rule also repeats a number, but does not fit to be compared) */
    mdec_filter_clear(f);
    text[used] = '\0';
    char *text2 = malloc(used + 64);
    assert_non_null(text2);
    memcpy(text2, text, used);
    const char extra[] = "egress 1 accept all any any\n";
    memcpy(text2 + used, extra, sizeof extra);
    uint32_t lines = 0;
    for (size_t i = 0; i < used; i++)
        lines += text[i] == '\n';
    struct mdec_parse_error e;
    assert_int_equal(mdec_filter_parse(f, text2, used + sizeof extra - 1, &e), MDEC_E_NOSPACE);
    assert_int_equal(e.line, lines + 1);
    assert_int_equal(e.column, 1);
    assert_non_null(strstr(e.message, "it holds at most 65532 rules, 0 were in it and 65532"));
    assert_int_equal(mdec_filter_count(f), 0);
    free(text2);

    /* A big file one rule too many for a smaller filter: told at the line
     * of the first rule that does not fit. */
    free(f);
    f = new_filter(1000);
    e.line = 0;
    assert_int_equal(mdec_filter_parse(f, text, used, &e), MDEC_E_NOSPACE);
    uint32_t line = 0, seen = 0;
    for (size_t i = 0; i < used;) {
        line++;
        if (text[i] != '#' && ++seen == 1001)
            break;
        while (i < used && text[i] != '\n')
            i++;
        i++;
    }
    assert_int_equal(seen, 1001);
    assert_int_equal(e.line, line);
    assert_int_equal(e.column, 1);
    assert_int_equal(mdec_filter_count(f), 0);
    free(f);
    free(text);
    free(order);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_duplicate_numbers),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_layout_tolerance),
        cmocka_unit_test(test_every_prefix_on_guard_page),
        cmocka_unit_test(test_big_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_addr.c - address and prefix text, against RFC 5952 examples and
 * against libc's inet_ntop / inet_pton as an independent implementation.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static void fmt_is(const char *in, const char *want)
{
    char buf[MDEC_ADDR_STRLEN];
    struct mdec_addr a = addr_of(in);
    assert_true(mdec_addr_format(&a, buf, sizeof buf) > 0);
    assert_string_equal(buf, want);
}

static void test_format_rfc5952(void **state)
{
    (void)state;
    fmt_is("2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1");
    fmt_is("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"); /* one zero group: no :: */
    fmt_is("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");          /* longest run */
    fmt_is("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");    /* first of equal runs */
    fmt_is("::", "::");
    fmt_is("::1", "::1");
    fmt_is("1::", "1::");
    fmt_is("FE80::ABCD", "fe80::abcd");
    fmt_is("::ffff:192.0.2.1", "::ffff:192.0.2.1");
    fmt_is("192.0.2.255", "192.0.2.255");
    fmt_is("0.0.0.0", "0.0.0.0");
}

static void test_format_small_buffer(void **state)
{
    (void)state;
    char buf[8];
    struct mdec_addr a = addr_of("2001:db8::1");
    assert_int_equal(mdec_addr_format(&a, buf, sizeof buf), MDEC_E_NOSPACE);
    assert_int_equal(strlen(buf), 7);
    struct mdec_addr none = {0};
    assert_int_equal(mdec_addr_format(&none, buf, sizeof buf), 1);
    assert_string_equal(buf, "-");
}

static void parse_fails(const char *in, uint32_t col, const char *words)
{
    struct mdec_addr a;
    struct mdec_parse_error e;
    memset(&e, 0, sizeof e);
    assert_int_equal(mdec_addr_parse(in, strlen(in), &a, &e), MDEC_E_SYNTAX);
    assert_int_equal(e.line, 1);
    if (e.column != col)
        fail_msg("'%s': column %u, expected %u (%s)", in, e.column, col, e.message);
    if (!strstr(e.message, words))
        fail_msg("'%s': message '%s' lacks '%s'", in, e.message, words);
}

static void test_parse_errors(void **state)
{
    (void)state;
    parse_fails("", 1, "found nothing");
    parse_fails("10.0.0", 7, "expected '.'");
    parse_fails("10.0.0.256", 8, "above 255");
    parse_fails("10.0.0.01", 8, "leading zero");
    parse_fails("10.0.0.1x", 9, "unexpected text");
    parse_fails("10..0.1", 4, "decimal number");
    parse_fails(":1::2", 1, "single ':'");
    parse_fails("1::2::3", 5, "twice");
    parse_fails("1:2:3:4:5:6:7:8:9", 17, "more than 8");
    parse_fails("12345::", 1, "longer than 4");
    parse_fails("1:2:3", 6, "expected 8 groups");
    parse_fails("1:2:3:4:5:6:7:8::", 16, "no group");
    parse_fails("1:", 2, "ends with");
    parse_fails("1:2:3:4:5:6:7:1.2.3.4", 15, "no room");
    parse_fails("g::1", 1, "expected a hex group");
}

/* Random addresses: our text equals inet_ntop's, and parses back. */
static void test_against_libc(void **state)
{
    (void)state;
    srand(12345);
    for (int i = 0; i < 20000; i++) {
        struct mdec_addr a;
        memset(&a, 0, sizeof a);
        const int v6 = i & 1;
        a.family = v6 ? MDEC_AF_IPV6 : MDEC_AF_IPV4;
        for (int k = 0; k < (v6 ? 16 : 4); k++) {
            /* Many zero groups, to exercise '::' placement. */
            a.a[k] = (uint8_t)((rand() % 3 == 0) ? 0 : rand());
        }
        if (v6 && i % 7 == 0)
            memset(a.a, 0, (size_t)(10 + i % 3));
        char ours[MDEC_ADDR_STRLEN], theirs[INET6_ADDRSTRLEN];
        assert_true(mdec_addr_format(&a, ours, sizeof ours) > 0);
        assert_non_null(inet_ntop(v6 ? AF_INET6 : AF_INET, a.a, theirs, sizeof theirs));
        /* glibc prints ::/96 addresses other than :: and ::1 in the
         * deprecated IPv4-compatible form; RFC 5952 does not. */
        int compat = v6 && memcmp(a.a, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0;
        if (!compat)
            assert_string_equal(ours, theirs);
        struct mdec_addr back;
        assert_int_equal(mdec_addr_parse(ours, strlen(ours), &back, NULL), 0);
        assert_memory_equal(&back, &a, sizeof a);
        uint8_t bin[16];
        assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, ours, bin), 1);
        assert_memory_equal(bin, a.a, v6 ? 16 : 4);
    }
}

static void test_prefix(void **state)
{
    (void)state;
    struct mdec_prefix p;
    struct mdec_parse_error e;
    assert_int_equal(mdec_prefix_parse("10.0.0.0/8", 10, &p, &e), 0);
    assert_int_equal(p.len, 8);
    struct mdec_addr in = addr_of("10.255.1.2"), out = addr_of("11.0.0.0");
    struct mdec_addr v6 = addr_of("::a00:1");
    assert_true(mdec_prefix_contains(&p, &in));
    assert_false(mdec_prefix_contains(&p, &out));
    assert_false(mdec_prefix_contains(&p, &v6));

    assert_int_equal(mdec_prefix_parse("0.0.0.0/0", 9, &p, &e), 0);
    assert_true(mdec_prefix_contains(&p, &out));
    assert_false(mdec_prefix_contains(&p, &v6)); /* as AWS: /0 of IPv4 is not IPv6 */

    assert_int_equal(mdec_prefix_parse("192.0.2.7", 9, &p, &e), 0);
    assert_int_equal(p.len, 32);
    assert_int_equal(mdec_prefix_parse("2001:db8::/33", 13, &p, &e), 0);
    struct mdec_addr a1 = addr_of("2001:db8:7fff::1"), a2 = addr_of("2001:db8:8000::1");
    assert_true(mdec_prefix_contains(&p, &a1));
    assert_false(mdec_prefix_contains(&p, &a2));

    assert_int_equal(mdec_prefix_parse("10.0.0.1/8", 10, &p, &e), MDEC_E_SYNTAX);
    assert_non_null(strstr(e.message, "did you mean 10.0.0.0/8?"));
    assert_int_equal(mdec_prefix_parse("10.0.0.0/33", 11, &p, &e), MDEC_E_SYNTAX);
    assert_int_equal(e.column, 10);
    assert_int_equal(mdec_prefix_parse("10.0.0.0/", 9, &p, &e), MDEC_E_SYNTAX);
    assert_int_equal(mdec_prefix_parse("::/129", 6, &p, &e), MDEC_E_SYNTAX);
    assert_int_equal(mdec_prefix_parse("::/08", 5, &p, &e), MDEC_E_SYNTAX);
}

/* A bit at a time: bit i (0 = most significant) of a 16-byte address. */
static unsigned bit_of(const uint8_t *a, unsigned i)
{
    return ((unsigned)a[i / 8] >> (7u - i % 8u)) & 1u;
}

/* mdec_prefix_contains() against the definition, on random prefixes and
 * addresses at every length (lengths past the family's maximum too, and
 * bytes past an IPv4 address's fourth left with garbage, which never count). */
static void test_prefix_contains_reference(void **state)
{
    (void)state;
    uint64_t rng = 0x6d6972726f726465u;
    unsigned yes = 0, no = 0;
    for (unsigned iter = 0; iter < 200000; iter++) {
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        const uint64_t r = rng >> 11;
        struct mdec_prefix p;
        struct mdec_addr a;
        const unsigned fams[4] = {MDEC_AF_IPV4, MDEC_AF_IPV6, MDEC_AF_IPV4, MDEC_AF_NONE};
        p.addr.family = (uint8_t)fams[r % 4];
        a.family = (uint8_t)(r % 11 == 0 ? fams[(r >> 2) % 4] : p.addr.family);
        p.len = (uint8_t)((r >> 4) % 140);
        for (unsigned k = 0; k < 16; k++) {
            rng = rng * 6364136223846793005u + 1442695040888963407u;
            p.addr.a[k] = (uint8_t)(rng >> 40);
            a.a[k] = (uint8_t)(rng >> 52);
        }
        /* Share a random number of leading bits, so both outcomes occur. */
        const unsigned shared = (unsigned)((r >> 12) % 129);
        for (unsigned b = 0; b < shared; b++) {
            const uint8_t m = (uint8_t)(0x80u >> (b % 8));
            a.a[b / 8] = (uint8_t)((a.a[b / 8] & ~m) | (p.addr.a[b / 8] & m));
        }
        int want = p.addr.family == a.family && a.family != MDEC_AF_NONE;
        const unsigned max = a.family == MDEC_AF_IPV4 ? 32 : 128;
        for (unsigned b = 0; want && b < p.len && b < max; b++)
            want = bit_of(p.addr.a, b) == bit_of(a.a, b);
        const int got = mdec_prefix_contains(&p, &a);
        if (got != want)
            fail_msg("family %u/%u, /%u: mdec_prefix_contains says %d, the definition %d",
                     p.addr.family, a.family, p.len, got, want);
        want ? yes++ : no++;
    }
    assert_true(yes > 10000 && no > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_rfc5952), cmocka_unit_test(test_format_small_buffer),
        cmocka_unit_test(test_parse_errors),   cmocka_unit_test(test_against_libc),
        cmocka_unit_test(test_prefix),         cmocka_unit_test(test_prefix_contains_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

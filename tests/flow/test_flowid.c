/*
 * test_flowid.c - flowid.h: the SHA-1 and SipHash underneath (FIPS 180 and
 * the SipHash paper's vectors), the Community ID against the table that
 * tests/flow/community_id_ref.py (an independent implementation of the
 * spec, in Python) generated, and the symmetric flow hash.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_int.h"
#include "pktbuild.h"

/* ------------------------------------------------------------- SHA-1 */

static void hex_of(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void sha1_text(const void *data, size_t n, char out[41])
{
    struct mdec__sha1 s;
    uint8_t d[20];
    mdec__sha1_init(&s);
    mdec__sha1_update(&s, data, n);
    mdec__sha1_final(&s, d);
    hex_of(d, 20, out);
}

/* FIPS 180-2 appendix A (one block, two blocks, a million 'a'), and the
 * empty message. */
static void test_sha1_fips(void **state)
{
    (void)state;
    char h[41];
    sha1_text("abc", 3, h);
    assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha1_text(two, strlen(two), h);
    assert_string_equal(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    sha1_text("", 0, h);
    assert_string_equal(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");

    /* A million 'a', fed in uneven pieces so every path of update runs. */
    static uint8_t a[1000];
    memset(a, 'a', sizeof a);
    struct mdec__sha1 s;
    uint8_t d[20];
    mdec__sha1_init(&s);
    size_t done = 0, step = 1;
    while (done < 1000000) {
        size_t k = step < 1000000 - done ? step : 1000000 - done;
        if (k > sizeof a)
            k = sizeof a;
        mdec__sha1_update(&s, a, k);
        done += k;
        step = step * 7 % 997 + 1;
    }
    mdec__sha1_final(&s, d);
    hex_of(d, 20, h);
    assert_string_equal(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");

    /* 55, 56 and 64 bytes: the padding's edge cases, one call against
     * pieces. */
    static const size_t lens[] = {55, 56, 63, 64, 65, 119, 120};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char one[41], pieces[41];
        sha1_text(a, lens[i], one);
        mdec__sha1_init(&s);
        for (size_t j = 0; j < lens[i]; j++)
            mdec__sha1_update(&s, a, 1);
        mdec__sha1_final(&s, d);
        hex_of(d, 20, pieces);
        assert_string_equal(one, pieces);
    }
    /* The one-block form, for every length it takes, against the stream. */
    for (size_t n = 0; n <= 55; n++) {
        char one[41], stream[41];
        mdec__sha1_short(a, n, d);
        hex_of(d, 20, one);
        sha1_text(a, n, stream);
        assert_string_equal(one, stream);
    }
    mdec__sha1_short((const uint8_t *)"abc", 3, d);
    hex_of(d, 20, h);
    assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
    /* 56 'a's, from an independent SHA-1 (Python's hashlib). */
    sha1_text(a, 56, h);
    assert_string_equal(h, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
}

/* ------------------------------------------------------------ SipHash */

static void test_siphash_vectors(void **state)
{
    (void)state;
    struct mdec_hash_key k;
    uint8_t msg[64];
    for (unsigned i = 0; i < 16; i++)
        k.bytes[i] = (uint8_t)i;
    for (unsigned i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    /* SipHash-2-4, key 00..0f, message 00..n-1: the paper's vectors. */
    assert_true(mdec__siphash(&k, 2, 4, msg, 0) == 0x726fdb47dd0e0e31ull);
    assert_true(mdec__siphash(&k, 2, 4, msg, 1) == 0x74f839c593dc67fdull);
    assert_true(mdec__siphash(&k, 2, 4, msg, 8) == 0x93f5f5799a932462ull);
    assert_true(mdec__siphash(&k, 2, 4, msg, 9) == 0x9e0082df0ba9e4b0ull);
    assert_true(mdec__siphash(&k, 2, 4, msg, 15) == 0xa129ca6149be45e5ull);
    /* SipHash-1-3, what the library uses, from an independent Python
     * implementation checked against the 2-4 vectors above. */
    assert_true(mdec__siphash(&k, 1, 3, msg, 0) == 0xabac0158050fc4dcull);
    assert_true(mdec__siphash(&k, 1, 3, msg, 7) == 0xd3927d989bb11140ull);
    assert_true(mdec__siphash(&k, 1, 3, msg, 15) == 0xd320d86d2a519956ull);
    assert_true(mdec__siphash(&k, 1, 3, msg, 40) == 0xc1d2363299e41531ull);
    assert_true(mdec__siphash(&k, 1, 3, msg, 64) == 0xf17997ec4b4a6065ull);
    /* Streaming in every split gives the one-call value. */
    for (unsigned n = 0; n <= 64; n++) {
        const uint64_t want = mdec__siphash(&k, 1, 3, msg, n);
        for (unsigned cut = 0; cut <= n; cut++) {
            struct mdec__sip s;
            mdec__sip_init(&s, &k, 1, 3);
            mdec__sip_update(&s, msg, cut);
            for (unsigned j = cut; j < n; j += 3)
                mdec__sip_update(&s, msg + j, n - j < 3 ? n - j : 3);
            assert_true(mdec__sip_final(&s) == want);
        }
    }
}

/* ------------------------------------------------------- Community ID */

struct cid_case {
    int proto;
    const char *src, *dst;
    int sport, dport, seed;
    const char *b64, *hex;
};

static const struct cid_case cid_cases[] = {
#include "community_id_cases.h"
};

/* The flow mirrordec's decoder would give for a case. */
static struct mdec_flow flow_of(const struct cid_case *c)
{
    struct mdec_flow f;
    memset(&f, 0, sizeof f);
    f.src = addr_of(c->src);
    f.dst = addr_of(c->dst);
    f.proto = (uint8_t)c->proto;
    f.flags = MDEC_FLOW_IP | MDEC_FLOW_PROTO;
    if (c->proto == 1 || c->proto == 58) {
        f.flags |= MDEC_FLOW_ICMP;
        f.icmp_type = (uint8_t)c->sport;
        f.icmp_code = (uint8_t)c->dport;
    } else if (c->proto == 6 || c->proto == 17 || c->proto == 132) {
        f.flags |= MDEC_FLOW_PORTS | (c->proto == 6 ? MDEC_FLOW_TCP_FLAGS : 0);
        f.sport = (uint16_t)c->sport;
        f.dport = (uint16_t)c->dport;
    }
    return f;
}

static void test_community_id_table(void **state)
{
    (void)state;
    const size_t n = sizeof cid_cases / sizeof cid_cases[0];
    assert_true(n >= 150);
    for (size_t i = 0; i < n; i++) {
        const struct cid_case *c = &cid_cases[i];
        const struct mdec_flow f = flow_of(c);
        char buf[MDEC_COMMUNITY_ID_STRLEN];
        const int len = mdec_community_id(&f, (uint16_t)c->seed, 0, buf, sizeof buf);
        if (len != (int)strlen(c->b64) || strcmp(buf, c->b64) != 0)
            fail_msg("case %zu (%d %s %s %d %d seed %d): got %d '%s', expected '%s'", i,
                     c->proto, c->src, c->dst, c->sport, c->dport, c->seed, len, buf, c->b64);
        assert_int_equal(mdec_community_id(&f, (uint16_t)c->seed, MDEC_COMMUNITY_ID_HEX, buf,
                                           sizeof buf),
                         42);
        assert_string_equal(buf, c->hex);
        uint8_t d[20];
        char h[41];
        assert_int_equal(mdec_community_id_digest(&f, (uint16_t)c->seed, d), 20);
        hex_of(d, 20, h);
        assert_string_equal(h, c->hex + 2);
    }
}

static void test_community_id_needs(void **state)
{
    (void)state;
    const struct cid_case tcp = {6, "10.0.0.1", "127.0.0.1", 1234, 80, 0, NULL, NULL};
    struct mdec_flow f = flow_of(&tcp);
    char buf[MDEC_COMMUNITY_ID_STRLEN];
    assert_int_equal(mdec_community_id(&f, 0, 0, buf, sizeof buf), 30);
    assert_string_equal(buf, "1:F/BCgQTUT/FXrTnSBgdsKwJ26iE=");

    /* Exactly room for the text and its NUL; one byte less. */
    char small[31];
    assert_int_equal(mdec_community_id(&f, 0, 0, small, 31), 30);
    memset(small, 'x', sizeof small);
    assert_int_equal(mdec_community_id(&f, 0, 0, small, 30), MDEC_E_NOSPACE);
    assert_int_equal(small[0], '\0');
    assert_int_equal(mdec_community_id(&f, 0, MDEC_COMMUNITY_ID_HEX, buf, 42), MDEC_E_NOSPACE);
    assert_int_equal(mdec_community_id(&f, 0, 2, buf, sizeof buf), MDEC_E_INVALID);
    assert_int_equal(buf[0], '\0');

    /* What the hash needs and the flow lacks: "" and 0. */
    struct mdec_flow g = f;
    g.flags &= (uint8_t)~MDEC_FLOW_PORTS; /* cut before its ports */
    memset(buf, 'x', sizeof buf);
    assert_int_equal(mdec_community_id(&g, 0, 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    g = f;
    g.flags |= MDEC_FLOW_FRAGMENT; /* a later fragment */
    assert_int_equal(mdec_community_id(&g, 0, 0, buf, sizeof buf), 0);
    g = f;
    g.flags &= (uint8_t)~MDEC_FLOW_PROTO; /* IPv6 extension chain cut */
    assert_int_equal(mdec_community_id(&g, 0, 0, buf, sizeof buf), 0);
    g = f;
    g.flags = 0;
    assert_int_equal(mdec_community_id(&g, 0, 0, buf, sizeof buf), 0);
    g = f;
    g.dst = addr_of("::1"); /* two families */
    assert_int_equal(mdec_community_id(&g, 0, 0, buf, sizeof buf), 0);
    const struct cid_case icmp = {1, "10.0.0.1", "10.0.0.2", 8, 0, 0, NULL, NULL};
    g = flow_of(&icmp);
    assert_true(mdec_community_id(&g, 0, 0, buf, sizeof buf) > 0);
    g.flags &= (uint8_t)~MDEC_FLOW_ICMP; /* ICMP without its type */
    assert_int_equal(mdec_community_id(&g, 0, 0, buf, sizeof buf), 0);
    uint8_t d[20];
    memset(d, 0xAA, sizeof d);
    assert_int_equal(mdec_community_id_digest(&g, 0, d), 0);
    assert_int_equal(d[0], 0xAA);

    /* Other protocols need neither ports nor type. */
    const struct cid_case gre = {47, "2001:db8::1", "2001:db8::2", -1, -1, 0, NULL, NULL};
    g = flow_of(&gre);
    assert_int_equal(mdec_community_id(&g, 0, 0, buf, sizeof buf), 30);
}

/* An AWS-style mirror of one packet: outer IPv4/UDP 4789/VXLAN, then the
 * inner Ethernet and IP packet given by build(). */
static size_t vxlan_frame(struct pb *p, uint32_t vni, void (*inner)(struct pb *, int), int arg)
{
    pb_init(p);
    pb_eth(p, 0x0800);
    size_t oip = pb_ipv4(p, "10.0.1.15", "10.0.9.9", 17);
    size_t u = pb_udp(p, 51234, 4789);
    pb_vxlan(p, 0x08, vni);
    inner(p, arg);
    pb_end_udp(p, u);
    pb_end_ipv4(p, oip);
    return p->n;
}

static void inner_tcp(struct pb *p, int reverse)
{
    pb_eth(p, 0x0800);
    size_t ip = reverse ? pb_ipv4(p, "127.0.0.1", "10.0.0.1", 6)
                        : pb_ipv4(p, "10.0.0.1", "127.0.0.1", 6);
    pb_tcp(p, reverse ? 80 : 1234, reverse ? 1234 : 80, 0x12);
    pb_fill(p, 'x', 10);
    pb_end_ipv4(p, ip);
}

/* An inner IPv4 UDP datagram fragmented in two: first (arg 0) or second. */
static void inner_fragment(struct pb *p, int second)
{
    pb_eth(p, 0x0800);
    size_t ip = pb_ipv4(p, "10.0.0.1", "10.0.0.2", 17);
    p->b[ip + 4] = 0x12; /* identification 0x1234 */
    p->b[ip + 5] = 0x34;
    if (second) {
        p->b[ip + 6] = 0x00; /* offset 16 bytes (2 units), last fragment */
        p->b[ip + 7] = 0x02;
        pb_fill(p, 'y', 8);
    } else {
        p->b[ip + 6] = 0x20; /* more fragments, offset 0 */
        p->b[ip + 7] = 0x00;
        pb_be16(p, 5353);
        pb_be16(p, 53);
        pb_be16(p, 32); /* the whole datagram's UDP length */
        pb_be16(p, 0);
        pb_fill(p, 'x', 8);
    }
    pb_end_ipv4(p, ip);
}

static struct pb pkt;

static void test_from_result(void **state)
{
    (void)state;
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    struct mdec_result r, q;
    char a[MDEC_COMMUNITY_ID_STRLEN], b[MDEC_COMMUNITY_ID_STRLEN];
    size_t n = vxlan_frame(&pkt, 101, inner_tcp, 0);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, pkt.b, n, n, &r), MDEC_STATUS_OK);
    assert_int_equal(mdec_community_id_result(&r, 0, 0, a, sizeof a), 30);
    /* The flow of the spec's example: the mirrored packet's, never the
     * carrier's (10.0.1.15 to 10.0.9.9, UDP). */
    assert_string_equal(a, "1:F/BCgQTUT/FXrTnSBgdsKwJ26iE=");
    n = vxlan_frame(&pkt, 202, inner_tcp, 1);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, pkt.b, n, n, &q), MDEC_STATUS_OK);
    assert_int_equal(mdec_community_id_result(&q, 0, 0, b, sizeof b), 30);
    assert_string_equal(a, b);

    struct mdec_hash_key k;
    memset(&k, 7, sizeof k);
    assert_true(mdec_flow_hash_result(&r, &k) == mdec_flow_hash_result(&q, &k));
    assert_true(mdec_flow_hash_result(&r, &k) == mdec_flow_hash(&r.flow, &k));

    /* Fragments: the first holds ports and has a Community ID with them,
     * the second none; the flow hash leaves the ports out of both, so
     * they hash alike (and differently from the datagram's ports). */
    n = vxlan_frame(&pkt, 101, inner_fragment, 0);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, pkt.b, n, n, &r), MDEC_STATUS_OK);
    assert_true(r.flow.flags & MDEC_FLOW_PORTS);
    assert_true(mdec_result_has_anomaly(&r, MDEC_A_IP_FRAGMENT));
    assert_int_equal(mdec_community_id_result(&r, 0, 0, a, sizeof a), 30);
    n = vxlan_frame(&pkt, 101, inner_fragment, 1);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, pkt.b, n, n, &q), MDEC_STATUS_OK);
    assert_true(q.flow.flags & MDEC_FLOW_FRAGMENT);
    assert_int_equal(mdec_community_id_result(&q, 0, 0, b, sizeof b), 0);
    assert_true(mdec_flow_hash_result(&r, &k) == mdec_flow_hash_result(&q, &k));
    assert_true(mdec_flow_hash(&r.flow, &k) != mdec_flow_hash_result(&r, &k));
}

/* ------------------------------------------------------------ flow hash */

static void test_flow_hash(void **state)
{
    (void)state;
    struct mdec_hash_key k1, k2;
    memset(&k1, 0, sizeof k1);
    memset(&k2, 0, sizeof k2);
    k2.bytes[15] = 1;
    const size_t n = sizeof cid_cases / sizeof cid_cases[0];
    uint64_t seen[sizeof cid_cases / sizeof cid_cases[0]];
    size_t n_seen = 0;
    for (size_t i = 0; i < n; i += 3) { /* each flow once (the table has 3 seeds) */
        const struct mdec_flow f = flow_of(&cid_cases[i]);
        struct mdec_flow r = f;
        r.src = f.dst;
        r.dst = f.src;
        r.sport = f.dport;
        r.dport = f.sport;
        const uint64_t h = mdec_flow_hash(&f, &k1);
        /* Symmetric, keyed. */
        assert_true(h == mdec_flow_hash(&r, &k1));
        assert_true(h != mdec_flow_hash(&f, &k2));
        /* Every part of the tuple counts. */
        struct mdec_flow g = f;
        g.src.a[3] ^= 1;
        assert_true(mdec_flow_hash(&g, &k1) != h);
        g = f;
        g.proto ^= 0x40;
        assert_true(mdec_flow_hash(&g, &k1) != h);
        if (f.flags & MDEC_FLOW_PORTS) {
            g = f;
            g.sport ^= 1;
            assert_true(mdec_flow_hash(&g, &k1) != h);
            g = f;
            g.flags |= MDEC_FLOW_FRAGMENT; /* ports left out */
            assert_true(mdec_flow_hash(&g, &k1) != h);
            g.sport = 1;
            g.dport = 2;
            const uint64_t a = mdec_flow_hash(&g, &k1);
            g.flags &= (uint8_t)~MDEC_FLOW_PORTS;
            assert_true(mdec_flow_hash(&g, &k1) == a);
        }
        /* ICMP type and code are not part of it: echo and reply alike. */
        if (f.flags & MDEC_FLOW_ICMP) {
            g = f;
            g.icmp_type ^= 8;
            g.icmp_code ^= 1;
            assert_true(mdec_flow_hash(&g, &k1) == h);
        }
        int dup = 0;
        for (size_t j = 0; j < n_seen; j++)
            dup |= seen[j] == h;
        if (!dup)
            seen[n_seen++] = h;
    }
    /* The table holds flows in both directions: each pair hashes alike,
     * and different flows differently. */
    if (n_seen < 25)
        fail_msg("only %zu distinct hashes", n_seen);

    /* No addresses: one value per key. */
    struct mdec_flow e;
    memset(&e, 0, sizeof e);
    struct mdec_flow e2 = e;
    e2.sport = 99;
    assert_true(mdec_flow_hash(&e, &k1) == mdec_flow_hash(&e2, &k1));

    /* The low bits spread: 4096 flows over 8 workers, none gets less than
     * half or more than twice its share. */
    unsigned bins[8] = {0};
    for (unsigned i = 0; i < 4096; i++) {
        const struct cid_case c = {6, "10.0.0.1", "10.0.0.2", 1024 + (int)i, 443, 0, NULL, NULL};
        struct mdec_flow f = flow_of(&c);
        bins[mdec_flow_hash(&f, &k1) % 8]++;
    }
    for (unsigned i = 0; i < 8; i++)
        assert_true(bins[i] > 256 && bins[i] < 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1_fips),
        cmocka_unit_test(test_siphash_vectors),
        cmocka_unit_test(test_community_id_table),
        cmocka_unit_test(test_community_id_needs),
        cmocka_unit_test(test_from_result),
        cmocka_unit_test(test_flow_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

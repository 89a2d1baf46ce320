/*
 * test_fastpath.c - the fast path (src/decode/fastpath.c) against the walk.
 *
 * mdec_decode() and mdec_decode_udp() first try the fast path and fall back
 * to the walk; mdec__decode_walk() and mdec__decode_udp_walk() are the walk
 * alone.  Whatever the input, the two must give the same result on
 * everything valid (tests/result_check.c).  The inputs: every frame of every
 * fixture capture, each also cut at every length, and every fixture frame
 * the fast path takes with each of its bytes changed in several ways.  So
 * that agreement is not reached by never taking the fast path, the common
 * shapes must be taken by it, and the unusual ones must not.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "result_check.h"

#define MAX_FILE (1u << 20)

static const char *const fixture_files[] = {
    "aws_vxlan.pcap",  "aws_truncated.pcap", "gwlb.pcap",      "gcp.pcap",       "erspan.pcap",
    "gre.pcap",        "gso.pcap",           "ipv6_ext.pcap",  "link_ipv4.pcap", "link_ipv6.pcap",
    "link_raw.pcap",   "link_sll.pcap",      "link_sll2.pcap", "malformed.pcap", "plain.pcap",
    "vxlan_8472.pcap", "vxlan_gpe.pcap"};
#define N_FILES (sizeof fixture_files / sizeof fixture_files[0])

/* Decoder settings every input is tried with. */
static struct mdec_config configs[3];

static int setup(void **state)
{
    (void)state;
    mdec_config_init(&configs[0]);
    mdec_config_init(&configs[1]);
    configs[1].flags |= MDEC_CFG_STRICT;
    mdec_config_init(&configs[2]);
    configs[2].max_depth = 1;
    configs[2].flags |= MDEC_CFG_MATCH_SRC_PORT;
    return 0;
}

static uint8_t *load(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", MDEC_FIXTURE_DIR, name);
    uint8_t *data = malloc(MAX_FILE);
    assert_non_null(data);
    *len = read_file(path, data, MAX_FILE);
    return data;
}

static unsigned n_compared, n_fast;

/* One frame, decoded both ways under every config: the results agree. */
static void agree(const char *what, int linktype, const uint8_t *pkt, size_t cap, size_t wire)
{
    struct guard g;
    guard_copy(&g, pkt, cap);
    for (unsigned c = 0; c < sizeof configs / sizeof configs[0]; c++) {
        struct mdec_result a, b;
        memset(&a, 0xA5, sizeof a);
        memset(&b, 0x5A, sizeof b);
        const enum mdec_status sa = mdec_decode(&configs[c], linktype, g.p, cap, wire, &a);
        const enum mdec_status sb = mdec__decode_walk(&configs[c], linktype, g.p, cap, wire, &b);
        const size_t at = result_differs(&a, &b);
        if (sa != sb || at != 0)
            fail_msg("%s (%zu of %zu bytes, config %u): mdec_decode says %s, the walk %s; "
                     "results differ at byte %zu",
                     what, cap, wire, c, mdec_status_name(sa), mdec_status_name(sb),
                     at ? at - 1 : 0);
        check_result(&a, g.p, cap);
        n_compared++;
        if (linktype == MDEC_LINK_ETHERNET && (wire == cap || wire == 0) &&
            mdec__fast_ethernet(&configs[c], g.p, (uint32_t)cap, &b))
            n_fast++;
    }
    guard_free(&g);
}

/* The same frame's UDP payload through mdec_decode_udp(), when the walk
 * finds it to be a UDP tunnel. */
static void agree_udp(const char *what, const uint8_t *pkt, size_t cap)
{
    struct mdec_result r;
    mdec__decode_walk(&configs[0], MDEC_LINK_ETHERNET, pkt, cap, cap, &r);
    if (r.n_tunnels == 0 || r.tunnels[0].type == MDEC_TUNNEL_GRE ||
        r.tunnels[0].type == MDEC_TUNNEL_ERSPAN || !MDEC_HAS_SPAN(&r, MDEC_SPAN_OUTER_L4))
        return;
    const struct mdec_tunnel *t = &r.tunnels[0];
    struct mdec_udp_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.src = t->src;
    meta.dst = t->dst;
    meta.sport = t->sport;
    meta.dport = t->dport;
    const size_t off = t->off, n = cap - off;
    for (int unknown = 0; unknown < 2; unknown++) {
        if (unknown)
            meta.src.family = meta.dst.family = MDEC_AF_NONE;
        struct guard g;
        guard_copy(&g, pkt + off, n);
        for (unsigned c = 0; c < sizeof configs / sizeof configs[0]; c++) {
            struct mdec_result a, b;
            memset(&a, 0xA5, sizeof a);
            memset(&b, 0x5A, sizeof b);
            const enum mdec_status sa = mdec_decode_udp(&configs[c], g.p, n, n, &meta, &a);
            const enum mdec_status sb = mdec__decode_udp_walk(&configs[c], g.p, n, n, &meta, &b);
            const size_t at = result_differs(&a, &b);
            if (sa != sb || at != 0)
                fail_msg("%s as a UDP payload (config %u): %s against the walk's %s; results "
                         "differ at byte %zu",
                         what, c, mdec_status_name(sa), mdec_status_name(sb), at ? at - 1 : 0);
            n_compared++;
        }
        guard_free(&g);
    }
}

/* Every frame of a pcap file in memory, whole and at every shorter length
 * (at most max_cuts of them), both ways. */
static void compare_file(const char *name, const uint8_t *data, size_t len, size_t max_cuts)
{
    struct pcap_reader rd;
    assert_int_equal(pcap_reader_open(&rd, data, len), 0);
    const uint8_t *pkt;
    uint32_t cap, wire;
    unsigned frame = 0;
    while (pcap_reader_next(&rd, &pkt, &cap, &wire) == 1) {
        char what[160];
        snprintf(what, sizeof what, "%s#%u", name, ++frame);
        for (size_t n = cap, cuts = 0; cuts <= max_cuts; n--, cuts++) {
            agree(what, (int)rd.linktype, pkt, n, wire); /* cut by the capture */
            agree(what, (int)rd.linktype, pkt, n, n);    /* that short on the wire */
            if (n == 0)
                break;
        }
        if (rd.linktype == MDEC_LINK_ETHERNET)
            agree_udp(what, pkt, cap);
    }
}

/* Every fixture frame, whole and at every shorter length, both ways. */
static void test_fixtures_agree(void **state)
{
    (void)state;
    n_compared = n_fast = 0;
    for (unsigned f = 0; f < N_FILES; f++) {
        size_t len;
        uint8_t *data = load(fixture_files[f], &len);
        compare_file(fixture_files[f], data, len, SIZE_MAX);
        free(data);
    }
    print_message("%u decodes compared, %u taken by the fast path\n", n_compared, n_fast);
    assert_true(n_fast > 60); /* the fast path is exercised, not bypassed */
}

/*
 * Captures of one's own: with MDEC_FASTPATH_CAPTURES=DIR in the
 * environment, every classic pcap file in DIR is compared the same way
 * (each frame whole and cut by up to 64 bytes; pcapng files are skipped).
 * For captures that may not be committed, such as third-party test suites.
 */
static void test_own_captures_agree(void **state)
{
    (void)state;
    const char *dir = getenv("MDEC_FASTPATH_CAPTURES");
    if (dir == NULL || *dir == '\0') {
        skip();
        return;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        fail_msg("MDEC_FASTPATH_CAPTURES=%s: cannot open the directory", dir);
        return;
    }
    n_compared = n_fast = 0;
    unsigned files = 0;
    uint8_t *data = malloc(MAX_FILE);
    assert_non_null(data);
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const size_t nl = strlen(e->d_name);
        if (nl < 6 || strcmp(e->d_name + nl - 5, ".pcap") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        const size_t len = fread(data, 1, MAX_FILE, f);
        fclose(f);
        struct pcap_reader rd;
        if (len == MAX_FILE || pcap_reader_open(&rd, data, len) != 0)
            continue; /* too large, or not classic pcap */
        compare_file(e->d_name, data, len, 64);
        files++;
    }
    closedir(d);
    free(data);
    print_message("%u files, %u decodes compared, %u taken by the fast path\n", files, n_compared,
                  n_fast);
}

/* Frame `index` (1-based) of a fixture, copied into buf. */
static size_t fixture_frame(const char *file, unsigned index, uint8_t *buf, size_t size)
{
    size_t len;
    uint8_t *data = load(file, &len);
    struct pcap_reader rd;
    assert_int_equal(pcap_reader_open(&rd, data, len), 0);
    const uint8_t *pkt;
    uint32_t cap, wire;
    for (unsigned i = 1; pcap_reader_next(&rd, &pkt, &cap, &wire) == 1; i++) {
        if (i == index) {
            assert_true(cap == wire && cap <= size);
            memcpy(buf, pkt, cap);
            free(data);
            return cap;
        }
    }
    fail_msg("%s has no frame %u", file, index);
    return 0;
}

struct expect {
    const char *file;
    unsigned frame;
    int fast; /* 1: the fast path must answer (with the default config) */
};

/* Which fixture frames the fast path takes: the stacks mirrors send, and
 * none of the unusual ones, which must go to the walk. */
static const struct expect expected[] = {
    {"aws_vxlan.pcap", 1, 1},     /* VXLAN, IPv4 TCP                         */
    {"aws_vxlan.pcap", 2, 1},     /* VXLAN, IPv6 UDP                         */
    {"aws_vxlan.pcap", 3, 1},     /* a tag outside, two (QinQ) inside         */
    {"aws_vxlan.pcap", 4, 1},     /* ICMP                                    */
    {"aws_vxlan.pcap", 5, 1},     /* ICMPv6                                  */
    {"aws_vxlan.pcap", 6, 0},     /* SCTP: the walk                          */
    {"aws_truncated.pcap", 1, 0}, /* cut by the mirror                       */
    {"aws_truncated.pcap", 7, 0}, /* UDP length 0                            */
    {"gwlb.pcap", 1, 1},          /* GENEVE, AWS options, bare IPv4          */
    {"gwlb.pcap", 2, 1},          /* ... bare IPv6                           */
    {"gwlb.pcap", 3, 0},          /* GENEVE then VXLAN: two tunnels          */
    {"gcp.pcap", 1, 1},           /* Google Cloud options                    */
    {"gcp.pcap", 2, 0},           /* a critical option is an anomaly         */
    {"erspan.pcap", 1, 1},        /* ERSPAN I                                */
    {"erspan.pcap", 2, 1},        /* ERSPAN II                               */
    {"erspan.pcap", 3, 1},        /* ERSPAN III over IPv6                    */
    {"erspan.pcap", 5, 1},        /* ERSPAN III carrying bare IP             */
    {"erspan.pcap", 6, 0},        /* unsupported frame type                  */
    {"gre.pcap", 1, 1},           /* GRE with a key, IPv4 inside             */
    {"plain.pcap", 1, 0},         /* not tunneled                            */
};

static void test_fast_path_taken(void **state)
{
    (void)state;
    static uint8_t buf[1 << 16];
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const struct expect *e = &expected[i];
        const size_t n = fixture_frame(e->file, e->frame, buf, sizeof buf);
        struct mdec_result r;
        const bool fast = mdec__fast_ethernet(&configs[0], buf, (uint32_t)n, &r);
        if (fast != (e->fast != 0))
            fail_msg("%s#%u: the fast path %s it", e->file, e->frame,
                     fast ? "took" : "did not take");
        if (fast)
            assert_int_equal(r.status, MDEC_STATUS_OK);
    }
}

/* Every byte of frames the fast path takes, changed in several ways. */
static void test_mutations_agree(void **state)
{
    (void)state;
    static uint8_t base[1 << 16], pkt[1 << 16];
    n_compared = n_fast = 0;
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const struct expect *e = &expected[i];
        if (!e->fast)
            continue;
        const size_t n = fixture_frame(e->file, e->frame, base, sizeof base);
        char what[96];
        for (size_t at = 0; at < n; at++) {
            const uint8_t b = base[at];
            const uint8_t values[] = {0x00,
                                      0xFF,
                                      (uint8_t)(b ^ 0x01),
                                      (uint8_t)(b ^ 0x08),
                                      (uint8_t)(b ^ 0x10),
                                      (uint8_t)(b ^ 0x80),
                                      (uint8_t)(b + 1),
                                      (uint8_t)(b - 1)};
            for (size_t v = 0; v < sizeof values; v++) {
                memcpy(pkt, base, n);
                pkt[at] = values[v];
                snprintf(what, sizeof what, "%s#%u with byte %zu = %#x", e->file, e->frame, at,
                         values[v]);
                agree(what, MDEC_LINK_ETHERNET, pkt, n, n);
                agree_udp(what, pkt, n);
            }
        }
    }
    print_message("%u decodes compared, %u taken by the fast path\n", n_compared, n_fast);
    assert_true(n_fast > n_compared / 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_path_taken),
        cmocka_unit_test(test_fixtures_agree),
        cmocka_unit_test(test_mutations_agree),
        cmocka_unit_test(test_own_captures_agree),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

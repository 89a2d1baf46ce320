/*
 * test_dedup.c - dedup.h: which mirrored packets are copies.
 *
 * Every packet here is a whole mirror frame as AWS sends it (outer
 * Ethernet/IPv4/UDP 4789/VXLAN, then the mirrored Ethernet frame), built
 * field by field with real checksums, decoded by mdec_decode() and handed
 * to the window as a tool would.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "testutil.h"

#include "mirrorbuild.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull
#define US 1000ull

/* ------------------------------------------------------------ packets */

/* tests/mirrorbuild.c builds them. */
static struct mb_spec base(void)
{
    return mb_base();
}

static uint8_t frame[4096];
static size_t frame_len;

static void build(const struct mb_spec *s)
{
    frame_len = mb_build(s, frame, NULL);
}

static struct mdec_config cfg;

/* Decodes s as the mirror delivers it. */
static void decode(const struct mb_spec *s, struct mdec_result *r)
{
    build(s);
    const enum mdec_status st = mdec_decode(&cfg, MDEC_LINK_ETHERNET, frame, frame_len,
                                            frame_len, r);
    assert_true(st == MDEC_STATUS_OK || st == MDEC_STATUS_TRUNCATED);
    assert_int_equal(r->n_tunnels, 1);
}

/* ------------------------------------------------------------- windows */

static struct mdec_hash_key key = {{0x5e, 0xc2, 0x37, 0x11, 0x90, 0x4a, 0x6b, 0xd8, 0x01, 0x7f,
                                    0x3c, 0xe5, 0x22, 0x9d, 0x48, 0xa6}};

static struct mdec_dedup *window(uint32_t entries, uint64_t window_ns)
{
    const size_t size = mdec_dedup_size(entries);
    assert_true(size > 0);
    void *mem = aligned_alloc(MDEC_DEDUP_ALIGN, size);
    assert_non_null(mem);
    memset(mem, 0xA5, size); /* need not be zeroed */
    struct mdec_dedup *d = mdec_dedup_init(mem, size, entries, window_ns, &key);
    assert_ptr_equal(d, mem);
    return d;
}

/* The window's answer for one packet. */
static int seen(struct mdec_dedup *d, const struct mb_spec *s, uint64_t t, uint64_t scope,
                struct mdec_counters *c)
{
    struct mdec_result r;
    decode(s, &r);
    const enum mdec_verdict v = mdec_dedup_check(d, &r, t, scope, c);
    assert_true(v == MDEC_VERDICT_ACCEPT || v == MDEC_VERDICT_DUPLICATE);
    return v == MDEC_VERDICT_DUPLICATE;
}

static int setup(void **state)
{
    (void)state;
    mdec_config_init(&cfg);
    return 0;
}

/* ------------------------------------------------------------------ tests */

/* The AWS case: the source ENI's egress copy under VNI 101 from 10.0.1.10,
 * the destination ENI's ingress copy under VNI 102 from 10.0.2.20, a few
 * microseconds later, after a router: TTL one less, other MACs, a VLAN tag,
 * ECN CE set.  Both families, with and without timestamps. */
static void test_two_vnis(void **state)
{
    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        for (int ts = 0; ts <= 1; ts++) {
            struct mdec_dedup *d = window(1024, 10 * MS);
            struct mdec_counters ca, cb;
            memset(&ca, 0, sizeof ca);
            memset(&cb, 0, sizeof cb);
            struct mb_spec a = base();
            a.v6 = v6;
            a.ts = ts;
            struct mb_spec b = a;
            b.vni = 102;
            b.sender = "10.0.2.20";
            b.ttl = 63;
            b.tos = 0x03;
            b.mac = 1;
            b.vlan = 42;
            const uint64_t t0 = 1795000000ull * 1000000000ull;
            assert_int_equal(seen(d, &a, t0, 0, &ca), 0);
            assert_int_equal(seen(d, &b, t0 + 7 * US, 0, &cb), 1);
            assert_true(ca.duplicates == 0 && cb.duplicates == 1);
            /* A third copy from a third point: also a copy. */
            struct mb_spec c = b;
            c.sender = "10.0.3.30";
            c.vni = 103;
            assert_int_equal(seen(d, &c, t0 + 9 * US, 0, NULL), 1);
            const struct mdec_dedup_stats *st = mdec_dedup_get_stats(d);
            assert_true(st->checked == 3 && st->copies == 2 && st->unjudged == 0);
            free(d);
        }
    }
}

/* Both ENIs into one session (one VNI): the carrier source tells the two
 * mirror points apart. */
static void test_one_vni_two_enis(void **state)
{
    (void)state;
    struct mdec_dedup *d = window(64, 10 * MS);
    struct mb_spec a = base(), b = base();
    b.sender = "10.0.2.20";
    b.ttl = 62;
    assert_int_equal(seen(d, &a, 5000, 0, NULL), 0);
    assert_int_equal(seen(d, &b, 5000 + 30 * US, 0, NULL), 1);
    free(d);
}

/* The time window, both ways (timestamps from two inputs may come out of
 * order), and its edge. */
static void test_window_edges(void **state)
{
    (void)state;
    const uint64_t w = 2 * MS, t0 = 10 * MS;
    struct mb_spec a = base(), b = base();
    b.vni = 102;
    b.sender = "10.0.2.20";
    struct mdec_dedup *d = window(64, w);
    assert_int_equal(seen(d, &a, t0, 0, NULL), 0);
    assert_int_equal(seen(d, &b, t0 + w, 0, NULL), 1); /* exactly the window: a copy */
    mdec_dedup_clear(d);
    assert_true(mdec_dedup_get_stats(d)->checked == 0);
    assert_int_equal(seen(d, &a, t0, 0, NULL), 0);
    assert_int_equal(seen(d, &b, t0 + w + 1, 0, NULL), 0); /* a window later: kept */
    assert_true(mdec_dedup_get_stats(d)->expired == 1);
    /* ... and it starts a new entry: a copy of it within the window. */
    assert_int_equal(seen(d, &a, t0 + w + 5, 0, NULL), 1);
    mdec_dedup_clear(d);
    assert_int_equal(seen(d, &b, t0, 0, NULL), 0);
    assert_int_equal(seen(d, &a, t0 - w, 0, NULL), 1); /* earlier, within */
    assert_int_equal(seen(d, &a, t0 - w - 1, 0, NULL), 0);
    free(d);
}

/*
 * Retransmissions are kept.  The strongest case for the key: the
 * retransmission's first sighting is at the *other* mirror point (the
 * original's copy there was lost), within the window, so only the fields
 * that differ between a retransmission and its original can keep it.
 * IPv4: a new identification.  IPv4 with timestamps and the
 * identification 0 that some stacks send with DF: a new TSval.  IPv6
 * without timestamps after a timeout: Linux picks a new flow label.
 * IPv6 with timestamps: a new TSval.
 */
static void test_retransmissions(void **state)
{
    (void)state;
    for (int c = 0; c < 4; c++) {
        struct mdec_dedup *d = window(1024, 100 * MS);
        struct mb_spec o = base();
        o.v6 = c >= 2;
        o.ts = c & 1;
        if (c == 1)
            o.ipid = 0;
        struct mb_spec r = o; /* the retransmission: same seq, ack, payload */
        if (c == 0)
            r.ipid = (uint16_t)(o.ipid + 3);
        else if (c == 2)
            r.flowlabel = 0xabcde;
        else
            r.tsval = o.tsval + 1;
        struct mb_spec rb = r;
        rb.vni = 102;
        rb.sender = "10.0.2.20";
        rb.ttl = 63;
        assert_int_equal(seen(d, &o, 0, 0, NULL), 0);
        if (seen(d, &rb, 200 * US, 0, NULL) != 0)
            fail_msg("case %d: a retransmission seen first at the other point was removed", c);
        /* Its copy from the first point is a copy of it, not of the
         * original. */
        assert_int_equal(seen(d, &r, 210 * US, 0, NULL), 1);
        free(d);
    }
}

/*
 * A retransmission identical to its original in every byte (IPv6, no
 * timestamps, the same flow label: a fast retransmit) is still kept: it
 * passes the mirror points that saw the original, and a packet seen again
 * from the same point is a new sending.  Each sending keeps one copy.
 */
static void test_identical_retransmission(void **state)
{
    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        struct mdec_dedup *d = window(1024, 100 * MS);
        struct mb_spec a = base();
        a.v6 = v6;
        struct mb_spec b = a;
        b.vni = 102;
        b.sender = "10.0.2.20";
        b.ttl = 63;
        assert_int_equal(seen(d, &a, 0, 0, NULL), 0);       /* original at A      */
        assert_int_equal(seen(d, &b, 40 * US, 0, NULL), 1); /* its copy at B      */
        assert_int_equal(seen(d, &a, 90 * US, 0, NULL), 0); /* retransmit at A    */
        assert_int_equal(seen(d, &b, 130 * US, 0, NULL), 1); /* its copy at B     */
        /* The original's copy at A was dropped by the mirror: the
         * retransmission's B copy arrives first and is kept ... */
        assert_int_equal(seen(d, &b, 300 * US, 0, NULL), 0);
        /* ... an application sending the same datagram again through one
         * point only is kept each time. */
        assert_int_equal(seen(d, &b, 301 * US, 0, NULL), 0);
        const struct mdec_dedup_stats *st = mdec_dedup_get_stats(d);
        assert_true(st->copies == 2 && st->repeats == 3);
        free(d);
    }
}

/*
 * What the key masks, byte by byte: changing any byte of the inner IP and
 * TCP headers in the second copy makes it another packet, except the
 * fields dedup.h lists (TTL or hop limit, IPv4 checksum, TOS or traffic
 * class).  The payload is summed up by the TCP checksum, which stays.
 */
static void test_masked_fields(void **state)
{
    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        struct mb_spec a = base();
        a.v6 = v6;
        a.ts = 1;
        struct mdec_result ra;
        decode(&a, &ra);
        const uint32_t ip = ra.span[MDEC_SPAN_INNER_IP].off;
        const uint32_t end = ra.span[MDEC_SPAN_INNER_L4].off + ra.span[MDEC_SPAN_INNER_L4].hdr_len;
        uint8_t orig[4096];
        const size_t olen = frame_len;
        memcpy(orig, frame, olen);
        for (uint32_t at = ip; at < end; at++) {
            for (int bit = 0; bit < 8; bit++) {
                uint8_t f2[4096];
                memcpy(f2, orig, olen);
                f2[at] ^= (uint8_t)(1u << bit);
                /* The other mirror point: another outer source. */
                f2[14 + 12 + 3] ^= 0x40;
                struct mdec_dedup *d = window(64, 10 * MS);
                struct mdec_result r1, r2;
                mdec_decode(&cfg, MDEC_LINK_ETHERNET, orig, olen, olen, &r1);
                mdec_decode(&cfg, MDEC_LINK_ETHERNET, f2, olen, olen, &r2);
                assert_int_equal(mdec_dedup_check(d, &r1, 0, 0, NULL), MDEC_VERDICT_ACCEPT);
                const int copy =
                    mdec_dedup_check(d, &r2, 1000, 0, NULL) == MDEC_VERDICT_DUPLICATE;
                const uint32_t rel = at - ip;
                int masked;
                if (!v6)
                    masked = rel == 1 || rel == 8 || rel == 10 || rel == 11;
                else
                    masked = (rel == 0 && bit < 4) || (rel == 1 && bit >= 4) || rel == 7;
                if (copy != masked)
                    fail_msg("IPv%d header byte %u bit %d: copy %d, expected %d", v6 ? 6 : 4,
                             rel, bit, copy, masked);
                free(d);
            }
        }
    }
}

/* AWS PacketLength is per session: one session cuts its copies to 64 or
 * 90 bytes, the other keeps them whole.  Copies as long as both hold the
 * headers; cut inside the headers, not judged. */
static void test_truncated_copies(void **state)
{
    (void)state;
    static const size_t cuts[] = {64, 90, 14 + 20 + 32, 14 + 40 + 32};
    for (int v6 = 0; v6 <= 1; v6++) {
        for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
            struct mb_spec whole = base();
            whole.v6 = v6;
            whole.ts = 1;
            struct mb_spec cut = whole;
            cut.vni = 103;
            cut.sender = "10.0.3.30";
            cut.ttl = 60;
            cut.cut = cuts[i];
            const size_t headers = 14 + (v6 ? 40u : 20u) + 32;
            const int judged = cut.cut >= headers;
            for (int order = 0; order < 2; order++) {
                struct mdec_dedup *d = window(64, 10 * MS);
                struct mdec_result r;
                decode(order ? &whole : &cut, &r);
                assert_int_equal(mdec_dedup_check(d, &r, 0, 0, NULL), MDEC_VERDICT_ACCEPT);
                decode(order ? &cut : &whole, &r);
                if ((mdec_dedup_check(d, &r, 1000, 0, NULL) == MDEC_VERDICT_DUPLICATE) != judged)
                    fail_msg("IPv%d cut at %zu, %s first: expected %s", v6 ? 6 : 4, cut.cut,
                             order ? "whole" : "cut", judged ? "a copy" : "kept");
                assert_true(mdec_dedup_get_stats(d)->unjudged == (judged ? 0u : 1u));
                free(d);
            }
            /* Two sessions cutting at two lengths: copies too. */
            if (judged) {
                struct mdec_dedup *d = window(64, 10 * MS);
                struct mb_spec other = cut;
                other.vni = 104;
                other.sender = "10.0.4.40";
                other.cut = cut.cut + 7;
                assert_int_equal(seen(d, &cut, 0, 0, NULL), 0);
                assert_int_equal(seen(d, &other, 10, 0, NULL), 1);
                free(d);
            }
        }
    }
    /* Different payloads under identical headers but for the checksum: not
     * copies, even when both are cut before the payload differs. */
    struct mdec_dedup *d = window(64, 10 * MS);
    struct mb_spec a = base(), b = base();
    b.payload_xor = 1;
    b.sender = "10.0.2.20";
    a.cut = b.cut = 64;
    assert_int_equal(seen(d, &a, 0, 0, NULL), 0);
    assert_int_equal(seen(d, &b, 10, 0, NULL), 0);
    free(d);
}

/* Scope: across all sessions (0), or within each session. */
static void test_scope(void **state)
{
    (void)state;
    struct mdec_dedup *d = window(64, 10 * MS);
    struct mb_spec a = base(), b = base();
    b.vni = 102;
    b.sender = "10.0.2.20";
    assert_int_equal(seen(d, &a, 0, 1, NULL), 0);
    assert_int_equal(seen(d, &b, 10, 2, NULL), 0); /* another session's scope */
    assert_int_equal(seen(d, &b, 20, 1, NULL), 1);
    free(d);
}

/*
 * A full window: capacity 4 is one bucket.  Four live packets fill it; a
 * fifth replaces the one seen longest ago (counted), whose copy is then
 * kept, never a packet wrongly removed; the others' copies are still found.
 * Expired entries are taken before live ones, without counting.
 */
static void test_full_window(void **state)
{
    (void)state;
    struct mdec_dedup *d = window(3, 10 * MS);
    assert_int_equal(mdec_dedup_capacity(d), 4);
    assert_true(mdec_dedup_window(d) == 10 * MS);
    struct mb_spec p[6];
    for (int i = 0; i < 6; i++) {
        p[i] = base();
        p[i].seq = 1000 + 100 * (uint32_t)i;
        assert_int_equal(seen(d, &p[i], (uint64_t)(unsigned)i * US, 0, NULL), 0);
    }
    const struct mdec_dedup_stats *st = mdec_dedup_get_stats(d);
    assert_true(st->evicted == 2);
    /* Packets 0 and 1 were evicted (last: a kept copy is remembered as a
     * new packet, and evicts in its turn). */
    for (int k = 0; k < 6; k++) {
        const int i = (k + 2) % 6;
        struct mb_spec c = p[i];
        c.sender = "10.0.2.20";
        const int want = i >= 2;
        if (seen(d, &c, 10 * US, 0, NULL) != want)
            fail_msg("copy of packet %d: expected %d", i, want);
    }
    assert_true(st->evicted == 4);
    /* A window later every entry has expired: new packets take them
     * without evicting. */
    for (int i = 0; i < 4; i++) {
        struct mb_spec c = p[i];
        c.seq += 7;
        assert_int_equal(seen(d, &c, 20 * MS + (uint64_t)(unsigned)i, 0, NULL), 0);
    }
    assert_true(st->evicted == 4);

    /* Sizes: powers of two of at least 4, 32 bytes each plus 128. */
    assert_int_equal(mdec_dedup_size(1), 128 + 4 * 32);
    assert_int_equal(mdec_dedup_size(5), 128 + 8 * 32);
    assert_int_equal(mdec_dedup_size(1024), 128 + 1024 * 32);
    assert_int_equal(mdec_dedup_size(0), 0);
    assert_int_equal(mdec_dedup_size(MDEC_DEDUP_MAX_ENTRIES + 1), 0);
    free(d);
}

static void test_init_arguments(void **state)
{
    (void)state;
    const size_t size = mdec_dedup_size(16);
    uint8_t *mem = aligned_alloc(MDEC_DEDUP_ALIGN, size + MDEC_DEDUP_ALIGN);
    assert_non_null(mem);
    assert_null(mdec_dedup_init(mem, size - 1, 16, 1, &key));
    assert_null(mdec_dedup_init(mem + 8, size, 16, 1, &key)); /* misaligned */
    assert_null(mdec_dedup_init(mem, size, 0, 1, &key));
    assert_null(mdec_dedup_init(mem, size, 17, 1, &key)); /* needs 32 entries */
    assert_null(mdec_dedup_init(mem, size, 16, 0, &key));
    assert_null(mdec_dedup_init(mem, size, 16, UINT64_MAX / 2 + 1, &key));
    assert_non_null(mdec_dedup_init(mem, size, 16, UINT64_MAX / 2, &key));
    free(mem);
}

/* Packets without an IP header or with their headers cut are not judged,
 * whatever the window holds; nor is a result that points nowhere. */
static void test_unjudged(void **state)
{
    (void)state;
    struct mdec_dedup *d = window(64, 10 * MS);
    struct mb_spec a = base();
    a.cut = 14 + 20 + 10; /* inside the TCP header */
    assert_int_equal(seen(d, &a, 0, 0, NULL), 0);
    assert_int_equal(seen(d, &a, 0, 0, NULL), 0);
    struct mdec_result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(mdec_dedup_check(d, &r, 0, 0, NULL), MDEC_VERDICT_ACCEPT);
    /* A hand-made result whose spans lie beyond its bytes. */
    struct mb_spec b = base();
    decode(&b, &r);
    r.cap_len = r.span[MDEC_SPAN_INNER_L4].off + 4;
    assert_int_equal(mdec_dedup_check(d, &r, 0, 0, NULL), MDEC_VERDICT_ACCEPT);
    r.frame = NULL;
    assert_int_equal(mdec_dedup_check(d, &r, 0, 0, NULL), MDEC_VERDICT_ACCEPT);
    assert_true(mdec_dedup_get_stats(d)->unjudged == 5);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_two_vnis, setup),
        cmocka_unit_test_setup(test_one_vni_two_enis, setup),
        cmocka_unit_test_setup(test_window_edges, setup),
        cmocka_unit_test_setup(test_retransmissions, setup),
        cmocka_unit_test_setup(test_identical_retransmission, setup),
        cmocka_unit_test_setup(test_masked_fields, setup),
        cmocka_unit_test_setup(test_truncated_copies, setup),
        cmocka_unit_test_setup(test_scope, setup),
        cmocka_unit_test_setup(test_full_window, setup),
        cmocka_unit_test_setup(test_init_arguments, setup),
        cmocka_unit_test_setup(test_unjudged, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

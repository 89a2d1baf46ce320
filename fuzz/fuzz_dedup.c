/*
 * fuzz_dedup.c - the de-duplication window (dedup.h) against a model.
 *
 * Input: byte 0 the window's entries (1 + b % 64: one to sixteen buckets,
 * so buckets fill and evict), byte 1 the time window (1 + b * 97 ns), then
 * operations of 8 bytes:
 *
 *   op     bits 0-1: 0-2 a mirrored packet, 3 a hostile one (below);
 *          bit 2: the clock goes back by the delta instead of forward;
 *          bits 4-7: XORed into the payload's first byte
 *   b1     bit 0 IPv6; bits 1-2 the flow (source port); bit 3 TCP
 *          timestamps; bits 4-5 the sequence number; bits 6-7 the IPv4
 *          identification / IPv6 flow label
 *   b2     bits 0-1 TTL; bits 2-3 TOS / traffic class; bits 4-6 the mirror
 *          point (VNI 101 or 102, four carrier sources); bit 7 MAC pair
 *   b3     bits 0-2 the mirror's cut: none (0-3), inside the IP header,
 *          inside the TCP header, exactly the headers, headers + 5;
 *          bits 3-7 payload bytes / 4
 *   b4     the scope (b % 4)
 *   b5-6   the clock's delta, big-endian
 *   b7     the packet's VLAN tag (bit 0 one, or none)
 *
 * The model knows each packet from how it was built: the bytes of its IP
 * and TCP headers with TTL/hop limit, TOS/traffic class and the IPv4
 * checksum masked, the scope, and its mirror point (VNI, source); it is
 * judged when the mirror kept its headers whole.  Its buckets follow the
 * documented policy (4 entries; a match within the window from a new point
 * is a copy, from a point seen is a new sending, beyond the window expired;
 * otherwise an empty entry, an expired one, or the oldest, evicted), with
 * the bucket taken from the library's key (mdec__dedup_key): whether the
 * library's key and the model's bytes agree on which packets are the same
 * is what the answers then check.  After each packet: the answer, every
 * statistic, and the session counter the window increments.
 *
 * A hostile operation (op & 3 == 3) runs on a second window only checked
 * for invariants: b1 * 2 bytes from the input as a frame in an exactly
 * sized heap buffer, decoded, and with op bit 2 its result's spans,
 * presence bits, inner flag and cap_len overwritten from the next bytes
 * (a hand-made result: the window must check every span against cap_len,
 * which ASan holds it to).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdlib.h>
#include <string.h>

#include "flow_int.h"
#include "fuzz_check.h"
#include "mirrorbuild.h"
#include "mirrordec/dedup.h"

#define WAYS 4
#define MAX_BUCKETS 16
#define KEY_BYTES 128

struct m_entry {
    int used;
    uint8_t key[KEY_BYTES + 8]; /* masked headers, then the scope */
    size_t key_len;
    uint64_t t;
    int points[4]; /* -1: none */
};

static struct m_entry model[MAX_BUCKETS][WAYS];
static struct mdec_dedup_stats mstats;

static const char *const senders[4] = {"10.0.1.10", "10.0.2.20", "10.0.3.30", "10.0.4.40"};

static int within(uint64_t a, uint64_t b, uint64_t w)
{
    return (a >= b ? a - b : b - a) <= w;
}

/* A new sending of the entry's packet, from point, at t. */
static void restart(struct m_entry *e, uint64_t t, int point)
{
    e->t = t;
    e->points[0] = point;
    e->points[1] = e->points[2] = e->points[3] = -1;
}

/* The model's answer for a judged packet in bucket b. */
static int model_check(unsigned b, const uint8_t *key, size_t key_len, uint64_t t, int point,
                       uint64_t window)
{
    struct m_entry *e = model[b];
    for (int i = 0; i < WAYS; i++) {
        if (!e[i].used || e[i].key_len != key_len || memcmp(e[i].key, key, key_len) != 0)
            continue;
        if (!within(t, e[i].t, window)) {
            mstats.expired++;
            restart(&e[i], t, point);
            return 0;
        }
        for (int j = 0; j < 4; j++) {
            if (e[i].points[j] == point) {
                mstats.repeats++;
                restart(&e[i], t, point);
                return 0;
            }
        }
        for (int j = 0; j < 4; j++) {
            if (e[i].points[j] < 0) {
                e[i].points[j] = point;
                break;
            }
        }
        mstats.copies++;
        return 1;
    }
    int v = -1;
    for (int i = 0; i < WAYS && v < 0; i++)
        if (!e[i].used)
            v = i;
    for (int i = 0; i < WAYS && v < 0; i++)
        if (!within(t, e[i].t, window))
            v = i;
    if (v < 0) {
        v = 0;
        for (int i = 1; i < WAYS; i++)
            if (e[i].t < e[v].t)
                v = i;
        mstats.evicted++;
    }
    e[v].used = 1;
    memcpy(e[v].key, key, key_len);
    e[v].key_len = key_len;
    restart(&e[v], t, point);
    return 0;
}

static void check_stats(const struct mdec_dedup *d)
{
    const struct mdec_dedup_stats *s = mdec_dedup_get_stats(d);
    if (memcmp(s, &mstats, sizeof mstats) != 0)
        fuzz_fail("statistics: checked %llu/%llu copies %llu/%llu unjudged %llu/%llu repeats "
                  "%llu/%llu expired %llu/%llu evicted %llu/%llu (library/model)",
                  (unsigned long long)s->checked, (unsigned long long)mstats.checked,
                  (unsigned long long)s->copies, (unsigned long long)mstats.copies,
                  (unsigned long long)s->unjudged, (unsigned long long)mstats.unjudged,
                  (unsigned long long)s->repeats, (unsigned long long)mstats.repeats,
                  (unsigned long long)s->expired, (unsigned long long)mstats.expired,
                  (unsigned long long)s->evicted, (unsigned long long)mstats.evicted);
}

static void hostile(struct mdec_dedup *h, const struct mdec_config *cfg, uint8_t op, uint8_t b1,
                    struct fuzz_in *in, uint64_t t)
{
    size_t n = (size_t)b1 * 2;
    if (n > in->n)
        n = in->n;
    uint8_t *frame = fuzz_malloc(n ? n : 1);
    memcpy(frame, in->p, n);
    in->p += n;
    in->n -= n;
    struct mdec_result r;
    mdec_decode(cfg, MDEC_LINK_ETHERNET, n ? frame : NULL, n, n, &r);
    if (op & 4) {
        r.has_inner = fuzz_u8(in) & 1;
        r.spans_present = fuzz_u8(in);
        static const int ids[3] = {MDEC_SPAN_INNER_IP, MDEC_SPAN_INNER_L4, MDEC_SPAN_PAYLOAD};
        for (int i = 0; i < 3; i++) {
            r.span[ids[i]].off = fuzz_be16(in);
            r.span[ids[i]].hdr_len = fuzz_be16(in);
            r.span[ids[i]].wire_len = fuzz_be16(in);
        }
        const uint16_t cap = fuzz_be16(in);
        r.cap_len = n ? cap % (uint32_t)(n + 1) : 0;
    }
    const struct mdec_dedup_stats before = *mdec_dedup_get_stats(h);
    struct mdec_counters c;
    memset(&c, 0, sizeof c);
    const enum mdec_verdict v = mdec_dedup_check(h, &r, t, op >> 4, &c);
    FUZZ_CHECK(v == MDEC_VERDICT_ACCEPT || v == MDEC_VERDICT_DUPLICATE);
    const int a = v == MDEC_VERDICT_DUPLICATE;
    const struct mdec_dedup_stats *s = mdec_dedup_get_stats(h);
    FUZZ_CHECK(c.duplicates == (uint64_t)a);
    FUZZ_CHECK(s->checked == before.checked + 1);
    FUZZ_CHECK(s->copies == before.copies + (uint64_t)a);
    const uint64_t kept = s->unjudged + s->repeats + s->expired;
    FUZZ_CHECK(kept + s->copies <= s->checked);
    FUZZ_CHECK(s->evicted <= s->checked - s->copies - kept);
    free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    const uint32_t entries = 1u + fuzz_u8(&in) % 64u;
    const uint64_t window = 1u + (uint64_t)fuzz_u8(&in) * 97u;
    static const struct mdec_hash_key key = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                              16}};
    const size_t sz = mdec_dedup_size(entries);
    void *mem = aligned_alloc(MDEC_DEDUP_ALIGN, sz), *mem2 = aligned_alloc(MDEC_DEDUP_ALIGN, sz);
    FUZZ_CHECK(mem && mem2);
    struct mdec_dedup *d = mdec_dedup_init(mem, sz, entries, window, &key);
    struct mdec_dedup *h = mdec_dedup_init(mem2, sz, entries, window, &key);
    FUZZ_CHECK(d && h);
    const unsigned buckets = mdec_dedup_capacity(d) / WAYS;
    FUZZ_CHECK(buckets >= 1 && buckets <= MAX_BUCKETS && (buckets & (buckets - 1)) == 0);
    memset(model, 0, sizeof model);
    memset(&mstats, 0, sizeof mstats);
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    uint64_t t = 1000000000000ull;
    uint64_t dups = 0;
    struct mdec_counters c;
    memset(&c, 0, sizeof c);
    static uint8_t frame[4096];

    while (in.n >= 8) {
        const uint8_t op = fuzz_u8(&in), b1 = fuzz_u8(&in), b2 = fuzz_u8(&in), b3 = fuzz_u8(&in);
        const uint8_t b4 = fuzz_u8(&in);
        const uint16_t delta = fuzz_be16(&in);
        const uint8_t b7 = fuzz_u8(&in);
        t = (op & 4) ? t - delta : t + delta;
        if ((op & 3) == 3) {
            hostile(h, &cfg, op, b1, &in, t);
            continue;
        }
        struct mb_spec s = mb_base();
        s.v6 = b1 & 1;
        s.sport = (uint16_t)(443 + ((b1 >> 1) & 3));
        s.ts = (b1 >> 3) & 1;
        s.seq = 1000u + 1000u * ((b1 >> 4) & 3u);
        s.ipid = (uint16_t)(0x1c46 + ((b1 >> 6) & 3));
        s.flowlabel = 0x12345u + ((b1 >> 6) & 3u);
        s.ttl = (uint8_t)(64 - (b2 & 3));
        s.tos = (uint8_t)(((b2 >> 2) & 3) * 0x41);
        const int point = (b2 >> 4) & 7;
        s.vni = point & 1 ? 102 : 101;
        s.sender = senders[point >> 1];
        s.mac = b2 >> 7;
        s.vlan = b7 & 1 ? 42 : 0;
        s.payload = (size_t)(b3 >> 3) * 4;
        s.payload_xor = (uint8_t)(op >> 4);
        const uint64_t scope = b4 % 4;
        /* The layout of the whole packet, then the mirror's cut. */
        struct mb_layout lay;
        const size_t whole = mb_build(&s, frame, &lay);
        const size_t inner0 = 14 + 20 + 8 + 8; /* where the mirrored frame starts */
        const size_t ip_in = lay.ip_off - inner0, end_in = lay.hdr_end - inner0;
        switch (b3 & 7) {
        case 4: s.cut = ip_in + 1 + (size_t)(b4 >> 2) % (s.v6 ? 39u : 19u); break;
        case 5: s.cut = ip_in + (s.v6 ? 40u : 20u) + (size_t)(b4 >> 2) % (s.ts ? 31u : 19u) + 1; break;
        case 6: s.cut = end_in; break;
        case 7: s.cut = end_in + 5; break;
        default: s.cut = 0; break;
        }
        (void)whole;
        const size_t len = mb_build(&s, frame, NULL);
        const int judged = s.cut == 0 || s.cut >= end_in;
        struct mdec_result r;
        mdec_decode(&cfg, MDEC_LINK_ETHERNET, frame, len, len, &r);
        mstats.checked++;
        uint64_t lkey = 0;
        const int lib_judged = mdec__dedup_key(d, &r, scope, &lkey);
        if (lib_judged != judged)
            fuzz_fail("cut %zu (headers end at %zu): judged %d, the model says %d", s.cut,
                      end_in, lib_judged, judged);
        int want = 0;
        if (!judged) {
            mstats.unjudged++;
        } else {
            uint8_t k[KEY_BYTES + 8];
            const size_t hl = lay.hdr_end - lay.ip_off;
            FUZZ_CHECK(hl <= KEY_BYTES);
            memcpy(k, frame + lay.ip_off, hl);
            if (s.v6) {
                k[0] &= 0xF0;
                k[1] &= 0x0F;
                k[7] = 0;
            } else {
                k[1] = k[8] = k[10] = k[11] = 0;
            }
            for (int i = 0; i < 8; i++)
                k[hl + (size_t)i] = (uint8_t)(scope >> (8 * i));
            want = model_check((unsigned)(lkey % buckets), k, hl + 8, t, point, window);
        }
        const enum mdec_verdict v = mdec_dedup_check(d, &r, t, scope, &c);
        FUZZ_CHECK(v == MDEC_VERDICT_ACCEPT || v == MDEC_VERDICT_DUPLICATE);
        const int got = v == MDEC_VERDICT_DUPLICATE;
        dups += (uint64_t)want;
        if (got != want)
            fuzz_fail("packet (IPv%d, point %d, scope %llu, cut %zu, t %llu): answer %d, the "
                      "model says %d", s.v6 ? 6 : 4, point, (unsigned long long)scope, s.cut,
                      (unsigned long long)t, got, want);
        FUZZ_CHECK(c.duplicates == dups);
        check_stats(d);
    }
    /* Clearing forgets everything. */
    mdec_dedup_clear(d);
    const struct mdec_dedup_stats *s = mdec_dedup_get_stats(d);
    FUZZ_CHECK(s->checked == 0 && s->copies == 0 && s->evicted == 0);
    free(mem);
    free(mem2);
    return 0;
}

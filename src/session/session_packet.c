/*
 * session_packet.c - what the session table decides for one decoded packet:
 * its key, its session (or the unknown-session policy), the sender check,
 * its direction, the session's filter, and the counters; and the same for a
 * burst of packets.
 *
 * The order matters and is the one session.h documents: a packet whose
 * sender the session does not allow is refused before anything else looks
 * at it, so forged traffic never reaches a filter nor a consumer, and counts
 * only as forged.
 *
 * Bursts: with many sessions spread over the traffic, the time goes to
 * cache misses, one on the packet's index bucket and one or more on its
 * session's slot, each waiting for the one before.  A burst computes every
 * packet's key and hash first and prefetches the buckets; then looks the
 * buckets up and prefetches the slots; then decides, in packet order, with
 * everything already on its way.  Decisions are made by the same code as
 * single packets, in the same order, so counters and learning come out
 * exactly as n single calls would leave them.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "session_int.h"

/* ---------------------------------------------------------------- counts */

static inline void counters_add(struct mdec_counters *c, const struct mdec_result *res,
                                enum mdec_verdict verdict)
{
    if (verdict == MDEC_VERDICT_FORGED) {
        c->forged++;
        return;
    }
    if (verdict != MDEC_VERDICT_ACCEPT && verdict != MDEC_VERDICT_REJECT)
        return;
    c->packets++;
    if (res->has_inner) {
        c->bytes_wire += res->inner.wire_len;
        c->bytes_cap += res->inner.cap_len;
    } else {
        c->bytes_wire += res->wire_len;
        c->bytes_cap += res->cap_len;
    }
    if (res->status == MDEC_STATUS_TRUNCATED)
        c->truncated++;
    else if (res->status == MDEC_STATUS_MALFORMED)
        c->malformed++;
    if (verdict == MDEC_VERDICT_REJECT)
        c->filtered++;
}

void mdec_counters_add(struct mdec_counters *c, const struct mdec_result *res,
                       enum mdec_verdict verdict)
{
    if (c == NULL || res == NULL)
        return;
    counters_add(c, res, verdict);
}

/* ------------------------------------------------------------- addresses */

/* The carrier source of tunnel kt, or NULL when unknown. */
static inline const struct mdec_addr *carrier_src(const struct mdec_result *res, int kt)
{
    if (kt < 0 || kt >= MDEC_MAX_TUNNELS || kt >= res->n_tunnels)
        return NULL;
    const struct mdec_tunnel *tun = &res->tunnels[kt];
    if (!(tun->flags & MDEC_TF_CARRIER) || tun->src.family == MDEC_AF_NONE)
        return NULL;
    return &tun->src;
}

/* An address of the packet as masked words (mdec__addr_words) and family;
 * a family of none is 0xFF, equal to no stored family. */
struct words {
    uint64_t w[2];
    uint8_t family;
};

static inline void words_of(const struct mdec_addr *a, struct words *out)
{
    uint64_t m[2];
    mdec__addr_words(a, out->w, m);
    out->family = m[0] ? a->family : 0xFF;
}

/* 1 when x lies in one of the nets (a prefix matches its own family only). */
static inline int in_nets(const struct mdec__nets *nets, const struct words *x)
{
    unsigned hit = 0;
    for (unsigned i = 0; i < nets->n; i++) {
        const struct mdec__net *n = &nets->net[i];
        const uint64_t diff = ((x->w[0] & n->m[0]) ^ n->w[0]) | ((x->w[1] & n->m[1]) ^ n->w[1]);
        hit |= (unsigned)(nets->family[i] == x->family) & (unsigned)(diff == 0);
    }
    return hit != 0;
}

/*
 * The trust rule (decode.h): the tunnels outside the keying tunnel kt are
 * trusted transports, and kt's carrier source, which they vouch for, lies
 * in nets (none: any sender).
 */
static inline int sender_allowed(const struct mdec__nets *nets, const struct mdec_result *res,
                                 int kt)
{
    if (!mdec__stack_trusted(res, kt))
        return 0;
    if (nets->n == 0)
        return 1;
    const struct mdec_addr *src = carrier_src(res, kt);
    if (src == NULL)
        return 0;
    struct words w;
    words_of(src, &w);
    return in_nets(nets, &w);
}

/*
 * Direction: the session's own addresses (or the keying tunnel's carrier
 * source) against the inner source and destination, compared as masked
 * words without branching on the outcome: whether a packet enters or leaves
 * is a coin toss for the branch predictor.  The source wins when both hold.
 */
static inline enum mdec_direction direction(const struct mdec__slot *s,
                                            const struct mdec_result *res, int kt)
{
    if (!(res->flow.flags & MDEC_FLOW_IP))
        return MDEC_DIR_UNKNOWN;
    struct words src, dst;
    words_of(&res->flow.src, &src);
    words_of(&res->flow.dst, &dst);
    unsigned egress = 0, ingress = 0;
    if (s->n_local == 0) {
        const struct mdec_addr *c = carrier_src(res, kt);
        if (c == NULL)
            return MDEC_DIR_UNKNOWN;
        struct words cw;
        words_of(c, &cw);
        egress = cw.family == src.family && cw.w[0] == src.w[0] && cw.w[1] == src.w[1];
        ingress = cw.family == dst.family && cw.w[0] == dst.w[0] && cw.w[1] == dst.w[1];
    } else {
        for (unsigned i = 0; i < s->n_local && i < MDEC_SESSION_ADDRS; i++) {
            const uint64_t *l = s->local[i];
            egress |= (unsigned)(s->local_family[i] == src.family) &
                      (unsigned)(((l[0] ^ src.w[0]) | (l[1] ^ src.w[1])) == 0);
            ingress |= (unsigned)(s->local_family[i] == dst.family) &
                       (unsigned)(((l[0] ^ dst.w[0]) | (l[1] ^ dst.w[1])) == 0);
        }
    }
    return egress ? MDEC_DIR_EGRESS : ingress ? MDEC_DIR_INGRESS : MDEC_DIR_UNKNOWN;
}

/* ------------------------------------------------------------- decisions */

/* Sender check, direction and filter of a packet for slot s. */
static inline enum mdec_verdict judge(struct mdec__slot *s, const struct mdec_result *res, int kt,
                                      struct mdec_match *m)
{
    enum mdec_verdict v;
    m->session = &s->pub;
    m->index = s->pub.index;
    m->direction = MDEC_DIR_UNKNOWN;
    if (!sender_allowed(&s->allow, res, kt)) {
        v = MDEC_VERDICT_FORGED;
    } else {
        const enum mdec_direction dir = direction(s, res, kt);
        m->direction = (uint8_t)dir;
        v = s->filter ? mdec_filter_eval(s->filter, res, dir) : MDEC_VERDICT_ACCEPT;
    }
    m->verdict = (uint8_t)v;
    return v;
}

static inline enum mdec_verdict unknown_session(struct mdec_match *m)
{
    m->session = NULL;
    m->index = MDEC_NO_INDEX;
    m->direction = MDEC_DIR_UNKNOWN;
    m->verdict = MDEC_VERDICT_UNKNOWN_SESSION;
    return MDEC_VERDICT_UNKNOWN_SESSION;
}

/* The key of the packet into m; the keying tunnel's index. */
static inline int match_key(const struct mdec_result *res, struct mdec_match *m)
{
    const int kt = mdec__key_from_result(res, &m->key);
    m->key_tunnel = (int8_t)kt;
    m->pad_ = 0;
    return kt;
}

/* Classifies with the session found (s, NULL for none); *unknown says
 * whether the key had no session of its own. */
static inline enum mdec_verdict classify_found(const struct mdec_table *t, struct mdec__slot *s,
                                               const struct mdec_result *res, int kt,
                                               struct mdec_match *m)
{
    if (s == NULL && t->unknown == MDEC_UNKNOWN_DEFAULT)
        s = &t->slots[t->capacity];
    if (s == NULL)
        return unknown_session(m);
    return judge(s, res, kt, m);
}

/* Whether a packet may create a session by learning (session.h): not
 * malformed or unsupported, and when tunneled (kt >= 0), its mirrored IP
 * header decoded: garbage behind a tunnel header creates nothing.  A frame
 * without a tunnel (the sensor's own traffic) may create the key "none". */
static inline int learnable(const struct mdec_result *res, int kt)
{
    return res->status != MDEC_STATUS_MALFORMED && res->status != MDEC_STATUS_UNSUPPORTED &&
           (kt < 0 || (res->flow.flags & MDEC_FLOW_IP));
}

/* The unknown-key path of process: the statistics and, under
 * MDEC_UNKNOWN_LEARN, learning.  v is the classification so far. */
static MDEC_NOINLINE enum mdec_verdict process_unknown(struct mdec_table *t,
                                                       const struct mdec_result *res,
                                                       struct mdec_match *m, enum mdec_verdict v)
{
    t->stats.unknown++;
    if (t->unknown == MDEC_UNKNOWN_DROP) {
        t->stats.dropped++;
        return v;
    }
    if (t->unknown != MDEC_UNKNOWN_LEARN)
        return v; /* DEFAULT: the default session took it */
    struct mdec_session *s = NULL;
    if (!sender_allowed(&t->learn_allow, res, m->key_tunnel)) {
        /* Forged traffic never creates sessions. */
        t->stats.learn_forged++;
        v = MDEC_VERDICT_FORGED;
        m->verdict = (uint8_t)v;
    } else if (!learnable(res, m->key_tunnel)) {
        t->stats.learn_invalid++;
    } else if (t->stats.count >= t->capacity) {
        t->stats.learn_full++;
    } else {
        (void)mdec_table_add(t, &m->key, &s);
    }
    if (s == NULL) {
        t->stats.dropped++; /* forged, invalid, full, or a key no session can have */
        return v;
    }
    struct mdec__slot *sl = mdec__slot(s);
    t->stats.learned++;
    (void)mdec_key_format(&s->key, s->name, sizeof s->name);
    sl->filter = t->learn_filter;
    sl->allow = t->learn_allow;
    return judge(sl, res, m->key_tunnel, m);
}

/* One packet, its session already looked up (s, NULL when the key has
 * none); the whole of process from there. */
static inline enum mdec_verdict process_found(struct mdec_table *t, struct mdec__slot *s,
                                              const struct mdec_result *res, int kt,
                                              struct mdec_match *m)
{
    enum mdec_verdict v = classify_found(t, s, res, kt, m);
    if (MDEC_UNLIKELY(s == NULL))
        v = process_unknown(t, res, m, v);
    if (m->session)
        counters_add(&m->session->counters, res, v);
    return v;
}

enum mdec_verdict mdec_table_classify(const struct mdec_table *t, const struct mdec_result *res,
                                      struct mdec_match *m)
{
    if (t == NULL || res == NULL || m == NULL)
        return MDEC_VERDICT_UNKNOWN_SESSION;
    const int kt = match_key(res, m);
    return classify_found(t, mdec__table_find(t, &m->key), res, kt, m);
}

enum mdec_verdict mdec_table_process(struct mdec_table *t, const struct mdec_result *res,
                                     struct mdec_match *m)
{
    if (t == NULL || res == NULL || m == NULL)
        return MDEC_VERDICT_UNKNOWN_SESSION;
    const int kt = match_key(res, m);
    return process_found(t, mdec__table_find(t, &m->key), res, kt, m);
}

/* ----------------------------------------------------------------- bursts */

#define BURST_STEP 16 /* packets whose buckets and slots are in flight at once */

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch((p), 0, 3)
#define PREFETCH_W(p) __builtin_prefetch((p), 1, 3)
#else
#define PREFETCH(p) ((void)(p))
#define PREFETCH_W(p) ((void)(p))
#endif

/*
 * Keys, hashes and bucket prefetches for res[0..n) (n <= BURST_STEP), then
 * the lookups and slot prefetches: found[i] is packet i's slot or NULL.
 */
static inline void burst_lookup(const struct mdec_table *t, const struct mdec_result *res,
                                size_t n, struct mdec_match *m, int *kt,
                                struct mdec__slot **found)
{
    uint32_t h[BURST_STEP];
    for (size_t i = 0; i < n; i++) {
        kt[i] = match_key(&res[i], &m[i]);
        h[i] = mdec__key_hash(t, &m[i].key);
        PREFETCH(&t->buckets[h[i] & t->mask]);
    }
    for (size_t i = 0; i < n; i++) {
        const uint32_t b = mdec__find_bucket(t, &m[i].key, h[i]);
        found[i] = b == MDEC__NO_SLOT ? NULL : &t->slots[t->buckets[b].slot1 - 1];
        if (found[i]) {
            const char *p = (const char *)found[i];
            PREFETCH_W(p);
            PREFETCH_W(p + 64);
            PREFETCH(p + 128);
        }
    }
}

size_t mdec_table_classify_burst(const struct mdec_table *t, const struct mdec_result *res,
                                 size_t n, struct mdec_match *m)
{
    if (t == NULL || res == NULL || m == NULL)
        return 0;
    size_t accepted = 0;
    for (size_t at = 0; at < n; at += BURST_STEP) {
        size_t k = n - at;
        if (k > BURST_STEP)
            k = BURST_STEP;
        int kt[BURST_STEP];
        struct mdec__slot *found[BURST_STEP];
        burst_lookup(t, res + at, k, m + at, kt, found);
        for (size_t i = 0; i < k; i++)
            accepted += classify_found(t, found[i], &res[at + i], kt[i], &m[at + i]) ==
                        MDEC_VERDICT_ACCEPT;
    }
    return accepted;
}

size_t mdec_table_process_burst(struct mdec_table *t, const struct mdec_result *res, size_t n,
                                struct mdec_match *m)
{
    if (t == NULL || res == NULL || m == NULL)
        return 0;
    size_t accepted = 0;
    for (size_t at = 0; at < n; at += BURST_STEP) {
        size_t k = n - at;
        if (k > BURST_STEP)
            k = BURST_STEP;
        int kt[BURST_STEP];
        struct mdec__slot *found[BURST_STEP];
        burst_lookup(t, res + at, k, m + at, kt, found);
        for (size_t i = 0; i < k; i++) {
            struct mdec__slot *s = found[i];
            /* A packet before this one in the burst may have learned this
             * packet's session: look again, as a single call would. */
            if (MDEC_UNLIKELY(s == NULL) && t->unknown == MDEC_UNKNOWN_LEARN)
                s = mdec__table_find(t, &m[at + i].key);
            accepted += process_found(t, s, &res[at + i], kt[i], &m[at + i]) ==
                        MDEC_VERDICT_ACCEPT;
        }
    }
    return accepted;
}

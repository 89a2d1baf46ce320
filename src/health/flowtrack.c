/*
 * flowtrack.c - the bounded flow table of the health reports.
 *
 *   memory: [struct mdec_flows][buckets: slots / 8 x 64 bytes]
 *           [slots: slots x 128 bytes][counters: n_sessions x
 *           struct mdec_health], each part aligned to 64 bytes
 *
 *   bucket b = slots b*8 .. b*8+7       one cache line: 8 tags (0 free, else
 *   hash = SipHash-1-3(key, session,     the hash's upper half | 1) and 8
 *          family, proto, ports,         coarse last-seen times; a lookup
 *          addresses)                    reads it and compares a flow only
 *   two buckets per hash: the low bits,  on a tag match
 *   and the hash times a constant
 *
 * A flow's key is canonical, the lower (address, port) first, so both
 * directions of a conversation find one entry.  A new flow takes a free
 * slot of its bucket, else one whose flow has been idle longer than idle_ns
 * (expired), else the one idle longest (evicted): a full bucket never
 * refuses a new flow, and a flood of new flows pushes out the idle ones
 * first.  Nothing else is ever walked: per packet, one bucket.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_int.h"

_Static_assert(sizeof(struct flow) == 128, "a flow is two cache lines");
_Static_assert(MDEC_FLOWS_PROBE == 8, "buckets of 8 slots");
_Static_assert(sizeof(struct bucket) == 64, "a bucket is one cache line");

#define MAX_SLOTS (UINT32_C(1) << 26)
#define MAX_SESSIONS (UINT32_C(1) << 26)

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static uint32_t slots_for(uint32_t capacity)
{
    uint32_t n = MDEC_FLOWS_PROBE;
    while (n < capacity)
        n <<= 1;
    return n;
}

size_t mdec_flows_size(uint32_t capacity, uint32_t n_sessions)
{
    if (capacity == 0 || capacity > MAX_SLOTS || n_sessions == 0 || n_sessions > MAX_SESSIONS)
        return 0;
    const size_t slots = slots_for(capacity);
    return align64(sizeof(struct mdec_flows)) +
           align64(slots / MDEC_FLOWS_PROBE * sizeof(struct bucket)) +
           align64(slots * sizeof(struct flow)) + align64(n_sessions * sizeof(struct mdec_health));
}

struct mdec_flows *mdec_flows_init(void *mem, size_t size, uint32_t capacity, uint32_t n_sessions,
                                   uint64_t idle_ns, const struct mdec_hash_key *key)
{
    const size_t need = mdec_flows_size(capacity, n_sessions);
    if (!mem || !key || need == 0 || size < need || ((uintptr_t)mem & (MDEC_FLOWS_ALIGN - 1)) ||
        idle_ns == 0 || idle_ns > (UINT64_C(1) << 63))
        return NULL;
    const uint32_t slots = slots_for(capacity);
    uint8_t *p = mem;
    struct mdec_flows *t = mem;
    memset(t, 0, sizeof *t);
    p += align64(sizeof *t);
    t->bucket = (struct bucket *)(void *)p;
    p += align64(slots / MDEC_FLOWS_PROBE * sizeof(struct bucket));
    t->slot = (struct flow *)(void *)p;
    p += align64(slots * sizeof(struct flow));
    t->counters = (struct mdec_health *)(void *)p;
    t->k0 = mdec__le64(key->bytes);
    t->k1 = mdec__le64(key->bytes + 8);
    t->idle_ns = idle_ns;
    while ((idle_ns >> t->shift) > (UINT64_C(1) << 20))
        t->shift++;
    t->mask = slots - 1;
    t->n_sessions = n_sessions;
    t->stats.capacity = slots;
    memset(t->bucket, 0, slots / MDEC_FLOWS_PROBE * sizeof(struct bucket));
    memset(t->counters, 0, n_sessions * sizeof(struct mdec_health));
    return t;
}

void mdec_flows_clear(struct mdec_flows *t)
{
    if (!t)
        return;
    memset(t->bucket, 0, ((size_t)t->mask + 1) / MDEC_FLOWS_PROBE * sizeof(struct bucket));
    memset(t->counters, 0, t->n_sessions * sizeof(struct mdec_health));
    memset(&t->stats, 0, sizeof t->stats);
    t->stats.capacity = t->mask + 1;
    t->now = 0;
}

struct mdec_health *mdec_flows_counters(struct mdec_flows *t, uint32_t session)
{
    return t && session < t->n_sessions ? &t->counters[session] : NULL;
}

const struct mdec_flows_stats *mdec_flows_get_stats(const struct mdec_flows *t)
{
    return t ? &t->stats : NULL;
}

/* ------------------------------------------------------------ the key */

/* A packet's flow key, canonical, and which endpoint sent it. */
struct fkey {
    uint64_t w[6];   /* session/family/proto, ports, addresses (compared)      */
    uint64_t h4[3];  /* IPv4: the same in three words (hashed instead of w)    */
    uint8_t dir;     /* the sender is endpoint dir of the canonical order      */
    uint8_t ok;      /* the packet has a flow                                  */
};

static bool key_of(const struct mdec_result *res, uint32_t session, struct fkey *k)
{
    const struct mdec_flow *fl = &res->flow;
    k->ok = 0;
    if (res->status != MDEC_STATUS_OK && res->status != MDEC_STATUS_TRUNCATED &&
        res->status != MDEC_STATUS_NOT_TUNNELED)
        return false;
    const unsigned need = MDEC_FLOW_IP | MDEC_FLOW_PROTO;
    if (!res->has_inner || (fl->flags & need) != need || (fl->flags & MDEC_FLOW_FRAGMENT) ||
        (fl->src.family != MDEC_AF_IPV4 && fl->src.family != MDEC_AF_IPV6) ||
        fl->src.family != fl->dst.family)
        return false;
    const bool ported = fl->proto == 6 || fl->proto == 17 || fl->proto == 132;
    if (ported && !(fl->flags & MDEC_FLOW_PORTS))
        return false;
    const uint16_t sp = ported ? fl->sport : 0, dp = ported ? fl->dport : 0;
    int c = memcmp(fl->src.a, fl->dst.a, 16);
    if (c == 0)
        c = (sp > dp) - (sp < dp);
    const struct mdec_addr *lo = c <= 0 ? &fl->src : &fl->dst, *hi = c <= 0 ? &fl->dst : &fl->src;
    k->dir = c <= 0 ? 0 : 1;
    k->w[0] = session | (uint64_t)fl->src.family << 32 | (uint64_t)fl->proto << 40;
    k->w[1] = c <= 0 ? (uint64_t)sp | (uint64_t)dp << 16 : (uint64_t)dp | (uint64_t)sp << 16;
    memcpy(&k->w[2], lo->a, 16);
    memcpy(&k->w[4], hi->a, 16);
    if (fl->src.family == MDEC_AF_IPV4) { /* half the words to hash */
        k->h4[0] = k->w[0];
        k->h4[1] = k->w[1] | (k->w[2] & 0xFFFFFFFFu) << 32;
        k->h4[2] = k->w[4] & 0xFFFFFFFFu;
    }
    k->ok = 1;
    return true;
}

static bool flow_is(const struct flow *f, const struct fkey *k)
{
    uint64_t a[2], b[2];
    memcpy(a, f->addr[0], 16);
    memcpy(b, f->addr[1], 16);
    return f->session == (uint32_t)k->w[0] && f->family == (uint8_t)(k->w[0] >> 32) &&
           f->proto == (uint8_t)(k->w[0] >> 40) && f->port[0] == (uint16_t)k->w[1] &&
           f->port[1] == (uint16_t)(k->w[1] >> 16) && ((a[0] ^ k->w[2]) | (a[1] ^ k->w[3]) |
                                                        (b[0] ^ k->w[4]) | (b[1] ^ k->w[5])) == 0;
}

static void flow_start(struct flow *f, const struct fkey *k, uint64_t now)
{
    memset(f, 0, sizeof *f);
    f->last_ns = now;
    f->session = (uint32_t)k->w[0];
    f->family = (uint8_t)(k->w[0] >> 32);
    f->proto = (uint8_t)(k->w[0] >> 40);
    f->port[0] = (uint16_t)k->w[1];
    f->port[1] = (uint16_t)(k->w[1] >> 16);
    memcpy(f->addr[0], &k->w[2], 16);
    memcpy(f->addr[1], &k->w[4], 16);
    f->st[0].rec_vis = f->st[1].rec_vis = MDEC_VIS_UNKNOWN;
}

/* ----------------------------------------------------------- per packet */

/* The two buckets hash h may live in ("two choices": a new flow goes to
 * the one with room, so that a bucket overflows only when both are full),
 * and the tag its flow carries there. */
static inline uint32_t bucket_of(const struct mdec_flows *t, uint64_t h, unsigned which)
{
    const uint32_t n = (t->mask + 1) / MDEC_FLOWS_PROBE;
    const uint64_t x = which ? (h * UINT64_C(0x9E3779B97F4A7C15)) >> 32 : h;
    return (uint32_t)x & (n - 1);
}

static inline uint32_t tag_of(uint64_t h)
{
    return (uint32_t)(h >> 32) | 1u;
}

/* The slot of key k's flow in bucket b, or -1. */
static inline int find_in(const struct mdec_flows *t, uint32_t b, uint32_t tag,
                          const struct fkey *k)
{
    const struct bucket *bk = &t->bucket[b];
    const struct flow *slots = &t->slot[(size_t)b * MDEC_FLOWS_PROBE];
    for (unsigned j = 0; j < MDEC_FLOWS_PROBE; j++)
        if (bk->tag[j] == tag && flow_is(&slots[j], k))
            return (int)j;
    return -1;
}

/* A free slot of bucket b, or -1. */
static inline int free_in(const struct mdec_flows *t, uint32_t b)
{
    const struct bucket *bk = &t->bucket[b];
    for (unsigned j = 0; j < MDEC_FLOWS_PROBE; j++)
        if (bk->tag[j] == 0)
            return (int)j;
    return -1;
}

/* The flow of key k (hash h), found or made. */
static struct flow *lookup(struct mdec_flows *t, const struct fkey *k, uint64_t h,
                           enum mdec_track *how)
{
    const uint32_t tag = tag_of(h), now_c = (uint32_t)(t->now >> t->shift);
    const uint32_t b[2] = {bucket_of(t, h, 0), bucket_of(t, h, 1)};
    for (unsigned c = 0; c < 2; c++) {
        const int j = find_in(t, b[c], tag, k);
        if (j < 0)
            continue;
        struct flow *f = &t->slot[(size_t)b[c] * MDEC_FLOWS_PROBE + (unsigned)j];
        *how = MDEC_TRACK_FOUND;
        if (t->now - f->last_ns > t->idle_ns) { /* idle too long: a new flow */
            t->stats.expired++;
            t->stats.created++;
            flow_start(f, k, t->now);
            *how = MDEC_TRACK_NEW;
        }
        f->last_ns = t->now;
        t->bucket[b[c]].seen[j] = now_c;
        return f;
    }
    uint32_t vb = b[0];
    int vj = free_in(t, b[0]);
    if (vj < 0 && b[1] != b[0]) {
        vb = b[1];
        vj = free_in(t, b[1]);
    }
    if (vj >= 0) {
        t->stats.active++;
        *how = MDEC_TRACK_NEW;
    } else {
        /* Both full: the flow idle longest by the coarse times, expired if
         * its exact time is beyond idle_ns, else evicted. */
        uint32_t oldest = 0;
        for (unsigned c = 0; c < 2; c++)
            for (unsigned i = 0; i < MDEC_FLOWS_PROBE; i++) {
                const uint32_t age = (uint32_t)(now_c - t->bucket[b[c]].seen[i]);
                if (vj < 0 || age > oldest) {
                    oldest = age;
                    vb = b[c];
                    vj = (int)i;
                }
            }
        const struct flow *victim = &t->slot[(size_t)vb * MDEC_FLOWS_PROBE + (unsigned)vj];
        if (t->now - victim->last_ns > t->idle_ns) {
            t->stats.expired++;
            *how = MDEC_TRACK_NEW;
        } else {
            t->stats.evicted++;
            *how = MDEC_TRACK_EVICTED;
        }
    }
    t->stats.created++;
    t->bucket[vb].tag[vj] = tag;
    t->bucket[vb].seen[vj] = now_c;
    struct flow *f = &t->slot[(size_t)vb * MDEC_FLOWS_PROBE + (unsigned)vj];
    flow_start(f, k, t->now);
    return f;
}

/* The payload as a window over the frame: present bytes and wire end. */
static bool payload_win(const struct mdec_result *res, struct win *w)
{
    if (!MDEC_HAS_SPAN(res, MDEC_SPAN_PAYLOAD) || !res->frame)
        return false;
    const struct mdec_span *sp = &res->span[MDEC_SPAN_PAYLOAD];
    const uint64_t end = (uint64_t)sp->off + sp->cap_len;
    w->p = res->frame;
    w->off = sp->off <= res->cap_len ? sp->off : res->cap_len;
    w->end = (uint32_t)(end <= res->cap_len ? end : res->cap_len);
    if (w->end < w->off)
        w->end = w->off;
    w->wire_end = (uint64_t)sp->off + sp->wire_len;
    if (w->wire_end < w->end)
        w->wire_end = w->end;
    w->cut = 0;
    w->beyond = 0;
    return true;
}

/* The TCP segment's numbers, read from the frame: false when the header's
 * first 16 bytes are not all present. */
static bool tcp_seg(const struct mdec_result *res, const struct win *pay, bool have_pay,
                    struct seg *s)
{
    if (!MDEC_HAS_SPAN(res, MDEC_SPAN_INNER_L4) || !(res->flow.flags & MDEC_FLOW_TCP_FLAGS) ||
        !res->frame)
        return false;
    const struct mdec_span *l4 = &res->span[MDEC_SPAN_INNER_L4];
    const struct win w = {res->frame, l4->off, res->cap_len, res->cap_len, 0, 0};
    if (l4->off > res->cap_len)
        return false;
    const uint8_t *h = rd_view(&w, 0, 16);
    if (!h)
        return false;
    s->seq = rd_get32(h + 4);
    s->ack = rd_get32(h + 8);
    s->flags = res->flow.tcp_flags;
    const uint64_t len = have_pay ? pay->wire_end - pay->off : 0;
    s->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    return true;
}

static enum mdec_track track(struct mdec_flows *t, const struct mdec_result *res, uint32_t session,
                             const struct fkey *k, uint64_t hash)
{
    struct mdec_health *h = &t->counters[session];
    h->packets++;
    struct win pay;
    const bool have_pay = payload_win(res, &pay);
    if (!k->ok) {
        h->untracked++;
        if (have_pay && pay.wire_end > pay.off) { /* bytes, though of no flow */
            const uint64_t cap = pay.end - pay.off, cut = pay.wire_end - pay.end;
            h->vis_bytes[MDEC_VIS_UNKNOWN] += cap;
            h->vis_bytes[MDEC_VIS_CUT] += cut;
            h->vis_packets[cut ? MDEC_VIS_CUT : MDEC_VIS_UNKNOWN]++;
        }
        return MDEC_TRACK_NONE;
    }
    enum mdec_track how;
    struct flow *f = lookup(t, k, hash, &how);
    if (how != MDEC_TRACK_FOUND)
        h->flows++;
    const unsigned dir = k->dir;
    struct seg sg = {0, 0, 0, 0};
    const bool tcp = f->proto == 6 && tcp_seg(res, &pay, have_pay, &sg);
    if (tcp) {
        h->tcp_packets++;
        mdec__loss_segment(f, dir, &sg, h);
    } else {
        f->st[dir].flags |= ST_SEEN;
    }
    if (have_pay && pay.wire_end > pay.off) {
        const enum mdec_vis v =
            mdec__classify_payload(f, dir, &pay, tcp, tcp ? sg.seq + ((sg.flags & 2u) ? 1u : 0u) : 0, h);
        h->vis_packets[v]++;
    }
    return how;
}

static uint64_t hash_of(const struct mdec_flows *t, const struct fkey *k)
{
    /* IPv4 keys hash three words, IPv6 keys six: w[0] holds the family, so
     * the two never meet. */
    return (k->w[0] >> 32 & 0xFF) == MDEC_AF_IPV4 ? mdec__siphash13(t->k0, t->k1, k->h4, 3)
                                                  : mdec__siphash13(t->k0, t->k1, k->w, 6);
}

static void advance(struct mdec_flows *t, uint64_t ts)
{
    if (ts > t->now)
        t->now = ts;
}

enum mdec_track mdec_flows_packet(struct mdec_flows *t, const struct mdec_result *res,
                                  uint32_t session, uint64_t ts_ns)
{
    if (!t || !res)
        return MDEC_TRACK_NONE;
    if (session >= t->n_sessions) {
        t->stats.bad_session += session != MDEC_FLOWS_SKIP;
        return MDEC_TRACK_NONE;
    }
    advance(t, ts_ns);
    struct fkey k;
    const uint64_t h = key_of(res, session, &k) ? hash_of(t, &k) : 0;
    return track(t, res, session, &k, h);
}

#define BURST_CHUNK 16

size_t mdec_flows_packet_burst(struct mdec_flows *t, const struct mdec_result *res,
                               const uint32_t *session, const uint64_t *ts_ns, size_t n)
{
    if (!t || !res || !session)
        return 0;
    size_t tracked = 0;
    struct fkey k[BURST_CHUNK];
    uint64_t h[BURST_CHUNK];
    for (size_t i = 0; i < n; i += BURST_CHUNK) {
        size_t m = n - i;
        if (m > BURST_CHUNK)
            m = BURST_CHUNK;
        /* Every key and hash first, fetching each packet's two bucket
         * lines... */
        for (size_t j = 0; j < m; j++) {
            h[j] = 0;
            if (session[i + j] < t->n_sessions && key_of(&res[i + j], session[i + j], &k[j])) {
                h[j] = hash_of(t, &k[j]);
                PREFETCH(&t->bucket[bucket_of(t, h[j], 0)]);
                PREFETCH(&t->bucket[bucket_of(t, h[j], 1)]);
            } else {
                k[j].ok = 0;
            }
        }
        /* ... then, from the tags, the flow each will find (both lines) ... */
        for (size_t j = 0; j < m; j++) {
            if (!k[j].ok)
                continue;
            const uint32_t tag = tag_of(h[j]);
            for (unsigned c = 0; c < 2; c++) {
                const uint32_t b = bucket_of(t, h[j], c);
                const struct bucket *bk = &t->bucket[b];
                unsigned s = 0;
                while (s < MDEC_FLOWS_PROBE && bk->tag[s] != tag)
                    s++;
                if (s < MDEC_FLOWS_PROBE) {
                    const struct flow *f = &t->slot[(size_t)b * MDEC_FLOWS_PROBE + s];
                    PREFETCH(f);
                    PREFETCH((const uint8_t *)f + 64);
                    break;
                }
            }
        }
        /* ... then each packet in order, as mdec_flows_packet() would. */
        for (size_t j = 0; j < m; j++) {
            if (session[i + j] >= t->n_sessions) {
                t->stats.bad_session += session[i + j] != MDEC_FLOWS_SKIP;
                continue;
            }
            if (ts_ns)
                advance(t, ts_ns[i + j]);
            tracked += track(t, &res[i + j], session[i + j], &k[j], h[j]) != MDEC_TRACK_NONE;
        }
    }
    return tracked;
}

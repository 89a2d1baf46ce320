/*
 * dedup.c - the de-duplication window (dedup.h): which mirrored packets are
 * copies of one seen moments ago at another mirror point.
 *
 * Layout of the caller's memory:
 *
 *   [ struct mdec_dedup, 128 bytes ][ bucket 0 ][ bucket 1 ] ... [ bucket n-1 ]
 *
 * n is a power of two; a bucket is 4 entries of 32 bytes (two cache lines):
 *
 *   key    64 bits  SipHash-1-3 of the masked headers and the scope
 *   t      64 bits  timestamp of the first copy of this sending
 *   point  4 x 32   mirror points it was seen from (0: none; point[0] == 0
 *                   marks an empty entry)
 *
 * Per packet: the key's low bits pick the bucket; an entry with the same
 * key within the window either names the packet's mirror point (a new
 * sending: the entry starts again) or not (a copy: the point is added).
 * Without such an entry the packet takes an empty entry, else an expired
 * one, else the one of the oldest timestamp (evicted).  The window holds
 * offsets, never pointers, so the caller may copy or move it.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "flow_int.h"
#include "mirrordec/dedup.h"

#define WAYS 4
#define HEADER 128
#define POINTS 4

struct dd_entry {
    uint64_t key;
    uint64_t t;
    uint32_t point[POINTS];
};

struct mdec_dedup {
    struct mdec_hash_key key;
    uint64_t window;
    uint32_t mask;     /* buckets - 1          */
    uint32_t capacity; /* entries: buckets * 4 */
    struct mdec_dedup_stats stats;
};

_Static_assert(sizeof(struct dd_entry) == 32, "an entry is 32 bytes");
_Static_assert(sizeof(struct mdec_dedup) <= HEADER, "the header fits its 128 bytes");

static inline struct dd_entry *bucket(struct mdec_dedup *d, uint64_t key)
{
    return (struct dd_entry *)(void *)((uint8_t *)d + HEADER) + (size_t)(key & d->mask) * WAYS;
}

size_t mdec_dedup_size(uint32_t entries)
{
    if (entries < 1 || entries > MDEC_DEDUP_MAX_ENTRIES)
        return 0;
    uint64_t cap = WAYS;
    while (cap < entries)
        cap <<= 1;
    const uint64_t size = HEADER + cap * sizeof(struct dd_entry);
    if (size > SIZE_MAX)
        return 0;
    return (size_t)size;
}

struct mdec_dedup *mdec_dedup_init(void *mem, size_t size, uint32_t entries, uint64_t window_ns,
                                   const struct mdec_hash_key *key)
{
    const size_t need = mdec_dedup_size(entries);
    if (mem == NULL || key == NULL || need == 0 || size < need ||
        ((uintptr_t)mem % MDEC_DEDUP_ALIGN) != 0 || window_ns < 1 || window_ns > UINT64_MAX / 2)
        return NULL;
    struct mdec_dedup *d = mem;
    memset(d, 0, HEADER);
    d->key = *key;
    d->window = window_ns;
    d->capacity = (uint32_t)((need - HEADER) / sizeof(struct dd_entry));
    d->mask = d->capacity / WAYS - 1;
    memset((uint8_t *)d + HEADER, 0, need - HEADER);
    return d;
}

void mdec_dedup_clear(struct mdec_dedup *d)
{
    if (d == NULL)
        return;
    memset(&d->stats, 0, sizeof d->stats);
    memset((uint8_t *)d + HEADER, 0, (size_t)d->capacity * sizeof(struct dd_entry));
}

const struct mdec_dedup_stats *mdec_dedup_get_stats(const struct mdec_dedup *d)
{
    return d ? &d->stats : NULL;
}

uint32_t mdec_dedup_capacity(const struct mdec_dedup *d)
{
    return d ? d->capacity : 0;
}

uint64_t mdec_dedup_window(const struct mdec_dedup *d)
{
    return d ? d->window : 0;
}

/* ------------------------------------------------------------- the key */

/*
 * The key of the mirrored packet, or 0 when it cannot be judged.  Reads the
 * frame through a window over res->frame[0..cap_len): spans are checked,
 * not trusted (a result may be assembled by hand).
 */
static int key_of(const struct mdec_dedup *d, const struct mdec_result *res, uint64_t scope,
                  uint64_t *out)
{
    if (!res->has_inner || !MDEC_HAS_SPAN(res, MDEC_SPAN_INNER_IP) || res->frame == NULL)
        return 0;
    const struct mdec_span *ip = &res->span[MDEC_SPAN_INNER_IP];
    const struct win w = {res->frame, ip->off, res->cap_len, res->cap_len, 0, 0};
    if (ip->off > res->cap_len)
        return 0;
    const uint8_t *first = rd_view(&w, 0, 1);
    if (first == NULL)
        return 0;
    const uint32_t min_hdr = (first[0] >> 4) == 4 ? 20 : (first[0] >> 4) == 6 ? 40 : 0;
    if (min_hdr == 0 || ip->hdr_len < min_hdr) /* ARP, or not IP at all */
        return 0;

    /* The headers' end, relative to the IP header. */
    uint64_t end;
    if (MDEC_HAS_SPAN(res, MDEC_SPAN_INNER_L4)) {
        const struct mdec_span *l4 = &res->span[MDEC_SPAN_INNER_L4];
        if (l4->off < (uint64_t)ip->off + ip->hdr_len)
            return 0;
        end = (uint64_t)l4->off - ip->off + l4->hdr_len;
    } else if (MDEC_HAS_SPAN(res, MDEC_SPAN_PAYLOAD)) {
        /* No L4 header decoded (a later fragment, ESP, GRE ...): its first
         * bytes stand in for it, as many as the packet has up to 16. */
        const struct mdec_span *pay = &res->span[MDEC_SPAN_PAYLOAD];
        if (pay->off < (uint64_t)ip->off + ip->hdr_len)
            return 0;
        end = (uint64_t)pay->off - ip->off + (pay->wire_len < 16 ? pay->wire_len : 16);
    } else {
        return 0; /* the L4 header is cut or malformed */
    }
    if (end > MDEC_DEDUP_KEY_MAX)
        end = MDEC_DEDUP_KEY_MAX;
    const uint8_t *h = rd_view(&w, 0, end);
    if (h == NULL || end < min_hdr)
        return 0; /* the headers are not wholly present */

    uint8_t head[16];
    memcpy(head, h, sizeof head);
    if (min_hdr == 20) {
        head[1] = 0;                /* type of service: DSCP, ECN */
        head[8] = 0;                /* TTL                        */
        head[10] = head[11] = 0;    /* header checksum            */
    } else {
        head[0] &= 0xF0;            /* traffic class, high nibble */
        head[1] &= 0x0F;            /* traffic class, low nibble  */
        head[7] = 0;                /* hop limit                  */
    }
    uint8_t sc[8];
    for (unsigned i = 0; i < 8; i++)
        sc[i] = (uint8_t)(scope >> (8 * i));
    struct mdec__sip s;
    mdec__sip_init(&s, &d->key, MDEC__SIP_C, MDEC__SIP_D);
    mdec__sip_update(&s, sc, sizeof sc);
    mdec__sip_update(&s, head, sizeof head);
    mdec__sip_update(&s, h + sizeof head, (size_t)end - sizeof head);
    *out = mdec__sip_final(&s);
    return 1;
}

int mdec__dedup_key(const struct mdec_dedup *d, const struct mdec_result *res, uint64_t scope,
                    uint64_t *key)
{
    return key_of(d, res, scope, key);
}

/* The mirror point of res: its keying tunnel, as dedup.h says; never 0. */
static uint32_t point_of(const struct mdec_dedup *d, const struct mdec_result *res)
{
    uint8_t in[40];
    memset(in, 0, sizeof in);
    unsigned n = res->n_tunnels;
    if (n > MDEC_MAX_TUNNELS)
        n = MDEC_MAX_TUNNELS;
    if (n > 0) {
        const struct mdec_tunnel *t = &res->tunnels[n - 1];
        in[0] = t->type;
        in[1] = (uint8_t)(t->flags & (MDEC_TF_ID | MDEC_TF_CARRIER));
        if (t->flags & MDEC_TF_ID) {
            in[2] = (uint8_t)(t->id >> 24);
            in[3] = (uint8_t)(t->id >> 16);
            in[4] = (uint8_t)(t->id >> 8);
            in[5] = (uint8_t)t->id;
        }
        if (t->flags & MDEC_TF_CARRIER) {
            in[6] = t->src.family;
            memcpy(in + 7, t->src.a, 16);
        }
        if (t->flags & MDEC_TF_HEADER) {
            uint64_t x = 0;
            if (t->type == MDEC_TUNNEL_GENEVE && (t->u.geneve.have & MDEC_GWLB_ENDPOINT)) {
                in[23] = 1;
                x = t->u.geneve.gwlb_endpoint;
            } else if (t->type == MDEC_TUNNEL_ERSPAN && t->u.erspan.version == 2) {
                in[23] = 2;
                x = t->u.erspan.index;
            } else if (t->type == MDEC_TUNNEL_ERSPAN && t->u.erspan.version == 3) {
                in[23] = 3;
                x = (uint64_t)t->u.erspan.hw_id << 8 | t->u.erspan.d;
            }
            for (unsigned i = 0; i < 8; i++)
                in[24 + i] = (uint8_t)(x >> (8 * i));
        }
    }
    const uint32_t p = (uint32_t)mdec__siphash(&d->key, MDEC__SIP_C, MDEC__SIP_D, in, sizeof in);
    return p ? p : 1;
}

static inline int within(uint64_t a, uint64_t b, uint64_t window)
{
    return (a >= b ? a - b : b - a) <= window;
}

static inline void start(struct dd_entry *e, uint64_t key, uint64_t ts, uint32_t point)
{
    e->key = key;
    e->t = ts;
    e->point[0] = point;
    e->point[1] = e->point[2] = e->point[3] = 0;
}

enum mdec_verdict mdec_dedup_check(struct mdec_dedup *d, const struct mdec_result *res,
                                   uint64_t ts_ns, uint64_t scope, struct mdec_counters *c)
{
    if (d == NULL || res == NULL)
        return MDEC_VERDICT_ACCEPT;
    d->stats.checked++;
    uint64_t key;
    if (!key_of(d, res, scope, &key)) {
        d->stats.unjudged++;
        return MDEC_VERDICT_ACCEPT;
    }
    const uint32_t point = point_of(d, res);
    struct dd_entry *b = bucket(d, key);
    for (unsigned i = 0; i < WAYS; i++) {
        struct dd_entry *e = &b[i];
        if (e->point[0] == 0 || e->key != key)
            continue;
        if (!within(ts_ns, e->t, d->window)) {
            d->stats.expired++;
            start(e, key, ts_ns, point);
            return MDEC_VERDICT_ACCEPT;
        }
        unsigned j = 0;
        while (j < POINTS && e->point[j] != 0 && e->point[j] != point)
            j++;
        if (j < POINTS && e->point[j] == point) {
            /* Seen from this point already: the same bytes sent again. */
            d->stats.repeats++;
            start(e, key, ts_ns, point);
            return MDEC_VERDICT_ACCEPT;
        }
        if (j < POINTS)
            e->point[j] = point;
        d->stats.copies++;
        if (c != NULL)
            c->duplicates++;
        return MDEC_VERDICT_DUPLICATE;
    }
    /* A new packet: an empty entry, else an expired one, else the oldest. */
    struct dd_entry *victim = NULL;
    for (unsigned i = 0; i < WAYS && victim == NULL; i++)
        if (b[i].point[0] == 0)
            victim = &b[i];
    for (unsigned i = 0; i < WAYS && victim == NULL; i++)
        if (!within(ts_ns, b[i].t, d->window))
            victim = &b[i];
    if (victim == NULL) {
        victim = &b[0];
        for (unsigned i = 1; i < WAYS; i++)
            if (b[i].t < victim->t)
                victim = &b[i];
        d->stats.evicted++;
    }
    start(victim, key, ts_ns, point);
    return MDEC_VERDICT_ACCEPT;
}

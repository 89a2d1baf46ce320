/*
 * filter_eval.c - the filter's compiled form, rebuilt whenever the rules
 * change, and the per-packet evaluation that reads it.
 *
 * What a packet costs is the rules it scans, so the compiled form lets a
 * packet scan only the rules that can match it, in their order:
 *
 *   - per direction and address family, a block: the rules of that
 *     direction that admit the family (an "any" rule is in both families'
 *     blocks), compiled for the family: IPv4 prefixes as 32-bit words,
 *     IPv6 prefixes as two 64-bit words;
 *   - per block, a pre-dispatch on protocol and port: a list of rule
 *     indexes for each of NB port buckets of TCP, the same for UDP, and one
 *     list for every other packet (another protocol, or none known).  A
 *     TCP or UDP packet scans the list of its port's bucket: the port is
 *     the source or the destination port, whichever the lane's rules
 *     constrain more often (chosen when compiling), its bucket the port
 *     modulo NB.  A rule is in a list when a packet of that list could
 *     match it: TCP lists hold the rules for all protocols and the TCP
 *     rules whose port range reaches the bucket (a range of NB ports or
 *     more, or no range, reaches every bucket); the other list holds the
 *     rules for all protocols and those naming a protocol other than TCP
 *     and UDP.  A packet without ports scans bucket 0, whose rules with
 *     port ranges do not match it, as they would not anywhere.
 *
 * Lists keep the rules' evaluation order (lowest number first) and every
 * candidate is still tested in full, so the first match is the one the
 * plain scan of the direction's rules finds (tests/filter/test_filter_diff.c
 * holds the library to a naive evaluator).
 *
 * Layout of the caller's buffer, after the struct mdec_filter header and
 * the rules as given (filter_int.h), offsets only, no pointers:
 *
 *   struct c6[max_rules]          rules admitting IPv6, block after block
 *   struct c4[max_rules]          rules admitting IPv4, block after block
 *   uint16_t idx[2 * max_rules * N_LISTS]   the blocks' lists
 *
 * A rule is in at most one block per family and in at most N_LISTS lists
 * of a block, which bounds each area; mdec_filter_size() counts them all.
 * Rebuilding costs O(rules * lists per rule): mdec_filter_add() and
 * mdec_filter_remove() each rebuild, the parsers once per call.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "filter_int.h"

enum {
    /* Facts about a packet (struct ptail.have) that rules may need: where
     * a fact is a flow flag, the flag's own bit, so that have is computed
     * without a branch. */
    NEED_TRUNCATED = 1u << 0, /* (MDEC_FLOW_IP: not a need, always there) */
    NEED_PORTS = MDEC_FLOW_PORTS,
    NEED_COMPLETE = 1u << 2, /* (MDEC_FLOW_TCP_FLAGS: never needed) */
    NEED_TUNNEL_ID = MDEC_FLOW_TUNNEL_ID,
    NEED_PROTO = MDEC_FLOW_PROTO, /* the upper-layer protocol is known */
    NEED_FLOW = NEED_PORTS | NEED_TUNNEL_ID | NEED_PROTO,
    LIST_OTHER = 2 * MDEC_FILTER_NB
};

_Static_assert((unsigned)MDEC_FLOW_IP == (unsigned)NEED_TRUNCATED &&
                   (unsigned)MDEC_FLOW_TCP_FLAGS == (unsigned)NEED_COMPLETE,
               "the flow flags that truncated and complete replace");

/* What a rule tests besides the addresses; a missing range is 0..max. */
struct ctail {
    uint32_t tid_lo, tid_span; /* tunnel id in tid_lo .. tid_lo + span */
    uint16_t sport_lo, sport_span;
    uint16_t dport_lo, dport_span;
    uint8_t proto, pmask; /* (packet proto ^ proto) & pmask must be 0 */
    uint8_t need;         /* NEED_* the packet must have              */
    uint8_t action;       /* enum mdec_verdict                        */
};

/* A rule compiled for IPv4 packets: masked prefixes in 32-bit words. */
struct c4 {
    uint32_t src, smask, dst, dmask;
    struct ctail t;
};

/* A rule compiled for IPv6 packets: each prefix as two 64-bit words. */
struct c6 {
    uint64_t src[2], smask[2], dst[2], dmask[2];
    struct ctail t;
};

/* One packet, reduced to what compiled rules test besides addresses. */
struct ptail {
    uint32_t tid;
    uint16_t sport, dport;
    uint8_t proto;
    uint8_t have; /* NEED_* facts true of the packet */
};

_Static_assert(N_LISTS_ == 2 * MDEC_FILTER_NB + 1, "list count");
_Static_assert((MDEC_FILTER_NB & (MDEC_FILTER_NB - 1)) == 0, "buckets: a power of two");
_Static_assert(MDEC_FILTER_ALIGN % _Alignof(struct c6) == 0, "c6 alignment");
_Static_assert(sizeof(struct mdec_rule) % _Alignof(struct c6) == 0, "rules before c6");
_Static_assert(sizeof(struct c6) % _Alignof(struct c4) == 0, "c6 before c4");
_Static_assert(sizeof(struct c4) % _Alignof(uint16_t) == 0, "c4 before the lists");

static size_t c6_off(uint32_t max)
{
    return MDEC_FILTER_HDR_SIZE + (size_t)max * sizeof(struct mdec_rule);
}

static size_t c4_off(uint32_t max)
{
    return c6_off(max) + (size_t)max * sizeof(struct c6);
}

static size_t idx_off(uint32_t max)
{
    return c4_off(max) + (size_t)max * sizeof(struct c4);
}

size_t mdec__filter_bytes(uint32_t max_rules)
{
    return idx_off(max_rules) + (size_t)max_rules * 2 * N_LISTS_ * sizeof(uint16_t);
}

static const struct c6 *c6_of(const struct mdec_filter *f)
{
    return (const struct c6 *)(const void *)((const unsigned char *)f + c6_off(f->max_rules));
}

static const struct c4 *c4_of(const struct mdec_filter *f)
{
    return (const struct c4 *)(const void *)((const unsigned char *)f + c4_off(f->max_rules));
}

static const uint16_t *idx_of(const struct mdec_filter *f)
{
    return (const uint16_t *)(const void *)((const unsigned char *)f + idx_off(f->max_rules));
}

/* ------------------------------------------------------------ compiling */

static unsigned fams_of(const struct mdec_prefix *p)
{
    if (p->addr.family == MDEC_AF_IPV4)
        return 1u << MDEC_FAM_V4;
    if (p->addr.family == MDEC_AF_IPV6)
        return 1u << MDEC_FAM_V6;
    return (1u << MDEC_FAM_V4) | (1u << MDEC_FAM_V6);
}

/* The prefix's address masked to its length, and the mask, as bytes. */
static void prefix_bytes(const struct mdec_prefix *p, uint8_t a[16], uint8_t mask[16])
{
    const unsigned bits = p->addr.family == MDEC_AF_NONE ? 0 : p->len;
    for (unsigned i = 0; i < 16; i++) {
        const unsigned lo = i * 8;
        const unsigned m8 = bits >= lo + 8 ? 0xFFu : bits > lo ? 0xFF00u >> (bits - lo) : 0u;
        mask[i] = (uint8_t)m8;
        a[i] = (uint8_t)(p->addr.a[i] & mask[i]);
    }
}

static void compile_tail(const struct mdec_rule *r, struct ctail *c)
{
    memset(c, 0, sizeof *c);
    if (r->protocol != MDEC_PROTO_ANY) {
        c->proto = (uint8_t)r->protocol;
        c->pmask = 0xFF;
        c->need |= NEED_PROTO;
    }
    c->sport_span = c->dport_span = 0xFFFF;
    c->tid_span = UINT32_MAX;
    if (r->match & MDEC_RULE_SPORT) {
        c->sport_lo = r->sport_lo;
        c->sport_span = (uint16_t)(r->sport_hi - r->sport_lo);
        c->need |= NEED_PORTS;
    }
    if (r->match & MDEC_RULE_DPORT) {
        c->dport_lo = r->dport_lo;
        c->dport_span = (uint16_t)(r->dport_hi - r->dport_lo);
        c->need |= NEED_PORTS;
    }
    if (r->match & MDEC_RULE_TUNNEL_ID) {
        c->tid_lo = r->tunnel_id_lo;
        c->tid_span = r->tunnel_id_hi - r->tunnel_id_lo;
        c->need |= NEED_TUNNEL_ID;
    }
    if (r->match & MDEC_RULE_TRUNCATED)
        c->need |= NEED_TRUNCATED;
    if (r->match & MDEC_RULE_COMPLETE)
        c->need |= NEED_COMPLETE;
    c->action = r->action;
}

static void compile4(const struct mdec_rule *r, struct c4 *c)
{
    uint8_t a[16], m[16];
    prefix_bytes(&r->src, a, m);
    memcpy(&c->src, a, 4);
    memcpy(&c->smask, m, 4);
    prefix_bytes(&r->dst, a, m);
    memcpy(&c->dst, a, 4);
    memcpy(&c->dmask, m, 4);
    compile_tail(r, &c->t);
}

static void compile6(const struct mdec_rule *r, struct c6 *c)
{
    uint8_t a[16], m[16];
    prefix_bytes(&r->src, a, m);
    memcpy(c->src, a, 16);
    memcpy(c->smask, m, 16);
    prefix_bytes(&r->dst, a, m);
    memcpy(c->dst, a, 16);
    memcpy(c->dmask, m, 16);
    compile_tail(r, &c->t);
}

/* The port buckets (bit b: bucket b) a range lo .. lo + span reaches. */
static unsigned buckets_of(unsigned lo, unsigned span)
{
    if (span >= MDEC_FILTER_NB - 1)
        return (1u << MDEC_FILTER_NB) - 1;
    unsigned set = 0;
    for (unsigned p = lo; p <= lo + span; p++)
        set |= 1u << (p & (MDEC_FILTER_NB - 1));
    return set;
}

/* The lane of a compiled rule: 0 TCP, 1 UDP, 2 every lane (all
 * protocols), 3 the other list only. */
static unsigned lane_of(const struct ctail *t)
{
    if (t->pmask == 0)
        return 2;
    return t->proto == IPPROTO_TCP_ ? 0 : t->proto == IPPROTO_UDP_ ? 1 : 3;
}

/* Bit k set: the rule belongs in list k of its block. */
static uint32_t lists_of(const struct ctail *t, const uint8_t by_sport[2])
{
    const unsigned lane = lane_of(t);
    if (lane == 2)
        return (1u << N_LISTS_) - 1;
    if (lane == 3)
        return 1u << LIST_OTHER;
    const unsigned b = by_sport[lane] ? buckets_of(t->sport_lo, t->sport_span)
                                      : buckets_of(t->dport_lo, t->dport_span);
    return (uint32_t)b << (lane * MDEC_FILTER_NB);
}

/* The compiled rules of one family: tail(i) is rule i's tail. */
struct fam_rules {
    struct c4 *c4;
    struct c6 *c6;
    unsigned fam;
};

static const struct ctail *tail(const struct fam_rules *fr, uint32_t i)
{
    return fr->fam == MDEC_FAM_V4 ? &fr->c4[i].t : &fr->c6[i].t;
}

/* Per TCP and UDP lane: bucket by source port when more of the lane's
 * rules (fr's [first, first + n)) are selective on it than on the
 * destination port. */
static void choose_ports(const struct fam_rules *fr, uint32_t first, uint32_t n,
                         uint8_t by_sport[2])
{
    int score[2] = {0, 0};
    for (uint32_t i = first; i < first + n; i++) {
        const struct ctail *t = tail(fr, i);
        const unsigned lane = lane_of(t);
        if (lane > 1)
            continue;
        score[lane] += t->sport_span < MDEC_FILTER_NB - 1;
        score[lane] -= t->dport_span < MDEC_FILTER_NB - 1;
    }
    by_sport[0] = score[0] > 0;
    by_sport[1] = score[1] > 0;
}

/* The lists of block b, whose rules are fr's [first, first + n); entries
 * go to idx from *used on. */
static void build_lists(struct mdec_filter_block *b, const struct fam_rules *fr, uint32_t first,
                        uint32_t n, uint16_t *idx, uint32_t *used)
{
    uint32_t next[N_LISTS_];
    memset(next, 0, sizeof next);
    choose_ports(fr, first, n, b->by_sport);
    for (uint32_t i = first; i < first + n; i++) {
        const uint32_t set = lists_of(tail(fr, i), b->by_sport);
        for (unsigned k = 0; k < N_LISTS_; k++)
            next[k] += (set >> k) & 1;
    }
    uint32_t at = *used;
    for (unsigned k = 0; k < N_LISTS_; k++) {
        b->list[k] = at;
        at += next[k];
        next[k] = b->list[k]; /* from here on: where list k's next entry goes */
    }
    b->list[N_LISTS_] = at;
    *used = at;
    for (uint32_t i = first; i < first + n; i++) {
        const uint32_t set = lists_of(tail(fr, i), b->by_sport);
        for (unsigned k = 0; k < N_LISTS_; k++)
            if ((set >> k) & 1)
                idx[next[k]++] = (uint16_t)i;
    }
}

/* Compiles rules [from, to) (one direction) into the block of (dir, fam):
 * those admitting the family go to the family's array from *n_fam on. */
static void compile_block(struct mdec_filter *f, const struct fam_rules *fr, unsigned dir,
                          uint32_t from, uint32_t to, uint32_t *n_fam, uint32_t *used)
{
    const struct mdec_rule *rules = mdec__filter_rules(f);
    const uint32_t first = *n_fam;
    uint32_t n = first;
    for (uint32_t i = from; i < to; i++) {
        const struct mdec_rule *r = &rules[i];
        if (!(fams_of(&r->src) & fams_of(&r->dst) & (1u << fr->fam)))
            continue;
        if (fr->fam == MDEC_FAM_V4)
            compile4(r, &fr->c4[n++]);
        else
            compile6(r, &fr->c6[n++]);
    }
    uint16_t *idx = (uint16_t *)(void *)((unsigned char *)f + idx_off(f->max_rules));
    build_lists(&f->block[dir][fr->fam], fr, first, n - first, idx, used);
    *n_fam = n;
}

void mdec__filter_compile(struct mdec_filter *f)
{
    unsigned char *base = (unsigned char *)f;
    const uint32_t n = f->n_in + f->n_eg;
    uint32_t used = 0;
    for (unsigned fam = 0; fam < 2; fam++) {
        const struct fam_rules fr = {(struct c4 *)(void *)(base + c4_off(f->max_rules)),
                                     (struct c6 *)(void *)(base + c6_off(f->max_rules)), fam};
        uint32_t n_fam = 0;
        compile_block(f, &fr, 0, 0, f->n_in, &n_fam, &used);
        compile_block(f, &fr, 1, f->n_in, n, &n_fam, &used);
    }
}

/* ----------------------------------------------------------- Amazon DNS */

/* Ports first: most packets are told apart from DNS by them alone. */
static inline int is_amazon_dns(const struct mdec_filter *f, const struct mdec_flow *flow)
{
    if (!(flow->flags & MDEC_FLOW_PORTS) || (flow->dport != 53 && flow->sport != 53) ||
        !(flow->flags & MDEC_FLOW_PROTO) ||
        (flow->proto != IPPROTO_UDP_ && flow->proto != IPPROTO_TCP_))
        return 0;
    return (flow->dport == 53 && mdec__filter_is_resolver(f, &flow->dst)) ||
           (flow->sport == 53 && mdec__filter_is_resolver(f, &flow->src));
}

/* ----------------------------------------------------------- evaluation */

static inline int tail_matches(const struct ctail *c, const struct ptail *p)
{
    const unsigned miss =
        ((unsigned)(p->proto ^ c->proto) & c->pmask) | (c->need & ~(unsigned)p->have);
    return miss == 0 && (uint16_t)(p->sport - c->sport_lo) <= c->sport_span &&
           (uint16_t)(p->dport - c->dport_lo) <= c->dport_span && p->tid - c->tid_lo <= c->tid_span;
}

/* The list of block b a packet scans. */
static inline unsigned list_for(const struct mdec_filter_block *b, const struct ptail *p)
{
    unsigned lane;
    if (!(p->have & NEED_PROTO))
        return LIST_OTHER;
    if (p->proto == IPPROTO_TCP_)
        lane = 0;
    else if (p->proto == IPPROTO_UDP_)
        lane = 1;
    else
        return LIST_OTHER;
    const unsigned port = b->by_sport[lane] ? p->sport : p->dport;
    return lane * MDEC_FILTER_NB + (port & (MDEC_FILTER_NB - 1));
}

static enum mdec_verdict scan4(const struct mdec_filter *f, const struct mdec_filter_block *b,
                               uint32_t src, uint32_t dst, const struct ptail *p)
{
    const unsigned k = list_for(b, p);
    const uint16_t *ix = idx_of(f) + b->list[k], *end = idx_of(f) + b->list[k + 1];
    const struct c4 *c4 = c4_of(f);
    for (; ix < end; ix++) {
        const struct c4 *c = &c4[*ix];
        if ((((src ^ c->src) & c->smask) | ((dst ^ c->dst) & c->dmask)) == 0 &&
            tail_matches(&c->t, p))
            return (enum mdec_verdict)c->t.action;
    }
    return MDEC_VERDICT_REJECT;
}

static enum mdec_verdict scan6(const struct mdec_filter *f, const struct mdec_filter_block *b,
                               const uint64_t src[2], const uint64_t dst[2], const struct ptail *p)
{
    const unsigned k = list_for(b, p);
    const uint16_t *ix = idx_of(f) + b->list[k], *end = idx_of(f) + b->list[k + 1];
    const struct c6 *c6 = c6_of(f);
    for (; ix < end; ix++) {
        const struct c6 *c = &c6[*ix];
        const uint64_t diff =
            ((src[0] ^ c->src[0]) & c->smask[0]) | ((src[1] ^ c->src[1]) & c->smask[1]) |
            ((dst[0] ^ c->dst[0]) & c->dmask[0]) | ((dst[1] ^ c->dst[1]) & c->dmask[1]);
        if (diff == 0 && tail_matches(&c->t, p))
            return (enum mdec_verdict)c->t.action;
    }
    return MDEC_VERDICT_REJECT;
}

/* One direction's block (dir 0 ingress, 1 egress) for the packet. */
static inline enum mdec_verdict scan(const struct mdec_filter *f, unsigned dir, unsigned fam,
                                     const struct mdec_flow *flow, const struct ptail *p)
{
    const struct mdec_filter_block *b = &f->block[dir][fam];
    if (fam == MDEC_FAM_V4) {
        uint32_t src, dst;
        memcpy(&src, flow->src.a, 4);
        memcpy(&dst, flow->dst.a, 4);
        return scan4(f, b, src, dst, p);
    }
    uint64_t src[2], dst[2];
    memcpy(src, flow->src.a, 16);
    memcpy(dst, flow->dst.a, 16);
    return scan6(f, b, src, dst, p);
}

/* mdec_filter_eval_flow(), inline in both public entry points. */
static inline enum mdec_verdict eval_flow(const struct mdec_filter *f, const struct mdec_flow *flow,
                                          int truncated, enum mdec_direction dir)
{
    if (!(flow->flags & MDEC_FLOW_IP) || flow->src.family != flow->dst.family)
        return MDEC_VERDICT_REJECT;
    unsigned fam;
    if (flow->src.family == MDEC_AF_IPV4)
        fam = MDEC_FAM_V4;
    else if (flow->src.family == MDEC_AF_IPV6)
        fam = MDEC_FAM_V6;
    else
        return MDEC_VERDICT_REJECT;
    /* Values behind a clear flag are zeroed, never used: a rule that
     * needs them fails on have, and any port bucket holds every rule
     * without ports. */
    const unsigned flags = flow->flags;
    struct ptail p;
    p.proto = flow->proto;
    p.have = (uint8_t)((flags & NEED_FLOW) | (truncated ? NEED_TRUNCATED : NEED_COMPLETE));
    const uint16_t ports = (uint16_t)(0u - ((flags / MDEC_FLOW_PORTS) & 1u));
    p.sport = flow->sport & ports;
    p.dport = flow->dport & ports;
    p.tid = flow->tunnel_id & (0u - ((flags / MDEC_FLOW_TUNNEL_ID) & 1u));

    if (MDEC_UNLIKELY(is_amazon_dns(f, flow))) {
        if (!(f->options & MDEC_FILTER_AMAZON_DNS))
            return MDEC_VERDICT_REJECT;
        if (!(f->options & MDEC_FILTER_AMAZON_DNS_BY_RULES))
            return MDEC_VERDICT_ACCEPT;
    }

    if (dir == MDEC_DIR_INGRESS)
        return scan(f, 0, fam, flow, &p);
    if (dir == MDEC_DIR_EGRESS)
        return scan(f, 1, fam, flow, &p);
    if (f->options & MDEC_FILTER_UNKNOWN_REJECT)
        return MDEC_VERDICT_REJECT;
    if (scan(f, 0, fam, flow, &p) == MDEC_VERDICT_ACCEPT)
        return MDEC_VERDICT_ACCEPT;
    return scan(f, 1, fam, flow, &p);
}

enum mdec_verdict mdec_filter_eval_flow(const struct mdec_filter *f, const struct mdec_flow *flow,
                                        int truncated, enum mdec_direction dir)
{
    if (f == NULL || flow == NULL)
        return MDEC_VERDICT_REJECT;
    return eval_flow(f, flow, truncated, dir);
}

enum mdec_verdict mdec_filter_eval(const struct mdec_filter *f, const struct mdec_result *res,
                                   enum mdec_direction dir)
{
    if (f == NULL || res == NULL)
        return MDEC_VERDICT_REJECT;
    return eval_flow(f, &res->flow, res->status == MDEC_STATUS_TRUNCATED, dir);
}

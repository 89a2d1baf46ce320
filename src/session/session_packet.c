/*
 * session_packet.c - what the session table decides for one decoded packet:
 * its key, its session (or the unknown-session policy), the forged-source
 * check, its direction, the session's filter, and the counters.
 *
 * The order matters and is the one session.h documents: a packet whose
 * outer source the session does not allow is refused before anything else
 * looks at it, so forged traffic never reaches a filter nor a consumer, and
 * counts only as forged.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "session_int.h"

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

/*
 * Direction compares each of a session's addresses with the packet's source
 * and destination.  An address is handled as two 64-bit words masked to the
 * bytes its family uses (IPv4: bytes 0..3, whatever the rest holds), and
 * the comparisons are combined without branching on their outcome: whether
 * a packet enters or leaves is a coin toss for the branch predictor.
 */
struct addr_words {
    uint64_t w[2], m[2]; /* mdec__addr_words() of the address */
    uint8_t family;      /* MDEC_AF_*; 0xFF for no family: equal to nothing */
};

static inline void words_of(const struct mdec_addr *a, struct addr_words *out)
{
    mdec__addr_words(a, out->w, out->m);
    out->family = out->m[0] ? a->family : 0xFF;
}

/* 1 when local is the address x stands for. */
static inline unsigned same_addr(const struct mdec_addr *local, const struct addr_words *x)
{
    uint64_t l[2];
    memcpy(l, local->a, sizeof l);
    const uint64_t diff = ((l[0] & x->m[0]) ^ x->w[0]) | ((l[1] & x->m[1]) ^ x->w[1]);
    return (unsigned)(local->family == x->family) & (unsigned)(diff == 0);
}

static inline enum mdec_direction direction(const struct mdec_session *s,
                                            const struct mdec_result *res, int key_tunnel)
{
    if (!(res->flow.flags & MDEC_FLOW_IP))
        return MDEC_DIR_UNKNOWN;
    struct addr_words src, dst;
    words_of(&res->flow.src, &src);
    words_of(&res->flow.dst, &dst);
    const struct mdec_addr *local = s->local;
    uint32_t n = s->n_local;
    if (n > MDEC_SESSION_ADDRS)
        n = MDEC_SESSION_ADDRS;
    if (n == 0) {
        /* The keying tunnel's carrier source stands in for the interface. */
        local = carrier_src(res, key_tunnel);
        n = local != NULL;
    }
    unsigned egress = 0, ingress = 0;
    for (uint32_t i = 0; i < n; i++) {
        egress |= same_addr(&local[i], &src);
        ingress |= same_addr(&local[i], &dst);
    }
    /* The source wins when both hold. */
    return egress ? MDEC_DIR_EGRESS : ingress ? MDEC_DIR_INGRESS : MDEC_DIR_UNKNOWN;
}

enum mdec_direction mdec_session_direction(const struct mdec_session *s,
                                           const struct mdec_result *res, int key_tunnel)
{
    if (s == NULL || res == NULL)
        return MDEC_DIR_UNKNOWN;
    return direction(s, res, key_tunnel);
}

static inline int source_allowed(const struct mdec_prefix *allow, uint32_t n_allow,
                                 const struct mdec_addr *src)
{
    if (n_allow == 0)
        return 1;
    if (src == NULL || allow == NULL)
        return 0;
    for (uint32_t i = 0; i < n_allow; i++)
        if (mdec__prefix_contains(&allow[i], src))
            return 1;
    return 0;
}

/* The trust rule (decode.h): the tunnels outside the keying tunnel kt are
 * trusted transports, and kt's carrier source, which they vouch for, lies
 * in allow (n_allow 0: any source). */
static inline int sender_allowed(const struct mdec_prefix *allow, uint32_t n_allow,
                                 const struct mdec_result *res, int kt)
{
    return mdec__stack_trusted(res, kt) && source_allowed(allow, n_allow, carrier_src(res, kt));
}

/* Forged check, direction and filter of a packet for session s. */
static inline enum mdec_verdict judge(const struct mdec_table *t, struct mdec_session *s,
                               const struct mdec_result *res, int kt, struct mdec_match *m)
{
    enum mdec_verdict v;
    m->session = s;
    /* s is a slot of t (found, learned, or the default): its index is the
     * distance, without mdec_session_index()'s checks and division. */
    m->index = (uint32_t)(s - t->sessions);
    m->direction = MDEC_DIR_UNKNOWN;
    if (!sender_allowed(s->allow, s->n_allow, res, kt)) {
        v = MDEC_VERDICT_FORGED;
    } else {
        const enum mdec_direction dir = direction(s, res, kt);
        m->direction = (uint8_t)dir;
        v = s->filter ? mdec_filter_eval(s->filter, res, dir) : MDEC_VERDICT_ACCEPT;
    }
    m->verdict = (uint8_t)v;
    return v;
}

/* Classifies; *unknown says whether the key had no session of its own. */
static inline enum mdec_verdict classify(const struct mdec_table *t, const struct mdec_result *res,
                                  struct mdec_match *m, int *unknown)
{
    const int kt = mdec__key_from_result(res, &m->key);
    m->key_tunnel = (int8_t)kt;
    m->pad_ = 0;
    struct mdec_session *s = mdec__table_find(t, &m->key);
    *unknown = s == NULL;
    if (s == NULL && t->unknown == MDEC_UNKNOWN_DEFAULT)
        s = &t->sessions[t->capacity];
    if (s == NULL) {
        m->session = NULL;
        m->index = UINT32_MAX;
        m->direction = MDEC_DIR_UNKNOWN;
        m->verdict = MDEC_VERDICT_UNKNOWN_SESSION;
        return MDEC_VERDICT_UNKNOWN_SESSION;
    }
    return judge(t, s, res, kt, m);
}

enum mdec_verdict mdec_table_classify(const struct mdec_table *t, const struct mdec_result *res,
                                      struct mdec_match *m)
{
    if (t == NULL || res == NULL || m == NULL)
        return MDEC_VERDICT_UNKNOWN_SESSION;
    int unknown;
    return classify(t, res, m, &unknown);
}

enum mdec_verdict mdec_table_process(struct mdec_table *t, const struct mdec_result *res,
                                     struct mdec_match *m)
{
    if (t == NULL || res == NULL || m == NULL)
        return MDEC_VERDICT_UNKNOWN_SESSION;
    int unknown;
    enum mdec_verdict v = classify(t, res, m, &unknown);
    if (unknown) {
        t->stats.unknown++;
        if (t->unknown == MDEC_UNKNOWN_LEARN) {
            struct mdec_session *s = NULL;
            if (!sender_allowed(t->learn_allow, t->n_learn_allow, res, m->key_tunnel)) {
                /* Forged traffic never creates sessions. */
                t->stats.learn_forged++;
                v = MDEC_VERDICT_FORGED;
                m->verdict = (uint8_t)v;
            } else if (t->count < t->capacity) {
                s = mdec_table_add(t, &m->key, NULL);
            } else {
                t->stats.learn_full++;
            }
            if (s) {
                t->stats.learned++;
                (void)mdec_key_format(&s->key, s->name, sizeof s->name);
                s->filter = t->learn_filter;
                s->allow = t->learn_allow;
                s->n_allow = t->n_learn_allow;
                v = judge(t, s, res, m->key_tunnel, m);
            } else {
                t->stats.dropped++; /* full, forged, or a key no session can have */
            }
        } else if (t->unknown == MDEC_UNKNOWN_DROP) {
            t->stats.dropped++;
        }
    }
    if (m->session)
        counters_add(&m->session->counters, res, v);
    return v;
}

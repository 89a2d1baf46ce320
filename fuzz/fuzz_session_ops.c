/*
 * fuzz_session_ops.c - sequences of session-table operations, checked
 * against a reference model (an unsorted array of keys and their slots).
 *
 * Input: byte 0 the capacity (1 + b % 32); byte 1 the unknown-session
 * policy (b % 3); then operations, one byte each
 * (low 3 bits the operation) followed by the key it needs:
 *
 *   0 add      2 find     4 walk (removing the session at step b >> 3)
 *   1 add      3 remove   5 clear   6 process a packet   7 check all
 *
 * Operation 6 with bit 3 set instead configures the session of the key
 * that follows, when it exists, through mdec_session_set_allow and
 * mdec_session_set_local (refused settings must change nothing): 1 byte,
 * allow-list length (b % 3) and n_local (b >> 2 & 7: 0..7, more than
 * MDEC_SESSION_ADDRS included), then
 * that many prefixes (an address and 1 byte of length, b % 140, past the
 * family's maximum too) and local addresses.  An address is 1 byte: one of
 * eight (four IPv4, three IPv6, one of them sharing its first four bytes with
 * an IPv4 one, and MDEC_AF_NONE), bit 3 filling the bytes past an IPv4
 * address's fourth with garbage, which must never count.  Processing reads
 * 1 byte (status ok, truncated or malformed; bit 2 the carrier source is
 * known, bit 3 the flow has addresses, bit 4 the inner packet was reached,
 * bit 5 the VXLAN is nested in a GENEVE tunnel, which bit 6 marks as a
 * trusted transport, bit 7 the inner IP span is present), then the carrier
 * source, the flow's source and destination, and 2 bytes of inner lengths.
 * The trust rule: the innermost tunnel keys, and a packet in which a tunnel
 * around it is not a trusted transport is forged whatever the allow-list,
 * and never learned; only a packet that is not malformed and, when
 * tunneled, has a mirrored IP header is learned.  Operation 6 with bit 4 set processes a burst of
 * 1 + (b >> 5) packets with mdec_table_process_burst, each held to the
 * model as if processed alone, in order.
 *
 * A key is 2 bytes: kind (b % 8, so 7 is an unknown kind), has_id (bit 3),
 * and the id: the second byte's low bits, or for bit 4 of the first byte
 * the largest id of the kind plus 0 or 1 (the edge of the range), or for
 * GWLB a 64-bit value.  The model knows which keys are valid from the
 * header's rules (kinds 0-6; NONE without an id; GWLB with one; has_id 0
 * means id 0; ids within 24 bits for VNIs, 10 for ERSPAN, 32 for GRE).
 *
 * Checks after every operation: add succeeds exactly when the key is valid,
 * absent and the table not full (else INVALID, EXISTS, NOSPACE in that
 * order); find and remove agree with the model; a session's slot index never
 * changes while it exists; count and the walk visit exactly the model's
 * sessions, once each, also when the current one is removed mid-walk;
 * process gives the verdict the policy implies and learns only while
 * capacity lasts; a session's verdict (forged or accepted) and direction are
 * those a naive model derives bit by bit from its allow-list and addresses,
 * and its counters, checked with everything else, are the model's.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

#define CAP_MAX     32u
#define N_LOCAL_MAX 7u

struct model {
    unsigned n;
    struct {
        struct mdec_key key;
        uint32_t index;
    } e[CAP_MAX];
    /* By slot index (the default session is slot cap): what each session
     * was configured with, in storage that outlives it, and its counters. */
    struct {
        struct mdec_prefix allow[2];
        uint32_t n_allow;
        struct mdec_addr local[N_LOCAL_MAX];
        uint32_t n_local;
        struct mdec_counters c;
    } slot[CAP_MAX + 1];
};

static uint64_t id_max(unsigned kind)
{
    switch (kind) {
    case MDEC_KEY_VXLAN:
    case MDEC_KEY_VXLAN_GPE:
    case MDEC_KEY_GENEVE:
        return 0xFFFFFF;
    case MDEC_KEY_ERSPAN:
        return 0x3FF;
    case MDEC_KEY_GRE:
        return 0xFFFFFFFF;
    case MDEC_KEY_GWLB:
        return UINT64_MAX;
    default:
        return 0;
    }
}

/* The kinds the enum names: 0..5 and 64 (GWLB). */
static int kind_known(unsigned kind)
{
    return kind <= MDEC_KEY_GRE || kind == MDEC_KEY_GWLB;
}

static int valid(const struct mdec_key *k)
{
    if (!kind_known(k->kind) || k->has_id > 1)
        return 0;
    if (k->kind == MDEC_KEY_NONE)
        return !k->has_id && k->id == 0;
    if (k->kind == MDEC_KEY_GWLB && !k->has_id)
        return 0;
    return k->has_id ? k->id <= id_max(k->kind) : k->id == 0;
}

static struct mdec_key take_key(struct fuzz_in *in)
{
    const uint8_t a = fuzz_u8(in), b = fuzz_u8(in);
    struct mdec_key k;
    memset(&k, 0, sizeof k);
    static const uint8_t kinds[8] = {MDEC_KEY_NONE, MDEC_KEY_VXLAN, MDEC_KEY_VXLAN_GPE,
                                     MDEC_KEY_GENEVE, MDEC_KEY_ERSPAN, MDEC_KEY_GRE,
                                     MDEC_KEY_GWLB, 6 /* unknown */};
    k.kind = kinds[a % 8];
    k.has_id = (a >> 3) & 1;
    if (a & 0x10)
        k.id = id_max(k.kind) + (b & 1);
    else if (k.kind == MDEC_KEY_GWLB && (a & 0x20))
        k.id = (uint64_t)b << 56 | b;
    else
        k.id = b & 0x0F;
    if (!k.has_id && !(a & 0x40))
        k.id = 0;
    return k;
}

/* One of eight addresses; bit 3 puts garbage past an IPv4 address's
 * fourth byte. */
static struct mdec_addr take_addr(struct fuzz_in *in)
{
    static const uint8_t table[8][17] = {
        {MDEC_AF_IPV4, 10, 0, 0, 1},
        {MDEC_AF_IPV4, 10, 0, 0, 2},
        {MDEC_AF_IPV4, 10, 0, 1, 1},
        {MDEC_AF_IPV4, 192, 0, 2, 1},
        {MDEC_AF_IPV6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {MDEC_AF_IPV6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
        {MDEC_AF_IPV6, 10, 0, 0, 1}, /* a00:1:: - the first four bytes of 10.0.0.1 */
        {MDEC_AF_NONE}};
    const uint8_t b = fuzz_u8(in);
    struct mdec_addr a;
    a.family = table[b & 7][0];
    memcpy(a.a, &table[b & 7][1], 16);
    if ((b & 8) && a.family == MDEC_AF_IPV4)
        memset(a.a + 4, 0xA5 ^ b, 12);
    return a;
}

/* The definitions the session table must follow, bit by bit. */
static int naive_contains(const struct mdec_prefix *p, const struct mdec_addr *a)
{
    if (p->addr.family != a->family || a->family == MDEC_AF_NONE)
        return 0;
    const unsigned max = a->family == MDEC_AF_IPV4 ? 32 : 128;
    for (unsigned i = 0; i < p->len && i < max; i++)
        if (((p->addr.a[i / 8] ^ a->a[i / 8]) >> (7 - i % 8)) & 1)
            return 0;
    return 1;
}

static int naive_same(const struct mdec_addr *x, const struct mdec_addr *y)
{
    if (x->family != y->family)
        return 0;
    if (x->family == MDEC_AF_IPV4)
        return memcmp(x->a, y->a, 4) == 0;
    return x->family == MDEC_AF_IPV6 && memcmp(x->a, y->a, 16) == 0;
}

static int find(const struct model *m, const struct mdec_key *k)
{
    for (unsigned i = 0; i < m->n; i++)
        if (m->e[i].key.kind == k->kind && m->e[i].key.has_id == k->has_id &&
            m->e[i].key.id == k->id)
            return (int)i;
    return -1;
}

static void drop(struct model *m, int i)
{
    m->e[i] = m->e[--m->n];
}

static void check_all(struct mdec_table *t, const struct model *m)
{
    FUZZ_CHECK(mdec_table_get_stats(t)->count == m->n);
    for (unsigned i = 0; i < m->n; i++) {
        struct mdec_session *s = mdec_table_find(t, &m->e[i].key);
        FUZZ_CHECK(s != NULL);
        FUZZ_CHECK(s->index == m->e[i].index);
        FUZZ_CHECK(s->key.kind == m->e[i].key.kind && s->key.id == m->e[i].key.id);
        FUZZ_CHECK(memcmp(&s->counters, &m->slot[m->e[i].index].c, sizeof s->counters) == 0);
    }
    const uint32_t def = mdec_table_get_stats(t)->capacity;
    FUZZ_CHECK(memcmp(&mdec_table_default(t)->counters, &m->slot[def].c, sizeof m->slot[def].c) ==
               0);
    unsigned seen = 0;
    uint32_t last = 0;
    for (const struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s)) {
        const uint32_t ix = s->index;
        FUZZ_CHECK(seen == 0 || ix > last); /* slot order, each once */
        last = ix;
        FUZZ_CHECK(find(m, &s->key) >= 0);
        seen++;
        FUZZ_CHECK(seen <= m->n);
    }
    FUZZ_CHECK(seen == m->n);
}

/* A decoded VXLAN packet (or, for kind NONE, one without a tunnel), its
 * status, carrier source, flow addresses and lengths taken from the input. */
static void packet(struct mdec_result *r, const struct mdec_key *k, struct fuzz_in *in)
{
    memset(r, 0, sizeof *r);
    const uint8_t how = fuzz_u8(in);
    const uint8_t status[3] = {MDEC_STATUS_OK, MDEC_STATUS_TRUNCATED, MDEC_STATUS_MALFORMED};
    r->status = status[how % 3];
    r->cap_len = 60;
    r->wire_len = 1500;
    const struct mdec_addr carrier = take_addr(in), src = take_addr(in), dst = take_addr(in);
    const uint8_t lens = fuzz_u8(in), lens2 = fuzz_u8(in);
    if (how & 8) {
        r->flow.flags = MDEC_FLOW_IP;
        r->flow.src = src;
        r->flow.dst = dst;
    }
    if (how & 16) {
        r->has_inner = 1;
        r->inner.cap_len = lens;
        r->inner.wire_len = (uint32_t)lens + lens2;
    }
    if (how & 128)
        r->spans_present = 1u << MDEC_SPAN_INNER_IP;
    if (k->kind == MDEC_KEY_NONE) {
        r->status = MDEC_STATUS_NOT_TUNNELED;
        return;
    }
    if (how & 32) { /* a GENEVE tunnel around the VXLAN */
        struct mdec_tunnel *g = &r->tunnels[r->n_tunnels++];
        g->type = MDEC_TUNNEL_GENEVE;
        g->flags = MDEC_TF_ID | MDEC_TF_HEADER | MDEC_TF_COMPLETE | MDEC_TF_CARRIER;
        g->flags |= (how & 64) ? MDEC_TF_TRANSPORT : 0;
        g->src = dst; /* not the VXLAN's carrier: the rule must not judge it */
        g->dst = carrier;
    }
    struct mdec_tunnel *t = &r->tunnels[r->n_tunnels++];
    t->type = MDEC_TUNNEL_VXLAN;
    t->flags = MDEC_TF_ID | MDEC_TF_HEADER | MDEC_TF_COMPLETE;
    t->id = (uint32_t)(k->id & 0xFFFFFF);
    if (how & 4) {
        t->flags |= MDEC_TF_CARRIER;
        t->src = carrier;
        t->dst = dst;
    }
}

/* The trust rule: every tunnel around the keying (innermost) one is a
 * trusted transport. */
static int trusted(const struct mdec_result *r)
{
    return r->n_tunnels < 2 || (r->tunnels[0].flags & MDEC_TF_TRANSPORT);
}

/* What the model says session slot `ix` decides for r: the verdict, the
 * direction, and the counters. */
static enum mdec_verdict expect(struct model *m, uint32_t ix, const struct mdec_result *r,
                                enum mdec_direction *dir)
{
    const struct mdec_tunnel *t = &r->tunnels[r->n_tunnels ? r->n_tunnels - 1 : 0];
    const struct mdec_addr *carrier =
        r->n_tunnels && (t->flags & MDEC_TF_CARRIER) && t->src.family != MDEC_AF_NONE ? &t->src
                                                                                      : NULL;
    struct mdec_counters *c = &m->slot[ix].c;
    *dir = MDEC_DIR_UNKNOWN;
    if (!trusted(r)) {
        c->forged++;
        return MDEC_VERDICT_FORGED;
    }
    if (m->slot[ix].n_allow > 0) {
        int ok = 0;
        for (uint32_t i = 0; carrier && i < m->slot[ix].n_allow; i++)
            ok |= naive_contains(&m->slot[ix].allow[i], carrier);
        if (!ok) {
            c->forged++;
            return MDEC_VERDICT_FORGED;
        }
    }
    if (r->flow.flags & MDEC_FLOW_IP) {
        const struct mdec_addr *local = m->slot[ix].local;
        uint32_t n = m->slot[ix].n_local;
        if (n == 0) {
            local = carrier;
            n = carrier != NULL;
        }
        int egress = 0, ingress = 0;
        for (uint32_t i = 0; i < n; i++) {
            egress |= naive_same(&local[i], &r->flow.src);
            ingress |= naive_same(&local[i], &r->flow.dst);
        }
        *dir = egress ? MDEC_DIR_EGRESS : ingress ? MDEC_DIR_INGRESS : MDEC_DIR_UNKNOWN;
    }
    c->packets++;
    if (r->has_inner) { /* the inner packet's bytes, as the outputs write them */
        c->bytes_wire += r->inner.wire_len;
        c->bytes_cap += r->inner.cap_len;
    } else {
        c->bytes_wire += r->wire_len;
        c->bytes_cap += r->cap_len;
    }
    c->truncated += r->status == MDEC_STATUS_TRUNCATED;
    c->malformed += r->status == MDEC_STATUS_MALFORMED;
    return MDEC_VERDICT_ACCEPT;
}

/* A new session's slot starts unconfigured, with zero counters. */
static void fresh_slot(struct model *m, uint32_t ix)
{
    memset(&m->slot[ix], 0, sizeof m->slot[ix]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    const uint32_t cap = 1 + fuzz_u8(&in) % CAP_MAX;
    const uint8_t how = fuzz_u8(&in);
    struct mdec_table_config cfg = {.unknown = (uint8_t)(how % 3)};
    const size_t sz = mdec_table_size(cap);
    FUZZ_CHECK(sz > 0);
    void *mem = aligned_alloc(MDEC_TABLE_ALIGN,
                              (sz + MDEC_TABLE_ALIGN - 1) / MDEC_TABLE_ALIGN * MDEC_TABLE_ALIGN);
    FUZZ_CHECK(mem != NULL);
    FUZZ_CHECK(mdec_table_init(mem, sz - 1, cap, &cfg) == NULL);
    struct mdec_table *t = mdec_table_init(mem, sz, cap, &cfg);
    FUZZ_CHECK(t != NULL);
    static struct model m; /* large: off the stack */
    memset(&m, 0, sizeof m);

    for (unsigned steps = 0; in.n > 0 && steps < 4096; steps++) {
        const uint8_t op = fuzz_u8(&in);
        switch (op & 7) {
        case 0:
        case 1: { /* add */
            const struct mdec_key k = take_key(&in);
            struct mdec_session *s = (struct mdec_session *)&s;
            const int err = mdec_table_add(t, &k, &s);
            if (!valid(&k)) {
                FUZZ_CHECK(s == NULL && err == MDEC_E_INVALID);
            } else if (find(&m, &k) >= 0) {
                FUZZ_CHECK(s == NULL && err == MDEC_E_EXISTS);
            } else if (m.n == cap) {
                FUZZ_CHECK(s == NULL && err == MDEC_E_NOSPACE);
            } else {
                if (s == NULL || err != 0)
                    fuzz_fail("add of a new valid key failed (%d) with %u of %u sessions", err, m.n,
                              cap);
                FUZZ_CHECK(s->name[0] == '\0' && s->user == NULL);
                m.e[m.n].key = k;
                m.e[m.n].index = s->index;
                FUZZ_CHECK(m.e[m.n].index < cap);
                fresh_slot(&m, m.e[m.n].index);
                m.n++;
            }
            break;
        }
        case 2: { /* find */
            const struct mdec_key k = take_key(&in);
            const int i = find(&m, &k);
            struct mdec_session *s = mdec_table_find(t, &k);
            FUZZ_CHECK((s != NULL) == (i >= 0));
            if (s)
                FUZZ_CHECK(s->index == m.e[i].index);
            break;
        }
        case 3: { /* remove */
            const struct mdec_key k = take_key(&in);
            const int i = find(&m, &k);
            const int rc = mdec_table_remove(t, &k);
            FUZZ_CHECK(rc == (i >= 0 ? 0 : MDEC_E_NOTFOUND));
            if (i >= 0)
                drop(&m, i);
            break;
        }
        case 4: { /* walk, removing the current session at one step */
            const unsigned at = op >> 3;
            unsigned step = 0, seen = 0;
            struct mdec_session *s = mdec_table_next(t, NULL);
            while (s) {
                struct mdec_session *next;
                seen++;
                FUZZ_CHECK(seen <= cap);
                if (step++ == at) {
                    const struct mdec_key k = s->key;
                    const int i = find(&m, &k);
                    FUZZ_CHECK(i >= 0);
                    FUZZ_CHECK(mdec_table_remove(t, &k) == 0);
                    drop(&m, i);
                    next = mdec_table_next(t, s); /* documented safe */
                } else {
                    next = mdec_table_next(t, s);
                }
                s = next;
            }
            FUZZ_CHECK(seen == m.n + (at < step ? 1u : 0u));
            break;
        }
        case 5: /* clear */
            mdec_table_clear(t);
            m.n = 0;
            fresh_slot(&m, cap);
            FUZZ_CHECK(mdec_table_get_stats(t)->unknown == 0);
            break;
        case 6:
            if (op & 8) { /* configure a session */
                const struct mdec_key k = take_key(&in);
                const uint8_t b = fuzz_u8(&in);
                const uint32_t n_allow = b % 3, n_local = (b >> 2) & 7;
                struct mdec_prefix allow[2];
                struct mdec_addr local[N_LOCAL_MAX];
                for (uint32_t i = 0; i < n_allow; i++) {
                    allow[i].addr = take_addr(&in);
                    allow[i].len = (uint8_t)(fuzz_u8(&in) % 140);
                }
                for (uint32_t i = 0; i < n_local; i++)
                    local[i] = take_addr(&in);
                struct mdec_session *s = mdec_table_find(t, &k);
                if (s == NULL)
                    break;
                const uint32_t ix = s->index;
                /* What the setters must answer, from the header's rules. */
                int allow_ok = 1, local_rc = 0;
                for (uint32_t i = 0; i < n_allow; i++) {
                    const unsigned f = allow[i].addr.family;
                    allow_ok &= (f == MDEC_AF_IPV4 && allow[i].len <= 32) ||
                                (f == MDEC_AF_IPV6 && allow[i].len <= 128);
                }
                if (n_local > MDEC_SESSION_ADDRS)
                    local_rc = MDEC_E_NOSPACE;
                for (uint32_t i = 0; i < n_local && local_rc == 0; i++)
                    if (local[i].family == MDEC_AF_NONE)
                        local_rc = MDEC_E_INVALID;
                FUZZ_CHECK(mdec_session_set_allow(t, s, allow, n_allow) ==
                           (allow_ok ? 0 : MDEC_E_INVALID));
                FUZZ_CHECK(mdec_session_set_local(t, s, local, n_local) == local_rc);
                if (allow_ok) { /* a refused setting changes nothing */
                    memcpy(m.slot[ix].allow, allow, n_allow * sizeof allow[0]);
                    m.slot[ix].n_allow = n_allow;
                }
                if (local_rc == 0) {
                    memcpy(m.slot[ix].local, local, n_local * sizeof local[0]);
                    m.slot[ix].n_local = n_local;
                }
                break;
            }
            { /* process a packet, or (bit 4) a burst of up to 8 */
                const unsigned burst = (op & 16) ? 1 + (op >> 5) : 0;
                const unsigned count = burst ? burst : 1;
                struct mdec_result r[8];
                struct mdec_key k[8];
                struct mdec_match mt[8];
                enum mdec_verdict v[8];
                for (unsigned j = 0; j < count; j++) {
                    k[j] = take_key(&in);
                    if (k[j].kind != MDEC_KEY_NONE) {
                        k[j].kind = MDEC_KEY_VXLAN;
                        k[j].has_id = 1;
                        k[j].id &= 0xFFFFFF;
                    } else {
                        k[j].has_id = 0;
                        k[j].id = 0;
                    }
                    packet(&r[j], &k[j], &in);
                }
                const uint64_t learned = mdec_table_get_stats(t)->learned;
                if (burst) {
                    size_t accepted = mdec_table_process_burst(t, r, count, mt);
                    for (unsigned j = 0; j < count; j++) {
                        v[j] = (enum mdec_verdict)mt[j].verdict;
                        accepted -= v[j] == MDEC_VERDICT_ACCEPT;
                    }
                    FUZZ_CHECK(accepted == 0);
                } else {
                    v[0] = mdec_table_process(t, &r[0], &mt[0]);
                    FUZZ_CHECK(mt[0].verdict == v[0]);
                }
                /* The model, packet by packet, as single calls in order. */
                unsigned learned_now = 0;
                for (unsigned j = 0; j < count; j++) {
                    const int i = find(&m, &k[j]);
                    enum mdec_direction dir = MDEC_DIR_UNKNOWN;
                    enum mdec_verdict want = MDEC_VERDICT_UNKNOWN_SESSION;
                    const int learnable = r[j].status != MDEC_STATUS_MALFORMED &&
                                          (r[j].n_tunnels == 0 ||
                                           (r[j].flow.flags & MDEC_FLOW_IP));
                    if (i >= 0) {
                        FUZZ_CHECK(mt[j].session != NULL && mt[j].index == m.e[i].index);
                        want = expect(&m, m.e[i].index, &r[j], &dir);
                    } else if (cfg.unknown == MDEC_UNKNOWN_DROP) {
                        FUZZ_CHECK(mt[j].session == NULL);
                    } else if (cfg.unknown == MDEC_UNKNOWN_DEFAULT) {
                        FUZZ_CHECK(mt[j].session == mdec_table_default(t) && mt[j].index == cap);
                        want = expect(&m, cap, &r[j], &dir);
                    } else if (!trusted(&r[j])) {
                        FUZZ_CHECK(mt[j].session == NULL); /* forged: never learned */
                        want = MDEC_VERDICT_FORGED;
                    } else if (learnable && m.n < cap) {
                        FUZZ_CHECK(mt[j].session != NULL);
                        learned_now++;
                        m.e[m.n].key = k[j];
                        m.e[m.n].index = mt[j].session->index;
                        fresh_slot(&m, m.e[m.n].index);
                        want = expect(&m, m.e[m.n].index, &r[j], &dir);
                        m.n++;
                    } else {
                        FUZZ_CHECK(mt[j].session == NULL); /* not learnable, or full */
                    }
                    if (v[j] != want || mt[j].verdict != want || mt[j].direction != dir)
                        fuzz_fail("process%s: verdict %s direction %s, the model says %s %s",
                                  burst ? " (burst)" : "", mdec_verdict_name(v[j]),
                                  mdec_direction_name(mt[j].direction), mdec_verdict_name(want),
                                  mdec_direction_name(dir));
                }
                FUZZ_CHECK(mdec_table_get_stats(t)->learned == learned + learned_now);
                break;
            }
        default:
            check_all(t, &m);
            break;
        }
        FUZZ_CHECK(mdec_table_get_stats(t)->count == m.n);
    }
    check_all(t, &m);
    free(mem);
    return 0;
}

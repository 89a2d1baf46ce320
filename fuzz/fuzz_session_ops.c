/*
 * fuzz_session_ops.c - sequences of session-table operations, checked
 * against a reference model (an unsorted array of keys and their slots).
 *
 * Input: byte 0 the capacity (1 + b % 32); byte 1 the unknown-session
 * policy (b % 3) and bit 2 outermost keys; then operations, one byte each
 * (low 3 bits the operation) followed by the key it needs:
 *
 *   0 add      2 find     4 walk (removing the session at step b >> 3)
 *   1 add      3 remove   5 clear   6 process a packet   7 check all
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
 * capacity lasts.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

#define CAP_MAX 32u

struct model {
    unsigned n;
    struct {
        struct mdec_key key;
        uint32_t index;
    } e[CAP_MAX];
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

static int valid(const struct mdec_key *k)
{
    if (k->kind > MDEC_KEY_GWLB || k->has_id > 1)
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
    k.kind = a % 8;
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

static void check_all(const struct mdec_table *t, const struct model *m)
{
    FUZZ_CHECK(mdec_table_count(t) == m->n);
    for (unsigned i = 0; i < m->n; i++) {
        struct mdec_session *s = mdec_table_find(t, &m->e[i].key);
        FUZZ_CHECK(s != NULL);
        FUZZ_CHECK(mdec_session_index(t, s) == m->e[i].index);
        FUZZ_CHECK(s->key.kind == m->e[i].key.kind && s->key.id == m->e[i].key.id);
    }
    unsigned seen = 0;
    uint32_t last = 0;
    for (const struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s)) {
        const uint32_t ix = mdec_session_index(t, s);
        FUZZ_CHECK(seen == 0 || ix > last); /* slot order, each once */
        last = ix;
        FUZZ_CHECK(find(m, &s->key) >= 0);
        seen++;
        FUZZ_CHECK(seen <= m->n);
    }
    FUZZ_CHECK(seen == m->n);
}

/* A decoded VXLAN packet (or, for kind NONE, one without a tunnel). */
static void packet(struct mdec_result *r, const struct mdec_key *k)
{
    memset(r, 0, sizeof *r);
    r->status = MDEC_OK;
    if (k->kind == MDEC_KEY_NONE) {
        r->status = MDEC_NOT_TUNNELED;
        return;
    }
    r->n_tunnels = 1;
    r->tunnels[0].type = MDEC_TUNNEL_VXLAN;
    r->tunnels[0].flags = MDEC_TF_ID | MDEC_TF_HEADER | MDEC_TF_COMPLETE;
    r->tunnels[0].id = (uint32_t)(k->id & 0xFFFFFF);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    const uint32_t cap = 1 + fuzz_u8(&in) % CAP_MAX;
    const uint8_t how = fuzz_u8(&in);
    struct mdec_table_config cfg = {.key_select = (how & 4) ? MDEC_KEY_OUTERMOST
                                                             : MDEC_KEY_INNERMOST,
                                    .unknown = (uint8_t)(how % 3)};
    const size_t sz = mdec_table_size(cap);
    FUZZ_CHECK(sz > 0);
    void *mem = aligned_alloc(MDEC_TABLE_ALIGN, (sz + MDEC_TABLE_ALIGN - 1) / MDEC_TABLE_ALIGN *
                                                    MDEC_TABLE_ALIGN);
    FUZZ_CHECK(mem != NULL);
    FUZZ_CHECK(mdec_table_init(mem, sz - 1, cap, &cfg) == NULL);
    struct mdec_table *t = mdec_table_init(mem, sz, cap, &cfg);
    FUZZ_CHECK(t != NULL);
    struct model m;
    m.n = 0;

    for (unsigned steps = 0; in.n > 0 && steps < 4096; steps++) {
        const uint8_t op = fuzz_u8(&in);
        switch (op & 7) {
        case 0:
        case 1: { /* add */
            const struct mdec_key k = take_key(&in);
            int err = 12345;
            struct mdec_session *s = mdec_table_add(t, &k, &err);
            if (!valid(&k)) {
                FUZZ_CHECK(s == NULL && err == MDEC_E_INVALID);
            } else if (find(&m, &k) >= 0) {
                FUZZ_CHECK(s == NULL && err == MDEC_E_EXISTS);
            } else if (m.n == cap) {
                FUZZ_CHECK(s == NULL && err == MDEC_E_NOSPACE);
            } else {
                if (s == NULL)
                    fuzz_fail("add of a new valid key failed (%d) with %u of %u sessions", err,
                              m.n, cap);
                FUZZ_CHECK(err == 0);
                FUZZ_CHECK(s->name[0] == '\0' && s->filter == NULL && s->n_allow == 0);
                m.e[m.n].key = k;
                m.e[m.n].index = mdec_session_index(t, s);
                FUZZ_CHECK(m.e[m.n].index < cap);
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
                FUZZ_CHECK(mdec_session_index(t, s) == m.e[i].index);
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
            FUZZ_CHECK(mdec_table_get_stats(t)->unknown == 0);
            break;
        case 6: { /* process */
            struct mdec_key k = take_key(&in);
            if (k.kind != MDEC_KEY_NONE) {
                k.kind = MDEC_KEY_VXLAN;
                k.has_id = 1;
                k.id &= 0xFFFFFF;
            } else {
                k.has_id = 0;
                k.id = 0;
            }
            struct mdec_result r;
            struct mdec_match mt;
            packet(&r, &k);
            const int known = find(&m, &k) >= 0;
            const uint64_t learned = mdec_table_get_stats(t)->learned;
            const enum mdec_verdict v = mdec_table_process(t, &r, &mt);
            if (known) {
                FUZZ_CHECK(v == MDEC_VERDICT_ACCEPT && mt.session != NULL);
            } else if (cfg.unknown == MDEC_UNKNOWN_DROP) {
                FUZZ_CHECK(v == MDEC_VERDICT_UNKNOWN_SESSION && mt.session == NULL);
            } else if (cfg.unknown == MDEC_UNKNOWN_DEFAULT) {
                FUZZ_CHECK(v == MDEC_VERDICT_ACCEPT && mt.session == mdec_table_default(t));
                FUZZ_CHECK(mt.index == cap);
            } else if (m.n < cap) {
                FUZZ_CHECK(v == MDEC_VERDICT_ACCEPT && mt.session != NULL);
                FUZZ_CHECK(mdec_table_get_stats(t)->learned == learned + 1);
                m.e[m.n].key = k;
                m.e[m.n].index = mdec_session_index(t, mt.session);
                m.n++;
            } else {
                FUZZ_CHECK(v == MDEC_VERDICT_UNKNOWN_SESSION && mt.session == NULL);
            }
            break;
        }
        default:
            check_all(t, &m);
            break;
        }
        FUZZ_CHECK(mdec_table_count(t) == m.n);
    }
    check_all(t, &m);
    free(mem);
    return 0;
}

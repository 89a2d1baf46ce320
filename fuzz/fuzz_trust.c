/*
 * fuzz_trust.c - the trust rule (decode.h) against a model: nested tunnel
 * stacks of every type, from chosen sources, decoded under chosen trusted
 * transports and max_depth, then classified by a session table.
 *
 * Input (fuzz/README.md has the details):
 *   1 byte      max_depth, as is (0 and values above MDEC_MAX_TUNNELS too)
 *   1 byte      flags: bits 0-1 the number of transports declared (0..3),
 *               bit 2 decode as a UDP socket delivers the outer datagram
 *               (mdec_decode_udp, the sender from the socket) when the outer
 *               layer is UDP, bit 3 MDEC_CFG_STRICT
 *   2 bytes     per transport: type (b % 7, 0 and 6 must be refused), then
 *               two prefixes from a table (low and high nibble; 15 means
 *               only one)
 *   1 byte      layers: 1 + b % (MDEC_MAX_TUNNELS + 3)
 *   1 byte      per layer: type (b % 7), source (b >> 3 % 6), id (b >> 6)
 *   the rest    byte changes (offset 2 bytes, xor 1 byte) made to the frame
 *               before decoding; with any, only the invariants are checked
 *
 * The stack is built by tests/stackbuild.c; the model is its sb_keying(),
 * which works out, without the library, which layer keys the packet.  With
 * the frame unchanged, the decoder must peel exactly the layers the model
 * peels, mark every layer outside the keying one MDEC_TF_TRANSPORT, and say
 * why it stopped when a tunnel is left inside; the session table (session
 * vxlan:101, allowed from 10.0.1.10) must accept the packet exactly when the
 * keying layer is VXLAN 101 from 10.0.1.10, refuse it as forged when it is
 * VXLAN 101 from anywhere else, and never give session vxlan:101 anything
 * keyed elsewhere.  A learning table (learn allow-list 10.0.0.0/8) must
 * learn exactly when the keying layer's source is in 10.0.0.0/8.  Every
 * result also passes fuzz_check_result() and the walk-versus-fast-path
 * comparison of fuzz_decode_all().
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "stackbuild.h"

static const char *const sources[6] = {"203.0.113.66", "10.9.0.5", "10.0.1.10",
                                       "10.0.5.5",     "10.9.7.7", "192.0.2.1"};
#define ENI "10.0.1.10"

static const uint32_t ids[4] = {101, 999, 7, 0xABCDEF};

static struct mdec_prefix prefix_of(unsigned i)
{
    static const struct {
        uint8_t family, len;
        uint8_t a[4];
    } table[] = {
        {MDEC_AF_IPV4, 16, {10, 9}},        {MDEC_AF_IPV4, 32, {10, 0, 1, 10}},
        {MDEC_AF_IPV4, 0, {0}},             {MDEC_AF_IPV4, 24, {203, 0, 113}},
        {MDEC_AF_IPV4, 8, {10}},            {MDEC_AF_IPV4, 32, {10, 9, 7, 7}},
        {MDEC_AF_IPV4, 33, {10, 9}},        /* too long: the transport is refused */
        {MDEC_AF_IPV6, 32, {0x20, 0x01, 0x0d, 0xb8}}, /* an IPv6 prefix matches no IPv4 */
        {MDEC_AF_NONE, 0, {0}},             /* no family: refused */
    };
    struct mdec_prefix p;
    memset(&p, 0, sizeof p);
    i %= sizeof table / sizeof table[0];
    p.addr.family = table[i].family;
    p.len = table[i].len;
    memcpy(p.addr.a, table[i].a, 4);
    return p;
}

/* The library's answer to an add, worked out from the header's rules. */
static int add_ok(unsigned type, const struct mdec_prefix *from, unsigned n)
{
    if (type < MDEC_TUNNEL_VXLAN || type > MDEC_TUNNEL_GRE)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        const unsigned f = from[i].addr.family;
        if ((f != MDEC_AF_IPV4 && f != MDEC_AF_IPV6) || from[i].len > (f == MDEC_AF_IPV4 ? 32 : 128))
            return 0;
    }
    return 1;
}

static struct mdec_table *new_table(void **mem, enum mdec_unknown_policy unknown,
                                    const struct mdec_prefix *learn_allow)
{
    const size_t need = mdec_table_size(8);
    *mem = aligned_alloc(MDEC_TABLE_ALIGN, need);
    FUZZ_CHECK(*mem != NULL);
    struct mdec_table_config tc;
    memset(&tc, 0, sizeof tc);
    tc.unknown = (uint8_t)unknown;
    tc.learn_allow = learn_allow;
    tc.n_learn_allow = learn_allow ? 1 : 0;
    struct mdec_table *t = mdec_table_init(*mem, need, 8, &tc);
    FUZZ_CHECK(t != NULL);
    return t;
}

static int is_addr(const struct mdec_addr *a, const char *dotted)
{
    struct mdec_addr b;
    FUZZ_CHECK(mdec_addr_parse(dotted, strlen(dotted), &b, NULL) == 0);
    return a->family == b.family && memcmp(a->a, b.a, 4) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    cfg.max_depth = fuzz_u8(&in);
    const uint8_t flags = fuzz_u8(&in);
    if (flags & 8)
        cfg.flags |= MDEC_CFG_STRICT;
    for (unsigned t = 0; t < (flags & 3u); t++) {
        const unsigned type = fuzz_u8(&in) % 7, pf = fuzz_u8(&in);
        struct mdec_prefix from[2] = {prefix_of(pf & 15), prefix_of(pf >> 4)};
        const unsigned n = (pf >> 4) == 15 ? 1 : 2;
        const uint8_t before = cfg.n_transports;
        const int rc = mdec_config_add_transport(&cfg, (enum mdec_tunnel_type)type, from, n);
        FUZZ_CHECK(rc == (add_ok(type, from, n) ? 0 : MDEC_E_INVALID));
        FUZZ_CHECK(cfg.n_transports == before + (rc == 0));
    }

    struct sb_layer layers[MDEC_MAX_TUNNELS + 3];
    const unsigned n = 1 + fuzz_u8(&in) % (MDEC_MAX_TUNNELS + 3);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t b = fuzz_u8(&in);
        layers[i].type = (enum sb_type)(b % SB_COUNT);
        layers[i].src = sources[(b >> 3) % 6];
        layers[i].id = ids[b >> 6];
    }
    static struct pb p;
    sb_build(&p, layers, n, ENI);
    const int mutated = in.n >= 3;
    while (in.n >= 3) {
        const uint16_t at = fuzz_be16(&in);
        const uint8_t x = fuzz_u8(&in);
        if (at < p.n)
            p.b[at] ^= x;
    }

    /* Through the UDP socket path: the outer layer's UDP payload, the
     * sender from the socket. */
    static const unsigned udp_outer[SB_COUNT] = {4789, 4790, 6081, 6081, 0, 0, 0};
    struct mdec_udp_meta meta;
    const int udp = (flags & 4) && udp_outer[layers[0].type] != 0;
    const size_t skip = udp ? 14 + 20 + 8 : 0;
    if (udp) {
        memset(&meta, 0, sizeof meta);
        FUZZ_CHECK(mdec_addr_parse(layers[0].src, strlen(layers[0].src), &meta.src, NULL) == 0);
        meta.dst = meta.src;
        meta.sport = 40000;
        meta.dport = (uint16_t)udp_outer[layers[0].type];
    }
    const struct fuzz_call call = {&cfg, MDEC_LINK_ETHERNET, udp ? &meta : NULL};
    const struct fuzz_lengths len = {0, 0, 0};
    fuzz_decode_all(&call, p.b + skip, p.n - skip, &len); /* every invariant */
    if (mutated)
        return 0;

    struct mdec_result r;
    if (udp)
        mdec_decode_udp(&cfg, p.b + skip, p.n - skip, p.n - skip, &meta, &r);
    else
        mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r);
    const unsigned k = sb_keying(&cfg, layers, n);
    if (r.status != MDEC_STATUS_OK || r.n_tunnels != k + 1)
        fuzz_fail("status %s, %u tunnels peeled; the model peels %u of %u",
                  mdec_status_name((enum mdec_status)r.status), r.n_tunnels, k + 1, n);
    for (unsigned i = 0; i <= k && i < n; i++) {
        const struct mdec_tunnel *t = &r.tunnels[i];
        FUZZ_CHECK(t->type == sb_tunnel_of[layers[i].type]);
        FUZZ_CHECK((t->flags & MDEC_TF_CARRIER) && is_addr(&t->src, layers[i].src));
        FUZZ_CHECK(!!(t->flags & MDEC_TF_TRANSPORT) == sb_trusted(&cfg, &layers[i]));
    }
    if (k + 1 < n)
        FUZZ_CHECK(mdec_result_has_anomaly(&r, MDEC_A_NESTED_UNTRUSTED) ||
                   mdec_result_has_anomaly(&r, MDEC_A_DEPTH_LIMIT));
    else
        FUZZ_CHECK(r.flow.proto == 6 && r.flow.dport == 22 && is_addr(&r.flow.src, ENI));

    /* The session table. */
    void *mem, *lmem;
    static const struct mdec_prefix vpc = {{MDEC_AF_IPV4, {10}}, 8};
    struct mdec_table *t = new_table(&mem, MDEC_UNKNOWN_DROP, NULL);
    struct mdec_table *lt = new_table(&lmem, MDEC_UNKNOWN_LEARN, &vpc);
    const struct mdec_key web = {MDEC_KEY_VXLAN, 1, {0}, 101};
    const struct mdec_prefix eni = {{MDEC_AF_IPV4, {10, 0, 1, 10}}, 32};
    struct mdec_session *s = NULL;
    if (mdec_table_add(t, &web, &s) != 0 || mdec_session_set_allow(t, s, &eni, 1) != 0 ||
        s == NULL)
        fuzz_fail("cannot add session vxlan:101");
    struct mdec_match m;
    const enum mdec_verdict v = mdec_table_process(t, &r, &m);
    FUZZ_CHECK(m.key_tunnel == (int8_t)k);
    if (k >= n)
        fuzz_fail("the model keys on layer %u of %u", k, n);
    const struct sb_layer *key = &layers[k];
    if (key->type == SB_VXLAN && key->id == 101) {
        FUZZ_CHECK(m.session == s);
        FUZZ_CHECK(v == (strcmp(key->src, ENI) == 0 ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_FORGED));
    } else {
        FUZZ_CHECK(m.session == NULL && v == MDEC_VERDICT_UNKNOWN_SESSION);
        FUZZ_CHECK(s->counters.packets + s->counters.forged == 0);
    }
    const enum mdec_verdict lv = mdec_table_process(lt, &r, &m);
    const int learnable = strncmp(key->src, "10.", 3) == 0;
    FUZZ_CHECK(mdec_table_get_stats(lt)->count == (learnable ? 1u : 0u));
    FUZZ_CHECK(lv == (learnable ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_FORGED));
    free(mem);
    free(lmem);
    return 0;
}

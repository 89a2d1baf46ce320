/*
 * fuzz_check.c - see fuzz_check.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "fuzz_check.h"
#include "internal.h"   /* mdec__decode_walk: the decoder without its fast path */
#include "result_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each result is poisoned before a decode, so that a field the decoder
 * should have written but did not shows up: under ASan as a difference
 * between two decodes into differently poisoned results, under valgrind
 * (the replay programs) as a read of undefined memory.
 */
#ifdef MDEC_HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#define MARK_UNDEFINED(p, n) (void)VALGRIND_MAKE_MEM_UNDEFINED(p, n)
#else
#define MARK_UNDEFINED(p, n) ((void)(p), (void)(n))
#endif

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mirrordec fuzz finding: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

void *fuzz_malloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL)
        fuzz_fail("out of memory (%zu bytes)", n);
    return p;
}

/* ---------------------------------------------------------------- input */

uint8_t fuzz_u8(struct fuzz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

uint16_t fuzz_be16(struct fuzz_in *in)
{
    const uint8_t hi = fuzz_u8(in);
    return (uint16_t)(hi << 8 | fuzz_u8(in));
}

uint32_t fuzz_be32(struct fuzz_in *in)
{
    const uint32_t hi = fuzz_be16(in);
    return hi << 16 | fuzz_be16(in);
}

/* The type a port is mapped to in cfg, and how many entries hold it. */
static unsigned port_entries(const struct mdec_config *cfg, uint16_t port, unsigned *type)
{
    unsigned found = 0;
    for (unsigned i = 0; i < cfg->n_ports && i < MDEC_MAX_PORTS; i++) {
        if (cfg->ports[i].port == port) {
            found++;
            *type = cfg->ports[i].type;
        }
    }
    return found;
}

void fuzz_take_config(struct fuzz_in *in, struct mdec_config *cfg)
{
    const uint8_t f = fuzz_u8(in);
    mdec_config_init(cfg);
    FUZZ_CHECK(cfg->flags == 0 && cfg->max_depth == 4 && cfg->n_ports == 4);
    if (f & 1)
        cfg->flags |= MDEC_CFG_STRICT;
    if (f & 2)
        cfg->flags |= MDEC_CFG_MATCH_SRC_PORT;
    cfg->flags |= (uint32_t)(f >> 5) << 29;
    const uint8_t depth = fuzz_u8(in);
    cfg->max_depth = depth & 0x7F;
    if (depth & 0x80) {
        /* Every tunnel type a trusted transport from anywhere: nested stacks
         * are peeled as deep as max_depth lets (fuzz_trust fuzzes the rule
         * itself). */
        static const struct mdec_prefix any[2] = {{{MDEC_AF_IPV4, {0}}, 0}, {{MDEC_AF_IPV6, {0}}, 0}};
        for (unsigned t = MDEC_TUNNEL_VXLAN; t <= MDEC_TUNNEL_GRE; t++)
            FUZZ_CHECK(mdec_config_add_transport(cfg, (enum mdec_tunnel_type)t, any, 2) == 0);
    }
    if (f & 4) {
        cfg->n_ports = 0; /* every mapping removed */
        FUZZ_CHECK(cfg->n_ports == 0);
    }
    /* k = 3 makes 16 changes: enough to fill ports[] and be refused. */
    const unsigned k = (f >> 3) & 3, changes = k == 3 ? 16 : k;
    for (unsigned i = 0; i < changes; i++) {
        const uint16_t port = fuzz_be16(in);
        const unsigned type = fuzz_u8(in) % 8u;
        struct mdec_config before;
        memcpy(&before, cfg, sizeof before);
        const int rc = mdec_config_set_port(cfg, port, (enum mdec_tunnel_type)type);
        unsigned got = 0;
        const unsigned n = port_entries(cfg, port, &got);
        if (type > MDEC_TUNNEL_GENEVE) {
            /* Not carried over UDP: refused, nothing changed. */
            FUZZ_CHECK(rc == MDEC_E_INVALID);
            FUZZ_CHECK(memcmp(&before, cfg, sizeof before) == 0);
        } else if (type == MDEC_TUNNEL_NONE) {
            FUZZ_CHECK(rc == MDEC_E_OK && n == 0);
        } else if (rc == MDEC_E_NOSPACE) {
            /* Full: refused, nothing changed. */
            FUZZ_CHECK(before.n_ports >= MDEC_MAX_PORTS && n == 0);
            FUZZ_CHECK(memcmp(&before, cfg, sizeof before) == 0);
        } else {
            FUZZ_CHECK(rc == MDEC_E_OK && n == 1 && got == type);
        }
        FUZZ_CHECK(cfg->n_ports <= MDEC_MAX_PORTS);
    }
}

void fuzz_take_lengths(struct fuzz_in *in, struct fuzz_lengths *len)
{
    len->mode = fuzz_u8(in);
    len->value = fuzz_be32(in);
    len->cut = fuzz_be16(in);
}

size_t fuzz_wire(const struct fuzz_lengths *len, size_t cap)
{
    switch (len->mode & 3) {
    case 0:
        return cap;
    case 1:
        return cap + (size_t)len->value;
    case 2:
        return cap - (size_t)len->value % (cap + 1);
    default:
        return (size_t)len->value;
    }
}

/* -------------------------------------------------------------- results */

static void check_in(uint64_t off, uint64_t len, size_t cap, const char *what)
{
    if (off + len > cap)
        fuzz_fail("%s at %llu+%llu beyond the %zu captured bytes", what, (unsigned long long)off,
                  (unsigned long long)len, cap);
}

/* result_check.c reports through this: a finding. */
static void fail_fuzz(void *arg, const char *msg)
{
    (void)arg;
    fuzz_fail("%s", msg);
}

static const struct result_report fuzz_report = {fail_fuzz, NULL};

void fuzz_check_result(const struct mdec_result *r, const uint8_t *frame, size_t cap)
{
    (void)result_check(&fuzz_report, r, frame, cap);
}

void fuzz_check_agrees(const struct mdec_result *full, const struct mdec_result *cut, size_t n)
{
    (void)result_check_cut(&fuzz_report, full, cut, n);
}

/* ------------------------------------------------------- GENEVE options */

static uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/*
 * Whether the decoder's AWS / Google fields can come from the options: each
 * option it keeps appears with one value only (every copy equal to the
 * decoder's), and an option it does not keep appears with two values.
 */
struct cloud {
    uint8_t have;     /* bits some option provides                  */
    uint8_t conflict; /* bits provided twice with different values  */
    uint8_t differ;   /* bits where a copy differs from the decoder's */
    struct {
        const uint8_t *data;
        uint8_t len;
    } first[6];       /* the first copy of each, by bit number       */
};

static void cloud_option(struct cloud *c, const struct mdec_geneve_info *g,
                         const struct mdec_geneve_opt *o, uint32_t data_off)
{
    uint8_t bit = 0;
    if (o->cls == MDEC_GENEVE_CLASS_AWS_GWLB) {
        if (o->type == 1 && o->len == 8)
            bit = MDEC_GWLB_ENDPOINT;
        else if (o->type == 2 && o->len == 8)
            bit = MDEC_GWLB_ATTACHMENT;
        else if (o->type == 3 && o->len == 4)
            bit = MDEC_GWLB_COOKIE;
    } else if (o->cls == MDEC_GENEVE_CLASS_GCP) {
        if (o->type == 1 && o->len == 4)
            bit = MDEC_GCP_NETWORK;
        else if (o->type == 2 && o->len > 0)
            bit = MDEC_GCP_ENDPOINT;
        else if (o->type == 3 && o->len == 8)
            bit = MDEC_GCP_PROFILE;
    }
    if (!bit)
        return;
    unsigned k = 0;
    while (!((bit >> k) & 1))
        k++;
    if (!(c->have & bit)) {
        c->first[k].data = o->data;
        c->first[k].len = o->len;
    } else if (bit == MDEC_GCP_NETWORK) {
        /* Its value is the network id and the direction bit; bits 1-3 are
         * reserved, so copies differing only there agree. */
        const uint64_t a = be(o->data, 4), b = be(c->first[k].data, 4);
        if ((a >> 4) != (b >> 4) || (a & 1) != (b & 1))
            c->conflict |= bit;
    } else if (o->len != c->first[k].len || memcmp(o->data, c->first[k].data, o->len) != 0) {
        c->conflict |= bit;
    }
    c->have |= bit;
    if (!(g->have & bit)) /* the decoder's field is not valid: do not read it */
        return;
    int same = 0;
    switch (bit) {
    case MDEC_GWLB_ENDPOINT:
        same = g->gwlb_endpoint == be(o->data, 8);
        break;
    case MDEC_GWLB_ATTACHMENT:
        same = g->gwlb_attachment == be(o->data, 8);
        break;
    case MDEC_GWLB_COOKIE:
        same = g->gwlb_cookie == be(o->data, 4);
        break;
    case MDEC_GCP_NETWORK:
        same = g->gcp_network == be(o->data, 4) >> 4 && g->gcp_direction == (o->data[3] & 1);
        break;
    case MDEC_GCP_ENDPOINT: /* the first copy's view; later ones hold the same bytes */
        same = c->first[k].data == o->data ? g->gcp_endpoint_off == data_off &&
                                                 g->gcp_endpoint_len == o->len
                                           : !(c->conflict & bit);
        break;
    case MDEC_GCP_PROFILE:
        same = g->gcp_profile == be(o->data, 8);
        break;
    default:
        break;
    }
    if (!same)
        c->differ |= bit;
}

void fuzz_check_geneve(const struct mdec_result *r)
{
    for (unsigned i = 0; i <= r->n_tunnels && i < MDEC_MAX_TUNNELS; i++) {
        struct mdec_geneve_iter it;
        struct mdec_geneve_opt o;
        mdec_geneve_iter_result(&it, r, i);
        if (i == r->n_tunnels || r->tunnels[i].type != MDEC_TUNNEL_GENEVE) {
            FUZZ_CHECK(mdec_geneve_next(&it, &o) == MDEC_ITER_END); /* empty */
            continue;
        }
        const struct mdec_tunnel *t = &r->tunnels[i];
        const struct mdec_geneve_info *g = &t->u.geneve;
        /* Offsets, not pointers: frame may be NULL. */
        const uintptr_t frame = (uintptr_t)r->frame;
        struct cloud cloud;
        memset(&cloud, 0, sizeof cloud);
        uint32_t sum = 0;
        unsigned n = 0;
        int rc;
        FUZZ_CHECK(g->opt_len <= 252 && g->opt_len % 4 == 0);
        while ((rc = mdec_geneve_next(&it, &o)) == MDEC_ITER_OPTION) {
            FUZZ_CHECK(++n <= 63); /* each option takes 4 of at most 252 bytes */
            FUZZ_CHECK(o.len <= 124 && o.len % 4 == 0 && o.flags <= 7);
            FUZZ_CHECK(o.data != NULL);
            const uintptr_t at = (uintptr_t)o.data;
            const uint64_t data_off = g->opt_off + (uint64_t)sum + 4;
            if (at != frame + data_off)
                fuzz_fail("tunnel %u: option %u data at frame+%lld, expected +%llu", i, n,
                          (long long)(at - frame), (unsigned long long)data_off);
            check_in(data_off, o.len, r->cap_len, "geneve option data");
            const uint8_t *h = o.data - 4;
            FUZZ_CHECK(o.cls == be(h, 2) && o.type == h[2] && o.flags == h[3] >> 5 &&
                       o.len == (h[3] & 0x1F) * 4);
            cloud_option(&cloud, g, &o, (uint32_t)data_off);
            sum += 4u + o.len;
        }
        FUZZ_CHECK(rc == MDEC_ITER_END || rc == MDEC_ITER_TRUNCATED || rc == MDEC_ITER_MALFORMED);
        for (int k = 0; k < 3; k++)
            FUZZ_CHECK(mdec_geneve_next(&it, &o) == rc); /* sticky */
        FUZZ_CHECK(sum <= g->opt_len);
        if (rc == MDEC_ITER_END)
            FUZZ_CHECK(sum == g->opt_len);
        if (t->flags & MDEC_TF_COMPLETE) {
            /* The decoder accepted the options: all present, adding up. */
            FUZZ_CHECK(rc == MDEC_ITER_END);
            FUZZ_CHECK(t->hdr_len == 8u + g->opt_len);
            FUZZ_CHECK(g->opt_off == t->off + 8);
            const unsigned want = cloud.have & (unsigned)~cloud.conflict;
            if (g->have != want || (cloud.differ & g->have))
                fuzz_fail("tunnel %u: cloud options have %#x, the iterator finds %#x once "
                          "(%#x of them differ)",
                          i, g->have, want, cloud.differ & g->have);
        }
    }
}

/* ------------------------------------------------------------- decoding */

int fuzz_verbose;

static const char *tunnel_name(unsigned type)
{
    return mdec_tunnel_name((enum mdec_tunnel_type)type);
}

void fuzz_print_result(const char *what, const struct mdec_result *r)
{
    static const char *const span_names[MDEC_SPAN_COUNT] = {
        "outer_link", "outer_ip", "outer_l4", "inner_link", "inner_ip", "inner_l4", "payload"};
    fprintf(stderr, "%s: status %s, cap %u, wire %u\n", what,
            mdec_status_name((enum mdec_status)r->status), r->cap_len, r->wire_len);
    for (unsigned i = 0; i < r->n_anomalies && i < MDEC_MAX_ANOMALIES; i++)
        fprintf(stderr, "  anomaly %s in %s, depth %u, off %u\n",
                mdec_anomaly_name((enum mdec_anomaly_code)r->anomalies[i].code),
                mdec_layer_name((enum mdec_layer)r->anomalies[i].layer), r->anomalies[i].depth,
                r->anomalies[i].off);
    if (r->n_anomalies_seen > r->n_anomalies)
        fprintf(stderr, "  (%u anomalies seen)\n", r->n_anomalies_seen);
    if (r->status == MDEC_STATUS_TRUNCATED)
        fprintf(stderr, "  cut by %u in %s, depth %u, off %u\n", r->cut.by,
                mdec_layer_name((enum mdec_layer)r->cut.layer), r->cut.depth, r->cut.off);
    for (unsigned i = 0; i < r->n_tunnels && i < MDEC_MAX_TUNNELS; i++) {
        const struct mdec_tunnel *t = &r->tunnels[i];
        fprintf(stderr, "  tunnel %u %s flags %#x payload %#06x off %u", i, tunnel_name(t->type),
                t->flags, t->payload, t->off);
        if (t->flags & MDEC_TF_ID)
            fprintf(stderr, " id %u", t->id);
        if (t->flags & MDEC_TF_COMPLETE)
            fprintf(stderr, " hdr_len %u", t->hdr_len);
        if (t->flags & MDEC_TF_PORTS)
            fprintf(stderr, " ports %u>%u", t->sport, t->dport);
        if (t->type == MDEC_TUNNEL_GENEVE)
            fprintf(stderr, " opt_off %u opt_len %u", t->u.geneve.opt_off, t->u.geneve.opt_len);
        fputc('\n', stderr);
    }
    for (unsigned i = 0; i < MDEC_SPAN_COUNT; i++)
        if (MDEC_HAS_SPAN(r, i))
            fprintf(stderr, "  span %-10s off %u hdr %u cap %u wire %u\n", span_names[i],
                    r->span[i].off, r->span[i].hdr_len, r->span[i].cap_len, r->span[i].wire_len);
    if (r->has_inner)
        fprintf(stderr, "  inner off %u cap %u wire %u ip_len %u ethertype %#06x\n",
                r->inner.off, r->inner.cap_len, r->inner.wire_len, r->inner.ip_len,
                r->inner.ethertype);
    const struct mdec_flow *f = &r->flow;
    if (f->flags & MDEC_FLOW_IP) {
        char src[MDEC_ADDR_STRLEN], dst[MDEC_ADDR_STRLEN];
        mdec_addr_format(&f->src, src, sizeof src);
        mdec_addr_format(&f->dst, dst, sizeof dst);
        fprintf(stderr, "  flow %s > %s", src, dst);
        if (f->flags & MDEC_FLOW_PROTO)
            fprintf(stderr, " proto %u", f->proto);
        if (f->flags & MDEC_FLOW_PORTS)
            fprintf(stderr, " ports %u>%u", f->sport, f->dport);
        fputc('\n', stderr);
    }
}

static void poison(struct mdec_result *r, uint8_t byte)
{
    memset(r, byte, sizeof *r);
    MARK_UNDEFINED(r, sizeof *r);
}

static struct mdec_result *new_result(void)
{
    return fuzz_malloc(sizeof(struct mdec_result));
}

/* An exactly sized heap copy, so ASan sees any read past the end. */
static uint8_t *heap_copy(const uint8_t *p, size_t n)
{
    if (n == 0)
        return NULL; /* frame may be NULL when cap_len is 0 */
    uint8_t *b = fuzz_malloc(n);
    memcpy(b, p, n);
    return b;
}

/* Two decodes of the same input must agree on everything valid. */
static void check_same(const struct mdec_result *a, const struct mdec_result *b, const char *why)
{
    const size_t at = result_differs(a, b);
    if (at != 0)
        fuzz_fail("two decodes of the same input differ at result byte %zu: %s", at - 1, why);
}

static int valid_linktype(int lt)
{
    switch (lt) {
    case MDEC_LINK_ETHERNET:
    case MDEC_LINK_RAW:
    case MDEC_LINK_LINUX_SLL:
    case MDEC_LINK_IPV4:
    case MDEC_LINK_IPV6:
    case MDEC_LINK_LINUX_SLL2:
    case 12:
    case 14:
        return 1;
    default:
        return 0;
    }
}

static unsigned port_type(const struct mdec_config *cfg, uint16_t sport, uint16_t dport)
{
    unsigned t = 0;
    if (port_entries(cfg, dport, &t))
        return t;
    if ((cfg->flags & MDEC_CFG_MATCH_SRC_PORT) && port_entries(cfg, sport, &t))
        return t;
    return MDEC_TUNNEL_NONE;
}

/* Decodes frame[0..cap) as the call says and checks the result. */
static void decode_checked(const char *what, const struct fuzz_call *call, const uint8_t *frame,
                           size_t cap, size_t wire, struct mdec_result *r)
{
    const enum mdec_status st =
        call->meta ? mdec_decode_udp(call->cfg, frame, cap, wire, call->meta, r)
                   : mdec_decode(call->cfg, call->linktype, frame, cap, wire, r);
    if (fuzz_verbose)
        fuzz_print_result(what, r);
    FUZZ_CHECK(st == r->status);

    /* A frame of 4 GiB or more is refused, and the result describes nothing. */
    const size_t eff = wire < cap ? cap : wire;
    if (cap >= UINT32_MAX || eff >= UINT32_MAX) {
        FUZZ_CHECK(r->status == MDEC_STATUS_UNSUPPORTED);
        FUZZ_CHECK(mdec_result_has_anomaly(r, MDEC_A_FRAME_TOO_LONG));
        FUZZ_CHECK(r->n_tunnels == 0 && r->spans_present == 0);
        FUZZ_CHECK(r->wire_len == 0);
        fuzz_check_result(r, frame, 0);
        return;
    }
    fuzz_check_result(r, frame, cap);

    /* Wire length: 0 is unknown, below cap is taken as cap and noted. */
    FUZZ_CHECK(r->wire_len == eff);
    FUZZ_CHECK(mdec_result_has_anomaly(r, MDEC_A_WIRE_LT_CAP) == (wire != 0 && wire < cap));

    if (call->meta == NULL) {
        if (!valid_linktype(call->linktype)) {
            FUZZ_CHECK(r->status == MDEC_STATUS_UNSUPPORTED && r->n_tunnels == 0);
            FUZZ_CHECK(mdec_result_has_anomaly(r, MDEC_A_LINKTYPE));
        }
        return;
    }

    /* mdec_decode_udp: the port picks the tunnel; tunnels[0] carries meta;
     * the outer spans stay unset. */
    const struct mdec_udp_meta *m = call->meta;
    const unsigned type = port_type(call->cfg, m->sport, m->dport);
    FUZZ_CHECK((r->spans_present & 7u) == 0);
    if (type == MDEC_TUNNEL_NONE) {
        FUZZ_CHECK(r->status == MDEC_STATUS_NOT_TUNNELED && r->n_tunnels == 0);
        return;
    }
    FUZZ_CHECK(r->n_tunnels >= 1);
    const struct mdec_tunnel *t = &r->tunnels[0];
    FUZZ_CHECK(t->type == type && t->off == 0);
    FUZZ_CHECK((t->flags & MDEC_TF_PORTS) && t->sport == m->sport && t->dport == m->dport);
    const int known = m->src.family != MDEC_AF_NONE || m->dst.family != MDEC_AF_NONE;
    FUZZ_CHECK(!(t->flags & MDEC_TF_CARRIER) == !known);
    if (known)
        FUZZ_CHECK(memcmp(&t->src, &m->src, sizeof t->src) == 0 &&
                   memcmp(&t->dst, &m->dst, sizeof t->dst) == 0);
}

void fuzz_decode_all(const struct fuzz_call *call, const uint8_t *data, size_t cap,
                     const struct fuzz_lengths *len)
{
    const size_t wire = fuzz_wire(len, cap);
    uint8_t *frame = heap_copy(data, cap);
    struct mdec_result *full = new_result(), *again = new_result();

    if (fuzz_verbose) {
        const struct mdec_config *c = call->cfg;
        fprintf(stderr, "settings: flags %#x max_depth %u ports", c->flags, c->max_depth);
        for (unsigned i = 0; i < c->n_ports && i < MDEC_MAX_PORTS; i++)
            fprintf(stderr, " %u:%s", c->ports[i].port, tunnel_name(c->ports[i].type));
        if (call->meta)
            fprintf(stderr, "; udp %u>%u", call->meta->sport, call->meta->dport);
        else
            fprintf(stderr, "; link %d", call->linktype);
        fprintf(stderr, "; cap %zu wire %zu cut %zu\nframe:", cap, wire,
                cap ? len->cut % cap : 0);
        for (size_t i = 0; i < cap; i++)
            fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", data[i]);
        fputc('\n', stderr);
    }
    poison(full, 0xA5);
    decode_checked("full", call, frame, cap, wire, full);
    poison(again, 0x5A);
    decode_checked("again", call, frame, cap, wire, again);
    check_same(full, again, "the decoder used memory it did not write");
    poison(again, 0x3C);
    if (call->meta)
        (void)mdec__decode_udp_walk(call->cfg, frame, cap, wire, call->meta, again);
    else
        (void)mdec__decode_walk(call->cfg, call->linktype, frame, cap, wire, again);
    check_same(full, again, "the fast path and the walk disagree");
    fuzz_check_geneve(full);

    if (cap > 0) {
        /* The same frame with fewer bytes captured (the wire length the full
         * decode used), then as a frame that short on the wire. */
        const size_t n = len->cut % cap;
        const size_t eff = wire < cap ? cap : wire;
        uint8_t *part = heap_copy(data, n);
        poison(again, 0xA5);
        decode_checked("capture cut", call, part, n, eff, again);
        if (eff < UINT32_MAX)
            fuzz_check_agrees(full, again, n);
        fuzz_check_geneve(again);
        poison(again, 0x5A);
        decode_checked("short frame", call, part, n, n, again);
        fuzz_check_geneve(again);
        free(part);
    }
    free(again);
    free(full);
    free(frame);
}

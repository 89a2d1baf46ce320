/*
 * result_check.c - see result_check.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "result_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int report(const struct result_report *rep, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rep->fail(rep->arg, msg);
    return 1;
}

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond))                                                                         \
            return report(rep, "%s:%d: check failed: %s", __FILE__, __LINE__, #cond);        \
    } while (0)

/* [off, off + len) inside the cap bytes present. */
#define CHECK_IN(off, len, what)                                                             \
    do {                                                                                     \
        if ((uint64_t)(off) + (uint64_t)(len) > cap)                                         \
            return report(rep, "%s at %llu+%llu beyond the %zu captured bytes", what,        \
                          (unsigned long long)(off), (unsigned long long)(len), cap);        \
    } while (0)

static int is_name(const char *s)
{
    return s != NULL && strcmp(s, "?") != 0;
}

/* The tunnel stack: types, offsets, ids in their range. */
static int check_tunnels(const struct result_report *rep, const struct mdec_result *r, size_t cap)
{
    for (unsigned i = 0; i < r->n_tunnels; i++) {
        const struct mdec_tunnel *t = &r->tunnels[i];
        CHECK(t->type >= MDEC_TUNNEL_VXLAN && t->type <= MDEC_TUNNEL_GRE);
        if (t->flags & MDEC_TF_COMPLETE)
            CHECK(t->flags & MDEC_TF_HEADER);
        CHECK_IN(t->off, 0, "tunnel header");
        if (t->flags & MDEC_TF_COMPLETE)
            CHECK_IN(t->off, t->hdr_len, "complete tunnel header");
        if (t->type == MDEC_TUNNEL_GENEVE && (t->flags & MDEC_TF_COMPLETE)) {
            CHECK_IN(t->u.geneve.opt_off, t->u.geneve.opt_len, "geneve options");
            if (t->u.geneve.have & MDEC_GCP_ENDPOINT)
                CHECK_IN(t->u.geneve.gcp_endpoint_off, t->u.geneve.gcp_endpoint_len,
                         "gcp endpoint");
        }
        if (t->type == MDEC_TUNNEL_VXLAN || t->type == MDEC_TUNNEL_VXLAN_GPE ||
            t->type == MDEC_TUNNEL_GENEVE)
            CHECK(t->id < (1u << 24));
        if (t->type == MDEC_TUNNEL_ERSPAN)
            CHECK(t->id < (1u << 10));
        if (i + 1 < r->n_tunnels) /* a tunnel inside one not peeled? */
            CHECK(t->flags & MDEC_TF_COMPLETE);
    }
    return 0;
}

/* The flow: its parts by their flags, and the last tunnel's type and id. */
static int check_flow(const struct result_report *rep, const struct mdec_result *r)
{
    const struct mdec_flow *f = &r->flow;
    if (f->flags & MDEC_FLOW_PROTO)
        CHECK(f->flags & MDEC_FLOW_IP);
    if (f->flags & MDEC_FLOW_IP) {
        static const uint8_t zero[12];
        CHECK(f->src.family == MDEC_AF_IPV4 || f->src.family == MDEC_AF_IPV6);
        CHECK(f->src.family == f->dst.family);
        if (f->src.family == MDEC_AF_IPV4) /* the library zeroes a[4..15] */
            CHECK(memcmp(f->src.a + 4, zero, 12) == 0 && memcmp(f->dst.a + 4, zero, 12) == 0);
    }
    if (r->n_tunnels > 0) {
        const struct mdec_tunnel *t = &r->tunnels[r->n_tunnels - 1];
        CHECK(f->tunnel_type == t->type);
        CHECK(!(f->flags & MDEC_FLOW_TUNNEL_ID) == !(t->flags & MDEC_TF_ID));
        if (t->flags & MDEC_TF_ID)
            CHECK(f->tunnel_id == t->id);
    } else {
        CHECK(f->tunnel_type == MDEC_TUNNEL_NONE);
        CHECK(!(f->flags & MDEC_FLOW_TUNNEL_ID));
    }
    return 0;
}

int result_check(const struct result_report *rep, const struct mdec_result *r,
                 const uint8_t *frame, size_t cap)
{
    CHECK(r->status <= MDEC_STATUS_NOT_TUNNELED);
    CHECK(is_name(mdec_status_name((enum mdec_status)r->status)));
    CHECK(r->frame == frame);
    CHECK(r->cap_len == cap);
    CHECK(r->wire_len >= r->cap_len);
    CHECK(r->n_tunnels <= MDEC_MAX_TUNNELS);
    CHECK(r->n_anomalies <= MDEC_MAX_ANOMALIES);
    CHECK(r->n_anomalies ==
          (r->n_anomalies_seen < MDEC_MAX_ANOMALIES ? r->n_anomalies_seen : MDEC_MAX_ANOMALIES));
    for (unsigned i = 0; i < MDEC_SPAN_COUNT; i++) {
        if (!MDEC_HAS_SPAN(r, i))
            continue;
        const struct mdec_span *s = &r->span[i];
        CHECK_IN(s->off, s->cap_len, "span");
        CHECK(s->cap_len <= s->wire_len);
        if (s->hdr_len > s->wire_len)
            return report(rep, "span %u: header %u longer than the layer %u", i, s->hdr_len,
                          s->wire_len);
    }
    CHECK((r->spans_present >> MDEC_SPAN_COUNT) == 0);
    if (check_tunnels(rep, r, cap))
        return 1;
    for (unsigned i = 0; i < r->n_anomalies; i++) {
        const struct mdec_anomaly *a = &r->anomalies[i];
        CHECK(a->code != MDEC_A_NONE);
        CHECK(is_name(mdec_anomaly_name((enum mdec_anomaly_code)a->code)));
        CHECK(is_name(mdec_layer_name((enum mdec_layer)a->layer)));
        CHECK(a->depth <= MDEC_MAX_TUNNELS);
        CHECK_IN(a->off, 0, "anomaly");
    }
    CHECK(r->has_inner <= 1);
    if (MDEC_HAS_SPAN(r, MDEC_SPAN_INNER_LINK) || MDEC_HAS_SPAN(r, MDEC_SPAN_INNER_IP))
        CHECK(r->has_inner);
    if (r->has_inner) {
        CHECK_IN(r->inner.off, r->inner.cap_len, "inner packet");
        if (r->inner.cap_len > r->inner.wire_len && r->inner.wire_len != UINT32_MAX)
            return report(rep, "inner packet: more bytes present than on the wire: cap %u, wire %u",
                          r->inner.cap_len, r->inner.wire_len);
    }
    switch (r->status) {
    case MDEC_STATUS_OK:
        CHECK(r->n_tunnels >= 1); /* "at least one tunnel peeled" */
        break;
    case MDEC_STATUS_TRUNCATED:
        CHECK(r->cut.by >= MDEC_CUT_CAPTURE && r->cut.by <= MDEC_CUT_FRAGMENT);
        CHECK(r->cut.layer >= MDEC_LAYER_FRAME && r->cut.layer <= MDEC_LAYER_PAYLOAD);
        CHECK(r->n_anomalies > 0);
        break;
    case MDEC_STATUS_MALFORMED:
    case MDEC_STATUS_UNSUPPORTED:
        CHECK(r->n_anomalies_seen > 0);
        break;
    default: /* MDEC_STATUS_NOT_TUNNELED */
        CHECK(r->n_tunnels == 0);
        break;
    }
    return check_flow(rep, r);
}

int result_check_cut(const struct result_report *rep, const struct mdec_result *full,
                     const struct mdec_result *cut, size_t n)
{
    if (full->status != MDEC_STATUS_MALFORMED && cut->status == MDEC_STATUS_MALFORMED)
        return report(rep, "cut at %zu bytes turned a %s frame malformed (%s)", n,
                      mdec_status_name((enum mdec_status)full->status),
                      mdec_anomaly_name((enum mdec_anomaly_code)cut->anomalies[0].code));
    if (cut->status != MDEC_STATUS_TRUNCATED && cut->status != full->status)
        return report(rep, "cut at %zu bytes: status %s, full frame %s", n,
                      mdec_status_name((enum mdec_status)cut->status),
                      mdec_status_name((enum mdec_status)full->status));
    CHECK(cut->n_tunnels <= full->n_tunnels);
    for (unsigned i = 0; i < cut->n_tunnels; i++) {
        const struct mdec_tunnel *c = &cut->tunnels[i], *f = &full->tunnels[i];
        /* Cut before its protocol field, GRE carrying ERSPAN is only GRE. */
        if (c->type == MDEC_TUNNEL_GRE && f->type == MDEC_TUNNEL_ERSPAN &&
            !(c->flags & MDEC_TF_COMPLETE))
            continue;
        if (c->type != f->type)
            return report(rep, "cut at %zu bytes: tunnel %u is %s, full frame %s", n, i,
                          mdec_tunnel_name((enum mdec_tunnel_type)c->type),
                          mdec_tunnel_name((enum mdec_tunnel_type)f->type));
        if (c->flags & MDEC_TF_ID) {
            CHECK(f->flags & MDEC_TF_ID);
            CHECK(c->id == f->id);
        }
    }
    if (cut->n_tunnels == full->n_tunnels && (cut->flow.flags & MDEC_FLOW_IP) &&
        (full->flow.flags & MDEC_FLOW_IP)) {
        CHECK(memcmp(&cut->flow.src, &full->flow.src, sizeof cut->flow.src) == 0);
        CHECK(memcmp(&cut->flow.dst, &full->flow.dst, sizeof cut->flow.dst) == 0);
        if (cut->flow.flags & MDEC_FLOW_PROTO)
            CHECK(cut->flow.proto == full->flow.proto);
        if ((cut->flow.flags & MDEC_FLOW_PORTS) && (full->flow.flags & MDEC_FLOW_PORTS)) {
            CHECK(cut->flow.sport == full->flow.sport);
            CHECK(cut->flow.dport == full->flow.dport);
        }
    }
    /* Truncated by the capture, unless the full frame was cut the same way
     * (by the mirror or a fragment) before the capture cut. */
    if (cut->status == MDEC_STATUS_TRUNCATED && cut->cut.by != MDEC_CUT_CAPTURE &&
        !(full->status == MDEC_STATUS_TRUNCATED && full->cut.by == cut->cut.by &&
          full->cut.layer == cut->cut.layer && full->cut.off == cut->cut.off &&
          full->cut.depth == cut->cut.depth))
        return report(rep, "cut at %zu bytes: truncated by %u at %s, not by the capture", n,
                      cut->cut.by, mdec_layer_name((enum mdec_layer)cut->cut.layer));
    return 0;
}

/* ----------------------------------------------------- comparing results */

/* The parts of a result its flags, counts and presence bits say are valid,
 * copied into a zeroed result, so two results can be compared with memcmp. */
void result_canonical(const struct mdec_result *r, struct mdec_result *c)
{
    memset(c, 0, sizeof *c);
    c->status = r->status;
    c->n_tunnels = r->n_tunnels;
    c->n_anomalies = r->n_anomalies;
    c->n_anomalies_seen = r->n_anomalies_seen;
    c->n_outer_vlan = r->n_outer_vlan;
    for (unsigned i = 0; i < r->n_outer_vlan && i < 2; i++)
        c->outer_vlan[i] = r->outer_vlan[i];
    c->spans_present = r->spans_present;
    c->frame = r->frame;
    c->cap_len = r->cap_len;
    c->wire_len = r->wire_len;
    if (r->status == MDEC_STATUS_TRUNCATED) {
        c->cut.by = r->cut.by;
        c->cut.layer = r->cut.layer;
        c->cut.depth = r->cut.depth;
        c->cut.off = r->cut.off;
    }

    const struct mdec_flow *f = &r->flow;
    c->flow.flags = f->flags;
    c->flow.tunnel_type = f->tunnel_type;
    if (f->flags & MDEC_FLOW_IP) {
        c->flow.src = f->src;
        c->flow.dst = f->dst;
    }
    if (f->flags & MDEC_FLOW_PROTO)
        c->flow.proto = f->proto;
    if (f->flags & MDEC_FLOW_PORTS) {
        c->flow.sport = f->sport;
        c->flow.dport = f->dport;
    }
    if (f->flags & MDEC_FLOW_TCP_FLAGS)
        c->flow.tcp_flags = f->tcp_flags;
    if (f->flags & MDEC_FLOW_ICMP) {
        c->flow.icmp_type = f->icmp_type;
        c->flow.icmp_code = f->icmp_code;
    }
    if (f->flags & MDEC_FLOW_TUNNEL_ID)
        c->flow.tunnel_id = f->tunnel_id;

    if (r->has_inner) {
        c->inner.off = r->inner.off;
        c->inner.cap_len = r->inner.cap_len;
        c->inner.wire_len = r->inner.wire_len;
        c->inner.ip_len = r->inner.ip_len;
        c->inner.ethertype = r->inner.ethertype;
        c->inner.ethernet = r->inner.ethernet;
        c->inner.n_vlan = r->inner.n_vlan;
        for (unsigned i = 0; i < r->inner.n_vlan && i < 2; i++)
            c->inner.vlan[i] = r->inner.vlan[i];
    }
    for (unsigned i = 0; i < MDEC_SPAN_COUNT; i++) {
        if (MDEC_HAS_SPAN(r, i)) {
            c->span[i].off = r->span[i].off;
            c->span[i].hdr_len = r->span[i].hdr_len;
            c->span[i].cap_len = r->span[i].cap_len;
            c->span[i].wire_len = r->span[i].wire_len;
        }
    }
    for (unsigned i = 0; i < r->n_tunnels && i < MDEC_MAX_TUNNELS; i++) {
        const struct mdec_tunnel *t = &r->tunnels[i];
        struct mdec_tunnel *u = &c->tunnels[i];
        const int complete = (t->flags & MDEC_TF_COMPLETE) != 0;
        u->type = t->type;
        u->flags = t->flags;
        u->payload = t->payload;
        u->off = t->off;
        if (t->flags & MDEC_TF_ID)
            u->id = t->id;
        if (complete)
            u->hdr_len = t->hdr_len;
        if (t->flags & MDEC_TF_CARRIER) {
            u->src = t->src;
            u->dst = t->dst;
        }
        if (t->flags & MDEC_TF_PORTS) {
            u->sport = t->sport;
            u->dport = t->dport;
        }
        if (t->type == MDEC_TUNNEL_GENEVE) {
            /* opt_off and opt_len are what mdec_geneve_iter_result reads,
             * for any GENEVE tunnel; the rest once the header was whole. */
            const struct mdec_geneve_info *g = &t->u.geneve;
            struct mdec_geneve_info *h = &u->u.geneve;
            h->opt_off = g->opt_off;
            h->opt_len = g->opt_len;
            if (complete) {
                h->proto = g->proto;
                h->flags = g->flags;
                h->have = g->have;
                h->reserved = g->reserved;
                if (g->have & MDEC_GCP_NETWORK) {
                    h->gcp_network = g->gcp_network;
                    h->gcp_direction = g->gcp_direction;
                }
                if (g->have & MDEC_GCP_ENDPOINT) {
                    h->gcp_endpoint_off = g->gcp_endpoint_off;
                    h->gcp_endpoint_len = g->gcp_endpoint_len;
                }
                if (g->have & MDEC_GCP_PROFILE)
                    h->gcp_profile = g->gcp_profile;
                if (g->have & MDEC_GWLB_ENDPOINT)
                    h->gwlb_endpoint = g->gwlb_endpoint;
                if (g->have & MDEC_GWLB_ATTACHMENT)
                    h->gwlb_attachment = g->gwlb_attachment;
                if (g->have & MDEC_GWLB_COOKIE)
                    h->gwlb_cookie = g->gwlb_cookie;
            }
        } else if (complete && t->type == MDEC_TUNNEL_GRE) {
            u->u.gre.flags_ver = t->u.gre.flags_ver;
            u->u.gre.proto = t->u.gre.proto;
            if (t->u.gre.flags_ver & 0x2000)
                u->u.gre.key = t->u.gre.key;
            if (t->u.gre.flags_ver & 0x1000)
                u->u.gre.seq = t->u.gre.seq;
        } else if (complete && t->type == MDEC_TUNNEL_ERSPAN) {
            const struct mdec_erspan_info *e = &t->u.erspan;
            struct mdec_erspan_info *x = &u->u.erspan;
            x->gre.flags_ver = e->gre.flags_ver;
            x->gre.proto = e->gre.proto;
            if (e->gre.flags_ver & 0x2000)
                x->gre.key = e->gre.key;
            if (e->gre.flags_ver & 0x1000)
                x->gre.seq = e->gre.seq;
            x->version = e->version;
            if (e->version >= 2) {
                x->cos = e->cos;
                x->en_bso = e->en_bso;
                x->t = e->t;
                x->vlan = e->vlan;
                x->index = e->index;
            }
            if (e->version == 3) {
                x->ft = e->ft;
                x->hw_id = e->hw_id;
                x->d = e->d;
                x->gra = e->gra;
                x->o = e->o;
                x->p = e->p;
                x->sgt = e->sgt;
                if (e->o)
                    x->platform = e->platform;
            }
        } else if (complete && t->type == MDEC_TUNNEL_VXLAN_GPE) {
            u->u.gpe.flags = t->u.gpe.flags;
            u->u.gpe.next_proto = t->u.gpe.next_proto;
        }
    }
    for (unsigned i = 0; i < r->n_anomalies && i < MDEC_MAX_ANOMALIES; i++) {
        c->anomalies[i].code = r->anomalies[i].code;
        c->anomalies[i].layer = r->anomalies[i].layer;
        c->anomalies[i].depth = r->anomalies[i].depth;
        c->anomalies[i].off = r->anomalies[i].off;
    }
}

size_t result_differs(const struct mdec_result *a, const struct mdec_result *b)
{
    struct mdec_result ca, cb;
    result_canonical(a, &ca);
    result_canonical(b, &cb);
    const unsigned char *x = (const unsigned char *)&ca, *y = (const unsigned char *)&cb;
    for (size_t i = 0; i < sizeof ca; i++)
        if (x[i] != y[i])
            return i + 1;
    return 0;
}

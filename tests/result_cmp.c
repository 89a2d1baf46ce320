/*
 * result_cmp.c - see result_cmp.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "result_cmp.h"

#include <string.h>

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

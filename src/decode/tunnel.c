/*
 * tunnel.c - a tunnel header into the result's stack: the entry the walk
 * (decode.c) and the fast path (fastpath.c) share, over the tunnel decoders
 * of vxlan.c, vxlan_gpe.c, geneve.c and gre.c (with erspan.c).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "internal.h"

static enum level_kind kind_of_payload(uint16_t ethertype)
{
    switch (ethertype) {
    case ETH_TEB:
        return LV_ETHERNET;
    case ETH_IPV4:
        return LV_IPV4;
    case ETH_IPV6:
        return LV_IPV6;
    default:
        return LV_IP;
    }
}

/*
 * Decodes a tunnel header at w (the carrier's payload) into a new stack
 * entry.  On success *next is the tunnel's payload and *kind what it starts
 * with.
 */
bool mdec__peel(struct dec *d, enum mdec_tunnel_type type, const struct win *w,
                const struct mdec_addr *src, const struct mdec_addr *dst, uint16_t sport,
                uint16_t dport, struct win *next, enum level_kind *kind)
{
    struct mdec_result *r = d->res;
    struct mdec_tunnel *t = &r->tunnels[r->n_tunnels++];
    mdec__tunnel_begin(t, type, w->off, src, dst, sport, dport);

    bool ok;
    switch (type) {
    case MDEC_TUNNEL_VXLAN:
        ok = mdec__vxlan(d, w, t, next);
        break;
    case MDEC_TUNNEL_VXLAN_GPE:
        ok = mdec__vxlan_gpe(d, w, t, next);
        break;
    case MDEC_TUNNEL_GENEVE:
        ok = mdec__geneve(d, w, t, next);
        break;
    default:
        ok = mdec__gre(d, w, t, next);
        break;
    }
    /* After the header: GRE that carries ERSPAN has become an ERSPAN tunnel. */
    mdec__transport_mark(d->cfg, t);
    if (!ok)
        return false;
    t->flags |= MDEC_TF_COMPLETE;
    *kind = kind_of_payload(t->payload);
    return true;
}

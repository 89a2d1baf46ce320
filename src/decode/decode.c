/*
 * decode.c - the decode pipeline: link, IP, then tunnel after tunnel down to
 * the innermost packet and its flow.
 *
 * The walk handles one "level" per loop turn: the frame itself (depth 0),
 * then the payload of each tunnel peeled.  A level is a link header (when the
 * level starts with Ethernet or Linux cooked), an IP header, and either a
 * tunnel (UDP to a configured port, or GRE), which starts the next level, or
 * the innermost L4 header, which ends the walk.  There is no recursion and the
 * number of levels is capped by max_depth (itself capped by
 * MDEC_MAX_TUNNELS), so a hostile frame costs at most that many levels,
 * each bounded by the frame's length.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "internal.h"

/* ---------------------------------------------------------------- spans */

/* Records span id of the result: the layer at w, hdr_len its header. */
static inline void span_of(struct dec *d, enum mdec_span_id id, const struct win *w,
                           uint32_t hdr_len)
{
    /* Every window keeps off <= end <= wire_end (see rd.h). */
    struct mdec_span *s = &d->res->span[id];
    s->off = w->off;
    s->hdr_len = hdr_len;
    s->cap_len = w->end - w->off;
    s->wire_len = mdec__u32(w->wire_end - w->off);
    d->res->spans_present |= 1u << id;
}

/* ----------------------------------------------------------- config */

void mdec_config_init(struct mdec_config *cfg)
{
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->max_depth = 4;
    (void)mdec_config_set_port(cfg, 4789, MDEC_TUNNEL_VXLAN);
    (void)mdec_config_set_port(cfg, 8472, MDEC_TUNNEL_VXLAN);
    (void)mdec_config_set_port(cfg, 4790, MDEC_TUNNEL_VXLAN_GPE);
    (void)mdec_config_set_port(cfg, 6081, MDEC_TUNNEL_GENEVE);
}

int mdec_config_set_port(struct mdec_config *cfg, uint16_t port, enum mdec_tunnel_type type)
{
    if (cfg == NULL)
        return MDEC_E_INVALID;
    if (type != MDEC_TUNNEL_NONE && type != MDEC_TUNNEL_VXLAN &&
        type != MDEC_TUNNEL_VXLAN_GPE && type != MDEC_TUNNEL_GENEVE)
        return MDEC_E_INVALID;
    unsigned n = cfg->n_ports;
    if (n > MDEC_MAX_PORTS)
        n = MDEC_MAX_PORTS;
    for (unsigned i = 0; i < n; i++) {
        if (cfg->ports[i].port != port)
            continue;
        if (type == MDEC_TUNNEL_NONE) {
            cfg->ports[i] = cfg->ports[n - 1];
            cfg->n_ports = (uint8_t)(n - 1);
        } else {
            cfg->ports[i].type = (uint8_t)type;
        }
        return MDEC_E_OK;
    }
    if (type == MDEC_TUNNEL_NONE)
        return MDEC_E_OK;
    if (n >= MDEC_MAX_PORTS)
        return MDEC_E_NOSPACE;
    cfg->ports[n].port = port;
    cfg->ports[n].type = (uint8_t)type;
    cfg->n_ports = (uint8_t)(n + 1);
    return MDEC_E_OK;
}

int mdec_config_add_transport(struct mdec_config *cfg, enum mdec_tunnel_type type,
                              const struct mdec_prefix *from, size_t n_from)
{
    if (cfg == NULL || type < MDEC_TUNNEL_VXLAN || type > MDEC_TUNNEL_GRE || from == NULL ||
        n_from == 0 || n_from > MDEC_TRANSPORT_PREFIXES)
        return MDEC_E_INVALID;
    for (size_t i = 0; i < n_from; i++) {
        const unsigned fam = from[i].addr.family;
        if ((fam != MDEC_AF_IPV4 && fam != MDEC_AF_IPV6) ||
            from[i].len > (fam == MDEC_AF_IPV4 ? 32 : 128))
            return MDEC_E_INVALID;
    }
    if (cfg->n_transports >= MDEC_MAX_TRANSPORTS)
        return MDEC_E_NOSPACE;
    struct mdec_transport *t = &cfg->transports[cfg->n_transports++];
    memset(t, 0, sizeof *t);
    t->type = (uint8_t)type;
    t->n_from = (uint8_t)n_from;
    memcpy(t->from, from, n_from * sizeof *from);
    return MDEC_E_OK;
}

/* -------------------------------------------------------------- the walk */

static void begin_inner(struct dec *d, const struct win *w, enum level_kind kind)
{
    struct mdec_result *r = d->res;
    r->spans_present &= (1u << MDEC_SPAN_OUTER_LINK) | (1u << MDEC_SPAN_OUTER_IP) |
                        (1u << MDEC_SPAN_OUTER_L4);
    r->flow.flags = 0;
    r->inner.off = w->off;
    r->inner.cap_len = w->end - w->off;
    r->inner.wire_len = mdec__u32(w->wire_end - w->off);
    r->inner.ip_len = 0;
    r->inner.ethertype = 0;
    r->inner.ethernet = kind == LV_ETHERNET;
    r->inner.n_vlan = 0;
    r->has_inner = 1;
}

/* What an L4 decoder found for the flow key, into the result's flow. */
static void flow_l4(struct mdec_flow *f, const struct l4_out *l4)
{
    f->flags |= l4->flow;
    if (l4->flow & MDEC_FLOW_PORTS) {
        f->sport = l4->sport;
        f->dport = l4->dport;
    }
    if (l4->flow & MDEC_FLOW_TCP_FLAGS)
        f->tcp_flags = l4->tcp_flags;
    if (l4->flow & MDEC_FLOW_ICMP) {
        f->icmp_type = l4->icmp_type;
        f->icmp_code = l4->icmp_code;
    }
}

/*
 * The innermost L4 header: TCP, UDP, SCTP, ICMP; anything else has none.
 * Then whether the innermost packet is whole: its IP datagram decides (an L4
 * length beyond the datagram of a first fragment is fragmentation, not loss).
 * l4: for UDP, the ports the walk read (mdec__l4_ports).
 */
static void final_l4(struct dec *d, uint8_t proto, const struct win *ip, const struct win *l4w,
                     enum mdec_span_id l4_id, struct l4_out *l4)
{
    bool ok;
    switch (proto) {
    case IPPROTO_TCP_:
        ok = mdec__tcp(d, l4w, l4);
        break;
    case IPPROTO_UDP_:
        ok = mdec__udp(d, l4w, l4);
        break;
    case IPPROTO_SCTP_:
        ok = mdec__sctp(d, l4w, l4);
        break;
    case IPPROTO_ICMP_:
        ok = mdec__icmp(d, l4w, 0, l4);
        break;
    case IPPROTO_ICMPV6_:
        ok = mdec__icmp(d, l4w, 1, l4);
        break;
    default:
        /* No L4 header known: the IP payload is the payload. */
        span_of(d, MDEC_SPAN_PAYLOAD, l4w, 0);
        ok = true;
        l4->flow = 0;
        l4->payload = *l4w;
        l4->hdr_len = UINT32_MAX;
        break;
    }
    flow_l4(&d->res->flow, l4);
    if (!ok)
        return;
    if (l4->hdr_len != UINT32_MAX) {
        span_of(d, l4_id, l4w, l4->hdr_len);
        span_of(d, MDEC_SPAN_PAYLOAD, &l4->payload, 0);
    }
    if (ip->end < ip->wire_end) {
        struct win cut = l4->payload;
        cut.cut = ip->cut;
        mdec__truncated(d, &cut, MDEC_LAYER_PAYLOAD);
    }
}

/* A frame that carries no tunnel: its own packet (of the given ethertype)
 * is the innermost one. */
static void not_tunneled(struct dec *d, uint16_t ethertype)
{
    struct mdec_result *r = d->res;
    if (MDEC_HAS_SPAN(r, MDEC_SPAN_OUTER_IP)) {
        const struct mdec_span *ip = &r->span[MDEC_SPAN_OUTER_IP];
        r->span[MDEC_SPAN_INNER_IP] = *ip;
        r->spans_present |= 1u << MDEC_SPAN_INNER_IP;
        if (MDEC_HAS_SPAN(r, MDEC_SPAN_OUTER_L4)) {
            r->span[MDEC_SPAN_INNER_L4] = r->span[MDEC_SPAN_OUTER_L4];
            r->spans_present |= 1u << MDEC_SPAN_INNER_L4;
        }
        r->inner.off = ip->off;
        r->inner.cap_len = ip->cap_len;
        r->inner.wire_len = ip->wire_len;
        r->inner.ip_len = ip->wire_len;
        r->inner.ethertype = ethertype;
        r->inner.ethernet = 0;
        r->inner.n_vlan = 0;
        r->has_inner = 1;
    }
    /* Once the frame is known to carry no tunnel, how its own L4 header
     * ends does not matter to a mirror decoder: it is not mirrored traffic.
     * The anomalies found in it stay in the result.  Called last: the walk
     * then ends. */
    r->status = MDEC_STATUS_NOT_TUNNELED;
}

/* Reads the version nibble of a bare IP payload. */
static bool ip_version(struct dec *d, const struct win *w, enum level_kind *kind,
                       uint16_t *ethertype)
{
    const uint8_t *v = mdec__need_view(d, w, 0, 1, MDEC_LAYER_IPV4, MDEC_A_IP_VERSION);
    if (v == NULL)
        return false;
    if (*v >> 4 == 4) {
        *kind = LV_IPV4;
        *ethertype = ETH_IPV4;
    } else if (*v >> 4 == 6) {
        *kind = LV_IPV6;
        *ethertype = ETH_IPV6;
    } else {
        return mdec__malformed(d, MDEC_A_IP_VERSION, MDEC_LAYER_IPV4, w->off);
    }
    return true;
}

/* One level of the walk: the frame, or a tunnel's payload. */
struct level {
    struct win w;         /* the level from its first byte                     */
    struct win l3;        /* after its link header                             */
    enum level_kind kind; /* what it starts with; after the link, what follows */
    uint16_t ethertype;   /* what the link header (or the IP version) says     */
    bool outer;           /* depth 0: the frame's own packet                   */
};

/* The link header of a level that starts with one (Ethernet, Linux cooked). */
static bool link_header(struct dec *d, struct level *lv)
{
    struct mdec_result *r = d->res;
    struct link_out lo;
    const bool ok = lv->kind == LV_ETHERNET
                        ? mdec__ethernet(d, &lv->w, &lo)
                        : mdec__sll(d, &lv->w, lv->kind == LV_SLL1 ? 1 : 2, &lo);
    if (!ok)
        return false;
    span_of(d, lv->outer ? MDEC_SPAN_OUTER_LINK : MDEC_SPAN_INNER_LINK, &lv->w, lo.hdr_len);
    uint8_t *n_vlan = lv->outer ? &r->n_outer_vlan : &r->inner.n_vlan;
    uint16_t *vlan = lv->outer ? r->outer_vlan : r->inner.vlan;
    *n_vlan = lo.n_vlan;
    vlan[0] = lo.vlan[0];
    vlan[1] = lo.vlan[1];
    lv->ethertype = lo.ethertype;
    lv->l3 = mdec__rest(&lv->w, lo.hdr_len);
    lv->kind = lo.ethertype == ETH_IPV4   ? LV_IPV4
               : lo.ethertype == ETH_IPV6 ? LV_IPV6
                                          : LV_ETHERNET;
    return true;
}

/*
 * Level, link part: the link header if the level has one, else the IP
 * version its kind or first nibble says.  Afterwards lv->kind is LV_IPV4,
 * LV_IPV6, or (not IP) LV_ETHERNET, and lv->l3 where that starts.
 */
static bool level_link(struct dec *d, struct level *lv)
{
    struct mdec_result *r = d->res;
    lv->l3 = lv->w;
    if (lv->kind == LV_ETHERNET || lv->kind == LV_SLL1 || lv->kind == LV_SLL2) {
        if (!link_header(d, lv))
            return false;
    } else if (lv->kind == LV_IP) {
        if (!ip_version(d, &lv->w, &lv->kind, &lv->ethertype))
            return false;
    } else {
        lv->ethertype = lv->kind == LV_IPV4 ? ETH_IPV4 : ETH_IPV6;
    }
    if (!lv->outer) {
        struct mdec_tunnel *t = &r->tunnels[r->n_tunnels - 1];
        r->inner.ethertype = lv->ethertype;
        if (t->payload == 0)
            t->payload = lv->ethertype;
    }
    return true;
}

/* A level that is not IP: ARP inside a tunnel is recognised; anything else
 * ends the walk (a whole mirrored frame of a kind mirrordec does not parse). */
static void level_not_ip(struct dec *d, const struct level *lv)
{
    struct win msg;
    if (lv->outer)
        not_tunneled(d, lv->ethertype);
    else if (lv->ethertype == ETH_ARP && mdec__arp(d, &lv->l3, &msg))
        span_of(d, MDEC_SPAN_INNER_IP, &msg, msg.end - msg.off);
}

/* Level, IP part: the header into *ip, its addresses into the flow, its
 * span, and (inside a tunnel) the inner packet's lengths. */
static bool level_ip(struct dec *d, const struct level *lv, struct ip_out *ip)
{
    struct mdec_result *r = d->res;
    const bool ok =
        lv->kind == LV_IPV4 ? mdec__ipv4(d, &lv->l3, ip) : mdec__ipv6(d, &lv->l3, ip);
    if (ip->src.family != MDEC_AF_NONE) {
        r->flow.src = ip->src;
        r->flow.dst = ip->dst;
        r->flow.proto = ip->proto;
        r->flow.flags = ip->proto_known ? MDEC_FLOW_IP | MDEC_FLOW_PROTO : MDEC_FLOW_IP;
    }
    if (!ok)
        return false;
    span_of(d, lv->outer ? MDEC_SPAN_OUTER_IP : MDEC_SPAN_INNER_IP, &ip->ip, ip->hdr_len);
    if (!lv->outer) {
        /* The IP claim wins over what the carrier states when a mirror
         * cut the packet; trailing bytes (Ethernet padding) make the
         * carrier's statement the larger, and they were mirrored too. */
        const uint64_t claimed = (uint64_t)(ip->ip.off - r->inner.off) + ip->ip_len;
        r->inner.ip_len = mdec__u32(ip->ip_len);
        if (claimed > r->inner.wire_len)
            r->inner.wire_len = mdec__u32(claimed);
    }
    return true;
}

/* A later IP fragment: no L4 header in it; its payload ends the walk. */
static void later_fragment(struct dec *d, const struct level *lv, const struct ip_out *ip,
                           const struct win *l4w)
{
    d->res->flow.flags |= MDEC_FLOW_FRAGMENT;
    span_of(d, MDEC_SPAN_PAYLOAD, l4w, 0);
    if (lv->outer)
        not_tunneled(d, lv->ethertype);
    else if (ip->ip.end < ip->ip.wire_end)
        mdec__truncated(d, l4w, MDEC_LAYER_PAYLOAD);
}

/*
 * The tunnel the L4 header at l4w starts (UDP to a tunnel port, or GRE), if
 * the trust rule (decode.h) lets the walk peel it: inside a tunnel, only
 * through a trusted transport and only max_depth deep; a tunnel left
 * unpeeled is noted.  MDEC_TUNNEL_NONE: the L4 header is the innermost one.
 */
static enum mdec_tunnel_type tunnel_of(struct dec *d, const struct level *lv, uint8_t proto,
                                       const struct win *l4w, const struct l4_out *l4)
{
    const struct mdec_result *r = d->res;
    enum mdec_tunnel_type tt = MDEC_TUNNEL_NONE;
    if (proto == IPPROTO_UDP_)
        tt = mdec__port_tunnel(d->cfg, l4->sport, l4->dport);
    else if (proto == IPPROTO_GRE_)
        tt = MDEC_TUNNEL_GRE;
    if (tt == MDEC_TUNNEL_NONE || lv->outer)
        return tt;
    const enum mdec_layer at = tt == MDEC_TUNNEL_GRE ? MDEC_LAYER_GRE : MDEC_LAYER_UDP;
    if (!(r->tunnels[r->n_tunnels - 1].flags & MDEC_TF_TRANSPORT)) {
        mdec__note(d, MDEC_A_NESTED_UNTRUSTED, at, l4w->off);
        return MDEC_TUNNEL_NONE;
    }
    if (d->depth >= d->max_depth) {
        mdec__note(d, MDEC_A_DEPTH_LIMIT, at, l4w->off);
        return MDEC_TUNNEL_NONE;
    }
    return tt;
}

/* Peels tunnel tt whose carrier's L4 header is at l4w (UDP, with l4 its
 * ports; or GRE): on success lv becomes the tunnel's payload. */
static bool level_tunnel(struct dec *d, struct level *lv, enum mdec_tunnel_type tt,
                         const struct ip_out *ip, const struct win *l4w, struct l4_out *l4)
{
    struct mdec_result *r = d->res;
    /* From here on the flow describes what the tunnel carries, if anything:
     * a carrier is never the flow. */
    r->flow.flags = 0;
    struct win carrier = *l4w;
    uint16_t sport = 0, dport = 0;
    if (tt != MDEC_TUNNEL_GRE) {
        /* A UDP header that names a tunnel port but is unusable: the frame
         * is tunnel traffic gone wrong, not plain traffic. */
        if (!mdec__udp(d, l4w, l4))
            return false;
        if (lv->outer)
            span_of(d, MDEC_SPAN_OUTER_L4, l4w, 8);
        carrier = l4->payload;
        sport = l4->sport;
        dport = l4->dport;
    }
    if (!mdec__peel(d, tt, &carrier, &ip->src, &ip->dst, sport, dport, &lv->w, &lv->kind))
        return false;
    if (lv->outer && tt == MDEC_TUNNEL_GRE)
        span_of(d, MDEC_SPAN_OUTER_L4, &carrier, r->tunnels[r->n_tunnels - 1].hdr_len);
    d->depth++;
    return true;
}

/*
 * Level, L4 part: a later fragment or the innermost L4 header ends the walk
 * (false); a tunnel is peeled and lv becomes its payload (true).
 */
static bool level_l4(struct dec *d, struct level *lv, const struct ip_out *ip)
{
    struct win l4w = mdec__rest(&ip->ip, ip->hdr_len);
    if (ip->frag == 2) {
        later_fragment(d, lv, ip, &l4w);
        return false;
    }
    if (ip->frag == 1)
        l4w.beyond = MDEC_CUT_FRAGMENT;
    struct l4_out l4;
    if (ip->proto == IPPROTO_UDP_) {
        mdec__l4_ports(&l4w, &l4);
        if (l4.flow == 0) {
            /* Without the ports, cannot tell whether it is tunnel traffic. */
            mdec__need_slow(d, &l4w, 4, MDEC_LAYER_UDP, MDEC_A_UDP_LEN_BEYOND);
            return false;
        }
    }
    const enum mdec_tunnel_type tt = tunnel_of(d, lv, ip->proto, &l4w, &l4);
    if (tt != MDEC_TUNNEL_NONE)
        return level_tunnel(d, lv, tt, ip, &l4w, &l4);
    final_l4(d, ip->proto, &ip->ip, &l4w, lv->outer ? MDEC_SPAN_OUTER_L4 : MDEC_SPAN_INNER_L4,
             &l4);
    if (lv->outer)
        not_tunneled(d, lv->ethertype);
    return false;
}

/* The walk: level after level, link -> IP -> a tunnel (the next level) or
 * the innermost L4 header. */
static void walk(struct dec *d, enum level_kind kind, struct win w)
{
    struct level lv = {w, w, kind, 0, false};
    for (;;) {
        lv.outer = d->depth == 0;
        lv.ethertype = 0;
        if (!lv.outer)
            begin_inner(d, &lv.w, lv.kind);
        if (!level_link(d, &lv))
            return;
        if (lv.kind != LV_IPV4 && lv.kind != LV_IPV6) {
            level_not_ip(d, &lv);
            return;
        }
        struct ip_out ip;
        if (!level_ip(d, &lv, &ip) || !level_l4(d, &lv, &ip))
            return;
    }
}

/* ------------------------------------------------------------ entry points */

static void result_init(struct mdec_result *r, const uint8_t *frame, size_t cap, size_t wire)
{
    mdec__result_init(r, frame, mdec__u32(cap), mdec__u32(wire));
    memset(&r->inner, 0, sizeof r->inner);
}

/* Sets up the decoder state and the frame's window; false for bad input. */
static bool setup(struct dec *d, const struct mdec_config *cfg, const uint8_t *frame,
                  size_t cap, size_t wire, struct mdec_result *res, struct win *w)
{
    d->cfg = cfg;
    d->res = res;
    d->depth = 0;
    d->strict = (cfg->flags & MDEC_CFG_STRICT) != 0;
    d->max_depth = cfg->max_depth < 1                  ? 1
                   : cfg->max_depth > MDEC_MAX_TUNNELS ? MDEC_MAX_TUNNELS
                                                       : cfg->max_depth;
    if (frame == NULL)
        cap = 0;
    bool raised = wire < cap && wire != 0;
    if (wire < cap)
        wire = cap;
    result_init(res, frame, cap, wire);
    if (raised)
        mdec__note(d, MDEC_A_WIRE_LT_CAP, MDEC_LAYER_FRAME, 0);
    if (cap >= UINT32_MAX || wire >= UINT32_MAX) {
        res->cap_len = res->wire_len = 0;
        mdec__unsupported(d, MDEC_A_FRAME_TOO_LONG, MDEC_LAYER_FRAME, 0);
        return false;
    }
    w->p = frame;
    w->off = 0;
    w->end = (uint32_t)cap;
    w->wire_end = wire;
    w->cut = cap < wire ? MDEC_CUT_CAPTURE : MDEC_CUT_NONE;
    w->beyond = 0;
    return true;
}

/* Fills what the whole walk determines: flow tunnel fields, final status. */
static enum mdec_status finish(struct dec *d)
{
    struct mdec_result *r = d->res;
    if (r->n_tunnels > 0) {
        const struct mdec_tunnel *t = &r->tunnels[r->n_tunnels - 1];
        r->flow.tunnel_type = t->type;
        if (t->flags & MDEC_TF_ID) {
            r->flow.tunnel_id = t->id;
            r->flow.flags |= MDEC_FLOW_TUNNEL_ID;
        }
    }
    return (enum mdec_status)r->status;
}

enum mdec_status mdec__decode_walk(const struct mdec_config *cfg, int linktype,
                                   const uint8_t *frame, size_t cap_len, size_t wire_len,
                                   struct mdec_result *res)
{
    struct dec d;
    struct win w;
    if (!setup(&d, cfg, frame, cap_len, wire_len, res, &w))
        return finish(&d);
    switch (linktype) {
    case MDEC_LINK_ETHERNET:
        walk(&d, LV_ETHERNET, w);
        break;
    case MDEC_LINK_LINUX_SLL:
        walk(&d, LV_SLL1, w);
        break;
    case MDEC_LINK_LINUX_SLL2:
        walk(&d, LV_SLL2, w);
        break;
    case MDEC_LINK_RAW:
    case 12: /* DLT_RAW on most systems */
    case 14: /* DLT_RAW on OpenBSD */
        walk(&d, LV_IP, w);
        break;
    case MDEC_LINK_IPV4:
        walk(&d, LV_IPV4, w);
        break;
    case MDEC_LINK_IPV6:
        walk(&d, LV_IPV6, w);
        break;
    default:
        mdec__unsupported(&d, MDEC_A_LINKTYPE, MDEC_LAYER_FRAME, 0);
        break;
    }
    return finish(&d);
}

enum mdec_status mdec__decode_udp_walk(const struct mdec_config *cfg, const uint8_t *payload,
                                       size_t cap_len, size_t wire_len,
                                       const struct mdec_udp_meta *meta, struct mdec_result *res)
{
    struct dec d;
    struct win w;
    if (!setup(&d, cfg, payload, cap_len, wire_len, res, &w))
        return finish(&d);
    enum mdec_tunnel_type tt = mdec__port_tunnel(cfg, meta->sport, meta->dport);
    if (tt == MDEC_TUNNEL_NONE) {
        not_tunneled(&d, 0);
        return finish(&d);
    }
    struct win next;
    enum level_kind kind;
    bool known = meta->src.family != MDEC_AF_NONE || meta->dst.family != MDEC_AF_NONE;
    if (mdec__peel(&d, tt, &w, known ? &meta->src : NULL, &meta->dst, meta->sport, meta->dport,
                   &next, &kind)) {
        d.depth = 1;
        walk(&d, kind, next);
    }
    return finish(&d);
}

/*
 * The fast path takes whole frames (captured length = wire length, or wire
 * length unknown) below 4 GiB; it hands everything it does not expect to
 * the walk, which then decodes the frame from the start.
 */
static inline bool fast_lengths(const uint8_t *frame, size_t cap_len, size_t wire_len)
{
    return frame != NULL && (wire_len == cap_len || wire_len == 0) && cap_len < UINT32_MAX;
}

/* A call the NULL policy refuses (common.h): UNSUPPORTED, and when there is
 * a result to write, an empty one with that status. */
static enum mdec_status refused_call(struct mdec_result *res)
{
    if (res != NULL) {
        result_init(res, NULL, 0, 0);
        res->status = MDEC_STATUS_UNSUPPORTED;
    }
    return MDEC_STATUS_UNSUPPORTED;
}

enum mdec_status mdec_decode(const struct mdec_config *cfg, int linktype, const uint8_t *frame,
                             size_t cap_len, size_t wire_len, struct mdec_result *res)
{
    if (MDEC_UNLIKELY(cfg == NULL || res == NULL || (frame == NULL && cap_len > 0)))
        return refused_call(res);
    if (linktype == MDEC_LINK_ETHERNET && fast_lengths(frame, cap_len, wire_len) &&
        mdec__fast_ethernet(cfg, frame, (uint32_t)cap_len, res))
        return MDEC_STATUS_OK;
    return mdec__decode_walk(cfg, linktype, frame, cap_len, wire_len, res);
}

enum mdec_status mdec_decode_udp(const struct mdec_config *cfg, const uint8_t *payload,
                                 size_t cap_len, size_t wire_len, const struct mdec_udp_meta *meta,
                                 struct mdec_result *res)
{
    if (MDEC_UNLIKELY(cfg == NULL || meta == NULL || res == NULL ||
                      (payload == NULL && cap_len > 0)))
        return refused_call(res);
    if (fast_lengths(payload, cap_len, wire_len) &&
        mdec__fast_udp(cfg, payload, (uint32_t)cap_len, meta, res))
        return MDEC_STATUS_OK;
    return mdec__decode_udp_walk(cfg, payload, cap_len, wire_len, meta, res);
}

int mdec_result_has_anomaly(const struct mdec_result *res, enum mdec_anomaly_code code)
{
    if (res == NULL)
        return 0;
    for (unsigned i = 0; i < res->n_anomalies && i < MDEC_MAX_ANOMALIES; i++)
        if (res->anomalies[i].code == code)
            return 1;
    return 0;
}

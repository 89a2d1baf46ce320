/*
 * fastpath.c - the frames mirrors send most, decoded straight through.
 *
 * Twins: this file holds a second copy of seven protocols' rules, for the
 * common case only.  A change to what one of these files accepts or
 * reports must be made in its twin too (tests/decode/test_fastpath.c and
 * the fuzz targets compare the two on every input):
 *
 *   protocol file   its rules here
 *   ethernet.c      fast_eth()      (at most two tags, IPv4 or IPv6 only)
 *   ipv4.c          fast_ip()       (whole, unfragmented, length not 0)
 *   ipv6.c          fast_ip()       (no extension header, length not 0)
 *   udp.c           mdec__fast_ethernet() (the carrier), fast_l4() (inner)
 *   tcp.c           fast_l4()
 *   icmp.c          fast_l4()       (ICMP and ICMPv6)
 *   vxlan.c         fast_vxlan()    (flags 0x08, reserved bits zero)
 *
 * Every other tunnel (VXLAN-GPE, GENEVE, GRE, ERSPAN, and VXLAN with any
 * other flags) is decoded by its own file through mdec__peel(), so it has
 * no twin; SCTP, ARP, Linux cooked headers and nested tunnels go to the walk.
 *
 * Nearly every frame a mirror target receives has one shape: Ethernet
 * (untagged, or with one or two VLAN tags), IPv4 or IPv6, UDP to a tunnel
 * port or GRE, one tunnel, and inside it Ethernet (again with at most two
 * tags) or bare IP, then TCP, UDP, ICMP or ICMPv6, every byte present and
 * every header as its RFC wants it:
 *
 *   [Ethernet [tags]] IPv4|IPv6  UDP|GRE  tunnel  [Ethernet [tags]] IPv4|IPv6  L4
 *   '-- outer: fast_eth, fast_ip ---'    peel    '------ fast_inner -------'
 *
 * The walk (decode.c) decodes those as it decodes anything, with windows
 * that keep a present and a wire end and anomaly bookkeeping at every
 * layer.  This file decodes only that shape and gives up, returning false,
 * at the first thing the common case does not have: a wire length other
 * than the captured length, a third VLAN tag, an IPv4 fragment or zero
 * length, IPv6 extension headers or a zero payload length, a length that
 * does not fit its carrier, a cut inner packet (AWS PacketLength), any
 * anomaly the tunnel decoder notes, a second tunnel (or inner UDP to a
 * tunnel port), an inner L4 other than TCP, UDP, ICMP or ICMPv6, a non-IP
 * inner frame.  The caller then runs the walk from the start, which
 * overwrites everything: giving up costs only the work done so far.
 *
 * When it answers, the result is the walk's, field for field: the same
 * spans, tunnel entry, inner lengths and flow, status MDEC_STATUS_OK and no
 * anomaly.  tests/decode/test_fastpath.c and every decoding fuzz target hold the
 * two to that, and check that the fast path does answer for the common
 * shapes.  Tunnel headers are decoded by the walk's own tunnel decoders
 * (mdec__peel), with one exception: a plain VXLAN header (fast_vxlan).
 *
 * Bytes are read as everywhere else: rd_view() checks that a header is
 * present before any of it is loaded.  Every window here has its present
 * end equal to its wire end (the frame was captured whole), so "present"
 * and "within what the carrier states" are one check.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "internal.h"

/* An IP header the fast path accepts: its datagram lies inside the window. */
struct fip {
    uint32_t hdr_len; /* IHL * 4, or 40 */
    uint32_t len;     /* the length the header states, all of it present */
    uint8_t proto;
};

static inline bool is_tpid(uint16_t type)
{
    return type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD;
}

/*
 * An Ethernet header at the start of w, with at most two tags (802.1Q, or
 * QinQ), carrying IPv4 or IPv6.  Returns its length (14, 18 or 22), or 0 to
 * give up.
 */
static inline uint32_t fast_eth(const struct win *w, uint16_t *ethertype, uint16_t vlan[2],
                                uint8_t *n_vlan)
{
    const uint8_t *h = rd_view(w, 0, 14);
    if (h == NULL)
        return 0;
    uint16_t type = rd_get16(h + 12);
    uint32_t len = 14;
    vlan[0] = vlan[1] = 0;
    *n_vlan = 0;
    while (MDEC_UNLIKELY(is_tpid(type))) {
        const uint8_t *tag = rd_view(w, len, 4);
        if (tag == NULL || *n_vlan == 2)
            return 0;
        vlan[*n_vlan] = (uint16_t)(rd_get16(tag) & 0x0FFF);
        *n_vlan += 1;
        type = rd_get16(tag + 2);
        len += 4;
    }
    if (type != ETH_IPV4 && type != ETH_IPV6)
        return 0;
    *ethertype = type;
    return len;
}

/*
 * The IP header (of the family the ethertype names) at the start of w: a
 * whole, unfragmented datagram inside w.  IPv6 extension headers make it
 * give up only through the protocol checks of the callers, which accept no
 * extension header's number.
 */
static inline bool fast_ip(const struct win *w, uint16_t ethertype, struct mdec_addr *src,
                           struct mdec_addr *dst, struct fip *ip)
{
    if (ethertype == ETH_IPV4) {
        const uint8_t *h = rd_view(w, 0, 20);
        if (h == NULL || h[0] >> 4 != 4)
            return false;
        const uint32_t ihl = (uint32_t)(h[0] & 0x0F) * 4;
        const uint32_t len = rd_get16(h + 2);
        /* len < ihl also refuses 0 (GSO); 0x3FFF: MF and the offset. */
        if (ihl < 20 || len < ihl || (rd_get16(h + 6) & 0x3FFF) != 0 || !rd_has(w, 0, len))
            return false;
        mdec__addr_set(src, MDEC_AF_IPV4, h + 12);
        mdec__addr_set(dst, MDEC_AF_IPV4, h + 16);
        ip->hdr_len = ihl;
        ip->len = len;
        ip->proto = h[9];
        return true;
    }
    const uint8_t *h = rd_view(w, 0, 40);
    if (h == NULL || h[0] >> 4 != 6)
        return false;
    const uint32_t len = 40 + (uint32_t)rd_get16(h + 4);
    if (len == 40 || !rd_has(w, 0, len)) /* payload length 0: GSO or jumbo */
        return false;
    mdec__addr_set(src, MDEC_AF_IPV6, h + 8);
    mdec__addr_set(dst, MDEC_AF_IPV6, h + 24);
    ip->hdr_len = 40;
    ip->len = len;
    ip->proto = h[6];
    return true;
}

static inline void span(struct mdec_result *r, enum mdec_span_id id, uint32_t off, uint32_t hdr_len,
                        uint32_t len)
{
    struct mdec_span *s = &r->span[id];
    s->off = off;
    s->hdr_len = hdr_len;
    s->cap_len = len;
    s->wire_len = len;
    r->spans_present |= 1u << id;
}

/* What every result of the fast path starts from, and the decoder state
 * mdec__peel() needs. */
static inline void begin_result(struct mdec_result *r, struct dec *d, const struct mdec_config *cfg,
                                const uint8_t *frame, uint32_t n)
{
    mdec__result_init(r, frame, n, n);
    d->cfg = cfg;
    d->res = r;
    d->depth = 0;
    d->max_depth = 1; /* only mdec__peel runs on it, which never reads it */
    d->strict = (cfg->flags & MDEC_CFG_STRICT) != 0;
}

/* The inner L4 header at the start of l4 (the rest of the IP datagram). */
static inline bool fast_l4(const struct mdec_config *cfg, struct mdec_result *r,
                           const struct win *l4, uint8_t proto)
{
    struct mdec_flow *f = &r->flow;
    const uint32_t len = l4->end - l4->off;
    uint32_t hdr_len, payload_len;
    const uint8_t *h;
    switch (proto) {
    case IPPROTO_TCP_:
        if ((h = rd_view(l4, 0, 20)) == NULL)
            return false;
        hdr_len = (uint32_t)(h[12] >> 4) * 4;
        if (hdr_len < 20 || hdr_len > len)
            return false;
        f->tcp_flags = h[13];
        f->flags |= MDEC_FLOW_PORTS | MDEC_FLOW_TCP_FLAGS;
        payload_len = len - hdr_len;
        break;
    case IPPROTO_UDP_: {
        if ((h = rd_view(l4, 0, 8)) == NULL)
            return false;
        const uint32_t udp_len = rd_get16(h + 4);
        if (udp_len < 8 || udp_len > len ||
            mdec__port_tunnel(cfg, rd_get16(h), rd_get16(h + 2)) != MDEC_TUNNEL_NONE)
            return false;
        hdr_len = 8;
        f->flags |= MDEC_FLOW_PORTS;
        payload_len = udp_len - 8; /* UDP's own length, not the datagram's */
        break;
    }
    case IPPROTO_ICMP_:
    case IPPROTO_ICMPV6_:
        hdr_len = proto == IPPROTO_ICMP_ ? 8 : 4;
        if ((h = rd_view(l4, 0, hdr_len)) == NULL)
            return false;
        f->icmp_type = h[0];
        f->icmp_code = h[1];
        f->flags |= MDEC_FLOW_ICMP;
        payload_len = len - hdr_len;
        break;
    default:
        return false;
    }
    if (f->flags & MDEC_FLOW_PORTS) {
        f->sport = rd_get16(h);
        f->dport = rd_get16(h + 2);
    }
    span(r, MDEC_SPAN_INNER_L4, l4->off, hdr_len, len);
    span(r, MDEC_SPAN_PAYLOAD, l4->off + hdr_len, 0, payload_len);
    return true;
}

/* The payload of the one tunnel (w, starting with `kind`) down to the inner
 * L4 header, and what the walk's finish() adds. */
static inline bool fast_inner(const struct mdec_config *cfg, struct mdec_result *r,
                              const struct win *w, enum level_kind kind)
{
    struct mdec_tunnel *t = &r->tunnels[0];
    struct mdec_inner *in = &r->inner;
    const uint32_t len = w->end - w->off;
    struct win l3 = *w;
    uint16_t ethertype;

    in->off = w->off;
    in->cap_len = in->wire_len = len;
    in->ethernet = kind == LV_ETHERNET;
    in->n_vlan = 0;
    in->vlan[0] = in->vlan[1] = 0;
    if (kind == LV_ETHERNET) {
        const uint32_t l2 = fast_eth(w, &ethertype, in->vlan, &in->n_vlan);
        if (l2 == 0)
            return false;
        span(r, MDEC_SPAN_INNER_LINK, w->off, l2, len);
        l3.off += l2;
    } else if (kind == LV_IP) {
        const uint8_t *v = rd_view(w, 0, 1);
        if (v == NULL || (v[0] >> 4 != 4 && v[0] >> 4 != 6))
            return false;
        ethertype = v[0] >> 4 == 4 ? ETH_IPV4 : ETH_IPV6;
    } else {
        ethertype = kind == LV_IPV4 ? ETH_IPV4 : ETH_IPV6;
    }
    in->ethertype = ethertype;
    if (t->payload == 0)
        t->payload = ethertype;

    struct fip ip;
    if (!fast_ip(&l3, ethertype, &r->flow.src, &r->flow.dst, &ip))
        return false;
    r->flow.proto = ip.proto;
    r->flow.flags = MDEC_FLOW_IP | MDEC_FLOW_PROTO;
    span(r, MDEC_SPAN_INNER_IP, l3.off, ip.hdr_len, ip.len);
    in->ip_len = ip.len; /* wholly inside the payload: wire_len stays */

    const uint32_t l4_off = l3.off + ip.hdr_len, end = l3.off + ip.len;
    const struct win l4 = {w->p, l4_off, end, end, MDEC_CUT_NONE, 0};
    if (!fast_l4(cfg, r, &l4, ip.proto))
        return false;
    r->has_inner = 1;
    r->flow.tunnel_type = t->type;
    if (t->flags & MDEC_TF_ID) {
        r->flow.tunnel_id = t->id;
        r->flow.flags |= MDEC_FLOW_TUNNEL_ID;
    }
    return true;
}

/*
 * VXLAN as AWS, Azure and Linux send it - flags 0x08 (I) and every reserved
 * bit zero - straight into the stack, as mdec__peel() and mdec__vxlan()
 * would enter it; false for any other header, which mdec__peel() then
 * decodes.  Seven of ten mirrored frames are VXLAN: skipping the general
 * tunnel entry for them is worth it.
 */
static inline bool fast_vxlan(struct dec *d, const struct win *carrier,
                              const struct mdec_addr *src, const struct mdec_addr *dst,
                              uint16_t sport, uint16_t dport, struct win *next,
                              enum level_kind *kind)
{
    const uint8_t *h = rd_view(carrier, 0, 8);
    if (h == NULL || rd_get32(h) != 0x08000000u || h[7] != 0)
        return false;
    struct mdec_result *r = d->res;
    struct mdec_tunnel *t = &r->tunnels[0];
    r->n_tunnels = 1;
    mdec__tunnel_begin(t, MDEC_TUNNEL_VXLAN, carrier->off, src, dst, sport, dport);
    mdec__transport_mark(d->cfg, t);
    t->flags |= MDEC_TF_ID | MDEC_TF_HEADER | MDEC_TF_COMPLETE;
    t->payload = ETH_TEB;
    t->id = rd_get32(h + 4) >> 8;
    t->hdr_len = 8;
    *next = mdec__tunnel_payload(carrier, 8);
    *kind = LV_ETHERNET;
    return true;
}

/* The tunnel at carrier; true when it decoded without any anomaly. */
static inline bool fast_peel(struct dec *d, enum mdec_tunnel_type type, const struct win *carrier,
                             const struct mdec_addr *src, const struct mdec_addr *dst,
                             uint16_t sport, uint16_t dport, struct win *next,
                             enum level_kind *kind)
{
    if (type == MDEC_TUNNEL_VXLAN &&
        fast_vxlan(d, carrier, src, dst, sport, dport, next, kind))
        return true;
    return mdec__peel(d, type, carrier, src, dst, sport, dport, next, kind) &&
           d->res->n_anomalies_seen == 0;
}

bool mdec__fast_ethernet(const struct mdec_config *cfg, const uint8_t *frame, uint32_t n,
                         struct mdec_result *r)
{
    const struct win w = {frame, 0, n, n, MDEC_CUT_NONE, 0};
    struct dec d;
    uint16_t ethertype;
    begin_result(r, &d, cfg, frame, n);
    const uint32_t l2 = fast_eth(&w, &ethertype, r->outer_vlan, &r->n_outer_vlan);
    if (l2 == 0)
        return false;

    struct win l3 = w;
    l3.off = l2;
    struct fip ip;
    struct mdec_addr src, dst;
    if (!fast_ip(&l3, ethertype, &src, &dst, &ip))
        return false;
    const uint32_t l4 = l2 + ip.hdr_len, end = l2 + ip.len;
    struct win carrier = {frame, l4, end, end, MDEC_CUT_NONE, 0};
    enum mdec_tunnel_type type = MDEC_TUNNEL_GRE;
    uint16_t sport = 0, dport = 0;
    if (ip.proto == IPPROTO_UDP_) {
        const uint8_t *u = rd_view(&carrier, 0, 8);
        if (u == NULL)
            return false;
        sport = rd_get16(u);
        dport = rd_get16(u + 2);
        const uint32_t udp_len = rd_get16(u + 4);
        type = mdec__port_tunnel(cfg, sport, dport);
        if (type == MDEC_TUNNEL_NONE || udp_len < 8 || udp_len > end - l4)
            return false;
        carrier.off = l4 + 8;
        carrier.end = l4 + udp_len;
        carrier.wire_end = carrier.end;
    } else if (ip.proto != IPPROTO_GRE_) {
        return false;
    }

    struct win next;
    enum level_kind kind;
    if (!fast_peel(&d, type, &carrier, &src, &dst, sport, dport, &next, &kind))
        return false;
    span(r, MDEC_SPAN_OUTER_LINK, 0, l2, n);
    span(r, MDEC_SPAN_OUTER_IP, l2, ip.hdr_len, ip.len);
    span(r, MDEC_SPAN_OUTER_L4, l4, type == MDEC_TUNNEL_GRE ? r->tunnels[0].hdr_len : 8, end - l4);
    return fast_inner(cfg, r, &next, kind);
}

bool mdec__fast_udp(const struct mdec_config *cfg, const uint8_t *payload, uint32_t n,
                    const struct mdec_udp_meta *meta, struct mdec_result *r)
{
    const enum mdec_tunnel_type type = mdec__port_tunnel(cfg, meta->sport, meta->dport);
    if (type == MDEC_TUNNEL_NONE)
        return false;
    const struct win w = {payload, 0, n, n, MDEC_CUT_NONE, 0};
    const bool known = meta->src.family != MDEC_AF_NONE || meta->dst.family != MDEC_AF_NONE;
    struct dec d;
    struct win next;
    enum level_kind kind;
    begin_result(r, &d, cfg, payload, n);
    return fast_peel(&d, type, &w, known ? &meta->src : NULL, &meta->dst, meta->sport, meta->dport,
                     &next, &kind) &&
           fast_inner(cfg, r, &next, kind);
}

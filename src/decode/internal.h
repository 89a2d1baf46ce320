/*
 * internal.h - what the protocol decoders share.  Never installed.
 *
 * The decode pipeline (decode.c) walks the frame layer by layer.  Each
 * protocol file decodes one header inside a struct win and reports what it
 * found; problems go through the functions below, which record an anomaly,
 * set the status and tell the caller to stop (false) or go on (true).
 *
 * Truncated versus malformed: need() compares what a header needs with the
 * window.  Bytes past the window's wire end mean the layer contradicts its
 * carrier (malformed), unless the window is a tunnel payload, where a mirror
 * may have cut the packet short (truncated, by the mirror), or a first IP
 * fragment, whose datagram goes on in later fragments (win.beyond says).  Bytes
 * below the wire end but past the present end were cut by the capture or
 * the mirror, as the window's cut says.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_INTERNAL_H
#define MDEC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base.h"
#include "mirrordec/decode.h"



/* Per-call decoder state. */
struct dec {
    const struct mdec_config *cfg;
    struct mdec_result *res;
    uint8_t depth;     /* tunnels peeled so far                         */
    uint8_t max_depth; /* cfg->max_depth clamped                        */
    uint8_t strict;    /* MDEC_CFG_STRICT                               */
    uint8_t stopped;   /* a problem ended the walk                      */
};

/* Anomalies. */
MDEC_HIDDEN void mdec__note(struct dec *d, enum mdec_anomaly_code code, enum mdec_layer layer,
                            uint32_t off);
MDEC_HIDDEN bool mdec__malformed(struct dec *d, enum mdec_anomaly_code code,
                                 enum mdec_layer layer, uint32_t off);
MDEC_HIDDEN bool mdec__unsupported(struct dec *d, enum mdec_anomaly_code code,
                                   enum mdec_layer layer, uint32_t off);
/* Reserved bits were set: an anomaly; in strict mode also malformed. */
MDEC_HIDDEN bool mdec__reserved(struct dec *d, enum mdec_anomaly_code code,
                                enum mdec_layer layer, uint32_t off);
/* The bytes of layer at w ran out at w->end. */
MDEC_HIDDEN bool mdec__truncated(struct dec *d, const struct win *w, enum mdec_layer layer);

/* mdec__need() when the bytes are not all present (decode.c). */
MDEC_HIDDEN bool mdec__need_slow(struct dec *d, const struct win *w, uint64_t n,
                                 enum mdec_layer layer, enum mdec_anomaly_code beyond);

/*
 * The window helpers below run several times per layer: they are inline
 * so that each decoder keeps its window in registers (a call per helper
 * cost about a seventh of a decode).
 */

/*
 * n bytes at the start of w are needed for layer.  True when present;
 * otherwise records truncation, or `beyond` (malformed) when the bytes lie
 * past a hard wire end, and returns false.
 */
static inline bool mdec__need(struct dec *d, const struct win *w, uint64_t n,
                              enum mdec_layer layer, enum mdec_anomaly_code beyond)
{
    if (MDEC_LIKELY(rd_has(w, 0, n)))
        return true;
    return mdec__need_slow(d, w, n, layer, beyond);
}


/*
 * The window of a layer that starts rel bytes into w and states its own
 * length as len.  False when len reaches past w's hard wire end (the caller
 * reports that as malformed); a w with `beyond` set accepts it as a cut.
 */
static inline bool mdec__sub(const struct win *w, uint64_t rel, uint64_t len, struct win *out)
{
    uint64_t start = (uint64_t)w->off + rel;
    uint64_t wend = start + len;
    if (wend > w->wire_end && !w->beyond)
        return false;
    out->p = w->p;
    out->off = mdec__u32(start);
    uint64_t end = wend < w->end ? wend : w->end;
    if (end < out->off)
        end = out->off;
    out->end = (uint32_t)end;
    out->wire_end = wend;
    out->beyond = 0;
    if (end >= wend)
        out->cut = MDEC_CUT_NONE;
    else if (w->end < w->wire_end)
        out->cut = w->cut;
    else
        out->cut = w->beyond;
    return true;
}

/* The rest of w from rel on, with w's wire end and `beyond`. */
static inline struct win mdec__rest(const struct win *w, uint64_t rel)
{
    struct win out = *w;
    const uint64_t start = (uint64_t)w->off + rel;
    if (MDEC_LIKELY(start <= w->end)) { /* the header before it was present */
        out.off = (uint32_t)start;
        return out;
    }
    /* Past the present bytes: keep off <= end <= wire_end. */
    out.off = start <= w->wire_end ? mdec__u32(start) : w->end;
    out.end = out.off;
    return out;
}

/* The payload of a tunnel whose header ends rel bytes into w: its inner
 * packet may state more than w held (beyond = MDEC_CUT_MIRROR). */
static inline struct win mdec__tunnel_payload(const struct win *w, uint64_t rel)
{
    struct win out = mdec__rest(w, rel);
    /* A tunnel whose carrier is a first fragment (GRE straight on IP) has
     * the rest of its payload in later fragments, not cut by a mirror. */
    out.beyond = w->beyond == MDEC_CUT_FRAGMENT ? MDEC_CUT_FRAGMENT : MDEC_CUT_MIRROR;
    return out;
}

/* The tunnel a UDP datagram with these ports carries, by the config's port
 * map (destination port first; the source port with MDEC_CFG_MATCH_SRC_PORT). */
static inline enum mdec_tunnel_type mdec__port_tunnel(const struct mdec_config *cfg,
                                                      uint16_t sport, uint16_t dport)
{
    unsigned n = cfg->n_ports;
    if (n > MDEC_MAX_PORTS)
        n = MDEC_MAX_PORTS;
    for (unsigned i = 0; i < n; i++)
        if (cfg->ports[i].port == dport)
            return (enum mdec_tunnel_type)cfg->ports[i].type;
    if (cfg->flags & MDEC_CFG_MATCH_SRC_PORT)
        for (unsigned i = 0; i < n; i++)
            if (cfg->ports[i].port == sport)
                return (enum mdec_tunnel_type)cfg->ports[i].type;
    return MDEC_TUNNEL_NONE;
}

/* ------------------------------------------------------ protocol decoders */

/* What a link header (Ethernet, Linux cooked) leads to. */
struct link_out {
    uint16_t ethertype; /* after VLAN tags; < 0x600 is an 802.3 length */
    uint8_t n_vlan;
    uint16_t vlan[2];
    uint32_t hdr_len;   /* link header, tags included */
};

MDEC_HIDDEN bool mdec__ethernet(struct dec *d, const struct win *w, struct link_out *out);
/* VLAN tags from rel on, after a link header whose type field said type. */
MDEC_HIDDEN bool mdec__link_tags(struct dec *d, const struct win *w, uint32_t rel, uint16_t type,
                                 enum mdec_layer layer, struct link_out *out);
MDEC_HIDDEN bool mdec__sll(struct dec *d, const struct win *w, int version, struct link_out *out);

/* What an IP header leads to. */
struct ip_out {
    struct mdec_addr src, dst;
    uint8_t proto;     /* upper-layer protocol after extension headers   */
    uint8_t frag;      /* 0 whole, 1 first fragment, 2 later fragment    */
    uint8_t proto_known; /* proto is the upper layer (IPv6 walk done)    */
    uint32_t hdr_len;  /* header with options / extension headers        */
    uint64_t ip_len;   /* length the header states (GSO 0 resolved)      */
    struct win ip;     /* the datagram as its header states it           */
};

MDEC_HIDDEN bool mdec__ipv4(struct dec *d, const struct win *w, struct ip_out *out);
MDEC_HIDDEN bool mdec__ipv6(struct dec *d, const struct win *w, struct ip_out *out);

/* An L4 header (TCP, UDP, SCTP, ICMP) inside the IP payload window. */
struct l4_out {
    uint32_t hdr_len;    /* 0 when the header is not wholly present */
    struct win payload;  /* the L4 payload                          */
    uint64_t udp_len;    /* UDP: length the header states (0 resolved) */
};

/*
 * UDP header.  as_carrier: the datagram carries a tunnel, so a length that
 * exceeds the IP payload is malformed rather than left to the payload.
 */
MDEC_HIDDEN bool mdec__udp(struct dec *d, const struct win *w, struct l4_out *out);
MDEC_HIDDEN bool mdec__tcp(struct dec *d, const struct win *w, struct l4_out *out);
MDEC_HIDDEN bool mdec__sctp(struct dec *d, const struct win *w, struct l4_out *out);
MDEC_HIDDEN bool mdec__icmp(struct dec *d, const struct win *w, int v6, struct l4_out *out);
MDEC_HIDDEN bool mdec__arp(struct dec *d, const struct win *w, uint32_t *len);

/*
 * Tunnel decoders.  Each fills t (type, id, header length, payload
 * ethertype, type-specific part) and the payload window, or records why it
 * cannot.  `w` starts at the tunnel header and extends to the end of the
 * carrier (UDP payload, or IP payload for GRE).
 */
MDEC_HIDDEN bool mdec__vxlan(struct dec *d, const struct win *w, struct mdec_tunnel *t,
                             struct win *payload);
MDEC_HIDDEN bool mdec__vxlan_gpe(struct dec *d, const struct win *w, struct mdec_tunnel *t,
                                 struct win *payload);
MDEC_HIDDEN bool mdec__geneve(struct dec *d, const struct win *w, struct mdec_tunnel *t,
                              struct win *payload);
/* GRE, and ERSPAN when the GRE protocol says so. */
MDEC_HIDDEN bool mdec__gre(struct dec *d, const struct win *w, struct mdec_tunnel *t,
                           struct win *payload);
/* ERSPAN header behind a GRE header of gre_len bytes (called by gre.c). */
MDEC_HIDDEN bool mdec__erspan(struct dec *d, const struct win *w, uint32_t gre_len,
                              struct mdec_tunnel *t, struct win *payload);

/* ------------------------------------------------------------- pipeline */

/* What a level of the walk (the frame, or a tunnel's payload) starts with. */
enum level_kind {
    LV_ETHERNET,
    LV_SLL1,
    LV_SLL2,
    LV_IPV4,
    LV_IPV6,
    LV_IP /* either; the version nibble decides */
};

/* The part of a result every decode writes before looking at the frame:
 * nothing found yet, status MDEC_STATUS_OK, the frame and its lengths. */
static inline void mdec__result_init(struct mdec_result *r, const uint8_t *frame, uint32_t cap,
                                     uint32_t wire)
{
    r->status = MDEC_STATUS_OK;
    r->n_tunnels = 0;
    r->n_anomalies = 0;
    r->n_anomalies_seen = 0;
    r->n_outer_vlan = 0;
    r->has_inner = 0;
    r->outer_vlan[0] = r->outer_vlan[1] = 0;
    r->spans_present = 0;
    r->frame = frame;
    r->cap_len = cap;
    r->wire_len = wire;
    memset(&r->cut, 0, sizeof r->cut);
    r->flow.flags = 0;
    r->flow.tunnel_type = MDEC_TUNNEL_NONE;
    r->flow.tunnel_id = 0;
}

/*
 * Starts a stack entry for a tunnel of this type whose header is at off:
 * the carrier's addresses (src NULL: unknown) and ports (GRE has none);
 * no id, header or payload yet.
 */
static inline void mdec__tunnel_begin(struct mdec_tunnel *t, enum mdec_tunnel_type type,
                                      uint32_t off, const struct mdec_addr *src,
                                      const struct mdec_addr *dst, uint16_t sport,
                                      uint16_t dport)
{
    t->type = (uint8_t)type;
    t->flags = type == MDEC_TUNNEL_GRE ? 0 : MDEC_TF_PORTS;
    t->payload = 0;
    t->id = 0;
    t->off = off;
    t->hdr_len = 0;
    t->sport = sport;
    t->dport = dport;
    if (src) {
        t->src = *src;
        t->dst = *dst;
        t->flags |= MDEC_TF_CARRIER;
    } else {
        t->src.family = t->dst.family = MDEC_AF_NONE;
    }
}

/*
 * Sets MDEC_TF_TRANSPORT on t when its type and carrier source match a
 * trusted transport of cfg (the trust rule, decode.h).  Call after
 * mdec__tunnel_begin().
 */
static inline void mdec__transport_mark(const struct mdec_config *cfg, struct mdec_tunnel *t)
{
    unsigned n = cfg->n_transports;
    if (MDEC_LIKELY(n == 0) || !(t->flags & MDEC_TF_CARRIER))
        return;
    if (n > MDEC_MAX_TRANSPORTS)
        n = MDEC_MAX_TRANSPORTS;
    for (unsigned i = 0; i < n; i++) {
        const struct mdec_transport *tr = &cfg->transports[i];
        if (tr->type != t->type)
            continue;
        for (unsigned j = 0; j < tr->n_from && j < MDEC_TRANSPORT_PREFIXES; j++) {
            if (mdec__prefix_contains(&tr->from[j], &t->src)) {
                t->flags |= MDEC_TF_TRANSPORT;
                return;
            }
        }
    }
}

/*
 * Decodes a tunnel header at w (the carrier's payload) into a new entry of
 * the stack, with the carrier's addresses (src NULL: unknown) and ports.  On
 * success *next is the tunnel's payload and *kind what it starts with
 * (decode.c).
 */
MDEC_HIDDEN bool mdec__peel(struct dec *d, enum mdec_tunnel_type type, const struct win *w,
                            const struct mdec_addr *src, const struct mdec_addr *dst,
                            uint16_t sport, uint16_t dport, struct win *next,
                            enum level_kind *kind);

/*
 * The general walk behind mdec_decode() and mdec_decode_udp(), without the
 * fast path (decode.c).  Tests and fuzz targets hold the fast path to it.
 */
MDEC_HIDDEN enum mdec_status mdec__decode_walk(const struct mdec_config *cfg, int linktype,
                                               const uint8_t *frame, size_t cap_len,
                                               size_t wire_len, struct mdec_result *res);
MDEC_HIDDEN enum mdec_status mdec__decode_udp_walk(const struct mdec_config *cfg,
                                                   const uint8_t *payload, size_t cap_len,
                                                   size_t wire_len,
                                                   const struct mdec_udp_meta *meta,
                                                   struct mdec_result *res);

/*
 * The fast path (fastpath.c): decodes the stacks mirrors send most - one
 * tunnel, no fragment, no IPv6 extension header, nothing cut, no anomaly -
 * into exactly the result the walk gives, and returns true; returns false,
 * with *res to be overwritten by the walk, for anything else.  n is both
 * the captured and the wire length.
 */
MDEC_HIDDEN bool mdec__fast_ethernet(const struct mdec_config *cfg, const uint8_t *frame,
                                     uint32_t n, struct mdec_result *res);
MDEC_HIDDEN bool mdec__fast_udp(const struct mdec_config *cfg, const uint8_t *payload,
                                uint32_t n, const struct mdec_udp_meta *meta,
                                struct mdec_result *res);

#endif /* MDEC_INTERNAL_H */

/*
 * internal.h - the decode pipeline: what decode.c (the walk), tunnel.c and
 * fastpath.c share.  Never installed.
 *
 * The walk (decode.c) goes level by level: link, IP, then a tunnel (whose
 * payload is the next level) or the innermost L4 header.  Each protocol
 * file decodes one header (proto.h) and reports problems through status.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_INTERNAL_H
#define MDEC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "proto.h"

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
 * (tunnel.c).
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

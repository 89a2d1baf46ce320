/*
 * proto.h - the protocol decoders: one header each, one file each
 * (ethernet.c, sll.c, arp.c, ipv4.c, ipv6.c, udp.c, tcp.c, sctp.c, icmp.c,
 * vxlan.c, vxlan_gpe.c, geneve.c, gre.c, erspan.c).  Never installed.
 *
 * A decoder reads one header inside a struct win, reports problems through
 * status.h and hands what it found back in its *_out struct (or the tunnel
 * entry); the pipeline (decode.c, tunnel.c) writes the result.  Protocol
 * files include this header and nothing of the pipeline's.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_PROTO_H
#define MDEC_PROTO_H

#include "status.h"

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

/*
 * What an L4 header (TCP, UDP, SCTP, ICMP) inside the IP payload window
 * says.  `flow` tells which of the flow key's fields it found: they are
 * found as soon as their bytes are present, also when the rest of the
 * header is not (the decoder then returns false), so that a mirror cut
 * inside the L4 header still yields the flow key.  The pipeline copies them
 * into mdec_result.flow; the decoders never write the result's flow.
 */
struct l4_out {
    uint8_t flow;        /* MDEC_FLOW_PORTS, MDEC_FLOW_TCP_FLAGS, MDEC_FLOW_ICMP */
    uint8_t tcp_flags;
    uint8_t icmp_type, icmp_code;
    uint16_t sport, dport;
    uint32_t hdr_len;    /* set when the decoder returns true           */
    struct win payload;  /* the L4 payload, when it returns true        */
    uint64_t udp_len;    /* UDP: length the header states (0 resolved) */
};

/* The ports of TCP, UDP or SCTP (the first four bytes of each) into out,
 * when present; out->flow is MDEC_FLOW_PORTS then, else 0. */
static inline void mdec__l4_ports(const struct win *w, struct l4_out *out)
{
    const uint8_t *p = rd_view(w, 0, 4);
    out->flow = 0;
    if (p != NULL) {
        out->sport = rd_get16(p);
        out->dport = rd_get16(p + 2);
        out->flow = MDEC_FLOW_PORTS;
    }
}

/*
 * UDP header after its ports: length and payload.  The pipeline reads the
 * ports first (mdec__l4_ports), since they decide whether the datagram is a
 * tunnel's carrier, and hands them in with out; the rest of out is set here.
 */
MDEC_HIDDEN bool mdec__udp(struct dec *d, const struct win *w, struct l4_out *out);
MDEC_HIDDEN bool mdec__tcp(struct dec *d, const struct win *w, struct l4_out *out);
MDEC_HIDDEN bool mdec__sctp(struct dec *d, const struct win *w, struct l4_out *out);
MDEC_HIDDEN bool mdec__icmp(struct dec *d, const struct win *w, int v6, struct l4_out *out);
/* An ARP message at the start of w: *msg becomes its window (all present). */
MDEC_HIDDEN bool mdec__arp(struct dec *d, const struct win *w, struct win *msg);

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

#endif /* MDEC_PROTO_H */

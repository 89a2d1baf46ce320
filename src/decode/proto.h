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

#endif /* MDEC_PROTO_H */

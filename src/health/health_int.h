/*
 * health_int.h - the flow tracker's insides, shared by the files of
 * src/health/: the table and its slots (flowtrack.c), the per-stream
 * sequence state (loss.c), the classifiers (one file per protocol) and
 * the byte accounting that drives them (classify.c).  Never installed.
 *
 * A classifier looks at a few bytes through a struct win (src/support/rd.h)
 * over the packet's payload: off is the payload's first byte in the frame,
 * end where its captured bytes stop, wire_end where the payload ended on
 * the wire.  It never reads at or past end.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_HEALTH_INT_H
#define MDEC_HEALTH_INT_H

#include "base.h"
#include "flow_int.h"
#include "mirrordec/health.h"

/* ----------------------------------------------------------- the streams */

/* Bits of struct stream.flags. */
enum {
    ST_SEEN = 1u << 0,    /* a packet of this stream's sender was seen         */
    ST_SEQ = 1u << 1,     /* hi is valid: a sequence number was seen           */
    ST_ACKED = 1u << 2,   /* acked is valid                                    */
    ST_SYNC = 1u << 3,    /* rec_next is where the next record header starts   */
    ST_BANNER = 1u << 4,  /* SSH: the identification line is over              */
    ST_NEWKEYS = 1u << 5  /* SSH: NEWKEYS passed, or sync lost: encrypted      */
};

/*
 * One direction of a flow: the bytes sent by one endpoint.  Sequence
 * numbers are compared in serial arithmetic (seq_lt), so they wrap.
 * Invariant while ST_SEQ and ST_ACKED: holes lie inside [acked, hi).
 */
struct stream {
    uint32_t hi;       /* one past the highest sequence number seen           */
    uint32_t acked;    /* highest ACK of this stream seen from the peer       */
    uint32_t hole_lo[MDEC_FLOWS_HOLES]; /* [lo, hi): bytes not seen (yet)    */
    uint32_t hole_hi[MDEC_FLOWS_HOLES];
    uint32_t rec_next; /* ST_SYNC: sequence number of the next record header */
    uint8_t flags;     /* ST_*                                                */
    uint8_t n_holes;
    uint8_t rec_vis;   /* enum mdec_vis of the record being sent              */
    uint8_t tries;     /* payload packets looked at while the app was unknown */
};

/* One flow: both directions of a 5-tuple within a session.  Endpoint 0 is
 * the lower (address, port); stream i holds what endpoint i sent. */
struct flow {
    uint64_t last_ns;  /* timestamp of its last packet                        */
    uint32_t session;
    uint8_t family, proto, app, pad_;
    uint16_t port[2];
    uint16_t pad2_[2];
    uint8_t addr[2][16];
    struct stream st[2];
    uint64_t pad3_;    /* to 128 bytes: two cache lines                       */
};

/* One bucket's slots at a glance, in one cache line: a lookup compares a
 * flow only where the tag matches, and a new flow picks its slot (free, or
 * the one idle longest) without touching the flows. */
struct bucket {
    uint32_t tag[MDEC_FLOWS_PROBE];  /* the hash's upper half | 1; 0: free     */
    uint32_t seen[MDEC_FLOWS_PROBE]; /* last packet, in units of 2^shift ns   */
};

/* The tracker.  Slots are grouped in buckets of MDEC_FLOWS_PROBE: a flow
 * lives in its hash's bucket. */
struct mdec_flows {
    uint64_t k0, k1;      /* SipHash key                                      */
    uint64_t idle_ns;
    uint64_t now;         /* latest timestamp seen                            */
    uint32_t mask;        /* slots - 1                                        */
    uint32_t n_sessions;
    uint32_t shift;       /* bucket.seen's unit: idle_ns spans about 2^20     */
    uint32_t pad_;
    struct mdec_flows_stats stats;
    struct bucket *bucket; /* slots / MDEC_FLOWS_PROBE                        */
    struct flow *slot;
    struct mdec_health *counters; /* n_sessions                              */
};

/* ------------------------------------------------------------ the pieces */

/* The keyed hash is flow_int.h's mdec__siphash13(): one SipHash for the
 * library. */

/* What a TCP segment says, for loss.c: flags, numbers, and the bytes of
 * sequence space it covers (its payload on the wire). */
struct seg {
    uint32_t seq, ack;
    uint32_t len;  /* payload bytes on the wire */
    uint8_t flags; /* TCP flags */
};

/* One TCP segment sent by endpoint `dir` of f (loss.c): the sender's
 * stream, and the ACK of the other stream, counted into h. */
MDEC_HIDDEN void mdec__loss_segment(struct flow *f, unsigned dir, const struct seg *s,
                                    struct mdec_health *h);

/* Serial-number order (RFC 1982 for 32 bits): a before b. */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (uint32_t)(b - a) - 1u < 0x7FFFFFFFu;
}

/* ----------------------------------------------------------- classifiers */

/* A detector's answer on the first payload bytes of a flow. */
enum det {
    DET_NO = 0,  /* not this protocol                                     */
    DET_YES = 1, /* this protocol                                         */
    DET_MORE = 2 /* the bytes that would tell are not present (cut)       */
};

/* What the classifiers know of the packet besides its payload. */
struct pkt_meta {
    uint8_t proto;         /* IP protocol                    */
    uint16_t sport, dport; /* UDP/TCP ports, 0 without       */
};

/* A TLS record header at rel (tls.c): 1 and its content type and length
 * when valid, 0 when the five bytes are no record header, 2 when they are
 * not all present. */
MDEC_HIDDEN int mdec__tls_record(const struct win *w, uint64_t rel, uint8_t *type,
                                 uint32_t *len);
MDEC_HIDDEN enum det mdec__tls_detect(const struct win *w);

/* QUIC (quic.c): a long header with a known version starts a flow; then
 * each datagram's class. */
MDEC_HIDDEN enum det mdec__quic_detect(const struct win *w);
MDEC_HIDDEN enum mdec_vis mdec__quic_datagram(const struct win *w);

/* SSH (ssh.c): the identification string "SSH-2.0-" / "SSH-1.99-"; the
 * offset just past the line's '\n' within the present bytes from rel (0
 * when not present); a binary packet header at rel (1 valid with its
 * packet_length and message code, 0 invalid, 2 not present). */
MDEC_HIDDEN enum det mdec__ssh_detect(const struct win *w);
MDEC_HIDDEN uint64_t mdec__ssh_line_end(const struct win *w, uint64_t rel);
MDEC_HIDDEN int mdec__ssh_packet(const struct win *w, uint64_t rel, uint32_t *len, uint8_t *msg);

/* IPsec (esp.c): ESP as IP protocol 50, or UDP-encapsulated on port 4500. */
MDEC_HIDDEN enum det mdec__esp_detect(const struct win *w, const struct pkt_meta *m);

/* WireGuard (wireguard.c). */
MDEC_HIDDEN enum det mdec__wireguard_detect(const struct win *w);

/* Cleartext (plain.c): an HTTP/1.x request or status line, a DNS message
 * on port 53 or 5353, or printable text. */
MDEC_HIDDEN enum det mdec__http_detect(const struct win *w);
MDEC_HIDDEN enum det mdec__dns_detect(const struct win *w, const struct pkt_meta *m);
MDEC_HIDDEN enum det mdec__text_detect(const struct win *w);

/* classify.c: decides a flow's app from the first payload bytes (or keeps
 * MDEC_APP_NONE while the deciding bytes are cut). */
MDEC_HIDDEN enum mdec_app mdec__classify_app(const struct win *w, const struct pkt_meta *m);

/* classify.c: counts one packet's payload bytes into h by class; seq is
 * the TCP sequence number of the payload's first byte (tcp: 1).  Returns
 * the class of the packet (mdec_health.vis_packets). */
MDEC_HIDDEN enum mdec_vis mdec__classify_payload(struct flow *f, unsigned dir, const struct win *w,
                                                 int tcp, uint32_t seq, struct mdec_health *h);

#endif /* MDEC_HEALTH_INT_H */

/*
 * mirrordec/health.h - mirror health: how much of the mirrored traffic the
 * sensor really sees (capture loss) and how much of what it sees an IDS can
 * inspect (visibility), per mirror session.
 *
 * Include <mirrordec.h> rather than this file.
 *
 *   size_t need = mdec_flows_size(65536, sessions);
 *   void *mem = aligned_alloc(MDEC_FLOWS_ALIGN, need);     // caller's memory
 *   struct mdec_hash_key key;  getrandom(&key, sizeof key, 0); // the hash key
 *   struct mdec_flows *f = mdec_flows_init(mem, need, 65536, sessions,
 *                                          120 * MDEC_NS_PER_S, &key);
 *   ... per packet, after mdec_table_process():
 *   if (m.verdict == MDEC_VERDICT_ACCEPT) mdec_flows_packet(f, &res, m.index, ts_ns);
 *   ... at the end, or every few seconds:
 *   struct mdec_health_summary s;
 *   mdec_health_summarize(mdec_flows_counters(f, index), &s);
 *
 * A flow tracker keeps, for a bounded number of flows, only what the two
 * reports need: per direction the TCP sequence numbers seen and acknowledged
 * and a few bytes of protocol state.  Flows are keyed by session index and
 * the inner 5-tuple, both directions one entry, through a keyed hash (a
 * sender chooses its 5-tuples: the key, from the caller, keeps it from
 * choosing collisions).  A flow lives in one of two buckets of
 * MDEC_FLOWS_PROBE slots; a flow idle for longer than idle_ns (packet
 * timestamps) is expired when its slot is wanted, and when both buckets
 * hold live flows only, the one idle longest is evicted and counted.  Per packet: O(1), no
 * allocation.
 *
 * Capture loss (TCP), in the spirit of Zeek's capture_loss: an ACK that
 * advances over a stream whose sender the sensor has seen is an "ack"; one
 * that acknowledges bytes the sensor never saw (a sequence gap: the
 * receiver got them, the mirror did not deliver them) is also a "gap", and
 * those bytes are the estimated missing bytes.  Sequence wrap, SYN and FIN,
 * retransmissions and reordering (which fill gaps before an ACK judges
 * them) and flows whose start was missed are handled.  What it cannot see:
 * UDP and other protocols without acknowledgements; a stream of which the
 * sensor never saw the sender (a mirror of one direction only: its ACKs
 * are counted in acks_one_way and the summary says "no evidence" instead
 * of 0 %); data sent after the last ACK mirrored; more than
 * MDEC_FLOWS_HOLES separate holes in one stream between two ACKs (the
 * holes are merged, which over-counts the bytes between them: counted in
 * hole_merges).  docs/health.md says how it compares with Zeek's.
 *
 * Visibility: every payload byte of an inner packet is counted as
 * cleartext an IDS can inspect, encrypted, cut (the wire had it, the copy
 * does not: a mirror's packet length, the capture's snaplen) or unknown,
 * from a few bytes of evidence at the start of a flow or of a record: TLS
 * records (RFC 8446 5.1), QUIC long and short headers (RFC 9000 17), SSH
 * after its banner (RFC 4253 4.2), IPsec ESP and its UDP encapsulation
 * (RFC 4303, RFC 3948), WireGuard's message types, and cleartext HTTP, DNS
 * and text protocols.  Nothing past a packet's captured bytes is read.
 *
 * Memory and threads: the tracker lives entirely in the caller's buffer,
 * holds pointers into it (it cannot be copied or moved) and has no locks.
 * One tracker per worker; each worker's per-session counters are plain
 * structs that mdec_health_add() sums across workers, as the session
 * counters are summed.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MIRRORDEC_HEALTH_H
#define MIRRORDEC_HEALTH_H

#include "common.h"
#include "decode.h"
#include "flowid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- constants */

#define MDEC_FLOWS_ALIGN 64      /* alignment the tracker's memory must have   */
#define MDEC_FLOWS_PROBE 8       /* slots a lookup probes, at most             */
#define MDEC_FLOWS_HOLES 2       /* sequence holes kept per stream             */
#define MDEC_NS_PER_S UINT64_C(1000000000)

/* ------------------------------------------------------------ the classes */

/* What a payload byte is to an IDS.  The values are pinned. */
enum mdec_vis {
    MDEC_VIS_CLEARTEXT = 0, /* inspectable: a cleartext protocol, or the
                               cleartext part of one (TLS handshake records,
                               SSH before its NEWKEYS)                      */
    MDEC_VIS_ENCRYPTED = 1, /* TLS application data, QUIC, SSH after NEWKEYS,
                               ESP, WireGuard                               */
    MDEC_VIS_CUT = 2,       /* on the wire, absent from the copy            */
    MDEC_VIS_UNKNOWN = 3    /* present, but no evidence either way          */
};
#define MDEC_VIS_COUNT 4

/* The protocol a flow's payload was recognised as.  The values are pinned;
 * new ones take free numbers below MDEC_APP_MAX. */
enum mdec_app {
    MDEC_APP_NONE = 0,      /* not decided yet: no payload byte seen        */
    MDEC_APP_OTHER = 1,     /* payload matched no classifier (unknown)      */
    MDEC_APP_TEXT = 2,      /* printable text: SMTP, IMAP, FTP, Redis, ...  */
    MDEC_APP_HTTP = 3,      /* an HTTP/1.x request or status line           */
    MDEC_APP_DNS = 4,       /* a DNS message on port 53 or 5353             */
    MDEC_APP_TLS = 5,       /* TLS records (RFC 8446 5.1; 1.0 to 1.3)        */
    MDEC_APP_QUIC = 6,      /* QUIC v1 or v2 (RFC 9000 17, RFC 9369)         */
    MDEC_APP_SSH = 7,       /* SSH-2 (RFC 4253 4.2)                          */
    MDEC_APP_ESP = 8,       /* IPsec ESP, IP protocol 50 or UDP 4500 (NAT-T) */
    MDEC_APP_WIREGUARD = 9  /* WireGuard's four message types               */
};
#define MDEC_APP_MAX 16 /* every app value is below this */

/* What the capture-loss figures rest on (mdec_health_summary.evidence). */
enum mdec_loss_evidence {
    MDEC_LOSS_NO_TCP = 0,  /* no TCP ACK was seen: nothing to judge by      */
    MDEC_LOSS_ONE_WAY = 1, /* ACKs were seen, but only of streams whose
                              sender the sensor never saw: the mirror
                              delivers one direction only                  */
    MDEC_LOSS_ACKS = 2     /* ACKs of seen streams: the estimate stands     */
};

/* ------------------------------------------------------------- counters */

/*
 * What one tracker counted for one session.  Plain counters: add them up
 * across workers with mdec_health_add(), derive figures with
 * mdec_health_summarize().  Payload bytes are the inner L4 payload's (the
 * IP payload for protocols without a decoded L4 header, ESP included).
 */
struct mdec_health {
    uint64_t packets;      /* packets handed to mdec_flows_packet()         */
    uint64_t untracked;    /* of those, with no flow: no inner IP, a later
                              fragment, ports not captured                 */
    uint64_t flows;        /* flows created for this session                */
    uint64_t tcp_packets;  /* tracked TCP segments                          */
    uint64_t acks;         /* ACKs advancing over a stream whose sender was
                              seen (Zeek's ack events)                     */
    uint64_t ack_bytes;    /* bytes those ACKs acknowledged                 */
    uint64_t gaps;         /* of those ACKs, the ones acknowledging bytes
                              never seen (Zeek's gap events)               */
    uint64_t gap_bytes;    /* those bytes: the estimated missing bytes      */
    uint64_t acks_one_way; /* ACKs advancing over a stream whose sender was
                              never seen: no evidence either way           */
    uint64_t hole_merges;  /* holes merged because a stream had more than
                              MDEC_FLOWS_HOLES (gap_bytes may be high)     */
    uint64_t vis_packets[MDEC_VIS_COUNT]; /* packets with payload, by class:
                              CUT when any payload byte was cut, else the
                              class of the first payload byte            */
    uint64_t vis_bytes[MDEC_VIS_COUNT];   /* payload bytes on the wire, by
                              class; they add up to every payload byte     */
    uint64_t app_flows[MDEC_APP_MAX]; /* flows, by the protocol they were
                              recognised as (counted when decided)         */
    uint64_t app_bytes[MDEC_APP_MAX]; /* present payload bytes, by the
                              protocol of their flow                       */
};

/* The tracker's own figures (mdec_flows_get_stats). */
struct mdec_flows_stats {
    uint32_t capacity; /* slots, as given to mdec_flows_init()              */
    uint32_t active;   /* slots holding a flow (expired ones not yet
                          reclaimed included)                             */
    uint64_t created;  /* flows created                                     */
    uint64_t expired;  /* flows reclaimed after idle_ns without a packet   */
    uint64_t evicted;  /* live flows evicted: every probed slot was in use */
    uint64_t bad_session; /* packets with a session index out of range
                          (MDEC_FLOWS_SKIP aside): counted here only      */
};

/* ---------------------------------------------------------------- tracker */

struct mdec_flows; /* opaque: lives in the caller's buffer */

/*
 * Bytes a tracker of `capacity` flow slots (rounded up to a power of two,
 * 1..2^26) keeping counters for `n_sessions` session indexes (1..2^26)
 * needs; 0 when an argument is out of range.  136 bytes a slot (the flow,
 * and its share of its bucket's line of tags and times) and 400 a session
 * index: keep capacity at least 1.5 times the flows expected at once (a
 * flow may live in two buckets of MDEC_FLOWS_PROBE slots; at half full,
 * 0.02 % of new flows find both full and evict one).
 */
MDEC_API size_t mdec_flows_size(uint32_t capacity, uint32_t n_sessions);

/*
 * Builds an empty tracker in mem (size bytes, at least mdec_flows_size(),
 * aligned to MDEC_FLOWS_ALIGN; need not be zeroed).  Session indexes
 * 0..n_sessions-1 are counted: with a session table of capacity C, pass
 * C + 1 and the match's index (the default session's is C).  A flow idle
 * for idle_ns (1 ns .. 2^63, packet time) is expired.  key: the secret
 * key of the tracker's SipHash (flowid.h), copied; pick it at random
 * (getrandom) so that senders cannot aim at one slot.  Returns the
 * tracker, which starts at mem, or NULL when an argument is out of range.
 * O(capacity + n_sessions).  The memory stays the caller's.
 */
MDEC_API struct mdec_flows *mdec_flows_init(void *mem, size_t size, uint32_t capacity,
                                            uint32_t n_sessions, uint64_t idle_ns,
                                            const struct mdec_hash_key *key);

/* What mdec_flows_packet() did with a packet. */
enum mdec_track {
    MDEC_TRACK_NONE = 0,    /* not tracked (see mdec_health.untracked), or a
                               session index out of range                  */
    MDEC_TRACK_FOUND = 1,   /* the packet's flow was in the table            */
    MDEC_TRACK_NEW = 2,     /* a flow was created in a free or expired slot  */
    MDEC_TRACK_EVICTED = 3  /* a flow was created in place of a live one     */
};

/*
 * Tracks one decoded packet of session `session` (an index below
 * n_sessions) seen at ts_ns (nanoseconds, any epoch, from the capture:
 * idle expiry follows it; a timestamp that goes back is taken as the latest
 * seen).  Reads res and, for TCP sequence numbers and the classifiers, the
 * frame's bytes through res->frame, never past res->cap_len: the frame
 * must still be valid.  Updates the session's counters and the flow.
 * Never fails; returns what it did.  One thread at a time.
 */
MDEC_API enum mdec_track mdec_flows_packet(struct mdec_flows *t, const struct mdec_result *res,
                                           uint32_t session, uint64_t ts_ns);

/* A session index that skips a packet without counting it anywhere: what
 * a caller of mdec_flows_packet_burst() gives the packets of a burst it
 * did not accept, so that the burst needs no copying. */
#define MDEC_FLOWS_SKIP UINT32_MAX

/*
 * mdec_flows_packet() for res[0..n), with session[i] and ts_ns[i] (ts_ns
 * may be NULL: every packet at the latest time seen), leaving everything
 * as n calls in order would; every packet's flow slot is computed and
 * fetched first, which pays when the flows are many.  Returns how many
 * packets were tracked (not MDEC_TRACK_NONE).
 */
MDEC_API size_t mdec_flows_packet_burst(struct mdec_flows *t, const struct mdec_result *res,
                                        const uint32_t *session, const uint64_t *ts_ns,
                                        size_t n);

/*
 * The counters of session index `session`: a pointer into the tracker's
 * memory, valid while the tracker is; NULL for an index out of range.  The
 * caller may reset them (while no packet is being tracked), e.g. when the
 * session table gives the index to a new session.
 */
MDEC_API struct mdec_health *mdec_flows_counters(struct mdec_flows *t, uint32_t session);

/* The tracker's figures: a pointer into its memory, valid while it is. */
MDEC_API const struct mdec_flows_stats *mdec_flows_get_stats(const struct mdec_flows *t);

/* Forgets every flow and zeroes every counter and figure; keeps the key,
 * idle time and sizes.  O(capacity + n_sessions). */
MDEC_API void mdec_flows_clear(struct mdec_flows *t);

/* ------------------------------------------------------------- summaries */

/* Figures derived from a struct mdec_health (mdec_health_summarize). */
struct mdec_health_summary {
    uint8_t evidence;          /* enum mdec_loss_evidence                    */
    uint8_t pad_[7];
    double loss_percent;       /* with MDEC_LOSS_ACKS only: gap_bytes
                                  / ack_bytes * 100, the share of the
                                  acknowledged bytes the sensor missed      */
    double gap_ack_percent;    /* gaps / acks * 100: Zeek's percent_lost     */
    uint64_t payload_bytes;    /* payload bytes on the wire (the sum of
                                  vis_bytes)                                */
    double vis_percent[MDEC_VIS_COUNT]; /* each class's share of
                                  payload_bytes, 0 when there are none      */
};

/*
 * Adds every counter of c to sum (saturating nothing: 64-bit counters).
 * Not atomic: one writer per sum.
 */
MDEC_API void mdec_health_add(struct mdec_health *sum, const struct mdec_health *c);

/* Fills *s from c: the evidence, the loss figures (0 unless the evidence
 * is MDEC_LOSS_ACKS) and the visibility shares. */
MDEC_API void mdec_health_summarize(const struct mdec_health *c, struct mdec_health_summary *s);

/* ---------------------------------------------------------------- helpers */

/* "cleartext", "encrypted", "cut", "unknown"; "?" outside the enum. */
MDEC_API const char *mdec_vis_name(enum mdec_vis vis);
/* "none", "other", "text", "http", "dns", "tls", "quic", "ssh", "esp",
 * "wireguard"; "?" outside the enum. */
MDEC_API const char *mdec_app_name(enum mdec_app app);
/* "no_tcp", "one_way", "acks"; "?" outside the enum. */
MDEC_API const char *mdec_loss_evidence_name(enum mdec_loss_evidence e);
/* "none", "found", "new", "evicted"; "?" outside the enum. */
MDEC_API const char *mdec_track_name(enum mdec_track track);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_HEALTH_H */

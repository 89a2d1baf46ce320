/*
 * mirrordec/session.h - map each mirrored packet to its mirror session.
 *
 * Include <mirrordec.h> rather than this file.
 *
 * A mirror session is named by the tunnel that delivers it: the VNI of an
 * AWS VXLAN mirror, the endpoint id of a Gateway Load Balancer, the 10-bit
 * ERSPAN session id, a GRE key.  A session table maps those keys to the
 * caller's sessions, refuses packets from senders a session does not allow
 * (forged mirror traffic), derives each packet's direction, applies the
 * session's filter and counts.
 *
 *   size_t need = mdec_table_size(1024);
 *   void *mem = aligned_alloc(MDEC_TABLE_ALIGN, need);      // caller's memory
 *   struct mdec_table *t = mdec_table_init(mem, need, 1024, NULL);
 *   struct mdec_key k = { MDEC_KEY_VXLAN, 1, {0}, 123 };
 *   struct mdec_session *s;
 *   mdec_table_add(t, &k, &s);
 *   mdec_session_set_allow(t, s, &eni_prefix, 1);           // copied
 *   ...
 *   struct mdec_match m;
 *   if (mdec_table_process(t, &res, &m) == MDEC_VERDICT_ACCEPT) deliver(m.session);
 *
 * Memory: the table lives entirely inside the caller's buffer and allocates
 * nothing.  Sessions belong to the table: read their fields, but change
 * their settings (allow-list, own addresses, filter, name) only through the
 * mdec_session_set_*() functions, which keep the table's derived data
 * (address words and masks) next to them.  Session pointers stay valid until
 * the session is removed or the table cleared; a session's index never
 * changes while it exists.  A filter set on a session stays the caller's and
 * must outlive the session's use of it; everything else is copied.  The
 * table holds pointers into its own buffer: it cannot be copied or moved.
 *
 * Cost: find, add and remove take expected O(1) time (a hash index over slot
 * numbers, at most half full); each step of a walk (mdec_table_next) reads
 * at most 10 bitmap words whatever the table's size; mdec_table_init() and
 * mdec_table_clear() take O(capacity).  Per packet, process adds a lookup,
 * the allow-list (at most MDEC_SESSION_ALLOW prefixes) and the filter.
 * mdec_table_process_burst() does the same for many packets at once,
 * fetching every packet's index bucket and session before it needs them:
 * the way to go when the sessions are many and the traffic spread over them.
 *
 * Threads: a table has no locks and no function keeps state anywhere else.
 *  - One table per worker: each worker calls mdec_table_process() on its own
 *    table; nothing is shared.
 *  - One shared table that no thread modifies while workers run: workers
 *    call only mdec_table_classify() (helpers, at the end), which writes
 *    nothing but the caller's match, and keep counters of their own.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MIRRORDEC_SESSION_H
#define MIRRORDEC_SESSION_H

#include "common.h"
#include "decode.h"
#include "filter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------- keys */

/*
 * What kind of id keys a session.  Kinds 1..63 are the tunnel types of the
 * same value (decode.h), those to come included; 64 and above are ids that
 * a tunnel carries in its options.  The values are pinned.
 */
enum mdec_key_kind {
    MDEC_KEY_NONE = 0,      /* no tunnel: the packet was not tunneled        */
    MDEC_KEY_VXLAN = 1,     /* VXLAN VNI                                     */
    MDEC_KEY_VXLAN_GPE = 2, /* VXLAN-GPE VNI                                 */
    MDEC_KEY_GENEVE = 3,    /* GENEVE VNI (no AWS GWLB endpoint option)      */
    MDEC_KEY_ERSPAN = 4,    /* ERSPAN session id                             */
    MDEC_KEY_GRE = 5,       /* GRE key (NVGRE: VSID << 8 | FlowID)           */
    MDEC_KEY_GWLB = 64      /* GENEVE with an AWS GWLB endpoint id option    */
};

struct mdec_key {
    uint8_t kind;   /* enum mdec_key_kind                                    */
    uint8_t has_id; /* 0 when the tunnel carries no id (ERSPAN type I, GRE
                       without a key, VXLAN-GPE without I); id is then 0   */
    uint8_t pad_[6];/* set to 0                                              */
    uint64_t id;
};

/*
 * Writes "vxlan:123", "gwlb:0x0123456789abcdef" (always 16 hex digits),
 * "erspan:-" (no id), "none" into buf, NUL-terminated.  Returns the text
 * length, MDEC_E_NOSPACE (buf then holds the text cut, when size > 0), or
 * MDEC_E_INVALID for a kind outside enum mdec_key_kind (buf then holds "").
 * 32 bytes always do.
 */
MDEC_API int mdec_key_format(const struct mdec_key *key, char *buf, size_t size);

/*
 * Parses what mdec_key_format writes from text[0..len) (need not be
 * NUL-terminated): "none", KIND ":" ID, KIND ":-" (no id; not for gwlb), or
 * a bare ID, which means a VXLAN VNI (AWS names sessions by VNI).  Kind
 * names may be in any letter case.  Ids are decimal without leading zeros,
 * or 0x-prefixed hex, and must fit the kind (24 bits for VNIs, 10 for
 * ERSPAN, 32 for GRE, 64 for GWLB).  Returns 0, or MDEC_E_SYNTAX with err
 * (may be NULL) giving the column (1 = text[0]) and what was expected; *key
 * is then unchanged.
 */
MDEC_API int mdec_key_parse(const char *text, size_t len, struct mdec_key *key,
                            struct mdec_parse_error *err);

/* "none", "vxlan", "vxlan-gpe", "geneve", "erspan", "gre", "gwlb"; "?". */
MDEC_API const char *mdec_key_kind_name(enum mdec_key_kind kind);

/* --------------------------------------------------------------- sessions */

struct mdec_table; /* opaque: lives in the caller's buffer (below) */

#define MDEC_NAME_MAX 32      /* bytes of a session name, NUL included      */
#define MDEC_SESSION_ALLOW 8  /* sender prefixes a session's allow-list holds */
#define MDEC_SESSION_ADDRS 4  /* own addresses a session records            */
#define MDEC_NO_INDEX UINT32_MAX /* "no session" where an index is expected */

/*
 * Per-session counters, as mdec_table_process() keeps them.
 *
 * packets counts the packets from allowed senders, whatever their decode
 * status and whether the filter accepted them (verdict ACCEPT or REJECT);
 * bytes_wire, bytes_cap, truncated, malformed, filtered and duplicates count
 * among those same packets, so packets - filtered - duplicates were
 * delivered.  A forged packet counts in forged only.
 *
 * Bytes are those of the mirrored (inner) packet, res->inner.wire_len and
 * res->inner.cap_len, whenever the decoder reached it (res->has_inner), as a
 * pcap record or JSON line of it shows them; for a packet that failed before
 * its inner packet began, the frame's res->wire_len and res->cap_len.  wire
 * is the length when mirrored, cap the bytes present; they differ for
 * truncated packets.
 */
struct mdec_counters {
    uint64_t packets;    /* from allowed senders: accepted + filtered      */
    uint64_t bytes_wire; /* of those packets, inner length when mirrored   */
    uint64_t bytes_cap;  /* of those packets, inner bytes present          */
    uint64_t truncated;  /* of those packets, status MDEC_STATUS_TRUNCATED */
    uint64_t malformed;  /* of those packets, status MDEC_STATUS_MALFORMED */
    uint64_t filtered;   /* of those packets, refused by the filter        */
    uint64_t forged;     /* refused: sender not in the allow-list; not in
                            packets                                        */
    uint64_t duplicates; /* of those packets, accepted by the table, then
                            found to be copies by a dedup window (dedup.h),
                            which counts them here                        */
};

/*
 * A session, as the table shows it.  key, index and name are read-only;
 * counters are the table's to update and the caller's to read (or reset
 * while no packet is being processed); user is the caller's, never touched.
 */
struct mdec_session {
    struct mdec_key key;
    uint32_t index;                /* slot 0..capacity-1; the default
                                      session's is capacity               */
    uint32_t pad_;
    struct mdec_counters counters;
    void *user;
    char name[MDEC_NAME_MAX];      /* NUL-terminated; learned: key text   */
};

/*
 * The settings of session s of table t.  Each returns 0, or an mdec_error
 * and changes nothing (except set_name, which stores a name too long for it
 * cut and says so).  Call them while no packet is being processed.
 *
 * set_allow: the senders allowed: the carrier source of the keying tunnel
 *   (the frame's outer source, or one a trusted transport vouches for: the
 *   trust rule of decode.h) must lie in one of allow[0..n), or the packet is
 *   refused as forged and counted.  n == 0 allows every sender (the state of
 *   a new session).  A packet with no known sender (a UDP payload decoded
 *   without one, a frame without a tunnel) is refused while n > 0.  A prefix
 *   matches addresses of its own family only: allow 0.0.0.0/0 and ::/0 for
 *   every sender.  Copied.  MDEC_E_NOSPACE above MDEC_SESSION_ALLOW,
 *   MDEC_E_INVALID for a prefix of no family or too long for it.
 * set_local: the mirrored interface's own addresses, to derive direction:
 *   egress when the inner source is one of them, ingress when the inner
 *   destination is (the source wins when both are), unknown otherwise.  n
 *   == 0 (the default): the keying tunnel's carrier source stands in (AWS
 *   sets it to the interface's primary address).  Copied.  MDEC_E_NOSPACE
 *   above MDEC_SESSION_ADDRS, MDEC_E_INVALID for an address of no family.
 * set_filter: the session's AWS filter (NULL: every packet is accepted).
 *   The filter is the caller's and must outlive its use here.
 * set_name: copies name (NULL: the empty name); MDEC_E_NOSPACE when it had
 *   to be cut to MDEC_NAME_MAX - 1 bytes (it is stored cut).
 */
MDEC_API int mdec_session_set_allow(struct mdec_table *t, struct mdec_session *s,
                                    const struct mdec_prefix *allow, size_t n);
MDEC_API int mdec_session_set_local(struct mdec_table *t, struct mdec_session *s,
                                    const struct mdec_addr *local, size_t n);
MDEC_API int mdec_session_set_filter(struct mdec_table *t, struct mdec_session *s,
                                     const struct mdec_filter *filter);
MDEC_API int mdec_session_set_name(struct mdec_table *t, struct mdec_session *s,
                                   const char *name);

/* ------------------------------------------------------------------ table */

/*
 * What the table does with a packet whose key has no session.  A packet with
 * no tunnel at all (not tunneled, or failed to decode before the first
 * tunnel) has the key "none" and follows the same policy: it goes to a
 * session added for the key "none" when there is one, else to the policy.
 */
enum mdec_unknown_policy {
    MDEC_UNKNOWN_DROP = 0,    /* verdict MDEC_VERDICT_UNKNOWN_SESSION, counted */
    MDEC_UNKNOWN_DEFAULT = 1, /* deliver to the table's default session, which
                                 then acts as the packet's session (its
                                 allow-list, addresses, filter, counters)     */
    MDEC_UNKNOWN_LEARN = 2    /* mdec_table_process() adds a session for the
                                 key while capacity lasts, named by the key's
                                 text, with the learn_* template below; the
                                 packet is then classified against it.  Only
                                 a packet whose status is not MALFORMED or
                                 UNSUPPORTED and, when tunneled, whose
                                 mirrored IP header was decoded creates one
                                 (else learn_invalid: garbage behind a tunnel
                                 header creates no session);
                                 only one whose sender the learn allow-list
                                 allows (else verdict FORGED, learn_forged);
                                 only while there is room (else learn_full). */
};

struct mdec_table_config {
    uint8_t unknown; /* enum mdec_unknown_policy; default DROP */
    uint8_t pad_[7];
    /*
     * What a session added by MDEC_UNKNOWN_LEARN starts with, so that the
     * packet that creates it is already checked and filtered: its filter
     * (NULL: none; the caller's, must outlive the table) and its allow-list
     * (n_learn_allow 0: any sender; at most MDEC_SESSION_ALLOW, copied).
     */
    const struct mdec_filter *learn_filter;
    const struct mdec_prefix *learn_allow;
    uint32_t n_learn_allow;
};

/* Table-wide figures, kept by mdec_table_process(). */
struct mdec_table_stats {
    uint32_t count;      /* sessions in the table (the default not included) */
    uint32_t capacity;   /* as given to mdec_table_init()                    */
    uint64_t unknown;    /* packets whose key had no session (all policies)  */
    uint64_t dropped;    /* of those, dropped: verdict UNKNOWN_SESSION, or
                            FORGED when learning refused the sender         */
    uint64_t learned;    /* sessions added by MDEC_UNKNOWN_LEARN             */
    uint64_t learn_full; /* not learned: the table was full (in dropped)    */
    uint64_t learn_forged; /* not learned: the sender is outside the learn
                            allow-list, or not vouched for (in dropped)     */
    uint64_t learn_invalid; /* not learned: a malformed or unsupported packet,
                            or a tunnel carrying no IP (in dropped)         */
};

#define MDEC_TABLE_ALIGN 64 /* alignment the table's memory must have */

/*
 * Bytes a table for `capacity` sessions needs (capacity 1..2^26), or 0 when
 * the capacity is out of range or the size does not fit in a size_t.
 */
MDEC_API size_t mdec_table_size(uint32_t capacity);

/*
 * Builds an empty table of `capacity` sessions in mem (size bytes, at least
 * mdec_table_size(capacity), aligned to MDEC_TABLE_ALIGN; it need not be
 * zeroed).  cfg NULL means the defaults.  Returns the table, which starts at
 * mem, or NULL when an argument is out of range: mem NULL or misaligned,
 * size too small, capacity outside 1..2^26, a cfg field outside its enum, a
 * learn allow-list too long or holding an invalid prefix.  The default
 * session starts with key "none", no name and no settings.  O(capacity).
 * The memory stays the caller's: to discard the table, stop using it.
 */
MDEC_API struct mdec_table *mdec_table_init(void *mem, size_t size, uint32_t capacity,
                                            const struct mdec_table_config *cfg);

/*
 * Adds a session for key, with no settings, zero counters and an empty
 * name; stores it in *out (may be NULL).  Returns 0, or the first that
 * applies, changing nothing: MDEC_E_INVALID (key NULL, kind outside the
 * enum, has_id not 0 or 1, an id too large for the kind, an id without
 * has_id, "none" with an id, "gwlb" without one), MDEC_E_EXISTS,
 * MDEC_E_NOSPACE (the table holds capacity sessions: nothing is evicted).
 * The new session takes the slot most recently freed, else the lowest never
 * used.  Expected O(1).
 */
MDEC_API int mdec_table_add(struct mdec_table *t, const struct mdec_key *key,
                            struct mdec_session **out);

/* The session for key (kind, has_id and id; padding ignored), or NULL.  Never
 * the default session.  Expected O(1). */
MDEC_API struct mdec_session *mdec_table_find(const struct mdec_table *t,
                                              const struct mdec_key *key);

/* Removes the session for key; its pointer becomes invalid.  Returns 0 or
 * MDEC_E_NOTFOUND.  Expected O(1). */
MDEC_API int mdec_table_remove(struct mdec_table *t, const struct mdec_key *key);

/*
 * Iterates: NULL gives the first session, a session the next one, NULL at
 * the end, in index order.  The default session is not part of the walk
 * (passing it, or a session of another table, gives NULL).  prev is only
 * used for its index, so sessions may be removed during a walk (the current
 * one included: pass it on to get the next).  O(1) per step.
 */
MDEC_API struct mdec_session *mdec_table_next(const struct mdec_table *t,
                                              const struct mdec_session *prev);

/*
 * Removes every session and zeroes the statistics and the default session's
 * counters; the default session keeps its settings.  O(capacity).
 */
MDEC_API void mdec_table_clear(struct mdec_table *t);

/* The default session that MDEC_UNKNOWN_DEFAULT delivers to: key "none",
 * index capacity.  It always exists. */
MDEC_API struct mdec_session *mdec_table_default(struct mdec_table *t);

/* The table's figures: a pointer into the table's memory, valid while the
 * table is.  mdec_table_process() updates them: read them from the thread
 * that processes packets.  (Named _get_stats so that C++, where the
 * struct's name is also a type name, can include this header.) */
MDEC_API const struct mdec_table_stats *mdec_table_get_stats(const struct mdec_table *t);

/* ------------------------------------------------------- per-packet calls */

/* What the table decided for one packet. */
struct mdec_match {
    struct mdec_session *session; /* NULL when UNKNOWN_SESSION             */
    uint32_t index;               /* session->index; MDEC_NO_INDEX when
                                     session is NULL                      */
    uint8_t verdict;              /* enum mdec_verdict                    */
    uint8_t direction;            /* enum mdec_direction; UNKNOWN when the
                                     verdict is FORGED or UNKNOWN_SESSION */
    int8_t key_tunnel;            /* tunnel index that keyed it; -1 none  */
    uint8_t pad_;
    struct mdec_key key;          /* the packet's key, found or not       */
};

/*
 * Decides and counts one decoded packet, in this order:
 *  1. key (the innermost tunnel peeled: mdec_key_from_result), and its
 *     session; without one, the default session under MDEC_UNKNOWN_DEFAULT,
 *     learning under MDEC_UNKNOWN_LEARN, else verdict UNKNOWN_SESSION;
 *  2. sender check: with an allow-list, the keying tunnel's carrier source
 *     must lie in it, else verdict FORGED; a result in which a tunnel outside
 *     the keying one is not a trusted transport (mdec_decode never gives
 *     one) is FORGED whatever the allow-list;
 *  3. direction (see mdec_session_set_local);
 *  4. the session's filter, when set: mdec_filter_eval(filter, res,
 *     direction) gives ACCEPT or REJECT; without one, ACCEPT;
 *  5. the session's counters and the table statistics.
 * The decode status is not judged: truncated and malformed packets of an
 * allowed sender go on to the filter and are counted by status.  Returns the
 * verdict, also stored in m with the rest of the match.  Writes to the
 * table: one thread at a time.
 */
MDEC_API enum mdec_verdict mdec_table_process(struct mdec_table *t, const struct mdec_result *res,
                                              struct mdec_match *m);

/*
 * mdec_table_process() for res[0..n), into m[0..n): each match and every
 * count exactly as n calls in order would leave them.  Faster when the
 * sessions are many: every packet's key and bucket are computed and fetched
 * first, then every session, then the decisions made.  Returns how many
 * packets were accepted.
 */
MDEC_API size_t mdec_table_process_burst(struct mdec_table *t, const struct mdec_result *res,
                                         size_t n, struct mdec_match *m);

/* ---------------------------------------------------------------- helpers */

/*
 * For sharded workers and for callers that build their own pipeline.
 *
 * mdec_table_classify: steps 1-4 of mdec_table_process() without writing to
 * the table (learning acts as DROP); safe from many threads at once on a
 * table nobody modifies.  A worker keeps its own counters, an array of
 * capacity + 1 struct mdec_counters indexed by m.index, updated with
 * mdec_counters_add(); summing the workers' arrays gives what
 * mdec_table_process() would have counted.  _burst: the same for n packets.
 *
 * mdec_counters_add: the packet's effect on counters, as step 5 counts it:
 * FORGED adds 1 to forged; ACCEPT and REJECT add to packets, bytes and by
 * status, REJECT also to filtered; other verdicts change nothing.  Not
 * atomic: one writer per counters struct.
 *
 * mdec_key_from_result: the key of a decoded packet (step 1), from its
 * innermost tunnel peeled: a GENEVE tunnel with an AWS GWLB endpoint id
 * gives kind MDEC_KEY_GWLB and that id; any other tunnel the kind of its
 * type and, with MDEC_TF_ID, its id (else has_id 0, id 0).  Returns the
 * index in res->tunnels of that tunnel, or -1 when the result holds none
 * (key->kind MDEC_KEY_NONE).
 */
MDEC_API enum mdec_verdict mdec_table_classify(const struct mdec_table *t,
                                               const struct mdec_result *res,
                                               struct mdec_match *m);
MDEC_API size_t mdec_table_classify_burst(const struct mdec_table *t,
                                          const struct mdec_result *res, size_t n,
                                          struct mdec_match *m);
MDEC_API void mdec_counters_add(struct mdec_counters *c, const struct mdec_result *res,
                                enum mdec_verdict verdict);
MDEC_API int mdec_key_from_result(const struct mdec_result *res, struct mdec_key *key);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_SESSION_H */

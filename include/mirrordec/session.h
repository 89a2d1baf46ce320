/*
 * mirrordec/session.h - map each mirrored packet to its mirror session.
 *
 * Include <mirrordec.h> rather than this file.
 *
 * A mirror session is named by the tunnel that delivers it: the VNI of an
 * AWS VXLAN mirror, the endpoint id of a Gateway Load Balancer, the 10-bit
 * ERSPAN session id, a GRE key.  A session table maps those keys to the
 * caller's sessions, refuses packets from outer sources a session does not
 * allow (forged mirror traffic), derives each packet's direction, applies the
 * session's filter and counts.
 *
 *   size_t need = mdec_table_size(1024);
 *   void *mem = aligned_alloc(MDEC_TABLE_ALIGN, need);      // caller's memory
 *   struct mdec_table *t = mdec_table_init(mem, need, 1024, NULL);
 *   struct mdec_key k = { MDEC_KEY_VXLAN, 1, {0}, 123 };
 *   struct mdec_session *s = mdec_table_add(t, &k, NULL);
 *   ...
 *   struct mdec_match m;
 *   if (mdec_table_process(t, &res, &m) == MDEC_VERDICT_ACCEPT) deliver(m.session);
 *
 * Memory: the table lives entirely inside the caller's buffer and allocates
 * nothing.  Session pointers stay valid until the session is removed or the
 * table cleared; a session's slot index (mdec_session_index) never changes
 * while it exists.  Memory a session points to (allow-list, filter, user)
 * stays the caller's and must outlive the session.  The table holds pointers
 * into its own buffer: it cannot be copied or moved to another address.
 *
 * Cost: find, add and remove take expected O(1) time (a hash index over slot
 * numbers, at most half full); each step of a walk (mdec_table_next) reads
 * at most 10 bitmap words whatever the table's size; mdec_table_init() and
 * mdec_table_clear() take O(capacity).  Per packet, classify and process add
 * a lookup, the allow-list (O(n_allow)) and the filter.
 *
 * Threads: a table has no locks and no function keeps state anywhere else.
 *  - One table per worker: each worker calls mdec_table_process() on its own
 *    table; nothing is shared.
 *  - One shared table that no thread modifies while workers run (no add,
 *    remove, clear, process, no change to a session's fields): workers call
 *    only mdec_table_classify(), which writes nothing but the caller's match,
 *    and keep counters of their own: an array of capacity + 1 struct
 *    mdec_counters per worker, indexed by m.index (mdec_session_index) and
 *    updated with mdec_counters_add(); unknown-session packets have no slot
 *    and are the worker's to count.  Summing the workers' arrays gives what
 *    mdec_table_process() would have counted in the sessions (learning aside:
 *    a shared table cannot learn).  Changing the table means stopping the
 *    workers (or swapping in a second table) first.
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

/* What kind of id keys a session.  Values 1..5 equal enum mdec_tunnel_type. */
enum mdec_key_kind {
    MDEC_KEY_NONE = 0,      /* no tunnel: the packet was not tunneled        */
    MDEC_KEY_VXLAN = 1,     /* VXLAN VNI                                     */
    MDEC_KEY_VXLAN_GPE = 2, /* VXLAN-GPE VNI                                 */
    MDEC_KEY_GENEVE = 3,    /* GENEVE VNI (no AWS GWLB endpoint option)      */
    MDEC_KEY_ERSPAN = 4,    /* ERSPAN session id                             */
    MDEC_KEY_GRE = 5,       /* GRE key (NVGRE: VSID << 8 | FlowID)           */
    MDEC_KEY_GWLB = 6       /* GENEVE with an AWS GWLB endpoint id option    */
};

struct mdec_key {
    uint8_t kind;   /* enum mdec_key_kind                                    */
    uint8_t has_id; /* 0 when the tunnel carries no id (ERSPAN type I, GRE
                       without a key, VXLAN-GPE without I); id is then 0   */
    uint8_t pad_[6];/* set to 0                                              */
    uint64_t id;
};

/*
 * Builds the session key of a decoded packet from its keying tunnel, the
 * innermost tunnel peeled: res->tunnels[n_tunnels - 1].  Under the trust
 * rule (decode.h) that is the mirror's tunnel: every tunnel outside it is a
 * trusted transport, and tunnels inside the mirrored packet are never
 * peeled, so they cannot re-key it.  A GENEVE tunnel whose decoded options
 * hold an AWS GWLB endpoint id (u.geneve.have & MDEC_GWLB_ENDPOINT) gives
 * kind MDEC_KEY_GWLB and that 64-bit id; any other tunnel gives the kind of
 * its type and, when it has MDEC_TF_ID, its id (has_id 1; otherwise has_id 0
 * and id 0: "vxlan:-").  The padding is zeroed.  Returns the index in
 * res->tunnels of the keying tunnel, or -1 when the result holds no tunnel
 * (a frame that is not tunneled, or that failed to decode before its first
 * tunnel; key->kind is then MDEC_KEY_NONE, has_id 0).
 */
MDEC_API int mdec_key_from_result(const struct mdec_result *res, struct mdec_key *key);

/* "none", "vxlan", "vxlan-gpe", "geneve", "erspan", "gre", "gwlb"; "?". */
MDEC_API const char *mdec_key_kind_name(enum mdec_key_kind kind);

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

/* --------------------------------------------------------------- sessions */

#define MDEC_NAME_MAX 32       /* bytes of a session name, NUL included     */
#define MDEC_SESSION_ADDRS 4   /* own addresses a session records           */

/*
 * Per-session counters, as mdec_counters_add() keeps them.
 *
 * packets counts the packets from allowed sources, whatever their decode
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
    uint64_t packets;    /* from allowed sources: accepted + filtered      */
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
 * A session.  The table owns the storage; the caller fills the fields after
 * mdec_table_add() and may change them while no packet is being processed.
 */
struct mdec_session {
    struct mdec_key key;               /* read-only                          */
    void *user;                        /* the caller's, never touched        */
    const struct mdec_filter *filter;  /* NULL: every packet is accepted     */
    /*
     * Allow-list of sender prefixes: the carrier source address of the
     * keying tunnel (the frame's outer source, or the source a trusted
     * transport vouches for: see the trust rule in decode.h) must lie in one
     * of them, or the packet is refused as forged and counted.  n_allow == 0
     * allows every source (the state of a new or learned session).  A packet
     * with no known source (a UDP payload decoded without a sender, a frame
     * without a tunnel) is refused when n_allow > 0.  A prefix matches
     * addresses of its own family only (a prefix of family MDEC_AF_NONE
     * matches nothing): allow 0.0.0.0/0 and ::/0 to allow every source of
     * both families.
     */
    const struct mdec_prefix *allow;
    uint32_t n_allow;
    /*
     * The mirrored interface's own addresses, used to derive direction
     * (local[0..n_local), n_local at most MDEC_SESSION_ADDRS; more is read
     * as MDEC_SESSION_ADDRS).  n_local == 0: the carrier source of each
     * packet's keying tunnel stands in (AWS sets it to the mirrored
     * interface's primary address).  Set n_local when the interface has
     * secondary addresses, or when the mirror's source is not the interface.
     */
    uint32_t n_local;
    struct mdec_addr local[MDEC_SESSION_ADDRS];
    char name[MDEC_NAME_MAX];          /* NUL-terminated; learned: key text  */
    struct mdec_counters counters;
};

/*
 * Copies name into s->name (name NULL: the empty name).  Returns 0, or
 * MDEC_E_NOSPACE when it had to be cut to MDEC_NAME_MAX - 1 bytes (it is
 * stored cut).
 */
MDEC_API int mdec_session_set_name(struct mdec_session *s, const char *name);

/*
 * Adds the packet's effect on counters, as mdec_table_process() does (see
 * struct mdec_counters): FORGED adds 1 to forged; ACCEPT and REJECT add to
 * packets, bytes and by status, REJECT also to filtered; UNKNOWN_SESSION and
 * values outside the enum change nothing.  Not atomic: one writer per
 * counters struct.
 */
MDEC_API void mdec_counters_add(struct mdec_counters *c, const struct mdec_result *res,
                                enum mdec_verdict verdict);

/*
 * Direction of a decoded packet for session s: egress when the inner source
 * is one of the session's addresses, ingress when the inner destination is,
 * unknown otherwise and for packets without inner IP addresses
 * (MDEC_FLOW_IP clear).  When both are (a packet from the interface to
 * itself, or between two of its addresses) the answer is egress: the source
 * is tested first, and such a packet was necessarily sent by the interface.
 * key_tunnel is the index of the keying tunnel (mdec_key_from_result()'s
 * answer): with n_local == 0 its carrier source is the session's address;
 * when it is -1, or that tunnel has no known carrier source, n_local == 0
 * gives unknown.
 */
MDEC_API enum mdec_direction mdec_session_direction(const struct mdec_session *s,
                                                    const struct mdec_result *res,
                                                    int key_tunnel);

/* ------------------------------------------------------------------ table */

/*
 * What the table does with a packet whose key has no session.  A packet with
 * no tunnel at all (not tunneled, or failed to decode before the first
 * tunnel) has the key "none" and follows the same policy: it goes to a
 * session added for the key "none" when there is one, else to the policy
 * (learning adds that session, which a tool can show as untunneled traffic).
 */
enum mdec_unknown_policy {
    MDEC_UNKNOWN_DROP = 0,    /* verdict MDEC_VERDICT_UNKNOWN_SESSION, counted */
    MDEC_UNKNOWN_DEFAULT = 1, /* deliver to the table's default session, which
                                 then acts as the packet's session (its
                                 allow-list, addresses, filter, counters)     */
    MDEC_UNKNOWN_LEARN = 2    /* mdec_table_process() adds a session for the
                                 key while capacity lasts: named by the key's
                                 text, no addresses, and the filter and
                                 allow-list of mdec_table_config's learn_*
                                 template; the packet is then classified
                                 against it.  A packet whose source that
                                 allow-list refuses creates nothing: verdict
                                 FORGED, counted in learn_forged (without a
                                 learn allow-list, forged traffic can fill the
                                 table).  When the table is full: as DROP,
                                 counted in learn_full.  mdec_table_classify()
                                 acts as DROP.                                */
};

struct mdec_table_config {
    uint8_t unknown;    /* enum mdec_unknown_policy; default DROP    */
    /*
     * What a session added by MDEC_UNKNOWN_LEARN starts with, so that the
     * packet that creates it is already filtered and checked: its filter
     * (NULL: none) and its allow-list (n_learn_allow 0: any source).  The
     * caller owns both; they must outlive the table.
     */
    const struct mdec_filter *learn_filter;
    const struct mdec_prefix *learn_allow;
    uint32_t n_learn_allow;
};

/* Table-wide counters, kept by mdec_table_process(). */
struct mdec_table_stats {
    uint64_t unknown;    /* packets whose key had no session (all policies)  */
    uint64_t dropped;    /* of those, dropped: verdict UNKNOWN_SESSION, or
                            FORGED when learning refused the source         */
    uint64_t learned;    /* sessions added by MDEC_UNKNOWN_LEARN             */
    uint64_t learn_full; /* packets that could not be learned because the
                            table was full (also counted in dropped)        */
    uint64_t learn_forged; /* packets not learned: their source is not in
                            the learn allow-list (also counted in dropped)  */
};

struct mdec_table; /* opaque: lives in the caller's buffer */

#define MDEC_TABLE_ALIGN 16 /* alignment the table's memory must have */

/*
 * Bytes a table for `capacity` sessions needs (capacity 1..2^26), or 0 when
 * the capacity is out of range or the size does not fit in a size_t.  About
 * capacity * (sizeof(struct mdec_session) + 20..36) bytes.
 */
MDEC_API size_t mdec_table_size(uint32_t capacity);

/*
 * Builds an empty table of `capacity` sessions in mem (size bytes, at least
 * mdec_table_size(capacity), aligned to MDEC_TABLE_ALIGN; it need not be
 * zeroed).  cfg NULL means the defaults.  Returns the table, which starts at
 * mem, or NULL when an argument is out of range: mem NULL or misaligned,
 * size too small, capacity outside 1..2^26, a cfg field outside its enum.
 * The default session starts zeroed (key "none", no name).  O(capacity).
 * The memory stays the caller's: to discard the table, stop using it.
 */
MDEC_API struct mdec_table *mdec_table_init(void *mem, size_t size, uint32_t capacity,
                                            const struct mdec_table_config *cfg);

/*
 * Adds a session for key and returns it, zeroed but for key (padding
 * zeroed) and an empty name; stores 0 in *err (may be NULL).  On failure
 * returns NULL, changes nothing, and stores in *err the first that applies:
 * MDEC_E_INVALID (key NULL, kind outside the enum, has_id not 0 or 1, an id
 * too large for the kind, an id without has_id, "none" with an id, "gwlb"
 * without one), MDEC_E_EXISTS, MDEC_E_NOSPACE (the table holds capacity
 * sessions: nothing is evicted; remove one first).  The new session takes
 * the slot most recently freed, else the lowest never used.  Expected O(1).
 */
MDEC_API struct mdec_session *mdec_table_add(struct mdec_table *t, const struct mdec_key *key,
                                             int *err);

/* The session for key (kind, has_id and id; padding ignored), or NULL.  Never
 * the default session.  Expected O(1). */
MDEC_API struct mdec_session *mdec_table_find(const struct mdec_table *t,
                                              const struct mdec_key *key);

/* Removes the session for key; its pointer and slot become invalid.  Returns
 * 0 or MDEC_E_NOTFOUND.  Expected O(1). */
MDEC_API int mdec_table_remove(struct mdec_table *t, const struct mdec_key *key);

/*
 * Iterates: NULL gives the first session, a session the next one, NULL at
 * the end.  The order is that of slot indexes, ascending.  The default
 * session is not part of the walk (passing it, or a session of another
 * table, gives NULL).  prev is only used for its slot index, so sessions may
 * be removed during a walk (the current one included: pass it on to get the
 * next) and are then not visited if not visited yet; a session added during
 * a walk is visited when its slot lies beyond the current one.  O(1) per
 * step: at most 10 bitmap words read, whatever the capacity and count.
 */
MDEC_API struct mdec_session *mdec_table_next(const struct mdec_table *t,
                                              const struct mdec_session *prev);

/*
 * Removes every session and zeroes the table statistics and the default
 * session's counters; the default session keeps its other fields (name,
 * user, filter, allow-list, addresses), which are settings.  O(capacity).
 */
MDEC_API void mdec_table_clear(struct mdec_table *t);

MDEC_API uint32_t mdec_table_count(const struct mdec_table *t);
MDEC_API uint32_t mdec_table_capacity(const struct mdec_table *t);

/*
 * The default session that MDEC_UNKNOWN_DEFAULT delivers to.  It always
 * exists, has key kind MDEC_KEY_NONE and slot index capacity.
 */
MDEC_API struct mdec_session *mdec_table_default(struct mdec_table *t);

/* Slot index of s, 0..capacity (capacity is the default session), or
 * UINT32_MAX when s is not a slot of t. */
MDEC_API uint32_t mdec_session_index(const struct mdec_table *t, const struct mdec_session *s);

/* The table's counters: a pointer into the table's memory, valid while the
 * table is, and zeroed by mdec_table_clear().  mdec_table_process() updates
 * them, so read them from the thread that processes packets.  (Named
 * _get_stats so that C++, where the struct's name is also a type name, can
 * include this header.) */
MDEC_API const struct mdec_table_stats *mdec_table_get_stats(const struct mdec_table *t);

/* ------------------------------------------------------- per-packet calls */

/* What the table decided for one packet. */
struct mdec_match {
    struct mdec_session *session; /* NULL when UNKNOWN_SESSION             */
    uint32_t index;               /* mdec_session_index(session); UINT32_MAX
                                     when session is NULL                 */
    uint8_t verdict;              /* enum mdec_verdict                    */
    uint8_t direction;            /* enum mdec_direction; UNKNOWN when the
                                     verdict is FORGED or UNKNOWN_SESSION */
    int8_t key_tunnel;            /* tunnel index that keyed it; -1 none  */
    uint8_t pad_;
    struct mdec_key key;          /* the packet's key, found or not       */
};

/*
 * Classifies a decoded packet without writing to the table, in this order:
 *  1. key (mdec_key_from_result), and its session; without one, the
 *     default session under MDEC_UNKNOWN_DEFAULT, else verdict
 *     UNKNOWN_SESSION (MDEC_UNKNOWN_LEARN acts as DROP here);
 *  2. forged-source check: with n_allow > 0, the keying tunnel's carrier
 *     source must lie in an allowed prefix, else verdict FORGED; a result
 *     in which a tunnel outside the keying one is not a trusted transport
 *     (mdec_decode never gives one) is FORGED whatever the allow-list;
 *  3. direction (mdec_session_direction);
 *  4. the session's filter, when set: mdec_filter_eval(filter, res,
 *     direction) gives ACCEPT or REJECT; without one, ACCEPT.
 * The decode status is not judged: truncated and malformed packets of an
 * allowed source go on to the filter and are counted by status.  Returns the
 * verdict, also stored in m with the rest of the match.  Safe to call from
 * many threads at once on a table nobody modifies.
 */
MDEC_API enum mdec_verdict mdec_table_classify(const struct mdec_table *t,
                                               const struct mdec_result *res,
                                               struct mdec_match *m);

/*
 * mdec_table_classify(), then learning (MDEC_UNKNOWN_LEARN), the session's
 * counters (mdec_counters_add) and the table statistics.  A learned packet
 * is classified against its new session, so m.session and the verdict are
 * those of that session.  Writes to the table: one thread at a time.
 */
MDEC_API enum mdec_verdict mdec_table_process(struct mdec_table *t, const struct mdec_result *res,
                                              struct mdec_match *m);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_SESSION_H */

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
 * stays the caller's and must outlive the session.
 *
 * Threads: a table has no locks.  Either give each worker its own table, or
 * share one table that no thread modifies: then workers call only
 * mdec_table_classify() (which writes nothing) and keep counters of their own,
 * indexed by mdec_session_index() and updated with mdec_counters_add().
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

/* Which tunnel of a nested stack keys the session. */
enum mdec_key_select {
    MDEC_KEY_INNERMOST = 0, /* default: AWS mirroring behind a GWLB is keyed by
                               the mirror's VXLAN VNI, not the GWLB's GENEVE  */
    MDEC_KEY_OUTERMOST = 1
};

/*
 * Builds the session key of a decoded packet from the selected tunnel.
 * Returns the index in res->tunnels of the tunnel used, or -1 when the
 * result holds no tunnel (key->kind is then MDEC_KEY_NONE).
 */
MDEC_API int mdec_key_from_result(const struct mdec_result *res, enum mdec_key_select select,
                                  struct mdec_key *key);

/* "none", "vxlan", "vxlan-gpe", "geneve", "erspan", "gre", "gwlb"; "?". */
MDEC_API const char *mdec_key_kind_name(enum mdec_key_kind kind);

/*
 * Writes "vxlan:123", "gwlb:0x0123456789abcdef", "erspan:-" (no id),
 * "none".  Returns the text length or MDEC_E_NOSPACE; 32 bytes always do.
 */
MDEC_API int mdec_key_format(const struct mdec_key *key, char *buf, size_t size);

/*
 * Parses what mdec_key_format writes; a bare number means a VXLAN VNI.  Ids
 * are decimal or 0x-prefixed hex and must fit the kind (24 bits for VNIs, 10
 * for ERSPAN, 32 for GRE, 64 for GWLB).  Returns 0 or MDEC_E_SYNTAX.
 */
MDEC_API int mdec_key_parse(const char *text, size_t len, struct mdec_key *key,
                            struct mdec_parse_error *err);

/* --------------------------------------------------------------- sessions */

#define MDEC_NAME_MAX 32       /* bytes of a session name, NUL included     */
#define MDEC_SESSION_ADDRS 4   /* own addresses a session records           */

/*
 * Per-session counters.  packets and bytes count the packets from allowed
 * sources (accepted and filtered ones); bytes are those of the mirrored
 * (inner) packet, as sent (wire) and as delivered (cap).
 */
struct mdec_counters {
    uint64_t packets;
    uint64_t bytes_wire;
    uint64_t bytes_cap;
    uint64_t truncated;  /* status MDEC_TRUNCATED                         */
    uint64_t malformed;  /* status MDEC_MALFORMED                         */
    uint64_t filtered;   /* refused by the session's filter               */
    uint64_t forged;     /* refused: outer source not in the allow-list   */
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
     * Allow-list of outer source prefixes: the carrier source address of the
     * keying tunnel must lie in one of them, or the packet is refused as
     * forged and counted.  n_allow == 0 allows every source (the state of a
     * new or learned session).  A packet with no known source (a UDP payload
     * decoded without a sender) is refused when n_allow > 0.
     */
    const struct mdec_prefix *allow;
    uint32_t n_allow;
    /*
     * The mirrored interface's own addresses, used to derive direction.
     * n_local == 0: the carrier source of each packet stands in (AWS sets it
     * to the mirrored interface's primary address).
     */
    uint32_t n_local;
    struct mdec_addr local[MDEC_SESSION_ADDRS];
    char name[MDEC_NAME_MAX];          /* NUL-terminated; learned: key text  */
    struct mdec_counters counters;
};

/*
 * Copies name into s->name.  Returns 0, or MDEC_E_NOSPACE when it had to be
 * cut to MDEC_NAME_MAX - 1 bytes (it is stored cut).
 */
MDEC_API int mdec_session_set_name(struct mdec_session *s, const char *name);

/* Adds the packet's effect on counters, as mdec_table_process() does. */
MDEC_API void mdec_counters_add(struct mdec_counters *c, const struct mdec_result *res,
                                enum mdec_verdict verdict);

/*
 * Direction of a decoded packet for session s: egress when the inner source
 * is one of the session's addresses, ingress when the inner destination is,
 * unknown otherwise (and for packets without inner IP addresses).
 */
MDEC_API enum mdec_direction mdec_session_direction(const struct mdec_session *s,
                                                    const struct mdec_result *res,
                                                    int key_tunnel);

/* ------------------------------------------------------------------ table */

/* What the table does with a packet whose key has no session. */
enum mdec_unknown_policy {
    MDEC_UNKNOWN_DROP = 0,    /* verdict MDEC_VERDICT_UNKNOWN_SESSION, counted */
    MDEC_UNKNOWN_DEFAULT = 1, /* deliver to the table's default session        */
    MDEC_UNKNOWN_LEARN = 2    /* add a session for the key while capacity lasts;
                                 when full, as DROP (and counted as learn_full) */
};

struct mdec_table_config {
    uint8_t key_select; /* enum mdec_key_select; default INNERMOST   */
    uint8_t unknown;    /* enum mdec_unknown_policy; default DROP    */
};

/* Table-wide counters. */
struct mdec_table_stats {
    uint64_t unknown;    /* packets whose key had no session (all policies)  */
    uint64_t dropped;    /* of those, dropped                                */
    uint64_t learned;    /* sessions added by MDEC_UNKNOWN_LEARN             */
    uint64_t learn_full; /* learning refused: the table was full             */
};

struct mdec_table; /* opaque: lives in the caller's buffer */

#define MDEC_TABLE_ALIGN 16 /* alignment the table's memory must have */

/*
 * Bytes a table for `capacity` sessions needs (capacity 1..2^26), or 0 when
 * the capacity is out of range.
 */
MDEC_API size_t mdec_table_size(uint32_t capacity);

/*
 * Builds an empty table of `capacity` sessions in mem (size bytes, at least
 * mdec_table_size(capacity), aligned to MDEC_TABLE_ALIGN).  cfg NULL means
 * the defaults.  Returns the table, which starts at mem, or NULL when an
 * argument is out of range.  The memory stays the caller's: to discard the
 * table, stop using it.
 */
MDEC_API struct mdec_table *mdec_table_init(void *mem, size_t size, uint32_t capacity,
                                            const struct mdec_table_config *cfg);

/*
 * Adds a session for key and returns it, zeroed but for key and an empty
 * name.  On failure returns NULL and stores in *err (may be NULL)
 * MDEC_E_EXISTS, MDEC_E_NOSPACE (table full) or MDEC_E_INVALID.
 */
MDEC_API struct mdec_session *mdec_table_add(struct mdec_table *t, const struct mdec_key *key,
                                             int *err);

/* The session for key, or NULL.  Expected O(1). */
MDEC_API struct mdec_session *mdec_table_find(const struct mdec_table *t,
                                              const struct mdec_key *key);

/* Removes the session for key.  Returns 0 or MDEC_E_NOTFOUND. */
MDEC_API int mdec_table_remove(struct mdec_table *t, const struct mdec_key *key);

/*
 * Iterates: NULL gives the first session, a session the next one, NULL at
 * the end.  Removing the current session (and only it) during the walk is
 * safe.  The order is that of slot indexes.  The default session is not
 * part of the walk.
 */
MDEC_API struct mdec_session *mdec_table_next(const struct mdec_table *t,
                                              const struct mdec_session *prev);

/* Removes every session and zeroes the table statistics. */
MDEC_API void mdec_table_clear(struct mdec_table *t);

MDEC_API uint32_t mdec_table_count(const struct mdec_table *t);
MDEC_API uint32_t mdec_table_capacity(const struct mdec_table *t);

/*
 * The default session that MDEC_UNKNOWN_DEFAULT delivers to.  It always
 * exists, has key kind MDEC_KEY_NONE and slot index capacity.
 */
MDEC_API struct mdec_session *mdec_table_default(struct mdec_table *t);

/* Slot index of s, 0..capacity (capacity is the default session). */
MDEC_API uint32_t mdec_session_index(const struct mdec_table *t, const struct mdec_session *s);

MDEC_API const struct mdec_table_stats *mdec_table_stats(const struct mdec_table *t);

/* ------------------------------------------------------- per-packet calls */

/* What the table decided for one packet. */
struct mdec_match {
    struct mdec_session *session; /* NULL when UNKNOWN_SESSION             */
    uint32_t index;               /* mdec_session_index(session)          */
    uint8_t verdict;              /* enum mdec_verdict                    */
    uint8_t direction;            /* enum mdec_direction                  */
    int8_t key_tunnel;            /* tunnel index that keyed it; -1 none  */
    uint8_t pad_;
    struct mdec_key key;
};

/*
 * Classifies a decoded packet without writing to the table: key, session
 * (the default session under MDEC_UNKNOWN_DEFAULT), forged-source check,
 * direction, filter.  MDEC_UNKNOWN_LEARN behaves as DROP here.  Returns the
 * verdict, also stored in m.
 */
MDEC_API enum mdec_verdict mdec_table_classify(const struct mdec_table *t,
                                               const struct mdec_result *res,
                                               struct mdec_match *m);

/*
 * mdec_table_classify(), then learning (MDEC_UNKNOWN_LEARN), the session's
 * counters and the table statistics.
 */
MDEC_API enum mdec_verdict mdec_table_process(struct mdec_table *t, const struct mdec_result *res,
                                              struct mdec_match *m);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_SESSION_H */

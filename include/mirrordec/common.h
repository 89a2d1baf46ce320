/*
 * mirrordec/common.h - version, export macro, error codes and the small
 * value types shared by the decoder, the session table and the filter.
 *
 * Include <mirrordec.h> rather than this file.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MIRRORDEC_COMMON_H
#define MIRRORDEC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

#define MDEC_VERSION_MAJOR 0
#define MDEC_VERSION_MINOR 2
#define MDEC_VERSION_PATCH 0
#define MDEC_VERSION_STRING "0.2.0"
/* One integer that orders versions: major * 10000 + minor * 100 + patch. */
#define MDEC_VERSION_NUMBER \
    (MDEC_VERSION_MAJOR * 10000 + MDEC_VERSION_MINOR * 100 + MDEC_VERSION_PATCH)

/* ----------------------------------------------------------------- export */

/*
 * MDEC_API marks every public function.  The shared library is built with
 * hidden visibility, so only MDEC_API symbols are exported.  Nothing needs
 * defining by a user of either the static or the shared library.
 */
#if defined(_WIN32) && defined(MDEC_BUILDING_SHARED)
#define MDEC_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define MDEC_API __attribute__((visibility("default")))
#else
#define MDEC_API
#endif

/* The version of the library linked at run time ("0.2.0"); static storage. */
MDEC_API const char *mdec_version(void);
/* MDEC_VERSION_NUMBER of the library linked at run time. */
MDEC_API unsigned mdec_version_number(void);

/*
 * 1 when the library linked at run time can serve a program compiled with
 * this header: the same major version and, while the major is 0, the same
 * minor (every 0.x minor may change the ABI: see "Stability" below); from
 * 1.0 on, a minor at least the header's.  A program checks it once at start
 * (examples/decode_pcap.c does).
 */
static inline int mdec_version_compatible(void)
{
    const unsigned run = mdec_version_number(), built = MDEC_VERSION_NUMBER;
    if (run / 10000 != built / 10000)
        return 0;
#if MDEC_VERSION_MAJOR == 0
    return run / 100 == built / 100;
#else
    return run / 100 >= built / 100;
#endif
}

/* ---------------------------------------------------------- conventions */

/*
 * Outcomes.  Each kind of function answers in one vocabulary:
 *   - setup functions (configuration, tables, sessions' settings, rules,
 *     text parsers) return int: 0 (MDEC_E_OK) or a negative enum mdec_error;
 *     a formatter returns the text's length or a negative mdec_error;
 *   - _init functions return the object built in the caller's memory, or
 *     NULL when an argument is out of its documented range (the only way
 *     they fail);
 *   - lookups return the item, or NULL (or MDEC_NO_INDEX, or -1 for
 *     mdec_key_from_result) when there is none: absence, not failure;
 *   - per-packet calls never fail: they return the packet's enum
 *     mdec_status (decoding), enum mdec_verdict (sessions, filters, the
 *     de-duplication window) or enum mdec_track (the flow tracker); a
 *     burst call returns a count of its packets (how many decoded with
 *     status OK, how many the table accepted, how many were tracked: see
 *     each call);
 *   - the GENEVE option iterator returns an enum mdec_iter_result.
 * The enums' names do not overlap (MDEC_STATUS_*, MDEC_VERDICT_*,
 * MDEC_TRACK_*, MDEC_ITER_*), and their values are all >= 0, so none can be
 * mistaken for an mdec_error.
 *
 * Stability.  Every public enum value is written out and pinned: a value
 * never changes meaning; new values take free numbers (anomaly codes in
 * their layer's group, decode.h).  Structs the caller allocates
 * (mdec_config, mdec_result, mdec_match, ...) may grow in any 0.x minor
 * release: fill them only through the library's _init functions or by
 * zeroing them, and do not keep one across library versions.  While the
 * major version is 0, each minor release is a new ABI: the shared library's
 * SONAME is libmirrordec.so.0.MINOR, and mdec_version_compatible() says
 * whether the library at hand is the one a program was built for.
 */

/* ------------------------------------------------------------ NULL policy */

/*
 * A pointer argument may be NULL only where the function's comment says so
 * (an optional error report, a table config meaning "the defaults", a text
 * or frame of length 0, the start of a walk).  A NULL anywhere else is a
 * caller's mistake that the library answers without any other effect than
 * clearing what it would have written (an error report, a result, an
 * iterator, a key, an out-pointer set to NULL):
 *   - a function returning int (an mdec_error, a length) returns
 *     MDEC_E_INVALID; mdec_key_from_result() returns -1;
 *   - one returning a pointer returns NULL; a count, capacity or option set
 *     returns 0; a yes/no question 0;
 *   - mdec_decode() and mdec_decode_udp() return MDEC_STATUS_UNSUPPORTED (and, when
 *     res is not NULL, store an empty result with that status);
 *   - the per-packet table calls return MDEC_VERDICT_UNKNOWN_SESSION and
 *     count nothing; mdec_flows_packet() returns MDEC_TRACK_NONE; the
 *     filter evaluations return MDEC_VERDICT_REJECT;
 *     mdec_session_direction() returns MDEC_DIR_UNKNOWN;
 *     mdec_dedup_check() returns MDEC_VERDICT_ACCEPT (a packet it cannot
 *     judge is never dropped); the flow hashes return 0 and the Community
 *     ID calls MDEC_E_INVALID;
 *   - the GENEVE iterator returns MDEC_ITER_END; a void function does
 *     nothing.
 * tests/test_null.c holds every public function to this.
 */

/* ----------------------------------------------------------------- errors */

/*
 * What the setup functions return: 0 on success, a negative mdec_error
 * otherwise (see "Outcomes" above).
 */
enum mdec_error {
    MDEC_E_OK = 0,
    MDEC_E_INVALID = -1,  /* an argument is out of its documented range   */
    MDEC_E_NOSPACE = -2,  /* the caller's memory or a fixed array is full */
    MDEC_E_EXISTS = -3,   /* the key or rule number is already present    */
    MDEC_E_NOTFOUND = -4, /* no such key                                  */
    MDEC_E_SYNTAX = -5    /* text could not be parsed: see mdec_parse_error */
};

/* A constant English sentence for an mdec_error ("not found"). */
MDEC_API const char *mdec_strerror(int err);

/*
 * Where and why a text (a rule file, an AWS JSON document, an address) could
 * not be parsed.  line and column are 1-based and count bytes; message is a
 * NUL-terminated sentence that names what was found and what was expected.
 */
struct mdec_parse_error {
    uint32_t line;
    uint32_t column;
    char message[160];
};

/* -------------------------------------------------------------- addresses */

enum mdec_family {
    MDEC_AF_NONE = 0, /* no address (unknown, or not present in the packet) */
    MDEC_AF_IPV4 = 4,
    MDEC_AF_IPV6 = 6
};

/*
 * An IPv4 or IPv6 address in network byte order.  An IPv4 address occupies
 * a[0..3]; the library always zeroes a[4..15] for IPv4, so two addresses are
 * equal exactly when family and all 16 bytes are equal.
 */
struct mdec_addr {
    uint8_t family; /* enum mdec_family */
    uint8_t a[16];
};

/* An address prefix: the first len bits of addr (0..32 or 0..128). */
struct mdec_prefix {
    struct mdec_addr addr;
    uint8_t len;
};

/* Longest text mdec_addr_format writes, with the NUL (an IPv6 address). */
#define MDEC_ADDR_STRLEN 46

/*
 * Writes addr as text into buf (size bytes, MDEC_ADDR_STRLEN is always
 * enough): dotted quad for IPv4, RFC 5952 compressed form for IPv6, "-" for
 * MDEC_AF_NONE.  Returns the text length, or MDEC_E_NOSPACE (buf then holds
 * a truncated, NUL-terminated text when size > 0).
 */
MDEC_API int mdec_addr_format(const struct mdec_addr *addr, char *buf, size_t size);

/*
 * Parses an IPv4 address ("192.0.2.1") or IPv6 address ("2001:db8::1",
 * "::ffff:192.0.2.1") from text[0..len).  Returns 0, or MDEC_E_SYNTAX with
 * err (may be NULL) saying where, counting columns from 1 at text[0].
 */
MDEC_API int mdec_addr_parse(const char *text, size_t len, struct mdec_addr *addr,
                             struct mdec_parse_error *err);

/*
 * Parses "ADDR/LEN" or a bare "ADDR" (meaning /32 or /128).  Host bits set
 * beyond LEN are an error, as AWS rejects them.  Returns 0 or MDEC_E_SYNTAX.
 */
MDEC_API int mdec_prefix_parse(const char *text, size_t len, struct mdec_prefix *prefix,
                               struct mdec_parse_error *err);


/* --------------------------------------------------- direction and verdict */

/* Direction of a mirrored packet relative to the mirrored interface. */
enum mdec_direction {
    MDEC_DIR_UNKNOWN = 0,
    MDEC_DIR_INGRESS = 1, /* into the mirrored interface   */
    MDEC_DIR_EGRESS = 2   /* out of the mirrored interface */
};

/* What becomes of a packet after the session table and the filter. */
enum mdec_verdict {
    MDEC_VERDICT_ACCEPT = 0,          /* deliver to the session's consumer      */
    MDEC_VERDICT_REJECT = 1,          /* the session's filter refused it        */
    MDEC_VERDICT_FORGED = 2,          /* sender not allowed for the session     */
    MDEC_VERDICT_UNKNOWN_SESSION = 3, /* no session and the table drops unknowns */
    MDEC_VERDICT_DUPLICATE = 4        /* a copy of a packet a dedup window saw
                                         within its time window (dedup.h)        */
};


/* ---------------------------------------------------------------- helpers */

/* 1 when addr lies inside prefix (same family, first prefix->len bits equal). */
MDEC_API int mdec_prefix_contains(const struct mdec_prefix *prefix, const struct mdec_addr *addr);

/* "ingress", "egress", "unknown"; "?" for a value outside the enum. */
MDEC_API const char *mdec_direction_name(enum mdec_direction dir);
/* "accept", "reject", "forged", "unknown_session", "duplicate"; "?" outside
 * the enum. */
MDEC_API const char *mdec_verdict_name(enum mdec_verdict verdict);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_COMMON_H */

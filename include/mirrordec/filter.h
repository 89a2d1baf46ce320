/*
 * mirrordec/filter.h - AWS Traffic Mirror filter rules, evaluated as AWS does.
 *
 * Include <mirrordec.h> rather than this file.
 *
 * A filter holds two ordered rule lists, ingress and egress.  A packet's
 * direction picks the list; rules are tried from the lowest rule number up;
 * the first rule that matches decides (accept or reject); no match rejects.
 * Rules come from C (mdec_filter_add), from a text of one rule a line
 * (mdec_filter_parse) or from the JSON of `aws ec2
 * describe-traffic-mirror-filters` (mdec_filter_parse_aws_json).
 *
 * docs/filters.md has the rest: the text syntax, the semantics beyond
 * first match (address families, truncated packets, Amazon DNS, unknown
 * direction), the errors the parsers report, and how a filter is compiled
 * for evaluation.
 *
 * Memory: the filter lives in the caller's buffer (mdec_filter_size()
 * bytes, aligned to MDEC_FILTER_ALIGN) and nothing is allocated.  It holds
 * no pointers: the bytes may be copied to another such buffer, or shared
 * memory, and used there.  Evaluation only reads the filter, so threads may
 * share one that nobody changes.  Every function that changes the rules
 * (init, clear, add, remove, the parsers) rebuilds the compiled form before
 * it returns; there is no compile step to call.  Changes are transactional:
 * on any error the filter holds exactly the rules, options and resolvers it
 * held before the call.
 *
 * Enum values and bits below are pinned: part of the ABI, never renumbered.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MIRRORDEC_FILTER_H
#define MIRRORDEC_FILTER_H

#include "common.h"
#include "decode.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ rules */

#define MDEC_PROTO_ANY (-1) /* mdec_rule.protocol: every protocol */

/* Bits of mdec_rule.match: the optional parts of a rule that are set
 * (pinned). */
enum {
    MDEC_RULE_SPORT = 1u << 0,     /* sport_lo..sport_hi (TCP, UDP only);
                                      needs MDEC_FLOW_PORTS                */
    MDEC_RULE_DPORT = 1u << 1,     /* dport_lo..dport_hi (TCP, UDP only);
                                      needs MDEC_FLOW_PORTS                */
    MDEC_RULE_TUNNEL_ID = 1u << 2, /* tunnel_id_lo..hi of the innermost
                                      tunnel; needs MDEC_FLOW_TUNNEL_ID    */
    MDEC_RULE_TRUNCATED = 1u << 3, /* only packets with status TRUNCATED   */
    MDEC_RULE_COMPLETE = 1u << 4   /* only packets not truncated           */
};

/*
 * One rule.  A prefix of family MDEC_AF_NONE (with len 0) means "any
 * address of either family" (not an AWS notion); 0.0.0.0/0 matches IPv4
 * only and ::/0 IPv6 only, as in AWS.  Ranges are inclusive and only read
 * when their match bit is set.  A plain value: the caller owns it.
 */
struct mdec_rule {
    uint8_t direction;  /* MDEC_DIR_INGRESS or MDEC_DIR_EGRESS               */
    uint8_t action;     /* MDEC_VERDICT_ACCEPT or MDEC_VERDICT_REJECT        */
    uint16_t number;    /* 1..32766                                          */
    int16_t protocol;   /* 0..255 or MDEC_PROTO_ANY                          */
    uint16_t match;     /* MDEC_RULE_* bits                                  */
    struct mdec_prefix src, dst;
    uint16_t sport_lo, sport_hi;
    uint16_t dport_lo, dport_hi;
    uint32_t tunnel_id_lo, tunnel_id_hi;
    uint32_t line;      /* line of the text, or of the rule's JSON object, it
                           came from; 0 when added from C                     */
};

/* ---------------------------------------------------------------- options */

/* Bits of the filter options (mdec_filter_set_options; pinned). */
enum {
    MDEC_FILTER_AMAZON_DNS = 1u << 0,    /* mirror Amazon DNS traffic, as the
                                            amazon-dns network service does:
                                            accept it before the rules are
                                            tried; clear (default): reject it
                                            before the rules are tried       */
    MDEC_FILTER_UNKNOWN_REJECT = 1u << 1, /* a packet of unknown direction is
                                            rejected; clear (default): it is
                                            accepted when either list accepts */
    MDEC_FILTER_AMAZON_DNS_BY_RULES = 1u << 2 /* with MDEC_FILTER_AMAZON_DNS:
                                            Amazon DNS traffic goes through
                                            the rules like any packet instead
                                            of being accepted outright (the
                                            other reading of what AWS
                                            documents); alone: no effect      */
};

#define MDEC_FILTER_MAX_RESOLVERS 8 /* extra Amazon DNS addresses a filter keeps */

/* ----------------------------------------------------------------- filter */

struct mdec_filter; /* opaque: lives in the caller's buffer */

#define MDEC_FILTER_ALIGN 16 /* alignment the filter's memory must have */

/*
 * Bytes a filter of up to max_rules rules (1..65532, both directions
 * together) needs, a multiple of MDEC_FILTER_ALIGN: the rules and their
 * compiled form, about 256 bytes a rule.  Returns 0 when max_rules is out
 * of range.
 */
MDEC_API size_t mdec_filter_size(uint32_t max_rules);

/*
 * Builds an empty filter (no rules: rejects everything; options 0) in the
 * caller's mem, which must be at least mdec_filter_size(max_rules) bytes
 * aligned to MDEC_FILTER_ALIGN and need not be zeroed.  The memory stays
 * the caller's: the filter lives in it until the caller reuses it (there
 * is nothing to release).  Returns the filter (it starts at mem) or NULL
 * when mem is NULL or misaligned, size too small or max_rules out of range.
 */
MDEC_API struct mdec_filter *mdec_filter_init(void *mem, size_t size, uint32_t max_rules);

/* Removes every rule and added resolver from f; options back to 0; the
 * capacity stays.  Returns nothing (a NULL f: nothing happens). */
MDEC_API void mdec_filter_clear(struct mdec_filter *f);

/*
 * Adds a copy of *r to f; the caller keeps r and may reuse it at once.
 * The copy has the parts its match bits leave unused, and "any" addresses,
 * zeroed.  Rebuilds the compiled form (time in proportion to the rules:
 * load many rules with one mdec_filter_parse() instead).  Returns 0,
 * MDEC_E_INVALID (f or r NULL, a field out of range, ports with a protocol
 * other than TCP or UDP, a range whose low end is above its high end, host
 * bits set beyond a prefix length or in IPv4 bytes 4..15, source and
 * destination of two families, truncated and complete together),
 * MDEC_E_EXISTS (number already used in that direction) or MDEC_E_NOSPACE
 * (max_rules reached), told in that order.
 */
MDEC_API int mdec_filter_add(struct mdec_filter *f, const struct mdec_rule *r);

/* Removes the rule of that direction and number from f, and rebuilds the
 * compiled form.  Returns 0, MDEC_E_INVALID (f NULL) or MDEC_E_NOTFOUND
 * (also for a direction other than ingress and egress). */
MDEC_API int mdec_filter_remove(struct mdec_filter *f, enum mdec_direction dir,
                                uint16_t number);

/* The number of rules in f, both directions together (0 for NULL). */
MDEC_API uint32_t mdec_filter_count(const struct mdec_filter *f);

/* Rule i (0..count-1) of f in evaluation order: ingress rules by number,
 * then egress rules by number.  The rule lives in f's memory and stays
 * valid until f next changes.  Returns NULL when i is out of range. */
MDEC_API const struct mdec_rule *mdec_filter_rule(const struct mdec_filter *f, uint32_t i);

/* Replaces f's MDEC_FILTER_* options; unknown bits are dropped.  Options
 * are read at evaluation: nothing is recompiled.  Returns 0, or
 * MDEC_E_INVALID when f is NULL. */
MDEC_API int mdec_filter_set_options(struct mdec_filter *f, uint32_t options);

/* The MDEC_FILTER_* options f has (0 for NULL). */
MDEC_API uint32_t mdec_filter_options(const struct mdec_filter *f);

/*
 * Adds a copy of *addr (the caller keeps addr) to f as an address that
 * counts as Amazon DNS besides 169.254.169.253 and fd00:ec2::253 (which
 * always do): typically the VPC's base address + 2.  An address already
 * known takes no room.  Returns 0, MDEC_E_INVALID (f or addr NULL, not
 * IPv4 or IPv6) or MDEC_E_NOSPACE (MDEC_FILTER_MAX_RESOLVERS added already).
 */
MDEC_API int mdec_filter_add_dns_resolver(struct mdec_filter *f, const struct mdec_addr *addr);

/* ---------------------------------------------------------------- parsing */

/*
 * Parses rules and settings in the text syntax (docs/filters.md) from the
 * caller's text[0..len), which need not be NUL-terminated and is read
 * during the call only, and adds them to the rules f holds; settings lines
 * change only what they name.  While checking, the parser uses f's unused
 * rule slots as scratch space; it needs no other memory.  Returns 0, or
 * with *err (err may be NULL; the caller's, written on failure only)
 * naming line, column and what was expected, and f unchanged:
 * MDEC_E_SYNTAX, MDEC_E_EXISTS (a rule number used twice in a direction,
 * in the text or with the filter), MDEC_E_NOSPACE (more rules than
 * max_rules, or more than MDEC_FILTER_MAX_RESOLVERS resolvers), or
 * MDEC_E_INVALID (f NULL, or text NULL with len > 0).
 */
MDEC_API int mdec_filter_parse(struct mdec_filter *f, const char *text, size_t len,
                               struct mdec_parse_error *err);

/*
 * Imports the output of `aws ec2 describe-traffic-mirror-filters` from the
 * caller's json[0..len) (UTF-8, an optional byte order mark; need not be
 * NUL-terminated; read during the call only): the IngressFilterRules and
 * EgressFilterRules of the TrafficMirrorFilters entry whose
 * TrafficMirrorFilterId equals the caller's NUL-terminated filter_id
 * (exactly, after JSON unescaping; read during the call only), added to
 * the rules f holds.  With filter_id NULL the document must hold exactly
 * one filter.  Also read: {"TrafficMirrorFilter": FILTER} (what
 * create-traffic-mirror-filter prints), a bare filter object, and the
 * output of describe-traffic-mirror-filter-rules
 * ({"TrafficMirrorFilterRules": [...]}, each rule with its
 * TrafficDirection; with filter_id, rules naming another
 * TrafficMirrorFilterId are skipped; without, they must all name one).
 * Members and limits: docs/filters.md.  A filter's NetworkServices sets
 * MDEC_FILTER_AMAZON_DNS when it holds "amazon-dns" and clears it
 * otherwise (the other options stay); the rules-only document leaves the
 * options alone.  Scratch space as for mdec_filter_parse().
 *
 * Returns 0, or with *err (err may be NULL) naming line, column and the
 * JSON path of the member, and f unchanged: MDEC_E_SYNTAX (bad JSON, a
 * member of the wrong type or value), MDEC_E_EXISTS, MDEC_E_NOSPACE (as
 * for mdec_filter_parse()), MDEC_E_NOTFOUND (no filter with that id, or
 * none at all), or MDEC_E_INVALID (f NULL, json NULL with len > 0, several
 * filters and filter_id NULL, or two filters with the id asked for).
 */
MDEC_API int mdec_filter_parse_aws_json(struct mdec_filter *f, const char *json, size_t len,
                                        const char *filter_id, struct mdec_parse_error *err);

/* ------------------------------------------------------------- evaluation */

/*
 * Evaluates f for one decoded packet seen in direction dir: its res->flow,
 * truncated when res->status is MDEC_STATUS_TRUNCATED.  Reads f and res
 * during the call only, writes nothing.  Returns MDEC_VERDICT_ACCEPT or
 * MDEC_VERDICT_REJECT (also when f or res is NULL).
 */
MDEC_API enum mdec_verdict mdec_filter_eval(const struct mdec_filter *f,
                                            const struct mdec_result *res,
                                            enum mdec_direction dir);

/* The same for a flow key alone; truncated is nonzero for a truncated
 * packet.  Only the parts flow->flags mark valid are read.  Returns
 * MDEC_VERDICT_ACCEPT or MDEC_VERDICT_REJECT (also for a NULL pointer). */
MDEC_API enum mdec_verdict mdec_filter_eval_flow(const struct mdec_filter *f,
                                                 const struct mdec_flow *flow, int truncated,
                                                 enum mdec_direction dir);

/* ---------------------------------------------------------------- helpers */

/* Sets the caller's *r to: ingress, number 0 (must be set), accept, all
 * protocols, any source and destination, no optional parts, line 0.
 * Returns nothing (a NULL r: nothing happens). */
MDEC_API void mdec_rule_init(struct mdec_rule *r);

/*
 * Writes *r in the text syntax, NUL-terminated and without newline, into
 * the caller's buf of size bytes: known protocols by name, prefixes always
 * as ADDR/LEN, options in the order sport, dport, vni, truncated/complete.
 * mdec_filter_parse() reads it back to the same rule.  Returns the text
 * length, or MDEC_E_NOSPACE (buf then holds a cut, terminated text when
 * size > 0; 192 bytes always do), or MDEC_E_INVALID (r or buf NULL).
 */
MDEC_API int mdec_rule_format(const struct mdec_rule *r, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_FILTER_H */

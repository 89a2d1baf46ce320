/*
 * mirrordec/filter.h - AWS Traffic Mirror filter rules, evaluated as AWS does.
 *
 * Include <mirrordec.h> rather than this file.
 *
 * A filter holds two ordered rule lists, ingress and egress.  A packet's
 * direction picks the list; rules are tried from the lowest rule number up;
 * the first rule that matches decides (accept or reject); no match, or no
 * rule of that direction, rejects.  Beyond AWS, a rule may also match the
 * innermost tunnel id and whether the packet was truncated, and an address
 * may be "any" (both families).  Rules are compiled when added, so testing
 * a packet costs a few masked compares per rule of its direction.
 *
 * Rules come from C (mdec_filter_add), from a text file (one rule a line,
 * mdec_filter_parse), or from the JSON that `aws ec2
 * describe-traffic-mirror-filters` prints (mdec_filter_parse_aws_json).
 *
 * Text syntax, one rule or setting a line.  Words are separated by spaces
 * or tabs; '#' starts a comment that runs to the end of the line (also
 * right after a word); blank lines are skipped; a CR before the newline
 * (CRLF) is ignored; keywords are case-insensitive.
 *
 *   DIRECTION NUMBER ACTION PROTOCOL SOURCE DESTINATION [OPTION ...]
 *
 *   DIRECTION   ingress | egress
 *   NUMBER      1..32766, unique within its direction
 *   ACTION      accept | reject
 *   PROTOCOL    all | tcp | udp | icmp | icmpv6 | sctp | 0..255
 *   SOURCE,
 *   DESTINATION CIDR (10.0.0.0/8, 2001:db8::/32, 192.0.2.1) | any
 *               (host bits beyond the length are refused, as AWS does;
 *               source and destination of two families are refused: such
 *               a rule could never match)
 *   OPTION      sport LO[-HI] | dport LO[-HI]      (tcp and udp only)
 *               vni LO[-HI]                        (innermost tunnel id,
 *                                                   0..4294967295)
 *               truncated | complete               (one of them)
 *               each option at most once, in any order
 *
 *   and settings lines, each at most once a text:
 *
 *   amazon-dns mirror | skip | rules  (default skip, as AWS without the
 *                                      amazon-dns network service; rules:
 *                                      MDEC_FILTER_AMAZON_DNS_BY_RULES)
 *   amazon-dns-resolver ADDRESS       (an extra Amazon DNS address, such as
 *                                      the VPC base + 2; may repeat)
 *   unknown-direction both | reject   (default both)
 *
 *   ingress 100 accept tcp 0.0.0.0/0 10.0.0.0/16 dport 443
 *   egress  100 accept all any any
 *
 * Semantics besides first match:
 *
 *   - Families: 0.0.0.0/0 matches every IPv4 packet and no IPv6 one (not
 *     even IPv4-mapped addresses); ::/0 the reverse; "any" both.
 *   - Truncated packets: a rule with a port range needs the ports; when the
 *     capture holds none (MDEC_FLOW_PORTS clear: cut before the L4 header,
 *     or a later fragment) the rule does not match and evaluation moves on
 *     to the next rule.  A vni rule likewise needs MDEC_FLOW_TUNNEL_ID,
 *     and a rule naming a protocol needs MDEC_FLOW_PROTO (an IPv6 packet
 *     cut inside its extension headers has addresses but no known
 *     protocol: only rules for all protocols can match it).
 *     A packet without inner IP addresses (ARP, other non-IP frames)
 *     matches no rule and is rejected.
 *   - Amazon DNS traffic: UDP or TCP to port 53 of an Amazon DNS address,
 *     or from port 53 of one, the ports being in the capture.  The
 *     addresses are 169.254.169.253, fd00:ec2::253 and those added with
 *     mdec_filter_add_dns_resolver().  Without MDEC_FILTER_AMAZON_DNS it is
 *     rejected before any rule is tried; with it, it is accepted in every
 *     direction without trying the rules, because AWS documents that with
 *     the amazon-dns network service "all traffic related to that network
 *     service will be mirrored".  Which packets AWS counts as related is
 *     not documented: the definition above is an inference.
 *   - Unknown direction (MDEC_DIR_UNKNOWN, or any value other than ingress
 *     and egress): accepted when either list accepts it, or rejected with
 *     MDEC_FILTER_UNKNOWN_REJECT.
 *
 * Errors of both parsers: line and column count bytes from 1 and point at
 * the word or JSON value that is wrong (a missing word: just past the last
 * one); the message names what was found and what was expected, and for
 * JSON the path of the member (TrafficMirrorFilters[0].IngressFilterRules
 * [2].RuleAction).  The error reported is the first one found; in a text,
 * the one on the earliest line.
 *
 * Memory: the filter lives in the caller's buffer; nothing is allocated.
 * It holds no pointers, so its mdec_filter_size() bytes may be copied to
 * another buffer aligned to MDEC_FILTER_ALIGN (or shared memory) and used
 * there.  Evaluation only reads the filter: threads may share one that
 * nobody modifies.  Adding or parsing rules is transactional: on any error
 * the filter holds exactly the rules, options and resolvers it held before
 * the call.  The parsers use the filter's unused rule slots as scratch
 * space while checking (so they need no memory of their own).
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

#define MDEC_PROTO_ANY (-1) /* mdec_rule.protocol: every protocol */

/* Bits of mdec_rule.match: the optional parts of a rule that are set. */
enum {
    MDEC_RULE_SPORT = 1u << 0,        /* sport_lo..sport_hi (TCP, UDP only);
                                         needs MDEC_FLOW_PORTS                */
    MDEC_RULE_DPORT = 1u << 1,        /* dport_lo..dport_hi (TCP, UDP only);
                                         needs MDEC_FLOW_PORTS                */
    MDEC_RULE_TUNNEL_ID = 1u << 2,    /* tunnel_id_lo..hi of the innermost
                                         tunnel; needs MDEC_FLOW_TUNNEL_ID    */
    MDEC_RULE_TRUNCATED = 1u << 3,    /* only packets with status TRUNCATED   */
    MDEC_RULE_COMPLETE = 1u << 4      /* only packets not truncated           */
};

/*
 * One rule.  A prefix of family MDEC_AF_NONE (with len 0) means "any
 * address of either family" (not an AWS notion); 0.0.0.0/0 matches IPv4
 * only and ::/0 IPv6 only, as in AWS.  Ranges are inclusive and only read
 * when their match bit is set.
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

/* Sets the caller's r to: ingress, number 0 (must be set), accept, all
 * protocols, any source and destination, no optional parts, line 0. */
MDEC_API void mdec_rule_init(struct mdec_rule *r);

/*
 * Writes r in the text syntax, NUL-terminated and without newline, into the
 * caller's buf of size bytes: known protocols by name, prefixes always as
 * ADDR/LEN, options in the order sport, dport, vni, truncated/complete.
 * mdec_filter_parse() reads it back to the same rule.  Returns the text
 * length, or MDEC_E_NOSPACE (buf then holds a cut, terminated text when
 * size > 0); 192 bytes always do.
 */
MDEC_API int mdec_rule_format(const struct mdec_rule *r, char *buf, size_t size);

/* Bits of the filter options (mdec_filter_set_options). */
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

struct mdec_filter; /* opaque: lives in the caller's buffer */

#define MDEC_FILTER_ALIGN 16 /* alignment the filter's memory must have */

/* Bytes a filter of up to max_rules rules (1..65532, both directions
 * together) needs, a multiple of MDEC_FILTER_ALIGN; 0 out of range. */
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

/* Removes every rule and added resolver; options back to 0; the capacity
 * stays. */
MDEC_API void mdec_filter_clear(struct mdec_filter *f);

/*
 * Adds a copy of *r (the caller keeps r).  The copy has the parts its match
 * bits leave unused, and "any" addresses, zeroed.  Returns 0,
 * MDEC_E_INVALID (f or r NULL, a field out of range, ports with a protocol
 * other than TCP or UDP, a range whose low end is above its high end, host
 * bits set beyond a prefix length or in IPv4 bytes 4..15, source and
 * destination of two families, truncated and complete together),
 * MDEC_E_EXISTS (number already used in that direction) or MDEC_E_NOSPACE
 * (max_rules reached), told in that order.
 */
MDEC_API int mdec_filter_add(struct mdec_filter *f, const struct mdec_rule *r);

/* Removes the rule of that direction and number: 0, or MDEC_E_NOTFOUND
 * (also for a direction other than ingress and egress). */
MDEC_API int mdec_filter_remove(struct mdec_filter *f, enum mdec_direction dir,
                                uint16_t number);

/* The number of rules, both directions together. */
MDEC_API uint32_t mdec_filter_count(const struct mdec_filter *f);

/* Rule i (0..count-1) in evaluation order: ingress rules by number, then
 * egress rules by number.  The rule lives in the filter and stays valid
 * until the filter next changes.  NULL when i is out of range. */
MDEC_API const struct mdec_rule *mdec_filter_rule(const struct mdec_filter *f, uint32_t i);

/* Replaces the MDEC_FILTER_* options; unknown bits are dropped. */
MDEC_API void mdec_filter_set_options(struct mdec_filter *f, uint32_t options);
/* The MDEC_FILTER_* options set. */
MDEC_API uint32_t mdec_filter_options(const struct mdec_filter *f);

/*
 * Adds a copy of *addr as an address that counts as Amazon DNS besides
 * 169.254.169.253 and fd00:ec2::253 (which always do): typically the VPC's
 * base address + 2.  An address already known takes no room.  Returns 0,
 * MDEC_E_INVALID (not IPv4 or IPv6) or MDEC_E_NOSPACE
 * (MDEC_FILTER_MAX_RESOLVERS added already).
 */
MDEC_API int mdec_filter_add_dns_resolver(struct mdec_filter *f, const struct mdec_addr *addr);

/*
 * Parses rules and settings in the text syntax from the caller's
 * text[0..len) (need not be NUL-terminated; read during the call only) and
 * adds them to the rules f holds; settings lines change only what they
 * name.  Returns 0, or with err (may be NULL) filled and the filter
 * unchanged: MDEC_E_SYNTAX, MDEC_E_EXISTS (a rule number used twice in a
 * direction, in the text or with the filter), MDEC_E_NOSPACE (more rules
 * than max_rules, or more than MDEC_FILTER_MAX_RESOLVERS resolvers), or
 * MDEC_E_INVALID (f NULL, or text NULL with len > 0).
 */
MDEC_API int mdec_filter_parse(struct mdec_filter *f, const char *text, size_t len,
                               struct mdec_parse_error *err);

/*
 * Imports the output of `aws ec2 describe-traffic-mirror-filters` from the
 * caller's json[0..len) (UTF-8, an optional byte order mark; need not be
 * NUL-terminated; read during the call only): the IngressFilterRules and
 * EgressFilterRules of the TrafficMirrorFilters entry whose
 * TrafficMirrorFilterId equals filter_id (exactly, after JSON unescaping),
 * added to the rules f holds.  With filter_id NULL the document must hold
 * exactly one filter.  Also read: {"TrafficMirrorFilter": FILTER} (what
 * create-traffic-mirror-filter prints), a bare filter object, and the
 * output of describe-traffic-mirror-filter-rules
 * ({"TrafficMirrorFilterRules": [...]}, each rule with its
 * TrafficDirection; with filter_id, rules naming another
 * TrafficMirrorFilterId are skipped; without, they must all name one).
 *
 * Per rule: RuleNumber, RuleAction, SourceCidrBlock, DestinationCidrBlock
 * required; Protocol an IANA number, absent or null for all protocols;
 * SourcePortRange / DestinationPortRange {FromPort, ToPort} optional;
 * other members (Description, Tags, ids) skipped.  A filter's
 * NetworkServices sets MDEC_FILTER_AMAZON_DNS when it holds "amazon-dns"
 * and clears it otherwise (the other options stay); the rules-only
 * document leaves the options alone.  Containers may nest 64 deep.
 *
 * Returns 0, or with err (may be NULL) filled and the filter unchanged:
 * MDEC_E_SYNTAX (bad JSON, a member of the wrong type or value),
 * MDEC_E_EXISTS, MDEC_E_NOSPACE (as for mdec_filter_parse()),
 * MDEC_E_NOTFOUND (no filter with that id, or none at all), or
 * MDEC_E_INVALID (f NULL, json NULL with len > 0, several filters and
 * filter_id NULL, or two filters with the id asked for).
 */
MDEC_API int mdec_filter_parse_aws_json(struct mdec_filter *f, const char *json, size_t len,
                                        const char *filter_id, struct mdec_parse_error *err);

/*
 * Evaluates the filter for one decoded packet seen in direction dir: its
 * res->flow, truncated when res->status is MDEC_STATUS_TRUNCATED.  Reads f and
 * res only.  Returns MDEC_VERDICT_ACCEPT or MDEC_VERDICT_REJECT.
 */
MDEC_API enum mdec_verdict mdec_filter_eval(const struct mdec_filter *f,
                                            const struct mdec_result *res,
                                            enum mdec_direction dir);

/* The same for a flow key alone; truncated is nonzero for a truncated
 * packet.  Only the parts flow->flags mark valid are read. */
MDEC_API enum mdec_verdict mdec_filter_eval_flow(const struct mdec_filter *f,
                                                 const struct mdec_flow *flow, int truncated,
                                                 enum mdec_direction dir);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_FILTER_H */

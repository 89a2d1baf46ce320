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
 * may be "any" (both families).
 *
 * Rules come from C (mdec_filter_add), from a text file (one rule a line,
 * mdec_filter_parse), or from the JSON that `aws ec2
 * describe-traffic-mirror-filters` prints (mdec_filter_parse_aws_json).
 *
 * Text syntax, one rule a line, '#' starts a comment:
 *
 *   DIRECTION NUMBER ACTION PROTOCOL SOURCE DESTINATION [OPTION ...]
 *
 *   DIRECTION   ingress | egress
 *   NUMBER      1..32766, unique within its direction
 *   ACTION      accept | reject
 *   PROTOCOL    all | tcp | udp | icmp | icmpv6 | sctp | 0..255
 *   SOURCE,
 *   DESTINATION CIDR (10.0.0.0/8, 2001:db8::/32, 192.0.2.1) | any
 *   OPTION      sport LO[-HI] | dport LO[-HI]      (tcp and udp only)
 *               vni LO[-HI]                        (innermost tunnel id)
 *               truncated | complete
 *
 *   and settings lines:
 *
 *   amazon-dns mirror | skip          (default skip, as AWS without the
 *                                      amazon-dns network service)
 *   amazon-dns-resolver ADDRESS       (an extra Amazon DNS address, such as
 *                                      the VPC base + 2)
 *   unknown-direction both | reject   (default both)
 *
 *   ingress 100 accept tcp 0.0.0.0/0 10.0.0.0/16 dport 443
 *   egress  100 accept all any any
 *
 * Truncated packets: a rule with a port range needs the ports; when the
 * capture holds none (MDEC_FLOW_PORTS clear) the rule does not match and
 * evaluation moves on to the next rule.  A packet without inner IP
 * addresses (ARP, other non-IP frames) matches no rule and is rejected.
 *
 * Memory: the filter lives in the caller's buffer; nothing is allocated.
 * Evaluation only reads the filter: threads may share one that nobody
 * modifies.  Adding or parsing rules is transactional: on any error the
 * filter holds exactly the rules it held before the call.
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
    MDEC_RULE_SPORT = 1u << 0,        /* sport_lo..sport_hi (TCP, UDP only)   */
    MDEC_RULE_DPORT = 1u << 1,        /* dport_lo..dport_hi (TCP, UDP only)   */
    MDEC_RULE_TUNNEL_ID = 1u << 2,    /* tunnel_id_lo..hi of the innermost    */
    MDEC_RULE_TRUNCATED = 1u << 3,    /* only packets with status TRUNCATED   */
    MDEC_RULE_COMPLETE = 1u << 4      /* only packets not truncated           */
};

/*
 * One rule.  A prefix of family MDEC_AF_NONE means "any address of either
 * family" (not an AWS notion); 0.0.0.0/0 matches IPv4 only and ::/0 IPv6
 * only, as in AWS.
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
    uint32_t line;      /* text line it came from; 0 when added from C       */
};

/* Sets r to: ingress, number 0 (must be set), accept, all protocols, any
 * source and destination, no optional parts. */
MDEC_API void mdec_rule_init(struct mdec_rule *r);

/*
 * Writes the rule in the text syntax (without newline).  Returns the text
 * length, or MDEC_E_NOSPACE; 192 bytes always do.
 */
MDEC_API int mdec_rule_format(const struct mdec_rule *r, char *buf, size_t size);

/* Bits of the filter options (mdec_filter_set_options). */
enum {
    MDEC_FILTER_AMAZON_DNS = 1u << 0,    /* mirror Amazon DNS traffic, as the
                                            amazon-dns network service does;
                                            clear (default): reject it before
                                            the rules are tried              */
    MDEC_FILTER_UNKNOWN_REJECT = 1u << 1, /* a packet of unknown direction is
                                            rejected; clear (default): it is
                                            accepted when either list accepts */
    MDEC_FILTER_AMAZON_DNS_BY_RULES = 1u << 2 /* with MDEC_FILTER_AMAZON_DNS:
                                            Amazon DNS traffic goes through
                                            the rules like any packet instead
                                            of being accepted outright        */
};

#define MDEC_FILTER_MAX_RESOLVERS 8 /* extra Amazon DNS addresses a filter keeps */

struct mdec_filter; /* opaque: lives in the caller's buffer */

#define MDEC_FILTER_ALIGN 16 /* alignment the filter's memory must have */

/* Bytes a filter of up to max_rules rules (1..65532) needs; 0 out of range. */
MDEC_API size_t mdec_filter_size(uint32_t max_rules);

/*
 * Builds an empty filter (no rules: rejects everything) in mem, which must be
 * at least mdec_filter_size(max_rules) bytes aligned to MDEC_FILTER_ALIGN.
 * Returns the filter (it starts at mem) or NULL when an argument is out of
 * range.
 */
MDEC_API struct mdec_filter *mdec_filter_init(void *mem, size_t size, uint32_t max_rules);

/* Removes every rule and resolver; options back to 0. */
MDEC_API void mdec_filter_clear(struct mdec_filter *f);

/*
 * Adds a rule.  Returns 0, MDEC_E_INVALID (a field out of range, ports with a
 * protocol other than TCP or UDP, host bits set beyond a prefix length),
 * MDEC_E_EXISTS (number already used in that direction) or MDEC_E_NOSPACE.
 */
MDEC_API int mdec_filter_add(struct mdec_filter *f, const struct mdec_rule *r);

/* Removes the rule of that direction and number: 0 or MDEC_E_NOTFOUND. */
MDEC_API int mdec_filter_remove(struct mdec_filter *f, enum mdec_direction dir,
                                uint16_t number);

MDEC_API uint32_t mdec_filter_count(const struct mdec_filter *f);

/* Rule i (0..count-1) in evaluation order: ingress rules by number, then
 * egress rules by number.  NULL when i is out of range. */
MDEC_API const struct mdec_rule *mdec_filter_rule(const struct mdec_filter *f, uint32_t i);

MDEC_API void mdec_filter_set_options(struct mdec_filter *f, uint32_t options);
MDEC_API uint32_t mdec_filter_options(const struct mdec_filter *f);

/*
 * Adds an address that counts as Amazon DNS besides 169.254.169.253 and
 * fd00:ec2::253 (which always do): typically the VPC's base address + 2.
 * Returns 0, MDEC_E_INVALID or MDEC_E_NOSPACE.
 */
MDEC_API int mdec_filter_add_dns_resolver(struct mdec_filter *f, const struct mdec_addr *addr);

/*
 * Parses rules and settings in the text syntax from text[0..len) (need not
 * be NUL-terminated) and adds them.  Returns 0, or an mdec_error with err
 * (may be NULL) naming the line, the column and what was expected; the
 * filter is then unchanged.
 */
MDEC_API int mdec_filter_parse(struct mdec_filter *f, const char *text, size_t len,
                               struct mdec_parse_error *err);

/*
 * Imports the output of `aws ec2 describe-traffic-mirror-filters`: the
 * IngressFilterRules and EgressFilterRules, and NetworkServices
 * ["amazon-dns"], of the TrafficMirrorFilters entry whose
 * TrafficMirrorFilterId equals filter_id; with filter_id NULL the document
 * must hold exactly one filter.  A bare filter object, or the output of
 * describe-traffic-mirror-filter-rules ({"TrafficMirrorFilterRules": [...]})
 * is read too.  Errors as for mdec_filter_parse().
 */
MDEC_API int mdec_filter_parse_aws_json(struct mdec_filter *f, const char *json, size_t len,
                                        const char *filter_id, struct mdec_parse_error *err);

/*
 * Evaluates the filter for one decoded packet seen in direction dir.
 * Returns MDEC_VERDICT_ACCEPT or MDEC_VERDICT_REJECT.
 */
MDEC_API enum mdec_verdict mdec_filter_eval(const struct mdec_filter *f,
                                            const struct mdec_result *res,
                                            enum mdec_direction dir);

/* The same for a flow key alone; truncated is 1 for a truncated packet. */
MDEC_API enum mdec_verdict mdec_filter_eval_flow(const struct mdec_filter *f,
                                                 const struct mdec_flow *flow, int truncated,
                                                 enum mdec_direction dir);

#ifdef __cplusplus
}
#endif

#endif /* MIRRORDEC_FILTER_H */

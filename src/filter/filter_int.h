/*
 * filter_int.h - what filter.c (the rules) shares with the compiled form
 * and the evaluation (filter_eval.c) and with the two rule parsers
 * (filter_text.c; filter_json.c and filter_json_rule.c over json.c).
 * Never installed.
 *
 * The parsers are transactional without allocating: they write the rules
 * they read into the filter's unused slots (the "scratch" slots, from
 * mdec_filter_count() on), which evaluation never reads, check them there,
 * and only then make them part of the filter with mdec__filter_commit(),
 * which also rebuilds the compiled form.  Until that call the filter's
 * rules, compiled form, counts and options are untouched.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_FILTER_INT_H
#define MDEC_FILTER_INT_H

#include "base.h"
#include "mirrordec/filter.h"

#define MDEC_RULE_NUMBER_MAX 32766u
#define MDEC_RULE_MATCH_ALL                                                                        \
    (MDEC_RULE_SPORT | MDEC_RULE_DPORT | MDEC_RULE_TUNNEL_ID | MDEC_RULE_TRUNCATED |               \
     MDEC_RULE_COMPLETE)
/* Scratch-only mark the JSON parser sets on a rule (never committed). */
#define MDEC_RULE_SCRATCH_MARK 0x8000u

/* ------------------------------------------------------------ the object */

/* Port buckets of the TCP and UDP lanes of a compiled block (a power of
 * two), and lists per block: NB for TCP, NB for UDP, one for the rest. */
#define MDEC_FILTER_NB 8u
#define N_LISTS_       (2u * MDEC_FILTER_NB + 1u)

enum { MDEC_FAM_V4 = 0, MDEC_FAM_V6 = 1 };

/* The pre-dispatch of one direction and family (filter_eval.c). */
struct mdec_filter_block {
    uint32_t list[N_LISTS_ + 1]; /* list k: idx[list[k] .. list[k + 1]) */
    uint8_t by_sport[2];         /* TCP, UDP lane: bucket by source port */
    uint8_t pad_[2];
};

/*
 * The caller's buffer starts with this header; the rules as given follow
 * at MDEC_FILTER_HDR_SIZE (max_rules of them, ingress rules by number then
 * egress rules by number, free slots after them), then the compiled form
 * (filter_eval.c).  Offsets only: the bytes may be copied elsewhere.
 */
struct mdec_filter {
    uint32_t max_rules;
    uint32_t n_in, n_eg; /* ingress rules first, then egress rules */
    uint32_t options;    /* MDEC_FILTER_* bits                     */
    uint32_t n_res;      /* entries used in res[]                  */
    uint32_t pad_;
    struct mdec_addr res[MDEC_FILTER_MAX_RESOLVERS];
    struct mdec_filter_block block[2][2]; /* [ingress, egress][MDEC_FAM_*] */
};

#define MDEC_FILTER_HDR_SIZE                                                                       \
    ((sizeof(struct mdec_filter) + MDEC_FILTER_ALIGN - 1) & ~(size_t)(MDEC_FILTER_ALIGN - 1))

/* The rules, in evaluation order (and the scratch slots after them). */
static inline struct mdec_rule *mdec__filter_rules(struct mdec_filter *f)
{
    return (struct mdec_rule *)(void *)((unsigned char *)f + MDEC_FILTER_HDR_SIZE);
}

static inline const struct mdec_rule *mdec__filter_crules(const struct mdec_filter *f)
{
    return (const struct mdec_rule *)(const void *)((const unsigned char *)f +
                                                    MDEC_FILTER_HDR_SIZE);
}

/* Bytes of a filter of max_rules rules: header, rules, compiled form. */
MDEC_HIDDEN size_t mdec__filter_bytes(uint32_t max_rules);

/* Rebuilds the compiled form from the rules; cannot fail.  Every function
 * that changes the rules calls it before returning. */
MDEC_HIDDEN void mdec__filter_compile(struct mdec_filter *f);

/* ----------------------------------------------------------------- rules */

/* NULL when the rule may be added; otherwise why not, as a phrase. */
MDEC_HIDDEN const char *mdec__rule_check(const struct mdec_rule *r);

/* Zeroes what the rule's match bits leave unused, and "any" addresses. */
MDEC_HIDDEN void mdec__rule_normalize(struct mdec_rule *r);

/* Unused rule slots: how many rules can still be added. */
MDEC_HIDDEN uint32_t mdec__filter_room(const struct mdec_filter *f);

/* Scratch slot k (0 <= k < mdec__filter_room(f)). */
MDEC_HIDDEN struct mdec_rule *mdec__filter_scratch(struct mdec_filter *f, uint32_t k);

/* The filter's rule of that direction and number, or NULL. */
MDEC_HIDDEN const struct mdec_rule *mdec__filter_find(const struct mdec_filter *f, unsigned dir,
                                                      unsigned number);

/* Sorts rules by direction, number, then line (heapsort: no allocation). */
MDEC_HIDDEN void mdec__rules_sort(struct mdec_rule *r, uint32_t n);

/* In rules sorted by mdec__rules_sort: index of the first rule not below
 * (dir, number), and in *count how many have exactly that key. */
MDEC_HIDDEN uint32_t mdec__rules_lower(const struct mdec_rule *r, uint32_t n, unsigned dir,
                                       unsigned number, uint32_t *count);

/*
 * Makes scratch slots 0..k-1 (checked and normalized, numbers unique within
 * their direction and not used by the filter) part of the filter.  Cannot
 * fail.
 */
MDEC_HIDDEN void mdec__filter_commit(struct mdec_filter *f, uint32_t k);

/* 1 when addr already counts as Amazon DNS for f (built in or added). */
MDEC_HIDDEN int mdec__filter_is_resolver(const struct mdec_filter *f, const struct mdec_addr *addr);

/* How many more resolvers mdec_filter_add_dns_resolver() accepts. */
MDEC_HIDDEN unsigned mdec__filter_resolver_room(const struct mdec_filter *f);

/* The parsers' shared messages, into buf (size bytes, NUL-terminated):
 * "the filter is full: it holds at most N rules, H were in it and K came
 * before this " what, when k of room scratch slots were used ... */
MDEC_HIDDEN void mdec__msg_full(char *buf, size_t size, const struct mdec_filter *f, uint32_t room,
                                uint32_t k, const char *what);
/* ... and "rule number N is already used by an ingress (egress) rule in
 * the filter". */
MDEC_HIDDEN void mdec__msg_number_used(char *buf, size_t size, unsigned dir, unsigned number);

/* Internal option bits' public names, for the parsers. */
#define MDEC_FILTER_OPTIONS_ALL                                                                    \
    (MDEC_FILTER_AMAZON_DNS | MDEC_FILTER_UNKNOWN_REJECT | MDEC_FILTER_AMAZON_DNS_BY_RULES)

/* Case-insensitive comparison of s[0..n) with the lowercase word w. */
MDEC_HIDDEN int mdec__word_is(const char *s, size_t n, const char *w);

#endif /* MDEC_FILTER_INT_H */

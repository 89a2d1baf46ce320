/*
 * fuzz_filter_common.h - what fuzz_filter_text and fuzz_filter_json share:
 * a filter in exactly sized memory, a snapshot of its rules to prove that a
 * failed parse changed nothing, the checks on a parse error, and the checks
 * on a filter that parsed.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_FUZZ_FILTER_COMMON_H
#define MDEC_FUZZ_FILTER_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

#define FUZZ_MAX_RULES 64u

struct filter_snapshot {
    uint32_t n, options;
    struct mdec_rule rules[FUZZ_MAX_RULES];
};

static inline struct mdec_filter *fuzz_new_filter(uint32_t max, void **mem)
{
    const size_t size = mdec_filter_size(max);
    FUZZ_CHECK(size > 0);
    *mem = aligned_alloc(MDEC_FILTER_ALIGN, (size + MDEC_FILTER_ALIGN - 1) / MDEC_FILTER_ALIGN *
                                                MDEC_FILTER_ALIGN);
    FUZZ_CHECK(*mem != NULL);
    struct mdec_filter *f = mdec_filter_init(*mem, size, max);
    FUZZ_CHECK(f == *mem);
    FUZZ_CHECK(mdec_filter_init(*mem, size - 1, max) == NULL);
    f = mdec_filter_init(*mem, size, max);
    return f;
}

static inline void fuzz_snapshot(const struct mdec_filter *f, struct filter_snapshot *s)
{
    s->n = mdec_filter_count(f);
    s->options = mdec_filter_options(f);
    FUZZ_CHECK(s->n <= FUZZ_MAX_RULES);
    for (uint32_t i = 0; i < s->n; i++)
        s->rules[i] = *mdec_filter_rule(f, i);
    FUZZ_CHECK(mdec_filter_rule(f, s->n) == NULL);
}

static inline void fuzz_check_unchanged(const struct mdec_filter *f, const struct filter_snapshot *s)
{
    FUZZ_CHECK(mdec_filter_count(f) == s->n);
    FUZZ_CHECK(mdec_filter_options(f) == s->options);
    for (uint32_t i = 0; i < s->n; i++)
        FUZZ_CHECK(memcmp(mdec_filter_rule(f, i), &s->rules[i], sizeof s->rules[i]) == 0);
}

/* A parse error points into the text and says something. */
static inline void fuzz_check_error(int rc, const struct mdec_parse_error *e, const char *text,
                                    size_t len)
{
    FUZZ_CHECK(rc == MDEC_E_SYNTAX || rc == MDEC_E_EXISTS || rc == MDEC_E_NOSPACE ||
               rc == MDEC_E_INVALID || rc == MDEC_E_NOTFOUND);
    FUZZ_CHECK(memchr(e->message, '\0', sizeof e->message) != NULL);
    FUZZ_CHECK(e->message[0] != '\0');
    if (rc == MDEC_E_INVALID || rc == MDEC_E_NOTFOUND)
        return; /* about the document as a whole (several filters, no such id) */
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    FUZZ_CHECK(e->line >= 1 && e->line <= lines);
    FUZZ_CHECK(e->column >= 1 && e->column <= len + 2);
}

/* Rules in evaluation order: ingress by number, then egress by number, no
 * number twice in a direction; each survives format and parse unchanged. */
static inline void fuzz_check_rules(const struct mdec_filter *f)
{
    const uint32_t n = mdec_filter_count(f);
    const struct mdec_rule *prev = NULL;
    void *mem;
    struct mdec_filter *g = fuzz_new_filter(1, &mem);
    for (uint32_t i = 0; i < n; i++) {
        const struct mdec_rule *r = mdec_filter_rule(f, i);
        if (r == NULL) {
            fuzz_fail("rule %u of %u missing", i, n);
            return; /* not reached: for cppcheck, which misses _Noreturn */
        }
        FUZZ_CHECK(r->direction == MDEC_DIR_INGRESS || r->direction == MDEC_DIR_EGRESS);
        FUZZ_CHECK(r->number >= 1 && r->number <= 32766);
        if (prev) {
            FUZZ_CHECK(prev->direction <= r->direction);
            if (prev->direction == r->direction)
                FUZZ_CHECK(prev->number < r->number);
        }
        prev = r;
        char text[256];
        const int len = mdec_rule_format(r, text, sizeof text);
        FUZZ_CHECK(len > 0 && (size_t)len < sizeof text);
        struct mdec_parse_error e;
        mdec_filter_clear(g);
        if (mdec_filter_parse(g, text, (size_t)len, &e) != 0)
            fuzz_fail("rule %u formats as '%s', which does not parse: %u:%u %s", i, text, e.line,
                      e.column, e.message);
        FUZZ_CHECK(mdec_filter_count(g) == 1);
        struct mdec_rule a = *r, b = *mdec_filter_rule(g, 0);
        a.line = b.line = 0;
        if (memcmp(&a, &b, sizeof a) != 0)
            fuzz_fail("rule %u does not survive format and parse: '%s'", i, text);
    }
    free(mem);
}

/* Evaluates a few flows made of the input's last bytes: verdicts only. */
static inline void fuzz_eval_some(const struct mdec_filter *f, const uint8_t *b, size_t n)
{
    struct mdec_flow fl;
    memset(&fl, 0, sizeof fl);
    for (size_t k = 0; k + 12 <= n && k < 48; k += 12) {
        fl.flags = (uint8_t)(b[k] & 0x7F);
        fl.src.family = fl.dst.family = (b[k + 1] & 1) ? MDEC_AF_IPV6 : MDEC_AF_IPV4;
        memcpy(fl.src.a, b + k + 2, 4);
        memcpy(fl.dst.a, b + k + 6, 4);
        fl.proto = b[k + 10];
        fl.sport = (uint16_t)(b[k + 11] << 2);
        fl.dport = (uint16_t)(b[k + 11] * 3u);
        fl.tunnel_id = b[k + 1];
        for (int dir = 0; dir < 3; dir++) {
            const enum mdec_verdict v =
                mdec_filter_eval_flow(f, &fl, b[k] >> 7, (enum mdec_direction)dir);
            FUZZ_CHECK(v == MDEC_VERDICT_ACCEPT || v == MDEC_VERDICT_REJECT);
        }
    }
}

#endif /* MDEC_FUZZ_FILTER_COMMON_H */

/*
 * filter_testutil.h - small helpers shared by the filter tests (header
 * only: every function is static and used by most of the test files).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_FILTER_TESTUTIL_H
#define MDEC_FILTER_TESTUTIL_H

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A filter of max rules in memory from aligned_alloc; free() releases it
 * (the filter starts at the memory it was built in). */
static inline struct mdec_filter *new_filter(uint32_t max)
{
    const size_t size = mdec_filter_size(max);
    assert_true(size > 0);
    void *mem = aligned_alloc(MDEC_FILTER_ALIGN, size);
    assert_non_null(mem);
    struct mdec_filter *f = mdec_filter_init(mem, size, max);
    assert_ptr_equal(f, mem);
    return f;
}

/* Parses text into f, failing the test with the parser's message. */
static inline void parse_ok(struct mdec_filter *f, const char *text)
{
    struct mdec_parse_error e;
    memset(&e, 0, sizeof e);
    const int rc = mdec_filter_parse(f, text, strlen(text), &e);
    if (rc != 0)
        fail_msg("parse failed (%d) at %u:%u: %s\n--- text:\n%s", rc, e.line, e.column, e.message,
                 text);
}

/* A flow with IP addresses; ports when sport >= 0. */
static inline struct mdec_flow mkflow(const char *src, const char *dst, int proto, int sport,
                                      int dport)
{
    struct mdec_flow fl;
    memset(&fl, 0, sizeof fl);
    fl.src = addr_of(src);
    fl.dst = addr_of(dst);
    fl.proto = (uint8_t)proto;
    fl.flags = MDEC_FLOW_IP | MDEC_FLOW_PROTO;
    if (sport >= 0) {
        fl.flags |= MDEC_FLOW_PORTS;
        fl.sport = (uint16_t)sport;
        fl.dport = (uint16_t)dport;
    }
    return fl;
}

/* Every rule of f formatted, one a line, into buf. */
static inline void dump_rules(const struct mdec_filter *f, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < mdec_filter_count(f); i++) {
        char line[192];
        assert_true(mdec_rule_format(mdec_filter_rule(f, i), line, sizeof line) > 0);
        const int n = snprintf(buf + used, size - used, "%s\n", line);
        assert_true(n > 0 && (size_t)n < size - used);
        used += (size_t)n;
    }
}

/* The rules of f (count and every byte of each) equal those of g. */
static inline void assert_same_rules(const struct mdec_filter *f, const struct mdec_filter *g)
{
    assert_int_equal(mdec_filter_count(f), mdec_filter_count(g));
    for (uint32_t i = 0; i < mdec_filter_count(f); i++)
        assert_memory_equal(mdec_filter_rule(f, i), mdec_filter_rule(g, i),
                            sizeof(struct mdec_rule));
}

#endif /* MDEC_FILTER_TESTUTIL_H */

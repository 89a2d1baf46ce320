/*
 * fuzz_filter_text.c - mdec_filter_parse() on text from the input.
 *
 * Input: byte 0 the filter's capacity (1 + b % 64 rules); byte 1 bits 0-1
 * how many rules are already in the filter (0-3, from a fixed text), bit 2
 * MDEC_FILTER_AMAZON_DNS set beforehand; the rest is the text, handed over
 * in an exactly sized heap buffer without a terminating NUL.
 *
 * Checks: the return code is one the header documents; on failure the
 * filter is exactly what it was (rules and options) and the error names a
 * line and column inside the text with a non-empty message; on success the
 * rules are in evaluation order, unique per direction, and each survives
 * mdec_rule_format() and mdec_filter_parse() unchanged; evaluation returns
 * accept or reject.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "fuzz_filter_common.h"

static const char prefill[] = "ingress 100 accept tcp 10.0.0.0/8 any dport 443\n"
                              "egress 200 reject udp any 2001:db8::/32 sport 53-54\n"
                              "ingress 300 accept all any any vni 100-200 truncated\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    const uint32_t max = 1 + fuzz_u8(&in) % FUZZ_MAX_RULES;
    const uint8_t how = fuzz_u8(&in);
    void *mem;
    struct mdec_filter *f = fuzz_new_filter(max, &mem);
    if (how & 4)
        mdec_filter_set_options(f, MDEC_FILTER_AMAZON_DNS);
    const unsigned pre = how & 3;
    if (pre) {
        size_t len = 0;
        for (unsigned i = 0; i < pre; i++)
            len = (size_t)(strchr(prefill + len, '\n') - prefill) + 1;
        struct mdec_parse_error e;
        const int rc = mdec_filter_parse(f, prefill, len, &e);
        FUZZ_CHECK(rc == 0 || (rc == MDEC_E_NOSPACE && max < pre));
    }
    struct filter_snapshot before;
    fuzz_snapshot(f, &before);

    char *text = fuzz_malloc(in.n ? in.n : 1);
    memcpy(text, in.p, in.n);
    struct mdec_parse_error e;
    memset(&e, 0x5A, sizeof e);
    const int rc = mdec_filter_parse(f, text, in.n, &e);
    if (rc != 0) {
        fuzz_check_error(rc, &e, text, in.n);
        fuzz_check_unchanged(f, &before);
    } else {
        FUZZ_CHECK(mdec_filter_count(f) >= before.n);
        fuzz_check_rules(f);
    }
    fuzz_eval_some(f, in.p, in.n);
    free(text);
    free(mem);
    return 0;
}

/*
 * fuzz_filter_json.c - mdec_filter_parse_aws_json() on JSON from the input.
 *
 * Input: byte 0 the filter's capacity (1 + b % 64 rules); byte 1 bit 0 pass
 * the filter id "tmf-0123456789abcdef0" (else NULL), bit 1 one rule in the
 * filter beforehand, bit 2 MDEC_FILTER_AMAZON_DNS set beforehand; the rest
 * is the document, handed over in an exactly sized heap buffer without a
 * terminating NUL.
 *
 * Checks, as fuzz_filter_text: documented return codes; on failure nothing
 * changed and the error points inside the document; on success the rules
 * are in order and survive the text syntax round trip.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "fuzz_filter_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    const uint32_t max = 1 + fuzz_u8(&in) % FUZZ_MAX_RULES;
    const uint8_t how = fuzz_u8(&in);
    void *mem;
    struct mdec_filter *f = fuzz_new_filter(max, &mem);
    if (how & 4)
        mdec_filter_set_options(f, MDEC_FILTER_AMAZON_DNS);
    if (how & 2) {
        static const char one[] = "egress 7 accept icmp any any\n";
        FUZZ_CHECK(mdec_filter_parse(f, one, sizeof one - 1, NULL) == 0);
    }
    struct filter_snapshot before;
    fuzz_snapshot(f, &before);

    char *json = fuzz_malloc(in.n ? in.n : 1);
    memcpy(json, in.p, in.n);
    struct mdec_parse_error e;
    memset(&e, 0x5A, sizeof e);
    const int rc = mdec_filter_parse_aws_json(f, json, in.n,
                                              (how & 1) ? "tmf-0123456789abcdef0" : NULL, &e);
    if (rc != 0) {
        fuzz_check_error(rc, &e, json, in.n);
        fuzz_check_unchanged(f, &before);
    } else {
        fuzz_check_rules(f);
    }
    fuzz_eval_some(f, in.p, in.n);
    free(json);
    free(mem);
    return 0;
}

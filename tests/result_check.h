/*
 * result_check.h - what every decode result must hold, and comparing two
 * results on what is valid in them.  The one copy of these rules: the unit
 * tests (tests/testutil.c, with cmocka) and the fuzz targets
 * (fuzz/fuzz_check.c, without it) both use this file.  No cmocka here: a
 * violation is reported through a callback, which a cmocka test turns into
 * fail_msg() and a fuzz target into abort().
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_RESULT_CHECK_H
#define MDEC_RESULT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <mirrordec.h>

/* How a violated check is reported: fail(arg, a sentence saying what).
 * fail may return (the check then stops and returns 1) or not. */
struct result_report {
    void (*fail)(void *arg, const char *msg);
    void *arg;
};

/*
 * The invariants of a result of decoding frame[0..cap): enums in range and
 * named, every offset and length inside the frame, counts within their
 * arrays, cut and anomalies present for the statuses that need them, the
 * flow's parts consistent with its flags and with the last tunnel, and what
 * decode.h documents besides (OK peeled a tunnel, NOT_TUNNELED none, every
 * tunnel but the last complete, IPv4 address tails zeroed).  For a frame
 * of 4 GiB or more (refused) pass cap 0.  Returns 0, or 1 after reporting
 * the first violation.
 */
int result_check(const struct result_report *rep, const struct mdec_result *r,
                 const uint8_t *frame, size_t cap);

/*
 * What the decode of a capture cut at n bytes (the same wire length) must
 * keep of the full frame's decode: never malformed when the full frame was
 * not, no other status but truncated, the same tunnel types and ids (but
 * GRE cut before it shows it carries ERSPAN), the same addresses, protocol
 * and ports, truncated by the capture unless the full frame was cut the
 * same way.  Returns 0, or 1 after reporting the first violation.
 */
int result_check_cut(const struct result_report *rep, const struct mdec_result *full,
                     const struct mdec_result *cut, size_t n);

/*
 * Copies into *c (zeroed first) exactly the parts of *r that its status,
 * flags, counts and presence bits say are valid, so that two canonical
 * results compare with memcmp.
 */
void result_canonical(const struct mdec_result *r, struct mdec_result *c);

/* 0 when a and b agree on everything valid; else 1 + the offset of the first
 * byte of the canonical results that differs. */
size_t result_differs(const struct mdec_result *a, const struct mdec_result *b);

#endif /* MDEC_RESULT_CHECK_H */

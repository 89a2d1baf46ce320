/*
 * result_cmp.h - comparing two decode results on what is valid in them.
 * Shared by the unit tests and the fuzz targets.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_RESULT_CMP_H
#define MDEC_RESULT_CMP_H

#include <stddef.h>

#include <mirrordec.h>

/*
 * Copies into *c (zeroed first) exactly the parts of *r that its status,
 * flags, counts and presence bits say are valid, so that two canonical
 * results compare with memcmp.
 */
void result_canonical(const struct mdec_result *r, struct mdec_result *c);

/* 0 when a and b agree on everything valid; else 1 + the offset of the first
 * byte of the canonical results that differs. */
size_t result_differs(const struct mdec_result *a, const struct mdec_result *b);

#endif /* MDEC_RESULT_CMP_H */

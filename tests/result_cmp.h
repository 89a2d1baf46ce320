/*
 * result_cmp.h - the former home of result_canonical() and result_differs(),
 * which now live in result_check.h with the result invariants (one copy
 * for the unit tests and the fuzz targets).  Kept only so that tests
 * written against it (tests/session/test_burst.c on main) still build;
 * include result_check.h instead, and remove this file once nothing
 * includes it.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_RESULT_CMP_H
#define MDEC_RESULT_CMP_H

#include "result_check.h"

#endif /* MDEC_RESULT_CMP_H */

/*
 * text.h - building short texts (addresses, keys, error messages) into the
 * caller's buffer without stdio, which may allocate.  Never installed.
 *
 * A struct sbuf counts every byte it was asked to write, writes those that
 * fit, and sb_done() NUL-terminates and says whether all of them fitted.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_TEXT_H
#define MDEC_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "mirrordec/common.h"

struct sbuf {
    char *buf;
    size_t size;
    size_t len; /* bytes asked for so far, fitted or not */
};

MDEC_HIDDEN void mdec__sb_init(struct sbuf *b, char *buf, size_t size);
MDEC_HIDDEN void mdec__sb_char(struct sbuf *b, char c);
MDEC_HIDDEN void mdec__sb_mem(struct sbuf *b, const char *s, size_t n);
MDEC_HIDDEN void mdec__sb_str(struct sbuf *b, const char *s);
MDEC_HIDDEN void mdec__sb_u64(struct sbuf *b, uint64_t v);
/* Lowercase hex, at least min_digits digits, no prefix. */
MDEC_HIDDEN void mdec__sb_hex(struct sbuf *b, uint64_t v, unsigned min_digits);
/* 'text' quoted for an error message: control and non-ASCII bytes as \xNN,
 * at most 40 bytes of it, then "...". */
MDEC_HIDDEN void mdec__sb_quoted(struct sbuf *b, const char *s, size_t n);
/* NUL-terminates (cutting if needed); returns the length, or MDEC_E_NOSPACE
 * when not everything fitted. */
MDEC_HIDDEN int mdec__sb_done(struct sbuf *b);

/* Fills err (when not NULL) with line, column and a message
 * "a" + quoted(q, qn) + "z"; q may be NULL for no quoted part. */
MDEC_HIDDEN void mdec__perr(struct mdec_parse_error *err, uint32_t line, uint32_t column,
                            const char *a, const char *q, size_t qn, const char *z);

/* The value of one hexadecimal digit, or -1 when c is not one. */
static inline int mdec__hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif /* MDEC_TEXT_H */

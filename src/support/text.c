/*
 * text.c - see text.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "text.h"

void mdec__sb_init(struct sbuf *b, char *buf, size_t size)
{
    b->buf = buf;
    b->size = buf ? size : 0;
    b->len = 0;
    if (b->size)
        b->buf[0] = '\0';
}

void mdec__sb_char(struct sbuf *b, char c)
{
    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

void mdec__sb_mem(struct sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mdec__sb_char(b, s[i]);
}

void mdec__sb_str(struct sbuf *b, const char *s)
{
    while (*s)
        mdec__sb_char(b, *s++);
}

void mdec__sb_u64(struct sbuf *b, uint64_t v)
{
    char tmp[20];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        mdec__sb_char(b, tmp[--n]);
}

void mdec__sb_hex(struct sbuf *b, uint64_t v, unsigned min_digits)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    unsigned n = 0;
    do {
        tmp[n++] = digits[v & 15];
        v >>= 4;
    } while (v && n < 16);
    while (n < min_digits && n < 16)
        tmp[n++] = '0';
    while (n)
        mdec__sb_char(b, tmp[--n]);
}

void mdec__sb_quoted(struct sbuf *b, const char *s, size_t n)
{
    const size_t max = 40;
    mdec__sb_char(b, '\'');
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F || c == '\'' || c == '\\') {
            mdec__sb_str(b, "\\x");
            mdec__sb_hex(b, c, 2);
        } else {
            mdec__sb_char(b, (char)c);
        }
    }
    if (n > max)
        mdec__sb_str(b, "...");
    mdec__sb_char(b, '\'');
}

int mdec__sb_done(struct sbuf *b)
{
    if (b->size == 0)
        return MDEC_E_NOSPACE;
    if (b->len < b->size) {
        b->buf[b->len] = '\0';
        return b->len > INT32_MAX ? MDEC_E_NOSPACE : (int)b->len;
    }
    b->buf[b->size - 1] = '\0';
    return MDEC_E_NOSPACE;
}

void mdec__perr(struct mdec_parse_error *err, uint32_t line, uint32_t column, const char *a,
                const char *q, size_t qn, const char *z)
{
    if (!err)
        return;
    struct sbuf b;
    err->line = line;
    err->column = column;
    mdec__sb_init(&b, err->message, sizeof err->message);
    mdec__sb_str(&b, a);
    if (q)
        mdec__sb_quoted(&b, q, qn);
    mdec__sb_str(&b, z);
    (void)mdec__sb_done(&b);
}

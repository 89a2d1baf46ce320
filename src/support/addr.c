/*
 * addr.c - IPv4 and IPv6 addresses and prefixes: text in, text out.
 *
 * Output follows RFC 5952: lowercase hex, no leading zeros, the longest run
 * of two or more zero groups (the first of equal runs) as "::", and IPv4-
 * mapped addresses (::ffff:0:0/96) in mixed notation.  Input accepts what
 * RFC 4291 section 2.2 allows, including a trailing dotted IPv4 part;
 * IPv4 parts with leading zeros are refused (some parsers read them as
 * octal, so they are ambiguous).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "text.h"

static void fmt_v4(struct sbuf *b, const uint8_t *a)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            mdec__sb_char(b, '.');
        mdec__sb_u64(b, a[i]);
    }
}

int mdec_addr_format(const struct mdec_addr *addr, char *buf, size_t size)
{
    if (addr == NULL || buf == NULL)
        return MDEC_E_INVALID;
    struct sbuf b;
    mdec__sb_init(&b, buf, size);
    if (addr->family == MDEC_AF_IPV4) {
        fmt_v4(&b, addr->a);
    } else if (addr->family == MDEC_AF_IPV6) {
        uint16_t g[8];
        for (int i = 0; i < 8; i++)
            g[i] = (uint16_t)(addr->a[2 * i] << 8 | addr->a[2 * i + 1]);
        int best = -1, best_len = 0;
        for (int i = 0; i < 8;) {
            if (g[i]) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0)
                j++;
            if (j - i > best_len) {
                best = i;
                best_len = j - i;
            }
            i = j;
        }
        if (best_len < 2)
            best = -1;
        const int mapped = best == 0 && best_len == 5 && g[5] == 0xFFFF;
        const int groups = mapped ? 6 : 8;
        for (int i = 0; i < groups;) {
            if (i == best) {
                mdec__sb_str(&b, "::");
                i += best_len;
                continue;
            }
            if (i && i != best + best_len)
                mdec__sb_char(&b, ':');
            mdec__sb_hex(&b, g[i], 1);
            i++;
        }
        if (mapped) {
            mdec__sb_char(&b, ':');
            fmt_v4(&b, addr->a + 12);
        }
    } else {
        mdec__sb_char(&b, '-');
    }
    return mdec__sb_done(&b);
}

/* Parses a dotted quad in s[0..n) into out[0..3]; col is s[0]'s column. */
static int parse_v4(const char *s, size_t n, uint8_t *out, uint32_t col,
                    struct mdec_parse_error *err)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || s[i] != '.') {
                mdec__perr(err, 1, col + (uint32_t)i, "expected '.' and 4 parts in IPv4 address ",
                           s, n, "");
                return MDEC_E_SYNTAX;
            }
            i++;
        }
        const size_t start = i;
        unsigned v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 4)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start) {
            mdec__perr(err, 1, col + (uint32_t)i, "expected a decimal number in IPv4 address ", s,
                       n, "");
            return MDEC_E_SYNTAX;
        }
        if (v > 255 || i - start > 3) {
            mdec__perr(err, 1, col + (uint32_t)start, "IPv4 address part above 255 in ", s, n, "");
            return MDEC_E_SYNTAX;
        }
        if (i - start > 1 && s[start] == '0') {
            mdec__perr(err, 1, col + (uint32_t)start,
                       "leading zero in IPv4 address part (octal or decimal?) in ", s, n, "");
            return MDEC_E_SYNTAX;
        }
        out[part] = (uint8_t)v;
    }
    if (i != n) {
        mdec__perr(err, 1, col + (uint32_t)i, "unexpected text after IPv4 address ", s, n, "");
        return MDEC_E_SYNTAX;
    }
    return 0;
}

static int v6_error(struct mdec_parse_error *err, uint32_t col, const char *what, const char *s,
                    size_t n)
{
    mdec__perr(err, 1, col, what, s, n, "");
    return MDEC_E_SYNTAX;
}

/* Places ng groups, with the '::' gap before group `gap` (-1: no gap), as
 * the 16 bytes of the address. */
static int v6_finish(const uint16_t *g, int ng, int gap, size_t gap_at, const char *s, size_t n,
                     uint8_t *out, struct mdec_parse_error *err)
{
    if (gap < 0 && ng != 8)
        return v6_error(err, (uint32_t)n + 1, "expected 8 groups or '::' in IPv6 address ", s, n);
    if (gap >= 0 && ng > 7)
        return v6_error(err, (uint32_t)gap_at + 1, "'::' stands for no group in IPv6 address ", s,
                        n);
    uint16_t full[8] = {0};
    if (gap < 0) {
        memcpy(full, g, sizeof full);
    } else {
        const int tail = ng - gap;
        for (int k = 0; k < gap; k++)
            full[k] = g[k];
        for (int k = 0; k < tail; k++)
            full[8 - tail + k] = g[gap + k];
    }
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(full[k] >> 8);
        out[2 * k + 1] = (uint8_t)full[k];
    }
    return 0;
}

/* Reads the hex digits at s[*i] (at most 5, so that a sixth is never
 * looked at) into *v; returns how many were read. */
static size_t v6_hex(const char *s, size_t n, size_t *i, unsigned *v)
{
    const size_t start = *i;
    int h;
    *v = 0;
    while (*i < n && (h = mdec__hexval(s[*i])) >= 0 && *i - start < 5) {
        *v = *v * 16 + (unsigned)h;
        (*i)++;
    }
    return *i - start;
}

static int parse_v6(const char *s, size_t n, uint8_t *out, struct mdec_parse_error *err)
{
    uint16_t g[8] = {0};
    int ng = 0, gap = -1;
    size_t i = 0, gap_at = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return v6_error(err, 1, "IPv6 address starts with a single ':' in ", s, n);
    }
    while (i < n) {
        const size_t start = i;
        unsigned v;
        const size_t digits = v6_hex(s, n, &i, &v);
        if (digits == 0)
            return v6_error(err, (uint32_t)i + 1, "expected a hex group in IPv6 address ", s, n);
        if (i < n && s[i] == '.') {
            if (ng > 6)
                return v6_error(err, (uint32_t)start + 1,
                                "no room for an IPv4 part in IPv6 address ", s, n);
            uint8_t v4[4];
            int rc = parse_v4(s + start, n - start, v4, (uint32_t)start + 1, err);
            if (rc)
                return rc;
            g[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
            g[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
            break; /* parse_v4 consumed the rest of the text */
        }
        if (digits > 4)
            return v6_error(err, (uint32_t)start + 1,
                            "IPv6 group longer than 4 hex digits in ", s, n);
        if (ng == 8)
            return v6_error(err, (uint32_t)start + 1, "more than 8 groups in IPv6 address ", s, n);
        g[ng++] = (uint16_t)v;
        if (i == n)
            break;
        if (s[i] != ':')
            return v6_error(err, (uint32_t)i + 1, "unexpected character in IPv6 address ", s, n);
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return v6_error(err, (uint32_t)i, "'::' appears twice in IPv6 address ", s, n);
            gap = ng;
            gap_at = i - 1;
            i++;
        } else if (i == n) {
            return v6_error(err, (uint32_t)i, "IPv6 address ends with a single ':' in ", s, n);
        }
    }
    return v6_finish(g, ng, gap, gap_at, s, n, out, err);
}

int mdec_addr_parse(const char *text, size_t len, struct mdec_addr *addr,
                    struct mdec_parse_error *err)
{
    if (addr == NULL || (text == NULL && len > 0))
        return MDEC_E_INVALID;
    struct mdec_addr a;
    memset(&a, 0, sizeof a);
    if (len == 0) {
        mdec__perr(err, 1, 1, "expected an IPv4 or IPv6 address, found nothing", NULL, 0, "");
        return MDEC_E_SYNTAX;
    }
    int rc;
    if (memchr(text, ':', len)) {
        a.family = MDEC_AF_IPV6;
        rc = parse_v6(text, len, a.a, err);
    } else {
        a.family = MDEC_AF_IPV4;
        rc = parse_v4(text, len, a.a, 1, err);
    }
    if (rc)
        return rc;
    *addr = a;
    return 0;
}

int mdec_prefix_parse(const char *text, size_t len, struct mdec_prefix *prefix,
                      struct mdec_parse_error *err)
{
    if (prefix == NULL || (text == NULL && len > 0))
        return MDEC_E_INVALID;
    const char *slash = len ? memchr(text, '/', len) : NULL;
    const size_t alen = slash ? (size_t)(slash - text) : len;
    struct mdec_prefix p;
    int rc = mdec_addr_parse(text, alen, &p.addr, err);
    if (rc)
        return rc;
    const unsigned max = p.addr.family == MDEC_AF_IPV4 ? 32 : 128;
    unsigned bits = max;
    if (slash) {
        size_t i = alen + 1;
        if (i == len) {
            mdec__perr(err, 1, (uint32_t)i + 1, "expected a prefix length after '/' in ", text,
                       len, "");
            return MDEC_E_SYNTAX;
        }
        bits = 0;
        for (; i < len; i++) {
            if (text[i] < '0' || text[i] > '9' || bits > max) {
                mdec__perr(err, 1, (uint32_t)i + 1, "expected a prefix length of 0 to ", NULL, 0,
                           max == 32 ? "32 after '/'" : "128 after '/'");
                return MDEC_E_SYNTAX;
            }
            bits = bits * 10 + (unsigned)(text[i] - '0');
        }
        if (bits > max || (len - alen - 1 > 1 && text[alen + 1] == '0')) {
            mdec__perr(err, 1, (uint32_t)alen + 2, "expected a prefix length of 0 to ", NULL, 0,
                       max == 32 ? "32 after '/'" : "128 after '/'");
            return MDEC_E_SYNTAX;
        }
    }
    p.len = (uint8_t)bits;
    /* Host bits beyond the length: refuse, and suggest the network. */
    struct mdec_addr net = p.addr;
    for (unsigned b = bits; b < max; b++)
        net.a[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
    if (memcmp(net.a, p.addr.a, sizeof net.a) != 0) {
        char fixed[MDEC_ADDR_STRLEN + 4];
        struct sbuf sb;
        char tail[MDEC_ADDR_STRLEN + 40];
        (void)mdec_addr_format(&net, fixed, sizeof fixed);
        mdec__sb_init(&sb, tail, sizeof tail);
        mdec__sb_str(&sb, ": did you mean ");
        mdec__sb_str(&sb, fixed);
        mdec__sb_char(&sb, '/');
        mdec__sb_u64(&sb, bits);
        mdec__sb_char(&sb, '?');
        (void)mdec__sb_done(&sb);
        mdec__perr(err, 1, 1, "host bits set beyond the prefix length in ", text, len, tail);
        return MDEC_E_SYNTAX;
    }
    *prefix = p;
    return 0;
}

int mdec_prefix_contains(const struct mdec_prefix *prefix, const struct mdec_addr *addr)
{
    if (prefix == NULL || addr == NULL)
        return 0;
    return mdec__prefix_contains(prefix, addr);
}

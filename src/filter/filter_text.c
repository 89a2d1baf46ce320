/*
 * filter_text.c - mdec_filter_parse(): the rule text syntax of filter.h.
 *
 * One rule or setting a line; words are separated by spaces or tabs; '#'
 * starts a comment that runs to the end of the line; CR (of CRLF line ends)
 * counts as a space.  Keywords are case-insensitive.  Columns count bytes
 * from 1 and point at the word that is wrong, or just past the last word
 * when one is missing.
 *
 * Transactional in two steps (see filter_int.h): every line is parsed and
 * checked, its rule written to a scratch slot; then the scratch rules are
 * sorted to find numbers used twice in a direction; only when nothing is
 * wrong do rules and settings become the filter's.  The error reported is
 * the one on the earliest line.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "filter_int.h"
#include "text.h"

struct tok {
    const char *s;
    size_t n;
    uint32_t col; /* 1-based column of s[0] */
};

struct lcur {
    const char *s; /* the line, comment cut off */
    size_t n, pos;
    size_t last_end; /* end of the last word read */
};

enum { DNS_UNSET = -1, DNS_SKIP = 0, DNS_MIRROR = 1, DNS_RULES = 2 };

struct tp {
    struct mdec_filter *f;
    struct mdec_parse_error e; /* the first error */
    uint32_t line;
    uint32_t room, k; /* scratch slots available and used */
    int dns, unknown; /* settings read, or -1 */
    uint32_t dns_line, unknown_line;
    struct mdec_addr res[MDEC_FILTER_MAX_RESOLVERS];
    unsigned n_res;
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static uint32_t col_of(size_t i)
{
    return mdec__u32((uint64_t)i + 1);
}

/* Next word of the line: 1, or 0 at the end (t->col then points just past
 * the last word). */
static int next_tok(struct lcur *l, struct tok *t)
{
    while (l->pos < l->n && is_space(l->s[l->pos]))
        l->pos++;
    if (l->pos == l->n) {
        t->s = l->s + l->n;
        t->n = 0;
        t->col = col_of(l->last_end);
        return 0;
    }
    const size_t start = l->pos;
    while (l->pos < l->n && !is_space(l->s[l->pos]))
        l->pos++;
    t->s = l->s + start;
    t->n = l->pos - start;
    t->col = col_of(start);
    l->last_end = l->pos;
    return 1;
}

static int fail(struct tp *p, uint32_t col, int rc, const char *a, const char *q, size_t qn,
                const char *z)
{
    mdec__perr(&p->e, p->line, col, a, q, qn, z);
    return rc;
}

/* "expected X, found 'word'" or "expected X, found end of line". */
static int expected(struct tp *p, const struct tok *t, const char *what)
{
    char a[120];
    struct sbuf b;
    mdec__sb_init(&b, a, sizeof a);
    mdec__sb_str(&b, "expected ");
    mdec__sb_str(&b, what);
    mdec__sb_str(&b, t->n ? ", found " : ", found end of line");
    (void)mdec__sb_done(&b);
    return fail(p, t->col, MDEC_E_SYNTAX, a, t->n ? t->s : NULL, t->n, "");
}

/* Decimal digits only, at most max.  0 or -1. */
static int parse_u32(const char *s, size_t n, uint32_t max, uint32_t *out)
{
    if (n == 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > max)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* LO or LO-HI.  0, -1 (not a range), -2 (LO above HI). */
static int parse_range(const struct tok *t, uint32_t max, uint32_t *lo, uint32_t *hi)
{
    const char *dash = memchr(t->s, '-', t->n);
    const size_t ln = dash ? (size_t)(dash - t->s) : t->n;
    if (parse_u32(t->s, ln, max, lo))
        return -1;
    *hi = *lo;
    if (dash && parse_u32(dash + 1, t->n - ln - 1, max, hi))
        return -1;
    return *lo > *hi ? -2 : 0;
}

static int parse_prefix(struct tp *p, const struct tok *t, const char *what,
                        struct mdec_prefix *out)
{
    if (t->n == 0) {
        char w[64];
        struct sbuf b;
        mdec__sb_init(&b, w, sizeof w);
        mdec__sb_str(&b, "a ");
        mdec__sb_str(&b, what);
        mdec__sb_str(&b, " CIDR or 'any'");
        (void)mdec__sb_done(&b);
        return expected(p, t, w);
    }
    if (mdec__word_is(t->s, t->n, "any")) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    struct mdec_parse_error pe;
    if (mdec_prefix_parse(t->s, t->n, out, &pe) == 0)
        return 0;
    char a[48];
    struct sbuf b;
    mdec__sb_init(&b, a, sizeof a);
    mdec__sb_str(&b, "bad ");
    mdec__sb_str(&b, what);
    mdec__sb_str(&b, " CIDR: ");
    (void)mdec__sb_done(&b);
    const uint32_t col = pe.column > 0 ? t->col + pe.column - 1 : t->col;
    return fail(p, col, MDEC_E_SYNTAX, a, NULL, 0, pe.message);
}

static int parse_protocol(const struct tok *t, int16_t *proto)
{
    static const struct {
        const char *name;
        int16_t value;
    } names[] = {{"all", MDEC_PROTO_ANY}, {"tcp", 6},   {"udp", 17}, {"icmp", 1},
                 {"icmpv6", 58},          {"sctp", 132}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (mdec__word_is(t->s, t->n, names[i].name)) {
            *proto = names[i].value;
            return 0;
        }
    }
    uint32_t v;
    if (parse_u32(t->s, t->n, 255, &v))
        return -1;
    *proto = (int16_t)v;
    return 0;
}

static int end_of_line(struct tp *p, struct lcur *l, const char *after)
{
    struct tok t;
    if (!next_tok(l, &t))
        return 0;
    char z[80];
    struct sbuf b;
    mdec__sb_init(&b, z, sizeof z);
    mdec__sb_str(&b, " after '");
    mdec__sb_str(&b, after);
    mdec__sb_str(&b, "', expected end of line");
    (void)mdec__sb_done(&b);
    return fail(p, t.col, MDEC_E_SYNTAX, "unexpected ", t.s, t.n, z);
}

/* sport, dport or vni (t) and its value: the range into r. */
static int parse_range_option(struct tp *p, struct lcur *l, struct mdec_rule *r,
                              const struct tok *t, const struct tok *proto_tok)
{
    const int sport = mdec__word_is(t->s, t->n, "sport");
    const int vni = mdec__word_is(t->s, t->n, "vni");
    const unsigned bit = sport ? MDEC_RULE_SPORT : vni ? MDEC_RULE_TUNNEL_ID : MDEC_RULE_DPORT;
    if (r->match & bit)
        return fail(p, t->col, MDEC_E_SYNTAX, "", t->s, t->n, " appears twice in the rule");
    if (!vni && r->protocol != 6 && r->protocol != 17)
        return fail(p, t->col, MDEC_E_SYNTAX, "ports need protocol tcp or udp, found protocol ",
                    proto_tok->s, proto_tok->n, "");
    struct tok v;
    (void)next_tok(l, &v);
    uint32_t lo, hi;
    const int rc = v.n ? parse_range(&v, vni ? UINT32_MAX : 65535, &lo, &hi) : -1;
    if (rc == -2)
        return fail(p, v.col, MDEC_E_SYNTAX, "range ", v.s, v.n,
                    " runs backwards: expected LO-HI with LO <= HI");
    if (rc)
        return expected(p, &v,
                        vni     ? "a tunnel id or range (0..4294967295 or LO-HI) after 'vni'"
                        : sport ? "a port or port range (0..65535 or LO-HI) after 'sport'"
                                : "a port or port range (0..65535 or LO-HI) after 'dport'");
    if (sport) {
        r->sport_lo = (uint16_t)lo;
        r->sport_hi = (uint16_t)hi;
    } else if (vni) {
        r->tunnel_id_lo = lo;
        r->tunnel_id_hi = hi;
    } else {
        r->dport_lo = (uint16_t)lo;
        r->dport_hi = (uint16_t)hi;
    }
    r->match |= (uint16_t)bit;
    return 0;
}

static int parse_options(struct tp *p, struct lcur *l, struct mdec_rule *r,
                         const struct tok *proto_tok)
{
    struct tok t;
    while (next_tok(l, &t)) {
        if (mdec__word_is(t.s, t.n, "sport") || mdec__word_is(t.s, t.n, "dport") ||
            mdec__word_is(t.s, t.n, "vni")) {
            const int rc = parse_range_option(p, l, r, &t, proto_tok);
            if (rc)
                return rc;
            continue;
        }
        const int trunc = mdec__word_is(t.s, t.n, "truncated");
        if (!trunc && !mdec__word_is(t.s, t.n, "complete"))
            return expected(p, &t, "an option (sport, dport, vni, truncated, complete)");
        const unsigned bit = trunc ? MDEC_RULE_TRUNCATED : MDEC_RULE_COMPLETE;
        if (r->match & bit)
            return fail(p, t.col, MDEC_E_SYNTAX, "", t.s, t.n, " appears twice in the rule");
        if (r->match & (MDEC_RULE_TRUNCATED | MDEC_RULE_COMPLETE))
            return fail(p, t.col, MDEC_E_SYNTAX, "", t.s, t.n,
                        trunc ? " contradicts 'complete'" : " contradicts 'truncated'");
        r->match |= (uint16_t)bit;
    }
    return 0;
}

static int parse_rule(struct tp *p, struct lcur *l, unsigned dir)
{
    struct mdec_rule r;
    struct tok t, proto_tok;
    uint32_t v;
    mdec_rule_init(&r);
    r.direction = (uint8_t)dir;
    r.line = p->line;

    (void)next_tok(l, &t);
    if (parse_u32(t.s, t.n, MDEC_RULE_NUMBER_MAX, &v) || v == 0)
        return expected(p, &t, "a rule number (1..32766)");
    r.number = (uint16_t)v;
    if (mdec__filter_find(p->f, dir, r.number)) {
        char a[96];
        mdec__msg_number_used(a, sizeof a, dir, r.number);
        return fail(p, t.col, MDEC_E_EXISTS, a, NULL, 0, "");
    }

    (void)next_tok(l, &t);
    if (mdec__word_is(t.s, t.n, "accept"))
        r.action = MDEC_VERDICT_ACCEPT;
    else if (mdec__word_is(t.s, t.n, "reject"))
        r.action = MDEC_VERDICT_REJECT;
    else
        return expected(p, &t, "'accept' or 'reject'");

    (void)next_tok(l, &proto_tok);
    if (parse_protocol(&proto_tok, &r.protocol))
        return expected(p, &proto_tok, "a protocol (all, tcp, udp, icmp, icmpv6, sctp or 0..255)");

    int rc;
    (void)next_tok(l, &t);
    if ((rc = parse_prefix(p, &t, "source", &r.src)) != 0)
        return rc;
    (void)next_tok(l, &t);
    if ((rc = parse_prefix(p, &t, "destination", &r.dst)) != 0)
        return rc;
    if (r.src.addr.family != MDEC_AF_NONE && r.dst.addr.family != MDEC_AF_NONE &&
        r.src.addr.family != r.dst.addr.family)
        return fail(p, t.col, MDEC_E_SYNTAX,
                    r.dst.addr.family == MDEC_AF_IPV6
                        ? "destination is IPv6 but source is IPv4: the rule could never match"
                        : "destination is IPv4 but source is IPv6: the rule could never match",
                    NULL, 0, "");

    if ((rc = parse_options(p, l, &r, &proto_tok)) != 0)
        return rc;
    const char *why = mdec__rule_check(&r);
    if (why) /* cannot happen: every part was checked above */
        return fail(p, 1, MDEC_E_SYNTAX, why, NULL, 0, "");
    if (p->k >= p->room) {
        char a[140];
        mdec__msg_full(a, sizeof a, p->f, p->room, p->k, "line");
        return fail(p, 1, MDEC_E_NOSPACE, a, NULL, 0, "");
    }
    mdec__rule_normalize(&r);
    *mdec__filter_scratch(p->f, p->k++) = r;
    return 0;
}

static int already_set(struct tp *p, const struct tok *t, uint32_t line)
{
    char z[64];
    struct sbuf b;
    mdec__sb_init(&b, z, sizeof z);
    mdec__sb_str(&b, " is already set on line ");
    mdec__sb_u64(&b, line);
    (void)mdec__sb_done(&b);
    return fail(p, t->col, MDEC_E_SYNTAX, "", t->s, t->n, z);
}

static int parse_setting(struct tp *p, struct lcur *l, const struct tok *key)
{
    struct tok t;
    (void)next_tok(l, &t);
    if (mdec__word_is(key->s, key->n, "amazon-dns")) {
        int v;
        if (mdec__word_is(t.s, t.n, "mirror"))
            v = DNS_MIRROR;
        else if (mdec__word_is(t.s, t.n, "skip"))
            v = DNS_SKIP;
        else if (mdec__word_is(t.s, t.n, "rules"))
            v = DNS_RULES;
        else
            return expected(p, &t, "'mirror', 'skip' or 'rules' after 'amazon-dns'");
        if (p->dns != DNS_UNSET)
            return already_set(p, key, p->dns_line);
        p->dns = v;
        p->dns_line = p->line;
        return end_of_line(p, l, "amazon-dns");
    }
    if (mdec__word_is(key->s, key->n, "unknown-direction")) {
        int v;
        if (mdec__word_is(t.s, t.n, "both"))
            v = 0;
        else if (mdec__word_is(t.s, t.n, "reject"))
            v = 1;
        else
            return expected(p, &t, "'both' or 'reject' after 'unknown-direction'");
        if (p->unknown != DNS_UNSET)
            return already_set(p, key, p->unknown_line);
        p->unknown = v;
        p->unknown_line = p->line;
        return end_of_line(p, l, "unknown-direction");
    }
    /* amazon-dns-resolver ADDRESS */
    if (t.n == 0)
        return expected(p, &t, "an IPv4 or IPv6 address after 'amazon-dns-resolver'");
    struct mdec_addr a;
    struct mdec_parse_error pe;
    if (mdec_addr_parse(t.s, t.n, &a, &pe) != 0)
        return fail(p, pe.column > 0 ? t.col + pe.column - 1 : t.col, MDEC_E_SYNTAX,
                    "bad Amazon DNS resolver address: ", NULL, 0, pe.message);
    int known = mdec__filter_is_resolver(p->f, &a);
    for (unsigned i = 0; i < p->n_res && !known; i++)
        known = memcmp(&p->res[i], &a, sizeof a) == 0;
    if (!known) {
        if (p->n_res >= mdec__filter_resolver_room(p->f))
            return fail(p, t.col, MDEC_E_NOSPACE,
                        "no room for another Amazon DNS resolver: a filter keeps at most 8 "
                        "besides 169.254.169.253 and fd00:ec2::253",
                        NULL, 0, "");
        p->res[p->n_res++] = a;
    }
    return end_of_line(p, l, "amazon-dns-resolver");
}

static int parse_line(struct tp *p, const char *s, size_t n)
{
    const char *hash = memchr(s, '#', n);
    struct lcur l = {s, hash ? (size_t)(hash - s) : n, 0, 0};
    struct tok t;
    if (!next_tok(&l, &t))
        return 0; /* blank or comment only */
    if (mdec__word_is(t.s, t.n, "ingress"))
        return parse_rule(p, &l, MDEC_DIR_INGRESS);
    if (mdec__word_is(t.s, t.n, "egress"))
        return parse_rule(p, &l, MDEC_DIR_EGRESS);
    if (mdec__word_is(t.s, t.n, "amazon-dns") || mdec__word_is(t.s, t.n, "amazon-dns-resolver") ||
        mdec__word_is(t.s, t.n, "unknown-direction"))
        return parse_setting(p, &l, &t);
    return expected(p, &t,
                    "'ingress', 'egress' or a setting (amazon-dns, amazon-dns-resolver, "
                    "unknown-direction)");
}

/* Column of the rule number (second word) on line `line` of the text. */
static uint32_t number_column(const char *text, size_t len, uint32_t line)
{
    size_t start = 0;
    for (uint32_t i = 1; i < line && start < len; i++) {
        const char *nl = memchr(text + start, '\n', len - start);
        start = nl ? (size_t)(nl - text) + 1 : len;
    }
    const char *nl = memchr(text + start, '\n', len - start);
    struct lcur l = {text + start, nl ? (size_t)(nl - text) - start : len - start, 0, 0};
    struct tok t;
    (void)next_tok(&l, &t);
    (void)next_tok(&l, &t);
    return t.col;
}

/*
 * Sorts the k scratch rules and finds the earliest line that repeats a
 * number used by an earlier line in the same direction.  0 when none.
 */
static uint32_t find_duplicate(struct tp *p, uint32_t *first_line, struct mdec_rule *dup)
{
    struct mdec_rule *r = mdec__filter_scratch(p->f, 0);
    uint32_t best = 0;
    mdec__rules_sort(r, p->k);
    for (uint32_t i = 1, group = 0; i < p->k; i++) {
        if (r[i].direction != r[group].direction || r[i].number != r[group].number) {
            group = i;
            continue;
        }
        if (i == group + 1 && (best == 0 || r[i].line < best)) {
            best = r[i].line;
            *first_line = r[group].line;
            *dup = r[i];
        }
    }
    return best;
}

int mdec_filter_parse(struct mdec_filter *f, const char *text, size_t len,
                      struct mdec_parse_error *err)
{
    if (!f || (!text && len)) {
        mdec__perr(err, 0, 0, "invalid argument: no filter, or no text", NULL, 0, "");
        return MDEC_E_INVALID;
    }
    struct tp p;
    memset(&p, 0, sizeof p);
    p.f = f;
    p.room = mdec__filter_room(f);
    p.dns = p.unknown = DNS_UNSET;

    int rc = 0;
    size_t pos = 0;
    while (pos < len && rc == 0) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        const size_t end = nl ? (size_t)(nl - text) : len;
        p.line = p.line == UINT32_MAX ? UINT32_MAX : p.line + 1;
        rc = parse_line(&p, text + pos, end - pos);
        pos = end + 1;
    }

    /* Numbers used twice among the lines read (all of them, or those
     * before the line in error): the earlier error wins. */
    uint32_t first_line = 0;
    struct mdec_rule dup;
    const uint32_t dup_line = find_duplicate(&p, &first_line, &dup);
    if (dup_line && (rc == 0 || dup_line < p.e.line)) {
        char a[120];
        struct sbuf b;
        mdec__sb_init(&b, a, sizeof a);
        mdec__sb_str(&b, "rule number ");
        mdec__sb_u64(&b, dup.number);
        mdec__sb_str(&b, " is already used by ");
        mdec__sb_str(&b, dup.direction == MDEC_DIR_INGRESS ? "ingress" : "egress");
        mdec__sb_str(&b, " rule on line ");
        mdec__sb_u64(&b, first_line);
        (void)mdec__sb_done(&b);
        mdec__perr(&p.e, dup_line, number_column(text, len, dup_line), a, NULL, 0, "");
        rc = MDEC_E_EXISTS;
    }
    if (rc) {
        if (err)
            *err = p.e;
        return rc;
    }

    mdec__filter_commit(f, p.k);
    uint32_t opt = mdec_filter_options(f);
    if (p.dns != DNS_UNSET) {
        opt &= ~(uint32_t)(MDEC_FILTER_AMAZON_DNS | MDEC_FILTER_AMAZON_DNS_BY_RULES);
        if (p.dns == DNS_MIRROR)
            opt |= MDEC_FILTER_AMAZON_DNS;
        else if (p.dns == DNS_RULES)
            opt |= MDEC_FILTER_AMAZON_DNS | MDEC_FILTER_AMAZON_DNS_BY_RULES;
    }
    if (p.unknown != DNS_UNSET)
        opt = p.unknown ? opt | MDEC_FILTER_UNKNOWN_REJECT
                        : opt & ~(uint32_t)MDEC_FILTER_UNKNOWN_REJECT;
    (void)mdec_filter_set_options(f, opt);
    for (unsigned i = 0; i < p.n_res; i++)
        (void)mdec_filter_add_dns_resolver(f, &p.res[i]);
    return 0;
}

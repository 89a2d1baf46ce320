/*
 * filter_json.c - mdec_filter_parse_aws_json(): the filters that
 * `aws ec2 describe-traffic-mirror-filters` prints, read without allocating.
 *
 * The documents read (EC2 API reference, DescribeTrafficMirrorFilters and
 * DescribeTrafficMirrorFilterRules; the CLI prints the response as JSON):
 *
 *   {"TrafficMirrorFilters": [FILTER, ...], "NextToken": ...}
 *   {"TrafficMirrorFilter": FILTER, ...}       (create-traffic-mirror-filter)
 *   FILTER                                     (a bare filter object)
 *   {"TrafficMirrorFilterRules": [RULE, ...]}  (describe-traffic-mirror-filter-rules)
 *
 *   FILTER  {"TrafficMirrorFilterId": "tmf-...", "IngressFilterRules": [RULE...],
 *            "EgressFilterRules": [RULE...], "NetworkServices": ["amazon-dns"], ...}
 *   RULE    {"RuleNumber": 100, "RuleAction": "accept" | "reject",
 *            "Protocol": 6 (IANA number; absent: all protocols),
 *            "SourceCidrBlock": "10.0.0.0/8", "DestinationCidrBlock": "::/0",
 *            "SourcePortRange": {"FromPort": 1024, "ToPort": 65535},
 *            "DestinationPortRange": {...}, "TrafficDirection": "ingress", ...}
 *
 * Other members (Description, Tags, TrafficMirrorFilterRuleId ...) are
 * skipped; null counts as absent for the optional ones.
 *
 * The reader is a small RFC 8259 tokenizer: strings with every escape,
 * numbers, literals, whitespace; nothing after the document but
 * whitespace.  Containers nest at most JSON_MAX_DEPTH deep and nothing
 * recurses: members the importer does not read are skipped by a loop with
 * a bounded stack.  The document is walked up to three times:
 *
 *   1. survey: the whole syntax is checked, the document's shape found and
 *      the filter to import chosen (its id may come after its rules);
 *   2. extract: the chosen filter's rules are checked and written to the
 *      filter's scratch slots (filter_int.h), errors naming a JSON path;
 *   3. only when two rules of the document share a direction and number:
 *      walked again to point at the second of them.
 *
 * Nothing of the filter changes before all of that succeeded.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "filter_int.h"
#include "text.h"

#define JSON_MAX_DEPTH 64
#define NOPOS          ((size_t)-1)
#define PATH_MAX_      6u

enum shape { SHAPE_NONE, SHAPE_LIST, SHAPE_WRAP, SHAPE_RULES, SHAPE_BARE };
enum mode { MODE_SURVEY, MODE_EXTRACT, MODE_DUP };

struct jpath {
    const char *key;
    uint32_t idx;
    int has_idx;
};

/* A string token: s[at] is its opening quote, raw content s[at+1 ..+n). */
struct jspan {
    size_t at, n;
    int esc; /* holds a backslash */
};

struct jr {
    const char *s;
    size_t n, pos;
    unsigned depth; /* containers open in the structured walk */
    int rc;         /* mdec_error of the first failure */
    struct mdec_parse_error e;
    struct jpath path[PATH_MAX_];
    unsigned np;
    size_t lc_pos, lc_start; /* line cache: line lc_line starts at lc_start */
    uint32_t lc_line;
};

/* ------------------------------------------------------------ positions */

static void jline(struct jr *j, size_t at, uint32_t *line, uint32_t *col)
{
    if (at > j->n)
        at = j->n;
    if (at < j->lc_pos) {
        j->lc_pos = j->lc_start = 0;
        j->lc_line = 1;
    }
    for (size_t i = j->lc_pos; i < at; i++) {
        if (j->s[i] == '\n') {
            j->lc_line = j->lc_line == UINT32_MAX ? UINT32_MAX : j->lc_line + 1;
            j->lc_start = i + 1;
        }
    }
    j->lc_pos = at;
    *line = j->lc_line;
    *col = mdec__u32((uint64_t)(at - j->lc_start) + 1);
}

static uint32_t jline_of(struct jr *j, size_t at)
{
    uint32_t line, col;
    jline(j, at, &line, &col);
    return line;
}

/* --------------------------------------------------------------- errors */

static void jpath_str(struct sbuf *b, const struct jr *j)
{
    unsigned np = j->np;
    if (np > PATH_MAX_)
        np = PATH_MAX_;
    for (unsigned i = 0; i < np; i++) {
        if (i)
            mdec__sb_char(b, '.');
        mdec__sb_str(b, j->path[i].key);
        if (j->path[i].has_idx) {
            mdec__sb_char(b, '[');
            mdec__sb_u64(b, j->path[i].idx);
            mdec__sb_char(b, ']');
        }
    }
    if (j->np)
        mdec__sb_str(b, ": ");
}

static void sb_printable(struct sbuf *b, unsigned char c)
{
    if (c < 0x20 || c >= 0x7F) {
        mdec__sb_str(b, "\\x");
        mdec__sb_hex(b, c, 2);
    } else {
        mdec__sb_char(b, (char)c);
    }
}

/* The raw text of a string token, in double quotes, cut after 40 bytes. */
static void sb_span(struct sbuf *b, const struct jr *j, const struct jspan *sp)
{
    mdec__sb_char(b, '"');
    for (size_t i = 0; i < sp->n && i < 40; i++)
        sb_printable(b, (unsigned char)j->s[sp->at + 1 + i]);
    if (sp->n > 40)
        mdec__sb_str(b, "...");
    mdec__sb_char(b, '"');
}

static int is_delim(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' || c == '[' ||
           c == ']' || c == '{' || c == '}' || c == '"';
}

/* What the text holds at `at`, for "found ...". */
static void sb_found(struct sbuf *b, const struct jr *j, size_t at)
{
    if (at >= j->n) {
        mdec__sb_str(b, "the end of the text");
        return;
    }
    const char c = j->s[at];
    if (c == '{') {
        mdec__sb_str(b, "an object");
    } else if (c == '[') {
        mdec__sb_str(b, "an array");
    } else if (c == '"') {
        size_t i = at + 1;
        while (i < j->n && j->s[i] != '"')
            i += (j->s[i] == '\\' && i + 1 < j->n) ? 2 : 1;
        struct jspan sp = {at, (i < j->n ? i : j->n) - at - 1, 0};
        sb_span(b, j, &sp);
    } else if (is_delim(c)) {
        mdec__sb_char(b, '\'');
        mdec__sb_char(b, c);
        mdec__sb_char(b, '\'');
    } else {
        size_t i = at;
        while (i < j->n && i - at < 40 && !is_delim(j->s[i]))
            sb_printable(b, (unsigned char)j->s[i++]);
        if (i < j->n && !is_delim(j->s[i]))
            mdec__sb_str(b, "...");
    }
}

/* Records the first error: "PATH: " a, what the text holds at `found`
 * (unless NOPOS), then z. */
static int jfail(struct jr *j, size_t at, int rc, const char *a, size_t found, const char *z)
{
    if (j->rc)
        return -1;
    struct sbuf b;
    mdec__sb_init(&b, j->e.message, sizeof j->e.message);
    jpath_str(&b, j);
    mdec__sb_str(&b, a);
    if (found != NOPOS)
        sb_found(&b, j, found);
    mdec__sb_str(&b, z);
    (void)mdec__sb_done(&b);
    jline(j, at, &j->e.line, &j->e.column);
    j->rc = rc;
    return -1;
}

/* "expected WHAT, found X" at the current position. */
static int jexpected(struct jr *j, const char *what)
{
    char a[120];
    struct sbuf b;
    mdec__sb_init(&b, a, sizeof a);
    mdec__sb_str(&b, "expected ");
    mdec__sb_str(&b, what);
    mdec__sb_str(&b, ", found ");
    (void)mdec__sb_done(&b);
    return jfail(j, j->pos, MDEC_E_SYNTAX, a, j->pos, "");
}

static void jpush(struct jr *j, const char *key)
{
    if (j->np < PATH_MAX_) {
        j->path[j->np].key = key;
        j->path[j->np].has_idx = 0;
        j->path[j->np].idx = 0;
    }
    j->np++;
}

static void jpop(struct jr *j)
{
    j->np--;
}

static void jindex(struct jr *j, uint32_t idx)
{
    if (j->np && j->np <= PATH_MAX_) {
        j->path[j->np - 1].has_idx = 1;
        j->path[j->np - 1].idx = idx;
    }
}

static void junindex(struct jr *j)
{
    if (j->np && j->np <= PATH_MAX_)
        j->path[j->np - 1].has_idx = 0;
}

/* -------------------------------------------------------------- tokens */

static void ws(struct jr *j)
{
    while (j->pos < j->n) {
        const char c = j->s[j->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        j->pos++;
    }
}

/* The next significant byte, or -1 at the end. */
static int jpeek(struct jr *j)
{
    ws(j);
    return j->pos < j->n ? (unsigned char)j->s[j->pos] : -1;
}

static int lex_string(struct jr *j, struct jspan *sp)
{
    const size_t open = j->pos;
    size_t i = open + 1;
    int esc = 0;
    sp->at = open; /* an empty string until the end quote is found */
    sp->n = 0;
    sp->esc = 0;
    for (;;) {
        if (i >= j->n)
            return jfail(j, j->n, MDEC_E_SYNTAX, "expected '\"' to end the string, found ", j->n,
                         "");
        const unsigned char c = (unsigned char)j->s[i];
        if (c == '"')
            break;
        if (c < 0x20)
            return jfail(j, i, MDEC_E_SYNTAX,
                         "control character in a string (JSON needs it escaped)", NOPOS, "");
        if (c != '\\') {
            i++;
            continue;
        }
        esc = 1;
        if (i + 1 >= j->n)
            return jfail(j, j->n, MDEC_E_SYNTAX, "expected an escape after '\\', found ", j->n, "");
        const char e = j->s[i + 1];
        if (e == 'u') {
            for (size_t k = 2; k < 6; k++)
                if (i + k >= j->n || mdec__hexval(j->s[i + k]) < 0)
                    return jfail(j, i, MDEC_E_SYNTAX, "expected 4 hex digits after '\\u'", NOPOS,
                                 "");
            i += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                   e == 'r' || e == 't') {
            i += 2;
        } else {
            return jfail(j, i, MDEC_E_SYNTAX,
                         "invalid escape in a string: expected one of \\\" \\\\ \\/ \\b \\f \\n "
                         "\\r \\t \\uXXXX",
                         NOPOS, "");
        }
    }
    sp->at = open;
    sp->n = i - open - 1;
    sp->esc = esc;
    j->pos = i + 1;
    return 0;
}

struct jnum {
    size_t at;
    int is_int, neg;
    uint64_t v; /* saturates at JNUM_BIG */
};
#define JNUM_BIG ((uint64_t)1 << 40)

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int lex_number(struct jr *j, struct jnum *num)
{
    size_t i = j->pos;
    const char *s = j->s;
    num->at = i;
    num->neg = 0;
    num->is_int = 1;
    num->v = 0;
    if (i < j->n && s[i] == '-') {
        num->neg = 1;
        i++;
    }
    if (i >= j->n || !is_digit(s[i]))
        return jfail(j, num->at, MDEC_E_SYNTAX, "invalid number: expected a digit, found ", i, "");
    if (s[i] == '0' && i + 1 < j->n && is_digit(s[i + 1]))
        return jfail(j, num->at, MDEC_E_SYNTAX, "invalid number ", num->at,
                     " (JSON allows no leading zero)");
    while (i < j->n && is_digit(s[i])) {
        num->v = num->v * 10 + (uint64_t)(s[i] - '0');
        if (num->v > JNUM_BIG)
            num->v = JNUM_BIG;
        i++;
    }
    if (i < j->n && s[i] == '.') {
        num->is_int = 0;
        if (++i >= j->n || !is_digit(s[i]))
            return jfail(j, num->at, MDEC_E_SYNTAX,
                         "invalid number: expected a digit after '.' in ", num->at, "");
        while (i < j->n && is_digit(s[i]))
            i++;
    }
    if (i < j->n && (s[i] == 'e' || s[i] == 'E')) {
        num->is_int = 0;
        if (++i < j->n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= j->n || !is_digit(s[i]))
            return jfail(j, num->at, MDEC_E_SYNTAX,
                         "invalid number: expected a digit in the exponent of ", num->at, "");
        while (i < j->n && is_digit(s[i]))
            i++;
    }
    j->pos = i;
    return 0;
}

static int lex_scalar(struct jr *j)
{
    const int c = jpeek(j);
    if (c == '"') {
        struct jspan sp;
        return lex_string(j, &sp);
    }
    if (c == '-' || is_digit(c)) {
        struct jnum num;
        return lex_number(j, &num);
    }
    static const char *const lits[] = {"true", "false", "null"};
    for (size_t k = 0; k < 3; k++) {
        const size_t ln = strlen(lits[k]);
        if (j->n - j->pos >= ln && memcmp(j->s + j->pos, lits[k], ln) == 0) {
            j->pos += ln;
            return 0;
        }
    }
    return jexpected(j, "a JSON value");
}

/* A member name and its ':'. */
static int lex_key(struct jr *j, struct jspan *key)
{
    if (jpeek(j) != '"')
        return jexpected(j, "a member name in double quotes");
    if (lex_string(j, key))
        return -1;
    if (jpeek(j) != ':')
        return jexpected(j, "':' after the member name");
    j->pos++;
    return 0;
}

/* Skips one value of any kind, checking its syntax; no recursion. */
static int skip_value(struct jr *j)
{
    char stack[JSON_MAX_DEPTH];
    unsigned sp = 0;
    struct jspan key;
    for (;;) {
        /* a value is due */
        const int c = jpeek(j);
        if (c == '{' || c == '[') {
            if (j->depth + sp >= JSON_MAX_DEPTH)
                return jfail(j, j->pos, MDEC_E_SYNTAX, "containers nest deeper than 64 levels",
                             NOPOS, "");
            stack[sp++] = (char)c;
            j->pos++;
            const int d = jpeek(j);
            if (d == (c == '{' ? '}' : ']')) {
                j->pos++;
                sp--;
            } else {
                if (c == '{' && lex_key(j, &key))
                    return -1;
                continue;
            }
        } else if (lex_scalar(j)) {
            return -1;
        }
        /* a value ended: close containers until one goes on */
        for (;;) {
            if (sp == 0)
                return 0;
            const char close = stack[sp - 1] == '{' ? '}' : ']';
            const int d = jpeek(j);
            if (d == ',') {
                j->pos++;
                if (stack[sp - 1] == '{' && lex_key(j, &key))
                    return -1;
                break;
            }
            if (d != close)
                return jexpected(j, close == '}' ? "',' or '}'" : "',' or ']'");
            j->pos++;
            sp--;
        }
    }
}

/* ----------------------------------------------------- containers */

struct jit {
    int first;
};

static int jopen(struct jr *j, char c, struct jit *it)
{
    if (jpeek(j) != c)
        return jexpected(j, c == '{' ? "an object" : "an array");
    if (j->depth >= JSON_MAX_DEPTH)
        return jfail(j, j->pos, MDEC_E_SYNTAX, "containers nest deeper than 64 levels", NOPOS, "");
    j->pos++;
    j->depth++;
    it->first = 1;
    return 0;
}

/* 1 when another element or member follows (a member's name and ':' are
 * read into key), 0 at the closing bracket, -1 on error. */
static int jnext(struct jr *j, char close, struct jit *it, struct jspan *key)
{
    const int c = jpeek(j);
    if (c == close) { /* an empty container, or the end after a value */
        j->pos++;
        j->depth--;
        return 0;
    }
    if (!it->first) {
        if (c != ',')
            return jexpected(j, close == '}' ? "',' or '}'" : "',' or ']'");
        j->pos++;
    }
    it->first = 0;
    if (close == '}')
        return lex_key(j, key) ? -1 : 1;
    if (jpeek(j) == ']')
        return jexpected(j, "a value after ','");
    return 1;
}

/* Decoding iterator over a string token's content (escapes are valid:
 * lex_string checked them).  \u escapes become UTF-8. */
struct jdec {
    const char *s;
    size_t i, n;
    unsigned char pend[4];
    unsigned np, pi;
};

static void jdec_init(struct jdec *d, const struct jr *j, const struct jspan *sp)
{
    d->s = j->s + sp->at + 1;
    d->i = 0;
    d->n = sp->n;
    d->np = d->pi = 0;
}

static unsigned hex4(const char *s)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++)
        v = v * 16 + (unsigned)mdec__hexval(s[k]);
    return v;
}

static int jdec_next(struct jdec *d)
{
    if (d->pi < d->np)
        return d->pend[d->pi++];
    if (d->i >= d->n)
        return -1;
    const char c = d->s[d->i++];
    if (c != '\\')
        return (unsigned char)c;
    const char e = d->s[d->i++];
    switch (e) {
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'u':
        break;
    default:
        return (unsigned char)e; /* " \ / */
    }
    unsigned cp = hex4(d->s + d->i);
    d->i += 4;
    if (cp >= 0xD800 && cp < 0xDC00 && d->i + 6 <= d->n && d->s[d->i] == '\\' &&
        d->s[d->i + 1] == 'u') {
        const unsigned lo = hex4(d->s + d->i + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            d->i += 6;
        }
    }
    if (cp < 0x80)
        return (int)cp;
    d->pi = 1;
    if (cp < 0x800) {
        d->pend[0] = (unsigned char)(0xC0 | cp >> 6);
        d->pend[1] = (unsigned char)(0x80 | (cp & 0x3F));
        d->np = 2;
    } else if (cp < 0x10000) {
        d->pend[0] = (unsigned char)(0xE0 | cp >> 12);
        d->pend[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        d->pend[2] = (unsigned char)(0x80 | (cp & 0x3F));
        d->np = 3;
    } else {
        d->pend[0] = (unsigned char)(0xF0 | cp >> 18);
        d->pend[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        d->pend[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        d->pend[3] = (unsigned char)(0x80 | (cp & 0x3F));
        d->np = 4;
    }
    return d->pend[0];
}

/* Decodes into out (cap bytes, not terminated); returns the full length. */
static size_t jdecode(const struct jr *j, const struct jspan *sp, char *out, size_t cap)
{
    struct jdec d;
    size_t n = 0;
    int c;
    jdec_init(&d, j, sp);
    while ((c = jdec_next(&d)) >= 0) {
        if (n < cap)
            out[n] = (char)c;
        n++;
    }
    return n;
}

static int jeq(const struct jr *j, const struct jspan *sp, const char *s, size_t n)
{
    struct jdec d;
    size_t i = 0;
    int c;
    jdec_init(&d, j, sp);
    while ((c = jdec_next(&d)) >= 0) {
        if (i >= n || (unsigned char)s[i] != c)
            return 0;
        i++;
    }
    return i == n;
}

static int jeqs(const struct jr *j, const struct jspan *sp, const char *s)
{
    return jeq(j, sp, s, strlen(s));
}

static int jeq_spans(const struct jr *j, const struct jspan *a, const struct jspan *b)
{
    struct jdec da, db;
    jdec_init(&da, j, a);
    jdec_init(&db, j, b);
    for (;;) {
        const int x = jdec_next(&da), y = jdec_next(&db);
        if (x != y)
            return 0;
        if (x < 0)
            return 1;
    }
}

/* ------------------------------------------------------------- values */

static int jstring(struct jr *j, struct jspan *sp)
{
    if (jpeek(j) != '"')
        return jexpected(j, "a string");
    return lex_string(j, sp);
}

static int jis_null(struct jr *j)
{
    if (jpeek(j) == 'n' && j->n - j->pos >= 4 && memcmp(j->s + j->pos, "null", 4) == 0) {
        j->pos += 4;
        return 1;
    }
    return 0;
}

/* An integer lo..hi; what says what is expected ("an integer from 1 to
 * 32766").  *at gets the value's position. */
static int jint(struct jr *j, uint32_t lo, uint32_t hi, const char *what, uint32_t *v, size_t *at)
{
    const int c = jpeek(j);
    *at = j->pos;
    if (c != '-' && !is_digit(c))
        return jexpected(j, what);
    struct jnum num;
    if (lex_number(j, &num))
        return -1;
    if (!num.is_int || (num.neg && num.v) || num.v < lo || num.v > hi) {
        j->pos = num.at;
        return jexpected(j, what);
    }
    *v = (uint32_t)num.v;
    return 0;
}

/* ------------------------------------------------------------- walking */

struct jctx {
    struct mdec_filter *f;
    const char *id; /* filter id asked for, or NULL */
    size_t id_len;
    enum shape shape;
    enum mode mode;
    uint32_t room, k;     /* scratch slots: available, used */
    int dns;              /* NetworkServices holds amazon-dns */
    int have_rule_id;     /* rules form without an id asked for: */
    struct jspan rule_id; /* the filter id the rules name */
    /* survey */
    uint32_t n_filters;
    int64_t selected;
    struct jspan ids[2];
    uint32_t n_ids;
    int next_token;
    size_t shape_at[5];  /* value position of each shape's key */
    size_t shape_key[5]; /* key position of each shape's key */
    int one_has_id, one_id_matches;
    struct jspan one_id;
};

enum {
    F_NUMBER = 1 << 0,
    F_ACTION = 1 << 1,
    F_PROTO = 1 << 2,
    F_SRC = 1 << 3,
    F_DST = 1 << 4,
    F_SPORT = 1 << 5,
    F_DPORT = 1 << 6,
    F_DIR = 1 << 7,
    F_ID = 1 << 8
};

static const struct {
    const char *key;
    unsigned bit;
} rule_keys[] = {
    {"RuleNumber", F_NUMBER},
    {"RuleAction", F_ACTION},
    {"Protocol", F_PROTO},
    {"SourceCidrBlock", F_SRC},
    {"DestinationCidrBlock", F_DST},
    {"SourcePortRange", F_SPORT},
    {"DestinationPortRange", F_DPORT},
    {"TrafficDirection", F_DIR},
    {"TrafficMirrorFilterId", F_ID},
};

static int twice(struct jr *j, const struct jspan *key)
{
    return jfail(j, key->at, MDEC_E_SYNTAX, "", key->at, " appears twice in the object");
}

static int parse_cidr(struct jr *j, struct mdec_prefix *p)
{
    struct jspan sp;
    if (jstring(j, &sp))
        return -1;
    char buf[64];
    const size_t n = jdecode(j, &sp, buf, sizeof buf);
    if (n == 0 || n > sizeof buf) {
        j->pos = sp.at;
        return jexpected(j, "a CIDR block such as \"10.0.0.0/8\" or \"::/0\"");
    }
    struct mdec_parse_error pe;
    if (mdec_prefix_parse(buf, n, p, &pe) == 0)
        return 0;
    const size_t at = sp.esc || pe.column == 0 ? sp.at : sp.at + pe.column;
    return jfail(j, at, MDEC_E_SYNTAX, "bad CIDR block: ", NOPOS, pe.message);
}

/* A port range object.  0 and *present = 0 for null. */
static int parse_ports(struct jr *j, uint16_t *lo, uint16_t *hi, int *present)
{
    *present = 0;
    if (jis_null(j))
        return 0;
    const size_t open = j->pos;
    struct jit it;
    struct jspan key;
    unsigned have = 0;
    uint32_t v[2] = {0, 0};
    int r;
    if (jopen(j, '{', &it))
        return -1;
    while ((r = jnext(j, '}', &it, &key)) > 0) {
        const int which = jeqs(j, &key, "FromPort") ? 0 : jeqs(j, &key, "ToPort") ? 1 : -1;
        if (which < 0) {
            if (skip_value(j))
                return -1;
            continue;
        }
        if (have & (1u << which))
            return twice(j, &key);
        have |= 1u << which;
        size_t at;
        jpush(j, which ? "ToPort" : "FromPort");
        if (jint(j, 0, 65535, "a port from 0 to 65535", &v[which], &at))
            return -1;
        jpop(j);
    }
    if (r < 0)
        return -1;
    if (have != 3)
        return jfail(j, open, MDEC_E_SYNTAX, have & 1 ? "missing ToPort" : "missing FromPort",
                     NOPOS, " (both ends of the range are needed)");
    if (v[0] > v[1]) {
        char a[80];
        struct sbuf b;
        mdec__sb_init(&b, a, sizeof a);
        mdec__sb_str(&b, "FromPort ");
        mdec__sb_u64(&b, v[0]);
        mdec__sb_str(&b, " is above ToPort ");
        mdec__sb_u64(&b, v[1]);
        (void)mdec__sb_done(&b);
        return jfail(j, open, MDEC_E_SYNTAX, a, NOPOS, "");
    }
    *lo = (uint16_t)v[0];
    *hi = (uint16_t)v[1];
    *present = 1;
    return 0;
}

/* Reads a rule object's TrafficMirrorFilterId without moving on. */
static int peek_rule_id(struct jr *j, struct jspan *id)
{
    const size_t save = j->pos;
    const unsigned depth = j->depth;
    struct jit it;
    struct jspan key;
    int found = 0, r;
    if (jopen(j, '{', &it))
        return -1;
    while ((r = jnext(j, '}', &it, &key)) > 0) {
        if (!found && jeqs(j, &key, "TrafficMirrorFilterId") && jpeek(j) == '"') {
            if (lex_string(j, id))
                return -1;
            found = 1;
        } else if (skip_value(j)) {
            return -1;
        }
    }
    if (r < 0)
        return -1;
    j->pos = save;
    j->depth = depth;
    return found;
}

static const char *dir_word(unsigned dir)
{
    return dir == MDEC_DIR_INGRESS ? "ingress" : "egress";
}

/* What to do with a parsed rule: keep it in scratch, or look for it twice. */
static int take_rule(struct jr *j, struct jctx *c, struct mdec_rule *r, size_t open,
                     size_t number_at)
{
    const struct jpath *list = j->np >= 1 ? &j->path[j->np - 1] : NULL;
    if (mdec__filter_find(c->f, r->direction, r->number)) {
        char a[100];
        struct sbuf b;
        mdec__sb_init(&b, a, sizeof a);
        mdec__sb_str(&b, "rule number ");
        mdec__sb_u64(&b, r->number);
        mdec__sb_str(&b, " is already used by an ");
        mdec__sb_str(&b, dir_word(r->direction));
        mdec__sb_str(&b, " rule in the filter");
        (void)mdec__sb_done(&b);
        jpush(j, "RuleNumber");
        return jfail(j, number_at, MDEC_E_EXISTS, a, NOPOS, "");
    }
    if (c->mode == MODE_EXTRACT) {
        if (c->k >= c->room) {
            char a[140];
            struct sbuf b;
            const uint32_t held = mdec_filter_count(c->f);
            mdec__sb_init(&b, a, sizeof a);
            mdec__sb_str(&b, "the filter is full: it holds at most ");
            mdec__sb_u64(&b, held + c->room);
            mdec__sb_str(&b, " rules, ");
            mdec__sb_u64(&b, held);
            mdec__sb_str(&b, " were in it and ");
            mdec__sb_u64(&b, c->k);
            mdec__sb_str(&b, " came before this one");
            (void)mdec__sb_done(&b);
            return jfail(j, open, MDEC_E_NOSPACE, a, NOPOS, "");
        }
        mdec__rule_normalize(r);
        *mdec__filter_scratch(c->f, c->k++) = *r;
        return 0;
    }
    /* MODE_DUP: the scratch rules are sorted; mark each group seen twice
     * or more at its first rule, fail at its second. */
    uint32_t count;
    struct mdec_rule *s = mdec__filter_scratch(c->f, 0);
    const uint32_t g = mdec__rules_lower(s, c->k, r->direction, r->number, &count);
    if (count < 2)
        return 0;
    if (!(s[g].match & MDEC_RULE_SCRATCH_MARK)) {
        s[g].match |= MDEC_RULE_SCRATCH_MARK;
        s[g].line = r->line;
        s[g].tunnel_id_lo = list ? list->idx : 0;
        return 0;
    }
    char a[150];
    struct sbuf b;
    mdec__sb_init(&b, a, sizeof a);
    mdec__sb_str(&b, "rule number ");
    mdec__sb_u64(&b, r->number);
    mdec__sb_str(&b, " is already used by ");
    if (list && list->key) {
        mdec__sb_str(&b, list->key);
        mdec__sb_char(&b, '[');
        mdec__sb_u64(&b, s[g].tunnel_id_lo);
        mdec__sb_str(&b, "] (");
    } else {
        mdec__sb_str(&b, "the rule (");
    }
    mdec__sb_str(&b, dir_word(r->direction));
    mdec__sb_str(&b, ", line ");
    mdec__sb_u64(&b, s[g].line);
    mdec__sb_char(&b, ')');
    (void)mdec__sb_done(&b);
    jpush(j, "RuleNumber");
    return jfail(j, number_at, MDEC_E_EXISTS, a, NOPOS, "");
}

/* One rule object.  list_dir is the direction its array implies (0 in the
 * describe-traffic-mirror-filter-rules form). */
static int parse_rule(struct jr *j, struct jctx *c, unsigned list_dir)
{
    if (jpeek(j) != '{')
        return jexpected(j, "a rule object");
    const size_t open = j->pos;

    if (c->shape == SHAPE_RULES) {
        struct jspan id;
        const int has = peek_rule_id(j, &id);
        if (has < 0)
            return -1;
        if (has && c->id && !jeq(j, &id, c->id, c->id_len))
            return skip_value(j); /* a rule of another filter */
        if (has && !c->id) {
            if (!c->have_rule_id) {
                c->have_rule_id = 1;
                c->rule_id = id;
            } else if (!jeq_spans(j, &id, &c->rule_id)) {
                char a[140];
                struct sbuf b;
                mdec__sb_init(&b, a, sizeof a);
                mdec__sb_str(&b, "rules of two filters (");
                sb_span(&b, j, &c->rule_id);
                mdec__sb_str(&b, " and ");
                sb_span(&b, j, &id);
                mdec__sb_str(&b, "): pass the id of the one to import");
                (void)mdec__sb_done(&b);
                jpush(j, "TrafficMirrorFilterId");
                return jfail(j, id.at, MDEC_E_SYNTAX, a, NOPOS, "");
            }
        }
    }

    struct mdec_rule r;
    mdec_rule_init(&r);
    r.line = jline_of(j, open);
    unsigned have = 0;
    size_t at_number = open, at_dst = open, at_sport = open, at_dport = open, at_dir = open;
    unsigned dir = 0;
    struct jit it;
    struct jspan key, sv;
    int rc;
    if (jopen(j, '{', &it))
        return -1;
    while ((rc = jnext(j, '}', &it, &key)) > 0) {
        unsigned bit = 0;
        const char *name = NULL;
        for (size_t i = 0; i < sizeof rule_keys / sizeof rule_keys[0] && !bit; i++) {
            if (jeqs(j, &key, rule_keys[i].key)) {
                bit = rule_keys[i].bit;
                name = rule_keys[i].key;
            }
        }
        if (!bit) {
            if (skip_value(j))
                return -1;
            continue;
        }
        if (have & bit)
            return twice(j, &key);
        have |= bit;
        jpush(j, name);
        (void)jpeek(j); /* j->pos: the value's first byte */
        uint32_t v;
        int present;
        size_t at;
        switch (bit) {
        case F_NUMBER:
            if (jint(j, 1, MDEC_RULE_NUMBER_MAX, "an integer from 1 to 32766", &v, &at_number))
                return -1;
            r.number = (uint16_t)v;
            break;
        case F_ACTION:
            if (jstring(j, &sv))
                return -1;
            if (jeqs(j, &sv, "accept")) {
                r.action = MDEC_VERDICT_ACCEPT;
            } else if (jeqs(j, &sv, "reject")) {
                r.action = MDEC_VERDICT_REJECT;
            } else {
                j->pos = sv.at;
                return jexpected(j, "\"accept\" or \"reject\"");
            }
            break;
        case F_PROTO:
            if (jis_null(j)) {
                have &= ~(unsigned)F_PROTO;
                break;
            }
            if (jint(j, 0, 255, "an IANA protocol number from 0 to 255", &v, &at))
                return -1;
            r.protocol = (int16_t)v;
            break;
        case F_SRC:
            if (parse_cidr(j, &r.src))
                return -1;
            break;
        case F_DST:
            at_dst = j->pos;
            if (parse_cidr(j, &r.dst))
                return -1;
            break;
        case F_SPORT:
        case F_DPORT:
            if (bit == F_SPORT)
                at_sport = j->pos;
            else
                at_dport = j->pos;
            if (bit == F_SPORT ? parse_ports(j, &r.sport_lo, &r.sport_hi, &present)
                               : parse_ports(j, &r.dport_lo, &r.dport_hi, &present))
                return -1;
            if (present)
                r.match |= bit == F_SPORT ? MDEC_RULE_SPORT : MDEC_RULE_DPORT;
            break;
        case F_DIR:
            at_dir = j->pos;
            if (jstring(j, &sv))
                return -1;
            if (jeqs(j, &sv, "ingress")) {
                dir = MDEC_DIR_INGRESS;
            } else if (jeqs(j, &sv, "egress")) {
                dir = MDEC_DIR_EGRESS;
            } else {
                j->pos = sv.at;
                return jexpected(j, "\"ingress\" or \"egress\"");
            }
            break;
        default: /* F_ID: read by peek_rule_id in the rules form */
            if (jpeek(j) != '"' && !jis_null(j))
                return jexpected(j, "a string");
            if (jpeek(j) == '"' && skip_value(j))
                return -1;
            break;
        }
        jpop(j);
    }
    if (rc < 0)
        return -1;

    static const struct {
        unsigned bit;
        const char *name;
    } required[] = {{F_NUMBER, "RuleNumber"},
                    {F_ACTION, "RuleAction"},
                    {F_SRC, "SourceCidrBlock"},
                    {F_DST, "DestinationCidrBlock"},
                    {F_DIR, "TrafficDirection"}};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!(have & required[i].bit) && (required[i].bit != F_DIR || list_dir == 0))
            return jfail(j, open, MDEC_E_SYNTAX, "missing ", NOPOS, required[i].name);
    }
    if (list_dir && (have & F_DIR) && dir != list_dir) {
        jpush(j, "TrafficDirection");
        return jfail(j, at_dir, MDEC_E_SYNTAX, "", at_dir,
                     list_dir == MDEC_DIR_INGRESS ? " contradicts IngressFilterRules"
                                                  : " contradicts EgressFilterRules");
    }
    r.direction = (uint8_t)(list_dir ? list_dir : dir);
    if (r.src.addr.family != r.dst.addr.family) {
        jpush(j, "DestinationCidrBlock");
        return jfail(j, at_dst, MDEC_E_SYNTAX,
                     "source and destination CIDR blocks are of different families: the rule "
                     "could never match",
                     NOPOS, "");
    }
    if ((r.match & (MDEC_RULE_SPORT | MDEC_RULE_DPORT)) && r.protocol != 6 && r.protocol != 17) {
        const int s = (r.match & MDEC_RULE_SPORT) != 0;
        char z[64];
        struct sbuf b;
        mdec__sb_init(&b, z, sizeof z);
        if (r.protocol == MDEC_PROTO_ANY) {
            mdec__sb_str(&b, "no Protocol (all protocols)");
        } else {
            mdec__sb_str(&b, "Protocol ");
            mdec__sb_u64(&b, (uint64_t)r.protocol);
        }
        (void)mdec__sb_done(&b);
        jpush(j, s ? "SourcePortRange" : "DestinationPortRange");
        return jfail(j, s ? at_sport : at_dport, MDEC_E_SYNTAX,
                     "port ranges need Protocol 6 (TCP) or 17 (UDP), found ", NOPOS, z);
    }
    const char *why = mdec__rule_check(&r);
    if (why) /* cannot happen: every part was checked above */
        return jfail(j, open, MDEC_E_SYNTAX, why, NOPOS, "");
    return take_rule(j, c, &r, open, at_number);
}

static int parse_rule_array(struct jr *j, struct jctx *c, unsigned list_dir)
{
    if (jis_null(j))
        return 0;
    struct jit it;
    int rc;
    uint32_t i = 0;
    if (jopen(j, '[', &it))
        return -1;
    while ((rc = jnext(j, ']', &it, NULL)) > 0) {
        jindex(j, i++);
        if (parse_rule(j, c, list_dir))
            return -1;
    }
    junindex(j);
    return rc;
}

static int parse_services(struct jr *j, struct jctx *c)
{
    if (jis_null(j))
        return 0;
    struct jit it;
    struct jspan sv;
    int rc;
    uint32_t i = 0;
    if (jopen(j, '[', &it))
        return -1;
    while ((rc = jnext(j, ']', &it, NULL)) > 0) {
        jindex(j, i++);
        if (jstring(j, &sv))
            return -1;
        if (!jeqs(j, &sv, "amazon-dns")) {
            j->pos = sv.at;
            return jexpected(j, "\"amazon-dns\" (the only network service AWS knows)");
        }
        c->dns = 1;
    }
    return rc;
}

/* A filter object: its rules and network services.  obj_is_top: the
 * object is the document itself (bare filter). */
static int parse_filter(struct jr *j, struct jctx *c)
{
    struct jit it;
    struct jspan key;
    unsigned have = 0;
    int rc;
    if (jopen(j, '{', &it))
        return -1;
    while ((rc = jnext(j, '}', &it, &key)) > 0) {
        const unsigned bit = jeqs(j, &key, "IngressFilterRules")  ? 1u
                             : jeqs(j, &key, "EgressFilterRules") ? 2u
                             : jeqs(j, &key, "NetworkServices")   ? 4u
                                                                  : 0u;
        if (!bit) {
            if (skip_value(j))
                return -1;
            continue;
        }
        if (have & bit)
            return twice(j, &key);
        have |= bit;
        if (bit == 4) {
            jpush(j, "NetworkServices");
            if (parse_services(j, c))
                return -1;
        } else {
            jpush(j, bit == 1 ? "IngressFilterRules" : "EgressFilterRules");
            if (parse_rule_array(j, c, bit == 1 ? MDEC_DIR_INGRESS : MDEC_DIR_EGRESS))
                return -1;
        }
        jpop(j);
    }
    return rc;
}

/* ---------------------------------------------------------------- survey */

static void skip_bom(struct jr *j)
{
    if (j->n >= 3 && (unsigned char)j->s[0] == 0xEF && (unsigned char)j->s[1] == 0xBB &&
        (unsigned char)j->s[2] == 0xBF)
        j->pos = 3; /* a UTF-8 byte order mark */
}

static const char *const shape_keys[5] = {NULL, "TrafficMirrorFilters", "TrafficMirrorFilter",
                                          "TrafficMirrorFilterRules", NULL};

/* A filter's TrafficMirrorFilterId during the survey. */
static int survey_id(struct jr *j, struct jctx *c, struct jspan *id)
{
    jpush(j, "TrafficMirrorFilterId");
    if (jstring(j, id))
        return -1;
    jpop(j);
    return c->id && jeq(j, id, c->id, c->id_len);
}

static int survey_filter(struct jr *j, struct jctx *c, int *has_id, struct jspan *id)
{
    struct jit it;
    struct jspan key;
    int rc, match = 0;
    *has_id = 0;
    if (jopen(j, '{', &it))
        return -1;
    while ((rc = jnext(j, '}', &it, &key)) > 0) {
        if (jeqs(j, &key, "TrafficMirrorFilterId")) {
            if (*has_id)
                return twice(j, &key);
            *has_id = 1;
            if ((match = survey_id(j, c, id)) < 0)
                return -1;
        } else if (skip_value(j)) {
            return -1;
        }
    }
    return rc < 0 ? -1 : match;
}

static int survey(struct jr *j, struct jctx *c)
{
    struct jit it;
    struct jspan key;
    int rc;
    skip_bom(j);
    if (jpeek(j) != '{')
        return jexpected(j,
                         "a JSON object (the output of aws ec2 describe-traffic-mirror-filters)");
    const size_t top = j->pos;
    if (jopen(j, '{', &it))
        return -1;
    while ((rc = jnext(j, '}', &it, &key)) > 0) {
        int shape = SHAPE_NONE;
        for (int s = SHAPE_LIST; s <= SHAPE_RULES; s++)
            if (jeqs(j, &key, shape_keys[s]))
                shape = s;
        if (shape == SHAPE_NONE &&
            (jeqs(j, &key, "IngressFilterRules") || jeqs(j, &key, "EgressFilterRules") ||
             jeqs(j, &key, "NetworkServices") || jeqs(j, &key, "TrafficMirrorFilterId")))
            shape = SHAPE_BARE;
        if (shape != SHAPE_NONE && shape != SHAPE_BARE && c->shape_at[shape] != NOPOS)
            return twice(j, &key);
        if (shape != SHAPE_NONE && c->shape_at[shape] == NOPOS) {
            c->shape_at[shape] = jpeek(j) < 0 ? j->n : j->pos;
            c->shape_key[shape] = key.at;
        }
        if (shape == SHAPE_LIST) {
            jpush(j, "TrafficMirrorFilters");
            struct jit ai;
            int r2;
            if (jopen(j, '[', &ai))
                return -1;
            while ((r2 = jnext(j, ']', &ai, NULL)) > 0) {
                jindex(j, c->n_filters);
                if (jpeek(j) != '{') {
                    if (skip_value(j))
                        return -1;
                } else {
                    int has_id;
                    struct jspan id;
                    const int m = survey_filter(j, c, &has_id, &id);
                    if (m < 0)
                        return -1;
                    if (has_id && c->n_ids < 2)
                        c->ids[c->n_ids] = id;
                    c->n_ids += has_id != 0;
                    if (m && c->selected >= 0) {
                        jpush(j, "TrafficMirrorFilterId");
                        return jfail(j, id.at, MDEC_E_INVALID, "a second filter has the id ", id.at,
                                     "");
                    }
                    if (m)
                        c->selected = c->n_filters;
                }
                c->n_filters++;
            }
            if (r2 < 0)
                return -1;
            jpop(j);
        } else if (shape == SHAPE_WRAP) {
            jpush(j, "TrafficMirrorFilter");
            const int m = survey_filter(j, c, &c->one_has_id, &c->one_id);
            if (m < 0)
                return -1;
            c->one_id_matches = m;
            jpop(j);
        } else if (shape == SHAPE_BARE && jeqs(j, &key, "TrafficMirrorFilterId")) {
            if (c->one_has_id)
                return twice(j, &key);
            c->one_has_id = 1;
            if ((c->one_id_matches = survey_id(j, c, &c->one_id)) < 0)
                return -1;
        } else if (jeqs(j, &key, "NextToken")) {
            c->next_token = jpeek(j) == '"';
            if (skip_value(j))
                return -1;
        } else if (skip_value(j)) {
            return -1;
        }
    }
    if (rc < 0)
        return -1;
    if (jpeek(j) >= 0)
        return jfail(j, j->pos, MDEC_E_SYNTAX, "unexpected text after the JSON document: found ",
                     j->pos, "");

    /* The document's shape: exactly one. */
    int first = SHAPE_NONE, second = SHAPE_NONE;
    for (int s = SHAPE_LIST; s <= SHAPE_BARE; s++) {
        if (c->shape_at[s] == NOPOS)
            continue;
        if (first == SHAPE_NONE || c->shape_key[s] < c->shape_key[first]) {
            second = first;
            first = s;
        } else if (second == SHAPE_NONE || c->shape_key[s] < c->shape_key[second]) {
            second = s;
        }
    }
    if (first == SHAPE_NONE)
        return jfail(j, top, MDEC_E_SYNTAX,
                     "expected TrafficMirrorFilters, TrafficMirrorFilterRules, or the "
                     "IngressFilterRules/EgressFilterRules of a filter, found none of them",
                     NOPOS, "");
    if (second != SHAPE_NONE) {
        static const char *const kinds[5] = {
            NULL, " cannot be read together with TrafficMirrorFilters",
            " cannot be read together with TrafficMirrorFilter",
            " cannot be read together with TrafficMirrorFilterRules",
            " cannot be read together with the rules of a bare filter"};
        /* first and second are ordered by key position: second is later */
        const size_t at = c->shape_key[second];
        return jfail(j, at, MDEC_E_SYNTAX, "", at, kinds[first]);
    }
    c->shape = (enum shape)first;
    return 0;
}

/* The survey found the shape; choose the filter or fail. */
static int choose(struct jr *j, struct jctx *c)
{
    char a[150];
    struct sbuf b;
    mdec__sb_init(&b, a, sizeof a);
    if (c->shape == SHAPE_LIST) {
        const size_t at = c->shape_at[SHAPE_LIST];
        jpush(j, "TrafficMirrorFilters");
        if (c->id && c->selected < 0) {
            mdec__sb_str(&b, "no filter has TrafficMirrorFilterId ");
            mdec__sb_char(&b, '"');
            for (size_t i = 0; i < c->id_len && i < 40; i++)
                sb_printable(&b, (unsigned char)c->id[i]);
            mdec__sb_str(&b, "\" (the document holds ");
            mdec__sb_u64(&b, c->n_filters);
            mdec__sb_str(&b, c->n_filters == 1 ? " filter" : " filters");
            mdec__sb_str(&b, c->next_token ? "; NextToken says more are on another page)" : ")");
            (void)mdec__sb_done(&b);
            return jfail(j, at, MDEC_E_NOTFOUND, a, NOPOS, "");
        }
        if (!c->id && c->n_filters != 1) {
            if (c->n_filters == 0) {
                mdec__sb_str(&b, "the document holds no filter");
            } else {
                mdec__sb_str(&b, "the document holds ");
                mdec__sb_u64(&b, c->n_filters);
                mdec__sb_str(&b, " filters");
                for (uint32_t i = 0; i < c->n_ids && i < 2; i++) {
                    mdec__sb_str(&b, i ? ", " : " (");
                    sb_span(&b, j, &c->ids[i]);
                }
                if (c->n_ids)
                    mdec__sb_str(&b, c->n_ids > 2 ? ", ...)" : ")");
                mdec__sb_str(&b, ": pass the TrafficMirrorFilterId of the one to import");
            }
            (void)mdec__sb_done(&b);
            return jfail(j, at, c->n_filters ? MDEC_E_INVALID : MDEC_E_NOTFOUND, a, NOPOS, "");
        }
        if (!c->id)
            c->selected = 0;
        jpop(j);
        return 0;
    }
    if ((c->shape == SHAPE_WRAP || c->shape == SHAPE_BARE) && c->id && !c->one_id_matches) {
        mdec__sb_str(&b, "no filter has TrafficMirrorFilterId \"");
        for (size_t i = 0; i < c->id_len && i < 40; i++)
            sb_printable(&b, (unsigned char)c->id[i]);
        mdec__sb_str(&b, c->one_has_id ? "\": the document's filter is " : "\"");
        if (c->one_has_id)
            sb_span(&b, j, &c->one_id);
        else
            mdec__sb_str(&b, " (the document's filter has no id)");
        (void)mdec__sb_done(&b);
        return jfail(j, c->shape == SHAPE_WRAP ? c->shape_at[SHAPE_WRAP] : 0, MDEC_E_NOTFOUND, a,
                     NOPOS, "");
    }
    return 0;
}

/* Pass 2 or 3 over the document. */
static int extract(struct jr *j, struct jctx *c)
{
    j->pos = 0;
    j->depth = 0;
    j->np = 0;
    skip_bom(j);
    c->dns = 0;
    c->have_rule_id = 0;
    if (c->shape == SHAPE_BARE)
        return parse_filter(j, c);
    struct jit it;
    struct jspan key;
    int rc;
    if (jopen(j, '{', &it))
        return -1;
    while ((rc = jnext(j, '}', &it, &key)) > 0) {
        if (!jeqs(j, &key, shape_keys[c->shape])) {
            if (skip_value(j))
                return -1;
            continue;
        }
        jpush(j, shape_keys[c->shape]);
        if (c->shape == SHAPE_WRAP) {
            if (parse_filter(j, c))
                return -1;
        } else if (c->shape == SHAPE_RULES) {
            if (parse_rule_array(j, c, 0))
                return -1;
        } else {
            struct jit ai;
            int r2;
            uint32_t i = 0;
            if (jopen(j, '[', &ai))
                return -1;
            while ((r2 = jnext(j, ']', &ai, NULL)) > 0) {
                jindex(j, i);
                if ((int64_t)i++ == c->selected ? parse_filter(j, c) : skip_value(j))
                    return -1;
            }
            if (r2 < 0)
                return -1;
        }
        jpop(j);
    }
    return rc;
}

/* 1 when two scratch rules share a direction and number (sorts them). */
static int has_duplicates(struct jctx *c)
{
    struct mdec_rule *s = mdec__filter_scratch(c->f, 0);
    mdec__rules_sort(s, c->k);
    for (uint32_t i = 1; i < c->k; i++)
        if (s[i].direction == s[i - 1].direction && s[i].number == s[i - 1].number)
            return 1;
    return 0;
}

int mdec_filter_parse_aws_json(struct mdec_filter *f, const char *json, size_t len,
                               const char *filter_id, struct mdec_parse_error *err)
{
    if (!f || (!json && len)) {
        mdec__perr(err, 0, 0, "invalid argument: no filter, or no JSON text", NULL, 0, "");
        return MDEC_E_INVALID;
    }
    struct jr j;
    struct jctx c;
    memset(&j, 0, sizeof j);
    memset(&c, 0, sizeof c);
    j.s = json ? json : "";
    j.n = len;
    j.lc_line = 1;
    c.f = f;
    c.id = filter_id;
    c.id_len = filter_id ? strlen(filter_id) : 0;
    c.selected = -1;
    c.room = mdec__filter_room(f);
    for (int s = 0; s < 5; s++)
        c.shape_at[s] = c.shape_key[s] = NOPOS;

    c.mode = MODE_SURVEY;
    int failed = survey(&j, &c) || choose(&j, &c);
    if (!failed) {
        c.mode = MODE_EXTRACT;
        failed = extract(&j, &c) != 0;
        /* Two rules with one number among those read (all of them, or
         * those before the error): walk again to stop at the second of
         * them, which comes before any error found so far. */
        if (has_duplicates(&c)) {
            const struct mdec_parse_error first = j.e;
            const int first_rc = j.rc;
            j.rc = 0;
            c.mode = MODE_DUP;
            (void)extract(&j, &c);
            if (!j.rc && first_rc) { /* cannot happen */
                j.e = first;
                j.rc = first_rc;
            } else if (!j.rc) {
                (void)jfail(&j, 0, MDEC_E_EXISTS, "two rules share a direction and number", NOPOS,
                            "");
            }
            failed = 1;
        }
    }
    if (failed) {
        if (err)
            *err = j.e;
        return j.rc ? j.rc : MDEC_E_SYNTAX;
    }

    mdec__filter_commit(f, c.k);
    if (c.shape != SHAPE_RULES) {
        const uint32_t opt = mdec_filter_options(f);
        mdec_filter_set_options(f, c.dns ? opt | MDEC_FILTER_AMAZON_DNS
                                         : opt & ~(uint32_t)MDEC_FILTER_AMAZON_DNS);
    }
    return 0;
}

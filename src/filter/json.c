/*
 * json.c - the JSON tokenizer and reader of json.h: RFC 8259 strings with
 * every escape, numbers, literals, whitespace; containers at most
 * MDEC_JSON_MAX_DEPTH deep, walked without recursion.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "json.h"

void mdec__json_init(struct mdec_json *j, const char *text, size_t n)
{
    memset(j, 0, sizeof *j);
    j->s = text ? text : "";
    j->n = n;
    j->lc_line = 1;
}

void mdec__json_rewind(struct mdec_json *j)
{
    j->pos = 0;
    j->depth = 0;
    j->np = 0;
    if (j->n >= 3 && (unsigned char)j->s[0] == 0xEF && (unsigned char)j->s[1] == 0xBB &&
        (unsigned char)j->s[2] == 0xBF)
        j->pos = 3; /* a UTF-8 byte order mark */
}

/* ------------------------------------------------------------ positions */

static void jline(struct mdec_json *j, size_t at, uint32_t *line, uint32_t *col)
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

uint32_t mdec__json_line(struct mdec_json *j, size_t at)
{
    uint32_t line, col;
    jline(j, at, &line, &col);
    return line;
}

/* --------------------------------------------------------------- errors */

static void jpath_str(struct sbuf *b, const struct mdec_json *j)
{
    unsigned np = j->np;
    if (np > MDEC_JSON_PATH_MAX)
        np = MDEC_JSON_PATH_MAX;
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

void mdec__json_sb_byte(struct sbuf *b, unsigned char c)
{
    if (c < 0x20 || c >= 0x7F) {
        mdec__sb_str(b, "\\x");
        mdec__sb_hex(b, c, 2);
    } else {
        mdec__sb_char(b, (char)c);
    }
}

/* The raw text of a string token, in double quotes, cut after 40 bytes. */
void mdec__json_sb_span(struct sbuf *b, const struct mdec_json *j, const struct mdec_jspan *sp)
{
    mdec__sb_char(b, '"');
    for (size_t i = 0; i < sp->n && i < 40; i++)
        mdec__json_sb_byte(b, (unsigned char)j->s[sp->at + 1 + i]);
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
static void sb_found(struct sbuf *b, const struct mdec_json *j, size_t at)
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
        struct mdec_jspan sp = {at, (i < j->n ? i : j->n) - at - 1, 0};
        mdec__json_sb_span(b, j, &sp);
    } else if (is_delim(c)) {
        mdec__sb_char(b, '\'');
        mdec__sb_char(b, c);
        mdec__sb_char(b, '\'');
    } else {
        size_t i = at;
        while (i < j->n && i - at < 40 && !is_delim(j->s[i]))
            mdec__json_sb_byte(b, (unsigned char)j->s[i++]);
        if (i < j->n && !is_delim(j->s[i]))
            mdec__sb_str(b, "...");
    }
}

/* Records the first error: "PATH: " a, what the text holds at `found`
 * (unless MDEC_JSON_NOPOS), then z. */
int mdec__json_fail(struct mdec_json *j, size_t at, int rc, const char *a, size_t found,
                    const char *z)
{
    if (j->rc)
        return -1;
    struct sbuf b;
    mdec__sb_init(&b, j->e.message, sizeof j->e.message);
    jpath_str(&b, j);
    mdec__sb_str(&b, a);
    if (found != MDEC_JSON_NOPOS)
        sb_found(&b, j, found);
    mdec__sb_str(&b, z);
    (void)mdec__sb_done(&b);
    jline(j, at, &j->e.line, &j->e.column);
    j->rc = rc;
    return -1;
}

/* "expected WHAT, found X" at the current position. */
int mdec__json_expected(struct mdec_json *j, const char *what)
{
    char a[120];
    struct sbuf b;
    mdec__sb_init(&b, a, sizeof a);
    mdec__sb_str(&b, "expected ");
    mdec__sb_str(&b, what);
    mdec__sb_str(&b, ", found ");
    (void)mdec__sb_done(&b);
    return mdec__json_fail(j, j->pos, MDEC_E_SYNTAX, a, j->pos, "");
}

void mdec__json_push(struct mdec_json *j, const char *key)
{
    if (j->np < MDEC_JSON_PATH_MAX) {
        j->path[j->np].key = key;
        j->path[j->np].has_idx = 0;
        j->path[j->np].idx = 0;
    }
    j->np++;
}

void mdec__json_pop(struct mdec_json *j)
{
    j->np--;
}

void mdec__json_index(struct mdec_json *j, uint32_t idx)
{
    if (j->np && j->np <= MDEC_JSON_PATH_MAX) {
        j->path[j->np - 1].has_idx = 1;
        j->path[j->np - 1].idx = idx;
    }
}

void mdec__json_unindex(struct mdec_json *j)
{
    if (j->np && j->np <= MDEC_JSON_PATH_MAX)
        j->path[j->np - 1].has_idx = 0;
}

/* -------------------------------------------------------------- tokens */

static void ws(struct mdec_json *j)
{
    while (j->pos < j->n) {
        const char c = j->s[j->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        j->pos++;
    }
}

/* The next significant byte, or -1 at the end. */
int mdec__json_peek(struct mdec_json *j)
{
    ws(j);
    return j->pos < j->n ? (unsigned char)j->s[j->pos] : -1;
}

static int lex_string(struct mdec_json *j, struct mdec_jspan *sp)
{
    const size_t open = j->pos;
    size_t i = open + 1;
    int esc = 0;
    sp->at = open; /* an empty string until the end quote is found */
    sp->n = 0;
    sp->esc = 0;
    for (;;) {
        if (i >= j->n)
            return mdec__json_fail(j, j->n, MDEC_E_SYNTAX,
                                   "expected '\"' to end the string, found ", j->n, "");
        const unsigned char c = (unsigned char)j->s[i];
        if (c == '"')
            break;
        if (c < 0x20)
            return mdec__json_fail(j, i, MDEC_E_SYNTAX,
                                   "control character in a string (JSON needs it escaped)",
                                   MDEC_JSON_NOPOS, "");
        if (c != '\\') {
            i++;
            continue;
        }
        esc = 1;
        if (i + 1 >= j->n)
            return mdec__json_fail(j, j->n, MDEC_E_SYNTAX, "expected an escape after '\\', found ",
                                   j->n, "");
        const char e = j->s[i + 1];
        if (e == 'u') {
            for (size_t k = 2; k < 6; k++)
                if (i + k >= j->n || mdec__hexval(j->s[i + k]) < 0)
                    return mdec__json_fail(j, i, MDEC_E_SYNTAX, "expected 4 hex digits after '\\u'",
                                           MDEC_JSON_NOPOS, "");
            i += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                   e == 'r' || e == 't') {
            i += 2;
        } else {
            return mdec__json_fail(
                j, i, MDEC_E_SYNTAX,
                "invalid escape in a string: expected one of \\\" \\\\ \\/ \\b \\f \\n "
                "\\r \\t \\uXXXX",
                MDEC_JSON_NOPOS, "");
        }
    }
    sp->at = open;
    sp->n = i - open - 1;
    sp->esc = esc;
    j->pos = i + 1;
    return 0;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* The index past the digits from i on. */
static size_t digits(const char *s, size_t i, size_t n)
{
    while (i < n && is_digit(s[i]))
        i++;
    return i;
}

/* A number's fraction and exponent, from *i on (both optional). */
static int lex_fraction_exponent(struct mdec_json *j, struct mdec_jnum *num, size_t *i)
{
    const char *s = j->s;
    if (*i < j->n && s[*i] == '.') {
        num->is_int = 0;
        const size_t end = digits(s, *i + 1, j->n);
        if (end == *i + 1)
            return mdec__json_fail(j, num->at, MDEC_E_SYNTAX,
                                   "invalid number: expected a digit after '.' in ", num->at, "");
        *i = end;
    }
    if (*i < j->n && (s[*i] == 'e' || s[*i] == 'E')) {
        num->is_int = 0;
        ++*i;
        if (*i < j->n && (s[*i] == '+' || s[*i] == '-'))
            ++*i;
        const size_t end = digits(s, *i, j->n);
        if (end == *i)
            return mdec__json_fail(j, num->at, MDEC_E_SYNTAX,
                                   "invalid number: expected a digit in the exponent of ", num->at,
                                   "");
        *i = end;
    }
    return 0;
}

static int lex_number(struct mdec_json *j, struct mdec_jnum *num)
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
        return mdec__json_fail(j, num->at, MDEC_E_SYNTAX,
                               "invalid number: expected a digit, found ", i, "");
    if (s[i] == '0' && i + 1 < j->n && is_digit(s[i + 1]))
        return mdec__json_fail(j, num->at, MDEC_E_SYNTAX, "invalid number ", num->at,
                               " (JSON allows no leading zero)");
    for (; i < j->n && is_digit(s[i]); i++) {
        num->v = num->v * 10 + (uint64_t)(s[i] - '0');
        if (num->v > MDEC_JNUM_BIG)
            num->v = MDEC_JNUM_BIG;
    }
    if (lex_fraction_exponent(j, num, &i))
        return -1;
    j->pos = i;
    return 0;
}

/* A string, a number or a literal, as a token. */
static int lex_scalar(struct mdec_json *j, struct mdec_jtok *tok)
{
    static const struct {
        const char *word;
        size_t n;
        enum mdec_jtok_kind kind;
    } lits[] = {{"true", 4, MDEC_JT_TRUE}, {"false", 5, MDEC_JT_FALSE}, {"null", 4, MDEC_JT_NULL}};
    const int c = mdec__json_peek(j);
    tok->at = j->pos;
    if (c == '"') {
        tok->kind = MDEC_JT_STRING;
        return lex_string(j, &tok->str);
    }
    if (c == '-' || is_digit(c)) {
        tok->kind = MDEC_JT_NUMBER;
        return lex_number(j, &tok->num);
    }
    for (size_t k = 0; k < sizeof lits / sizeof lits[0]; k++) {
        if (j->n - j->pos >= lits[k].n && memcmp(j->s + j->pos, lits[k].word, lits[k].n) == 0) {
            tok->kind = lits[k].kind;
            j->pos += lits[k].n;
            return 0;
        }
    }
    return mdec__json_expected(j, "a JSON value");
}

/* A member name and its ':'. */
static int lex_key(struct mdec_json *j, struct mdec_jspan *key)
{
    if (mdec__json_peek(j) != '"')
        return mdec__json_expected(j, "a member name in double quotes");
    if (lex_string(j, key))
        return -1;
    if (mdec__json_peek(j) != ':')
        return mdec__json_expected(j, "':' after the member name");
    j->pos++;
    return 0;
}

/* ------------------------------------------------------------- tokens */

/* What the walk expects next: a value; the first member or the end of
 * an object just opened; the first element or the end of an array just
 * opened; ',' or the end of the container after a value. */
enum { TS_VALUE, TS_FIRST_IN_OBJ, TS_FIRST_IN_ARR, TS_AFTER };

void mdec__json_walk_begin(struct mdec_jtokens *t)
{
    t->is_obj = 0;
    t->sp = 0;
    t->state = TS_VALUE;
}

static int tok_value(struct mdec_json *j, struct mdec_jtokens *t, struct mdec_jtok *tok)
{
    const int c = mdec__json_peek(j);
    if (c != '{' && c != '[') {
        if (lex_scalar(j, tok))
            return -1;
        t->state = TS_AFTER;
        return 1;
    }
    if (j->depth + t->sp >= MDEC_JSON_MAX_DEPTH)
        return mdec__json_fail(j, j->pos, MDEC_E_SYNTAX, "containers nest deeper than 64 levels",
                               MDEC_JSON_NOPOS, "");
    const uint64_t bit = (uint64_t)1 << t->sp;
    t->is_obj = c == '{' ? t->is_obj | bit : t->is_obj & ~bit;
    t->sp++;
    tok->at = j->pos++;
    tok->kind = c == '{' ? MDEC_JT_OBJ : MDEC_JT_ARR;
    t->state = c == '{' ? TS_FIRST_IN_OBJ : TS_FIRST_IN_ARR;
    return 1;
}

static int tok_key(struct mdec_json *j, struct mdec_jtokens *t, struct mdec_jtok *tok)
{
    if (lex_key(j, &tok->str))
        return -1;
    tok->kind = MDEC_JT_KEY;
    tok->at = tok->str.at;
    t->state = TS_VALUE;
    return 1;
}

/* j->pos is on the closing bracket of the innermost container. */
static int tok_close(struct mdec_json *j, struct mdec_jtokens *t, struct mdec_jtok *tok)
{
    t->sp--;
    tok->kind = (t->is_obj >> t->sp) & 1 ? MDEC_JT_OBJ_END : MDEC_JT_ARR_END;
    tok->at = j->pos++;
    t->state = TS_AFTER;
    return 1;
}

static int tok_after(struct mdec_json *j, struct mdec_jtokens *t, struct mdec_jtok *tok)
{
    if (t->sp == 0)
        return 0;
    const int obj = (int)((t->is_obj >> (t->sp - 1)) & 1);
    const int c = mdec__json_peek(j);
    if (c == ',') {
        j->pos++;
        return obj ? tok_key(j, t, tok) : tok_value(j, t, tok);
    }
    if (c != (obj ? '}' : ']'))
        return mdec__json_expected(j, obj ? "',' or '}'" : "',' or ']'");
    return tok_close(j, t, tok);
}

int mdec__json_token(struct mdec_json *j, struct mdec_jtokens *t, struct mdec_jtok *tok)
{
    int r;
    *tok = (struct mdec_jtok){0};
    if (j->rc)
        return -1;
    if (t->state == TS_VALUE)
        r = tok_value(j, t, tok);
    else if (t->state == TS_FIRST_IN_OBJ)
        r = mdec__json_peek(j) == '}' ? tok_close(j, t, tok) : tok_key(j, t, tok);
    else if (t->state == TS_FIRST_IN_ARR)
        r = mdec__json_peek(j) == ']' ? tok_close(j, t, tok) : tok_value(j, t, tok);
    else
        r = tok_after(j, t, tok);
    if (r > 0) {
        tok->len = tok->kind == MDEC_JT_KEY ? tok->str.n + 2 : j->pos - tok->at;
        tok->depth = j->depth + t->sp;
    }
    return r;
}

int mdec__json_skip(struct mdec_json *j)
{
    struct mdec_jtokens t;
    struct mdec_jtok tok;
    int r;
    mdec__json_walk_begin(&t);
    do
        r = mdec__json_token(j, &t, &tok);
    while (r > 0);
    return r;
}

int mdec__json_end(struct mdec_json *j)
{
    if (mdec__json_peek(j) < 0)
        return 0;
    return mdec__json_fail(j, j->pos, MDEC_E_SYNTAX,
                           "unexpected text after the JSON document: found ", j->pos, "");
}

/* ----------------------------------------------------- containers */

int mdec__json_open(struct mdec_json *j, char c, struct mdec_jit *it)
{
    if (mdec__json_peek(j) != c)
        return mdec__json_expected(j, c == '{' ? "an object" : "an array");
    if (j->depth >= MDEC_JSON_MAX_DEPTH)
        return mdec__json_fail(j, j->pos, MDEC_E_SYNTAX, "containers nest deeper than 64 levels",
                               MDEC_JSON_NOPOS, "");
    j->pos++;
    j->depth++;
    it->first = 1;
    return 0;
}

/* 1 when another element or member follows (a member's name and ':' are
 * read into key), 0 at the closing bracket, -1 on error. */
int mdec__json_next(struct mdec_json *j, char close, struct mdec_jit *it, struct mdec_jspan *key)
{
    const int c = mdec__json_peek(j);
    if (c == close) { /* an empty container, or the end after a value */
        j->pos++;
        j->depth--;
        return 0;
    }
    if (!it->first) {
        if (c != ',')
            return mdec__json_expected(j, close == '}' ? "',' or '}'" : "',' or ']'");
        j->pos++;
    }
    it->first = 0;
    if (close == '}')
        return lex_key(j, key) ? -1 : 1;
    if (mdec__json_peek(j) == ']')
        return mdec__json_expected(j, "a value after ','");
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

static void jdec_init(struct jdec *d, const struct mdec_json *j, const struct mdec_jspan *sp)
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
size_t mdec__json_decode(const struct mdec_json *j, const struct mdec_jspan *sp, char *out,
                         size_t cap)
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

int mdec__json_eq(const struct mdec_json *j, const struct mdec_jspan *sp, const char *s, size_t n)
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

int mdec__json_eqs(const struct mdec_json *j, const struct mdec_jspan *sp, const char *s)
{
    return mdec__json_eq(j, sp, s, strlen(s));
}

int mdec__json_eq_spans(const struct mdec_json *j, const struct mdec_jspan *a,
                        const struct mdec_jspan *b)
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

int mdec__json_string(struct mdec_json *j, struct mdec_jspan *sp)
{
    if (mdec__json_peek(j) != '"')
        return mdec__json_expected(j, "a string");
    return lex_string(j, sp);
}

int mdec__json_is_null(struct mdec_json *j)
{
    if (mdec__json_peek(j) == 'n' && j->n - j->pos >= 4 && memcmp(j->s + j->pos, "null", 4) == 0) {
        j->pos += 4;
        return 1;
    }
    return 0;
}

/* An integer lo..hi; what says what is expected ("an integer from 1 to
 * 32766").  *at gets the value's position. */
int mdec__json_int(struct mdec_json *j, uint32_t lo, uint32_t hi, const char *what, uint32_t *v,
                   size_t *at)
{
    const int c = mdec__json_peek(j);
    *at = j->pos;
    if (c != '-' && !is_digit(c))
        return mdec__json_expected(j, what);
    struct mdec_jnum num;
    if (lex_number(j, &num))
        return -1;
    if (!num.is_int || (num.neg && num.v) || num.v < lo || num.v > hi) {
        j->pos = num.at;
        return mdec__json_expected(j, what);
    }
    *v = (uint32_t)num.v;
    return 0;
}

/* ------------------------------------------------------------ members */

int mdec__json_twice(struct mdec_json *j, const struct mdec_jspan *key)
{
    return mdec__json_fail(j, key->at, MDEC_E_SYNTAX, "", key->at, " appears twice in the object");
}

int mdec__json_members(struct mdec_json *j, const struct mdec_jmember *m, size_t n, void *ctx,
                       unsigned *seen)
{
    struct mdec_jit it;
    struct mdec_jspan key;
    int rc;
    if (mdec__json_open(j, '{', &it))
        return -1;
    while ((rc = mdec__json_next(j, '}', &it, &key)) > 0) {
        size_t k = 0;
        while (k < n && !mdec__json_eqs(j, &key, m[k].name))
            k++;
        if (k == n) {
            if (mdec__json_skip(j))
                return -1;
            continue;
        }
        if ((m[k].flags & MDEC_JM_ONCE) && (*seen & (1u << k)))
            return mdec__json_twice(j, &key);
        *seen |= 1u << k;
        if (m[k].flags & MDEC_JM_PATH)
            mdec__json_push(j, m[k].name);
        (void)mdec__json_peek(j);
        if (m[k].read(j, ctx, &key))
            return -1;
        if (m[k].flags & MDEC_JM_PATH)
            mdec__json_pop(j);
    }
    return rc;
}

int mdec__json_elements(struct mdec_json *j, mdec_jmember_fn read, void *ctx)
{
    struct mdec_jit it;
    int rc;
    uint32_t i = 0;
    if (mdec__json_open(j, '[', &it))
        return -1;
    while ((rc = mdec__json_next(j, ']', &it, NULL)) > 0) {
        mdec__json_index(j, i++);
        if (read(j, ctx, NULL))
            return -1;
    }
    mdec__json_unindex(j);
    return rc;
}

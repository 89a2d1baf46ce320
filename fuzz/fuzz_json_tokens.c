/*
 * fuzz_json_tokens.c - the JSON tokenizer of src/filter/json.h on its own,
 * against a model.
 *
 * Input: byte 0 the containers already open around the value (b % 65, as
 * if the structured walk had opened them: the tokens may nest 64 minus
 * that deep); the rest is the document, handed over in an exactly sized
 * heap buffer without a terminating NUL.
 *
 * Checks:
 *   - the document is tokenized exactly when an independent recognizer of
 *     RFC 8259 (below, written from the grammar, sharing no code) accepts
 *     it with the same depth limit, and into as many tokens as it counts;
 *   - every token lies inside the text, after the one before, with only
 *     whitespace, ',' and ':' between them; its depth is the model's and
 *     never above 64; strings are quoted and decode to at most their raw
 *     length; a number's raw text, sign, kind and value are the model's;
 *     a literal is its word;
 *   - the tokens re-serialised (raw, and with every string decoded and
 *     escaped again canonically) tokenize again to the same kinds, the
 *     same decoded strings and the same numbers;
 *   - an error is MDEC_E_SYNTAX with a message, and its line and column
 *     name a byte inside the text (or just past its end), at or after the
 *     end of the last token.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "json.h"

/* ---------------------------------------------------------------- model */

struct model {
    const uint8_t *s;
    size_t n, i;
    unsigned limit; /* containers that may open */
    size_t tokens;
};

static int m_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int m_peek(struct model *m)
{
    while (m->i < m->n && m_ws(m->s[m->i]))
        m->i++;
    return m->i < m->n ? m->s[m->i] : -1;
}

static int m_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* string = '"' *char '"'; m->i on the quote. */
static int m_string(struct model *m)
{
    m->i++;
    while (m->i < m->n) {
        const int c = m->s[m->i++];
        if (c == '"') {
            m->tokens++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c != '\\')
            continue;
        if (m->i >= m->n)
            return 0;
        const int e = m->s[m->i++];
        if (e == 'u') {
            for (int k = 0; k < 4; k++)
                if (m->i >= m->n || !m_hex(m->s[m->i++]))
                    return 0;
        } else if (!strchr("\"\\/bfnrt", e) || e == 0) {
            return 0;
        }
    }
    return 0;
}

static size_t m_digits(struct model *m)
{
    const size_t from = m->i;
    while (m->i < m->n && m->s[m->i] >= '0' && m->s[m->i] <= '9')
        m->i++;
    return m->i - from;
}

/* number = [ '-' ] int [ frac ] [ exp ] */
static int m_number(struct model *m)
{
    if (m->s[m->i] == '-')
        m->i++;
    if (m->i >= m->n || m->s[m->i] < '0' || m->s[m->i] > '9')
        return 0;
    if (m->s[m->i] == '0')
        m->i++;
    else
        (void)m_digits(m);
    if (m->i < m->n && m->s[m->i] == '.') {
        m->i++;
        if (m_digits(m) == 0)
            return 0;
    }
    if (m->i < m->n && (m->s[m->i] == 'e' || m->s[m->i] == 'E')) {
        m->i++;
        if (m->i < m->n && (m->s[m->i] == '+' || m->s[m->i] == '-'))
            m->i++;
        if (m_digits(m) == 0)
            return 0;
    }
    m->tokens++;
    return 1;
}

static int m_scalar(struct model *m, int c)
{
    static const char *const words[] = {"true", "false", "null"};
    if (c == '"')
        return m_string(m);
    if (c == '-' || (c >= '0' && c <= '9'))
        return m_number(m);
    for (int k = 0; k < 3; k++) {
        const size_t len = strlen(words[k]);
        if (m->n - m->i >= len && memcmp(m->s + m->i, words[k], len) == 0) {
            m->i += len;
            m->tokens++;
            return 1;
        }
    }
    return 0;
}

/* 1 when s[0..n) holds one value, then only whitespace. */
static int model_accepts(struct model *m)
{
    char stack[64];
    unsigned sp = 0;
    for (;;) {
        int c = m_peek(m); /* a value is due */
        if (c == '{' || c == '[') {
            if (sp >= m->limit)
                return 0;
            stack[sp++] = (char)c;
            m->i++;
            m->tokens++;
            const int d = m_peek(m);
            if (d == (c == '{' ? '}' : ']')) {
                m->i++;
                m->tokens++;
                sp--;
            } else if (c == '{') {
                if (d != '"' || !m_string(m) || m_peek(m) != ':')
                    return 0;
                m->i++;
                continue;
            } else {
                continue;
            }
        } else if (c < 0 || !m_scalar(m, c)) {
            return 0;
        }
        for (;;) { /* a value ended */
            if (sp == 0)
                return m_peek(m) < 0;
            const int d = m_peek(m);
            if (d == ',') {
                m->i++;
                if (stack[sp - 1] == '{') {
                    if (m_peek(m) != '"' || !m_string(m) || m_peek(m) != ':')
                        return 0;
                    m->i++;
                }
                break;
            }
            if (d != (stack[sp - 1] == '{' ? '}' : ']'))
                return 0;
            m->i++;
            m->tokens++;
            sp--;
        }
    }
}

/* The model's decoding of a string's raw content s[0..n) (escapes valid):
 * into out, which has room for n bytes; returns the length.  \uXXXX is
 * UTF-8, a surrogate pair one code point, a lone surrogate as it is. */
static unsigned m_hexval(char c)
{
    return (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
}

static unsigned m_u4(const char *s)
{
    return m_hexval(s[0]) << 12 | m_hexval(s[1]) << 8 | m_hexval(s[2]) << 4 | m_hexval(s[3]);
}

static size_t m_decode(const char *s, size_t n, char *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            out[o++] = s[i++];
            continue;
        }
        if (s[i + 1] != 'u') {
            out[o++] = to[strchr(from, s[i + 1]) - from];
            i += 2;
            continue;
        }
        unsigned cp = m_u4(s + i + 2);
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u' &&
            m_u4(s + i + 2) >= 0xDC00 && m_u4(s + i + 2) <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (m_u4(s + i + 2) - 0xDC00);
            i += 6;
        }
        if (cp < 0x80) {
            out[o++] = (char)cp;
        } else if (cp < 0x800) {
            out[o++] = (char)(0xC0 | cp >> 6);
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[o++] = (char)(0xE0 | cp >> 12);
            out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | cp >> 18);
            out[o++] = (char)(0x80 | (cp >> 12 & 0x3F));
            out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    return o;
}

/* ------------------------------------------------------------ tokenizing */

struct toks {
    struct mdec_jtok *t;
    size_t n;
    int rc; /* 0: complete document, else the error */
    struct mdec_parse_error e;
};

/* Tokens of text[0..n) into out->t (malloc'ed: every token takes a byte
 * at least, so n + 1 of them is room enough). */
static void tokenize(const char *text, size_t n, unsigned base, struct toks *out)
{
    struct mdec_json j;
    struct mdec_jtokens w;
    mdec__json_init(&j, text, n);
    mdec__json_rewind(&j);
    j.depth = base;
    mdec__json_walk_begin(&w);
    out->t = fuzz_malloc(sizeof *out->t * (n + 1));
    out->n = 0;
    int r;
    while ((r = mdec__json_token(&j, &w, &out->t[out->n])) > 0)
        FUZZ_CHECK(++out->n <= n);
    FUZZ_CHECK((r < 0) == (j.rc != 0));
    if (r == 0)
        (void)mdec__json_end(&j);
    out->rc = j.rc;
    out->e = j.e;
}

static size_t decoded(const char *text, size_t n, const struct mdec_jspan *sp, char *buf,
                      size_t cap)
{
    struct mdec_json j;
    mdec__json_init(&j, text, n);
    const size_t len = mdec__json_decode(&j, sp, buf, cap);
    FUZZ_CHECK(len <= sp->n); /* decoding never makes a string longer */
    return len;
}

/* Appends a token to out at *len, with the ',' or ':' it needs; strings
 * raw (canon 0) or decoded and escaped again (canon 1). */
static void put_token(char *out, size_t *len, const char *text, size_t n, const struct mdec_jtok *t,
                      int *after_value, int canon)
{
    const int opens = t->kind == MDEC_JT_OBJ || t->kind == MDEC_JT_ARR;
    const int closes = t->kind == MDEC_JT_OBJ_END || t->kind == MDEC_JT_ARR_END;
    if (*after_value && !closes)
        out[(*len)++] = ',';
    if ((t->kind == MDEC_JT_KEY || t->kind == MDEC_JT_STRING) && canon) {
        char *dec = fuzz_malloc(t->str.n + 1);
        const size_t dn = decoded(text, n, &t->str, dec, t->str.n);
        out[(*len)++] = '"';
        for (size_t i = 0; i < dn; i++) {
            const unsigned char c = (unsigned char)dec[i];
            if (c == '"' || c == '\\') {
                out[(*len)++] = '\\';
                out[(*len)++] = (char)c;
            } else if (c < 0x20) {
                static const char hex[] = "0123456789abcdef";
                memcpy(out + *len, "\\u00", 4);
                out[*len + 4] = hex[c >> 4];
                out[*len + 5] = hex[c & 15];
                *len += 6;
            } else {
                out[(*len)++] = (char)c;
            }
        }
        out[(*len)++] = '"';
        free(dec);
    } else {
        memcpy(out + *len, text + t->at, t->len);
        *len += t->len;
    }
    if (t->kind == MDEC_JT_KEY)
        out[(*len)++] = ':';
    *after_value = !opens && t->kind != MDEC_JT_KEY;
}

/* Two token lists agree: kinds, depths, decoded strings, number texts. */
static void check_same(const char *a, size_t an, const struct toks *ta, const char *b, size_t bn,
                       const struct toks *tb)
{
    FUZZ_CHECK(tb->rc == 0 && tb->n == ta->n);
    for (size_t k = 0; k < ta->n; k++) {
        const struct mdec_jtok *x = &ta->t[k], *y = &tb->t[k];
        FUZZ_CHECK(x->kind == y->kind && x->depth == y->depth);
        if (x->kind == MDEC_JT_KEY || x->kind == MDEC_JT_STRING) {
            char *dx = fuzz_malloc(x->str.n + 1), *dy = fuzz_malloc(y->str.n + 1);
            const size_t nx = decoded(a, an, &x->str, dx, x->str.n);
            const size_t ny = decoded(b, bn, &y->str, dy, y->str.n);
            FUZZ_CHECK(nx == ny && memcmp(dx, dy, nx) == 0);
            free(dx);
            free(dy);
        } else {
            FUZZ_CHECK(x->len == y->len && memcmp(a + x->at, b + y->at, x->len) == 0);
        }
        if (x->kind == MDEC_JT_NUMBER)
            FUZZ_CHECK(x->num.is_int == y->num.is_int && x->num.neg == y->num.neg &&
                       x->num.v == y->num.v);
    }
}

static void check_reserialised(const char *text, size_t n, unsigned base, const struct toks *tk,
                               int canon)
{
    char *out = fuzz_malloc(8 * n + 16);
    size_t len = 0;
    int after_value = 0;
    for (size_t k = 0; k < tk->n; k++)
        put_token(out, &len, text, n, &tk->t[k], &after_value, canon);
    FUZZ_CHECK(len <= 8 * n + 16);
    struct toks again;
    tokenize(out, len, base, &again);
    check_same(text, n, tk, out, len, &again);
    free(again.t);
    free(out);
}

/* ---------------------------------------------------------- per token */

static void check_number(const char *text, const struct mdec_jtok *t)
{
    const char *s = text + t->at;
    FUZZ_CHECK(t->num.at == t->at);
    FUZZ_CHECK(t->num.neg == (s[0] == '-'));
    int is_int = 1;
    uint64_t v = 0;
    for (size_t i = t->num.neg ? 1u : 0u; i < t->len; i++) {
        if (s[i] == '.' || s[i] == 'e' || s[i] == 'E')
            is_int = 0;
        if (is_int) {
            FUZZ_CHECK(s[i] >= '0' && s[i] <= '9');
            v = v * 10 + (uint64_t)(s[i] - '0');
            if (v > MDEC_JNUM_BIG)
                v = MDEC_JNUM_BIG;
        }
    }
    FUZZ_CHECK(t->num.is_int == is_int);
    FUZZ_CHECK(t->num.v == v);
}

/* The library decodes a string as the model does. */
static void check_decoding(const char *text, size_t n, const struct mdec_jtok *t)
{
    char *lib = fuzz_malloc(t->str.n + 1), *model = fuzz_malloc(t->str.n + 1);
    const size_t ln = decoded(text, n, &t->str, lib, t->str.n);
    const size_t mn = m_decode(text + t->at + 1, t->str.n, model);
    if (ln != mn || memcmp(lib, model, ln) != 0)
        fuzz_fail("string at %zu decodes to %zu bytes, the model's to %zu", t->at, ln, mn);
    struct mdec_json j;
    mdec__json_init(&j, text, n);
    FUZZ_CHECK(mdec__json_eq(&j, &t->str, model, mn));
    free(lib);
    free(model);
}

static void check_token(const char *text, size_t n, const struct mdec_jtok *t, size_t prev_end,
                        unsigned depth)
{
    FUZZ_CHECK(t->len >= 1 && t->at >= prev_end && t->at + t->len <= n);
    for (size_t i = prev_end; i < t->at; i++)
        FUZZ_CHECK(strchr(" \t\r\n,:", text[i]) && text[i] != '\0');
    FUZZ_CHECK(t->depth == depth && t->depth <= MDEC_JSON_MAX_DEPTH);
    static const char *const lit[] = {
        [MDEC_JT_TRUE] = "true", [MDEC_JT_FALSE] = "false", [MDEC_JT_NULL] = "null"};
    switch (t->kind) {
    case MDEC_JT_OBJ:
    case MDEC_JT_OBJ_END:
    case MDEC_JT_ARR:
    case MDEC_JT_ARR_END:
        FUZZ_CHECK(t->len == 1 && text[t->at] == "{}[]"[t->kind - MDEC_JT_OBJ]);
        break;
    case MDEC_JT_KEY:
    case MDEC_JT_STRING:
        FUZZ_CHECK(t->str.at == t->at && t->len == t->str.n + 2);
        FUZZ_CHECK(text[t->at] == '"' && text[t->at + t->len - 1] == '"');
        FUZZ_CHECK(t->str.esc == (memchr(text + t->at + 1, '\\', t->str.n) != NULL));
        check_decoding(text, n, t);
        break;
    case MDEC_JT_NUMBER:
        check_number(text, t);
        break;
    case MDEC_JT_TRUE:
    case MDEC_JT_FALSE:
    case MDEC_JT_NULL:
        FUZZ_CHECK(t->len == strlen(lit[t->kind]) &&
                   memcmp(text + t->at, lit[t->kind], t->len) == 0);
        break;
    default:
        fuzz_fail("token %zu: unknown kind %d", t->at, (int)t->kind);
    }
}

static void check_error(const char *text, size_t n, const struct toks *tk, size_t last_end)
{
    FUZZ_CHECK(tk->rc == MDEC_E_SYNTAX);
    FUZZ_CHECK(memchr(tk->e.message, '\0', sizeof tk->e.message) != NULL);
    FUZZ_CHECK(tk->e.message[0] != '\0');
    /* line and column back to an offset: inside the text or just past it */
    FUZZ_CHECK(tk->e.line >= 1 && tk->e.column >= 1);
    size_t start = 0;
    for (uint32_t l = 1; l < tk->e.line; l++) {
        const char *nl = memchr(text + start, '\n', n - start);
        if (!nl)
            fuzz_fail("error on line %u, the text has %u lines", tk->e.line, l);
        start = (size_t)(nl - text) + 1;
    }
    const char *nl = memchr(text + start, '\n', n - start);
    const size_t line_len = (nl ? (size_t)(nl - text) : n) - start;
    FUZZ_CHECK(tk->e.column <= line_len + 1);
    FUZZ_CHECK(start + tk->e.column - 1 >= last_end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    const unsigned base = fuzz_u8(&in) % (MDEC_JSON_MAX_DEPTH + 1);
    char *text = fuzz_malloc(in.n ? in.n : 1);
    memcpy(text, in.p, in.n);
    const size_t n = in.n;

    struct toks tk;
    tokenize(text, n, base, &tk);

    /* a UTF-8 byte order mark is skipped */
    const size_t bom = n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    struct model m = {(const uint8_t *)text, n, bom, MDEC_JSON_MAX_DEPTH - base, 0};
    const int valid = model_accepts(&m);
    if (valid != (tk.rc == 0))
        fuzz_fail("the model %s the document, the tokenizer %s it", valid ? "accepts" : "refuses",
                  tk.rc ? "refuses" : "accepts");

    size_t end = bom;
    unsigned depth = base;
    for (size_t k = 0; k < tk.n; k++) {
        const struct mdec_jtok *t = &tk.t[k];
        depth += t->kind == MDEC_JT_OBJ || t->kind == MDEC_JT_ARR;
        depth -= t->kind == MDEC_JT_OBJ_END || t->kind == MDEC_JT_ARR_END;
        check_token(text, n, t, end, depth);
        end = t->at + t->len;
    }
    if (tk.rc) {
        check_error(text, n, &tk, end);
    } else {
        FUZZ_CHECK(depth == base && tk.n == m.tokens);
        check_reserialised(text, n, base, &tk, 0);
        check_reserialised(text, n, base, &tk, 1);
    }
    free(tk.t);
    free(text);
    return 0;
}

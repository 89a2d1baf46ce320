/*
 * json.h - a small RFC 8259 JSON tokenizer and reader that allocates
 * nothing and never recurses (json.c).  Never installed; the AWS filter
 * importer (filter_json.c) is its user, fuzz_json_tokens its fuzz target.
 *
 * A struct mdec_json reads one document from the caller's text[0..n),
 * which need not be NUL-terminated and is only read, never past n.  Two
 * ways to walk it, which may be mixed:
 *
 *   - token by token (mdec__json_token): the grammar is checked as the
 *     tokens come (',' and ':' are consumed, never returned);
 *   - by structure: mdec__json_open / mdec__json_next walk an object's
 *     members or an array's elements, mdec__json_string / _int / _is_null
 *     read values, mdec__json_skip skips a value of any kind (through
 *     the tokens).
 *
 * Containers nest at most MDEC_JSON_MAX_DEPTH deep.  The first error is
 * kept (rc, e): line and column count bytes from 1 and point at the byte
 * where the text goes wrong; the message starts with the path the caller
 * pushed (TrafficMirrorFilters[0].IngressFilterRules[2]: ) and names what
 * was expected and what was found.  Every function returns -1 after an
 * error; only the first one is recorded.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_JSON_H
#define MDEC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "text.h"

#define MDEC_JSON_MAX_DEPTH 64
#define MDEC_JSON_NOPOS     ((size_t)-1)
#define MDEC_JSON_PATH_MAX  6u

/* A string token: s[at] is its opening quote, raw content s[at+1 ..+n). */
struct mdec_jspan {
    size_t at, n;
    int esc; /* holds a backslash */
};

/* A number token: text[at ..); integers saturate at MDEC_JNUM_BIG. */
struct mdec_jnum {
    size_t at;
    int is_int, neg;
    uint64_t v;
};
#define MDEC_JNUM_BIG ((uint64_t)1 << 40)

/* One step of the path errors name: key, and [idx] when has_idx. */
struct mdec_jpath {
    const char *key;
    uint32_t idx;
    int has_idx;
};

struct mdec_json {
    const char *s;
    size_t n, pos;
    unsigned depth; /* containers open in the structured walk */
    int rc;         /* mdec_error of the first failure, 0 before */
    struct mdec_parse_error e;
    struct mdec_jpath path[MDEC_JSON_PATH_MAX];
    unsigned np;
    size_t lc_pos, lc_start; /* line cache: line lc_line starts at lc_start */
    uint32_t lc_line;
};

/* Reads text[0..n) (text may be NULL when n is 0). */
MDEC_HIDDEN void mdec__json_init(struct mdec_json *j, const char *text, size_t n);
/* Back to the start of the text, no container open, empty path (the
 * error, if any, stays); skips a UTF-8 byte order mark. */
MDEC_HIDDEN void mdec__json_rewind(struct mdec_json *j);

/* ------------------------------------------------------------- tokens */

enum mdec_jtok_kind {
    MDEC_JT_OBJ = 1, /* '{' */
    MDEC_JT_OBJ_END, /* '}' */
    MDEC_JT_ARR,     /* '[' */
    MDEC_JT_ARR_END, /* ']' */
    MDEC_JT_KEY,     /* a member name (its ':' consumed): str */
    MDEC_JT_STRING,  /* str */
    MDEC_JT_NUMBER,  /* num */
    MDEC_JT_TRUE,
    MDEC_JT_FALSE,
    MDEC_JT_NULL
};

struct mdec_jtok {
    enum mdec_jtok_kind kind;
    size_t at, len; /* the token's bytes: text[at .. at + len) */
    unsigned depth; /* containers open after it (structured walk's too) */
    struct mdec_jspan str;
    struct mdec_jnum num;
};

/* Where a token walk of one value stands. */
struct mdec_jtokens {
    uint64_t is_obj; /* bit k: container k of this walk is an object */
    unsigned sp;     /* containers this walk opened and not yet closed */
    int state;
};

/* Starts a token walk over the value that comes next. */
MDEC_HIDDEN void mdec__json_walk_begin(struct mdec_jtokens *t);

/* The next token of the value: 1 and *tok filled, 0 once the value is
 * complete (nothing read), -1 on error. */
MDEC_HIDDEN int mdec__json_token(struct mdec_json *j, struct mdec_jtokens *t,
                                 struct mdec_jtok *tok);

/* Skips one value of any kind, checking its syntax. */
MDEC_HIDDEN int mdec__json_skip(struct mdec_json *j);

/* 0 when only whitespace is left, else -1 ("unexpected text after the
 * JSON document"). */
MDEC_HIDDEN int mdec__json_end(struct mdec_json *j);

/* ---------------------------------------------------------- structure */

struct mdec_jit {
    int first;
};

/* The next significant byte, or -1 at the end (j->pos is then on it). */
MDEC_HIDDEN int mdec__json_peek(struct mdec_json *j);
/* Opens an object (c '{') or an array (c '['). */
MDEC_HIDDEN int mdec__json_open(struct mdec_json *j, char c, struct mdec_jit *it);
/* 1 when another element or member follows (a member's name and ':' are
 * read into key), 0 at the closing bracket (close: '}' or ']'). */
MDEC_HIDDEN int mdec__json_next(struct mdec_json *j, char close, struct mdec_jit *it,
                                struct mdec_jspan *key);
/* A string value. */
MDEC_HIDDEN int mdec__json_string(struct mdec_json *j, struct mdec_jspan *sp);
/* 1 (and consumed) when a null comes next, else 0. */
MDEC_HIDDEN int mdec__json_is_null(struct mdec_json *j);
/* An integer lo..hi; what says what is expected ("an integer from 1 to
 * 32766").  *at gets the value's position. */
MDEC_HIDDEN int mdec__json_int(struct mdec_json *j, uint32_t lo, uint32_t hi, const char *what,
                               uint32_t *v, size_t *at);

/* ------------------------------------------------------------ members */

/* A member handler reads the member's value (j->pos on its first byte);
 * ctx is the caller's.  0, or -1 after an error. */
typedef int (*mdec_jmember_fn)(struct mdec_json *j, void *ctx, const struct mdec_jspan *key);

enum {
    MDEC_JM_ONCE = 1, /* a second member of that name is an error */
    MDEC_JM_PATH = 2  /* errors in the value name the member in their path */
};

/* One row of a member table: name -> handler. */
struct mdec_jmember {
    const char *name;
    unsigned flags; /* MDEC_JM_* */
    mdec_jmember_fn read;
};

/*
 * Reads an object: each member whose name is in m[0..n) (n <= 32) by its
 * handler, the others skipped.  Bit k of *seen is set when member m[k] was
 * read (a handler may clear its own bit: null counts as absent).
 */
MDEC_HIDDEN int mdec__json_members(struct mdec_json *j, const struct mdec_jmember *m, size_t n,
                                   void *ctx, unsigned *seen);
/* Reads an array, each element by read (key NULL; the element's index is
 * set on the path's last step, and cleared at the end). */
MDEC_HIDDEN int mdec__json_elements(struct mdec_json *j, mdec_jmember_fn read, void *ctx);
/* "KEY appears twice in the object", at the key.  Returns -1. */
MDEC_HIDDEN int mdec__json_twice(struct mdec_json *j, const struct mdec_jspan *key);

/* ------------------------------------------------------------ strings */

/* Decodes a string token into out (cap bytes, not terminated; \u escapes
 * as UTF-8); returns the full decoded length. */
MDEC_HIDDEN size_t mdec__json_decode(const struct mdec_json *j, const struct mdec_jspan *sp,
                                     char *out, size_t cap);
/* 1 when the decoded string equals s[0..n), or the C string s. */
MDEC_HIDDEN int mdec__json_eq(const struct mdec_json *j, const struct mdec_jspan *sp, const char *s,
                              size_t n);
MDEC_HIDDEN int mdec__json_eqs(const struct mdec_json *j, const struct mdec_jspan *sp,
                               const char *s);
/* 1 when two string tokens decode to the same bytes. */
MDEC_HIDDEN int mdec__json_eq_spans(const struct mdec_json *j, const struct mdec_jspan *a,
                                    const struct mdec_jspan *b);

/* ------------------------------------------------------------- errors */

/* The line of byte at. */
MDEC_HIDDEN uint32_t mdec__json_line(struct mdec_json *j, size_t at);
/* Records the first error, at byte at: "PATH: " a, what the text holds
 * at `found` (unless MDEC_JSON_NOPOS), then z.  Returns -1. */
MDEC_HIDDEN int mdec__json_fail(struct mdec_json *j, size_t at, int rc, const char *a, size_t found,
                                const char *z);
/* "expected WHAT, found X" at the current position.  Returns -1. */
MDEC_HIDDEN int mdec__json_expected(struct mdec_json *j, const char *what);
/* The path: push a member name, set or clear the last step's index, pop. */
MDEC_HIDDEN void mdec__json_push(struct mdec_json *j, const char *key);
MDEC_HIDDEN void mdec__json_pop(struct mdec_json *j);
MDEC_HIDDEN void mdec__json_index(struct mdec_json *j, uint32_t idx);
MDEC_HIDDEN void mdec__json_unindex(struct mdec_json *j);
/* A byte for a message: printable ASCII as is, others as \xNN. */
MDEC_HIDDEN void mdec__json_sb_byte(struct sbuf *b, unsigned char c);
/* The raw text of a string token, in double quotes, cut after 40 bytes. */
MDEC_HIDDEN void mdec__json_sb_span(struct sbuf *b, const struct mdec_json *j,
                                    const struct mdec_jspan *sp);

#endif /* MDEC_JSON_H */

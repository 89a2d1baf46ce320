/*
 * filter_json.c - mdec_filter_parse_aws_json(): the AWS schema of the
 * documents that `aws ec2 describe-traffic-mirror-filters` and its siblings
 * print, read with the JSON reader of json.h, without allocating.
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
 * Every object is read by one walker, mdec__json_members() (json.h), from
 * a table of member name -> handler: a member named twice is an error,
 * members not in the table are skipped.  Filter and rule objects are read
 * by filter_json_rule.c.  The document is walked up to three times:
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

#include "filter_json.h"

/* ---------------------------------------------------------------- survey */

static const char *const shape_keys[N_SHAPES] = {
    NULL, "TrafficMirrorFilters", "TrafficMirrorFilter", "TrafficMirrorFilterRules", NULL};

/* The first key of each shape, and where its value starts. */
static void record_shape(struct mdec_json *j, struct jctx *c, enum shape s,
                         const struct mdec_jspan *key)
{
    if (c->shape_at[s] != NOPOS)
        return;
    c->shape_at[s] = mdec__json_peek(j) < 0 ? j->n : j->pos;
    c->shape_key[s] = key->at;
}

/* A TrafficMirrorFilterId during the survey: c->fid, c->id_matches. */
static int survey_id(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct jctx *c = ctx;
    (void)key;
    if (mdec__json_string(j, &c->fid))
        return -1;
    c->has_id = 1;
    c->id_matches = c->id && mdec__json_eq(j, &c->fid, c->id, c->id_len);
    return 0;
}

static const struct mdec_jmember survey_filter_members[] = {
    {"TrafficMirrorFilterId", MDEC_JM_ONCE | MDEC_JM_PATH, survey_id},
};

/* A filter object during the survey: its id only. */
static int survey_filter(struct mdec_json *j, struct jctx *c)
{
    unsigned seen = 0;
    c->has_id = c->id_matches = 0;
    return mdec__json_members(j, survey_filter_members, 1, c, &seen);
}

/* One element of TrafficMirrorFilters. */
static int survey_element(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct jctx *c = ctx;
    (void)key;
    if (mdec__json_peek(j) != '{') {
        c->n_filters++;
        return mdec__json_skip(j);
    }
    if (survey_filter(j, c))
        return -1;
    if (c->has_id && c->n_ids < 2)
        c->ids[c->n_ids] = c->fid;
    c->n_ids += c->has_id != 0;
    if (c->id_matches && c->selected >= 0) {
        mdec__json_push(j, "TrafficMirrorFilterId");
        return mdec__json_fail(j, c->fid.at, MDEC_E_INVALID, "a second filter has the id ",
                               c->fid.at, "");
    }
    if (c->id_matches)
        c->selected = c->n_filters;
    c->n_filters++;
    return 0;
}

static int survey_list(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    record_shape(j, ctx, SHAPE_LIST, key);
    return mdec__json_elements(j, survey_element, ctx);
}

static int survey_wrap(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct jctx *c = ctx;
    record_shape(j, c, SHAPE_WRAP, key);
    if (survey_filter(j, c))
        return -1;
    c->one_has_id = c->has_id;
    c->one_id = c->fid;
    c->one_id_matches = c->id_matches;
    return 0;
}

static int survey_rules(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    record_shape(j, ctx, SHAPE_RULES, key);
    return mdec__json_skip(j);
}

/* A member of a bare filter at the top. */
static int survey_bare(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    record_shape(j, ctx, SHAPE_BARE, key);
    return mdec__json_skip(j);
}

static int survey_bare_id(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct jctx *c = ctx;
    record_shape(j, c, SHAPE_BARE, key);
    if (c->one_has_id) /* this one, or TrafficMirrorFilter's */
        return mdec__json_twice(j, key);
    mdec__json_push(j, "TrafficMirrorFilterId");
    if (survey_id(j, c, key))
        return -1;
    mdec__json_pop(j);
    c->one_has_id = 1;
    c->one_id = c->fid;
    c->one_id_matches = c->id_matches;
    return 0;
}

static int survey_next_token(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    (void)key;
    ((struct jctx *)ctx)->next_token = mdec__json_peek(j) == '"';
    return mdec__json_skip(j);
}

static const struct mdec_jmember top_members[] = {
    {"TrafficMirrorFilters", MDEC_JM_ONCE | MDEC_JM_PATH, survey_list},
    {"TrafficMirrorFilter", MDEC_JM_ONCE | MDEC_JM_PATH, survey_wrap},
    {"TrafficMirrorFilterRules", MDEC_JM_ONCE, survey_rules},
    {"IngressFilterRules", 0, survey_bare},
    {"EgressFilterRules", 0, survey_bare},
    {"NetworkServices", 0, survey_bare},
    {"TrafficMirrorFilterId", 0, survey_bare_id},
    {"NextToken", 0, survey_next_token},
};

/* The document's shape: exactly one, told from the shapes' first keys. */
static int decide_shape(struct mdec_json *j, struct jctx *c, size_t top)
{
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
        return mdec__json_fail(j, top, MDEC_E_SYNTAX,
                               "expected TrafficMirrorFilters, TrafficMirrorFilterRules, or the "
                               "IngressFilterRules/EgressFilterRules of a filter, found none of "
                               "them",
                               NOPOS, "");
    if (second != SHAPE_NONE) {
        static const char *const kinds[N_SHAPES] = {
            NULL, " cannot be read together with TrafficMirrorFilters",
            " cannot be read together with TrafficMirrorFilter",
            " cannot be read together with TrafficMirrorFilterRules",
            " cannot be read together with the rules of a bare filter"};
        /* first and second are ordered by key position: second is later */
        const size_t at = c->shape_key[second];
        return mdec__json_fail(j, at, MDEC_E_SYNTAX, "", at, kinds[first]);
    }
    c->shape = (enum shape)first;
    return 0;
}

static int survey(struct mdec_json *j, struct jctx *c)
{
    unsigned seen = 0;
    mdec__json_rewind(j);
    if (mdec__json_peek(j) != '{')
        return mdec__json_expected(
            j, "a JSON object (the output of aws ec2 describe-traffic-mirror-filters)");
    const size_t top = j->pos;
    if (mdec__json_members(j, top_members, sizeof top_members / sizeof top_members[0], c, &seen) ||
        mdec__json_end(j))
        return -1;
    return decide_shape(j, c, top);
}

/* -------------------------------------------------------------- choosing */

/* "no filter has TrafficMirrorFilterId "ID"" */
static void no_filter_has(struct sbuf *b, const struct jctx *c)
{
    mdec__sb_str(b, "no filter has TrafficMirrorFilterId \"");
    for (size_t i = 0; i < c->id_len && i < 40; i++)
        mdec__json_sb_byte(b, (unsigned char)c->id[i]);
    mdec__sb_char(b, '"');
}

/* TrafficMirrorFilters: the filter with the id asked for, or the only one. */
static int choose_in_list(struct mdec_json *j, struct jctx *c)
{
    char a[150];
    struct sbuf b;
    mdec__sb_init(&b, a, sizeof a);
    const size_t at = c->shape_at[SHAPE_LIST];
    mdec__json_push(j, "TrafficMirrorFilters");
    if (c->id && c->selected < 0) {
        no_filter_has(&b, c);
        mdec__sb_str(&b, " (the document holds ");
        mdec__sb_u64(&b, c->n_filters);
        mdec__sb_str(&b, c->n_filters == 1 ? " filter" : " filters");
        mdec__sb_str(&b, c->next_token ? "; NextToken says more are on another page)" : ")");
        (void)mdec__sb_done(&b);
        return mdec__json_fail(j, at, MDEC_E_NOTFOUND, a, NOPOS, "");
    }
    if (!c->id && c->n_filters != 1) {
        mdec__sb_str(&b, "the document holds ");
        if (c->n_filters == 0) {
            mdec__sb_str(&b, "no filter");
        } else {
            mdec__sb_u64(&b, c->n_filters);
            mdec__sb_str(&b, " filters");
            for (uint32_t i = 0; i < c->n_ids && i < 2; i++) {
                mdec__sb_str(&b, i ? ", " : " (");
                mdec__json_sb_span(&b, j, &c->ids[i]);
            }
            if (c->n_ids)
                mdec__sb_str(&b, c->n_ids > 2 ? ", ...)" : ")");
            mdec__sb_str(&b, ": pass the TrafficMirrorFilterId of the one to import");
        }
        (void)mdec__sb_done(&b);
        return mdec__json_fail(j, at, c->n_filters ? MDEC_E_INVALID : MDEC_E_NOTFOUND, a, NOPOS,
                               "");
    }
    if (!c->id)
        c->selected = 0;
    mdec__json_pop(j);
    return 0;
}

/* The survey found the shape; choose the filter or fail. */
static int choose(struct mdec_json *j, struct jctx *c)
{
    if (c->shape == SHAPE_LIST)
        return choose_in_list(j, c);
    if ((c->shape != SHAPE_WRAP && c->shape != SHAPE_BARE) || !c->id || c->one_id_matches)
        return 0;
    char a[150];
    struct sbuf b;
    mdec__sb_init(&b, a, sizeof a);
    no_filter_has(&b, c);
    if (c->one_has_id) {
        mdec__sb_str(&b, ": the document's filter is ");
        mdec__json_sb_span(&b, j, &c->one_id);
    } else {
        mdec__sb_str(&b, " (the document's filter has no id)");
    }
    (void)mdec__sb_done(&b);
    return mdec__json_fail(j, c->shape == SHAPE_WRAP ? c->shape_at[SHAPE_WRAP] : 0, MDEC_E_NOTFOUND,
                           a, NOPOS, "");
}

/* ------------------------------------------------------------ extracting */

/* One element of TrafficMirrorFilters: the chosen one is read. */
static int extract_element(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct jctx *c = ctx;
    (void)key;
    const uint32_t i = c->n_filters++;
    return (int64_t)i == c->selected ? mdec__aws_filter(j, c) : mdec__json_skip(j);
}

/* The value of the shape's key at the top. */
static int extract_shape(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct jctx *c = ctx;
    (void)key;
    if (c->shape == SHAPE_WRAP)
        return mdec__aws_filter(j, c);
    if (c->shape == SHAPE_RULES)
        return mdec__aws_rules(j, c, 0);
    c->n_filters = 0;
    return mdec__json_elements(j, extract_element, c);
}

/* Pass 2 or 3 over the document. */
static int extract(struct mdec_json *j, struct jctx *c)
{
    mdec__json_rewind(j);
    c->dns = 0;
    c->have_rule_id = 0;
    if (c->shape == SHAPE_BARE)
        return mdec__aws_filter(j, c);
    const struct mdec_jmember shape_member[1] = {
        {shape_keys[c->shape], MDEC_JM_PATH, extract_shape}};
    unsigned seen = 0;
    return mdec__json_members(j, shape_member, 1, c, &seen);
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

/* Two rules with one number among those read (all of them, or those
 * before the error): walk again to stop at the second of them, which
 * comes before any error found so far. */
static void tell_duplicate(struct mdec_json *j, struct jctx *c)
{
    const struct mdec_parse_error first = j->e;
    const int first_rc = j->rc;
    j->rc = 0;
    c->mode = MODE_DUP;
    (void)extract(j, c);
    if (!j->rc && first_rc) { /* cannot happen */
        j->e = first;
        j->rc = first_rc;
    } else if (!j->rc) {
        (void)mdec__json_fail(j, 0, MDEC_E_EXISTS, "two rules share a direction and number", NOPOS,
                              "");
    }
}

int mdec_filter_parse_aws_json(struct mdec_filter *f, const char *json, size_t len,
                               const char *filter_id, struct mdec_parse_error *err)
{
    if (!f || (!json && len)) {
        mdec__perr(err, 0, 0, "invalid argument: no filter, or no JSON text", NULL, 0, "");
        return MDEC_E_INVALID;
    }
    struct mdec_json j;
    struct jctx c;
    mdec__json_init(&j, json, len);
    memset(&c, 0, sizeof c);
    c.f = f;
    c.id = filter_id;
    c.id_len = filter_id ? strlen(filter_id) : 0;
    c.selected = -1;
    c.room = mdec__filter_room(f);
    for (int s = 0; s < N_SHAPES; s++)
        c.shape_at[s] = c.shape_key[s] = NOPOS;

    c.mode = MODE_SURVEY;
    int failed = survey(&j, &c) || choose(&j, &c);
    if (!failed) {
        c.mode = MODE_EXTRACT;
        failed = extract(&j, &c) != 0;
        if (has_duplicates(&c)) {
            tell_duplicate(&j, &c);
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
        (void)mdec_filter_set_options(f, c.dns ? opt | MDEC_FILTER_AMAZON_DNS
                                               : opt & ~(uint32_t)MDEC_FILTER_AMAZON_DNS);
    }
    return 0;
}

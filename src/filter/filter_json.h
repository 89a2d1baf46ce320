/*
 * filter_json.h - what the two halves of the AWS JSON importer share:
 * filter_json.c (the documents: survey, choice of the filter, extraction)
 * and filter_json_rule.c (filter and rule objects).  Never installed.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MDEC_FILTER_JSON_H
#define MDEC_FILTER_JSON_H

#include "filter_int.h"
#include "json.h"

#define NOPOS MDEC_JSON_NOPOS

enum shape { SHAPE_NONE, SHAPE_LIST, SHAPE_WRAP, SHAPE_RULES, SHAPE_BARE, N_SHAPES };
enum mode { MODE_SURVEY, MODE_EXTRACT, MODE_DUP };

struct jctx {
    struct mdec_filter *f;
    const char *id; /* filter id asked for, or NULL */
    size_t id_len;
    enum shape shape;
    enum mode mode;
    uint32_t room, k;          /* scratch slots: available, used */
    int dns;                   /* NetworkServices holds amazon-dns */
    int have_rule_id;          /* rules form without an id asked for: */
    struct mdec_jspan rule_id; /* the filter id the rules name */
    /* survey */
    uint32_t n_filters;
    int64_t selected;
    struct mdec_jspan ids[2];
    uint32_t n_ids;
    int next_token;
    size_t shape_at[N_SHAPES];  /* value position of each shape's key */
    size_t shape_key[N_SHAPES]; /* key position of each shape's key */
    int one_has_id, one_id_matches;
    struct mdec_jspan one_id;
    /* the filter object being surveyed */
    int has_id, id_matches;
    struct mdec_jspan fid;
};

/* A filter object: its IngressFilterRules, EgressFilterRules and
 * NetworkServices (c->dns), the rules kept as c->mode says. */
MDEC_HIDDEN int mdec__aws_filter(struct mdec_json *j, struct jctx *c);

/* An array of rule objects, or null; list_dir the direction the array
 * implies, 0 when each rule names its TrafficDirection. */
MDEC_HIDDEN int mdec__aws_rules(struct mdec_json *j, struct jctx *c, unsigned list_dir);

#endif /* MDEC_FILTER_JSON_H */

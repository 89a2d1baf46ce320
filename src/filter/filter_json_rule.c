/*
 * filter_json_rule.c - the filter and rule objects of the AWS JSON
 * (filter_json.c reads the documents around them).  Each object is read
 * by mdec__json_members() from a table of member name -> handler; a rule
 * is then checked as a whole (the members it needs, its direction,
 * families, ports and protocol) and kept in a scratch slot, or, on the
 * third walk, looked for twice.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "filter_json.h"

/* A rule object as it is read. */
struct rule_read {
    struct mdec_rule r;
    unsigned have; /* bit k: rule_members[k] was read */
    unsigned dir;  /* TrafficDirection, 0 when absent */
    size_t at_number, at_dst, at_sport, at_dport, at_dir;
};

/* Bits of rule_read.have: the order of rule_members[]. */
enum {
    F_NUMBER = 1 << 0,
    F_ACTION = 1 << 1,
    F_PROTO = 1 << 2,
    F_SRC = 1 << 3,
    F_DST = 1 << 4,
    F_SPORT = 1 << 5,
    F_DPORT = 1 << 6,
    F_DIR = 1 << 7
};

static int read_number(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct rule_read *rr = ctx;
    uint32_t v;
    (void)key;
    if (mdec__json_int(j, 1, MDEC_RULE_NUMBER_MAX, "an integer from 1 to 32766", &v,
                       &rr->at_number))
        return -1;
    rr->r.number = (uint16_t)v;
    return 0;
}

/* A string that must be one of two words: 1 or 2, 0 after an error. */
static int read_word(struct mdec_json *j, const char *a, const char *b, const char *expected)
{
    struct mdec_jspan sv;
    if (mdec__json_string(j, &sv))
        return 0;
    if (mdec__json_eqs(j, &sv, a))
        return 1;
    if (mdec__json_eqs(j, &sv, b))
        return 2;
    j->pos = sv.at;
    (void)mdec__json_expected(j, expected);
    return 0;
}

static int read_action(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct rule_read *rr = ctx;
    (void)key;
    const int w = read_word(j, "accept", "reject", "\"accept\" or \"reject\"");
    rr->r.action = w == 2 ? MDEC_VERDICT_REJECT : MDEC_VERDICT_ACCEPT;
    return w ? 0 : -1;
}

static int read_protocol(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct rule_read *rr = ctx;
    uint32_t v;
    size_t at;
    (void)key;
    if (mdec__json_is_null(j)) {
        rr->have &= ~(unsigned)F_PROTO;
        return 0;
    }
    if (mdec__json_int(j, 0, 255, "an IANA protocol number from 0 to 255", &v, &at))
        return -1;
    rr->r.protocol = (int16_t)v;
    return 0;
}

static int read_cidr(struct mdec_json *j, struct mdec_prefix *p)
{
    struct mdec_jspan sp;
    if (mdec__json_string(j, &sp))
        return -1;
    char buf[64];
    const size_t n = mdec__json_decode(j, &sp, buf, sizeof buf);
    if (n == 0 || n > sizeof buf) {
        j->pos = sp.at;
        return mdec__json_expected(j, "a CIDR block such as \"10.0.0.0/8\" or \"::/0\"");
    }
    struct mdec_parse_error pe;
    if (mdec_prefix_parse(buf, n, p, &pe) == 0)
        return 0;
    const size_t at = sp.esc || pe.column == 0 ? sp.at : sp.at + pe.column;
    return mdec__json_fail(j, at, MDEC_E_SYNTAX, "bad CIDR block: ", NOPOS, pe.message);
}

static int read_src(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    (void)key;
    return read_cidr(j, &((struct rule_read *)ctx)->r.src);
}

static int read_dst(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct rule_read *rr = ctx;
    (void)key;
    rr->at_dst = j->pos;
    return read_cidr(j, &rr->r.dst);
}

/* FromPort and ToPort of a port range object. */
static int read_from_port(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    size_t at;
    (void)key;
    return mdec__json_int(j, 0, 65535, "a port from 0 to 65535", &((uint32_t *)ctx)[0], &at);
}

static int read_to_port(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    size_t at;
    (void)key;
    return mdec__json_int(j, 0, 65535, "a port from 0 to 65535", &((uint32_t *)ctx)[1], &at);
}

static const struct mdec_jmember port_members[] = {
    {"FromPort", MDEC_JM_ONCE | MDEC_JM_PATH, read_from_port},
    {"ToPort", MDEC_JM_ONCE | MDEC_JM_PATH, read_to_port},
};

/* A port range object into lo, hi; match |= bit unless it is null. */
static int read_ports(struct mdec_json *j, uint16_t *lo, uint16_t *hi, uint16_t *match,
                      unsigned bit)
{
    if (mdec__json_is_null(j))
        return 0;
    const size_t open = j->pos;
    unsigned have = 0;
    uint32_t v[2] = {0, 0};
    if (mdec__json_members(j, port_members, 2, v, &have))
        return -1;
    if (have != 3)
        return mdec__json_fail(j, open, MDEC_E_SYNTAX,
                               have & 1 ? "missing ToPort" : "missing FromPort", NOPOS,
                               " (both ends of the range are needed)");
    if (v[0] > v[1]) {
        char a[80];
        struct sbuf b;
        mdec__sb_init(&b, a, sizeof a);
        mdec__sb_str(&b, "FromPort ");
        mdec__sb_u64(&b, v[0]);
        mdec__sb_str(&b, " is above ToPort ");
        mdec__sb_u64(&b, v[1]);
        (void)mdec__sb_done(&b);
        return mdec__json_fail(j, open, MDEC_E_SYNTAX, a, NOPOS, "");
    }
    *lo = (uint16_t)v[0];
    *hi = (uint16_t)v[1];
    *match |= (uint16_t)bit;
    return 0;
}

static int read_sport(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct rule_read *rr = ctx;
    (void)key;
    rr->at_sport = j->pos;
    return read_ports(j, &rr->r.sport_lo, &rr->r.sport_hi, &rr->r.match, MDEC_RULE_SPORT);
}

static int read_dport(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct rule_read *rr = ctx;
    (void)key;
    rr->at_dport = j->pos;
    return read_ports(j, &rr->r.dport_lo, &rr->r.dport_hi, &rr->r.match, MDEC_RULE_DPORT);
}

static int read_direction(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct rule_read *rr = ctx;
    (void)key;
    rr->at_dir = j->pos;
    const int w = read_word(j, "ingress", "egress", "\"ingress\" or \"egress\"");
    rr->dir = w == 1 ? MDEC_DIR_INGRESS : MDEC_DIR_EGRESS;
    return w ? 0 : -1;
}

/* A rule's filter id: read by peek_rule_id in the rules form; here only
 * its type is checked. */
static int read_rule_filter_id(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    (void)ctx;
    (void)key;
    if (mdec__json_peek(j) != '"' && !mdec__json_is_null(j))
        return mdec__json_expected(j, "a string");
    if (mdec__json_peek(j) == '"' && mdec__json_skip(j))
        return -1;
    return 0;
}

static const struct mdec_jmember rule_members[] = {
    {"RuleNumber", MDEC_JM_ONCE | MDEC_JM_PATH, read_number},
    {"RuleAction", MDEC_JM_ONCE | MDEC_JM_PATH, read_action},
    {"Protocol", MDEC_JM_ONCE | MDEC_JM_PATH, read_protocol},
    {"SourceCidrBlock", MDEC_JM_ONCE | MDEC_JM_PATH, read_src},
    {"DestinationCidrBlock", MDEC_JM_ONCE | MDEC_JM_PATH, read_dst},
    {"SourcePortRange", MDEC_JM_ONCE | MDEC_JM_PATH, read_sport},
    {"DestinationPortRange", MDEC_JM_ONCE | MDEC_JM_PATH, read_dport},
    {"TrafficDirection", MDEC_JM_ONCE | MDEC_JM_PATH, read_direction},
    {"TrafficMirrorFilterId", MDEC_JM_ONCE | MDEC_JM_PATH, read_rule_filter_id},
};

/* Reads a rule object's TrafficMirrorFilterId without moving on. */
static int peek_rule_id(struct mdec_json *j, struct mdec_jspan *id)
{
    const size_t save = j->pos;
    const unsigned depth = j->depth;
    struct mdec_jit it;
    struct mdec_jspan key;
    int found = 0, r;
    if (mdec__json_open(j, '{', &it))
        return -1;
    while ((r = mdec__json_next(j, '}', &it, &key)) > 0) {
        if (!found && mdec__json_eqs(j, &key, "TrafficMirrorFilterId") &&
            mdec__json_peek(j) == '"') {
            if (mdec__json_string(j, id))
                return -1;
            found = 1;
        } else if (mdec__json_skip(j)) {
            return -1;
        }
    }
    if (r < 0)
        return -1;
    j->pos = save;
    j->depth = depth;
    return found;
}

/* In the rules form: 1 when the rule at j->pos belongs to another filter
 * than the one asked for (skip it), 0 to read it, -1 on error (the rules
 * of two filters and no id asked for). */
static int other_filters_rule(struct mdec_json *j, struct jctx *c)
{
    struct mdec_jspan id;
    const int has = peek_rule_id(j, &id);
    if (has <= 0)
        return has;
    if (c->id)
        return !mdec__json_eq(j, &id, c->id, c->id_len);
    if (!c->have_rule_id) {
        c->have_rule_id = 1;
        c->rule_id = id;
        return 0;
    }
    if (mdec__json_eq_spans(j, &id, &c->rule_id))
        return 0;
    char a[140];
    struct sbuf b;
    mdec__sb_init(&b, a, sizeof a);
    mdec__sb_str(&b, "rules of two filters (");
    mdec__json_sb_span(&b, j, &c->rule_id);
    mdec__sb_str(&b, " and ");
    mdec__json_sb_span(&b, j, &id);
    mdec__sb_str(&b, "): pass the id of the one to import");
    (void)mdec__sb_done(&b);
    mdec__json_push(j, "TrafficMirrorFilterId");
    return mdec__json_fail(j, id.at, MDEC_E_SYNTAX, a, NOPOS, "");
}

/* MODE_DUP: the scratch rules are sorted; mark each group seen twice or
 * more at its first rule, fail at its second. */
static int find_second(struct mdec_json *j, struct jctx *c, const struct mdec_rule *r,
                       size_t number_at)
{
    const struct mdec_jpath *list = j->np >= 1 ? &j->path[j->np - 1] : NULL;
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
    mdec__sb_str(&b, r->direction == MDEC_DIR_INGRESS ? "ingress" : "egress");
    mdec__sb_str(&b, ", line ");
    mdec__sb_u64(&b, s[g].line);
    mdec__sb_char(&b, ')');
    (void)mdec__sb_done(&b);
    mdec__json_push(j, "RuleNumber");
    return mdec__json_fail(j, number_at, MDEC_E_EXISTS, a, NOPOS, "");
}

/* What to do with a parsed rule: keep it in scratch, or look for it twice. */
static int take_rule(struct mdec_json *j, struct jctx *c, struct mdec_rule *r, size_t open,
                     size_t number_at)
{
    char a[140];
    if (mdec__filter_find(c->f, r->direction, r->number)) {
        mdec__msg_number_used(a, sizeof a, r->direction, r->number);
        mdec__json_push(j, "RuleNumber");
        return mdec__json_fail(j, number_at, MDEC_E_EXISTS, a, NOPOS, "");
    }
    if (c->mode != MODE_EXTRACT)
        return find_second(j, c, r, number_at);
    if (c->k >= c->room) {
        mdec__msg_full(a, sizeof a, c->f, c->room, c->k, "one");
        return mdec__json_fail(j, open, MDEC_E_NOSPACE, a, NOPOS, "");
    }
    mdec__rule_normalize(r);
    *mdec__filter_scratch(c->f, c->k++) = *r;
    return 0;
}

/* The members a rule needs, and its direction. */
static int check_members(struct mdec_json *j, struct rule_read *rr, unsigned list_dir, size_t open)
{
    static const struct {
        unsigned bit;
        const char *name;
    } required[] = {{F_NUMBER, "RuleNumber"},
                    {F_ACTION, "RuleAction"},
                    {F_SRC, "SourceCidrBlock"},
                    {F_DST, "DestinationCidrBlock"},
                    {F_DIR, "TrafficDirection"}};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!(rr->have & required[i].bit) && (required[i].bit != F_DIR || list_dir == 0))
            return mdec__json_fail(j, open, MDEC_E_SYNTAX, "missing ", NOPOS, required[i].name);
    }
    if (list_dir && (rr->have & F_DIR) && rr->dir != list_dir) {
        mdec__json_push(j, "TrafficDirection");
        return mdec__json_fail(j, rr->at_dir, MDEC_E_SYNTAX, "", rr->at_dir,
                               list_dir == MDEC_DIR_INGRESS ? " contradicts IngressFilterRules"
                                                            : " contradicts EgressFilterRules");
    }
    rr->r.direction = (uint8_t)(list_dir ? list_dir : rr->dir);
    return 0;
}

/* What the members say together: families, ports and protocol. */
static int check_together(struct mdec_json *j, const struct rule_read *rr)
{
    const struct mdec_rule *r = &rr->r;
    if (r->src.addr.family != r->dst.addr.family) {
        mdec__json_push(j, "DestinationCidrBlock");
        return mdec__json_fail(j, rr->at_dst, MDEC_E_SYNTAX,
                               "source and destination CIDR blocks are of different families: "
                               "the rule could never match",
                               NOPOS, "");
    }
    if (!(r->match & (MDEC_RULE_SPORT | MDEC_RULE_DPORT)) || r->protocol == 6 || r->protocol == 17)
        return 0;
    const int s = (r->match & MDEC_RULE_SPORT) != 0;
    char z[64];
    struct sbuf b;
    mdec__sb_init(&b, z, sizeof z);
    if (r->protocol == MDEC_PROTO_ANY) {
        mdec__sb_str(&b, "no Protocol (all protocols)");
    } else {
        mdec__sb_str(&b, "Protocol ");
        mdec__sb_u64(&b, (uint64_t)r->protocol);
    }
    (void)mdec__sb_done(&b);
    mdec__json_push(j, s ? "SourcePortRange" : "DestinationPortRange");
    return mdec__json_fail(j, s ? rr->at_sport : rr->at_dport, MDEC_E_SYNTAX,
                           "port ranges need Protocol 6 (TCP) or 17 (UDP), found ", NOPOS, z);
}

/* One rule object.  list_dir is the direction its array implies (0 in the
 * describe-traffic-mirror-filter-rules form). */
static int parse_rule(struct mdec_json *j, struct jctx *c, unsigned list_dir)
{
    if (mdec__json_peek(j) != '{')
        return mdec__json_expected(j, "a rule object");
    const size_t open = j->pos;
    if (c->shape == SHAPE_RULES) {
        const int other = other_filters_rule(j, c);
        if (other)
            return other < 0 ? -1 : mdec__json_skip(j);
    }
    struct rule_read rr;
    memset(&rr, 0, sizeof rr);
    mdec_rule_init(&rr.r);
    rr.r.line = mdec__json_line(j, open);
    rr.at_number = rr.at_dst = rr.at_sport = rr.at_dport = rr.at_dir = open;
    if (mdec__json_members(j, rule_members, sizeof rule_members / sizeof rule_members[0], &rr,
                           &rr.have) ||
        check_members(j, &rr, list_dir, open) || check_together(j, &rr))
        return -1;
    const char *why = mdec__rule_check(&rr.r);
    if (why) /* cannot happen: every part was checked above */
        return mdec__json_fail(j, open, MDEC_E_SYNTAX, why, NOPOS, "");
    return take_rule(j, c, &rr.r, open, rr.at_number);
}

/* --------------------------------------------------------- filters */

static int read_ingress_rule(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    (void)key;
    return parse_rule(j, ctx, MDEC_DIR_INGRESS);
}

static int read_egress_rule(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    (void)key;
    return parse_rule(j, ctx, MDEC_DIR_EGRESS);
}

/* A rule of the describe-traffic-mirror-filter-rules form: its
 * TrafficDirection says which. */
static int read_any_rule(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    (void)key;
    return parse_rule(j, ctx, 0);
}

/* An array of rules, or null. */
static int read_rules(struct mdec_json *j, mdec_jmember_fn rule, void *ctx)
{
    return mdec__json_is_null(j) ? 0 : mdec__json_elements(j, rule, ctx);
}

int mdec__aws_rules(struct mdec_json *j, struct jctx *c, unsigned list_dir)
{
    return read_rules(j,
                      list_dir == MDEC_DIR_INGRESS  ? read_ingress_rule
                      : list_dir == MDEC_DIR_EGRESS ? read_egress_rule
                                                    : read_any_rule,
                      c);
}

static int read_ingress(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    (void)key;
    return read_rules(j, read_ingress_rule, ctx);
}

static int read_egress(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    (void)key;
    return read_rules(j, read_egress_rule, ctx);
}

static int read_service(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    struct mdec_jspan sv;
    (void)key;
    if (mdec__json_string(j, &sv))
        return -1;
    if (!mdec__json_eqs(j, &sv, "amazon-dns")) {
        j->pos = sv.at;
        return mdec__json_expected(j, "\"amazon-dns\" (the only network service AWS knows)");
    }
    ((struct jctx *)ctx)->dns = 1;
    return 0;
}

static int read_services(struct mdec_json *j, void *ctx, const struct mdec_jspan *key)
{
    (void)key;
    return mdec__json_is_null(j) ? 0 : mdec__json_elements(j, read_service, ctx);
}

static const struct mdec_jmember filter_members[] = {
    {"IngressFilterRules", MDEC_JM_ONCE | MDEC_JM_PATH, read_ingress},
    {"EgressFilterRules", MDEC_JM_ONCE | MDEC_JM_PATH, read_egress},
    {"NetworkServices", MDEC_JM_ONCE | MDEC_JM_PATH, read_services},
};

int mdec__aws_filter(struct mdec_json *j, struct jctx *c)
{
    unsigned seen = 0;
    return mdec__json_members(j, filter_members, 3, c, &seen);
}

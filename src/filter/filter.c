/*
 * filter.c - AWS Traffic Mirror filter: rules kept in the caller's memory,
 * added, removed and formatted; Amazon DNS resolvers.
 *
 * The caller's buffer holds the header (struct mdec_filter, filter_int.h),
 * the rules as given in evaluation order (ingress rules by number, then
 * egress rules by number; slots from mdec_filter_count() on are free and
 * the parsers use them as scratch) and the compiled form, which every
 * change rebuilds (filter_eval.c).  No pointers anywhere, so the filter may
 * be copied byte for byte to another buffer of the same size and alignment.
 *
 * Amazon DNS.  AWS documents the amazon-dns network service only in words:
 * "By default, Amazon DNS network services are not eligible for Traffic
 * Mirror" and "When a network service is added to the Traffic Mirror filter,
 * all traffic related to that network service will be mirrored"
 * (ModifyTrafficMirrorFilterNetworkServices, EC2 API reference); the VPC
 * guide adds "all traffic (inbound and outbound)".  Inference, not stated
 * by AWS: Amazon DNS traffic is UDP or TCP to port 53 of an Amazon DNS
 * address or from port 53 of one; the addresses are 169.254.169.253,
 * fd00:ec2::253 and the VPC's base + 2 (which the caller adds, the library
 * cannot know it).  So without the service such traffic is rejected before
 * the rules are tried; with it, it is accepted in either direction without
 * trying the rules.  Whether AWS instead lets the rules decide once the
 * service makes DNS "eligible" is not documented:
 * MDEC_FILTER_AMAZON_DNS_BY_RULES selects that reading.  A packet whose
 * capture holds no ports cannot be told to be DNS and goes to the rules.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <string.h>

#include "filter_int.h"
#include "text.h"

#define MAX_RULES 65532u

_Static_assert(MDEC_FILTER_HDR_SIZE % _Alignof(struct mdec_rule) == 0, "header size");

/* The resolvers every filter knows: 169.254.169.253 and fd00:ec2::253. */
static const struct mdec_addr builtin_resolvers[2] = {
    {MDEC_AF_IPV4, {169, 254, 169, 253}},
    {MDEC_AF_IPV6, {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x53}},
};

static struct mdec_rule *rules_of(struct mdec_filter *f)
{
    return mdec__filter_rules(f);
}

static const struct mdec_rule *crules_of(const struct mdec_filter *f)
{
    return mdec__filter_crules(f);
}

/* ------------------------------------------------------------ the object */

size_t mdec_filter_size(uint32_t max_rules)
{
    if (max_rules < 1 || max_rules > MAX_RULES)
        return 0;
    const size_t n = mdec__filter_bytes(max_rules);
    return (n + MDEC_FILTER_ALIGN - 1) & ~(size_t)(MDEC_FILTER_ALIGN - 1);
}

struct mdec_filter *mdec_filter_init(void *mem, size_t size, uint32_t max_rules)
{
    const size_t need = mdec_filter_size(max_rules);
    if (!mem || need == 0 || size < need || (uintptr_t)mem % MDEC_FILTER_ALIGN != 0)
        return NULL;
    struct mdec_filter *f = mem;
    memset(f, 0, sizeof *f);
    f->max_rules = max_rules;
    mdec__filter_compile(f);
    return f;
}

void mdec_filter_clear(struct mdec_filter *f)
{
    if (f == NULL)
        return;
    const uint32_t max = f->max_rules;
    memset(f, 0, sizeof *f);
    f->max_rules = max;
    mdec__filter_compile(f);
}

uint32_t mdec_filter_count(const struct mdec_filter *f)
{
    if (f == NULL)
        return 0;
    return f->n_in + f->n_eg;
}

const struct mdec_rule *mdec_filter_rule(const struct mdec_filter *f, uint32_t i)
{
    if (f == NULL)
        return NULL;
    return i < f->n_in + f->n_eg ? &crules_of(f)[i] : NULL;
}

int mdec_filter_set_options(struct mdec_filter *f, uint32_t options)
{
    if (f == NULL)
        return MDEC_E_INVALID;
    f->options = options & MDEC_FILTER_OPTIONS_ALL;
    return 0;
}

uint32_t mdec_filter_options(const struct mdec_filter *f)
{
    if (f == NULL)
        return 0;
    return f->options;
}

/* ----------------------------------------------------------------- rules */

void mdec_rule_init(struct mdec_rule *r)
{
    if (r == NULL)
        return;
    memset(r, 0, sizeof *r);
    r->direction = MDEC_DIR_INGRESS;
    r->action = MDEC_VERDICT_ACCEPT;
    r->protocol = MDEC_PROTO_ANY;
}

static int prefix_ok(const struct mdec_prefix *p)
{
    unsigned max;
    if (p->addr.family == MDEC_AF_NONE)
        return p->len == 0;
    if (p->addr.family == MDEC_AF_IPV4)
        max = 32;
    else if (p->addr.family == MDEC_AF_IPV6)
        max = 128;
    else
        return 0;
    if (p->len > max)
        return 0;
    for (unsigned b = p->len; b < 128; b++)
        if (p->addr.a[b / 8] & (0x80u >> (b % 8)))
            return 0; /* host bits (or IPv4 bytes 4..15) set */
    return 1;
}

/* The rule's scalar fields. */
static const char *fields_check(const struct mdec_rule *r)
{
    if (r->direction != MDEC_DIR_INGRESS && r->direction != MDEC_DIR_EGRESS)
        return "direction must be ingress or egress";
    if (r->action != MDEC_VERDICT_ACCEPT && r->action != MDEC_VERDICT_REJECT)
        return "action must be accept or reject";
    if (r->number < 1 || r->number > MDEC_RULE_NUMBER_MAX)
        return "rule number must be 1..32766";
    if (r->protocol < MDEC_PROTO_ANY || r->protocol > 255)
        return "protocol must be 0..255 or all";
    if (r->match & ~(unsigned)MDEC_RULE_MATCH_ALL)
        return "unknown match bits";
    return NULL;
}

/* The optional parts: ranges, truncated and complete. */
static const char *options_check(const struct mdec_rule *r)
{
    if ((r->match & (MDEC_RULE_SPORT | MDEC_RULE_DPORT)) && r->protocol != IPPROTO_TCP_ &&
        r->protocol != IPPROTO_UDP_)
        return "ports need protocol tcp or udp";
    if ((r->match & MDEC_RULE_SPORT) && r->sport_lo > r->sport_hi)
        return "source port range runs backwards";
    if ((r->match & MDEC_RULE_DPORT) && r->dport_lo > r->dport_hi)
        return "destination port range runs backwards";
    if ((r->match & MDEC_RULE_TUNNEL_ID) && r->tunnel_id_lo > r->tunnel_id_hi)
        return "tunnel id range runs backwards";
    if ((r->match & MDEC_RULE_TRUNCATED) && (r->match & MDEC_RULE_COMPLETE))
        return "truncated and complete together could never match";
    return NULL;
}

const char *mdec__rule_check(const struct mdec_rule *r)
{
    const char *why = fields_check(r);
    if (why)
        return why;
    if (!prefix_ok(&r->src))
        return "bad source prefix (family, length or host bits)";
    if (!prefix_ok(&r->dst))
        return "bad destination prefix (family, length or host bits)";
    if (r->src.addr.family != MDEC_AF_NONE && r->dst.addr.family != MDEC_AF_NONE &&
        r->src.addr.family != r->dst.addr.family)
        return "source and destination are of different families: the rule could never match";
    return options_check(r);
}

void mdec__rule_normalize(struct mdec_rule *r)
{
    if (r->src.addr.family == MDEC_AF_NONE)
        memset(&r->src, 0, sizeof r->src);
    if (r->dst.addr.family == MDEC_AF_NONE)
        memset(&r->dst, 0, sizeof r->dst);
    if (!(r->match & MDEC_RULE_SPORT))
        r->sport_lo = r->sport_hi = 0;
    if (!(r->match & MDEC_RULE_DPORT))
        r->dport_lo = r->dport_hi = 0;
    if (!(r->match & MDEC_RULE_TUNNEL_ID))
        r->tunnel_id_lo = r->tunnel_id_hi = 0;
}

/* Index of the first rule of direction dir numbered number or above, within
 * that direction's block of the filter. */
static uint32_t block_lower(const struct mdec_filter *f, unsigned dir, unsigned number)
{
    const struct mdec_rule *r = crules_of(f);
    uint32_t lo = dir == MDEC_DIR_INGRESS ? 0 : f->n_in;
    uint32_t hi = dir == MDEC_DIR_INGRESS ? f->n_in : f->n_in + f->n_eg;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (r[mid].number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct mdec_rule *mdec__filter_find(const struct mdec_filter *f, unsigned dir,
                                          unsigned number)
{
    if (dir != MDEC_DIR_INGRESS && dir != MDEC_DIR_EGRESS)
        return NULL;
    const uint32_t i = block_lower(f, dir, number);
    const uint32_t end = dir == MDEC_DIR_INGRESS ? f->n_in : f->n_in + f->n_eg;
    const struct mdec_rule *r = crules_of(f);
    return i < end && r[i].number == number ? &r[i] : NULL;
}

int mdec_filter_add(struct mdec_filter *f, const struct mdec_rule *r)
{
    if (!f || !r || mdec__rule_check(r))
        return MDEC_E_INVALID;
    if (mdec__filter_find(f, r->direction, r->number))
        return MDEC_E_EXISTS;
    const uint32_t n = f->n_in + f->n_eg;
    if (n >= f->max_rules)
        return MDEC_E_NOSPACE;
    const uint32_t at = block_lower(f, r->direction, r->number);
    struct mdec_rule *rules = rules_of(f);
    memmove(&rules[at + 1], &rules[at], (size_t)(n - at) * sizeof *rules);
    rules[at] = *r;
    mdec__rule_normalize(&rules[at]);
    if (r->direction == MDEC_DIR_INGRESS)
        f->n_in++;
    else
        f->n_eg++;
    mdec__filter_compile(f);
    return 0;
}

int mdec_filter_remove(struct mdec_filter *f, enum mdec_direction dir, uint16_t number)
{
    if (f == NULL)
        return MDEC_E_INVALID;
    const struct mdec_rule *found = mdec__filter_find(f, (unsigned)dir, number);
    if (!found)
        return MDEC_E_NOTFOUND;
    struct mdec_rule *rules = rules_of(f);
    const uint32_t at = (uint32_t)(found - rules);
    const uint32_t n = f->n_in + f->n_eg;
    memmove(&rules[at], &rules[at + 1], (size_t)(n - at - 1) * sizeof *rules);
    if (dir == MDEC_DIR_INGRESS)
        f->n_in--;
    else
        f->n_eg--;
    mdec__filter_compile(f);
    return 0;
}

/* ------------------------------------------------- the parsers' helpers */

uint32_t mdec__filter_room(const struct mdec_filter *f)
{
    return f->max_rules - (f->n_in + f->n_eg);
}

struct mdec_rule *mdec__filter_scratch(struct mdec_filter *f, uint32_t k)
{
    return &rules_of(f)[f->n_in + f->n_eg + k];
}

static int rule_before(const struct mdec_rule *a, const struct mdec_rule *b)
{
    if (a->direction != b->direction)
        return a->direction < b->direction;
    if (a->number != b->number)
        return a->number < b->number;
    return a->line < b->line;
}

static void sift_down(struct mdec_rule *r, uint32_t root, uint32_t n)
{
    for (;;) {
        uint32_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && rule_before(&r[child], &r[child + 1]))
            child++;
        if (!rule_before(&r[root], &r[child]))
            return;
        const struct mdec_rule t = r[root];
        r[root] = r[child];
        r[child] = t;
        root = child;
    }
}

void mdec__rules_sort(struct mdec_rule *r, uint32_t n)
{
    if (n < 2)
        return;
    for (uint32_t i = n / 2; i-- > 0;)
        sift_down(r, i, n);
    for (uint32_t end = n - 1; end > 0; end--) {
        const struct mdec_rule t = r[0];
        r[0] = r[end];
        r[end] = t;
        sift_down(r, 0, end);
    }
}

uint32_t mdec__rules_lower(const struct mdec_rule *r, uint32_t n, unsigned dir, unsigned number,
                           uint32_t *count)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (r[mid].direction < dir || (r[mid].direction == dir && r[mid].number < number))
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t k = lo;
    while (k < n && r[k].direction == dir && r[k].number == number)
        k++;
    *count = k - lo;
    return lo;
}

void mdec__filter_commit(struct mdec_filter *f, uint32_t k)
{
    const uint32_t n = f->n_in + f->n_eg + k;
    struct mdec_rule *rules = rules_of(f);
    mdec__rules_sort(rules, n);
    uint32_t n_in = 0;
    for (uint32_t i = 0; i < n; i++) {
        rules[i].match &= (uint16_t)MDEC_RULE_MATCH_ALL;
        n_in += rules[i].direction == MDEC_DIR_INGRESS;
    }
    f->n_in = n_in;
    f->n_eg = n - n_in;
    mdec__filter_compile(f);
}

void mdec__msg_full(char *buf, size_t size, const struct mdec_filter *f, uint32_t room, uint32_t k,
                    const char *what)
{
    struct sbuf b;
    const uint32_t held = f->n_in + f->n_eg;
    mdec__sb_init(&b, buf, size);
    mdec__sb_str(&b, "the filter is full: it holds at most ");
    mdec__sb_u64(&b, (uint64_t)held + room);
    mdec__sb_str(&b, " rules, ");
    mdec__sb_u64(&b, held);
    mdec__sb_str(&b, " were in it and ");
    mdec__sb_u64(&b, k);
    mdec__sb_str(&b, " came before this ");
    mdec__sb_str(&b, what);
    (void)mdec__sb_done(&b);
}

void mdec__msg_number_used(char *buf, size_t size, unsigned dir, unsigned number)
{
    struct sbuf b;
    mdec__sb_init(&b, buf, size);
    mdec__sb_str(&b, "rule number ");
    mdec__sb_u64(&b, number);
    mdec__sb_str(&b, dir == MDEC_DIR_INGRESS ? " is already used by an ingress rule in the filter"
                                             : " is already used by an egress rule in the filter");
    (void)mdec__sb_done(&b);
}

/* ---------------------------------------------------------- Amazon DNS */

static int same_addr(const struct mdec_addr *a, const struct mdec_addr *b)
{
    if (a->family != b->family)
        return 0;
    return memcmp(a->a, b->a, a->family == MDEC_AF_IPV4 ? 4 : 16) == 0;
}

int mdec__filter_is_resolver(const struct mdec_filter *f, const struct mdec_addr *addr)
{
    if (same_addr(addr, &builtin_resolvers[0]) || same_addr(addr, &builtin_resolvers[1]))
        return 1;
    for (uint32_t i = 0; i < f->n_res; i++)
        if (same_addr(addr, &f->res[i]))
            return 1;
    return 0;
}

unsigned mdec__filter_resolver_room(const struct mdec_filter *f)
{
    return MDEC_FILTER_MAX_RESOLVERS - f->n_res;
}

int mdec_filter_add_dns_resolver(struct mdec_filter *f, const struct mdec_addr *addr)
{
    if (!f || !addr || (addr->family != MDEC_AF_IPV4 && addr->family != MDEC_AF_IPV6))
        return MDEC_E_INVALID;
    struct mdec_addr a;
    memset(&a, 0, sizeof a);
    a.family = addr->family;
    memcpy(a.a, addr->a, addr->family == MDEC_AF_IPV4 ? 4 : 16);
    if (mdec__filter_is_resolver(f, &a))
        return 0;
    if (f->n_res >= MDEC_FILTER_MAX_RESOLVERS)
        return MDEC_E_NOSPACE;
    f->res[f->n_res++] = a;
    return 0;
}

/* ------------------------------------------------------------ formatting */

int mdec__word_is(const char *s, size_t n, const char *w)
{
    size_t i = 0;
    for (; i < n && w[i]; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != w[i])
            return 0;
    }
    return i == n && w[i] == '\0';
}

static const char *proto_name(int proto)
{
    switch (proto) {
    case MDEC_PROTO_ANY:
        return "all";
    case IPPROTO_TCP_:
        return "tcp";
    case IPPROTO_UDP_:
        return "udp";
    case IPPROTO_ICMP_:
        return "icmp";
    case IPPROTO_ICMPV6_:
        return "icmpv6";
    case IPPROTO_SCTP_:
        return "sctp";
    default:
        return NULL;
    }
}

static void fmt_prefix(struct sbuf *b, const struct mdec_prefix *p)
{
    char a[MDEC_ADDR_STRLEN];
    if (p->addr.family != MDEC_AF_IPV4 && p->addr.family != MDEC_AF_IPV6) {
        mdec__sb_str(b, "any");
        return;
    }
    (void)mdec_addr_format(&p->addr, a, sizeof a);
    mdec__sb_str(b, a);
    mdec__sb_char(b, '/');
    mdec__sb_u64(b, p->len);
}

static void fmt_range(struct sbuf *b, const char *what, uint64_t lo, uint64_t hi)
{
    mdec__sb_char(b, ' ');
    mdec__sb_str(b, what);
    mdec__sb_char(b, ' ');
    mdec__sb_u64(b, lo);
    if (hi != lo) {
        mdec__sb_char(b, '-');
        mdec__sb_u64(b, hi);
    }
}

int mdec_rule_format(const struct mdec_rule *r, char *buf, size_t size)
{
    if (r == NULL || buf == NULL)
        return MDEC_E_INVALID;
    struct sbuf b;
    mdec__sb_init(&b, buf, size);
    mdec__sb_str(&b, r->direction == MDEC_DIR_EGRESS ? "egress" : "ingress");
    mdec__sb_char(&b, ' ');
    mdec__sb_u64(&b, r->number);
    mdec__sb_str(&b, r->action == MDEC_VERDICT_REJECT ? " reject " : " accept ");
    const char *pn = proto_name(r->protocol);
    if (pn)
        mdec__sb_str(&b, pn);
    else
        mdec__sb_u64(&b, (uint64_t)(r->protocol & 0xFF));
    mdec__sb_char(&b, ' ');
    fmt_prefix(&b, &r->src);
    mdec__sb_char(&b, ' ');
    fmt_prefix(&b, &r->dst);
    if (r->match & MDEC_RULE_SPORT)
        fmt_range(&b, "sport", r->sport_lo, r->sport_hi);
    if (r->match & MDEC_RULE_DPORT)
        fmt_range(&b, "dport", r->dport_lo, r->dport_hi);
    if (r->match & MDEC_RULE_TUNNEL_ID)
        fmt_range(&b, "vni", r->tunnel_id_lo, r->tunnel_id_hi);
    if (r->match & MDEC_RULE_TRUNCATED)
        mdec__sb_str(&b, " truncated");
    if (r->match & MDEC_RULE_COMPLETE)
        mdec__sb_str(&b, " complete");
    return mdec__sb_done(&b);
}

/*
 * test_filter_diff.c - the filter against a deliberately simple reference
 * evaluator, on random rule sets and random packets.
 *
 * The reference keeps its rules in an unsorted array and reads the AWS
 * semantics off literally: the packet's direction picks the rules; among
 * those that match, the one with the lowest number decides; none: reject.
 * Prefixes are compared bit by bit.  It shares no code with the library.
 *
 * Rule sets reach the library four ways: mdec_filter_add(), the text
 * syntax (mdec_rule_format then mdec_filter_parse), for rules AWS can
 * express an AWS JSON document this test writes itself, and
 * mdec_filter_add() among decoy rules that mdec_filter_remove() then takes
 * out again (each change rebuilds the compiled form).
 *
 * The seed is fixed (MDEC_DIFF_SEED overrides it) and printed; a mismatch
 * prints the seed, the rule set and the packet.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "filter_testutil.h"

#define N_SETS        3000
#define FLOWS_PER_SET 200
#define MAX_RULES     16

/* ------------------------------------------------------------ randomness */

static uint64_t rng;

static uint64_t next64(void)
{
    /* splitmix64 */
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)
{
    return (uint32_t)(next64() % n);
}

static int chance(unsigned percent)
{
    return rnd(100) < percent;
}

/* ------------------------------------------------------------ reference */

struct ref_prefix {
    int fam; /* 0: any address of either family; 4; 6 */
    uint8_t a[16];
    int len;
};

struct ref_rule {
    int dir, number, accept, proto; /* proto -1: all */
    struct ref_prefix src, dst;
    int has_sport, sport_lo, sport_hi;
    int has_dport, dport_lo, dport_hi;
    int has_vni;
    uint32_t vni_lo, vni_hi;
    int only_truncated, only_complete;
};

struct ref_set {
    struct ref_rule r[2 * MAX_RULES]; /* MAX_RULES, and decoys after them */
    int n;
    int dns, dns_by_rules, unknown_reject;
    struct mdec_addr res[3];
    int n_res;
};

struct ref_pkt {
    int ip, fam;
    uint8_t src[16], dst[16];
    int has_proto; /* MDEC_FLOW_PROTO: an IPv6 chain cut short leaves it clear */
    int proto;
    int has_ports, sport, dport;
    int has_tid;
    uint32_t tid;
    int truncated;
    int dir;
};

static int bit_of(const uint8_t *a, int i)
{
    return (a[i / 8] >> (7 - i % 8)) & 1;
}

static int ref_in(const struct ref_prefix *p, int fam, const uint8_t *addr)
{
    if (p->fam == 0)
        return 1;
    if (p->fam != fam)
        return 0;
    for (int i = 0; i < p->len; i++)
        if (bit_of(p->a, i) != bit_of(addr, i))
            return 0;
    return 1;
}

static int ref_match(const struct ref_rule *r, const struct ref_pkt *k)
{
    if (!ref_in(&r->src, k->fam, k->src) || !ref_in(&r->dst, k->fam, k->dst))
        return 0;
    if (r->proto != -1 && (!k->has_proto || r->proto != k->proto))
        return 0;
    if (r->has_sport && !(k->has_ports && k->sport >= r->sport_lo && k->sport <= r->sport_hi))
        return 0;
    if (r->has_dport && !(k->has_ports && k->dport >= r->dport_lo && k->dport <= r->dport_hi))
        return 0;
    if (r->has_vni && !(k->has_tid && k->tid >= r->vni_lo && k->tid <= r->vni_hi))
        return 0;
    if (r->only_truncated && !k->truncated)
        return 0;
    if (r->only_complete && k->truncated)
        return 0;
    return 1;
}

static int ref_dir(const struct ref_set *s, int dir, const struct ref_pkt *k)
{
    const struct ref_rule *best = NULL;
    for (int i = 0; i < s->n; i++)
        if (s->r[i].dir == dir && ref_match(&s->r[i], k) &&
            (!best || s->r[i].number < best->number))
            best = &s->r[i];
    return best && best->accept ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_REJECT;
}

static int ref_is_resolver(const struct ref_set *s, int fam, const uint8_t *a)
{
    static const uint8_t v4[4] = {169, 254, 169, 253};
    static const uint8_t v6[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x53};
    if (fam == 4 && memcmp(a, v4, 4) == 0)
        return 1;
    if (fam == 6 && memcmp(a, v6, 16) == 0)
        return 1;
    for (int i = 0; i < s->n_res; i++)
        if (s->res[i].family == fam && memcmp(s->res[i].a, a, fam == 4 ? 4 : 16) == 0)
            return 1;
    return 0;
}

static int ref_eval(const struct ref_set *s, const struct ref_pkt *k)
{
    if (!k->ip)
        return MDEC_VERDICT_REJECT;
    const int dns = k->has_proto && (k->proto == 6 || k->proto == 17) && k->has_ports &&
                    ((k->dport == 53 && ref_is_resolver(s, k->fam, k->dst)) ||
                     (k->sport == 53 && ref_is_resolver(s, k->fam, k->src)));
    if (dns && !s->dns)
        return MDEC_VERDICT_REJECT;
    if (dns && !s->dns_by_rules)
        return MDEC_VERDICT_ACCEPT;
    if (k->dir == MDEC_DIR_INGRESS || k->dir == MDEC_DIR_EGRESS)
        return ref_dir(s, k->dir, k);
    if (s->unknown_reject)
        return MDEC_VERDICT_REJECT;
    return ref_dir(s, MDEC_DIR_INGRESS, k) == MDEC_VERDICT_ACCEPT ||
                   ref_dir(s, MDEC_DIR_EGRESS, k) == MDEC_VERDICT_ACCEPT
               ? MDEC_VERDICT_ACCEPT
               : MDEC_VERDICT_REJECT;
}

/* ------------------------------------------------------------ generation */

/* Addresses that rules and packets share, so packets often hit rules. */
static const char *const pool4[] = {"10.0.0.0",    "10.0.0.255",      "10.1.2.3",
                                    "192.168.1.1", "0.0.0.0",         "255.255.255.255",
                                    "10.0.0.2",    "169.254.169.253", "172.16.0.1"};
static const char *const pool6[] = {
    "2001:db8::",    "2001:db8::1", "2001:db8:0:1::",
    "fd00:ec2::253", "::",          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fe80::1",       "2001:db8::2", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"};

static void random_addr(int fam, uint8_t *a)
{
    memset(a, 0, 16);
    if (chance(60)) {
        const struct mdec_addr x = addr_of(fam == 4 ? pool4[rnd(9)] : pool6[rnd(9)]);
        memcpy(a, x.a, 16);
    } else {
        for (int i = 0; i < (fam == 4 ? 4 : 16); i++)
            a[i] = (uint8_t)rnd(256);
    }
}

static int random_len(int max)
{
    switch (rnd(6)) {
    case 0:
        return 0;
    case 1:
        return max;
    case 2:
        return max - 1;
    case 3:
        return (int)rnd((unsigned)max / 8 + 1) * 8;
    default:
        return (int)rnd((unsigned)max + 1);
    }
}

static void random_prefix(struct ref_prefix *p, int fam)
{
    memset(p, 0, sizeof *p);
    p->fam = fam;
    if (!fam)
        return;
    random_addr(fam, p->a);
    p->len = random_len(fam == 4 ? 32 : 128);
    for (int i = p->len; i < 128; i++)
        p->a[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

static void random_range(int *lo, int *hi, int max)
{
    static const int edges[] = {0, 1, 52, 53, 54, 1023, 1024, 65534, 65535};
    *lo = chance(50) ? edges[rnd(9)] : (int)rnd((unsigned)max + 1);
    if (*lo > max)
        *lo = max;
    const int span = chance(40) ? 0 : chance(50) ? (int)rnd(20) : (int)rnd((unsigned)max + 1);
    *hi = *lo + span > max ? max : *lo + span;
}

/* aws: only what an AWS rule can say (no "any", no vni, no truncation). */
static void random_rule(struct ref_set *s, struct ref_rule *r, int aws)
{
    memset(r, 0, sizeof *r);
    r->dir = chance(50) ? MDEC_DIR_INGRESS : MDEC_DIR_EGRESS;
    for (;;) { /* unique within the direction; small numbers collide often */
        r->number = chance(70) ? 1 + (int)rnd(30) : 1 + (int)rnd(32766);
        int used = 0;
        for (int i = 0; i < s->n; i++)
            used |= s->r[i].dir == r->dir && s->r[i].number == r->number;
        if (!used)
            break;
    }
    r->accept = chance(60);
    static const int protos[] = {-1, -1, -1, 6, 6, 17, 17, 1, 58, 132, 0, 255};
    r->proto = chance(90) ? protos[rnd(12)] : (int)rnd(256);
    const int fam = chance(50) ? 4 : 6;
    random_prefix(&r->src, !aws && chance(20) ? 0 : fam);
    random_prefix(&r->dst, !aws && chance(20) ? 0 : fam);
    if ((r->proto == 6 || r->proto == 17) && chance(70)) {
        if ((r->has_sport = chance(50)) != 0)
            random_range(&r->sport_lo, &r->sport_hi, 65535);
        if ((r->has_dport = chance(60)) != 0)
            random_range(&r->dport_lo, &r->dport_hi, 65535);
    }
    if (aws)
        return;
    if (chance(15)) {
        r->has_vni = 1;
        r->vni_lo = chance(20) ? 0 : rnd(1000);
        r->vni_hi = chance(20) ? UINT32_MAX : r->vni_lo + rnd(50);
    }
    if (chance(10))
        r->only_truncated = 1;
    else if (chance(10))
        r->only_complete = 1;
}

static void random_set(struct ref_set *s, int aws)
{
    memset(s, 0, sizeof *s);
    const int n = (int)rnd(MAX_RULES + 1);
    for (s->n = 0; s->n < n; s->n++) /* rule n is unique among the n before it */
        random_rule(s, &s->r[s->n], aws);
    s->dns = chance(40);
    s->dns_by_rules = chance(30);
    s->unknown_reject = chance(30);
    static const char *const extra[] = {"10.0.0.2", "2001:db8::2", "192.168.1.1"};
    s->n_res = (int)rnd(3);
    for (int i = 0; i < s->n_res; i++)
        s->res[i] = addr_of(extra[i + (int)rnd(2)]);
}

/* A value near one of the rules' range edges, or anything. */
static int near_port(const struct ref_set *s)
{
    if (s->n && chance(70)) {
        const struct ref_rule *r = &s->r[rnd((uint32_t)s->n)];
        const int lo = chance(50) ? r->sport_lo : r->dport_lo;
        const int hi = chance(50) ? r->sport_hi : r->dport_hi;
        const int v[] = {lo - 1, lo, hi, hi + 1, 53};
        const int x = v[rnd(5)];
        return x < 0 ? 0 : x > 65535 ? 65535 : x;
    }
    return chance(20) ? 53 : (int)rnd(65536);
}

static void addr_near(const struct ref_set *s, int fam, uint8_t *a)
{
    /* a prefix of the right family from the rules, with host bits varied */
    for (int tries = 0; s->n && tries < 4 && chance(75); tries++) {
        const struct ref_rule *r = &s->r[rnd((uint32_t)s->n)];
        const struct ref_prefix *p = chance(50) ? &r->src : &r->dst;
        if (p->fam != fam)
            continue;
        memcpy(a, p->a, 16);
        const int max = fam == 4 ? 32 : 128;
        const int mode = (int)rnd(4);
        for (int i = p->len; i < max; i++) {
            const int b = mode == 0 ? 0 : mode == 1 ? 1 : (int)rnd(2);
            if (b)
                a[i / 8] |= (uint8_t)(0x80u >> (i % 8));
        }
        if (mode == 3 && p->len > 0) { /* flip a bit inside the prefix: just outside */
            const int i = p->len - 1 - (int)rnd((unsigned)p->len < 3 ? (unsigned)p->len : 3u);
            a[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
        }
        return;
    }
    if (s->n_res && chance(20)) {
        const struct mdec_addr *r = &s->res[rnd((uint32_t)s->n_res)];
        if (r->family == (fam == 4 ? MDEC_AF_IPV4 : MDEC_AF_IPV6)) {
            memcpy(a, r->a, 16);
            return;
        }
    }
    random_addr(fam, a);
}

/* A value in lo..hi or just outside it. */
static int near_range(int lo, int hi, int max)
{
    const int v[] = {lo - 1, lo, lo + (hi - lo) / 2, hi, hi + 1};
    const int x = v[rnd(5)];
    return x < 0 ? 0 : x > max ? max : x;
}

/* An address inside p, or (sometimes) just outside. */
static void addr_in(const struct ref_prefix *p, int fam, uint8_t *a)
{
    if (p->fam != fam) {
        random_addr(fam, a);
        return;
    }
    memcpy(a, p->a, 16);
    const int max = fam == 4 ? 32 : 128;
    for (int i = p->len; i < max; i++)
        if (rnd(2))
            a[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    if (p->len > 0 && chance(10)) {
        const int i = p->len - 1;
        a[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
    }
}

/* A packet aimed at rule r: each part inside, now and then just outside. */
static void aimed_pkt(const struct ref_rule *r, struct ref_pkt *k)
{
    memset(k, 0, sizeof *k);
    k->ip = 1;
    k->fam = r->src.fam ? r->src.fam : r->dst.fam ? r->dst.fam : chance(50) ? 4 : 6;
    addr_in(&r->src, k->fam, k->src);
    addr_in(&r->dst, k->fam, k->dst);
    k->proto = r->proto >= 0 && chance(95) ? r->proto : (int)rnd(256);
    k->has_proto = chance(97);
    k->has_ports = chance(92);
    k->sport = r->has_sport ? near_range(r->sport_lo, r->sport_hi, 65535) : (int)rnd(65536);
    k->dport = r->has_dport ? near_range(r->dport_lo, r->dport_hi, 65535) : (int)rnd(65536);
    if (!k->has_ports)
        k->sport = k->dport = 0;
    k->has_tid = r->has_vni ? chance(92) : chance(50);
    k->tid = r->has_vni
                 ? (uint32_t)near_range((int)(r->vni_lo > 100000 ? 0 : r->vni_lo),
                                        (int)(r->vni_hi > 100000 ? 100000 : r->vni_hi), 100001)
                 : (uint32_t)next64();
    if (r->has_vni && r->vni_hi == UINT32_MAX && chance(20))
        k->tid = UINT32_MAX;
    if (!k->has_tid)
        k->tid = 0;
    k->truncated = r->only_truncated ? chance(90) : r->only_complete ? chance(10) : chance(30);
    k->dir = chance(85) ? r->dir : (int)rnd(4);
}

static void random_pkt(const struct ref_set *s, struct ref_pkt *k)
{
    if (s->n && chance(60)) {
        aimed_pkt(&s->r[rnd((uint32_t)s->n)], k);
        return;
    }
    memset(k, 0, sizeof *k);
    k->ip = chance(97);
    k->fam = chance(50) ? 4 : 6;
    addr_near(s, k->fam, k->src);
    addr_near(s, k->fam, k->dst);
    if (s->n && chance(60))
        k->proto = s->r[rnd((uint32_t)s->n)].proto;
    if (k->proto < 0 || !(s->n && chance(60))) {
        static const int protos[] = {6, 17, 1, 58, 132, 0, 255, 47};
        k->proto = protos[rnd(8)];
    }
    k->has_proto = chance(95);
    k->has_ports = chance(80);
    if (k->has_ports) {
        k->sport = near_port(s);
        k->dport = near_port(s);
    }
    k->has_tid = chance(50);
    if (k->has_tid) {
        const uint32_t v[] = {0, 1, 99, 100, 500, 999, 1000, 1049, 1050, UINT32_MAX};
        k->tid = chance(70) ? v[rnd(10)] : (uint32_t)next64();
    }
    k->truncated = chance(30);
    static const int dirs[] = {MDEC_DIR_INGRESS, MDEC_DIR_EGRESS, MDEC_DIR_UNKNOWN, 3};
    k->dir = dirs[rnd(4)];
}

/* ------------------------------------------------- into the library */

static void to_prefix(const struct ref_prefix *p, struct mdec_prefix *out)
{
    memset(out, 0, sizeof *out);
    out->addr.family = (uint8_t)(p->fam == 4 ? MDEC_AF_IPV4 : p->fam == 6 ? MDEC_AF_IPV6 : 0);
    if (p->fam)
        memcpy(out->addr.a, p->a, 16);
    out->len = (uint8_t)p->len;
}

static void to_rule(const struct ref_rule *r, struct mdec_rule *m)
{
    mdec_rule_init(m);
    m->direction = (uint8_t)r->dir;
    m->number = (uint16_t)r->number;
    m->action = r->accept ? MDEC_VERDICT_ACCEPT : MDEC_VERDICT_REJECT;
    m->protocol = (int16_t)r->proto;
    to_prefix(&r->src, &m->src);
    to_prefix(&r->dst, &m->dst);
    if (r->has_sport) {
        m->match |= MDEC_RULE_SPORT;
        m->sport_lo = (uint16_t)r->sport_lo;
        m->sport_hi = (uint16_t)r->sport_hi;
    }
    if (r->has_dport) {
        m->match |= MDEC_RULE_DPORT;
        m->dport_lo = (uint16_t)r->dport_lo;
        m->dport_hi = (uint16_t)r->dport_hi;
    }
    if (r->has_vni) {
        m->match |= MDEC_RULE_TUNNEL_ID;
        m->tunnel_id_lo = r->vni_lo;
        m->tunnel_id_hi = r->vni_hi;
    }
    if (r->only_truncated)
        m->match |= MDEC_RULE_TRUNCATED;
    if (r->only_complete)
        m->match |= MDEC_RULE_COMPLETE;
}

static int aws_expressible(const struct ref_set *s)
{
    for (int i = 0; i < s->n; i++) {
        const struct ref_rule *r = &s->r[i];
        if (!r->src.fam || !r->dst.fam || r->src.fam != r->dst.fam || r->has_vni ||
            r->only_truncated || r->only_complete)
            return 0;
    }
    return 1;
}

static size_t json_cidr(char *out, size_t size, const struct ref_prefix *p)
{
    struct mdec_prefix m;
    char a[MDEC_ADDR_STRLEN];
    to_prefix(p, &m);
    mdec_addr_format(&m.addr, a, sizeof a);
    return (size_t)snprintf(out, size, "\"%s/%d\"", a, p->len);
}

/* The set as describe-traffic-mirror-filters would print it, the members
 * in an order that changes with the set. */
static void to_json(const struct ref_set *s, char *out, size_t size, int variant)
{
    size_t n = 0;
#define PUT(...) (n += (size_t)snprintf(out + n, size - n, __VA_ARGS__))
    PUT("{\"TrafficMirrorFilters\": [{\"Description\": \"random\", ");
    if (variant & 1)
        PUT("\"NetworkServices\": [%s], ", s->dns ? "\"amazon-dns\"" : "");
    for (int d = 0; d < 2; d++) {
        const int dir = (d ^ (variant >> 1 & 1)) ? MDEC_DIR_EGRESS : MDEC_DIR_INGRESS;
        PUT("\"%s\": [", dir == MDEC_DIR_INGRESS ? "IngressFilterRules" : "EgressFilterRules");
        int first = 1;
        for (int i = 0; i < s->n; i++) {
            const struct ref_rule *r = &s->r[i];
            if (r->dir != dir)
                continue;
            PUT("%s{\"TrafficDirection\": \"%s\", ", first ? "" : ", ",
                dir == MDEC_DIR_INGRESS ? "ingress" : "egress");
            first = 0;
            if (r->has_dport)
                PUT("\"DestinationPortRange\": {\"ToPort\": %d, \"FromPort\": %d}, ", r->dport_hi,
                    r->dport_lo);
            PUT("\"RuleNumber\": %d, \"RuleAction\": \"%s\", ", r->number,
                r->accept ? "accept" : "reject");
            if (r->proto >= 0)
                PUT("\"Protocol\": %d, ", r->proto);
            PUT("\"SourceCidrBlock\": ");
            n += json_cidr(out + n, size - n, &r->src);
            PUT(", \"DestinationCidrBlock\": ");
            n += json_cidr(out + n, size - n, &r->dst);
            if (r->has_sport)
                PUT(", \"SourcePortRange\": {\"FromPort\": %d, \"ToPort\": %d}", r->sport_lo,
                    r->sport_hi);
            PUT("}");
        }
        PUT("], ");
    }
    if (!(variant & 1))
        PUT("\"NetworkServices\": [%s], ", s->dns ? "\"amazon-dns\"" : "");
    PUT("\"TrafficMirrorFilterId\": \"tmf-diff\", \"Tags\": []}]}");
#undef PUT
    assert_true(n < size);
}

/* Loads the set into f by one of three ways; returns which. */
static int load_set(struct mdec_filter *f, const struct ref_set *s, int way)
{
    mdec_filter_clear(f);
    uint32_t opt = (s->dns ? MDEC_FILTER_AMAZON_DNS : 0) |
                   (s->dns_by_rules ? MDEC_FILTER_AMAZON_DNS_BY_RULES : 0) |
                   (s->unknown_reject ? MDEC_FILTER_UNKNOWN_REJECT : 0);
    mdec_filter_set_options(f, opt);
    for (int i = 0; i < s->n_res; i++)
        assert_int_equal(mdec_filter_add_dns_resolver(f, &s->res[i]), 0);
    if (way == 2 && !aws_expressible(s))
        way = 0;
    struct mdec_rule m;
    if (way == 3) {
        /* decoys added among the rules, then removed: the compiled form
         * must follow every removal */
        static struct ref_set t;
        t = *s;
        const int decoys = (int)rnd(MAX_RULES + 1);
        for (t.n = s->n; t.n < MAX_RULES + decoys && t.n < 2 * MAX_RULES; t.n++)
            random_rule(&t, &t.r[t.n], 0);
        for (int i = 0, j = s->n; i < s->n || j < t.n;) {
            const int real = j == t.n || (i < s->n && chance(50));
            to_rule(&t.r[real ? i++ : j++], &m);
            assert_int_equal(mdec_filter_add(f, &m), 0);
        }
        for (int j = t.n; j-- > s->n;)
            assert_int_equal(mdec_filter_remove(f, (enum mdec_direction)t.r[j].dir,
                                                (uint16_t)t.r[j].number),
                             0);
    } else if (way == 0) {
        for (int i = 0; i < s->n; i++) {
            to_rule(&s->r[i], &m);
            assert_int_equal(mdec_filter_add(f, &m), 0);
        }
    } else if (way == 1) {
        static char text[MAX_RULES * 200];
        size_t n = 0;
        for (int i = 0; i < s->n; i++) {
            to_rule(&s->r[i], &m);
            const int k = mdec_rule_format(&m, text + n, sizeof text - n);
            assert_true(k > 0);
            n += (size_t)k;
            /* CRLF and blank lines here and there */
            text[n++] = i % 2 ? '\n' : '\r';
            text[n++] = '\n';
        }
        text[n] = '\0';
        parse_ok(f, text);
    } else {
        static char json[MAX_RULES * 400 + 512];
        to_json(s, json, sizeof json, (int)rnd(4));
        struct mdec_parse_error e;
        if (mdec_filter_parse_aws_json(f, json, strlen(json), "tmf-diff", &e) != 0)
            fail_msg("json import failed at %u:%u: %s\n%s", e.line, e.column, e.message, json);
        assert_int_equal(mdec_filter_options(f), opt);
    }
    assert_int_equal(mdec_filter_count(f), s->n);
    return way;
}

static void to_flow(const struct ref_pkt *k, struct mdec_flow *fl)
{
    memset(fl, 0, sizeof *fl);
    fl->flags = (uint8_t)((k->ip ? MDEC_FLOW_IP : 0) | (k->has_ports ? MDEC_FLOW_PORTS : 0) |
                          (k->has_tid ? MDEC_FLOW_TUNNEL_ID : 0) |
                          (k->ip && k->has_proto ? MDEC_FLOW_PROTO : 0));
    fl->src.family = fl->dst.family = (uint8_t)(k->fam == 4 ? MDEC_AF_IPV4 : MDEC_AF_IPV6);
    memcpy(fl->src.a, k->src, k->fam == 4 ? 4 : 16);
    memcpy(fl->dst.a, k->dst, k->fam == 4 ? 4 : 16);
    fl->proto = (uint8_t)k->proto;
    /* values behind clear flags are left as garbage: they must not count */
    fl->sport = k->has_ports ? (uint16_t)k->sport : (uint16_t)rnd(65536);
    fl->dport = k->has_ports ? (uint16_t)k->dport : 53;
    fl->tunnel_id = k->has_tid ? k->tid : (uint32_t)next64();
}

static void report(uint64_t seed, int set, int flow, const struct ref_set *s,
                   const struct mdec_filter *f, const struct mdec_flow *fl, const struct ref_pkt *k,
                   int way, int want, int got)
{
    char rules[MAX_RULES * 200];
    dump_rules(f, rules, sizeof rules);
    char a[MDEC_ADDR_STRLEN], b[MDEC_ADDR_STRLEN];
    mdec_addr_format(&fl->src, a, sizeof a);
    mdec_addr_format(&fl->dst, b, sizeof b);
    fail_msg("MISMATCH seed %llu set %d flow %d (loaded by %s)\noptions: dns %d by_rules %d "
             "unknown_reject %d, %d extra resolvers\nrules:\n%spacket: ip %d %s -> %s proto %d "
             "ports %d %d->%d tid %d %u truncated %d dir %d\nreference %s, library %s",
             (unsigned long long)seed, set, flow,
             way == 0   ? "add"
             : way == 1 ? "text"
             : way == 2 ? "json"
                        : "add and remove",
             s->dns, s->dns_by_rules, s->unknown_reject, s->n_res, rules, k->ip, a, b, k->proto,
             k->has_ports, k->sport, k->dport, k->has_tid, k->tid, k->truncated, k->dir,
             mdec_verdict_name((enum mdec_verdict)want), mdec_verdict_name((enum mdec_verdict)got));
}

static void test_against_reference(void **state)
{
    (void)state;
    uint64_t seed = 20240601;
    const char *env = getenv("MDEC_DIFF_SEED");
    if (env && *env)
        seed = strtoull(env, NULL, 10);
    print_message("filter differential test: seed %llu (set MDEC_DIFF_SEED to change)\n",
                  (unsigned long long)seed);
    rng = seed;
    struct mdec_filter *f = new_filter(2 * MAX_RULES);
    static struct ref_set s;
    long cases = 0, accepted = 0, by_way[4] = {0, 0, 0, 0};
    for (int set = 0; set < N_SETS; set++) {
        random_set(&s, set % 4 == 2);
        const int way = load_set(f, &s, set % 4);
        by_way[way]++;
        for (int i = 0; i < FLOWS_PER_SET; i++) {
            struct ref_pkt k;
            random_pkt(&s, &k);
            struct mdec_flow fl;
            to_flow(&k, &fl);
            const int want = ref_eval(&s, &k);
            int got;
            if (i % 4 == 0) { /* through a decode result */
                struct mdec_result res;
                memset(&res, 0, sizeof res);
                res.status =
                    k.truncated ? MDEC_STATUS_TRUNCATED : (uint8_t)(i % 8 ? MDEC_STATUS_OK : MDEC_STATUS_NOT_TUNNELED);
                res.flow = fl;
                got = (int)mdec_filter_eval(f, &res, (enum mdec_direction)k.dir);
            } else {
                got = (int)mdec_filter_eval_flow(f, &fl, k.truncated, (enum mdec_direction)k.dir);
            }
            if (got != want)
                report(seed, set, i, &s, f, &fl, &k, way, want, got);
            accepted += want == MDEC_VERDICT_ACCEPT;
            cases++;
        }
    }
    print_message("%ld cases, %ld accepted; rule sets loaded by add %ld, text %ld, json %ld, "
                  "add and remove %ld\n",
                  cases, accepted, by_way[0], by_way[1], by_way[2], by_way[3]);
    /* the cases are not all one way: both verdicts are well represented */
    assert_true(accepted > cases / 10 && accepted < cases * 9 / 10);
    assert_true(by_way[2] > N_SETS / 20 && by_way[3] > N_SETS / 20);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

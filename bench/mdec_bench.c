/*
 * mdec_bench.c - what mirrordec costs per packet, against the floor of the
 * machine and against libpcap's BPF, on generated mirrored traffic.
 *
 *   mdec_bench [--json] [--reps N] [--cold N] [--hot-cycles N] [--no-flush]
 *   mdec_bench --write-pcap FILE N     the first N frames, as a pcap
 *   mdec_bench --split FILE DIR        whole process: read a pcap, decode,
 *                                      classify, filter, write one pcap
 *                                      per session into DIR
 *   mdec_bench --print-bpf | --print-display-filter | --print-rules
 *   mdec_bench --profile N             each variant once over N frames, no
 *                                      timing: for callgrind (profile.sh)
 *
 * Variants, each timed over the same frames in the same run:
 *   (a) floor   touch (xor) the first 64 bytes of each frame
 *   (b) decode  mdec_decode() down to the inner flow key
 *   (c) demux   (b) + mdec_table_process() on a table without filters
 *   (d) filter  (b) + mdec_table_process(), every session with the AWS filter
 *   (e) bpf     pcap_offline_filter() with the equivalent BPF program
 *   (f) naive   a straight-line parse of the AWS VXLAN layout (Ethernet,
 *               IPv4, UDP 4789, VXLAN, Ethernet with at most one tag, IPv4
 *               or IPv6, TCP or UDP) and the same 10 rules, no validation
 *               at all: what the job costs without checks (frames of other
 *               layouts are skipped, which flatters it)
 *   (c') (d')   (c), (d) through the burst calls, 32 frames at a time:
 *               mdec_decode_burst() + mdec_table_process_burst()
 *   (g) dedup   (c) + mdec_dedup_check() on every accepted packet (a
 *               65536-entry, 10 ms window across all sessions; frame i at
 *               i microseconds, so the hot frames come back every 4 ms
 *               and take the "sent again" path)
 *   (h) cid     (b) + mdec_community_id_result(), base64 text
 *   (i) hash    (b) + mdec_flow_hash_result()
 *   (j)         (c) + mdec_flows_packet(): the mirror-health flow tracker
 *               (capture loss, visibility) on every packet with a session
 *   (j')        (c') + mdec_flows_packet_burst()
 *
 *   mdec_bench --flows      the tracker alone with 1M concurrent flows (a
 *                           table of 2M slots): every flow inserted, then
 *                           looked up in a random order, packet by packet
 *                           and in bursts of 32
 *
 *   mdec_bench --spread     the session step alone (mdec_table_process_burst
 *                           on decoded packets, no filter), traffic spread
 *                           evenly over 10, 10k and 100k sessions (VXLAN
 *                           VNIs, GWLB endpoints, ERSPAN ids in turn), each
 *                           packet of a random session
 * Layouts: hot (4096 frames cycled: they stay in L1/L2) and cold (1M
 * distinct frames back to back, flushed from every cache level before each
 * pass, so each pass reads them from DRAM).
 *
 * Before timing, every cold frame goes through (d) and (e) once: a frame
 * that one accepts and the other does not is a disagreement, and any
 * disagreement makes the program exit 1.  Time never fails anything.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <emmintrin.h>
#define HAVE_CLFLUSH 1
#else
#define HAVE_CLFLUSH 0
#endif

#include <mirrordec.h>

#include "traffic.h"

#ifndef MDEC_BENCH_CFLAGS
#define MDEC_BENCH_CFLAGS "?"
#endif
#ifndef MDEC_BENCH_BUILD_TYPE
#define MDEC_BENCH_BUILD_TYPE "?"
#endif

#define SEED UINT64_C(0x6d69727264656331) /* "mirrdec1" */

/* Each variant stays a function of its own, whatever the compiler sees
 * through the table of them: profile.sh finds it by name. */
#if defined(__GNUC__)
#define VARIANT __attribute__((noinline))
#else
#define VARIANT
#endif
#define HOT_FRAMES 4096u

static void die(const char *what)
{
    fprintf(stderr, "mdec_bench: %s\n", what);
    exit(2);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ----------------------------------------------------------------- frames */

struct rec {
    uint32_t off; /* in the layout's buffer */
    uint16_t len;
    uint8_t kind; /* enum tr_kind */
    uint8_t pad_;
};

struct layout {
    const char *name;
    uint8_t *data;
    size_t bytes;
    struct rec *rec;
    size_t n;
    unsigned cycles; /* passes over the frames per timed run */
    int flush;       /* flush the frames from the caches before each run */
};

/* n frames back to back: one pass to size the buffer, one to fill it, so
 * the footprint is exactly the frames (the generator is deterministic). */
static void generate(struct layout *L, size_t n)
{
    struct tr_gen g;
    uint8_t scratch[TR_MAX_FRAME];
    size_t bytes = 0;
    tr_gen_init(&g, SEED);
    for (size_t i = 0; i < n; i++) {
        enum tr_kind k;
        bytes += tr_gen_next(&g, scratch, &k);
    }
    L->data = malloc(bytes);
    L->rec = malloc(n * sizeof *L->rec);
    if (!L->data || !L->rec)
        die("out of memory");
    tr_gen_init(&g, SEED);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        enum tr_kind k;
        const size_t len = tr_gen_next(&g, L->data + at, &k);
        L->rec[i].off = (uint32_t)at;
        L->rec[i].len = (uint16_t)len;
        L->rec[i].kind = (uint8_t)k;
        L->rec[i].pad_ = 0;
        at += len;
    }
    L->bytes = at;
    L->n = n;
}

/* The first n frames of src, copied into a buffer of their own. */
static void copy_first(struct layout *dst, const struct layout *src, size_t n)
{
    if (n > src->n)
        n = src->n;
    const size_t bytes = n ? src->rec[n - 1].off + src->rec[n - 1].len : 0;
    dst->data = malloc(bytes + 1);
    dst->rec = malloc(n * sizeof *dst->rec + 1);
    if (!dst->data || !dst->rec)
        die("out of memory");
    memcpy(dst->data, src->data, bytes);
    memcpy(dst->rec, src->rec, n * sizeof *dst->rec);
    dst->bytes = bytes;
    dst->n = n;
}

static void free_layout(struct layout *L)
{
    free(L->data);
    free(L->rec);
}

static void flush_range(const void *p, size_t n)
{
#if HAVE_CLFLUSH
    const char *c = p;
    for (size_t i = 0; i < n; i += 64)
        _mm_clflush(c + i);
    _mm_mfence();
#else
    (void)p;
    (void)n;
#endif
}

/* ------------------------------------------------------------ statistics */

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stat3 {
    double med, min, max;
};

static struct stat3 stats(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    struct stat3 s = {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1]};
    return s;
}

/* --------------------------------------------------------------- variants */

struct ctx {
    struct mdec_config cfg;
    struct mdec_table *demux;  /* sessions, no filter   */
    struct mdec_table *filter; /* sessions + AWS filter */
    struct bpf_program bpf;
    struct mdec_flows *flows_hot;  /* (j): 8192 slots for the hot frames */
    struct mdec_flows *flows_cold; /* (j): 2M slots for the cold frames  */
    struct mdec_dedup *dedup;  /* (g)                   */
    struct mdec_hash_key key;  /* (i)                   */
};

/* Packet time for the trackers: 1 us a packet, so no flow goes idle. */
static uint64_t bench_clock;

enum {
    V_FLOOR,
    V_DECODE,
    V_DEMUX,
    V_FILTER,
    V_BPF,
    V_NAIVE,
    V_DEMUX_BURST,
    V_FILTER_BURST,
    V_DEDUP,
    V_CID,
    V_HASH,
    V_HEALTH,
    V_HEALTH_BURST,
    N_VARIANTS
};
static const char *const variant_key[N_VARIANTS] = {
    "floor", "decode",       "demux",        "filter", "bpf",   "naive",
    "demux_burst", "filter_burst", "dedup",  "cid",    "flow_hash", "health", "health_burst"};
static const char *const variant_text[N_VARIANTS] = {
    "(a) floor: touch 64 bytes",   "(b) decode to flow key",
    "(c) + session lookup",        "(d) + 10-rule AWS filter",
    "(e) libpcap BPF filter",      "(f) naive parse + rules",
    "(c') (c) in bursts of 32",    "(d') (d) in bursts of 32",
    "(g) (c) + dedup window",      "(h) (b) + Community ID",
    "(i) (b) + flow hash",         "(j) (c) + flow tracker",
    "(j') (c') + tracker, bursts"};

/* --------------------------------------------------------- naive variant */

/* A rule as the naive variant evaluates it: masked words, no checks. */
struct naive_rule {
    uint8_t action, any_proto, proto, family, ports;
    uint64_t sw[2], sm[2], dw[2], dm[2];
    uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
};

struct naive {
    size_t n_sess;
    uint32_t vni[16];
    uint64_t addr[16][2][2]; /* [session][v4, v6][words] */
    uint32_t allow_w, allow_m;
    unsigned n[2];           /* rules per direction: 0 ingress, 1 egress */
    struct naive_rule r[2][16];
};

static VARIANT uint64_t run_floor(const struct ctx *c, const struct layout *L)
{
    (void)c;
    uint64_t acc = 0;
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i++) {
            const uint8_t *p = L->data + L->rec[i].off;
            uint64_t w[8];
            memcpy(w, p, sizeof w); /* every frame has at least 64 bytes */
            acc += w[0] ^ w[1] ^ w[2] ^ w[3] ^ w[4] ^ w[5] ^ w[6] ^ w[7];
        }
    return acc;
}

static VARIANT uint64_t run_decode(const struct ctx *c, const struct layout *L)
{
    uint64_t acc = 0;
    struct mdec_result res;
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i++) {
            const struct rec *r = &L->rec[i];
            mdec_decode(&c->cfg, MDEC_LINK_ETHERNET, L->data + r->off, r->len, r->len, &res);
            acc += (uint64_t)res.status + res.flow.sport + res.flow.dport + res.flow.tunnel_id +
                   res.flow.src.a[3];
        }
    return acc;
}

static VARIANT uint64_t run_table(const struct ctx *c, const struct layout *L, struct mdec_table *t)
{
    uint64_t acc = 0;
    struct mdec_result res;
    struct mdec_match m;
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i++) {
            const struct rec *r = &L->rec[i];
            mdec_decode(&c->cfg, MDEC_LINK_ETHERNET, L->data + r->off, r->len, r->len, &res);
            acc += mdec_table_process(t, &res, &m) + m.index + res.flow.sport;
        }
    return acc;
}

static VARIANT uint64_t run_demux(const struct ctx *c, const struct layout *L)
{
    return run_table(c, L, c->demux);
}

static VARIANT uint64_t run_filter(const struct ctx *c, const struct layout *L)
{
    return run_table(c, L, c->filter);
}

/* The tracker of the layout: a small one for the hot frames, so that they
 * stay in the caches; 2M slots for the cold ones. */
static struct mdec_flows *flows_of(const struct ctx *c, const struct layout *L)
{
    return L->n <= HOT_FRAMES ? c->flows_hot : c->flows_cold;
}

static VARIANT uint64_t run_health(const struct ctx *c, const struct layout *L)
{
    uint64_t acc = 0;
    struct mdec_result res;
    struct mdec_match m;
    struct mdec_flows *fl = flows_of(c, L);
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i++) {
            const struct rec *r = &L->rec[i];
            mdec_decode(&c->cfg, MDEC_LINK_ETHERNET, L->data + r->off, r->len, r->len, &res);
            acc += mdec_table_process(c->demux, &res, &m) + m.index;
            if (m.index != MDEC_NO_INDEX)
                acc += mdec_flows_packet(fl, &res, m.index, bench_clock += 1000);
        }
    return acc;
}

static VARIANT uint64_t run_bpf(const struct ctx *c, const struct layout *L)
{
    uint64_t acc = 0;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i++) {
            const struct rec *r = &L->rec[i];
            h.caplen = h.len = r->len;
            acc += pcap_offline_filter(&c->bpf, &h, L->data + r->off) != 0;
        }
    return acc;
}

static struct naive naive_world; /* set up once, read by run_naive */

static inline uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One frame, the naive way: 0 skipped or refused, 1 accepted, 2 rejected. */
static inline unsigned naive_frame(const struct naive *nw, const uint8_t *p)
{
    if (p[12] != 0x08 || p[13] != 0x00 || p[23] != 17 || p[36] != 0x12 || p[37] != 0xb5)
        return 0; /* not IPv4 / UDP 4789 */
    const uint8_t *vx = p + 42;
    const uint32_t vni = be32(vx + 4) >> 8;
    size_t s = 0;
    while (s < nw->n_sess && nw->vni[s] != vni)
        s++;
    if (s == nw->n_sess || (be32(p + 26) & nw->allow_m) != nw->allow_w)
        return 0; /* unknown session, or forged */
    const uint8_t *e = vx + 8;
    unsigned et = (unsigned)e[12] << 8 | e[13], l2 = 14;
    if (et == 0x8100) {
        et = (unsigned)e[16] << 8 | e[17];
        l2 = 18;
    }
    const uint8_t *ip = e + l2;
    uint64_t src[2], dst[2];
    unsigned proto, fam;
    const uint8_t *l4;
    if (et == 0x0800) {
        fam = 0;
        src[0] = ld64(ip + 12) & UINT64_C(0xffffffff);
        dst[0] = ld64(ip + 16) & UINT64_C(0xffffffff);
        src[1] = dst[1] = 0;
        proto = ip[9];
        l4 = ip + 20;
    } else {
        fam = 1;
        src[0] = ld64(ip + 8);
        src[1] = ld64(ip + 16);
        dst[0] = ld64(ip + 24);
        dst[1] = ld64(ip + 32);
        proto = ip[6];
        l4 = ip + 40;
    }
    const unsigned sp = (unsigned)l4[0] << 8 | l4[1], dp = (unsigned)l4[2] << 8 | l4[3];
    const uint64_t *me = nw->addr[s][fam];
    unsigned dir;
    if (src[0] == me[0] && src[1] == me[1])
        dir = 1;
    else if (dst[0] == me[0] && dst[1] == me[1])
        dir = 0;
    else
        return 2; /* no direction: no rule applies */
    for (unsigned i = 0; i < nw->n[dir]; i++) {
        const struct naive_rule *r = &nw->r[dir][i];
        if ((!r->any_proto && r->proto != proto) || r->family != fam ||
            ((src[0] & r->sm[0]) ^ r->sw[0]) | ((src[1] & r->sm[1]) ^ r->sw[1]) ||
            ((dst[0] & r->dm[0]) ^ r->dw[0]) | ((dst[1] & r->dm[1]) ^ r->dw[1]))
            continue;
        if (r->ports && (sp < r->sp_lo || sp > r->sp_hi || dp < r->dp_lo || dp > r->dp_hi))
            continue;
        return r->action == MDEC_VERDICT_ACCEPT ? 1 : 2;
    }
    return 2;
}

static VARIANT uint64_t run_naive(const struct ctx *c, const struct layout *L)
{
    (void)c;
    uint64_t acc = 0;
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i++)
            acc += naive_frame(&naive_world, L->data + L->rec[i].off);
    return acc;
}

/* A prefix's words and mask as the naive variant compares them. */
static void naive_net(const struct mdec_prefix *p, uint64_t w[2], uint64_t m[2])
{
    uint8_t mb[16] = {0}, wb[16];
    for (unsigned i = 0; i < p->len && i < 128; i++)
        mb[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    for (unsigned i = 0; i < 16; i++)
        wb[i] = p->addr.a[i] & mb[i];
    memcpy(m, mb, 16);
    memcpy(w, wb, 16);
}

static void naive_setup(const struct mdec_filter *f)
{
    struct naive *nw = &naive_world;
    uint8_t a4[16][4], a6[16][16];
    struct mdec_prefix allow;
    nw->n_sess = tr_vxlan_sessions(nw->vni, a4, a6, 16, &allow);
    for (size_t s = 0; s < nw->n_sess; s++) {
        uint8_t b[16] = {0};
        memcpy(b, a4[s], 4);
        memcpy(nw->addr[s][0], b, 16);
        memcpy(nw->addr[s][1], a6[s], 16);
    }
    nw->allow_m = allow.len ? 0xffffffffu << (32 - allow.len) : 0;
    nw->allow_w = be32(allow.addr.a) & nw->allow_m;
    for (uint32_t i = 0; i < mdec_filter_count(f); i++) {
        const struct mdec_rule *mr = mdec_filter_rule(f, i); /* in evaluation order */
        const unsigned dir = mr->direction == MDEC_DIR_EGRESS;
        struct naive_rule *r = &nw->r[dir][nw->n[dir]++];
        memset(r, 0, sizeof *r);
        r->action = mr->action;
        r->any_proto = mr->protocol == MDEC_PROTO_ANY;
        r->proto = (uint8_t)mr->protocol;
        r->family = mr->src.addr.family == MDEC_AF_IPV6;
        naive_net(&mr->src, r->sw, r->sm);
        naive_net(&mr->dst, r->dw, r->dm);
        r->ports = (mr->match & (MDEC_RULE_SPORT | MDEC_RULE_DPORT)) != 0;
        r->sp_lo = (mr->match & MDEC_RULE_SPORT) ? mr->sport_lo : 0;
        r->sp_hi = (mr->match & MDEC_RULE_SPORT) ? mr->sport_hi : 65535;
        r->dp_lo = (mr->match & MDEC_RULE_DPORT) ? mr->dport_lo : 0;
        r->dp_hi = (mr->match & MDEC_RULE_DPORT) ? mr->dport_hi : 65535;
    }
}

/* ------------------------------------------------------- burst variants */

#define BURST 32

/* (c'), (d'), and with a tracker (j'): Packets of no session go to an
 * index the tracker counts apart (bad_session), as a caller would skip
 * them. */
static uint64_t run_burst(const struct ctx *c, const struct layout *L, struct mdec_table *t,
                          struct mdec_flows *fl)
{
    static struct mdec_result res[BURST];
    static struct mdec_match m[BURST];
    struct mdec_frame fr[BURST];
    uint32_t sess[BURST];
    uint64_t ts[BURST];
    uint64_t acc = 0;
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i += BURST) {
            const size_t n = L->n - i < BURST ? L->n - i : BURST;
            for (size_t j = 0; j < n; j++) {
                const struct rec *r = &L->rec[i + j];
                fr[j].data = L->data + r->off;
                fr[j].cap_len = fr[j].wire_len = r->len;
            }
            (void)mdec_decode_burst(&c->cfg, MDEC_LINK_ETHERNET, fr, NULL, n, res);
            acc += mdec_table_process_burst(t, res, n, m) + m[0].index + res[0].flow.sport;
            if (!fl)
                continue;
            for (size_t j = 0; j < n; j++) {
                sess[j] = m[j].index;
                ts[j] = bench_clock += 1000;
            }
            acc += mdec_flows_packet_burst(fl, res, sess, ts, n);
        }
    return acc;
}

static VARIANT uint64_t run_dedup(const struct ctx *c, const struct layout *L)
{
    uint64_t acc = 0, t = 0;
    struct mdec_result res;
    struct mdec_match m;
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i++, t += 1000) {
            const struct rec *r = &L->rec[i];
            mdec_decode(&c->cfg, MDEC_LINK_ETHERNET, L->data + r->off, r->len, r->len, &res);
            if (mdec_table_process(c->demux, &res, &m) == MDEC_VERDICT_ACCEPT)
                acc += mdec_dedup_check(c->dedup, &res, t, 0, &m.session->counters);
            acc += m.index;
        }
    return acc;
}

static VARIANT uint64_t run_cid(const struct ctx *c, const struct layout *L)
{
    uint64_t acc = 0;
    struct mdec_result res;
    char id[MDEC_COMMUNITY_ID_STRLEN];
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i++) {
            const struct rec *r = &L->rec[i];
            mdec_decode(&c->cfg, MDEC_LINK_ETHERNET, L->data + r->off, r->len, r->len, &res);
            acc += (uint64_t)mdec_community_id_result(&res, 0, 0, id, sizeof id) + (uint8_t)id[5];
        }
    return acc;
}

static VARIANT uint64_t run_hash(const struct ctx *c, const struct layout *L)
{
    uint64_t acc = 0;
    struct mdec_result res;
    for (unsigned k = 0; k < L->cycles; k++)
        for (size_t i = 0; i < L->n; i++) {
            const struct rec *r = &L->rec[i];
            mdec_decode(&c->cfg, MDEC_LINK_ETHERNET, L->data + r->off, r->len, r->len, &res);
            acc += mdec_flow_hash_result(&res, &c->key);
        }
    return acc;
}

static VARIANT uint64_t run_demux_burst(const struct ctx *c, const struct layout *L)
{
    return run_burst(c, L, c->demux, NULL);
}

static VARIANT uint64_t run_filter_burst(const struct ctx *c, const struct layout *L)
{
    return run_burst(c, L, c->filter, NULL);
}

static VARIANT uint64_t run_health_burst(const struct ctx *c, const struct layout *L)
{
    return run_burst(c, L, c->demux, flows_of(c, L));
}

typedef uint64_t (*run_fn)(const struct ctx *, const struct layout *);
static const run_fn runs[N_VARIANTS] = {run_floor,       run_decode,    run_demux,
                                        run_filter,      run_bpf,       run_naive,
                                        run_demux_burst, run_filter_burst, run_dedup,
                                        run_cid,         run_hash,      run_health,
                                        run_health_burst};

/* ---------------------------------------------------------------- spread */

#define SPREAD_PACKETS (1u << 16) /* packets per pass */

/*
 * The session step alone over n sessions: a third VXLAN VNIs, a third GWLB
 * endpoints, a third ERSPAN ids, each session with an allow-list.  The
 * packets are copies of three decoded frames (one of each kind) whose id is
 * set to a random session's; filling them is timed on its own and taken
 * off.  ns per packet, median of reps passes (burst calls of 32).
 */
static double spread(const struct ctx *c, uint32_t n, unsigned reps)
{
    const size_t need = mdec_table_size(n);
    void *mem = aligned_alloc(MDEC_TABLE_ALIGN, (need + 63) / 64 * 64);
    if (!mem)
        die("out of memory");
    struct mdec_table *t = mdec_table_init(mem, need, n, NULL);
    if (!t)
        die("cannot build the spread table");
    /* Templates: the first decoded frame of each kind from the generator. */
    struct mdec_result tmpl[3];
    int have[3] = {0, 0, 0};
    struct tr_gen g;
    tr_gen_init(&g, SEED);
    uint8_t buf[3][TR_MAX_FRAME];
    while (!have[0] || !have[1] || !have[2]) {
        enum tr_kind k;
        uint8_t frame[TR_MAX_FRAME];
        const size_t len = tr_gen_next(&g, frame, &k);
        const int which = k == TR_VXLAN ? 0 : k == TR_GENEVE ? 1 : k == TR_ERSPAN2 ? 2 : -1;
        if (which < 0 || have[which])
            continue;
        memcpy(buf[which], frame, len);
        if (mdec_decode(&c->cfg, MDEC_LINK_ETHERNET, buf[which], len, len, &tmpl[which]) !=
            MDEC_STATUS_OK)
            die("spread: a template frame does not decode");
        have[which] = 1;
    }
    const struct mdec_prefix any = {{MDEC_AF_IPV4, {0}}, 0};
    for (uint32_t i = 0; i < n; i++) {
        /* VNIs and endpoint ids 1..n; ERSPAN has only 1024 ids, the
         * sessions past them are VNIs. */
        struct mdec_key k = {MDEC_KEY_VXLAN, 1, {0}, i + 1};
        if (i % 3 == 1)
            k.kind = MDEC_KEY_GWLB;
        else if (i % 3 == 2 && i / 3 < 1024)
            k = (struct mdec_key){MDEC_KEY_ERSPAN, 1, {0}, i / 3};
        struct mdec_session *s;
        if (mdec_table_add(t, &k, &s) == 0)
            (void)mdec_session_set_allow(t, s, &any, 1);
    }
    /* The packets' sessions, in a random order. */
    struct mdec_key *keys = malloc(SPREAD_PACKETS * sizeof *keys);
    static struct mdec_result res[BURST];
    static struct mdec_match m[BURST];
    if (!keys)
        die("out of memory");
    uint64_t x = SEED;
    uint32_t walk_n = 0;
    struct mdec_key *all = malloc((size_t)n * sizeof *all);
    if (!all)
        die("out of memory");
    for (const struct mdec_session *s = mdec_table_next(t, NULL); s; s = mdec_table_next(t, s))
        all[walk_n++] = s->key;
    for (uint32_t i = 0; i < SPREAD_PACKETS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        keys[i] = all[x % walk_n];
    }
    free(all);
    double *fill_ns = calloc(reps, sizeof(double)), *step_ns = calloc(reps, sizeof(double));
    if (!fill_ns || !step_ns)
        die("out of memory");
    volatile uint64_t sink = 0;
    for (unsigned r = 0; r <= reps; r++) { /* pass 0: warm-up */
        for (int with_step = 0; with_step < 2; with_step++) {
            const double t0 = now_ns();
            for (uint32_t i = 0; i < SPREAD_PACKETS; i += BURST) {
                for (unsigned j = 0; j < BURST; j++) {
                    const struct mdec_key *k = &keys[i + j];
                    const int which = k->kind == MDEC_KEY_VXLAN ? 0 : k->kind == MDEC_KEY_GWLB ? 1 : 2;
                    memcpy(&res[j], &tmpl[which], sizeof res[j]);
                    if (which == 1)
                        res[j].tunnels[0].u.geneve.gwlb_endpoint = k->id;
                    else
                        res[j].tunnels[0].id = (uint32_t)k->id;
                }
                if (with_step)
                    sink += mdec_table_process_burst(t, res, BURST, m);
                else
                    sink += res[0].tunnels[0].id;
            }
            const double ns_pp = (now_ns() - t0) / SPREAD_PACKETS;
            if (r > 0)
                (with_step ? step_ns : fill_ns)[r - 1] = ns_pp;
        }
    }
    const double fill = stats(fill_ns, reps).med, step = stats(step_ns, reps).med;
    const struct mdec_table_stats *st = mdec_table_get_stats(t);
    if (st->unknown != 0)
        die("spread: a packet found no session");
    free(fill_ns);
    free(step_ns);
    free(keys);
    free(mem);
    (void)sink;
    return step - fill;
}

/* ------------------------------------------------------------- trackers */

static const struct mdec_hash_key flows_key = {{0x6d, 0x69, 0x72, 0x72, 0x6f, 0x72,
                                                      0x64, 0x65, 0x63, 0x20, 0x62, 0x65,
                                                      0x6e, 0x63, 0x68, 0x21}};

static struct mdec_flows *make_flows(uint32_t capacity, size_t *bytes)
{
    /* tr_build_table's table holds 64 sessions: indexes 0..64 with the
     * default session's. */
    const size_t need = mdec_flows_size(capacity, 65);
    void *mem = aligned_alloc(MDEC_FLOWS_ALIGN, (need + 63) / 64 * 64);
    if (!mem)
        die("out of memory");
    struct mdec_flows *f = mdec_flows_init(mem, need, capacity, 65, 300 * MDEC_NS_PER_S, &flows_key);
    if (!f)
        die("cannot build a flow tracker");
    if (bytes)
        *bytes = need;
    return f;
}

#define MILLION 1000000u

struct million {
    double packet_ns, burst_ns; /* per packet, fill cost taken off */
    size_t bytes;
    uint64_t evicted;       /* while inserting the 1M flows: buckets over 8 */
    uint64_t evicted_after; /* during the lookups: the flows evicted above
                               come back and push out others in turn   */
};

/* flow f's packet: the template's, with source address 10.x.y.z = f. */
static inline void flow_id(struct mdec_result *r, uint32_t f)
{
    r->flow.src.a[1] = (uint8_t)(f >> 16);
    r->flow.src.a[2] = (uint8_t)(f >> 8);
    r->flow.src.a[3] = (uint8_t)f;
}

/*
 * The tracker alone with 1M flows at once: the template is a decoded AWS
 * VXLAN frame carrying TCP (its numbers read from the frame each time),
 * its source address rewritten to each flow's.  All flows are inserted,
 * then looked up in a random order; the cost of rewriting the address is
 * timed on its own and taken off.
 */
static struct million million(const struct ctx *c, unsigned reps)
{
    struct million out;
    memset(&out, 0, sizeof out);
    struct mdec_flows *fl = make_flows(2 * MILLION, &out.bytes);
    static uint8_t frame[TR_MAX_FRAME];
    struct mdec_result tmpl;
    struct tr_gen g;
    tr_gen_init(&g, SEED);
    for (;;) {
        enum tr_kind k;
        const size_t len = tr_gen_next(&g, frame, &k);
        if (k == TR_VXLAN &&
            mdec_decode(&c->cfg, MDEC_LINK_ETHERNET, frame, len, len, &tmpl) == MDEC_STATUS_OK &&
            tmpl.flow.proto == 6 && tmpl.flow.src.family == MDEC_AF_IPV4)
            break;
    }
    uint32_t *order = malloc(MILLION * sizeof *order);
    double *pk = calloc(reps, sizeof(double)), *bu = calloc(reps, sizeof(double)),
           *fill = calloc(reps, sizeof(double)), *bfill = calloc(reps, sizeof(double));
    if (!order || !pk || !bu || !fill || !bfill)
        die("out of memory");
    for (uint32_t i = 0; i < MILLION; i++)
        order[i] = i;
    uint64_t x = SEED;
    for (uint32_t i = MILLION - 1; i > 0; i--) { /* Fisher-Yates */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const uint32_t j = (uint32_t)(x % (i + 1));
        const uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    struct mdec_result r = tmpl;
    uint64_t now = 1;
    for (uint32_t f = 0; f < MILLION; f++) {
        flow_id(&r, f);
        (void)mdec_flows_packet(fl, &r, 0, now += 1000);
    }
    out.evicted = mdec_flows_get_stats(fl)->evicted;
    static struct mdec_result res[BURST];
    uint32_t sess[BURST] = {0};
    uint64_t ts[BURST];
    for (unsigned i = 0; i < BURST; i++)
        res[i] = tmpl;
    volatile uint64_t sink = 0;
    for (unsigned rep = 0; rep < reps; rep++) {
        double t0 = now_ns();
        for (uint32_t i = 0; i < MILLION; i++) {
            flow_id(&r, order[i]);
            sink += r.flow.src.a[3];
        }
        fill[rep] = (now_ns() - t0) / MILLION;
        t0 = now_ns();
        for (uint32_t i = 0; i < MILLION; i++) {
            flow_id(&r, order[i]);
            sink += mdec_flows_packet(fl, &r, 0, now += 1000);
        }
        pk[rep] = (now_ns() - t0) / MILLION;
        t0 = now_ns();
        for (uint32_t i = 0; i < MILLION; i += BURST) {
            for (unsigned j = 0; j < BURST; j++) {
                flow_id(&res[j], order[(i + j) % MILLION]);
                ts[j] = now += 1000;
            }
            sink += res[0].flow.src.a[3] + ts[0];
        }
        bfill[rep] = (now_ns() - t0) / MILLION;
        t0 = now_ns();
        for (uint32_t i = 0; i < MILLION; i += BURST) {
            for (unsigned j = 0; j < BURST; j++) {
                flow_id(&res[j], order[(i + j) % MILLION]);
                ts[j] = now += 1000;
            }
            sink += mdec_flows_packet_burst(fl, res, sess, ts, BURST);
        }
        bu[rep] = (now_ns() - t0) / MILLION;
    }
    out.packet_ns = stats(pk, reps).med - stats(fill, reps).med;
    out.burst_ns = stats(bu, reps).med - stats(bfill, reps).med;
    out.evicted_after = mdec_flows_get_stats(fl)->evicted - out.evicted;
    (void)sink;
    free(order);
    free(pk);
    free(bu);
    free(fill);
    free(bfill);
    free(fl);
    return out;
}

/* ----------------------------------------------------------- correctness */

struct check {
    uint64_t frames, not_ok, disagree;
    uint64_t verdict[4];          /* of (d), by enum mdec_verdict */
    uint64_t bpf_accept;
    uint64_t by_kind[TR_KINDS];   /* frames of each kind          */
    uint64_t acc_kind[TR_KINDS];  /* accepted by (d), by kind     */
    uint64_t dis_kind[TR_KINDS];  /* disagreements, by kind       */
    size_t first_disagree;
};

static void check_agreement(const struct ctx *c, const struct layout *L, struct mdec_table *t,
                            struct check *k)
{
    memset(k, 0, sizeof *k);
    k->first_disagree = SIZE_MAX;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    for (size_t i = 0; i < L->n; i++) {
        const struct rec *r = &L->rec[i];
        const uint8_t *p = L->data + r->off;
        struct mdec_result res;
        struct mdec_match m;
        if (mdec_decode(&c->cfg, MDEC_LINK_ETHERNET, p, r->len, r->len, &res) != MDEC_STATUS_OK)
            k->not_ok++;
        const enum mdec_verdict v = mdec_table_process(t, &res, &m);
        h.caplen = h.len = r->len;
        const int d = v == MDEC_VERDICT_ACCEPT;
        const int e = pcap_offline_filter(&c->bpf, &h, p) != 0;
        k->frames++;
        k->verdict[v & 3]++;
        k->bpf_accept += (uint64_t)e;
        k->by_kind[r->kind]++;
        k->acc_kind[r->kind] += (uint64_t)d;
        if (d != e) {
            k->disagree++;
            k->dis_kind[r->kind]++;
            if (k->first_disagree == SIZE_MAX)
                k->first_disagree = i;
        }
    }
}

/* ---------------------------------------------------------- the machine */

static void cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *v = strchr(line, ':');
            if (v) {
                v += 1 + (v[1] == ' ');
                snprintf(buf, size, "%.*s", (int)strcspn(v, "\n"), v);
            }
            break;
        }
    }
    fclose(f);
}

static void cache_size(int index, char *buf, size_t size)
{
    char path[96];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
    snprintf(buf, size, "?");
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(buf, (int)size, f))
        buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

/* The 1-minute load average, or -1: how busy the shared machine was. */
static double load_average(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

static long online_cpus(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    long n = 0;
    char line[512];
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        n += strncmp(line, "processor", 9) == 0;
    fclose(f);
    return n;
}

/* ------------------------------------------------------------ setup */

static struct mdec_filter *make_filter(void)
{
    const size_t need = mdec_filter_size(16);
    void *mem = aligned_alloc(MDEC_FILTER_ALIGN, (need + 15) / 16 * 16);
    if (!mem)
        die("out of memory");
    struct mdec_filter *f = mdec_filter_init(mem, need, 16);
    struct mdec_parse_error err;
    if (!f || mdec_filter_parse(f, tr_rules_text, strlen(tr_rules_text), &err) != 0) {
        fprintf(stderr, "mdec_bench: rules: line %u column %u: %s\n", err.line, err.column,
                err.message);
        exit(2);
    }
    return f;
}

static struct mdec_table *make_table(const struct mdec_filter *f)
{
    const size_t need = tr_table_size();
    void *mem = aligned_alloc(MDEC_TABLE_ALIGN, (need + 63) / 64 * 64);
    if (!mem)
        die("out of memory");
    struct mdec_table *t = tr_build_table(mem, need, f);
    if (!t)
        die("cannot build the session table");
    return t;
}

static char *bpf_text(const struct mdec_filter *f)
{
    static char buf[1 << 17];
    if (tr_bpf_expr(f, buf, sizeof buf) == 0)
        die("BPF expression too long");
    return buf;
}

static void compile_bpf(struct bpf_program *prog, const struct mdec_filter *f)
{
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    if (!dead)
        die("pcap_open_dead failed");
    if (pcap_compile(dead, prog, bpf_text(f), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        fprintf(stderr, "mdec_bench: pcap_compile: %s\n", pcap_geterr(dead));
        exit(2);
    }
    pcap_close(dead);
}

/* ------------------------------------------------------- other commands */

static void put_le32(FILE *f, uint32_t v)
{
    const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, f);
}

static int write_pcap(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "mdec_bench: %s: %s\n", path, strerror(errno));
        return 2;
    }
    put_le32(f, 0xa1b2c3d4u);
    put_le32(f, 2u | 4u << 16); /* version 2.4 */
    put_le32(f, 0);
    put_le32(f, 0);
    put_le32(f, 65535);
    put_le32(f, 1); /* LINKTYPE_ETHERNET */
    struct tr_gen g;
    tr_gen_init(&g, SEED);
    uint8_t buf[TR_MAX_FRAME];
    for (size_t i = 0; i < n; i++) {
        enum tr_kind k;
        const size_t len = tr_gen_next(&g, buf, &k);
        put_le32(f, (uint32_t)(1767225600u + i / 1000000)); /* 2026-01-01 */
        put_le32(f, (uint32_t)(i % 1000000));
        put_le32(f, (uint32_t)len);
        put_le32(f, (uint32_t)len);
        fwrite(buf, 1, len, f);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "mdec_bench: %s: write failed\n", path);
        return 2;
    }
    return 0;
}

/*
 * Whole process: what a sensor does with a capture.  Reads FILE with
 * libpcap, and in bursts of SPLIT_BURST frames (copied out of libpcap's
 * buffer, which the next read reuses) decodes them (mdec_decode_burst),
 * classifies them (mdec_table_process_burst: sessions + filter), and
 * appends each accepted frame, as received, to DIR/<session>.pcap (as
 * tcpdump -w writes what its BPF accepts).  Prints the counts.
 */
#define SPLIT_BURST 32

struct split_out {
    pcap_t *pc;
    const char *dir;
    pcap_dumper_t *out[65];
};

/* The session's file, opened on its first frame; NULL on error. */
static pcap_dumper_t *split_file(struct split_out *so, const struct mdec_match *m)
{
    if (so->out[m->index])
        return so->out[m->index];
    char name[MDEC_NAME_MAX + 8], file[4096];
    snprintf(name, sizeof name, "%s", m->session->name);
    for (char *q = name; *q; q++)
        if (*q == ':')
            *q = '_';
    snprintf(file, sizeof file, "%s/%s.pcap", so->dir, name);
    so->out[m->index] = pcap_dump_open(so->pc, file);
    if (!so->out[m->index])
        fprintf(stderr, "mdec_bench: %s\n", pcap_geterr(so->pc));
    return so->out[m->index];
}

static int split(const char *path, const char *dir)
{
    char err[PCAP_ERRBUF_SIZE];
    struct split_out so;
    memset(&so, 0, sizeof so);
    so.dir = dir;
    so.pc = pcap_open_offline(path, err);
    if (!so.pc) {
        fprintf(stderr, "mdec_bench: %s: %s\n", path, err);
        return 2;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mdec_bench: %s: %s\n", dir, strerror(errno));
        return 2;
    }
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    struct mdec_filter *f = make_filter();
    struct mdec_table *t = make_table(f);
    const int link = pcap_datalink(so.pc);
    const size_t snap = (size_t)pcap_snapshot(so.pc) > 0 ? (size_t)pcap_snapshot(so.pc) : 262144;
    uint8_t *buf = malloc(SPLIT_BURST * snap);
    struct mdec_result *res = malloc(SPLIT_BURST * sizeof *res);
    if (!buf || !res)
        die("out of memory");
    struct pcap_pkthdr hdr[SPLIT_BURST];
    struct mdec_frame fr[SPLIT_BURST];
    struct mdec_match m[SPLIT_BURST];
    uint64_t n = 0, accepted = 0;
    int more = 1, rc = 0;
    while (more && rc == 0) {
        size_t k = 0;
        struct pcap_pkthdr *h;
        const u_char *p;
        while (k < SPLIT_BURST && (more = pcap_next_ex(so.pc, &h, &p) == 1)) {
            const size_t len = h->caplen < snap ? h->caplen : snap;
            memcpy(buf + k * snap, p, len);
            hdr[k] = *h;
            hdr[k].caplen = (bpf_u_int32)len;
            fr[k].data = buf + k * snap;
            fr[k].cap_len = (uint32_t)len;
            fr[k].wire_len = h->len;
            k++;
        }
        n += k;
        mdec_decode_burst(&cfg, link, fr, NULL, k, res);
        mdec_table_process_burst(t, res, k, m);
        for (size_t i = 0; i < k; i++) {
            if (m[i].verdict != MDEC_VERDICT_ACCEPT || m[i].index > 64)
                continue;
            pcap_dumper_t *d = split_file(&so, &m[i]);
            if (!d) {
                rc = 2;
                break;
            }
            pcap_dump((u_char *)d, &hdr[i], fr[i].data);
            accepted++;
        }
    }
    for (int i = 0; i < 65; i++)
        if (so.out[i])
            pcap_dump_close(so.out[i]);
    pcap_close(so.pc);
    free(buf);
    free(res);
    free(t);
    free(f);
    if (rc == 0)
        printf("%llu frames, %llu accepted\n", (unsigned long long)n, (unsigned long long)accepted);
    return rc;
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr,
            "usage: mdec_bench [--json] [--reps N] [--cold N] [--hot-cycles N] [--no-flush]\n"
            "                  [--spread] [--flows]\n"
            "       mdec_bench --write-pcap FILE N | --split FILE DIR\n"
            "       mdec_bench --print-bpf | --print-display-filter | --print-rules\n"
            "       mdec_bench --profile N\n");
    exit(2);
}

static unsigned long num_arg(int argc, char **argv, int i)
{
    if (i >= argc)
        usage();
    char *end;
    const unsigned long v = strtoul(argv[i], &end, 10);
    if (*end || end == argv[i])
        usage();
    return v;
}

int main(int argc, char **argv)
{
    int json = 0, flush = HAVE_CLFLUSH, do_spread = 0, do_flows = 0;
    size_t profile = 0;
    unsigned reps = 11;
    size_t cold_n = 1000000;
    unsigned hot_cycles = 256;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--reps") == 0) {
            reps = (unsigned)num_arg(argc, argv, ++i);
        } else if (strcmp(a, "--cold") == 0) {
            cold_n = num_arg(argc, argv, ++i);
        } else if (strcmp(a, "--hot-cycles") == 0) {
            hot_cycles = (unsigned)num_arg(argc, argv, ++i);
        } else if (strcmp(a, "--profile") == 0) {
            profile = num_arg(argc, argv, ++i);
            if (profile == 0)
                usage();
        } else if (strcmp(a, "--no-flush") == 0) {
            flush = 0;
        } else if (strcmp(a, "--spread") == 0) {
            do_spread = 1;
        } else if (strcmp(a, "--flows") == 0) {
            do_flows = 1;
        } else if (strcmp(a, "--write-pcap") == 0 && i + 2 < argc) {
            return write_pcap(argv[i + 1], num_arg(argc, argv, i + 2));
        } else if (strcmp(a, "--split") == 0 && i + 2 < argc) {
            return split(argv[i + 1], argv[i + 2]);
        } else if (strcmp(a, "--print-bpf") == 0) {
            struct mdec_filter *f = make_filter();
            printf("%s\n", bpf_text(f));
            free(f);
            return 0;
        } else if (strcmp(a, "--print-display-filter") == 0) {
            static char buf[1 << 17];
            struct mdec_filter *f = make_filter();
            if (tr_display_filter(f, buf, sizeof buf) == 0)
                die("display filter too long");
            free(f);
            printf("%s\n", buf);
            return 0;
        } else if (strcmp(a, "--print-rules") == 0) {
            fputs(tr_rules_text, stdout);
            return 0;
        } else {
            usage();
        }
    }
    if (reps == 0 || cold_n < HOT_FRAMES || cold_n > 4000000 || hot_cycles == 0)
        usage();

    /* Setup. */
    struct ctx c;
    mdec_config_init(&c.cfg);
    struct mdec_filter *f = make_filter();
    c.demux = make_table(NULL);
    c.filter = make_table(f);
    compile_bpf(&c.bpf, f);
    naive_setup(f);
    c.flows_hot = make_flows(2 * HOT_FRAMES, NULL);
    c.flows_cold = make_flows(2 * MILLION, NULL);
    for (unsigned i = 0; i < sizeof c.key.bytes; i++)
        c.key.bytes[i] = (uint8_t)(0x5a ^ i * 37);
    const size_t dsize = mdec_dedup_size(65536);
    void *dmem = aligned_alloc(MDEC_DEDUP_ALIGN, dsize);
    if (!dmem || !(c.dedup = mdec_dedup_init(dmem, dsize, 65536, 10000000, &c.key)))
        die("cannot build the dedup window");

    if (profile) {
        /* One pass of each variant over the same frames, nothing else:
         * callgrind's inclusive count of run_X divided by N is the cost of
         * variant X per frame. */
        struct layout L = {"profile", NULL, 0, NULL, 0, 1, 0};
        generate(&L, profile);
        volatile uint64_t sink = 0;
        for (int v = 0; v < N_VARIANTS; v++)
            sink += runs[v](&c, &L);
        printf("profile: %zu frames, checksum %llx\n", L.n, (unsigned long long)sink);
        free_layout(&L);
        pcap_freecode(&c.bpf);
        free(c.demux);
        free(c.filter);
        free(c.flows_hot);
        free(c.flows_cold);
        free(c.dedup);
        free(f);
        return 0;
    }

    struct layout cold = {"cold", NULL, 0, NULL, 0, 1, flush};
    struct layout hot = {"hot", NULL, 0, NULL, 0, hot_cycles, 0};
    generate(&cold, cold_n);
    copy_first(&hot, &cold, HOT_FRAMES);

    const double load_start = load_average();

    /* Correctness first: (d) and (e) must accept the same frames. */
    struct check chk;
    struct mdec_table *check_table = make_table(f);
    check_agreement(&c, &cold, check_table, &chk);

    /* Timing: per repetition, every layout and variant, the variants in a
     * rotating order so that drift and other tenants land on all alike. */
    struct layout *lays[2] = {&hot, &cold};
    double *ns[2][N_VARIANTS];
    for (int l = 0; l < 2; l++)
        for (int v = 0; v < N_VARIANTS; v++)
            if (!(ns[l][v] = calloc(reps, sizeof(double))))
                die("out of memory");
    volatile uint64_t sink = 0;
    for (int l = 0; l < 2; l++) /* warm-up: page faults, branch predictors */
        for (int v = 0; v < N_VARIANTS; v++)
            sink += runs[v](&c, lays[l]);
    for (unsigned r = 0; r < reps; r++)
        for (int l = 0; l < 2; l++)
            for (int j = 0; j < N_VARIANTS; j++) {
                const int v = (int)((r + (unsigned)j) % N_VARIANTS);
                struct layout *L = lays[l];
                if (L->flush) {
                    flush_range(L->data, L->bytes);
                    flush_range(L->rec, L->n * sizeof *L->rec);
                }
                const double t0 = now_ns();
                sink += runs[v](&c, L);
                const double t1 = now_ns();
                ns[l][v][r] = (t1 - t0) / ((double)L->n * L->cycles);
            }
    struct stat3 st[2][N_VARIANTS];
    for (int l = 0; l < 2; l++)
        for (int v = 0; v < N_VARIANTS; v++)
            st[l][v] = stats(ns[l][v], reps);

    /* The session step over many sessions (--spread, or always with
     * --json): 10, 10k, 100k. */
    static const uint32_t spread_n[3] = {10, 10000, 100000};
    double spread_ns[3] = {0, 0, 0};
    if (do_spread || json)
        for (int i = 0; i < 3; i++)
            spread_ns[i] = spread(&c, spread_n[i], reps);
    /* The tracker with 1M flows at once (--flows, or always with --json). */
    struct million mil;
    memset(&mil, 0, sizeof mil);
    if (do_flows || json)
        mil = million(&c, reps);

    if (json) {
        printf("{");
        for (int l = 0; l < 2; l++) {
            printf("%s\"%s\": {", l ? ", " : "", lays[l]->name);
            for (int v = 0; v < N_VARIANTS; v++)
                printf("%s\"%s\": %.2f", v ? ", " : "", variant_key[v], st[l][v].med);
            printf("}");
        }
        printf(", \"spread\": {");
        for (int i = 0; i < 3; i++)
            printf("%s\"%u\": %.2f", i ? ", " : "", spread_n[i], spread_ns[i]);
        printf("}, \"flows_1m\": {\"packet\": %.2f, \"burst\": %.2f, \"evicted\": %llu}}\n",
               mil.packet_ns, mil.burst_ns, (unsigned long long)mil.evicted);
    } else {
        char cpu[256], l2[32], l3[32];
        cpu_model(cpu, sizeof cpu);
        cache_size(2, l2, sizeof l2);
        cache_size(3, l3, sizeof l3);
        printf("mdec_bench: mirrordec %s\n", mdec_version());
        printf("machine:  %s, %ld CPUs, L2 %s, L3 %s\n", cpu, online_cpus(), l2, l3);
        printf("          SHARED, NOISY VM: compare figures within one run only; load average "
               "%.2f at start, %.2f at end\n",
               load_start, load_average());
        printf("compiler: %s; %s build, flags \"%s\"\n",
#if defined(__clang__)
               "clang " __clang_version__,
#elif defined(__GNUC__)
               "gcc " __VERSION__,
#else
               "unknown compiler",
#endif
               MDEC_BENCH_BUILD_TYPE, MDEC_BENCH_CFLAGS);
        printf("traffic:  cold %zu frames, %.1f MB + %.1f MB index, %s; hot %zu frames "
               "(%.0f KB) x %u cycles\n",
               cold.n, (double)cold.bytes / 1e6, (double)(cold.n * sizeof(struct rec)) / 1e6,
               flush ? "flushed from the caches before each pass" : "NOT flushed",
               hot.n, (double)hot.bytes / 1e3, hot.cycles);
        printf("          mean frame %.0f bytes;", (double)cold.bytes / (double)cold.n);
        for (int k = 0; k < TR_KINDS; k++)
            printf(" %s %.1f%%%s", tr_kind_names[k], 100.0 * (double)chk.by_kind[k] / (double)chk.frames,
                   k + 1 < TR_KINDS ? "," : "\n");
        printf("verdicts: (d) accept %llu (%.1f%%), reject %llu, forged %llu, unknown session "
               "%llu; (e) accept %llu\n",
               (unsigned long long)chk.verdict[MDEC_VERDICT_ACCEPT],
               100.0 * (double)chk.verdict[MDEC_VERDICT_ACCEPT] / (double)chk.frames,
               (unsigned long long)chk.verdict[MDEC_VERDICT_REJECT],
               (unsigned long long)chk.verdict[MDEC_VERDICT_FORGED],
               (unsigned long long)chk.verdict[MDEC_VERDICT_UNKNOWN_SESSION],
               (unsigned long long)chk.bpf_accept);
        printf("          decode status other than ok: %llu; (d)/(e) disagreements: %llu\n",
               (unsigned long long)chk.not_ok, (unsigned long long)chk.disagree);
        printf("\nns per frame: median of %u repetitions [min..max]; Mpps from the median\n\n",
               reps);
        printf("%-28s | %-24s %7s %7s | %-24s %7s %7s\n", "", "hot: ns/frame", "Mpps", "x floor",
               "cold: ns/frame", "Mpps", "x floor");
        for (int v = 0; v < N_VARIANTS; v++) {
            printf("%-28s |", variant_text[v]);
            for (int l = 0; l < 2; l++) {
                char cell[64];
                snprintf(cell, sizeof cell, "%7.2f [%.2f..%.2f]", st[l][v].med, st[l][v].min,
                         st[l][v].max);
                printf(" %-24s %7.2f %7.2f %s", cell, 1e3 / st[l][v].med,
                       st[l][v].med / st[l][V_FLOOR].med, l ? "\n" : "|");
            }
        }
        /* The full job as the tools run it: (d') in bursts. */
        const double hot_e = st[0][V_BPF].med / st[0][V_FILTER_BURST].med;
        const double hot_f = st[0][V_FILTER_BURST].med / st[0][V_NAIVE].med;
        const double cold_f = st[1][V_FILTER_BURST].med / st[1][V_NAIVE].med;
        printf("\n(e)/(d'): hot %.2fx, cold %.2fx (how many times faster mirrordec's whole job "
               "is than BPF's filter alone)\n",
               hot_e, st[1][V_BPF].med / st[1][V_FILTER_BURST].med);
        printf("(d')/(f): hot %.2fx, cold %.2fx (what the checks and the general decoder cost "
               "over a naive parse)\n",
               hot_f, cold_f);
        if (do_spread) {
            printf("\nsession step, bursts of 32, no filter: ns per packet over N sessions\n");
            for (int i = 0; i < 3; i++)
                printf("  %6u sessions: %6.2f ns  (%.2fx the 10-session cost)\n", spread_n[i],
                       spread_ns[i], spread_ns[i] / spread_ns[0]);
        }
        printf("\nflow tracker: (j) - (c) hot %.2f ns, cold %.2f ns per packet; bursts (j') - (c') "
               "hot %.2f ns, cold %.2f ns\n",
               st[0][V_HEALTH].med - st[0][V_DEMUX].med, st[1][V_HEALTH].med - st[1][V_DEMUX].med,
               st[0][V_HEALTH_BURST].med - st[0][V_DEMUX_BURST].med,
               st[1][V_HEALTH_BURST].med - st[1][V_DEMUX_BURST].med);
        if (do_flows)
            printf("flow tracker alone, 1M flows at once (%.0f MB, 2M slots): %.2f ns per packet, "
                   "%.2f ns in bursts of 32; %llu evicted while inserting them (%.2f%%), %llu "
                   "during the %u x 2M lookups\n",
                   (double)mil.bytes / 1e6, mil.packet_ns, mil.burst_ns,
                   (unsigned long long)mil.evicted, 100.0 * (double)mil.evicted / MILLION,
                   (unsigned long long)mil.evicted_after, reps);
        printf("targets (reported, not enforced):\n");
        printf("  hot  (d') at least 4x faster than (e): %.2fx  %s\n", hot_e,
               hot_e >= 4.0 ? "met" : "NOT met");
        printf("  hot  (d') within 4x of (f):            %.2fx  %s\n", hot_f,
               hot_f <= 4.0 ? "met" : "NOT met");
        printf("  cold (d') within 1.25x of (f):         %.2fx  %s\n", cold_f,
               cold_f <= 1.25 ? "met" : "NOT met");
        if (do_spread)
            printf("  100k spread sessions within 3x of 10:  %.2fx  %s\n",
                   spread_ns[2] / spread_ns[0], spread_ns[2] <= 3 * spread_ns[0] ? "met" : "NOT met");
        printf("checksum %llx\n", (unsigned long long)sink);
    }

    if (chk.disagree) {
        fprintf(stderr, "mdec_bench: (d) and (e) disagree on %llu of %llu frames (first: frame "
                        "%zu);",
                (unsigned long long)chk.disagree, (unsigned long long)chk.frames,
                chk.first_disagree);
        for (int k = 0; k < TR_KINDS; k++)
            if (chk.dis_kind[k])
                fprintf(stderr, " %s %llu", tr_kind_names[k], (unsigned long long)chk.dis_kind[k]);
        fprintf(stderr, "\n");
    }

    /* The tables and the filter start at the memory they were built in. */
    for (int l = 0; l < 2; l++)
        for (int v = 0; v < N_VARIANTS; v++)
            free(ns[l][v]);
    free_layout(&hot);
    free_layout(&cold);
    pcap_freecode(&c.bpf);
    free(check_table);
    free(c.demux);
    free(c.filter);
    free(c.flows_hot);
    free(c.flows_cold);
    free(c.dedup);
    free(f);
    return chk.disagree ? 1 : 0;
}

/*
 * traffic.c - the benchmark's world and its traffic.
 *
 * The world (all addresses documentation or private ranges):
 *
 *   AWS VPC Traffic Mirroring, VXLAN to UDP 4789: 8 mirror sessions, one
 *   per ENI, each with its own VNI.  ENI i has 10.0.i.10 and
 *   2001:db8:a:i::10; the outer source is its IPv4 address, the mirror
 *   target 10.0.100.5.  Sessions allow outer sources in 10.0.0.0/16.
 *   A ninth ENI (10.0.9.10) mirrors with a VNI that has no session, and
 *   a forger (172.31.255.7) sends valid VNIs: 2% and 1% of the VXLAN frames.
 *   Inner frames: Ethernet, 10% with an 802.1Q tag, IPv4 (70%) or IPv6.
 *
 *   AWS Gateway Load Balancer, GENEVE to UDP 6081 from 10.1.0.5: two
 *   endpoints (sessions keyed by the GWLB endpoint id), options endpoint,
 *   attachment and flow cookie (32 bytes), bare IPv4 or IPv6 inside.
 *   Each endpoint serves two IPv4 and two IPv6 hosts.
 *
 *   ERSPAN over GRE (with sequence numbers) from switches 192.168.1.1-4 to
 *   192.168.1.100: sessions 7 and 42 send type II, 300 and 1023 type III
 *   (12-byte header, frame type Ethernet).  Allowed sources
 *   192.168.1.0/24.  Each session watches two IPv4 and two IPv6 hosts.
 *
 * Every inner packet has exactly one end that is a monitored address (the
 * session's addresses, all in 10.0.0.0/8 or 2001:db8:a::/48) and one peer
 * outside those prefixes; TCP (75%, half with 12 bytes of options) or UDP,
 * payload 0..256 bytes, whole (no truncation, no fragments, no IPv4
 * options, no IPv6 extension headers).
 *
 * The filter (tr_rules_text) is applied to every session.  Each ingress
 * rule's destination and each egress rule's source lies inside the
 * monitored prefixes and each peer outside them, so a rule can only match
 * packets of its own direction: that is what lets one BPF expression, which
 * does not know the direction, take each direction's first match.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "traffic.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const tr_kind_names[TR_KINDS] = {
    "vxlan", "vxlan unknown vni", "vxlan forged src", "geneve gwlb", "erspan II", "erspan III",
};

/* ---------------------------------------------------------------- world */

#define N_ENI 8
static const uint32_t eni_vni[N_ENI] = {0x3a41c2, 0x0b7e15, 0x9f2d04, 0x51c3aa,
                                        0x00e8d1, 0x7d0317, 0xc4a9b6, 0x2f6e58};
static const uint32_t unknown_vni = 0x5eed01;
#define MIRROR_TARGET 0x0a006405u /* 10.0.100.5 */
#define FORGER 0xac1fff07u        /* 172.31.255.7 */

#define N_GWLB 2
static const uint64_t gwlb_endpoint[N_GWLB] = {UINT64_C(0x0a1b2c3d4e5f6071),
                                               UINT64_C(0x8899aabbccddeeff)};
static const uint64_t gwlb_attachment[N_GWLB] = {UINT64_C(0x7ffe000000000101),
                                                 UINT64_C(0x7ffe000000000202)};
#define GWLB_NODE 0x0a010005u      /* 10.1.0.5 */
#define GWLB_APPLIANCE 0x0a010014u /* 10.1.0.20 */

#define N_ERSPAN 4
static const uint16_t erspan_id[N_ERSPAN] = {7, 42, 300, 1023};
#define COLLECTOR 0xc0a80164u /* 192.168.1.100 */

/* The AWS filter of every session. */
const char tr_rules_text[] =
    "# mdec_bench: one AWS Traffic Mirror filter on every session\n"
    "ingress 100 reject all 198.51.100.0/24 10.0.0.0/8\n"
    "ingress 110 accept tcp 0.0.0.0/0 10.0.0.0/8 dport 443\n"
    "ingress 120 accept tcp 192.0.2.0/24 10.0.0.0/8 dport 22\n"
    "ingress 130 accept tcp 172.16.0.0/12 10.0.0.0/8 dport 5432\n"
    "ingress 140 accept tcp ::/0 2001:db8:a::/48 dport 443\n"
    "ingress 150 accept udp ::/0 2001:db8:a::/48 dport 53\n"
    "egress 100 reject all 10.0.0.0/8 203.0.113.0/24\n"
    "egress 110 accept tcp 10.0.0.0/8 0.0.0.0/0 sport 443\n"
    "egress 120 accept udp 10.0.0.0/8 0.0.0.0/0 dport 53\n"
    "egress 130 accept tcp 2001:db8:a::/48 ::/0 sport 443\n";

/* Monitored addresses: IPv4 10.0.0.0/8, IPv6 2001:db8:a:NN::HH. */
static void v4(uint8_t a[16], uint32_t x)
{
    memset(a, 0, 16);
    a[0] = (uint8_t)(x >> 24);
    a[1] = (uint8_t)(x >> 16);
    a[2] = (uint8_t)(x >> 8);
    a[3] = (uint8_t)x;
}

static void v6(uint8_t a[16], uint16_t net, uint16_t host)
{
    static const uint8_t pre[6] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0a};
    memset(a, 0, 16);
    memcpy(a, pre, 6);
    a[6] = (uint8_t)(net >> 8);
    a[7] = (uint8_t)net;
    a[14] = (uint8_t)(host >> 8);
    a[15] = (uint8_t)host;
}

/* Host h (0..3: two IPv4, two IPv6) of a session group and index. */
static void host_addr(int v6fam, unsigned group, unsigned i, unsigned h, uint8_t a[16])
{
    /* group 0: ENIs (one address per family), 1: GWLB hosts, 2: ERSPAN hosts */
    if (!v6fam)
        v4(a, group == 0 ? 0x0a00000au | (i + 1) << 8
                         : 0x0a00000au | (group + 1) << 16 | (i + 1) << 8 | (h & 1));
    else
        v6(a, (uint16_t)(group == 0 ? i + 1 : (group + 1) * 16 + i + 1),
           (uint16_t)(0x10 + (group == 0 ? 0 : (h & 1))));
}

/* ------------------------------------------------------------ the table */

size_t tr_table_size(void)
{
    return mdec_table_size(64);
}

static void set_addr(struct mdec_addr *m, int v6fam, const uint8_t a[16])
{
    memset(m, 0, sizeof *m);
    m->family = v6fam ? MDEC_AF_IPV6 : MDEC_AF_IPV4;
    memcpy(m->a, a, v6fam ? 16 : 4);
}

static const struct mdec_prefix *allow_prefix(int which)
{
    /* Constant prefixes: 10.0.0.0/16 for VXLAN, 192.168.1.0/24 for ERSPAN. */
    static const struct mdec_prefix p[2] = {
        {{MDEC_AF_IPV4, {10, 0}}, 16},
        {{MDEC_AF_IPV4, {192, 168, 1}}, 24},
    };
    return &p[which];
}

size_t tr_vxlan_sessions(uint32_t *vni, uint8_t (*addr4)[4], uint8_t (*addr6)[16], size_t max,
                         struct mdec_prefix *allow)
{
    size_t n = 0;
    for (unsigned i = 0; i < N_ENI && n < max; i++, n++) {
        uint8_t a[16];
        vni[n] = eni_vni[i];
        host_addr(0, 0, i, 0, a);
        memcpy(addr4[n], a, 4);
        host_addr(1, 0, i, 0, a);
        memcpy(addr6[n], a, 16);
    }
    *allow = *allow_prefix(0);
    return n;
}

struct mdec_table *tr_build_table(void *mem, size_t size, const struct mdec_filter *f)
{
    struct mdec_table *t = mdec_table_init(mem, size, 64, NULL);
    if (!t)
        return NULL;
    for (unsigned i = 0; i < N_ENI + N_GWLB + N_ERSPAN; i++) {
        struct mdec_key k;
        memset(&k, 0, sizeof k);
        k.has_id = 1;
        unsigned group, idx;
        if (i < N_ENI) {
            group = 0;
            idx = i;
            k.kind = MDEC_KEY_VXLAN;
            k.id = eni_vni[idx];
        } else if (i < N_ENI + N_GWLB) {
            group = 1;
            idx = i - N_ENI;
            k.kind = MDEC_KEY_GWLB;
            k.id = gwlb_endpoint[idx];
        } else {
            group = 2;
            idx = i - N_ENI - N_GWLB;
            k.kind = MDEC_KEY_ERSPAN;
            k.id = erspan_id[idx];
        }
        struct mdec_session *s;
        if (mdec_table_add(t, &k, &s) != 0)
            return NULL;
        char name[MDEC_NAME_MAX];
        (void)mdec_key_format(&k, name, sizeof name);
        (void)mdec_session_set_name(t, s, name);
        (void)mdec_session_set_filter(t, s, f);
        if (group == 0)
            (void)mdec_session_set_allow(t, s, allow_prefix(0), 1);
        else if (group == 2)
            (void)mdec_session_set_allow(t, s, allow_prefix(1), 1);
        uint8_t a[16];
        const unsigned hosts = group == 0 ? 1 : 2;
        struct mdec_addr local[MDEC_SESSION_ADDRS];
        size_t n_local = 0;
        for (int fam = 0; fam < 2; fam++)
            for (unsigned h = 0; h < hosts; h++) {
                host_addr(fam, group, idx, h, a);
                set_addr(&local[n_local++], fam, a);
            }
        (void)mdec_session_set_local(t, s, local, n_local);
    }
    return t;
}

/* ------------------------------------------------------------ generator */

static uint64_t rnd(struct tr_gen *g)
{
    uint64_t z = (g->rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static unsigned below(struct tr_gen *g, unsigned n)
{
    return (unsigned)(rnd(g) % n);
}

void tr_gen_init(struct tr_gen *g, uint64_t seed)
{
    g->rng = seed;
    g->seq = 1;
}

static uint8_t *put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
    return put32(put32(p, (uint32_t)(v >> 32)), (uint32_t)v);
}

static uint8_t *put_mac(uint8_t *p, uint32_t tag)
{
    p[0] = 0x0e; /* locally administered */
    p[1] = 0x5a;
    return put32(p + 2, tag);
}

static void ip4_csum(uint8_t *h)
{
    uint32_t s = 0;
    h[10] = h[11] = 0;
    for (int i = 0; i < 20; i += 2)
        s += (uint32_t)h[i] << 8 | h[i + 1];
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    put16(h + 10, ~s & 0xFFFF);
}

/* An IPv4 header of total length len; returns the end. */
static uint8_t *put_ip4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, size_t len,
                        uint16_t id)
{
    p[0] = 0x45;
    p[1] = 0;
    put16(p + 2, (unsigned)len);
    put16(p + 4, id);
    put16(p + 6, 0x4000); /* DF */
    p[8] = 64;
    p[9] = proto;
    put32(p + 12, src);
    put32(p + 16, dst);
    ip4_csum(p);
    return p + 20;
}

struct flow {
    int v6;
    uint8_t src[16], dst[16];
    uint8_t proto;
    uint16_t sport, dport;
};

/* A peer: never inside 10.0.0.0/8 or 2001:db8:a::/48. */
static void peer_addr(struct tr_gen *g, int v6fam, uint8_t a[16])
{
    memset(a, 0, 16);
    if (v6fam) {
        static const uint8_t pre[2][4] = {{0x20, 0x01, 0x0d, 0xb8}, {0x26, 0x00, 0x1f, 0x18}};
        const unsigned w = below(g, 2);
        memcpy(a, pre[w], 4);
        if (w == 0)
            a[4] = a[5] = 0xff; /* 2001:db8:ffff::/48 */
        a[13] = (uint8_t)below(g, 256);
        a[14] = (uint8_t)below(g, 256);
        a[15] = (uint8_t)(1 + below(g, 254));
        return;
    }
    const unsigned r = below(g, 100);
    uint32_t x;
    if (r < 10)
        x = 0xc6336400u | (1 + below(g, 254)); /* 198.51.100.0/24: blocked inbound */
    else if (r < 25)
        x = 0xc0000200u | (1 + below(g, 254)); /* 192.0.2.0/24: admins */
    else if (r < 35)
        x = 0xcb007100u | (1 + below(g, 254)); /* 203.0.113.0/24: blocked outbound */
    else if (r < 65)
        x = 0xac100000u | (uint32_t)below(g, 1u << 20); /* 172.16.0.0/12 */
    else
        x = 0x22000000u | (uint32_t)below(g, 1u << 24); /* 34.0.0.0/8: internet */
    v4(a, x);
}

static uint16_t service_port(struct tr_gen *g, uint8_t proto)
{
    const unsigned r = below(g, 100);
    if (proto == 6)
        return r < 40 ? 443 : r < 55 ? 22 : r < 70 ? 5432 : r < 85 ? 80 : (uint16_t)(1024 + r * 97);
    return r < 50 ? 53 : r < 75 ? 123 : (uint16_t)(1024 + r * 89);
}

/* A flow of a monitored host (group, index, host) with a peer. */
static void make_flow(struct tr_gen *g, unsigned group, unsigned idx, unsigned hosts,
                      struct flow *f)
{
    uint8_t local[16], peer[16];
    f->v6 = below(g, 100) >= 70;
    host_addr(f->v6, group, idx, below(g, hosts), local);
    peer_addr(g, f->v6, peer);
    f->proto = below(g, 100) < 75 ? 6 : 17;
    const uint16_t svc = service_port(g, f->proto);
    const uint16_t eph = (uint16_t)(32768 + below(g, 28232));
    const int ingress = below(g, 2) != 0;
    const int local_is_server = below(g, 100) < 70;
    memcpy(f->src, ingress ? peer : local, 16);
    memcpy(f->dst, ingress ? local : peer, 16);
    /* The server's end holds the service port. */
    const int src_is_server = ingress ? !local_is_server : local_is_server;
    f->sport = src_is_server ? svc : eph;
    f->dport = src_is_server ? eph : svc;
}

/* The inner IP packet of f with `payload` bytes of data; returns its length. */
static size_t put_inner_ip(struct tr_gen *g, uint8_t *p, const struct flow *f, size_t payload)
{
    const size_t l4 = f->proto == 6 ? (below(g, 2) ? 32 : 20) : 8;
    const size_t iph = f->v6 ? 40 : 20;
    uint8_t *q;
    if (f->v6) {
        put32(p, 0x60000000u | (uint32_t)below(g, 1u << 20));
        put16(p + 4, (unsigned)(l4 + payload));
        p[6] = f->proto;
        p[7] = 64;
        memcpy(p + 8, f->src, 16);
        memcpy(p + 24, f->dst, 16);
        q = p + 40;
    } else {
        uint32_t s = (uint32_t)f->src[0] << 24 | (uint32_t)f->src[1] << 16 |
                     (uint32_t)f->src[2] << 8 | f->src[3];
        uint32_t d = (uint32_t)f->dst[0] << 24 | (uint32_t)f->dst[1] << 16 |
                     (uint32_t)f->dst[2] << 8 | f->dst[3];
        q = put_ip4(p, s, d, f->proto, iph + l4 + payload, (uint16_t)rnd(g));
    }
    put16(q, f->sport);
    put16(q + 2, f->dport);
    if (f->proto == 6) {
        put32(q + 4, (uint32_t)rnd(g));
        put32(q + 8, (uint32_t)rnd(g));
        q[12] = (uint8_t)(l4 / 4 << 4);
        q[13] = 0x18; /* PSH ACK */
        put16(q + 14, 502);
        put16(q + 16, 0);
        put16(q + 18, 0);
        if (l4 == 32) {
            static const uint8_t ts[4] = {1, 1, 8, 10}; /* NOP NOP timestamps */
            memcpy(q + 20, ts, sizeof ts);
            put32(q + 24, (uint32_t)rnd(g));
            put32(q + 28, (uint32_t)rnd(g));
        }
    } else {
        put16(q + 4, (unsigned)(8 + payload));
        put16(q + 6, 0);
    }
    q += l4;
    const uint64_t fill = rnd(g);
    for (size_t i = 0; i < payload; i++)
        q[i] = (uint8_t)(fill >> (i % 8 * 8)) ^ (uint8_t)i;
    return iph + l4 + payload;
}

/* Inner Ethernet (maybe tagged) + IP; returns the length. */
static size_t put_inner_eth(struct tr_gen *g, uint8_t *p, const struct flow *f, int *tagged)
{
    uint8_t *q = put_mac(put_mac(p, 0x01000000u | (uint32_t)below(g, 64)), 0x02000001u);
    *tagged = below(g, 100) < 10;
    if (*tagged) {
        q = put16(q, 0x8100);
        q = put16(q, 100 + below(g, 8));
    }
    q = put16(q, f->v6 ? 0x86DD : 0x0800);
    const size_t payload = below(g, 257);
    return (size_t)(q - p) + put_inner_ip(g, q, f, payload);
}

/* Outer Ethernet + IPv4 + UDP header for a datagram of udp_payload bytes. */
static uint8_t *put_outer_udp(struct tr_gen *g, uint8_t *p, uint32_t src, uint32_t dst,
                              uint16_t dport, size_t udp_payload)
{
    uint8_t *q = put_mac(put_mac(p, 0x0000a001u), 0x0000b002u);
    q = put16(q, 0x0800);
    q = put_ip4(q, src, dst, 17, 28 + udp_payload, (uint16_t)rnd(g));
    q = put16(q, 49152 + below(g, 16384));
    q = put16(q, dport);
    q = put16(q, (unsigned)(8 + udp_payload));
    return put16(q, 0);
}

static uint8_t *put_outer_gre(struct tr_gen *g, uint8_t *p, uint32_t src, uint32_t dst,
                              size_t ip_payload)
{
    uint8_t *q = put_mac(put_mac(p, 0x0000a001u), 0x0000c003u);
    q = put16(q, 0x0800);
    return put_ip4(q, src, dst, 47, 20 + ip_payload, (uint16_t)rnd(g));
}

size_t tr_gen_next(struct tr_gen *g, uint8_t *buf, enum tr_kind *kind)
{
    uint8_t inner[TR_MAX_FRAME];
    struct flow f;
    int tagged;
    const unsigned r = below(g, 1000);

    if (r < 700) { /* AWS VXLAN */
        const unsigned sub = below(g, 100);
        unsigned eni = below(g, N_ENI);
        uint32_t vni = eni_vni[eni], src;
        if (sub < 2) {
            *kind = TR_VXLAN_UNKNOWN;
            eni = N_ENI; /* the ninth ENI: 10.0.9.10 */
            vni = unknown_vni;
        } else if (sub < 3) {
            *kind = TR_VXLAN_FORGED;
        } else {
            *kind = TR_VXLAN;
        }
        make_flow(g, 0, eni, 1, &f);
        src = *kind == TR_VXLAN_FORGED ? FORGER : 0x0a00000au | (eni + 1) << 8;
        const size_t in = put_inner_eth(g, inner, &f, &tagged);
        uint8_t *q = put_outer_udp(g, buf, src, MIRROR_TARGET, 4789, 8 + in);
        q = put32(q, 0x08000000u);
        q = put32(q, vni << 8);
        memcpy(q, inner, in);
        return (size_t)(q - buf) + in;
    }
    if (r < 850) { /* AWS GWLB */
        const unsigned ep = below(g, N_GWLB);
        *kind = TR_GENEVE;
        make_flow(g, 1, ep, 2, &f);
        const size_t in = put_inner_ip(g, inner, &f, below(g, 257));
        uint8_t *q = put_outer_udp(g, buf, GWLB_NODE, GWLB_APPLIANCE, 6081, 8 + 32 + in);
        *q++ = 8; /* version 0, 8 words of options */
        *q++ = 0;
        q = put16(q, f.v6 ? 0x86DD : 0x0800);
        q = put32(q, 0); /* VNI 0 */
        q = put32(q, 0x01080102u);
        q = put64(q, gwlb_endpoint[ep]);
        q = put32(q, 0x01080202u);
        q = put64(q, gwlb_attachment[ep]);
        q = put32(q, 0x01080301u);
        q = put32(q, (uint32_t)rnd(g));
        memcpy(q, inner, in);
        return (size_t)(q - buf) + in;
    }
    /* ERSPAN: sessions 0, 1 type II; 2, 3 type III. */
    const unsigned s = r < 925 ? below(g, 2) : 2 + below(g, 2);
    const int v3 = s >= 2;
    *kind = v3 ? TR_ERSPAN3 : TR_ERSPAN2;
    make_flow(g, 2, s, 2, &f);
    const size_t in = put_inner_eth(g, inner, &f, &tagged);
    const size_t eh = v3 ? 12 : 8;
    uint8_t *q = put_outer_gre(g, buf, 0xc0a80100u | (s + 1), COLLECTOR, 8 + eh + in);
    q = put16(q, 0x1000); /* S */
    q = put16(q, v3 ? 0x22EB : 0x88BE);
    q = put32(q, g->seq++);
    const unsigned vlan = tagged ? 100 : 0;
    if (!v3) {
        q = put16(q, 0x1000 | vlan);                                  /* ver 1, VLAN */
        q = put16(q, (unsigned)(tagged ? 3 : 0) << 11 | erspan_id[s]); /* En, session */
        q = put32(q, (uint32_t)below(g, 1u << 20));                   /* index */
    } else {
        q = put16(q, 0x2000 | vlan);      /* ver 2, VLAN */
        q = put16(q, erspan_id[s]);       /* COS 0, BSO 0, T 0 */
        q = put32(q, (uint32_t)rnd(g));   /* timestamp */
        q = put16(q, 0);                  /* SGT */
        *q++ = 0;                         /* P 0, FT 0 (Ethernet), HwID hi */
        *q++ = (uint8_t)(5 << 4 | 1 << 1); /* HwID lo 5, D 0, Gra 1, O 0 */
    }
    memcpy(q, inner, in);
    return (size_t)(q - buf) + in;
}

/* ------------------------------------------------------- string builder */

struct sb {
    char *p;
    size_t n, cap;
    int over;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sbf(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const size_t room = b->n < b->cap ? b->cap - b->n : 0;
    const int k = vsnprintf(b->p + b->n, room, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= room)
        b->over = 1;
    else
        b->n += (size_t)k;
}

/* ------------------------------------------------------------ the rules */

/* Which families a rule can match (bit 0 IPv4, bit 1 IPv6). */
static unsigned rule_fams(const struct mdec_rule *r)
{
    unsigned f = 3;
    if (r->src.addr.family == MDEC_AF_IPV4 || r->dst.addr.family == MDEC_AF_IPV4)
        f &= 1;
    if (r->src.addr.family == MDEC_AF_IPV6 || r->dst.addr.family == MDEC_AF_IPV6)
        f &= 2;
    return f;
}

/*
 * How one dialect names the inner packet's fields: BPF loads at offsets
 * from a base (udp[...] or ip[...]), or Wireshark field names.
 */
struct view {
    int bpf;         /* 1: BPF, 0: display filter                     */
    int v6;          /* inner packet is IPv6                          */
    const char *acc; /* BPF: "udp" or "ip" (base of the loads)        */
    unsigned off;    /* BPF: offset of the inner IP header from acc   */
    const char *udp; /* display filter: layer of the inner UDP ("#2") */
};

static void prefix_cond(struct sb *b, const struct view *v, const struct mdec_prefix *p, int dst,
                        int *first)
{
    if (p->addr.family == MDEC_AF_NONE || p->len == 0)
        return;
    if (!*first)
        sbf(b, " %s ", v->bpf ? "and" : "&&");
    *first = 0;
    if (!v->bpf) {
        char a[MDEC_ADDR_STRLEN];
        (void)mdec_addr_format(&p->addr, a, sizeof a);
        if (v->v6)
            sbf(b, "ipv6.%s == %s/%u", dst ? "dst" : "src", a, p->len);
        else
            sbf(b, "ip.%s#2 == %s/%u", dst ? "dst" : "src", a, p->len);
        return;
    }
    const unsigned at = v->off + (v->v6 ? (dst ? 24 : 8) : (dst ? 16 : 12));
    int firstw = 1;
    for (unsigned w = 0; w * 32 < p->len; w++) {
        const unsigned bits = p->len - w * 32 >= 32 ? 32 : p->len - w * 32;
        const uint32_t mask = bits == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> bits);
        const uint8_t *a = p->addr.a + 4 * w;
        const uint32_t val = ((uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
                              (uint32_t)a[2] << 8 | a[3]) & mask;
        if (!firstw)
            sbf(b, " and ");
        firstw = 0;
        if (mask == 0xFFFFFFFFu)
            sbf(b, "%s[%u:4] = 0x%08x", v->acc, at + 4 * w, val);
        else
            sbf(b, "%s[%u:4] & 0x%08x = 0x%08x", v->acc, at + 4 * w, mask, val);
    }
}

static void port_cond(struct sb *b, const struct view *v, const struct mdec_rule *r, int dst,
                      int *first)
{
    const unsigned lo = dst ? r->dport_lo : r->sport_lo, hi = dst ? r->dport_hi : r->sport_hi;
    if (!*first)
        sbf(b, " %s ", v->bpf ? "and" : "&&");
    *first = 0;
    if (v->bpf) {
        const unsigned at = v->off + (v->v6 ? 40 : 20) + (dst ? 2 : 0);
        if (lo == hi)
            sbf(b, "%s[%u:2] = %u", v->acc, at, lo);
        else
            sbf(b, "%s[%u:2] >= %u and %s[%u:2] <= %u", v->acc, at, lo, v->acc, at, hi);
        return;
    }
    char field[32];
    if (r->protocol == 6)
        snprintf(field, sizeof field, "tcp.%sport", dst ? "dst" : "src");
    else
        snprintf(field, sizeof field, "udp.%sport%s", dst ? "dst" : "src", v->udp);
    if (lo == hi)
        sbf(b, "%s == %u", field, lo);
    else
        sbf(b, "%s >= %u && %s <= %u", field, lo, field, hi);
}

/* The conditions of one rule, in the view's dialect. */
static void rule_cond(struct sb *b, const struct view *v, const struct mdec_rule *r)
{
    int first = 1;
    sbf(b, "(");
    if (r->protocol != MDEC_PROTO_ANY) {
        first = 0;
        if (v->bpf)
            sbf(b, "%s[%u] = %d", v->acc, v->off + (v->v6 ? 6 : 9), r->protocol);
        else
            sbf(b, v->v6 ? "ipv6.nxt == %d" : "ip.proto#2 == %d", r->protocol);
    }
    prefix_cond(b, v, &r->src, 0, &first);
    prefix_cond(b, v, &r->dst, 1, &first);
    if (r->match & MDEC_RULE_SPORT)
        port_cond(b, v, r, 0, &first);
    if (r->match & MDEC_RULE_DPORT)
        port_cond(b, v, r, 1, &first);
    if (first) /* a rule that matches every packet of its family */
        sbf(b, v->bpf ? "len != 0" : "frame");
    sbf(b, ")");
}

/*
 * First match over rules[0..n): accept when an accept rule matches before
 * any reject rule does.  Written as a right fold: accept rule r gives
 * "r or REST", reject rule r gives "not r and REST"; rules after the last
 * accept rule cannot change the answer.  Returns 0 when the list can never
 * accept (nothing written).
 */
static int first_match(struct sb *b, const struct view *v, const struct mdec_rule *const *rules,
                       unsigned n)
{
    while (n > 0 && rules[n - 1]->action != MDEC_VERDICT_ACCEPT)
        n--;
    if (n == 0)
        return 0;
    const char *or_ = v->bpf ? " or " : " || ", *and_ = v->bpf ? " and " : " && ";
    const char *not_ = v->bpf ? "not " : "!";
    for (unsigned i = 0; i < n; i++) {
        const int last = i + 1 == n;
        if (!last)
            sbf(b, "(");
        if (rules[i]->action == MDEC_VERDICT_REJECT)
            sbf(b, "%s", not_);
        rule_cond(b, v, rules[i]);
        if (!last)
            sbf(b, "%s", rules[i]->action == MDEC_VERDICT_REJECT ? and_ : or_);
    }
    for (unsigned i = 0; i + 1 < n; i++)
        sbf(b, ")");
    return 1;
}

/* The filter's verdict for the inner packet described by v: each
 * direction's first match, or-ed (see the top of this file for why). */
static void verdict_expr(struct sb *b, const struct mdec_filter *f, const struct view *v)
{
    const struct mdec_rule *dir_rules[2][64];
    unsigned n[2] = {0, 0};
    for (uint32_t i = 0; i < mdec_filter_count(f); i++) {
        const struct mdec_rule *r = mdec_filter_rule(f, i);
        if (!(rule_fams(r) & (v->v6 ? 2u : 1u)))
            continue;
        const int d = r->direction == MDEC_DIR_EGRESS;
        if (n[d] < 64)
            dir_rules[d][n[d]++] = r;
    }
    int any = 0;
    sbf(b, "(");
    for (int d = 0; d < 2; d++) {
        struct sb tmp = *b;
        if (any)
            sbf(b, v->bpf ? " or " : " || ");
        if (first_match(b, v, dir_rules[d], n[d]))
            any = 1;
        else
            *b = tmp;
    }
    if (!any)
        sbf(b, v->bpf ? "len = 0" : "!frame");
    sbf(b, ")");
}

/* BPF: the inner IP header at acc[off], of either family, as the
 * ethertype at acc[et] says. */
static void bpf_inner_ip(struct sb *b, const struct mdec_filter *f, const char *acc,
                         unsigned et, unsigned off)
{
    struct view v4v = {1, 0, acc, off, ""}, v6v = {1, 1, acc, off, ""};
    sbf(b, "(%s[%u:2] = 0x0800 and %s[%u] = 0x45 and ", acc, et, acc, off);
    verdict_expr(b, f, &v4v);
    sbf(b, ") or (%s[%u:2] = 0x86dd and %s[%u] & 0xf0 = 0x60 and ", acc, et, acc, off);
    verdict_expr(b, f, &v6v);
    sbf(b, ")");
}

/* BPF: an inner Ethernet frame whose header starts at acc[eth]. */
static void bpf_inner_eth(struct sb *b, const struct mdec_filter *f, const char *acc, unsigned eth)
{
    sbf(b, "(");
    bpf_inner_ip(b, f, acc, eth + 12, eth + 14);
    sbf(b, " or (%s[%u:2] = 0x8100 and (", acc, eth + 12);
    bpf_inner_ip(b, f, acc, eth + 16, eth + 18);
    sbf(b, ")))");
}

size_t tr_bpf_expr(const struct mdec_filter *f, char *buf, size_t size)
{
    struct sb b = {buf, 0, size, 0};
    /* AWS VXLAN: I flag, a VNI with a session, an allowed outer source. */
    sbf(&b, "(udp dst port 4789 and src net 10.0.0.0/16 and udp[8] & 0x08 != 0 and (");
    for (unsigned i = 0; i < N_ENI; i++)
        sbf(&b, "%sudp[12:4] & 0xffffff00 = 0x%08x", i ? " or " : "", eni_vni[i] << 8);
    sbf(&b, ") and ");
    bpf_inner_eth(&b, f, "udp", 16);
    /* AWS GWLB: GENEVE version 0 with 32 bytes of options, the endpoint id
     * option first (as GWLB sends it), bare IP. */
    sbf(&b, ") or (udp dst port 6081 and udp[8] = 0x08 and udp[16:4] = 0x01080102 and (");
    for (unsigned i = 0; i < N_GWLB; i++)
        sbf(&b, "%s(udp[20:4] = 0x%08x and udp[24:4] = 0x%08x)", i ? " or " : "",
            (uint32_t)(gwlb_endpoint[i] >> 32), (uint32_t)gwlb_endpoint[i]);
    sbf(&b, ") and (");
    {
        struct view v4v = {1, 0, "udp", 48, ""}, v6v = {1, 1, "udp", 48, ""};
        sbf(&b, "(udp[10:2] = 0x0800 and udp[48] = 0x45 and ");
        verdict_expr(&b, f, &v4v);
        sbf(&b, ") or (udp[10:2] = 0x86dd and udp[48] & 0xf0 = 0x60 and ");
        verdict_expr(&b, f, &v6v);
        sbf(&b, "))");
    }
    /* ERSPAN over GRE with a sequence number (GRE header 8 bytes), outer
     * IPv4 without options: II (0x88BE, version 1, 8-byte header) and III
     * (0x22EB, version 2, 12-byte header, frame type Ethernet, no
     * platform sub-header). */
    sbf(&b, ") or (ip[0] = 0x45 and ip proto 47 and src net 192.168.1.0/24 and (");
    for (unsigned i = 0; i < N_ERSPAN; i++)
        sbf(&b, "%sip[30:2] & 0x3ff = %u", i ? " or " : "", erspan_id[i]);
    sbf(&b, ") and ((ip[20:4] = 0x100088be and ip[28] & 0xf0 = 0x10 and ");
    bpf_inner_eth(&b, f, "ip", 36);
    sbf(&b, ") or (ip[20:4] = 0x100022eb and ip[28] & 0xf0 = 0x20 and ip[38] & 0x7c = 0 and "
            "ip[39] & 0x01 = 0 and ");
    bpf_inner_eth(&b, f, "ip", 40);
    sbf(&b, ")))");
    return b.over ? 0 : b.n;
}

size_t tr_display_filter(const struct mdec_filter *f, char *buf, size_t size)
{
    struct sb b = {buf, 0, size, 0};
    struct view u4 = {0, 0, NULL, 0, "#2"}, u6 = {0, 1, NULL, 0, "#2"};
    struct view g4 = {0, 0, NULL, 0, "#1"}, g6 = {0, 1, NULL, 0, "#1"};
    /* Tunnels and sessions. Wireshark 4.0 has no names for the AWS GWLB
     * options: their data shows as geneve.option.unknown.data. */
    sbf(&b, "((vxlan.vni in {");
    for (unsigned i = 0; i < N_ENI; i++)
        sbf(&b, "%s%u", i ? ", " : "", eni_vni[i]);
    sbf(&b, "} && ip.src#1 == 10.0.0.0/16) || (geneve.option.unknown.data in {");
    for (unsigned i = 0; i < N_GWLB; i++) {
        sbf(&b, "%s", i ? ", " : "");
        for (int k = 7; k >= 0; k--)
            sbf(&b, "%02x%s", (unsigned)(gwlb_endpoint[i] >> (8 * k)) & 0xFF, k ? ":" : "");
    }
    sbf(&b, "})) && ((ip#2 && ");
    verdict_expr(&b, f, &u4);
    sbf(&b, ") || (ipv6 && ");
    verdict_expr(&b, f, &u6);
    sbf(&b, ")) || (erspan.spanid in {");
    for (unsigned i = 0; i < N_ERSPAN; i++)
        sbf(&b, "%s%u", i ? ", " : "", erspan_id[i]);
    sbf(&b, "} && ip.src#1 == 192.168.1.0/24 && ((ip#2 && ");
    verdict_expr(&b, f, &g4);
    sbf(&b, ") || (ipv6 && ");
    verdict_expr(&b, f, &g6);
    sbf(&b, ")))");
    return b.over ? 0 : b.n;
}

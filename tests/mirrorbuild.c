/*
 * mirrorbuild.c - mirrored TCP packets for the de-duplication tests and
 * fuzz_dedup (mirrorbuild.h).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mirrorbuild.h"

#include <arpa/inet.h>
#include <string.h>

struct mb_spec mb_base(void)
{
    struct mb_spec s;
    memset(&s, 0, sizeof s);
    s.vni = 101;
    s.sender = "10.0.1.10";
    s.ttl = 64;
    s.ipid = 0x1c46;
    s.flowlabel = 0x12345;
    s.seq = 1000;
    s.ack = 2000;
    s.window = 501;
    s.tsval = 77777;
    s.tsecr = 55555;
    s.sport = 443;
    s.dport = 51000;
    s.payload = 100;
    return s;
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* The mirrored Ethernet frame of s into b; returns its length. */
static size_t inner_frame(const struct mb_spec *s, uint8_t *b, struct mb_layout *lay)
{
    static const uint8_t macs[2][12] = {
        {2, 0, 0, 0, 0xa, 1, 2, 0, 0, 0, 0xb, 2},    /* ENI A to the router */
        {2, 0, 0, 0, 0xc, 3, 2, 0, 0, 0, 0xd, 4}};   /* the router to ENI B */
    size_t n = 0;
    memcpy(b, macs[s->mac & 1], 12);
    n = 12;
    if (s->vlan) {
        put16(b + n, 0x8100);
        put16(b + n + 2, (unsigned)s->vlan);
        n += 4;
    }
    put16(b + n, s->v6 ? 0x86DD : 0x0800);
    n += 2;
    const size_t ip = n, iphl = s->v6 ? 40 : 20, thl = s->ts ? 32 : 20;
    const size_t l4 = ip + iphl, total = iphl + thl + s->payload;
    uint8_t src[16], dst[16];
    if (s->v6) {
        inet_pton(AF_INET6, "2600:1f18::a", src);
        inet_pton(AF_INET6, "2600:1f18::b", dst);
        put32(b + ip, 6u << 28 | (uint32_t)s->tos << 20 | s->flowlabel);
        put16(b + ip + 4, (unsigned)(thl + s->payload));
        b[ip + 6] = 6;
        b[ip + 7] = s->ttl;
        memcpy(b + ip + 8, src, 16);
        memcpy(b + ip + 24, dst, 16);
    } else {
        inet_pton(AF_INET, "10.0.1.10", src);
        inet_pton(AF_INET, "10.0.2.20", dst);
        b[ip] = 0x45;
        b[ip + 1] = s->tos;
        put16(b + ip + 2, (unsigned)total);
        put16(b + ip + 4, s->ipid);
        put16(b + ip + 6, 0x4000); /* DF */
        b[ip + 8] = s->ttl;
        b[ip + 9] = 6;
        put16(b + ip + 10, 0);
        memcpy(b + ip + 12, src, 4);
        memcpy(b + ip + 16, dst, 4);
        put16(b + ip + 10, fold(sum16(0, b + ip, 20)));
    }
    if (lay) {
        lay->ip_off = ip;
        lay->hdr_end = l4 + thl;
    }
    uint8_t *t = b + l4;
    put16(t, s->sport);
    put16(t + 2, s->dport);
    put32(t + 4, s->seq);
    put32(t + 8, s->ack);
    t[12] = (uint8_t)((thl / 4) << 4);
    t[13] = 0x18; /* PSH ACK */
    put16(t + 14, s->window);
    put16(t + 16, 0);
    put16(t + 18, 0);
    if (s->ts) {
        t[20] = 1;
        t[21] = 1;
        t[22] = 8;
        t[23] = 10;
        put32(t + 24, s->tsval);
        put32(t + 28, s->tsecr);
    }
    for (size_t i = 0; i < s->payload; i++)
        t[thl + i] = (uint8_t)('a' + i % 26);
    if (s->payload)
        t[thl] ^= s->payload_xor;
    /* The TCP checksum over the pseudo-header and the segment. */
    const size_t alen = s->v6 ? 16 : 4, seg = thl + s->payload;
    uint32_t c = sum16(0, src, alen);
    c = sum16(c, dst, alen);
    c += 6 + (uint32_t)seg;
    c = sum16(c, t, seg);
    put16(t + 16, fold(c));
    return l4 + seg;
}

size_t mb_build(const struct mb_spec *s, uint8_t *out, struct mb_layout *lay)
{
    uint8_t in[2048];
    size_t n = inner_frame(s, in, lay);
    if (s->cut && s->cut < n)
        n = s->cut;
    static const uint8_t outer_mac[12] = {2, 0, 0, 0, 9, 9, 2, 0, 0, 0, 1, 1};
    uint8_t *b = out;
    memcpy(b, outer_mac, 12);
    put16(b + 12, 0x0800);
    uint8_t *ip = b + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (unsigned)(20 + 8 + 8 + n));
    ip[8] = 64;
    ip[9] = 17;
    inet_pton(AF_INET, s->sender, ip + 12);
    inet_pton(AF_INET, "10.0.9.9", ip + 16);
    put16(ip + 10, fold(sum16(0, ip, 20)));
    uint8_t *u = ip + 20;
    put16(u, 40000 + s->vni % 20000);
    put16(u + 2, 4789);
    put16(u + 4, (unsigned)(8 + 8 + n));
    put16(u + 6, 0);
    uint8_t *vx = u + 8;
    memset(vx, 0, 8);
    vx[0] = 0x08;
    put32(vx + 4, s->vni << 8);
    memcpy(vx + 8, in, n);
    if (lay) {
        lay->ip_off += 14 + 20 + 8 + 8;
        lay->hdr_end += 14 + 20 + 8 + 8;
    }
    return 14 + 20 + 8 + 8 + n;
}

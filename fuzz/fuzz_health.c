/*
 * fuzz_health.c - the flow tracker and the payload classifiers, against a
 * model.
 *
 * Input: byte 0 the tracker's capacity (8 << b % 8 slots: 8..1024, small
 * enough that flows are evicted); byte 1 the sessions (1 + b % 4) and the
 * idle time (1 + b >> 2 milliseconds); then packets of 9 bytes each and
 * their payload:
 *
 *   0  bits 0-2 the flow (eight client endpoints 10.0.0.N:1000+N, or
 *      2001:db8::N with bit 7 of byte 7, talking to one server whose port
 *      is 443, 22, 53, 4500, 51820, 80, 443 or 5353 by flow), bits 3-4 the
 *      session index (3 is out of range when fewer sessions), bit 5 which
 *      end sends, bits 6-7 the protocol (TCP, TCP, UDP, ESP)
 *   1  TCP flags
 *   2  sequence number: the sender's next one plus (int8) b * 8
 *   3  ACK: the peer's next sequence number plus (int8) b * 8
 *   4  payload length on the wire (0..255)
 *   5  bytes the capture keeps past the inner headers (255: all)
 *   6  milliseconds since the previous packet
 *   7  bit 7 IPv6; bits 0-6 unused
 *   8  bits 0-3: the payload's first bytes are taken from a table of
 *      protocol starts (TLS, SSH, QUIC, WireGuard, DNS, ESP, HTTP) when
 *      nonzero, the rest from the input
 *   then the payload bytes, as many as byte 4 says (zeros past the input)
 *
 * Every packet is built (tests/pktbuild.c) as an AWS VXLAN mirror, decoded,
 * and fed to the tracker from an exactly sized heap copy (ASan sees any
 * read past the capture).  Checks after every packet:
 *   - the counters move as the packet says: packets by one; untracked
 *     exactly when the decode has no flow; tcp_packets for a TCP header
 *     whose numbers were captured; every payload byte on the wire counted
 *     once by class, the cut ones exactly wire - present; present bytes by
 *     protocol as many as were present;
 *   - gaps <= acks and gap_bytes <= ack_bytes, for every session;
 *   - the table: created = active + expired + evicted, active <= capacity,
 *     flows created per session summing to created;
 *   - the model (every flow ever seen, with its last packet time): a flow
 *     the tracker FOUND is one the model has seen within the idle time;
 *     while nothing has been evicted, the tracker finds exactly what the
 *     model says is live;
 *   - a session index out of range changes nothing but bad_session;
 *   - each detector on the payload as present and on every shorter present
 *     length through 32 bytes, and one byte short (same wire length): YES on the whole is never NO on a cut
 *     (the bytes a mirror removed cannot make a protocol unrecognisable,
 *     only undecided).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "health_int.h"
#include "pktbuild.h"

#define N_FLOWS 8
#define MS UINT64_C(1000000)

static const uint16_t server_port[N_FLOWS] = {443, 22, 53, 4500, 51820, 80, 443, 5353};

/* Payload starts the fuzzer would take long to find. */
static const struct {
    uint8_t n;
    uint8_t b[12];
} starts[16] = {
    {0, {0}},
    {6, {22, 3, 1, 0, 80, 1}},                 /* TLS ClientHello           */
    {5, {23, 3, 3, 0, 100}},                   /* TLS application data      */
    {5, {20, 3, 3, 0, 1}},                     /* TLS ChangeCipherSpec      */
    {8, {'S', 'S', 'H', '-', '2', '.', '0', '-'}},
    {6, {0, 0, 0, 12, 4, 21}},                 /* SSH NEWKEYS               */
    {7, {0xC3, 0, 0, 0, 1, 8, 1}},             /* QUIC v1 long header       */
    {1, {0x41}},                               /* QUIC short header         */
    {4, {1, 0, 0, 0}},                         /* WireGuard initiation      */
    {4, {4, 0, 0, 0}},                         /* WireGuard data            */
    {12, {0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}}, /* DNS query         */
    {8, {0, 0, 1, 0, 0, 0, 0, 1}},             /* ESP, SPI 256              */
    {4, {'G', 'E', 'T', ' '}},
    {9, {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' '}},
    {4, {0, 0, 0, 0}},                         /* IKE's non-ESP marker      */
    {1, {0xFF}},                               /* NAT keepalive             */
};

struct model_flow {
    int seen;
    uint64_t last;
    uint32_t next[2]; /* next sequence number of each end */
};

static void check_detectors(const uint8_t *pay, uint32_t cap, uint32_t wire)
{
    typedef enum det (*detector)(const struct win *);
    static const detector plain[] = {
        mdec__tls_detect, mdec__quic_detect, mdec__ssh_detect, mdec__wireguard_detect,
        mdec__http_detect, mdec__text_detect};
    const struct pkt_meta metas[] = {{6, 1, 443}, {17, 53, 5000}, {17, 4500, 4500}, {50, 0, 0}};
    const size_t np = sizeof plain / sizeof plain[0], nm = sizeof metas / sizeof metas[0];
    enum det full[16];
    const struct win w = {pay, 0, cap, wire, 0, 0};
    for (size_t i = 0; i < np; i++)
        full[i] = plain[i](&w);
    for (size_t m = 0; m < nm; m++) {
        full[np + 2 * m] = mdec__esp_detect(&w, &metas[m]);
        full[np + 2 * m + 1] = mdec__dns_detect(&w, &metas[m]);
    }
    (void)mdec__classify_app(&w, &metas[0]);
    (void)mdec__quic_datagram(&w);
    /* Every cut through the first 32 bytes (where the evidence is), and
     * one byte short of the whole. */
    for (uint32_t c = 0; c < cap; c = c + 1 < 32 || c + 1 >= cap - 1 ? c + 1 : cap - 1) {
        uint8_t *copy = fuzz_malloc(c ? c : 1); /* exactly c bytes: ASan guards them */
        memcpy(copy, pay, c);
        const struct win cw = {copy, 0, c, wire, 0, 0};
        for (size_t i = 0; i < np + 2 * nm; i++) {
            const enum det d = i < np ? plain[i](&cw)
                                      : ((i - np) % 2 ? mdec__dns_detect(&cw, &metas[(i - np) / 2])
                                                      : mdec__esp_detect(&cw, &metas[(i - np) / 2]));
            if (full[i] == DET_YES && d == DET_NO)
                fuzz_fail("detector %zu: yes on %u present bytes, no on %u of them", i, cap, c);
        }
        uint32_t len;
        uint8_t type;
        (void)mdec__tls_record(&cw, 0, &type, &len);
        (void)mdec__ssh_packet(&cw, 0, &len, &type);
        (void)mdec__ssh_line_end(&cw, 0);
        free(copy);
    }
}

static void check_table(struct mdec_flows *t, uint32_t n_sessions)
{
    const struct mdec_flows_stats *st = mdec_flows_get_stats(t);
    FUZZ_CHECK(st->created == st->active + st->expired + st->evicted);
    FUZZ_CHECK(st->active <= st->capacity);
    uint64_t flows = 0;
    for (uint32_t s = 0; s < n_sessions; s++) {
        const struct mdec_health *h = mdec_flows_counters(t, s);
        FUZZ_CHECK(h->gaps <= h->acks);
        FUZZ_CHECK(h->gap_bytes <= h->ack_bytes);
        flows += h->flows;
    }
    FUZZ_CHECK(flows == st->created);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    const uint32_t capacity = 8u << (fuzz_u8(&in) % 8);
    const uint8_t b1 = fuzz_u8(&in);
    const uint32_t n_sessions = 1 + b1 % 4;
    const uint64_t idle = (1 + (uint64_t)(b1 >> 2)) * MS;
    static const struct mdec_hash_key key = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}};
    const size_t need = mdec_flows_size(capacity, n_sessions);
    void *mem = aligned_alloc(MDEC_FLOWS_ALIGN, (need + 63) / 64 * 64);
    FUZZ_CHECK(mem != NULL);
    struct mdec_flows *t = mdec_flows_init(mem, need, capacity, n_sessions, idle, &key);
    FUZZ_CHECK(t != NULL);
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    static struct pb p;
    struct model_flow model[4][N_FLOWS][2][3]; /* [session][flow][family][protocol] */
    memset(model, 0, sizeof model);
    uint64_t now = 0;
    unsigned packets = 0;
    while (in.n > 0 && packets++ < 400) {
        const uint8_t b0 = fuzz_u8(&in), flags = fuzz_u8(&in);
        const int8_t dseq = (int8_t)fuzz_u8(&in), dack = (int8_t)fuzz_u8(&in);
        const uint8_t plen = fuzz_u8(&in), keep = fuzz_u8(&in), dt = fuzz_u8(&in);
        const uint8_t b7 = fuzz_u8(&in), b8 = fuzz_u8(&in);
        const unsigned fi = b0 & 7u, session = (b0 >> 3) & 3u, from_server = (b0 >> 5) & 1u;
        const unsigned proto = (b0 >> 6) < 2 ? 6 : (b0 >> 6) == 2 ? 17 : 50;
        const int v6 = b7 >> 7;
        uint8_t payload[256];
        memset(payload, 0, sizeof payload);
        size_t k = 0;
        const unsigned st = b8 & 15u;
        for (; k < starts[st].n && k < plen; k++)
            payload[k] = starts[st].b[k];
        for (; k < plen; k++)
            payload[k] = fuzz_u8(&in);
        now += dt * MS;
        struct model_flow *mf = &model[session][fi][v6][(b0 >> 6) < 2 ? 0 : (b0 >> 6) - 1];
        const uint32_t seq = mf->next[from_server] + (uint32_t)((int32_t)dseq * 8);
        const uint32_t ack = mf->next[!from_server] + (uint32_t)((int32_t)dack * 8);
        mf->next[from_server] = seq + plen;

        char cli[64], srv[64];
        snprintf(cli, sizeof cli, v6 ? "2001:db8::%u" : "10.0.0.%u", fi + 1);
        snprintf(srv, sizeof srv, v6 ? "2001:db8::ff" : "10.9.9.9");
        const char *src = from_server ? srv : cli, *dst = from_server ? cli : srv;
        const unsigned cport = 1000 + fi, sport = server_port[fi];
        pb_init(&p);
        pb_eth(&p, 0x0800);
        const size_t oip = pb_ipv4(&p, "10.0.1.15", "10.0.9.9", 17);
        const size_t u = pb_udp(&p, 51234, 4789);
        pb_vxlan(&p, 0x08, 7);
        pb_eth(&p, v6 ? 0x86DD : 0x0800);
        const size_t iip = v6 ? pb_ipv6(&p, src, dst, proto) : pb_ipv4(&p, src, dst, proto);
        size_t iu = 0;
        if (proto == 6) {
            pb_be16(&p, from_server ? sport : cport);
            pb_be16(&p, from_server ? cport : sport);
            pb_be32(&p, seq);
            pb_be32(&p, ack);
            pb_u8(&p, 0x50);
            pb_u8(&p, flags);
            pb_be16(&p, 8192);
            pb_be32(&p, 0);
        } else if (proto == 17) {
            iu = pb_udp(&p, from_server ? sport : cport, from_server ? cport : sport);
        }
        const size_t hdrs = p.n;
        pb_bytes(&p, payload, plen);
        if (proto == 17)
            pb_end_udp(&p, iu);
        if (v6)
            pb_end_ipv6(&p, iip);
        else
            pb_end_ipv4(&p, iip);
        pb_end_udp(&p, u);
        pb_end_ipv4(&p, oip);
        const size_t cap = keep == 255 || hdrs + keep >= p.n ? p.n : hdrs + keep;
        uint8_t *frame = fuzz_malloc(cap);
        memcpy(frame, p.b, cap);
        struct mdec_result r;
        (void)mdec_decode(&cfg, MDEC_LINK_ETHERNET, frame, cap, p.n, &r);

        const struct mdec_flows_stats before = *mdec_flows_get_stats(t);
        struct mdec_health hb;
        memset(&hb, 0, sizeof hb);
        if (session < n_sessions)
            hb = *mdec_flows_counters(t, session);
        const enum mdec_track how = mdec_flows_packet(t, &r, session, now);
        const struct mdec_flows_stats *after = mdec_flows_get_stats(t);
        if (session >= n_sessions) {
            FUZZ_CHECK(how == MDEC_TRACK_NONE);
            FUZZ_CHECK(after->bad_session == before.bad_session + 1);
            FUZZ_CHECK(after->created == before.created);
            free(frame);
            continue;
        }
        const struct mdec_health *h = mdec_flows_counters(t, session);
        FUZZ_CHECK(h->packets == hb.packets + 1);
        const int has_flow = (r.flow.flags & MDEC_FLOW_IP) && (r.flow.flags & MDEC_FLOW_PROTO) &&
                             (proto == 50 || (r.flow.flags & MDEC_FLOW_PORTS));
        FUZZ_CHECK((how == MDEC_TRACK_NONE) == !has_flow);
        FUZZ_CHECK(h->untracked == hb.untracked + !has_flow);
        uint64_t vis = 0, vis_before = 0, app = 0, app_before = 0;
        for (unsigned v = 0; v < MDEC_VIS_COUNT; v++) {
            vis += h->vis_bytes[v];
            vis_before += hb.vis_bytes[v];
        }
        for (unsigned a = 0; a < MDEC_APP_MAX; a++) {
            app += h->app_bytes[a];
            app_before += hb.app_bytes[a];
        }
        const uint64_t pay_cap = cap > hdrs ? cap - hdrs : 0;
        if (MDEC_HAS_SPAN(&r, MDEC_SPAN_PAYLOAD)) {
            FUZZ_CHECK(r.span[MDEC_SPAN_PAYLOAD].wire_len == plen);
            FUZZ_CHECK(vis - vis_before == plen);
            FUZZ_CHECK(h->vis_bytes[MDEC_VIS_CUT] - hb.vis_bytes[MDEC_VIS_CUT] == plen - pay_cap);
            if (has_flow)
                FUZZ_CHECK(app - app_before == pay_cap);
        } else {
            FUZZ_CHECK(vis == vis_before);
        }
        /* The numbers are read once the whole TCP header is there. */
        const int tcp_numbers = proto == 6 && has_flow && cap >= hdrs;
        FUZZ_CHECK(h->tcp_packets == hb.tcp_packets + (uint64_t)tcp_numbers);
        if (has_flow) {
            const int live = mf->seen && now - mf->last <= idle;
            if (how == MDEC_TRACK_FOUND)
                FUZZ_CHECK(live);
            if (after->evicted == 0)
                FUZZ_CHECK((how == MDEC_TRACK_FOUND) == live);
            mf->seen = 1;
            mf->last = now;
        }
        check_table(t, n_sessions);
        check_detectors(frame + (cap < hdrs ? cap : hdrs), (uint32_t)pay_cap, plen);
        free(frame);
    }
    mdec_flows_clear(t);
    check_table(t, n_sessions);
    free(mem);
    return 0;
}

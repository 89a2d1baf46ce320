/*
 * health_util.c - see health_util.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HU_DIR MDEC_FIXTURE_DIR "/../health/fixtures"

void hu_frame(struct pb *p, uint32_t vni, const char *src, const char *dst, unsigned proto,
              unsigned sport, unsigned dport, uint32_t seq, uint32_t ack, unsigned flags,
              const uint8_t *payload, size_t n)
{
    pb_init(p);
    pb_eth(p, 0x0800);
    const size_t oip = pb_ipv4(p, "10.0.1.15", "10.0.9.9", 17);
    const size_t u = pb_udp(p, 51234, 4789);
    pb_vxlan(p, 0x08, vni);
    pb_eth(p, 0x0800);
    const size_t iip = pb_ipv4(p, src, dst, proto);
    size_t iu = 0;
    if (proto == 6) {
        pb_be16(p, sport);
        pb_be16(p, dport);
        pb_be32(p, seq);
        pb_be32(p, ack);
        pb_u8(p, 0x50);
        pb_u8(p, flags);
        pb_be16(p, 8192);
        pb_be32(p, 0);
    } else if (proto == 17) {
        iu = pb_udp(p, sport, dport);
    }
    if (payload)
        pb_bytes(p, payload, n);
    else
        pb_fill(p, 'x', n);
    if (proto == 17)
        pb_end_udp(p, iu);
    pb_end_ipv4(p, iip);
    pb_end_udp(p, u);
    pb_end_ipv4(p, oip);
}

struct mdec_flows *hu_flows(uint32_t capacity, uint32_t n_sessions, uint64_t idle_ns)
{
    struct mdec_hash_key key;
    for (unsigned i = 0; i < 16; i++)
        key.bytes[i] = (uint8_t)i;
    const size_t need = mdec_flows_size(capacity, n_sessions);
    assert_true(need > 0);
    void *mem = aligned_alloc(MDEC_FLOWS_ALIGN, (need + 63) / 64 * 64);
    assert_non_null(mem);
    struct mdec_flows *t = mdec_flows_init(mem, need, capacity, n_sessions, idle_ns, &key);
    assert_ptr_equal(t, mem);
    return t;
}

enum mdec_track hu_feed(struct mdec_flows *t, const uint8_t *frame, size_t cap, size_t wire,
                        uint64_t ts)
{
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    struct mdec_result r;
    const enum mdec_status st = mdec_decode(&cfg, MDEC_LINK_ETHERNET, frame, cap, wire, &r);
    assert_true(st == MDEC_STATUS_OK || st == MDEC_STATUS_TRUNCATED);
    assert_true(r.flow.flags & MDEC_FLOW_IP);
    return mdec_flows_packet(t, &r, 0, ts);
}

static uint8_t *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", HU_DIR, name);
    static uint8_t buf[1 << 20];
    *len = read_file(path, buf, sizeof buf);
    return buf;
}

void hu_run_fixture(const char *name, struct mdec_health *h)
{
    size_t len;
    const uint8_t *data = slurp(name, &len);
    struct pcap_reader rd;
    assert_int_equal(pcap_reader_open(&rd, data, len), 0);
    struct mdec_flows *t = hu_flows(1024, 1, 60 * MDEC_NS_PER_S);
    struct mdec_flows *cuts = hu_flows(1024, 1, 60 * MDEC_NS_PER_S);
    struct mdec_config cfg;
    mdec_config_init(&cfg);
    const uint8_t *pkt;
    uint32_t cap, wire;
    int rc;
    unsigned records = 0;
    while ((rc = pcap_reader_next(&rd, &pkt, &cap, &wire)) == 1) {
        records++;
        const uint64_t ts = (uint64_t)rd.ts_sec * MDEC_NS_PER_S + (uint64_t)rd.ts_frac * 1000;
        struct mdec_result r;
        struct guard g;
        guard_copy(&g, pkt, cap);
        (void)mdec_decode(&cfg, (int)rd.linktype, g.p, cap, wire, &r);
        (void)mdec_flows_packet(t, &r, 0, ts);
        guard_free(&g);
        for (uint32_t c = 0; records <= 40 && c < cap; c += 1 + c / 16) {
            guard_copy(&g, pkt, c);
            (void)mdec_decode(&cfg, (int)rd.linktype, g.p, c, wire, &r);
            (void)mdec_flows_packet(cuts, &r, 0, ts);
            guard_free(&g);
        }
    }
    assert_int_equal(rc, 0);
    *h = *mdec_flows_counters(t, 0);
    free(t);
    free(cuts);
}

const char *hu_expected(const char *name, const char *key, char *buf, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/expected.txt", HU_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    const size_t nl = strlen(name), kl = strlen(key);
    const char *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, name, nl) != 0 || line[nl] != ' ')
            continue;
        for (char *w = strtok(line + nl, " \n"); w; w = strtok(NULL, " \n"))
            if (strncmp(w, key, kl) == 0 && w[kl] == '=') {
                snprintf(buf, size, "%s", w + kl + 1);
                found = buf;
                break;
            }
    }
    fclose(f);
    return found;
}

/*
 * testutil.c - see testutil.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "testutil.h"

#include "result_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void guard_copy(struct guard *g, const void *data, size_t len)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t pages = (len + page - 1) / page + 1;
    g->map_len = pages * page;
    g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(g->map != MAP_FAILED);
    uint8_t *last = (uint8_t *)g->map + (pages - 1) * page;
    assert_int_equal(mprotect(last, page, PROT_NONE), 0);
    g->p = last - len;
    if (len)
        memcpy(g->p, data, len);
}

void guard_free(struct guard *g)
{
    munmap(g->map, g->map_len);
    g->map = NULL;
}

/* result_check.c reports through this: the test fails with its sentence. */
static void fail_test(void *arg, const char *msg)
{
    (void)arg;
    fail_msg("%s", msg);
}

static const struct result_report cmocka_report = {fail_test, NULL};

void check_result(const struct mdec_result *r, const uint8_t *frame, size_t cap)
{
    (void)result_check(&cmocka_report, r, frame, cap);
}

static enum mdec_status decode_guarded(const struct mdec_config *cfg, int linktype,
                                       const uint8_t *pkt, size_t cap, size_t wire,
                                       const struct mdec_udp_meta *meta, struct mdec_result *r)
{
    struct guard g;
    guard_copy(&g, pkt, cap);
    enum mdec_status st = meta ? mdec_decode_udp(cfg, g.p, cap, wire, meta, r)
                               : mdec_decode(cfg, linktype, g.p, cap, wire, r);
    check_result(r, g.p, cap);
    guard_free(&g);
    return st;
}

static enum mdec_status every_length(const struct mdec_config *cfg, int linktype,
                                     const uint8_t *pkt, size_t cap, size_t wire,
                                     const struct mdec_udp_meta *meta)
{
    static struct mdec_result full, r; /* large: keep them off the stack */
    enum mdec_status st = decode_guarded(cfg, linktype, pkt, cap, wire, meta, &full);
    for (size_t n = 0; n < cap; n++) {
        decode_guarded(cfg, linktype, pkt, n, wire, meta, &r);
        (void)result_check_cut(&cmocka_report, &full, &r, n);
        decode_guarded(cfg, linktype, pkt, n, n, meta, &r);
    }
    return st;
}

enum mdec_status check_every_length(const struct mdec_config *cfg, int linktype,
                                    const uint8_t *pkt, size_t cap, size_t wire)
{
    return every_length(cfg, linktype, pkt, cap, wire, NULL);
}

enum mdec_status check_every_length_udp(const struct mdec_config *cfg, const uint8_t *pkt,
                                        size_t cap, size_t wire,
                                        const struct mdec_udp_meta *meta)
{
    return every_length(cfg, 0, pkt, cap, wire, meta);
}

struct mdec_addr addr_of(const char *text)
{
    struct mdec_addr a;
    struct mdec_parse_error e;
    if (mdec_addr_parse(text, strlen(text), &a, &e) != 0)
        fail_msg("bad test address '%s': %s", text, e.message);
    return a;
}

size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t n = fread(buf, 1, cap, f);
    assert_true(feof(f));
    fclose(f);
    return n;
}

static uint32_t rd32(const struct pcap_reader *rd, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    if (rd->swap)
        v = (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
    return v;
}

int pcap_reader_open(struct pcap_reader *rd, const uint8_t *data, size_t len)
{
    if (len < 24)
        return -1;
    rd->data = data;
    rd->len = len;
    rd->pos = 24;
    rd->swap = 0;
    uint32_t magic = rd32(rd, data);
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
        rd->swap = 1;
        magic = rd32(rd, data);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
            return -1;
    }
    rd->linktype = rd32(rd, data + 20) & 0x0FFFFFFF;
    return 0;
}

int pcap_reader_next(struct pcap_reader *rd, const uint8_t **pkt, uint32_t *caplen,
                     uint32_t *wirelen)
{
    if (rd->pos == rd->len)
        return 0;
    if (rd->len - rd->pos < 16)
        return -1;
    const uint8_t *h = rd->data + rd->pos;
    rd->ts_sec = rd32(rd, h);
    rd->ts_frac = rd32(rd, h + 4);
    *caplen = rd32(rd, h + 8);
    *wirelen = rd32(rd, h + 12);
    if (*caplen > rd->len - rd->pos - 16)
        return -1;
    *pkt = h + 16;
    rd->pos += 16 + (size_t)*caplen;
    return 1;
}

/*
 * testutil.c - see testutil.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "testutil.h"

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

static void check_span_in(uint32_t off, uint32_t len, size_t cap, const char *what)
{
    if ((uint64_t)off + len > cap) {
        fail_msg("%s at %u+%u beyond the %zu captured bytes", what, off, len, cap);
    }
}

void check_result_bounds(const struct mdec_result *r, size_t cap)
{
    assert_in_range(r->status, MDEC_STATUS_OK, MDEC_STATUS_NOT_TUNNELED);
    assert_string_not_equal(mdec_status_name((enum mdec_status)r->status), "?");
    assert_in_range(r->n_tunnels, 0, MDEC_MAX_TUNNELS);
    assert_in_range(r->n_anomalies, 0, MDEC_MAX_ANOMALIES);
    assert_true(r->n_anomalies <= r->n_anomalies_seen);
    assert_true(r->cap_len == cap);
    assert_true(r->wire_len >= r->cap_len);
    for (unsigned i = 0; i < MDEC_SPAN_COUNT; i++) {
        if (!MDEC_HAS_SPAN(r, i))
            continue;
        const struct mdec_span *s = &r->span[i];
        check_span_in(s->off, s->cap_len, cap, "span");
        assert_true(s->cap_len <= s->wire_len);
        if (s->hdr_len > s->wire_len)
            fail_msg("span %u: header %u longer than the layer %u", i, s->hdr_len, s->wire_len);
    }
    assert_true((r->spans_present >> MDEC_SPAN_COUNT) == 0);
    for (unsigned i = 0; i < r->n_tunnels; i++) {
        const struct mdec_tunnel *t = &r->tunnels[i];
        assert_in_range(t->type, MDEC_TUNNEL_VXLAN, MDEC_TUNNEL_GRE);
        if (t->flags & MDEC_TF_COMPLETE)
            assert_true(t->flags & MDEC_TF_HEADER);
        check_span_in(t->off, 0, cap, "tunnel header");
        if (t->flags & MDEC_TF_COMPLETE)
            check_span_in(t->off, t->hdr_len, cap, "complete tunnel header");
        if (t->type == MDEC_TUNNEL_GENEVE && (t->flags & MDEC_TF_COMPLETE)) {
            check_span_in(t->u.geneve.opt_off, t->u.geneve.opt_len, cap, "geneve options");
            if (t->u.geneve.have & MDEC_GCP_ENDPOINT)
                check_span_in(t->u.geneve.gcp_endpoint_off, t->u.geneve.gcp_endpoint_len, cap,
                              "gcp endpoint");
        }
        if (t->type == MDEC_TUNNEL_VXLAN || t->type == MDEC_TUNNEL_VXLAN_GPE ||
            t->type == MDEC_TUNNEL_GENEVE)
            assert_true(t->id < (1u << 24));
        if (t->type == MDEC_TUNNEL_ERSPAN)
            assert_true(t->id < (1u << 10));
    }
    for (unsigned i = 0; i < r->n_anomalies; i++) {
        const struct mdec_anomaly *a = &r->anomalies[i];
        assert_int_not_equal(a->code, MDEC_A_NONE);
        assert_string_not_equal(mdec_anomaly_name((enum mdec_anomaly_code)a->code), "?");
        assert_string_not_equal(mdec_layer_name((enum mdec_layer)a->layer), "?");
        assert_true(a->depth <= MDEC_MAX_TUNNELS);
        check_span_in(a->off, 0, cap, "anomaly");
    }
    assert_true(r->has_inner <= 1);
    if (MDEC_HAS_SPAN(r, MDEC_SPAN_INNER_LINK) || MDEC_HAS_SPAN(r, MDEC_SPAN_INNER_IP))
        assert_true(r->has_inner);
    if (r->has_inner) {
        check_span_in(r->inner.off, r->inner.cap_len, cap, "inner packet");
        assert_true(r->inner.cap_len <= r->inner.wire_len || r->inner.wire_len == UINT32_MAX);
    }
    if (r->status == MDEC_STATUS_TRUNCATED) {
        assert_in_range(r->cut.by, MDEC_CUT_CAPTURE, MDEC_CUT_FRAGMENT);
        assert_in_range(r->cut.layer, MDEC_LAYER_FRAME, MDEC_LAYER_PAYLOAD);
        assert_true(r->n_anomalies > 0);
    }
    if (r->status == MDEC_STATUS_MALFORMED || r->status == MDEC_STATUS_UNSUPPORTED)
        assert_true(r->n_anomalies_seen > 0);
    if (r->flow.flags & MDEC_FLOW_PROTO)
        assert_true(r->flow.flags & MDEC_FLOW_IP);
    if (r->flow.flags & MDEC_FLOW_IP) {
        assert_true(r->flow.src.family == MDEC_AF_IPV4 || r->flow.src.family == MDEC_AF_IPV6);
        assert_int_equal(r->flow.src.family, r->flow.dst.family);
    }
}

static enum mdec_status decode_guarded(const struct mdec_config *cfg, int linktype,
                                       const uint8_t *pkt, size_t cap, size_t wire,
                                       const struct mdec_udp_meta *meta, struct mdec_result *r)
{
    struct guard g;
    guard_copy(&g, pkt, cap);
    enum mdec_status st = meta ? mdec_decode_udp(cfg, g.p, cap, wire, meta, r)
                               : mdec_decode(cfg, linktype, g.p, cap, wire, r);
    check_result_bounds(r, cap);
    assert_ptr_equal(r->frame, g.p);
    guard_free(&g);
    return st;
}

/* What a capture cut must keep of the full decode. */
static void check_agrees(const struct mdec_result *full, const struct mdec_result *cut,
                         size_t n)
{
    if (full->status != MDEC_STATUS_MALFORMED && cut->status == MDEC_STATUS_MALFORMED)
        fail_msg("cut at %zu bytes turned a %s frame malformed (%s)", n,
                 mdec_status_name((enum mdec_status)full->status),
                 mdec_anomaly_name((enum mdec_anomaly_code)cut->anomalies[0].code));
    if (cut->status != MDEC_STATUS_TRUNCATED && cut->status != full->status)
        fail_msg("cut at %zu bytes: status %s, full frame %s", n,
                 mdec_status_name((enum mdec_status)cut->status),
                 mdec_status_name((enum mdec_status)full->status));
    assert_true(cut->n_tunnels <= full->n_tunnels);
    for (unsigned i = 0; i < cut->n_tunnels; i++) {
        /* Cut before its protocol field, GRE carrying ERSPAN is only GRE. */
        if (cut->tunnels[i].type == MDEC_TUNNEL_GRE && full->tunnels[i].type == MDEC_TUNNEL_ERSPAN &&
            !(cut->tunnels[i].flags & MDEC_TF_COMPLETE))
            continue;
        assert_int_equal(cut->tunnels[i].type, full->tunnels[i].type);
        if (cut->tunnels[i].flags & MDEC_TF_ID) {
            assert_true(full->tunnels[i].flags & MDEC_TF_ID);
            assert_int_equal(cut->tunnels[i].id, full->tunnels[i].id);
        }
    }
    if (cut->n_tunnels == full->n_tunnels && (cut->flow.flags & MDEC_FLOW_IP) &&
        (full->flow.flags & MDEC_FLOW_IP)) {
        assert_memory_equal(&cut->flow.src, &full->flow.src, sizeof cut->flow.src);
        assert_memory_equal(&cut->flow.dst, &full->flow.dst, sizeof cut->flow.dst);
        if (cut->flow.flags & MDEC_FLOW_PROTO)
            assert_int_equal(cut->flow.proto, full->flow.proto);
        if ((cut->flow.flags & MDEC_FLOW_PORTS) && (full->flow.flags & MDEC_FLOW_PORTS)) {
            assert_int_equal(cut->flow.sport, full->flow.sport);
            assert_int_equal(cut->flow.dport, full->flow.dport);
        }
    }
    /* Truncated by the capture, unless the full frame was cut the same way
     * (by the mirror or a fragment) before the capture cut. */
    if (cut->status == MDEC_STATUS_TRUNCATED && cut->cut.by != MDEC_CUT_CAPTURE &&
        !(full->status == MDEC_STATUS_TRUNCATED && full->cut.by == cut->cut.by &&
          full->cut.layer == cut->cut.layer && full->cut.off == cut->cut.off &&
          full->cut.depth == cut->cut.depth))
        fail_msg("cut at %zu bytes: truncated by %u at %s, not by the capture", n, cut->cut.by,
                 mdec_layer_name((enum mdec_layer)cut->cut.layer));
}

static enum mdec_status every_length(const struct mdec_config *cfg, int linktype,
                                     const uint8_t *pkt, size_t cap, size_t wire,
                                     const struct mdec_udp_meta *meta)
{
    static struct mdec_result full, r; /* large: keep them off the stack */
    enum mdec_status st = decode_guarded(cfg, linktype, pkt, cap, wire, meta, &full);
    for (size_t n = 0; n < cap; n++) {
        decode_guarded(cfg, linktype, pkt, n, wire, meta, &r);
        check_agrees(&full, &r, n);
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
    *caplen = rd32(rd, h + 8);
    *wirelen = rd32(rd, h + 12);
    if (*caplen > rd->len - rd->pos - 16)
        return -1;
    *pkt = h + 16;
    rd->pos += 16 + (size_t)*caplen;
    return 1;
}

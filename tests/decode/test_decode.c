/*
 * test_decode.c - the decoder's API in detail: exact spans of a commented
 * packet, the UDP socket entry point, port configuration, strict and
 * permissive checking, the GENEVE option iterator, limits and odd inputs.
 * (Protocol coverage against independent decoders is in test_fixtures.c;
 * one packet for every anomaly code in test_anomalies.c.)
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "pktbuild.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

/* An AWS VPC Traffic Mirroring copy of a 4-byte TCP segment. */
static const uint8_t aws_vxlan[] = {
    /* outer Ethernet: 02:00:00:00:0b:02 <- 02:00:00:00:0a:01, IPv4 */
    0x02, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x08, 0x00,
    /* outer IPv4: total 94, UDP, 10.0.1.15 (mirrored ENI) -> 10.0.9.9 (target) */
    0x45, 0x00, 0x00, 0x5e, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
    0x0a, 0x00, 0x01, 0x0f, 0x0a, 0x00, 0x09, 0x09,
    /* UDP 51234 -> 4789, length 74, checksum 0 */
    0xc8, 0x22, 0x12, 0xb5, 0x00, 0x4a, 0x00, 0x00,
    /* VXLAN: flags I, VNI 123 */
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7b, 0x00,
    /* inner Ethernet */
    0x02, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x02, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x08, 0x00,
    /* inner IPv4: total 44, TCP, 10.0.1.15 -> 93.184.216.34 */
    0x45, 0x00, 0x00, 0x2c, 0x00, 0x07, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
    0x0a, 0x00, 0x01, 0x0f, 0x5d, 0xb8, 0xd8, 0x22,
    /* TCP 49152 -> 443, data offset 5, flags PSH|ACK */
    0xc0, 0x00, 0x01, 0xbb, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,
    0x50, 0x18, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* payload */
    'p', 'i', 'n', 'g',
};

static void expect_span(const struct mdec_result *r, enum mdec_span_id id, uint32_t off,
                        uint32_t hdr, uint32_t cap, uint32_t wire)
{
    assert_true(MDEC_HAS_SPAN(r, id));
    assert_int_equal(r->span[id].off, off);
    assert_int_equal(r->span[id].hdr_len, hdr);
    assert_int_equal(r->span[id].cap_len, cap);
    assert_int_equal(r->span[id].wire_len, wire);
}

static void test_aws_vxlan_spans(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    mdec_config_init(&cfg);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan,
                                 sizeof aws_vxlan, &r),
                     MDEC_STATUS_OK);
    assert_int_equal(r.status, MDEC_STATUS_OK);
    assert_int_equal(r.n_anomalies, 0);
    assert_ptr_equal(r.frame, aws_vxlan);
    assert_int_equal(r.cap_len, 108);
    assert_int_equal(r.wire_len, 108);

    expect_span(&r, MDEC_SPAN_OUTER_LINK, 0, 14, 108, 108);
    expect_span(&r, MDEC_SPAN_OUTER_IP, 14, 20, 94, 94);
    expect_span(&r, MDEC_SPAN_OUTER_L4, 34, 8, 74, 74);
    expect_span(&r, MDEC_SPAN_INNER_LINK, 50, 14, 58, 58);
    expect_span(&r, MDEC_SPAN_INNER_IP, 64, 20, 44, 44);
    expect_span(&r, MDEC_SPAN_INNER_L4, 84, 20, 24, 24);
    expect_span(&r, MDEC_SPAN_PAYLOAD, 104, 0, 4, 4);
    assert_memory_equal(r.frame + r.span[MDEC_SPAN_PAYLOAD].off, "ping", 4);

    assert_int_equal(r.n_tunnels, 1);
    const struct mdec_tunnel *t = &r.tunnels[0];
    assert_int_equal(t->type, MDEC_TUNNEL_VXLAN);
    assert_int_equal(t->flags, MDEC_TF_ID | MDEC_TF_CARRIER | MDEC_TF_PORTS | MDEC_TF_COMPLETE |
                                   MDEC_TF_HEADER);
    assert_int_equal(t->id, 123);
    assert_int_equal(t->off, 42);
    assert_int_equal(t->hdr_len, 8);
    assert_int_equal(t->payload, 0x6558);
    struct mdec_addr eni = addr_of("10.0.1.15"), target = addr_of("10.0.9.9");
    assert_memory_equal(&t->src, &eni, sizeof eni);
    assert_memory_equal(&t->dst, &target, sizeof target);
    assert_int_equal(t->sport, 51234);
    assert_int_equal(t->dport, 4789);

    assert_int_equal(r.inner.off, 50);
    assert_int_equal(r.inner.cap_len, 58);
    assert_int_equal(r.inner.wire_len, 58);
    assert_int_equal(r.inner.ip_len, 44);
    assert_int_equal(r.has_inner, 1);
    assert_int_equal(r.inner.ethertype, 0x0800);
    assert_int_equal(r.inner.ethernet, 1);
    assert_int_equal(r.inner.n_vlan, 0);

    const struct mdec_flow *f = &r.flow;
    assert_int_equal(f->flags, MDEC_FLOW_IP | MDEC_FLOW_PROTO | MDEC_FLOW_PORTS |
                                   MDEC_FLOW_TCP_FLAGS | MDEC_FLOW_TUNNEL_ID);
    struct mdec_addr peer = addr_of("93.184.216.34");
    assert_memory_equal(&f->src, &eni, sizeof eni);
    assert_memory_equal(&f->dst, &peer, sizeof peer);
    assert_int_equal(f->proto, 6);
    assert_int_equal(f->sport, 49152);
    assert_int_equal(f->dport, 443);
    assert_int_equal(f->tcp_flags, 0x18);
    assert_int_equal(f->tunnel_type, MDEC_TUNNEL_VXLAN);
    assert_int_equal(f->tunnel_id, 123);

    check_every_length(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, sizeof aws_vxlan);
}

/* The same datagram as a UDP socket delivers it: the VXLAN header first. */
static void test_udp_entry(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    struct mdec_udp_meta meta;
    const uint8_t *dg = aws_vxlan + 42;
    const size_t len = sizeof aws_vxlan - 42;
    mdec_config_init(&cfg);
    memset(&meta, 0, sizeof meta);
    meta.src = addr_of("10.0.1.15");
    meta.dst = addr_of("10.0.9.9");
    meta.sport = 51234;
    meta.dport = 4789;

    assert_int_equal(mdec_decode_udp(&cfg, dg, len, len, &meta, &r), MDEC_STATUS_OK);
    assert_false(MDEC_HAS_SPAN(&r, MDEC_SPAN_OUTER_LINK));
    assert_false(MDEC_HAS_SPAN(&r, MDEC_SPAN_OUTER_IP));
    assert_false(MDEC_HAS_SPAN(&r, MDEC_SPAN_OUTER_L4));
    assert_int_equal(r.n_tunnels, 1);
    assert_int_equal(r.tunnels[0].off, 0);
    assert_int_equal(r.tunnels[0].id, 123);
    assert_true(r.tunnels[0].flags & MDEC_TF_CARRIER);
    assert_memory_equal(&r.tunnels[0].src, &meta.src, sizeof meta.src);
    assert_int_equal(r.tunnels[0].sport, 51234);
    expect_span(&r, MDEC_SPAN_INNER_LINK, 8, 14, 58, 58);
    expect_span(&r, MDEC_SPAN_PAYLOAD, 62, 0, 4, 4);
    assert_int_equal(r.flow.dport, 443);
    check_every_length_udp(&cfg, dg, len, len, &meta);

    /* A datagram larger than the receive buffer (MSG_TRUNC): capture cut. */
    assert_int_equal(mdec_decode_udp(&cfg, dg, len - 2, len, &meta, &r), MDEC_STATUS_TRUNCATED);
    assert_int_equal(r.cut.by, MDEC_CUT_CAPTURE);
    assert_int_equal(r.cut.layer, MDEC_LAYER_PAYLOAD);
    assert_true(r.flow.flags & MDEC_FLOW_PORTS);

    /* No sender known: the carrier addresses are absent. */
    struct mdec_udp_meta anon;
    memset(&anon, 0, sizeof anon);
    anon.dport = 4789;
    assert_int_equal(mdec_decode_udp(&cfg, dg, len, len, &anon, &r), MDEC_STATUS_OK);
    assert_false(r.tunnels[0].flags & MDEC_TF_CARRIER);
    assert_true(r.tunnels[0].flags & MDEC_TF_PORTS);

    /* A port no tunnel is configured on. */
    anon.dport = 53;
    assert_int_equal(mdec_decode_udp(&cfg, dg, len, len, &anon, &r), MDEC_STATUS_NOT_TUNNELED);
    assert_int_equal(r.n_tunnels, 0);
    assert_false(r.flow.flags & MDEC_FLOW_IP);
}

static void test_config_ports(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    mdec_config_init(&cfg);
    assert_int_equal(cfg.max_depth, 4);
    assert_int_equal(cfg.flags, 0);
    assert_int_equal(cfg.n_ports, 4);

    /* Only UDP-borne tunnel types have ports. */
    assert_int_equal(mdec_config_set_port(&cfg, 1, MDEC_TUNNEL_GRE), MDEC_E_INVALID);
    assert_int_equal(mdec_config_set_port(&cfg, 1, MDEC_TUNNEL_ERSPAN), MDEC_E_INVALID);
    assert_int_equal(mdec_config_set_port(&cfg, 1, (enum mdec_tunnel_type)42), MDEC_E_INVALID);

    /* Re-mapping 4789 to GENEVE makes the VXLAN header a bad GENEVE one. */
    assert_int_equal(mdec_config_set_port(&cfg, 4789, MDEC_TUNNEL_GENEVE), 0);
    assert_int_equal(cfg.n_ports, 4);
    mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, 0, &r);
    assert_int_equal(r.tunnels[0].type, MDEC_TUNNEL_GENEVE);
    /* Removing it: the frame is plain UDP. */
    assert_int_equal(mdec_config_set_port(&cfg, 4789, MDEC_TUNNEL_NONE), 0);
    assert_int_equal(cfg.n_ports, 3);
    assert_int_equal(mdec_config_set_port(&cfg, 4789, MDEC_TUNNEL_NONE), 0);
    mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, 0, &r);
    assert_int_equal(r.status, MDEC_STATUS_NOT_TUNNELED);
    assert_int_equal(r.flow.dport, 4789);

    /* Matching the source port is opt-in (51234 is the source here). */
    assert_int_equal(mdec_config_set_port(&cfg, 51234, MDEC_TUNNEL_VXLAN), 0);
    mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, 0, &r);
    assert_int_equal(r.status, MDEC_STATUS_NOT_TUNNELED);
    cfg.flags |= MDEC_CFG_MATCH_SRC_PORT;
    mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, 0, &r);
    assert_int_equal(r.status, MDEC_STATUS_OK);

    /* The table is bounded. */
    cfg.n_ports = 0;
    assert_int_equal(cfg.n_ports, 0);
    for (unsigned i = 0; i < MDEC_MAX_PORTS; i++)
        assert_int_equal(mdec_config_set_port(&cfg, (uint16_t)(10000 + i), MDEC_TUNNEL_VXLAN), 0);
    assert_int_equal(mdec_config_set_port(&cfg, 9999, MDEC_TUNNEL_VXLAN), MDEC_E_NOSPACE);
    assert_int_equal(mdec_config_set_port(&cfg, 10003, MDEC_TUNNEL_GENEVE), 0);
    assert_int_equal(cfg.n_ports, MDEC_MAX_PORTS);

    /* max_depth outside 1..MDEC_MAX_TUNNELS is clamped, not trusted. */
    mdec_config_init(&cfg);
    cfg.max_depth = 0;
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, 0, &r),
                     MDEC_STATUS_OK);
    assert_int_equal(r.n_tunnels, 1);
    cfg.max_depth = 200;
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, 0, &r),
                     MDEC_STATUS_OK);
}

/* Decodes p in permissive and strict mode; expects ok + anomaly, then
 * malformed. */
static void permissive_then_strict(const struct pb *p, enum mdec_anomaly_code code)
{
    struct mdec_config cfg;
    struct mdec_result r;
    mdec_config_init(&cfg);
    mdec_decode(&cfg, MDEC_LINK_ETHERNET, p->b, p->n, p->n, &r);
    if (r.status != MDEC_STATUS_OK)
        fail_msg("permissive: %s for %s", mdec_status_name((enum mdec_status)r.status),
                 mdec_anomaly_name(code));
    assert_true(mdec_result_has_anomaly(&r, code));
    check_every_length(&cfg, MDEC_LINK_ETHERNET, p->b, p->n, p->n);
    cfg.flags |= MDEC_CFG_STRICT;
    mdec_decode(&cfg, MDEC_LINK_ETHERNET, p->b, p->n, p->n, &r);
    assert_int_equal(r.status, MDEC_STATUS_MALFORMED);
    assert_true(mdec_result_has_anomaly(&r, code));
    check_every_length(&cfg, MDEC_LINK_ETHERNET, p->b, p->n, p->n);
}

static void inner_tcp(struct pb *p)
{
    pb_eth(p, 0x0800);
    size_t ip = pb_ipv4(p, "192.0.2.1", "192.0.2.2", 6);
    pb_tcp(p, 1, 2, 0x10);
    pb_end_ipv4(p, ip);
}

static void test_strict_reserved(void **state)
{
    (void)state;
    static struct pb p;
    size_t ip, u;

    /* VXLAN: a reserved flag bit, then a reserved byte. */
    for (int which = 0; which < 2; which++) {
        pb_init(&p);
        pb_eth(&p, 0x0800);
        ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 17);
        u = pb_udp(&p, 1, 4789);
        pb_u8(&p, which ? 0x08 : 0x0C);
        pb_u8(&p, 0);
        pb_be16(&p, 0);
        pb_be32(&p, (7u << 8) | (which ? 1u : 0u));
        inner_tcp(&p);
        pb_end_udp(&p, u);
        pb_end_ipv4(&p, ip);
        permissive_then_strict(&p, MDEC_A_VXLAN_RESERVED);
    }

    /* VXLAN-GPE with a reserved bit. */
    pb_init(&p);
    pb_eth(&p, 0x0800);
    ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 17);
    u = pb_udp(&p, 1, 4790);
    pb_u8(&p, 0x0C | 0x40);
    pb_be16(&p, 0);
    pb_u8(&p, 3);
    pb_be32(&p, 7u << 8);
    inner_tcp(&p);
    pb_end_udp(&p, u);
    pb_end_ipv4(&p, ip);
    permissive_then_strict(&p, MDEC_A_VXLAN_RESERVED);

    /* GENEVE: a reserved header bit; then a reserved option bit. */
    for (int which = 0; which < 2; which++) {
        pb_init(&p);
        pb_eth(&p, 0x0800);
        ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 17);
        u = pb_udp(&p, 1, 6081);
        pb_u8(&p, 0x01);               /* version 0, Opt Len 1 (4 bytes) */
        pb_u8(&p, which ? 0x00 : 0x01); /* O C Rsvd */
        pb_be16(&p, 0x6558);
        pb_be32(&p, 9u << 8);
        pb_be16(&p, 0x0100);           /* an option, class Linux */
        pb_u8(&p, 1);
        pb_u8(&p, which ? 0x20 : 0x00); /* R bits | length 0 */
        inner_tcp(&p);
        pb_end_udp(&p, u);
        pb_end_ipv4(&p, ip);
        permissive_then_strict(&p, MDEC_A_GENEVE_RESERVED);
    }

    /* GRE with the strict source route bit set, carrying Ethernet. */
    pb_init(&p);
    pb_eth(&p, 0x0800);
    ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 47);
    pb_be16(&p, 0x0800);
    pb_be16(&p, 0x6558);
    inner_tcp(&p);
    pb_end_ipv4(&p, ip);
    permissive_then_strict(&p, MDEC_A_GRE_RESERVED);

    /* ERSPAN type II with reserved bits. */
    pb_init(&p);
    pb_eth(&p, 0x0800);
    ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 47);
    pb_be16(&p, 0x1000);
    pb_be16(&p, 0x88BE);
    pb_be32(&p, 1);
    pb_be32(&p, 0x10000000 | 5); /* ver 1, session 5 */
    pb_be32(&p, 0x00100001);     /* reserved bit, index 1 */
    inner_tcp(&p);
    pb_end_ipv4(&p, ip);
    permissive_then_strict(&p, MDEC_A_ERSPAN_RESERVED);
}

static void test_geneve_iter(void **state)
{
    (void)state;
    struct mdec_geneve_iter it;
    struct mdec_geneve_opt o;
    /* class 0x0108 type 3 len 1 (4 data bytes); class 0xffff type 0x80 len 0 */
    static const uint8_t opts[] = {0x01, 0x08, 0x03, 0x01, 0xc0, 0xff, 0xee, 0x01,
                                   0xff, 0xff, 0x80, 0xe0};

    mdec_geneve_iter_init(&it, opts, sizeof opts, sizeof opts);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_OPTION);
    assert_int_equal(o.cls, 0x0108);
    assert_int_equal(o.type, 3);
    assert_int_equal(o.flags, 0);
    assert_int_equal(o.len, 4);
    assert_ptr_equal(o.data, opts + 4);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_OPTION);
    assert_int_equal(o.cls, 0xffff);
    assert_int_equal(o.type, 0x80);
    assert_int_equal(o.flags, 7);
    assert_int_equal(o.len, 0);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_END);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_END);

    /* Fewer bytes present than stated: truncated, and it stays so. */
    mdec_geneve_iter_init(&it, opts, 6, sizeof opts);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_TRUNCATED);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_TRUNCATED);
    mdec_geneve_iter_init(&it, opts, 9, sizeof opts);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_OPTION);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_TRUNCATED);

    /* An option running past the stated length: malformed, sticky. */
    mdec_geneve_iter_init(&it, opts, sizeof opts, 6);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_MALFORMED);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_MALFORMED);
    mdec_geneve_iter_init(&it, opts, sizeof opts, 10);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_OPTION);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_MALFORMED);

    /* Nothing at all; cap above len is clipped to len. */
    mdec_geneve_iter_init(&it, NULL, 0, 0);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_END);
    mdec_geneve_iter_init(&it, opts, sizeof opts, 8);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_OPTION);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_END);

    /* 252 bytes of options (Opt Len 63): 63 empty options. */
    static uint8_t many[252];
    for (size_t i = 0; i < sizeof many; i += 4) {
        many[i] = 0x01;
        many[i + 1] = 0x00;
        many[i + 2] = (uint8_t)i;
        many[i + 3] = 0;
    }
    mdec_geneve_iter_init(&it, many, sizeof many, sizeof many);
    unsigned n = 0;
    while (mdec_geneve_next(&it, &o) == MDEC_ITER_OPTION)
        n++;
    assert_int_equal(n, 63);

    /* From a result: only GENEVE tunnels have options. */
    struct mdec_config cfg;
    struct mdec_result r;
    mdec_config_init(&cfg);
    mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, 0, &r);
    mdec_geneve_iter_result(&it, &r, 0);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_END);
    mdec_geneve_iter_result(&it, &r, 5);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_END);

    static struct pb p;
    pb_init(&p);
    pb_eth(&p, 0x0800);
    size_t ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 17);
    size_t u = pb_udp(&p, 1, 6081);
    pb_u8(&p, 3); /* Opt Len 3: 12 bytes */
    pb_u8(&p, 0);
    pb_be16(&p, 0x0800);
    pb_be32(&p, 0);
    pb_bytes(&p, opts, sizeof opts);
    size_t iip = pb_ipv4(&p, "192.0.2.1", "192.0.2.2", 6);
    pb_tcp(&p, 1, 2, 0x10);
    pb_end_ipv4(&p, iip);
    pb_end_udp(&p, u);
    pb_end_ipv4(&p, ip);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_OK);
    assert_int_equal(r.tunnels[0].u.geneve.opt_len, 12);
    assert_int_equal(r.tunnels[0].u.geneve.opt_off, 50);
    assert_true(r.tunnels[0].u.geneve.have & MDEC_GWLB_COOKIE);
    assert_int_equal(r.tunnels[0].u.geneve.gwlb_cookie, 0xc0ffee01);
    assert_true(mdec_result_has_anomaly(&r, MDEC_A_GENEVE_CRITICAL));
    mdec_geneve_iter_result(&it, &r, 0);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_OPTION);
    assert_ptr_equal(o.data, p.b + 54);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_OPTION);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_END);
    /* The same frame cut inside the options: the iterator says truncated. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, 56, p.n, &r), MDEC_STATUS_TRUNCATED);
    assert_int_equal(r.cut.layer, MDEC_LAYER_GENEVE);
    mdec_geneve_iter_result(&it, &r, 0);
    assert_int_equal(mdec_geneve_next(&it, &o), MDEC_ITER_TRUNCATED);
}

/* VLAN tags: eight are fine, nine are not; two are kept. */
static void test_vlan_limit(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    static struct pb p;
    mdec_config_init(&cfg);
    for (unsigned tags = 0; tags <= 9; tags++) {
        pb_init(&p);
        pb_eth(&p, tags ? 0x88A8 : 0x0800);
        for (unsigned i = 0; i < tags; i++)
            pb_tag(&p, i + 1 < tags ? 0x8100 : 0x0800, 100 + i);
        size_t ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 6);
        pb_tcp(&p, 1, 2, 2);
        pb_end_ipv4(&p, ip);
        mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r);
        if (tags <= 8) {
            assert_int_equal(r.status, MDEC_STATUS_NOT_TUNNELED);
            assert_int_equal(r.n_outer_vlan, tags);
            assert_int_equal(r.span[MDEC_SPAN_OUTER_LINK].hdr_len, 14 + 4 * tags);
            if (tags >= 2) {
                assert_int_equal(r.outer_vlan[0], 100);
                assert_int_equal(r.outer_vlan[1], 101);
            }
        } else {
            assert_int_equal(r.status, MDEC_STATUS_MALFORMED);
            assert_true(mdec_result_has_anomaly(&r, MDEC_A_VLAN_DEPTH));
        }
    }
}

/* IPv6 extension headers: sixteen are walked, seventeen are refused. */
static void test_ipv6_ext_limit(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    static struct pb p;
    mdec_config_init(&cfg);
    for (unsigned n = 15; n <= 17; n++) {
        pb_init(&p);
        pb_eth(&p, 0x86DD);
        size_t ip = pb_ipv6(&p, "2001:db8::1", "2001:db8::2", 60);
        for (unsigned i = 0; i < n; i++) {
            pb_u8(&p, i + 1 < n ? 60 : 6); /* destination options, then TCP */
            pb_u8(&p, 0);
            pb_fill(&p, 0x01, 1); /* PadN of 4 */
            pb_fill(&p, 0x04, 1);
            pb_fill(&p, 0, 4);
        }
        pb_tcp(&p, 1, 2, 2);
        pb_end_ipv6(&p, ip);
        mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r);
        if (n <= 16) {
            assert_int_equal(r.status, MDEC_STATUS_NOT_TUNNELED);
            assert_int_equal(r.flow.proto, 6);
            assert_int_equal(r.span[MDEC_SPAN_OUTER_IP].hdr_len, 40 + 8 * n);
            assert_true(r.flow.flags & MDEC_FLOW_PORTS);
        } else {
            assert_int_equal(r.status, MDEC_STATUS_MALFORMED);
            assert_true(mdec_result_has_anomaly(&r, MDEC_A_IPV6_EXT_LIMIT));
        }
        check_every_length(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n);
    }
}

/* More anomalies than fit: the first eight are kept, all are counted. */
static void test_anomaly_overflow(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    static struct pb p;
    size_t ips[12], udps[12];
    mdec_config_init(&cfg);
    cfg.max_depth = MDEC_MAX_TUNNELS;
    const struct mdec_prefix from = {{MDEC_AF_IPV4, {10, 0, 0, 1}}, 32};
    assert_int_equal(mdec_config_add_transport(&cfg, MDEC_TUNNEL_VXLAN, &from, 1), 0);
    pb_init(&p);
    for (unsigned i = 0; i < 10; i++) {
        pb_eth(&p, 0x0800);
        ips[i] = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 17);
        udps[i] = pb_udp(&p, 1, 4789);
        pb_vxlan(&p, 0x09, i); /* a reserved flag bit: one anomaly each */
    }
    inner_tcp(&p);
    for (unsigned i = 10; i-- > 0;) {
        pb_end_udp(&p, udps[i]);
        pb_end_ipv4(&p, ips[i]);
    }
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_OK);
    assert_int_equal(r.n_tunnels, MDEC_MAX_TUNNELS);
    assert_int_equal(r.n_anomalies, MDEC_MAX_ANOMALIES);
    assert_int_equal(r.n_anomalies_seen, MDEC_MAX_TUNNELS + 1); /* + depth limit */
    for (unsigned i = 0; i < MDEC_MAX_ANOMALIES; i++) {
        assert_int_equal(r.anomalies[i].code, MDEC_A_VXLAN_RESERVED);
        assert_int_equal(r.anomalies[i].depth, i);
    }
    /* The eighth tunnel's payload is still a tunnel: left as the inner packet. */
    assert_int_equal(r.flow.dport, 4789);
    assert_int_equal(r.flow.tunnel_id, MDEC_MAX_TUNNELS - 1);
    check_every_length(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n);
}

/* With the array full of notes, the anomaly that explains the status still
 * gets a slot: the last one. */
static void test_anomaly_cause_kept(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    static struct pb p;
    mdec_config_init(&cfg);
    pb_init(&p);
    pb_eth(&p, 0x0800);
    size_t ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 17);
    size_t u = pb_udp(&p, 1, 6081);
    pb_u8(&p, 9); /* Opt Len 9: nine empty options */
    pb_u8(&p, 0x40);
    pb_be16(&p, 0x8847); /* MPLS: unsupported */
    pb_be32(&p, 3u << 8);
    for (unsigned i = 0; i < 9; i++) {
        pb_be16(&p, 0x0100);
        pb_u8(&p, 0x80 | i); /* critical, unknown: a note each */
        pb_u8(&p, 0);
    }
    pb_fill(&p, 0, 20);
    pb_end_udp(&p, u);
    pb_end_ipv4(&p, ip);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(r.n_anomalies, MDEC_MAX_ANOMALIES);
    assert_int_equal(r.n_anomalies_seen, 10);
    for (unsigned i = 0; i + 1 < MDEC_MAX_ANOMALIES; i++)
        assert_int_equal(r.anomalies[i].code, MDEC_A_GENEVE_CRITICAL);
    assert_int_equal(r.anomalies[MDEC_MAX_ANOMALIES - 1].code, MDEC_A_GENEVE_PROTO);
    check_every_length(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n);
}

static void test_odd_inputs(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    mdec_config_init(&cfg);

    /* Nothing captured of a frame the wire says was 60 bytes. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, NULL, 0, 60, &r), MDEC_STATUS_TRUNCATED);
    assert_int_equal(r.cut.layer, MDEC_LAYER_ETHERNET);
    assert_int_equal(r.cut.by, MDEC_CUT_CAPTURE);
    /* An empty frame: shorter than any header. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, NULL, 0, 0, &r), MDEC_STATUS_MALFORMED);
    assert_true(mdec_result_has_anomaly(&r, MDEC_A_HEADER_BEYOND));
    /* A NULL pointer with a length is a caller's mistake (the NULL policy,
     * common.h): refused, nothing read. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, NULL, 100, 100, &r), MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(r.cap_len, 0);
    assert_int_equal(r.n_anomalies, 0);

    /* A wire length below the captured length is raised, and said. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, 20, &r),
                     MDEC_STATUS_OK);
    assert_int_equal(r.wire_len, sizeof aws_vxlan);
    assert_true(mdec_result_has_anomaly(&r, MDEC_A_WIRE_LT_CAP));

    /* Link types: DLT_RAW's values equal LINKTYPE_RAW; unknown ones say so. */
    const uint8_t *ip = aws_vxlan + 14;
    const size_t n = sizeof aws_vxlan - 14;
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_RAW, ip, n, n, &r), MDEC_STATUS_OK);
    assert_int_equal(mdec_decode(&cfg, 12, ip, n, n, &r), MDEC_STATUS_OK);
    assert_int_equal(r.tunnels[0].id, 123);
    assert_int_equal(mdec_decode(&cfg, 14, ip, n, n, &r), MDEC_STATUS_OK);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_IPV4, ip, n, n, &r), MDEC_STATUS_OK);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_IPV6, ip, n, n, &r), MDEC_STATUS_MALFORMED);
    assert_true(mdec_result_has_anomaly(&r, MDEC_A_IP_VERSION));
    assert_int_equal(mdec_decode(&cfg, 9999, ip, n, n, &r), MDEC_STATUS_UNSUPPORTED);
    assert_true(mdec_result_has_anomaly(&r, MDEC_A_LINKTYPE));
    assert_int_equal(mdec_decode(&cfg, -1, ip, n, n, &r), MDEC_STATUS_UNSUPPORTED);

    /* Trailing bytes after the IP datagram (Ethernet padding, an FCS) are
     * not part of any layer. */
    static uint8_t padded[sizeof aws_vxlan + 4];
    memcpy(padded, aws_vxlan, sizeof aws_vxlan);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, padded, sizeof padded, 0, &r),
                     MDEC_STATUS_OK);
    assert_int_equal(r.span[MDEC_SPAN_OUTER_IP].wire_len, 94);
    assert_int_equal(r.span[MDEC_SPAN_PAYLOAD].cap_len, 4);
}

/* The result of one call holds nothing of the previous one. */
static void test_result_reuse(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    mdec_config_init(&cfg);
    memset(&r, 0xA5, sizeof r);
    mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, sizeof aws_vxlan, 0, &r);
    assert_int_equal(r.status, MDEC_STATUS_OK);
    /* Now a frame with no tunnel and no IP. */
    static const uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0xa, 1,
                                    0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1};
    mdec_decode(&cfg, MDEC_LINK_ETHERNET, arp, sizeof arp, 0, &r);
    assert_int_equal(r.status, MDEC_STATUS_NOT_TUNNELED);
    assert_int_equal(r.n_tunnels, 0);
    assert_int_equal(r.n_anomalies, 0);
    assert_int_equal(r.flow.flags, 0);
    assert_int_equal(r.has_inner, 0);
    assert_int_equal(r.spans_present, 1u << MDEC_SPAN_OUTER_LINK);
}

static void test_gre_routing_and_keys(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    static struct pb p;
    mdec_config_init(&cfg);

    /* RFC 1701 routing: one SRE of 8 bytes, then the terminator. */
    for (int broken = 0; broken < 2; broken++) {
        pb_init(&p);
        pb_eth(&p, 0x0800);
        size_t ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 47);
        pb_be16(&p, 0x4000 | 0x2000); /* R, K */
        pb_be16(&p, 0x6558);
        pb_be32(&p, 0);      /* checksum / offset */
        pb_be32(&p, 0xabcd); /* key */
        pb_be16(&p, 0x0800); /* SRE: IPv4, offset 0, length 8 */
        pb_u8(&p, 0);
        pb_u8(&p, broken ? 200 : 8);
        pb_fill(&p, 0x11, 8);
        pb_be32(&p, 0); /* terminator */
        inner_tcp(&p);
        pb_end_ipv4(&p, ip);
        mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r);
        if (!broken) {
            assert_int_equal(r.status, MDEC_STATUS_OK);
            assert_int_equal(r.tunnels[0].hdr_len, 4 + 4 + 4 + 4 + 8 + 4);
            assert_int_equal(r.tunnels[0].id, 0xabcd);
            assert_int_equal(r.tunnels[0].u.gre.key, 0xabcd);
            assert_int_equal(r.flow.dport, 2);
        } else {
            assert_int_equal(r.status, MDEC_STATUS_MALFORMED);
            assert_true(mdec_result_has_anomaly(&r, MDEC_A_GRE_ROUTING));
        }
        check_every_length(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n);
    }

    /* A keyed GRE carrying ERSPAN II: the id is the session, not the key. */
    pb_init(&p);
    pb_eth(&p, 0x0800);
    size_t ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 47);
    pb_be16(&p, 0x3000); /* K, S */
    pb_be16(&p, 0x88BE);
    pb_be32(&p, 0x77777777);
    pb_be32(&p, 42);
    pb_be32(&p, 0x10000000 | (3u << 13) | 0x2AA); /* ver 1, cos 0, session 0x2AA */
    pb_be32(&p, 99);                                /* index */
    inner_tcp(&p);
    pb_end_ipv4(&p, ip);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_OK);
    assert_int_equal(r.tunnels[0].type, MDEC_TUNNEL_ERSPAN);
    assert_int_equal(r.tunnels[0].id, 0x2AA);
    assert_int_equal(r.tunnels[0].u.erspan.gre.key, 0x77777777);
    assert_int_equal(r.tunnels[0].u.erspan.gre.seq, 42);
    assert_int_equal(r.tunnels[0].u.erspan.index, 99);
    assert_int_equal(r.tunnels[0].u.erspan.version, 2);
    assert_int_equal(r.tunnels[0].hdr_len, 12 + 8); /* GRE with key and seq, ERSPAN II */
    assert_int_equal(r.span[MDEC_SPAN_OUTER_L4].hdr_len, 20);
    /* Cut inside the ERSPAN header: the key is still not an ERSPAN id, and
     * the ERSPAN fields were not read. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, 14 + 20 + 12 + 2, p.n, &r),
                     MDEC_STATUS_TRUNCATED);
    assert_int_equal(r.tunnels[0].type, MDEC_TUNNEL_ERSPAN);
    assert_false(r.tunnels[0].flags & MDEC_TF_ID);
    assert_false(r.tunnels[0].flags & MDEC_TF_HEADER);
    assert_int_equal(r.cut.layer, MDEC_LAYER_ERSPAN);
    check_every_length(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n);
}

/* MDEC_TF_HEADER: the type-specific fields are there for an incomplete
 * tunnel too, exactly when its fixed header was read. */
static void test_tunnel_header_flag(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    static struct pb p;
    mdec_config_init(&cfg);

    /* GRE carrying NHRP: unsupported, but the protocol is known. */
    pb_init(&p);
    pb_eth(&p, 0x0800);
    size_t ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 47);
    pb_be16(&p, 0x1000);
    pb_be16(&p, 0x2001);
    pb_be32(&p, 77);
    pb_fill(&p, 0, 20);
    pb_end_ipv4(&p, ip);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_UNSUPPORTED);
    assert_int_equal(r.tunnels[0].flags & (MDEC_TF_HEADER | MDEC_TF_COMPLETE), MDEC_TF_HEADER);
    assert_int_equal(r.tunnels[0].u.gre.proto, 0x2001);
    assert_int_equal(r.tunnels[0].u.gre.seq, 77);

    /* GRE version 1 (PPTP): the rest of its header is laid out otherwise. */
    p.b[34 + 1] = 0x01;
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_UNSUPPORTED);
    assert_false(r.tunnels[0].flags & MDEC_TF_HEADER);

    /* ERSPAN III with frame type 7: unsupported, the frame type is known. */
    pb_init(&p);
    pb_eth(&p, 0x0800);
    ip = pb_ipv4(&p, "10.0.0.1", "10.0.0.2", 47);
    pb_be16(&p, 0);
    pb_be16(&p, 0x22EB);
    pb_be32(&p, 0x20000000 | 101);
    pb_be32(&p, 0);
    pb_be16(&p, 0);
    pb_u8(&p, 7 << 2);
    pb_u8(&p, 0);
    pb_fill(&p, 0, 20);
    pb_end_ipv4(&p, ip);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, p.b, p.n, p.n, &r), MDEC_STATUS_UNSUPPORTED);
    assert_true(r.tunnels[0].flags & MDEC_TF_HEADER);
    assert_int_equal(r.tunnels[0].u.erspan.ft, 7);
    assert_int_equal(r.tunnels[0].u.erspan.version, 3);
    assert_int_equal(r.tunnels[0].id, 101);

    /* A VXLAN header cut short: no header, no id. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, 46, sizeof aws_vxlan, &r),
                     MDEC_STATUS_TRUNCATED);
    assert_int_equal(r.tunnels[0].flags & (MDEC_TF_HEADER | MDEC_TF_ID), 0);
    assert_int_equal(r.has_inner, 0);
    /* Cut right after it: the header was read, the inner packet begins. */
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, aws_vxlan, 52, sizeof aws_vxlan, &r),
                     MDEC_STATUS_TRUNCATED);
    assert_true(r.tunnels[0].flags & MDEC_TF_HEADER);
    assert_int_equal(r.has_inner, 1);
    assert_int_equal(r.inner.cap_len, 2);
    assert_int_equal(r.inner.wire_len, 58);
}

static void test_names(void **state)
{
    (void)state;
    for (int s = MDEC_STATUS_OK; s <= MDEC_STATUS_NOT_TUNNELED; s++)
        assert_string_not_equal(mdec_status_name((enum mdec_status)s), "?");
    assert_string_equal(mdec_status_name((enum mdec_status)99), "?");
    assert_string_equal(mdec_status_name((enum mdec_status)-1), "?");
    for (int t = MDEC_TUNNEL_NONE; t <= MDEC_TUNNEL_GRE; t++)
        assert_string_not_equal(mdec_tunnel_name((enum mdec_tunnel_type)t), "?");
    assert_string_equal(mdec_tunnel_name(MDEC_TUNNEL_VXLAN_GPE), "vxlan-gpe");
    assert_string_equal(mdec_tunnel_name((enum mdec_tunnel_type)6), "?");
    for (int l = MDEC_LAYER_NONE; l <= MDEC_LAYER_PAYLOAD; l++)
        assert_string_not_equal(mdec_layer_name((enum mdec_layer)l), "?");
    assert_string_equal(mdec_layer_name((enum mdec_layer)(MDEC_LAYER_PAYLOAD + 1)), "?");
    /* Codes are sparse: a code has a name exactly when it has a text, and
     * no two share a name.  (test_anomalies ties each named code to the
     * enum through a switch the compiler holds complete.) */
    unsigned named = 0;
    for (int a = 0; a < MDEC_A_LIMIT; a++) {
        const char *name = mdec_anomaly_name((enum mdec_anomaly_code)a);
        const char *text = mdec_anomaly_text((enum mdec_anomaly_code)a);
        assert_int_equal(strcmp(name, "?") == 0, strcmp(text, "unknown anomaly") == 0);
        if (strcmp(name, "?") == 0)
            continue;
        named++;
        for (int b = 0; b < a; b++)
            assert_string_not_equal(name, mdec_anomaly_name((enum mdec_anomaly_code)b));
    }
    assert_true(named > 40);
    assert_string_equal(mdec_anomaly_name(MDEC_A_LIMIT), "?");
    assert_string_equal(mdec_anomaly_name((enum mdec_anomaly_code)4), "?"); /* a gap */
    assert_string_equal(mdec_anomaly_text(MDEC_A_LIMIT), "unknown anomaly");
    assert_string_equal(mdec_direction_name(MDEC_DIR_INGRESS), "ingress");
    assert_string_equal(mdec_direction_name(MDEC_DIR_EGRESS), "egress");
    assert_string_equal(mdec_direction_name(MDEC_DIR_UNKNOWN), "unknown");
    assert_string_equal(mdec_direction_name((enum mdec_direction)3), "?");
    assert_string_equal(mdec_verdict_name(MDEC_VERDICT_UNKNOWN_SESSION), "unknown_session");
    assert_string_equal(mdec_verdict_name(MDEC_VERDICT_FORGED), "forged");
    assert_string_equal(mdec_verdict_name(MDEC_VERDICT_DUPLICATE), "duplicate");
    assert_string_equal(mdec_verdict_name((enum mdec_verdict)5), "?");
    for (int e = MDEC_E_SYNTAX; e <= MDEC_E_OK; e++)
        assert_string_not_equal(mdec_strerror(e), "unknown error");
    assert_string_equal(mdec_strerror(-99), "unknown error");
}

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(mdec_version(), MDEC_VERSION_STRING);
    assert_int_equal(mdec_version_number(), MDEC_VERSION_NUMBER);
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", MDEC_VERSION_MAJOR, MDEC_VERSION_MINOR,
             MDEC_VERSION_PATCH);
    assert_string_equal(buf, MDEC_VERSION_STRING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aws_vxlan_spans),
        cmocka_unit_test(test_udp_entry),
        cmocka_unit_test(test_config_ports),
        cmocka_unit_test(test_strict_reserved),
        cmocka_unit_test(test_geneve_iter),
        cmocka_unit_test(test_vlan_limit),
        cmocka_unit_test(test_ipv6_ext_limit),
        cmocka_unit_test(test_anomaly_overflow),
        cmocka_unit_test(test_anomaly_cause_kept),
        cmocka_unit_test(test_odd_inputs),
        cmocka_unit_test(test_result_reuse),
        cmocka_unit_test(test_gre_routing_and_keys),
        cmocka_unit_test(test_tunnel_header_flag),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

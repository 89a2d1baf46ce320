/*
 * test_anomalies.c - for every anomaly code, a packet that produces it, the
 * status that goes with it, and the layer it names.  A code no packet can
 * produce is dead API: the test fails if any code lacks a case here.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "pktbuild.h"
#include "testutil.h"

#include <stdbool.h>
#include <string.h>

struct scenario {
    int link;
    size_t cap, wire; /* 0: the built length */
    enum mdec_status status;
    enum mdec_layer layer;
};

static size_t outer_udp(struct pb *p, size_t *ip, unsigned dport)
{
    pb_eth(p, 0x0800);
    *ip = pb_ipv4(p, "10.0.1.15", "10.0.9.9", 17);
    return pb_udp(p, 40000, dport);
}

static void inner_frame(struct pb *p)
{
    pb_eth(p, 0x0800);
    size_t ip = pb_ipv4(p, "192.0.2.1", "192.0.2.2", 6);
    pb_tcp(p, 1000, 80, 0x02);
    pb_end_ipv4(p, ip);
}

static void close_udp(struct pb *p, size_t ip, size_t u)
{
    pb_end_udp(p, u);
    pb_end_ipv4(p, ip);
}

/* A GENEVE packet: header byte 0 and 1, protocol, then `opts` option bytes. */
static void geneve(struct pb *p, unsigned b0, unsigned b1, unsigned proto, const uint8_t *opts,
                   size_t n)
{
    size_t ip, u = outer_udp(p, &ip, 6081);
    pb_u8(p, b0);
    pb_u8(p, b1);
    pb_be16(p, proto);
    pb_be32(p, 5u << 8);
    pb_bytes(p, opts, n);
    inner_frame(p);
    close_udp(p, ip, u);
}

static void gpe(struct pb *p, unsigned flags, unsigned next)
{
    size_t ip, u = outer_udp(p, &ip, 4790);
    pb_u8(p, flags);
    pb_be16(p, 0);
    pb_u8(p, next);
    pb_be32(p, 6u << 8);
    inner_frame(p);
    close_udp(p, ip, u);
}

static void gre(struct pb *p, unsigned flags_ver, unsigned proto, const uint8_t *rest, size_t n,
                int with_inner)
{
    pb_eth(p, 0x0800);
    size_t ip = pb_ipv4(p, "10.0.0.1", "10.0.0.2", 47);
    pb_be16(p, flags_ver);
    pb_be16(p, proto);
    pb_bytes(p, rest, n);
    if (with_inner)
        inner_frame(p);
    pb_end_ipv4(p, ip);
}

/* Builds the packet for `code`; false when no packet exists for it. */
static bool build(enum mdec_anomaly_code code, struct pb *p, struct mdec_config *cfg,
                  struct scenario *s)
{
    size_t ip, u, x;
    s->link = MDEC_LINK_ETHERNET;
    s->cap = s->wire = 0;
    s->status = MDEC_STATUS_MALFORMED;
    pb_init(p);
    switch (code) {
    case MDEC_A_NONE:
        return false;
    case MDEC_A_CAPTURE_CUT:
        pb_aws_tcp(p, 1, 100); /* headers end at 104 */
        s->cap = 110;
        s->status = MDEC_STATUS_TRUNCATED;
        s->layer = MDEC_LAYER_PAYLOAD;
        return true;
    case MDEC_A_MIRROR_CUT: /* the mirror kept 60 bytes of a longer frame */
        u = outer_udp(p, &ip, 4789);
        pb_vxlan(p, 0x08, 1);
        pb_eth(p, 0x0800);
        x = pb_ipv4(p, "192.0.2.1", "192.0.2.2", 6);
        pb_tcp(p, 1000, 80, 0x10);
        pb_set16(p, x + 2, 1500);
        pb_fill(p, 0, 6);
        close_udp(p, ip, u);
        s->status = MDEC_STATUS_TRUNCATED;
        s->layer = MDEC_LAYER_PAYLOAD;
        return true;
    case MDEC_A_LINKTYPE:
        pb_aws_tcp(p, 1, 0);
        s->link = 147; /* LINKTYPE_USER0 */
        s->status = MDEC_STATUS_UNSUPPORTED;
        s->layer = MDEC_LAYER_FRAME;
        return true;
    case MDEC_A_WIRE_LT_CAP:
        pb_aws_tcp(p, 1, 0);
        s->wire = 10;
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_FRAME;
        return true;
    case MDEC_A_FRAME_TOO_LONG:
        return false; /* needs 4 GiB of frame: test_too_long() lies about it */
    case MDEC_A_HEADER_BEYOND: /* a 10-byte frame */
        pb_fill(p, 0, 10);
        s->layer = MDEC_LAYER_ETHERNET;
        return true;
    case MDEC_A_VLAN_DEPTH:
        pb_eth(p, 0x8100);
        for (int i = 0; i < 9; i++)
            pb_tag(p, 0x8100, 1);
        pb_fill(p, 0, 40);
        s->layer = MDEC_LAYER_ETHERNET;
        return true;
    case MDEC_A_SLL_PROTOCOL: /* Linux cooked, protocol 0x0004 (802.2 LLC) */
        pb_be16(p, 0);
        pb_be16(p, 1);
        pb_be16(p, 6);
        pb_fill(p, 0, 8);
        pb_be16(p, 0x0004);
        pb_fill(p, 0x42, 30);
        s->link = MDEC_LINK_LINUX_SLL;
        s->status = MDEC_STATUS_NOT_TUNNELED;
        s->layer = MDEC_LAYER_SLL;
        return true;
    case MDEC_A_ETHER_LENGTH: /* 802.3 frame with an LLC header */
        pb_eth(p, 38);
        pb_fill(p, 0x42, 38);
        s->status = MDEC_STATUS_NOT_TUNNELED;
        s->layer = MDEC_LAYER_ETHERNET;
        return true;
    case MDEC_A_IP_VERSION:
        pb_eth(p, 0x0800);
        pb_u8(p, 0x65);
        pb_fill(p, 0, 39);
        s->layer = MDEC_LAYER_IPV4;
        return true;
    case MDEC_A_IPV4_IHL:
        pb_aws_tcp(p, 1, 0);
        p->b[14] = 0x44;
        s->layer = MDEC_LAYER_IPV4;
        return true;
    case MDEC_A_IP_LEN_SHORT:
        pb_aws_tcp(p, 1, 0);
        pb_set16(p, 16, 19);
        s->layer = MDEC_LAYER_IPV4;
        return true;
    case MDEC_A_IP_LEN_BEYOND:
        pb_aws_tcp(p, 1, 0);
        pb_set16(p, 16, 2000);
        s->layer = MDEC_LAYER_IPV4;
        return true;
    case MDEC_A_IP_LEN_ZERO:
        pb_aws_tcp(p, 1, 0);
        pb_set16(p, 16, 0);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_IPV4;
        return true;
    case MDEC_A_IP_FRAGMENT:
        pb_aws_tcp(p, 1, 0);
        pb_set16(p, 20, 100); /* fragment offset 100: a later fragment */
        s->status = MDEC_STATUS_NOT_TUNNELED;
        s->layer = MDEC_LAYER_IPV4;
        return true;
    case MDEC_A_IPV6_EXT_LIMIT:
        pb_eth(p, 0x86DD);
        ip = pb_ipv6(p, "2001:db8::1", "2001:db8::2", 60);
        for (int i = 0; i < 17; i++) {
            pb_u8(p, 60);
            pb_u8(p, 0);
            pb_fill(p, 0, 6);
        }
        pb_end_ipv6(p, ip);
        s->layer = MDEC_LAYER_IPV6;
        return true;
    case MDEC_A_IPV6_EXT_BEYOND: /* a routing header longer than the packet */
        pb_eth(p, 0x86DD);
        ip = pb_ipv6(p, "2001:db8::1", "2001:db8::2", 43);
        pb_u8(p, 17);
        pb_u8(p, 10);
        pb_fill(p, 0, 22);
        pb_end_ipv6(p, ip);
        s->layer = MDEC_LAYER_IPV6;
        return true;
    case MDEC_A_IPV6_JUMBO: /* a jumbo option with a non-zero payload length */
        pb_eth(p, 0x86DD);
        ip = pb_ipv6(p, "2001:db8::1", "2001:db8::2", 0);
        pb_u8(p, 59);
        pb_u8(p, 0);
        pb_u8(p, 0xC2);
        pb_u8(p, 4);
        pb_be32(p, 70000);
        pb_end_ipv6(p, ip);
        s->layer = MDEC_LAYER_IPV6;
        return true;
    case MDEC_A_IPV6_ESP:
        pb_eth(p, 0x86DD);
        ip = pb_ipv6(p, "2001:db8::1", "2001:db8::2", 50);
        pb_fill(p, 0x5a, 24);
        pb_end_ipv6(p, ip);
        s->status = MDEC_STATUS_NOT_TUNNELED;
        s->layer = MDEC_LAYER_IPV6;
        return true;
    case MDEC_A_UDP_LEN_SHORT:
        pb_aws_tcp(p, 1, 0);
        pb_set16(p, 38, 7);
        s->layer = MDEC_LAYER_UDP;
        return true;
    case MDEC_A_UDP_LEN_BEYOND:
        pb_aws_tcp(p, 1, 0);
        pb_set16(p, 38, 1000);
        s->layer = MDEC_LAYER_UDP;
        return true;
    case MDEC_A_UDP_LEN_ZERO:
        pb_aws_tcp(p, 1, 0);
        pb_set16(p, 38, 0);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_UDP;
        return true;
    case MDEC_A_TCP_OFFSET:
        pb_aws_tcp(p, 1, 0);
        p->b[14 + 20 + 8 + 8 + 14 + 20 + 12] = 0x40;
        s->layer = MDEC_LAYER_TCP;
        return true;
    case MDEC_A_VXLAN_I_FLAG:
        pb_aws_tcp(p, 1, 0);
        p->b[42] = 0x00;
        s->layer = MDEC_LAYER_VXLAN;
        return true;
    case MDEC_A_VXLAN_RESERVED:
        pb_aws_tcp(p, 1, 0);
        p->b[49] = 0x01;
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_VXLAN;
        return true;
    case MDEC_A_GPE_VERSION:
        gpe(p, 0x1C, 3);
        s->layer = MDEC_LAYER_VXLAN_GPE;
        return true;
    case MDEC_A_GPE_P_FLAG:
        gpe(p, 0x08, 3);
        s->layer = MDEC_LAYER_VXLAN_GPE;
        return true;
    case MDEC_A_GPE_OAM:
        gpe(p, 0x0D, 3);
        s->status = MDEC_STATUS_UNSUPPORTED;
        s->layer = MDEC_LAYER_VXLAN_GPE;
        return true;
    case MDEC_A_GPE_NEXT_PROTO:
        gpe(p, 0x0C, 5); /* MPLS */
        s->status = MDEC_STATUS_UNSUPPORTED;
        s->layer = MDEC_LAYER_VXLAN_GPE;
        return true;
    case MDEC_A_GENEVE_VERSION:
        geneve(p, 0x80, 0, 0x6558, NULL, 0);
        s->layer = MDEC_LAYER_GENEVE;
        return true;
    case MDEC_A_GENEVE_OPT_LEN: {
        static const uint8_t o[] = {0x01, 0x00, 0x01, 0x02, 0, 0, 0, 0};
        geneve(p, 0x02, 0, 0x6558, o, sizeof o); /* the option claims 12 of 8 */
        s->layer = MDEC_LAYER_GENEVE;
        return true;
    }
    case MDEC_A_GENEVE_RESERVED:
        geneve(p, 0x00, 0x01, 0x6558, NULL, 0);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_GENEVE;
        return true;
    case MDEC_A_GENEVE_OAM:
        geneve(p, 0x00, 0x80, 0x6558, NULL, 0);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_GENEVE;
        return true;
    case MDEC_A_GENEVE_CRITICAL: {
        static const uint8_t o[] = {0x01, 0x02, 0x81, 0x00};
        geneve(p, 0x01, 0x40, 0x6558, o, sizeof o);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_GENEVE;
        return true;
    }
    case MDEC_A_GENEVE_PROTO:
        geneve(p, 0x00, 0, 0x8847, NULL, 0);
        s->status = MDEC_STATUS_UNSUPPORTED;
        s->layer = MDEC_LAYER_GENEVE;
        return true;
    case MDEC_A_GENEVE_CLOUD_OPT: { /* a GWLB endpoint id of 4 bytes */
        static const uint8_t o[] = {0x01, 0x08, 0x01, 0x01, 1, 2, 3, 4};
        geneve(p, 0x02, 0, 0x6558, o, sizeof o);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_GENEVE;
        return true;
    }
    case MDEC_A_GRE_VERSION:
        gre(p, 0x0001, 0x880B, NULL, 0, 0);
        s->status = MDEC_STATUS_UNSUPPORTED;
        s->layer = MDEC_LAYER_GRE;
        return true;
    case MDEC_A_GRE_RESERVED:
        gre(p, 0x0100, 0x6558, NULL, 0, 1);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_GRE;
        return true;
    case MDEC_A_GRE_ROUTING: {
        static const uint8_t rest[] = {0, 0, 0, 0, 0x08, 0x00, 0, 0xF0};
        gre(p, 0x4000, 0x6558, rest, sizeof rest, 1);
        s->layer = MDEC_LAYER_GRE;
        return true;
    }
    case MDEC_A_GRE_PROTO:
        gre(p, 0, 0x2001, NULL, 0, 1); /* NHRP */
        s->status = MDEC_STATUS_UNSUPPORTED;
        s->layer = MDEC_LAYER_GRE;
        return true;
    case MDEC_A_ERSPAN_VERSION: {
        static const uint8_t rest[] = {0, 0, 0, 1, 0x20, 0, 0, 5, 0, 0, 0, 0};
        gre(p, 0x1000, 0x88BE, rest, sizeof rest, 1);
        s->layer = MDEC_LAYER_ERSPAN;
        return true;
    }
    case MDEC_A_ERSPAN_FRAME_TYPE: {
        static const uint8_t rest[] = {0x20, 0, 0, 5, 0, 0, 0, 0, 0, 0, 7 << 2, 0};
        gre(p, 0, 0x22EB, rest, sizeof rest, 1);
        s->status = MDEC_STATUS_UNSUPPORTED;
        s->layer = MDEC_LAYER_ERSPAN;
        return true;
    }
    case MDEC_A_ERSPAN_RESERVED: {
        static const uint8_t rest[] = {0, 0, 0, 1, 0x10, 0, 0, 5, 0x80, 0, 0, 0};
        gre(p, 0x1000, 0x88BE, rest, sizeof rest, 1);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_ERSPAN;
        return true;
    }
    case MDEC_A_DEPTH_LIMIT:       /* VXLAN in a VXLAN transport, max_depth 1 */
    case MDEC_A_NESTED_UNTRUSTED: { /* VXLAN in VXLAN from an untrusted source */
        size_t ip2, u2;
        if (code == MDEC_A_DEPTH_LIMIT) {
            struct mdec_prefix from;
            assert_int_equal(mdec_prefix_parse("10.0.1.15", 9, &from, NULL), 0);
            assert_int_equal(mdec_config_add_transport(cfg, MDEC_TUNNEL_VXLAN, &from, 1), 0);
            cfg->max_depth = 1;
        }
        u = outer_udp(p, &ip, 4789);
        pb_vxlan(p, 0x08, 1);
        pb_eth(p, 0x0800);
        ip2 = pb_ipv4(p, "10.1.0.1", "10.1.0.2", 17);
        u2 = pb_udp(p, 1, 4789);
        pb_vxlan(p, 0x08, 2);
        inner_frame(p);
        close_udp(p, ip2, u2);
        close_udp(p, ip, u);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_UDP;
        return true;
    }
    case MDEC_A_GENEVE_DUP_OPTION: { /* two GWLB endpoint ids */
        static const uint8_t opts[] = {0x01, 0x08, 1, 2, 0, 0, 0, 0, 0, 0, 0, 7,
                                       0x01, 0x08, 1, 2, 0, 0, 0, 0, 0, 0, 0, 8};
        geneve(p, sizeof opts / 4, 0, 0x6558, opts, sizeof opts);
        s->status = MDEC_STATUS_OK;
        s->layer = MDEC_LAYER_GENEVE;
        return true;
    }
    case MDEC_A_CARRIER_FRAGMENT: /* the carrier is a first fragment */
        pb_aws_tcp(p, 1, 400);
        pb_set16(p, 20, 0x2000);
        pb_set16(p, 16, 20 + 200);
        p->n = 14 + 20 + 200;
        s->status = MDEC_STATUS_TRUNCATED;
        s->layer = MDEC_LAYER_PAYLOAD;
        return true;
    case MDEC_A_LIMIT:
        break;
    }
    return false;
}

static void test_every_code(void **state)
{
    (void)state;
    static struct pb p;
    unsigned covered = 0;
    /* The codes are sparse: every value that has a name (names.c) must be
     * produced by a packet, and every value build() knows (a switch over
     * the enum that -Wswitch holds complete) must have a name. */
    for (int c = 1; c < MDEC_A_LIMIT; c++) {
        const enum mdec_anomaly_code code = (enum mdec_anomaly_code)c;
        const int named = strcmp(mdec_anomaly_name(code), "?") != 0;
        struct mdec_config cfg;
        struct mdec_result r;
        struct scenario s;
        mdec_config_init(&cfg);
        const int built = build(code, &p, &cfg, &s);
        if (built && !named)
            fail_msg("anomaly %d has a packet but no name", c);
        if (!built) {
            if (named && code != MDEC_A_FRAME_TOO_LONG)
                fail_msg("no packet produces anomaly %s", mdec_anomaly_name(code));
            continue;
        }
        const size_t cap = s.cap ? s.cap : p.n;
        const size_t wire = s.wire ? s.wire : p.n;
        mdec_decode(&cfg, s.link, p.b, cap, wire, &r);
        if (!mdec_result_has_anomaly(&r, code))
            fail_msg("%s: not reported (status %s, first anomaly %s)", mdec_anomaly_name(code),
                     mdec_status_name((enum mdec_status)r.status),
                     r.n_anomalies ? mdec_anomaly_name((enum mdec_anomaly_code)r.anomalies[0].code)
                                   : "none");
        if (r.status != s.status)
            fail_msg("%s: status %s, expected %s", mdec_anomaly_name(code),
                     mdec_status_name((enum mdec_status)r.status), mdec_status_name(s.status));
        for (unsigned i = 0; i < r.n_anomalies; i++)
            if (r.anomalies[i].code == code && r.anomalies[i].layer != s.layer)
                fail_msg("%s: layer %s, expected %s", mdec_anomaly_name(code),
                         mdec_layer_name((enum mdec_layer)r.anomalies[i].layer),
                         mdec_layer_name(s.layer));
        check_every_length(&cfg, s.link, p.b, cap, wire < cap ? cap : wire);
        covered++;
    }
    print_message("%u anomaly codes produced by a packet\n", covered);
}

/* A frame of 4 GiB or more cannot be described by the result's 32-bit
 * offsets: refused before any byte is read (so a short buffer is safe). */
static void test_too_long(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    static const uint8_t byte[1] = {0};
    mdec_config_init(&cfg);
    if (sizeof(size_t) <= 4)
        skip();
    const size_t huge = (size_t)UINT32_MAX + 1;
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, byte, huge, huge, &r),
                     MDEC_STATUS_UNSUPPORTED);
    assert_true(mdec_result_has_anomaly(&r, MDEC_A_FRAME_TOO_LONG));
    assert_int_equal(r.cap_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code),
        cmocka_unit_test(test_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

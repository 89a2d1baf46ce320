/*
 * test_visibility.c - the payload classifiers, each on the bytes its
 * reference describes (valid, wrong in one field, cut before the deciding
 * byte), then the fixtures of tests/health/fixtures: every payload byte of
 * each protocol's flow counted in the class the generator wrote it as.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "health_util.h"

#include <stdlib.h>
#include <string.h>

#include "health_int.h"

/* A window over buf: cap bytes present, wire bytes on the wire. */
static struct win W(const void *buf, uint32_t cap, uint64_t wire)
{
    struct win w = {buf, 0, cap, wire, 0, 0};
    return w;
}

static void test_tls(void **state)
{
    (void)state;
    static const uint8_t ch[] = {22, 3, 1, 0, 50, 1, 0, 0, 46};
    struct win w = W(ch, sizeof ch, 55);
    assert_int_equal(mdec__tls_detect(&w), DET_YES);
    uint8_t type;
    uint32_t len;
    assert_int_equal(mdec__tls_record(&w, 0, &type, &len), 1);
    assert_int_equal(type, 22);
    assert_int_equal(len, 50);
    w = W(ch, 3, 55); /* cut inside the header */
    assert_int_equal(mdec__tls_detect(&w), DET_MORE);
    assert_int_equal(mdec__tls_record(&w, 0, &type, &len), 2);
    w = W(ch, 3, 3); /* ... of a payload that short on the wire: no TLS */
    assert_int_equal(mdec__tls_detect(&w), DET_NO);
    static const uint8_t bad[][6] = {
        {19, 3, 3, 0, 5, 1},    /* type below 20        */
        {25, 3, 3, 0, 5, 1},    /* type above 24        */
        {23, 2, 0, 0, 5, 1},    /* version below SSL 3  */
        {23, 3, 5, 0, 5, 1},    /* version above 1.3    */
        {23, 3, 3, 0x48, 1, 1}, /* longer than 2^14+2048 */
        {23, 3, 3, 0, 0, 1},    /* empty application data */
        {22, 3, 3, 0, 5, 0},    /* handshake type 0     */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        w = W(bad[i], 6, 6);
        assert_int_equal(mdec__tls_detect(&w), DET_NO);
    }
    static const uint8_t max[] = {23, 3, 3, 0x48, 0, 1};
    w = W(max, 6, 6);
    assert_int_equal(mdec__tls_detect(&w), DET_YES);
}

static void test_quic(void **state)
{
    (void)state;
    uint8_t p[32] = {0xC3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0};
    struct win w = W(p, sizeof p, 1200);
    assert_int_equal(mdec__quic_detect(&w), DET_YES);
    assert_int_equal(mdec__quic_datagram(&w), MDEC_VIS_ENCRYPTED);
    w = W(p, 5, 1200);
    assert_int_equal(mdec__quic_detect(&w), DET_MORE);
    p[4] = 2; /* version 2 is 0x6b3343cf, not 2 */
    w = W(p, sizeof p, 1200);
    assert_int_equal(mdec__quic_detect(&w), DET_NO);
    memcpy(p + 1, "\x6b\x33\x43\xcf", 4);
    assert_int_equal(mdec__quic_detect(&w), DET_YES);
    p[5] = 21; /* connection id longer than 20 */
    assert_int_equal(mdec__quic_detect(&w), DET_NO);
    p[5] = 8;
    p[0] = 0x83; /* fixed bit clear */
    assert_int_equal(mdec__quic_detect(&w), DET_NO);
    p[0] = 0x41; /* a short header: only inside a QUIC flow */
    assert_int_equal(mdec__quic_detect(&w), DET_NO);
    assert_int_equal(mdec__quic_datagram(&w), MDEC_VIS_ENCRYPTED);
    p[0] = 0x01;
    assert_int_equal(mdec__quic_datagram(&w), MDEC_VIS_UNKNOWN);
    static const uint8_t vn[] = {0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    w = W(vn, sizeof vn, sizeof vn);
    assert_int_equal(mdec__quic_datagram(&w), MDEC_VIS_CLEARTEXT);
}

static void test_ssh(void **state)
{
    (void)state;
    static const char b2[] = "SSH-2.0-OpenSSH_9.6\r\n", b1[] = "SSH-1.99-x\r\n",
                      old[] = "SSH-1.5-x\r\n";
    struct win w = W(b2, sizeof b2 - 1, sizeof b2 - 1);
    assert_int_equal(mdec__ssh_detect(&w), DET_YES);
    assert_int_equal(mdec__ssh_line_end(&w, 0), sizeof b2 - 1);
    w = W(b1, sizeof b1 - 1, sizeof b1 - 1);
    assert_int_equal(mdec__ssh_detect(&w), DET_YES);
    w = W(old, sizeof old - 1, sizeof old - 1);
    assert_int_equal(mdec__ssh_detect(&w), DET_NO);
    w = W(b2, 5, 40); /* "SSH-2" and the rest cut */
    assert_int_equal(mdec__ssh_detect(&w), DET_MORE);
    assert_int_equal(mdec__ssh_line_end(&w, 0), 0);
    /* packet_length 12, padding 4, NEWKEYS: 4 + 12 is a multiple of 8. */
    static const uint8_t nk[] = {0, 0, 0, 12, 4, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    uint32_t len;
    uint8_t msg;
    w = W(nk, sizeof nk, sizeof nk);
    assert_int_equal(mdec__ssh_packet(&w, 0, &len, &msg), 1);
    assert_int_equal(len, 12);
    assert_int_equal(msg, 21);
    static const uint8_t odd[] = {0, 0, 0, 13, 4, 21}, pad3[] = {0, 0, 0, 12, 3, 21};
    w = W(odd, 6, 6);
    assert_int_equal(mdec__ssh_packet(&w, 0, &len, &msg), 0);
    w = W(pad3, 6, 6);
    assert_int_equal(mdec__ssh_packet(&w, 0, &len, &msg), 0);
    w = W(nk, 5, 16);
    assert_int_equal(mdec__ssh_packet(&w, 0, &len, &msg), 2);
}

static void test_esp_and_wireguard(void **state)
{
    (void)state;
    uint8_t p[64] = {0, 0, 1, 0, 0, 0, 0, 1};
    const struct pkt_meta esp = {50, 0, 0}, natt = {17, 4500, 4500}, udp = {17, 1, 2};
    struct win w = W(p, sizeof p, sizeof p);
    assert_int_equal(mdec__esp_detect(&w, &esp), DET_YES);
    assert_int_equal(mdec__esp_detect(&w, &natt), DET_YES);
    assert_int_equal(mdec__esp_detect(&w, &udp), DET_NO);
    p[2] = 0; /* SPI 0..255: reserved, and on 4500 SPI 0 is IKE's marker */
    assert_int_equal(mdec__esp_detect(&w, &esp), DET_NO);
    assert_int_equal(mdec__esp_detect(&w, &natt), DET_NO);
    static const uint8_t keepalive[] = {0xFF};
    w = W(keepalive, 1, 1);
    assert_int_equal(mdec__esp_detect(&w, &natt), DET_NO);
    p[2] = 1;
    w = W(p, 6, 64);
    assert_int_equal(mdec__esp_detect(&w, &esp), DET_MORE);

    uint8_t m[160] = {1, 0, 0, 0};
    w = W(m, 148, 148);
    assert_int_equal(mdec__wireguard_detect(&w), DET_YES);
    w = W(m, 64, 148); /* cut by a mirror: the wire length still tells */
    assert_int_equal(mdec__wireguard_detect(&w), DET_YES);
    w = W(m, 149, 149);
    assert_int_equal(mdec__wireguard_detect(&w), DET_NO);
    m[0] = 2;
    w = W(m, 92, 92);
    assert_int_equal(mdec__wireguard_detect(&w), DET_YES);
    m[0] = 3;
    w = W(m, 64, 64);
    assert_int_equal(mdec__wireguard_detect(&w), DET_YES);
    m[0] = 4;
    w = W(m, 32, 32);
    assert_int_equal(mdec__wireguard_detect(&w), DET_YES);
    w = W(m, 40, 40); /* not a multiple of 16 */
    assert_int_equal(mdec__wireguard_detect(&w), DET_NO);
    m[2] = 1; /* reserved bytes must be zero */
    w = W(m, 32, 32);
    assert_int_equal(mdec__wireguard_detect(&w), DET_NO);
    m[2] = 0;
    m[0] = 5;
    assert_int_equal(mdec__wireguard_detect(&w), DET_NO);
}

static void test_cleartext(void **state)
{
    (void)state;
    static const char get[] = "GET / HTTP/1.1\r\n", resp[] = "HTTP/1.1 200 OK\r\n";
    struct win w = W(get, sizeof get - 1, 100);
    assert_int_equal(mdec__http_detect(&w), DET_YES);
    w = W(resp, sizeof resp - 1, 100);
    assert_int_equal(mdec__http_detect(&w), DET_YES);
    w = W(get, 2, 100); /* "GE", the rest cut */
    assert_int_equal(mdec__http_detect(&w), DET_MORE);
    w = W("GOT / x", 7, 7);
    assert_int_equal(mdec__http_detect(&w), DET_NO);
    static const uint8_t q[] = {0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    const struct pkt_meta dns = {17, 5000, 53}, other = {17, 5000, 54}, tcp = {6, 53, 5000};
    w = W(q, sizeof q, sizeof q);
    assert_int_equal(mdec__dns_detect(&w, &dns), DET_YES);
    assert_int_equal(mdec__dns_detect(&w, &other), DET_NO);
    uint8_t bad[12];
    memcpy(bad, q, 12);
    bad[2] = 0x18; /* opcode 3 */
    w = W(bad, 12, 12);
    assert_int_equal(mdec__dns_detect(&w, &dns), DET_NO);
    bad[2] = 0x01;
    bad[3] = 0x40; /* Z bit */
    assert_int_equal(mdec__dns_detect(&w, &dns), DET_NO);
    static const uint8_t tq[] = {0, 12, 0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    w = W(tq, sizeof tq, sizeof tq);
    assert_int_equal(mdec__dns_detect(&w, &tcp), DET_YES);
    w = W("EHLO mail.example.com\r\n", 23, 23);
    assert_int_equal(mdec__text_detect(&w), DET_YES);
    w = W("ok\r\n", 4, 4);
    assert_int_equal(mdec__text_detect(&w), DET_YES);
    w = W("ok", 2, 2);
    assert_int_equal(mdec__text_detect(&w), DET_YES);
    w = W("ok", 2, 90);
    assert_int_equal(mdec__text_detect(&w), DET_MORE);
    w = W("ok\x01zzzz", 7, 7);
    assert_int_equal(mdec__text_detect(&w), DET_NO);
}

/* The order of the detectors: the first that says yes decides; MORE from
 * any keeps the flow undecided. */
static void test_classify_app(void **state)
{
    (void)state;
    const struct pkt_meta tcp = {6, 40000, 443}, udp = {17, 40000, 443};
    static const uint8_t tls[] = {22, 3, 1, 0, 50, 1};
    struct win w = W(tls, sizeof tls, 55);
    assert_int_equal(mdec__classify_app(&w, &tcp), MDEC_APP_TLS);
    assert_int_equal(mdec__classify_app(&w, &udp), MDEC_APP_OTHER); /* no DTLS */
    w = W(tls, 2, 55);
    assert_int_equal(mdec__classify_app(&w, &tcp), MDEC_APP_NONE);
    w = W("SSH-2.0-x\r\n", 11, 11);
    assert_int_equal(mdec__classify_app(&w, &tcp), MDEC_APP_SSH);
    w = W("HELO x\r\n", 8, 8);
    assert_int_equal(mdec__classify_app(&w, &tcp), MDEC_APP_TEXT);
    const struct pkt_meta esp = {50, 0, 0};
    static const uint8_t e[16] = {0, 0, 1, 0, 0, 0, 0, 1};
    w = W(e, 16, 16);
    assert_int_equal(mdec__classify_app(&w, &esp), MDEC_APP_ESP);
    const struct pkt_meta icmp = {1, 0, 0};
    assert_int_equal(mdec__classify_app(&w, &icmp), MDEC_APP_OTHER);
}

static void check_fixture(const char *name)
{
    char app[32], v[4][32];
    static const char *const keys[4] = {"cleartext", "encrypted", "cut", "unknown"};
    assert_non_null(hu_expected(name, "app", app, sizeof app));
    for (int i = 0; i < 4; i++)
        assert_non_null(hu_expected(name, keys[i], v[i], sizeof v[i]));
    struct mdec_health h;
    hu_run_fixture(name, &h);
    print_message("%-20s %-9s cleartext %5llu encrypted %5llu cut %4llu unknown %4llu\n", name,
                  app, (unsigned long long)h.vis_bytes[0], (unsigned long long)h.vis_bytes[1],
                  (unsigned long long)h.vis_bytes[2], (unsigned long long)h.vis_bytes[3]);
    unsigned a = 0;
    while (a < MDEC_APP_MAX && strcmp(mdec_app_name((enum mdec_app)a), app) != 0)
        a++;
    assert_true(a < MDEC_APP_MAX);
    assert_int_equal(h.flows, 1);
    if (h.app_flows[a] != 1)
        fail_msg("%s: the flow is not counted as %s", name, app);
    for (int i = 0; i < 4; i++)
        if (h.vis_bytes[i] != strtoull(v[i], NULL, 10))
            fail_msg("%s: %s bytes %llu, expected %s", name, keys[i],
                     (unsigned long long)h.vis_bytes[i], v[i]);
    uint64_t present = 0;
    for (unsigned k = 0; k < MDEC_APP_MAX; k++)
        present += h.app_bytes[k];
    assert_int_equal(present, h.vis_bytes[0] + h.vis_bytes[1] + h.vis_bytes[3]);
}

static void test_fixtures(void **state)
{
    (void)state;
    static const char *const names[] = {
        "vis_tls12.pcap", "vis_tls13.pcap", "vis_tls_midflow.pcap", "vis_quic.pcap", "vis_ssh.pcap",
        "vis_esp.pcap",   "vis_natt.pcap",  "vis_wireguard.pcap", "vis_http.pcap",
        "vis_dns.pcap",   "vis_unknown.pcap"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        check_fixture(names[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls),          cmocka_unit_test(test_quic),
        cmocka_unit_test(test_ssh),          cmocka_unit_test(test_esp_and_wireguard),
        cmocka_unit_test(test_cleartext),    cmocka_unit_test(test_classify_app),
        cmocka_unit_test(test_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

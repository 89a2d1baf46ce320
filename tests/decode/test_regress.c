/*
 * test_regress.c - regression tests for library bugs found by fuzzing or
 * static analysis (fuzz/README.md says how a finding becomes one).  One test
 * per finding; its input is a commented byte array, cut down to the smallest
 * packet that shows the bug, and the test says what was wrong.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "testutil.h"

/*
 * inner_padding (found by fuzz_decode_udp): an inner Ethernet frame with
 * bytes after its IP datagram - padding up to Ethernet's 60-byte minimum,
 * which a switch mirroring with ERSPAN copies along, or a kept FCS.  The
 * result counted them in inner.cap_len (60) while inner.wire_len stops at
 * the IP datagram (14 + 40 = 54), so the inner packet had more bytes present
 * than on the wire: check_result() forbids that, and a pcap record
 * (which the inner packet is documented to be ready for) cannot hold it.
 * The same happens behind every tunnel that carries trailing bytes after its
 * inner IP datagram (GRE, GENEVE, VXLAN-GPE with bare IP too).
 */
static const uint8_t vxlan_padded[110] = {
    /* Ethernet: 02:00:00:00:09:09 < 02:00:00:00:01:01, IPv4 */
    0x02, 0x00, 0x00, 0x00, 0x09, 0x09, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 0x08, 0x00,
    /* IPv4 10.0.1.15 > 10.0.9.9, total length 96, UDP */
    0x45, 0x00, 0x00, 0x60, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11, 0x1c, 0x75,
    0x0a, 0x00, 0x01, 0x0f, 0x0a, 0x00, 0x09, 0x09,
    /* UDP 51234 > 4789, length 76 */
    0xc8, 0x22, 0x12, 0xb5, 0x00, 0x4c, 0x00, 0x00,
    /* VXLAN, I flag, VNI 123 */
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7b, 0x00,
    /* inner Ethernet (offset 50): 02:00:00:00:0b:02 < 02:00:00:00:0a:01, IPv4 */
    0x02, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x08, 0x00,
    /* inner IPv4 10.0.1.15 > 93.184.216.34, total length 40, TCP */
    0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0xf9, 0xe5,
    0x0a, 0x00, 0x01, 0x0f, 0x5d, 0xb8, 0xd8, 0x22,
    /* TCP 49152 > 443, ACK, no data */
    0xc0, 0x00, 0x01, 0xbb, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0,
    0x50, 0x10, 0x01, 0xf6, 0x00, 0x00, 0x00, 0x00,
    /* Ethernet padding of the inner frame, 54 -> 60 bytes */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_inner_padding(void **state)
{
    (void)state;
    struct mdec_config cfg;
    struct mdec_result r;
    mdec_config_init(&cfg);
    assert_int_equal(mdec_decode(&cfg, MDEC_LINK_ETHERNET, vxlan_padded, sizeof vxlan_padded,
                                 sizeof vxlan_padded, &r),
                     MDEC_STATUS_OK);
    assert_int_equal(r.inner.off, 50);
    assert_int_equal(r.inner.ip_len, 40);
    if (r.inner.cap_len > r.inner.wire_len)
        fail_msg("inner packet: %u bytes present but %u on the wire", r.inner.cap_len,
                 r.inner.wire_len);
    check_result(&r, vxlan_padded, sizeof vxlan_padded);
    check_every_length(&cfg, MDEC_LINK_ETHERNET, vxlan_padded, sizeof vxlan_padded,
                       sizeof vxlan_padded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inner_padding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

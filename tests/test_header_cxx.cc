// test_header_cxx.cc - <mirrordec.h> from C++, as a Zeek plugin includes it.
//
// Built with the C++ compiler and the project's warnings as errors (-Wshadow
// included: a function named like a struct once broke that), linked against
// the C library, and run: one VXLAN frame decoded, demultiplexed into a
// session and filtered, each result checked.
#include <mirrordec.h>

#include <cstdio>
#include <cstring>

namespace {

int failures = 0;

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "FAIL: %s\n", what);
        failures++;
    }
}

// AWS-style mirror: outer Ethernet / IPv4 10.0.0.5 > 10.0.0.9 / UDP 4789 /
// VXLAN VNI 7 / inner Ethernet / IPv4 192.168.1.2 > 192.168.1.3 / UDP
// 5353 > 53 / 4 bytes.
const unsigned char frame[] = {
    // outer Ethernet: dst, src, IPv4
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    // outer IPv4: 20 bytes, total 82, TTL 64, UDP
    0x45, 0x00, 0x00, 0x52, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
    10, 0, 0, 5, 10, 0, 0, 9,
    // outer UDP 49152 > 4789, length 62
    0xc0, 0x00, 0x12, 0xb5, 0x00, 0x3e, 0x00, 0x00,
    // VXLAN: I flag, VNI 7
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00,
    // inner Ethernet
    0x02, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x03, 0x08, 0x00,
    // inner IPv4: total 32, UDP
    0x45, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
    192, 168, 1, 2, 192, 168, 1, 3,
    // inner UDP 5353 > 53, length 12
    0x14, 0xe9, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00,
    'p', 'i', 'n', 'g',
};

} // namespace

int main()
{
    check(std::strcmp(mdec_version(), MDEC_VERSION_STRING) == 0, "mdec_version()");

    mdec_config cfg;
    mdec_config_init(&cfg);
    mdec_result r;
    const mdec_status st = mdec_decode(&cfg, MDEC_LINK_ETHERNET, frame, sizeof frame,
                                       sizeof frame, &r);
    check(st == MDEC_STATUS_OK, "status ok");
    check(r.n_tunnels == 1 && r.tunnels[0].type == MDEC_TUNNEL_VXLAN && r.tunnels[0].id == 7,
          "one VXLAN tunnel, VNI 7");
    check((r.flow.flags & MDEC_FLOW_PORTS) != 0 && r.flow.sport == 5353 && r.flow.dport == 53,
          "inner ports 5353 > 53");
    char src[MDEC_ADDR_STRLEN];
    check(mdec_addr_format(&r.flow.src, src, sizeof src) > 0 && std::strcmp(src, "192.168.1.2") == 0,
          "inner source 192.168.1.2");

    // A table of 4 sessions that learns, in a buffer of ours.
    alignas(MDEC_TABLE_ALIGN) static unsigned char mem[64 * 1024];
    check(mdec_table_size(4) <= sizeof mem, "table fits");
    mdec_table_config tc;
    std::memset(&tc, 0, sizeof tc);
    tc.unknown = MDEC_UNKNOWN_LEARN;
    mdec_table *t = mdec_table_init(mem, sizeof mem, 4, &tc);
    check(t != nullptr, "mdec_table_init");
    if (t == nullptr)
        return 1;
    mdec_match m;
    check(mdec_table_process(t, &r, &m) == MDEC_VERDICT_ACCEPT, "learned session accepts");
    const mdec_table_stats *ts = mdec_table_get_stats(t);
    check(ts->learned == 1 && ts->count == 1, "one session learned");

    // A filter that accepts only inner UDP to port 53.
    alignas(MDEC_FILTER_ALIGN) static unsigned char fmem[16 * 1024];
    mdec_filter *f = mdec_filter_init(fmem, sizeof fmem, 8);
    check(f != nullptr, "mdec_filter_init");
    if (f == nullptr)
        return 1;
    const char rules[] = "ingress 100 accept udp 0.0.0.0/0 0.0.0.0/0 dport 53\n";
    mdec_parse_error err;
    check(mdec_filter_parse(f, rules, sizeof rules - 1, &err) == 0, "rules parse");
    check(mdec_filter_eval(f, &r, MDEC_DIR_INGRESS) == MDEC_VERDICT_ACCEPT, "ingress dport 53 accepted");
    check(mdec_filter_eval(f, &r, MDEC_DIR_EGRESS) == MDEC_VERDICT_REJECT, "egress rejected: no rules");

    if (failures == 0)
        std::puts("ok: <mirrordec.h> compiles and works from C++");
    return failures == 0 ? 0 : 1;
}

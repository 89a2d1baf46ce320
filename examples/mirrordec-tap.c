/*
 * mirrordec-tap.c - re-inject decapsulated inner frames into a TAP device,
 * so that an unmodified Zeek, Suricata or tcpdump listening on that device
 * sees the original traffic.
 *
 *   mirrordec-tap                       UDP 4789/6081 in, TAP device mdec0 out
 *   zeek -i mdec0                       (in another shell)
 *   mirrordec-tap --tap-per-session     one device per session: mdec1, mdec2 ...
 *   mirrordec-tap -r demo.pcap --tap zeek0   replay a capture into a device
 *
 * Input: UDP sockets (examples/common/in_udp.c) by default, or libpcap with
 * -r FILE / -i IFACE (examples/common/in_pcap.c).  Only accepted packets are
 * injected: --session allow-lists, --filter and --inner-bpf apply.  The
 * devices are in examples/common/tapdev.c; bare IP inner packets get a
 * made-up Ethernet header there.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "common/mt.h"

static const char help[] =
    "Usage: mirrordec-tap [OPTION...]\n"
    "Re-inject the decapsulated inner frames of accepted mirrored packets into a\n"
    "TAP device (needs root or CAP_NET_ADMIN), where Zeek, Suricata or tcpdump\n"
    "see the original traffic.  Bare IP inner packets (AWS GWLB, VXLAN-GPE) get\n"
    "an Ethernet header 02:00:00:00:00:01 > 02:00:00:00:00:02.  Runs until SIGINT\n"
    "or SIGTERM (or -c N, or the end of -r FILE).\n"
    "\n"
    "Devices:\n"
    "      --tap NAME         the TAP device to create or attach to (default mdec0)\n"
    "      --tap-per-session  one device per session, named NAME1, NAME2 ... in the\n"
    "                         order of --session, then of appearance (NAME defaults\n"
    "                         to mdec); each is announced on standard error\n"
    "      --max-taps N       devices --tap-per-session creates at most (default:\n"
    "                         from the open-file limit, at most 256); sessions past\n"
    "                         it get none, and their frames are counted\n"
    "\n"
    "Input (default: UDP sockets, VXLAN on 4789 and GENEVE on 6081):\n"
    "  -b, --bind ADDR        receive on this local address only (repeatable)\n"
    "      --batch N          datagrams per recvmmsg call (default 64)\n"
    "      --rcvbuf BYTES     receive buffer each socket asks for (default 16 MiB)\n"
    "      --health-port [ADDR:]PORT  answer load balancer health checks (UDP input)\n"
    "      --stats-interval SECONDS   stats as a JSON line on stderr (UDP input)\n"
    "  -r, --read FILE        replay a pcap or pcapng file instead\n"
    "  -i, --interface IFACE  capture IFACE with libpcap instead\n"
    "      --snaplen N, --no-promisc   for -i\n"
    "\n";

int main(int argc, char **argv)
{
    return mt_main(MT_TAP, "mirrordec-tap", help, argc, argv);
}

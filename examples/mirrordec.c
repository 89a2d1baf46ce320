/*
 * mirrordec.c - decapsulate mirrored traffic from a capture file or a live
 * interface (libpcap).
 *
 *   mirrordec -r capture.pcap                  the per-session table
 *   mirrordec -r capture.pcap --json           one JSON object per packet
 *   mirrordec -r capture.pcap -w out.pcapng    the inner packets, one pcapng file
 *   mirrordec -r capture.pcap --split out/     a capture file per session
 *   mirrordec -i eth0 --session 101:web:10.0.1.10 --filter rules.txt
 *
 * All of the work after libpcap hands over a frame (sessions, filters,
 * outputs, summary) is in examples/common, shared with mirrordec-udp,
 * mirrordec-afpacket and mirrordec-tap.  See docs/man/mirrordec.1.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "common/mt.h"

static const char help[] =
    "Usage: mirrordec -r FILE [OPTION...]\n"
    "       mirrordec -i IFACE [OPTION...]\n"
    "Decapsulate mirrored traffic (AWS VPC Traffic Mirroring, AWS Gateway Load\n"
    "Balancer, Azure virtual network TAP, Google Cloud packet mirroring, ERSPAN)\n"
    "read from a capture file or a live interface.  Prints a per-session summary\n"
    "on standard error; --json, -w FILE and --split DIR give every packet.\n"
    "\n"
    "Input:\n"
    "  -r, --read FILE        a pcap or pcapng file ('-': standard input)\n"
    "  -i, --interface IFACE  capture live (needs root or CAP_NET_RAW)\n"
    "      --snaplen N        bytes kept of each live frame (default 262144)\n"
    "      --no-promisc       leave IFACE out of promiscuous mode\n"
    "      --progress, --no-progress\n"
    "                         a progress line while a file is read (default: when\n"
    "                         standard error is a terminal)\n"
    "\n";

int main(int argc, char **argv)
{
    return mt_main(MT_CLI, "mirrordec", help, argc, argv);
}

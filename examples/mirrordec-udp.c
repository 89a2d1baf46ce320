/*
 * mirrordec-udp.c - receive mirrored traffic on UDP sockets, as an AWS
 * Traffic Mirroring target does: VXLAN on 4789 and GENEVE on 6081, IPv4 and
 * IPv6, in batches (recvmmsg), decoded by mdec_decode_udp().
 *
 *   mirrordec-udp --json
 *   mirrordec-udp --split /var/spool/mirror --session 101:web:10.0.1.10
 *
 * The sockets are in examples/common/in_udp.c (shared with mirrordec-tap);
 * sessions, filters and outputs in examples/common.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "common/mt.h"

static const char help[] =
    "Usage: mirrordec-udp [OPTION...]\n"
    "Receive mirrored traffic on UDP sockets (an AWS Traffic Mirroring target):\n"
    "VXLAN on 4789 and GENEVE on 6081 unless other ports are given, on IPv4 and\n"
    "IPv6.  Runs until SIGINT or SIGTERM (or -c N), then prints the per-session\n"
    "summary.\n"
    "\n"
    "Input:\n"
    "  -b, --bind ADDR        receive on this local address only (repeatable;\n"
    "                         default: every address, IPv4 and IPv6)\n"
    "      --batch N          datagrams per recvmmsg call, 1..1024 (default 64)\n"
    "      --rcvbuf BYTES     receive buffer each socket asks for (default 16 MiB;\n"
    "                         SO_RCVBUFFORCE when root); datagrams the kernel drops\n"
    "                         when it is full are counted (kernel_drops)\n"
    "      --health-port [ADDR:]PORT\n"
    "                         answer a load balancer's TCP and HTTP health checks\n"
    "                         on this TCP port (\"200 OK\"); closed before the UDP\n"
    "                         sockets when stopping\n"
    "      --stats-interval SECONDS\n"
    "                         every SECONDS, the --stats-json object (with a \"time\")\n"
    "                         as one line on standard error, and the --stats-json\n"
    "                         file rewritten\n"
    "\n";

int main(int argc, char **argv)
{
    return mt_main(MT_UDP, "mirrordec-udp", help, argc, argv);
}

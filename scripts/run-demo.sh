#!/bin/sh
# run-demo.sh - the main job: build mirrordec and decode the bundled capture
# (examples/captures/demo.pcap: three AWS mirror sessions, a truncated one,
# a forged packet, a Gateway Load Balancer stream, AWS mirroring behind a
# GWLB, ERSPAN II/III and Google Cloud mirroring), printing what was found.
#
# Installs what it needs on Debian/Ubuntu. Usage: scripts/run-demo.sh [ARGS]
# (ARGS go to the decoder; default: the summary of the bundled capture).
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
need_packages gcc make cmake pkg-config libpcap-dev libc6-dev

cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DMDEC_BUILD_TESTS=OFF >/dev/null
cmake --build build/demo -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
if [ -x build/demo/examples/mirrordec ]; then
    # The capture's Gateway Load Balancer (10.0.8.8) is a trusted transport:
    # the AWS mirror behind it is peeled through to its VXLAN.  --report adds
    # the mirror's health (capture loss, what an IDS can inspect).
    [ $# -gt 0 ] || set -- -r examples/captures/demo.pcap --transport geneve:10.0.8.8 --report
    exec build/demo/examples/mirrordec "$@"
fi
[ $# -gt 0 ] || set -- examples/captures/demo.pcap
exec build/demo/examples/decode_pcap "$@"

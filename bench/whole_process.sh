#!/bin/sh
# whole_process.sh - whole programs on a capture: mirrordec against tcpdump
# with the equivalent BPF and tshark with the equivalent display filter.
#
#   bench/whole_process.sh [BUILD_DIR [FRAMES [TSHARK_FRAMES]]]
#
# BUILD_DIR (default build-bench) must hold bench/mdec_bench, built with
# -DMDEC_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release.  The script writes
# FRAMES (default 1000000) generated frames and TSHARK_FRAMES (default
# 100000) to pcaps in a temporary directory, then times with hyperfine
# (or `time` when hyperfine is missing):
#
#   mirrordec -r FILE --split DIR the CLI (-F pcap) (BUILD_DIR/examples/mirrordec, built
#                                 when libpcap-dev is installed)
#   mdec_bench --split FILE DIR   decode + sessions + AWS filter in bursts of 32
#                                 (mdec_decode_burst, mdec_table_process_burst), accepted
#                                 frames appended to one pcap per session
#   decode_pcap -q FILE           decode + count per tunnel id (no writing)
#   tcpdump -r FILE -w /dev/null  no filter: reading and writing alone
#   tcpdump -r FILE -w /dev/null BPF
#   tshark -r SMALL -Y FILTER -w /dev/null
#
# and checks that mdec_bench --split, tcpdump and tshark keep the same
# number of frames.  It prints figures; it fails only when a tool fails or
# the counts differ.
set -eu

build=${1:-build-bench}
frames=${2:-1000000}
tframes=${3:-100000}
bench=$build/bench/mdec_bench
[ -x "$bench" ] || { echo "whole_process.sh: $bench not found (build with -DMDEC_BUILD_BENCH=ON)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mdec_whole.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
big=$work/big.pcap
small=$work/small.pcap
"$bench" --write-pcap "$big" "$frames"
"$bench" --write-pcap "$small" "$tframes"
bpf=$("$bench" --print-bpf)
dfilter=$("$bench" --print-display-filter)

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs, shared VM (noisy)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "capture: $frames frames, $(du -m "$big" | cut -f1) MB; tshark capture: $tframes frames"
echo "tcpdump: $(tcpdump --version 2>&1 | head -1); tshark: $(tshark --version 2>/dev/null | head -1)"
echo

# ---- the same frames kept by each
count() { capinfos -M -c "$1" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}'; }
"$bench" --split "$big" "$work/split" >/dev/null
mdec_kept=0
for f in "$work"/split/*.pcap; do mdec_kept=$((mdec_kept + $(count "$f"))); done
tcpdump -r "$big" -w "$work/tcpdump.pcap" "$bpf" 2>/dev/null
tcpdump_kept=$(count "$work/tcpdump.pcap")
"$bench" --split "$small" "$work/split-small" >/dev/null
mdec_small=0
for f in "$work"/split-small/*.pcap; do mdec_small=$((mdec_small + $(count "$f"))); done
tshark_small=$(tshark -r "$small" -Y "$dfilter" 2>/dev/null | wc -l)
echo "frames kept: mirrordec $mdec_kept, tcpdump $tcpdump_kept (of $frames); mirrordec $mdec_small, tshark $tshark_small (of $tframes)"
rm -rf "$work/split" "$work/split-small" "$work/tcpdump.pcap"
status=0
if [ "$mdec_kept" != "$tcpdump_kept" ] || [ "$mdec_small" != "$tshark_small" ]; then
    echo "whole_process.sh: the tools disagree on which frames to keep" >&2
    status=1
fi
echo

# ---- timing
cli=$build/examples/mirrordec
if [ -x "$cli" ]; then
    if "$cli" -r "$small" --split "$work/cli-try" -F pcap >/dev/null 2>&1; then
        have_cli=1
    else
        echo "note: $cli -r FILE --split DIR failed on a test run: left out" >&2
        have_cli=0
    fi
    rm -rf "$work/cli-try"
else
    echo "note: $cli not built (it needs libpcap-dev): mdec_bench --split stands in"
    have_cli=0
fi
dpcap=$build/examples/decode_pcap

if command -v hyperfine >/dev/null 2>&1; then
    set -- --warmup 1 --runs 5 --style basic --export-markdown "$work/big.md" \
        --prepare "rm -rf $work/out" \
        -n "mdec_bench --split (decode, sessions, filter, pcap per session)" \
        "$bench --split $big $work/out"
    [ "$have_cli" = 1 ] && set -- "$@" -n "mirrordec -r --split" "$cli -r $big --split $work/out -F pcap"
    [ -x "$dpcap" ] && set -- "$@" -n "decode_pcap -q (decode, count per tunnel)" "$dpcap -q $big"
    set -- "$@" -n "tcpdump -r -w /dev/null (no filter)" "tcpdump -r $big -w /dev/null" \
        -n "tcpdump -r -w /dev/null BPF" "tcpdump -r $big -w /dev/null '$bpf'"
    hyperfine "$@" >/dev/null
    hyperfine --warmup 1 --runs 3 --style basic --export-markdown "$work/small.md" \
        --prepare "rm -rf $work/out" \
        -n "mdec_bench --split, $tframes frames" "$bench --split $small $work/out" \
        -n "tcpdump BPF, $tframes frames" "tcpdump -r $small -w /dev/null '$bpf'" \
        -n "tshark -Y, $tframes frames" "tshark -r $small -Y '$dfilter' -w /dev/null" >/dev/null
    echo "$frames frames:"
    cat "$work/big.md"
    echo
    echo "$tframes frames:"
    cat "$work/small.md"
else
    echo "hyperfine not found: one run each with time"
    t() { name=$1; shift; printf '%s: ' "$name"; /usr/bin/time -f '%e s' "$@" >/dev/null 2>"$work/t"; tail -1 "$work/t"; }
    rm -rf "$work/out"; t "mdec_bench --split" "$bench" --split "$big" "$work/out"
    [ "$have_cli" = 1 ] && { rm -rf "$work/out"; t "mirrordec -r --split" "$cli" -r "$big" --split "$work/out" -F pcap; }
    [ -x "$dpcap" ] && t "decode_pcap -q" "$dpcap" -q "$big"
    t "tcpdump no filter" tcpdump -r "$big" -w /dev/null
    t "tcpdump BPF" tcpdump -r "$big" -w /dev/null "$bpf"
    t "tshark -Y ($tframes frames)" tshark -r "$small" -Y "$dfilter" -w /dev/null
fi
exit $status

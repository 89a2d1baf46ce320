#!/bin/sh
# json_cost.sh - what --json costs a whole run of mirrordec: the same
# capture read with -q and no output ("plain"), and with -q --json into
# /dev/null, alternated run by run; medians, ns per frame, the ratio, and
# callgrind's instructions per JSON line.
#
#   bench/json_cost.sh [BUILD_DIR [FRAMES [ROUNDS]]]
#
# BUILD_DIR (default build-bench) must hold bench/mdec_bench and
# examples/mirrordec, built with -DMDEC_BUILD_BENCH=ON
# -DCMAKE_BUILD_TYPE=Release.  FRAMES (default 1000000) frames of the
# benchmark traffic (bench/README.md) go to a pcap in a temporary directory
# (the page cache keeps it).  ROUNDS (default 11): each round runs every
# command once, in an order that rotates from round to round, so that
# drifting load on a shared machine falls on all of them alike.  Set
# MDEC_JSON_OTHER to another mirrordec binary (an older build, say) to time
# it in the same rounds: before and after from one run.
#
# Each run is timed by the wall clock and by the CPU time it used (user +
# system, from wait4): on a loaded machine the CPU time is the steadier
# figure, the wall clock the one a user sees.  The figures are medians over
# the rounds; "ratio" is --json over plain, as the ratio of the medians and
# as the median of each round's ratio.
#
# It prints figures and never judges them: it fails only when a tool fails.
set -eu

build=${1:-build-bench}
frames=${2:-1000000}
rounds=${3:-11}
bench=$build/bench/mdec_bench
cli=$build/examples/mirrordec
other=${MDEC_JSON_OTHER:-}
for x in "$bench" "$cli" $other; do
    [ -x "$x" ] || { echo "json_cost.sh: $x not found (build with -DMDEC_BUILD_BENCH=ON and libpcap-dev)" >&2; exit 2; }
done
command -v python3 >/dev/null 2>&1 || { echo "json_cost.sh: needs python3" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mdec_json.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
big=$work/big.pcap
small=$work/small.pcap
"$bench" --write-pcap "$big" "$frames" >/dev/null
"$bench" --write-pcap "$small" 20000 >/dev/null

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "capture: $frames frames, $(du -m "$big" | cut -f1) MB; $rounds rounds"
lines=$("$cli" -r "$small" -q --json | wc -l)
bytes=$("$cli" -r "$small" -q --json | wc -c)
echo "a JSON line: $((bytes / lines)) bytes on average"
echo

python3 - "$work" "$rounds" "$frames" "$big" "$cli" $other <<'EOF'
import os, statistics, subprocess, sys, time
work, rounds, frames, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
bins = sys.argv[5:]
cmds = []
for i, b in enumerate(bins):
    tag = "" if i == 0 else "other "
    cmds.append((tag + "plain", [b, "-r", big, "-q"]))
    cmds.append((tag + "json", [b, "-r", big, "-q", "--json"]))

def run(argv):
    t = time.perf_counter()
    with open(os.devnull, "wb") as null:
        p = subprocess.Popen(argv, stdout=null)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("json_cost.sh: %s failed" % " ".join(argv))
    return wall, ru.ru_utime + ru.ru_stime

for _, argv in cmds:  # warm-up: the capture into the page cache
    run(argv)
wall = {n: [] for n, _ in cmds}
cpu = {n: [] for n, _ in cmds}
for r in range(rounds):
    k = r % len(cmds)
    for name, argv in cmds[k:] + cmds[:k]:
        w, c = run(argv)
        wall[name].append(w)
        cpu[name].append(c)

med = statistics.median
print("load average at end: " + " ".join(open("/proc/loadavg").read().split()[:3]))
print()
print("| command | wall median ms (min..max) | CPU median ms | wall ns/frame | CPU ns/frame |")
print("|---|---:|---:|---:|---:|")
for n, _ in cmds:
    w, c = wall[n], cpu[n]
    print("| %s | %.0f (%.0f..%.0f) | %.0f | %.0f | %.0f |" % (
        n, med(w) * 1e3, min(w) * 1e3, max(w) * 1e3, med(c) * 1e3,
        med(w) * 1e9 / frames, med(c) * 1e9 / frames))
print()
for tag in ("", "other "):
    p, j = tag + "plain", tag + "json"
    if p not in wall:
        continue
    for what, t in (("wall", wall), ("CPU", cpu)):
        per_round = [b / a for a, b in zip(t[p], t[j])]
        print("%s--json / plain, %s: %.2fx (ratio of medians), %.2fx (median of the rounds' ratios); "
              "--json adds %.0f ns a frame" % (
                  tag or "this build: ", what, med(t[j]) / med(t[p]), med(per_round),
                  (med(t[j]) - med(t[p])) * 1e9 / frames))
EOF

if command -v valgrind >/dev/null 2>&1; then
    echo
    ir() {
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
            sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
    }
    for b in "$cli" $other; do
        p=$(ir "$b" -r "$small" -q)
        j=$(ir "$b" -r "$small" -q --json)
        echo "callgrind, $b: $(( (j - p) / 20000 )) instructions per JSON line ($p plain, $j with --json, 20000 frames)"
    done
fi

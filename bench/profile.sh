#!/bin/sh
# profile.sh - instructions per frame of each mdec_bench variant, counted by
# callgrind (repeatable, unlike time on a shared machine).
#
#   bench/profile.sh [BENCH [FRAMES]]
#
# BENCH defaults to build-bench/bench/mdec_bench.  Runs `mdec_bench --profile
# FRAMES` (default 20000) under callgrind, then divides the inclusive count
# of each run_* function by FRAMES.  Keeps the callgrind file (path printed)
# for callgrind_annotate.
set -eu
bench=${1:-build-bench/bench/mdec_bench}
frames=${2:-20000}
out=${TMPDIR:-/tmp}/mdec_bench.callgrind.$$
valgrind --tool=callgrind --callgrind-out-file="$out" "$bench" --profile "$frames" >/dev/null 2>&1
callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
  awk -v n="$frames" '
    /:run_(floor|decode|demux|filter|bpf|naive|demux_burst|filter_burst|dedup|cid|hash|health|health_burst) / {
      c = $1; gsub(",", "", c)
      f = $0; sub(/.*:run_/, "", f); sub(/ .*/, "", f)
      cost[f] = c / n
    }
    END {
      split("floor decode demux filter bpf naive demux_burst filter_burst dedup cid hash health health_burst", order, " ")
      printf "instructions per frame (%d frames, callgrind)\n", n
      for (i = 1; i <= 13; i++)
        printf "  %-12s %8.1f\n", order[i], cost[order[i]]
    }'
echo "callgrind data: $out"

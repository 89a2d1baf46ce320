#!/bin/sh
# fuzz-smoke.sh BUILD_DIR SECONDS
#
# Runs every libFuzzer target (fuzz_*) found in BUILD_DIR for SECONDS each,
# seeded with its committed corpus fuzz/corpus/<name>/ and the dictionary
# fuzz/mirrordec.dict, and prints the executions, executions per second and
# coverage each reached.  New inputs go to a scratch directory: the committed
# corpus is never written.  Fails (exit 1) on any finding: a crash, an
# invariant violation, a sanitizer report, a leak, a timeout (10 s for one
# input) or running out of memory; the input that caused it is kept in
# BUILD_DIR/fuzz-findings/<name>/ and the log tail is printed.  See
# fuzz/README.md for turning a finding into a regression test.
#
# Build the targets first:
#   CC=clang cmake -S . -B build-fuzz -DMDEC_FUZZ=ON && cmake --build build-fuzz -j
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build=$1
secs=$2
case $secs in
'' | *[!0-9]*)
    echo "$0: SECONDS must be a whole number" >&2
    exit 2
    ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
dict=$root/fuzz/mirrordec.dict

targets=$(find "$build" -type f -name 'fuzz_*' -perm -u+x 2>/dev/null | sort)
if [ -z "$targets" ]; then
    echo "$0: no fuzz_* executables in $build; configure with" >&2
    echo "  CC=clang cmake -S . -B $build -DMDEC_FUZZ=ON && cmake --build $build -j" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mdec-fuzz-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
printf '%-22s %12s %9s %7s %7s  %s\n' target execs exec/s cov ft result
for exe in $targets; do
    name=${exe##*/}
    name=${name#fuzz_}
    seeds=$root/fuzz/corpus/$name
    dir=$work/$name
    mkdir -p "$dir/corpus" "$dir/artifacts"
    if [ -d "$seeds" ]; then
        set -- "$dir/corpus" "$seeds"
    else
        echo "warning: no seed corpus $seeds" >&2
        set -- "$dir/corpus"
    fi
    "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -dict="$dict" \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$@" >"$dir/log" 2>&1
    rc=$?

    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)
    last=$(grep -E '^#[0-9]+[[:space:]]' "$dir/log" | grep 'cov:' | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    found=$(ls "$dir/artifacts" | wc -l)
    if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
        keep=$build/fuzz-findings/$name
        mkdir -p "$keep"
        cp "$dir"/artifacts/* "$keep"/ 2>/dev/null
        cp "$dir/log" "$keep/log"
        printf '%-22s %12s %9s %7s %7s  %s\n' "fuzz_$name" "${execs:-?}" "${rate:-?}" \
            "${cov:-?}" "${ft:-?}" "FINDING (exit $rc)"
        echo "---- fuzz_$name: log tail (the whole log and the inputs are in $keep)"
        tail -n 40 "$dir/log"
        echo "----"
        status=1
        continue
    fi
    result=ok
    if grep -q '^mirrordec known issue, tolerated' "$dir/log"; then
        result="ok, hit a known issue: $(grep -m 1 '^mirrordec known issue' "$dir/log" |
            sed 's/^mirrordec known issue, tolerated: //')"
    fi
    printf '%-22s %12s %9s %7s %7s  %s\n' "fuzz_$name" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "$result"
done
exit $status

#!/bin/bash
# test-all.sh - build and run every test of mirrordec, as CI does.
#
# Installs what it needs on Debian/Ubuntu (DPDK's libdpdk-dev when the
# distribution has it), then, each stage timed:
#   gcc     gcc -Werror build (-O2 -g), every ctest test: unit tests, tshark
#           oracle, fixture freshness, allocator / static-data check, the
#           golden runs under valgrind
#   asan    clang -Werror build, every ctest test under AddressSanitizer +
#           UBSan (so clang's warnings and clang-built tests are covered)
#   valgrind the gcc stage's unit-test programs under valgrind memcheck
#   clang   (on request) a plain clang build and every ctest test
#   install cmake --install, then find_package / add_subdirectory / pkg-config
#   fuzz    every libFuzzer target for a bounded time on its corpus
#   static  scan-build and cppcheck
#   demo    the README's main command on the bundled capture
# Every stage runs even if an earlier one failed; the exit status is 0 only
# when all passed.
#
# Usage: scripts/test-all.sh [STAGE...]      (default: all stages)
#   MDEC_FUZZ_SECONDS  seconds per fuzz target (default 8; the long form
#                      is scripts/fuzz-smoke.sh BUILD 600, see fuzz/README.md)
# CI runs the default stages on two processors in about 11 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

. scripts/deps.sh
need_packages gcc g++ make cmake pkg-config libc6-dev binutils python3 clang clang-tools \
    libclang-rt-dev llvm libcmocka-dev libpcap-dev tshark python3-scapy valgrind cppcheck \
    iproute2 tcpdump || exit 1
# DPDK, for mirrordec-dpdk and its net_pcap test; where Debian has no
# libdpdk-dev (some architectures), both are skipped and the build says so.
need_packages libdpdk-dev ||
    echo "mirrordec: libdpdk-dev could not be installed: mirrordec-dpdk is not built or tested"
# systemd-analyze, for the check of the hardened unit (skipped without it).
need_packages systemd ||
    echo "mirrordec: systemd could not be installed: the unit file is not checked"

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(gcc asan valgrind install fuzz static demo)
declare -a results
failed=0

run_stage() {
    local name=$1
    shift
    local t0=$SECONDS
    printf '\n======== %s\n' "$name"
    if "$@"; then
        results+=("$(printf '%-9s ok      %4ds' "$name" $((SECONDS - t0)))")
    else
        results+=("$(printf '%-9s FAILED  %4ds' "$name" $((SECONDS - t0)))")
        failed=1
    fi
}

build_and_test() { # DIR CC CMAKE-ARGS...
    local dir=$1 cc=$2 cxx=$2++
    [ "$cc" = gcc ] && cxx=g++
    shift 2
    CC=$cc CXX=$cxx cmake -S . -B "$dir" -DMDEC_WERROR=ON "$@" >/dev/null &&
        cmake --build "$dir" -j "$jobs" 2>&1 | grep -E "warning|error|Error" ;
    cmake --build "$dir" -j "$jobs" >/dev/null || return 1
    (cd "$dir" && ctest --output-on-failure -j "$jobs")
}

stage_gcc() { build_and_test build/gcc gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo; }
stage_clang() { build_and_test build/clang clang -DCMAKE_BUILD_TYPE=RelWithDebInfo; }
stage_asan() {
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        build_and_test build/asan clang -DCMAKE_BUILD_TYPE=Debug -DMDEC_SANITIZE=ON
}
# The gcc stage's test programs (-O2 -g), built again only when that stage
# did not run.
stage_valgrind() {
    local dir=build/gcc
    if [ ! -d "$dir/tests" ]; then
        CC=gcc cmake -S . -B "$dir" -DMDEC_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
            cmake --build "$dir" -j "$jobs" >/dev/null || return 1
    fi
    local status=0 t
    for t in "$dir"/tests/test_*; do
        [ -x "$t" ] || continue
        printf '%-40s ' "$(basename "$t")"
        if MDEC_UNDER_VALGRIND=1 valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite "$t" >/tmp/mdec-vg.log 2>&1; then
            echo ok
        else
            echo FAILED
            tail -40 /tmp/mdec-vg.log
            status=1
        fi
    done
    return $status
}
stage_install() { tests/check_install.sh . build/install; }
stage_fuzz() {
    [ -x scripts/fuzz-smoke.sh ] || { echo "no fuzz targets yet"; return 0; }
    # fuzz/README.md's command without the tests and tools, which the asan
    # stage has already built and run with clang and the same sanitizers.
    CC=clang cmake -S . -B build/fuzz -DMDEC_FUZZ=ON -DMDEC_BUILD_TESTS=OFF \
        -DMDEC_BUILD_EXAMPLES=OFF >/dev/null &&
        cmake --build build/fuzz -j "$jobs" >/dev/null &&
        scripts/fuzz-smoke.sh build/fuzz "${MDEC_FUZZ_SECONDS:-8}"
}
stage_static() {
    [ -x scripts/static-analysis.sh ] || { echo "no static analysis script yet"; return 0; }
    scripts/static-analysis.sh
}
stage_demo() { scripts/run-demo.sh | tail -15; }

for s in "${stages[@]}"; do
    case $s in
    gcc | clang | asan | valgrind | install | fuzz | static | demo) run_stage "$s" "stage_$s" ;;
    *) echo "unknown stage: $s" >&2; exit 2 ;;
    esac
done

printf '\n======== summary (%s)\n' "$(date -u +%FT%TZ)"
printf '%s\n' "${results[@]}"
printf 'total %ds\n' "$SECONDS"
exit $failed

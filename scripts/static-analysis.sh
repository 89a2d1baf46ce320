#!/bin/sh
# static-analysis.sh [BUILD_DIR]
#
# clang's static analyzer over the library and the example tools (the tests
# run under two compilers and sanitizers instead) with scan-build
# --status-bugs, then cppcheck over src/ and fuzz/.
# Exits 1 when either reports anything (2 when a tool is missing or the
# build cannot be configured).  BUILD_DIR (default build-scan) is wiped
# first; scan-build's HTML report is left in BUILD_DIR/scan-report.
#
# False positives: prefer rewriting the code so the tool follows it; else an
# inline "// cppcheck-suppress <id>" with the reason, or an entry in
# scripts/cppcheck-suppressions.txt with a comment line saying why.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-scan}
status=0

first() {
    for p in "$@"; do
        if command -v "$p" >/dev/null 2>&1; then
            command -v "$p"
            return 0
        fi
    done
    return 1
}

# ------------------------------------------------------------- scan-build
scan_build=$(first scan-build-14 scan-build) || {
    echo "static-analysis: scan-build not found (Debian: apt-get install clang-tools-14)" >&2
    exit 2
}
cc=$(first clang-14 clang) || {
    echo "static-analysis: clang not found" >&2
    exit 2
}
echo "== scan-build: $scan_build with $cc"
rm -rf "$build"
mkdir -p "$build"
if ! "$scan_build" --use-cc="$cc" cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
    -DMDEC_WERROR=ON -DMDEC_BUILD_TESTS=OFF -DMDEC_FUZZ_REPLAY=OFF >"$build/configure.log" 2>&1; then
    cat "$build/configure.log"
    echo "static-analysis: cannot configure $build" >&2
    exit 2
fi
"$scan_build" --use-cc="$cc" --status-bugs -o "$build/scan-report" \
    cmake --build "$build" -j 2 >"$build/scan-build.log" 2>&1
rc=$?
grep -E 'warning:|error:' "$build/scan-build.log" | sort -u
grep -E '^scan-build:' "$build/scan-build.log"
if [ $rc -ne 0 ]; then
    echo "scan-build: FAILED (exit $rc; log $build/scan-build.log)"
    status=1
else
    echo "scan-build: clean"
fi

# ---------------------------------------------------------------- cppcheck
cppcheck=$(first cppcheck) || {
    echo "static-analysis: cppcheck not found (Debian: apt-get install cppcheck)" >&2
    exit 2
}
echo "== cppcheck: $($cppcheck --version)"
if "$cppcheck" --enable=warning,style,performance,portability --inline-suppr \
    --error-exitcode=1 --std=c11 -I "$root/include" -I "$root/src/support" \
    -I "$root/src/decode" -I "$root/src/session" -I "$root/src/filter" -I "$root/src/flow" -I "$root/src/health" \
    -I "$root/tests" -I "$root/fuzz" --quiet -j 2 \
    --suppressions-list="$root/scripts/cppcheck-suppressions.txt" \
    --library="$root/scripts/cppcheck-mirrordec.cfg" \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
    "$root/src" "$root/fuzz"; then
    echo "cppcheck: clean"
else
    echo "cppcheck: FAILED"
    status=1
fi
exit $status

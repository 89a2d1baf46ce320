#!/bin/sh
# coverage.sh [BUILD_DIR]
#
# Line and branch coverage of the library (src/) by the unit tests and the
# replay of every committed fuzz corpus, with gcc's gcov: builds BUILD_DIR
# (default build/cov) with --coverage -O0, runs those ctest tests, then
# prints one row per source file (lines run, branches taken at least once)
# and the totals, least covered first.  Prints figures; fails only when the
# build or a test fails.  Not part of CI (a report, not a gate).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/cov}
jobs=$(nproc 2>/dev/null || echo 2)
CC=gcc cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DMDEC_BUILD_EXAMPLES=OFF \
    -DCMAKE_C_FLAGS="--coverage -O0" -DCMAKE_CXX_FLAGS="--coverage -O0" \
    -DCMAKE_EXE_LINKER_FLAGS=--coverage -DCMAKE_SHARED_LINKER_FLAGS=--coverage >/dev/null
cmake --build "$build" -j "$jobs" >/dev/null
find "$build" -name '*.gcda' -delete
(cd "$build" && ctest -j "$jobs" -R '^test_|^fuzz_corpus_' --output-on-failure >/dev/null)
objdir=$(find "$build/src" -type d -name 'mirrordec_objects.dir' | head -n 1)
out=$(mktemp -d "${TMPDIR:-/tmp}/mdec-cov.XXXXXX")
trap 'rm -rf "$out"' EXIT
find "$objdir" -name '*.gcda' | while read -r gcda; do
    (cd "$out" && gcov -b -n -o "$(dirname "$gcda")" "$gcda" 2>/dev/null)
done >"$out/gcov.txt"
python3 - "$out/gcov.txt" "$root" <<'EOF'
import re, sys
rows, cur = {}, None
for line in open(sys.argv[1]):
    m = re.match(r"File '(.*)'", line)
    if m:
        cur = m.group(1)
        continue
    if cur is None or "/src/" not in cur or not cur.endswith(".c"):
        continue
    name = cur.split("/src/", 1)[1]
    r = rows.setdefault(name, [0, 0, 0, 0])
    m = re.match(r"Lines executed:([\d.]+)% of (\d+)", line)
    if m:
        n = int(m.group(2)); r[0] = round(float(m.group(1)) * n / 100); r[1] = n
    m = re.match(r"Taken at least once:([\d.]+)% of (\d+)", line)
    if m:
        n = int(m.group(2)); r[2] = round(float(m.group(1)) * n / 100); r[3] = n
print("%-28s %16s %18s" % ("src/", "lines run", "branches taken"))
tot = [0, 0, 0, 0]
for name, r in sorted(rows.items(), key=lambda kv: kv[1][0] / max(kv[1][1], 1)):
    tot = [a + b for a, b in zip(tot, r)]
    print("%-28s %6d/%-5d %5.1f%% %6d/%-5d %5.1f%%" % (name, r[0], r[1], 100 * r[0] / max(r[1], 1),
          r[2], r[3], 100 * r[2] / max(r[3], 1)))
print("%-28s %6d/%-5d %5.1f%% %6d/%-5d %5.1f%%" % ("total", tot[0], tot[1], 100 * tot[0] / max(tot[1], 1),
      tot[2], tot[3], 100 * tot[2] / max(tot[3], 1)))
EOF

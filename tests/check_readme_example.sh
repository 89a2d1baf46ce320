#!/bin/sh
# check_readme_example.sh README CC INCLUDE_DIR LIBMIRRORDEC_A CAPTURE [EXTRA_FLAGS]
#
# The C example in README.md must compile warning-free against the library
# and decode the bundled capture: extract it, build it, run it.
set -eu
readme=$1 cc=$2 inc=$3 lib=$4 capture=$5 extra=${6:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^```c$/ {f = 1; next} /^```$/ {f = 0} f' "$readme" > "$work/example.c"
[ -s "$work/example.c" ] || { echo "FAIL: no C example in $readme"; exit 1; }
# shellcheck disable=SC2086  # EXTRA_FLAGS is a word list
"$cc" $extra -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wpedantic -Wconversion -Werror \
    -I"$inc" -o "$work/example" "$work/example.c" "$lib" -lpcap
"$work/example" "$capture" > "$work/out"
n=$(wc -l < "$work/out")
grep -q "^vxlan 101: 10.0.0.100 > 10.0.1.10$" "$work/out" || { echo "FAIL: unexpected output"; head "$work/out"; exit 1; }
grep -q "(cut by the mirror or capture)" "$work/out" || { echo "FAIL: no truncated packet reported"; exit 1; }
echo "ok: the README example builds and prints $n lines for $(basename "$capture")"

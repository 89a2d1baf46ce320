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
# Cut every frame before its tunnel (40 bytes) and before the inner IP header
# (60 bytes): the example must skip them all, not print from a tunnel or an
# address that is not there.
for cut in 40 60; do
    python3 - "$capture" "$work/cut$cut.pcap" "$cut" <<'PY'
import struct, sys
src, dst, cut = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, "rb").read()
endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
out, at = [data[:24]], 24
while at + 16 <= len(data):
    sec, frac, incl, orig = struct.unpack(endian + "IIII", data[at:at + 16])
    keep = min(incl, cut)
    out.append(struct.pack(endian + "IIII", sec, frac, keep, orig))
    out.append(data[at + 16:at + 16 + keep])
    at += 16 + incl
open(dst, "wb").write(b"".join(out))
PY
    "$work/example" "$work/cut$cut.pcap" > "$work/out$cut"
    [ ! -s "$work/out$cut" ] || { echo "FAIL: frames cut at $cut bytes printed:"; head -3 "$work/out$cut"; exit 1; }
done
echo "ok: the README example builds, prints $n lines for $(basename "$capture"), none when it is cut short"

#!/bin/sh
# check_systemd_unit.sh SOURCE_DIR BIN
#
# The hardened unit examples/systemd/mirrordec-udp.service, with ExecStart
# pointed at BIN (the built mirrordec-udp): systemd-analyze verify must
# accept it (its man page link is not checked: nothing is installed), and
# systemd-analyze security must rate its exposure at most 2.5 of 10 (it
# rates 1.7: a dynamic user, one capability, a read-only system, a system
# call filter).  The options ExecStart gives must be ones mirrordec-udp
# takes: it is run with them and --help.
# Exit status: 0 passed, 1 failed, 77 skipped (no systemd-analyze).
set -u
src=$1
bin=$2
unit=$src/examples/systemd/mirrordec-udp.service
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP: no systemd-analyze"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mdec-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/local/bin/mirrordec-udp|$bin|" "$unit" >"$tmp/mirrordec-udp.service"
if ! grep -q "^ExecStart=$bin " "$tmp/mirrordec-udp.service"; then
    echo "FAIL: the unit's ExecStart does not run /usr/local/bin/mirrordec-udp"
    exit 1
fi
status=0
if ! out=$(systemd-analyze verify --man=no "$tmp/mirrordec-udp.service" 2>&1) || [ -n "$out" ]; then
    echo "FAIL: systemd-analyze verify:"
    echo "$out"
    status=1
fi
if ! systemd-analyze security --offline=yes --threshold=25 "$tmp/mirrordec-udp.service" \
    >"$tmp/security" 2>&1; then
    echo "FAIL: systemd-analyze security rates the unit above 2.5:"
    tail -n 25 "$tmp/security"
    status=1
fi
grep 'Overall exposure' "$tmp/security"
# The ExecStart line's options (continuation lines joined, %S replaced) are
# ones the tool takes: --help after them must print the help, exit 0.
args=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$tmp/mirrordec-udp.service" | sed 's/\\$//' |
    tr '\n' ' ' | sed "s|^ExecStart=[^ ]*||; s|%S|$tmp|g")
# shellcheck disable=SC2086
if ! "$bin" $args --help >"$tmp/help" 2>&1; then
    echo "FAIL: mirrordec-udp does not take the unit's options:$args"
    cat "$tmp/help"
    status=1
fi
[ $status -eq 0 ] && echo "PASS: the unit verifies, exposure within 2.5, options accepted"
exit $status

#!/bin/sh
# check_fixtures_fresh.sh PYTHON FIXTURE_DIR
#
# The fixtures are generated, and the generator is the source of truth:
# rebuilding them must give exactly the committed bytes. Skips (77) when the
# python given has no scapy.
set -eu
py=$1
dir=$2
if ! "$py" -c 'import scapy' 2>/dev/null; then
    echo "scapy not available to $py: skipping (apt-get install python3-scapy)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" "$dir/gen_fixtures.py" "$tmp" 2>/dev/null
status=0
for f in "$tmp"/*; do
    name=$(basename "$f")
    if ! cmp -s "$f" "$dir/$name"; then
        echo "FAIL: $name differs from what gen_fixtures.py makes now: rerun it and commit"
        status=1
    fi
done
[ $status -eq 0 ] && echo "ok: $(ls "$tmp" | wc -l) fixture files are what gen_fixtures.py makes"
exit $status

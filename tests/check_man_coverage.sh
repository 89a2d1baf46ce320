#!/bin/sh
# check_man_coverage.sh LIBRARY.so MAN_DIR INCLUDE_DIR
#
# Every function the shared library exports (nm -D: the defined functions
# named mdec_*) must be listed in the NAME section of one page MAN_DIR/*.3:
# that page documents it, and the build installs its man3 link from that
# list (the top-level CMakeLists.txt, _mdec_man3_links).  Fails naming
#   - each exported function that no page lists,
#   - each function that two pages list (its link can show only one),
#   - each name a page lists that the library does not export and that no
#     header in INCLUDE_DIR defines inline (a page left behind by a rename),
#   - a page without a NAME section that reads "func, func, ... \- what".
# Then it checks that it can fail: it removes one exported function from a
# copy of its page and must report that function as missing.
set -u
lib=$1 mandir=$2 incdir=$3

fail=0
problem() { echo "FAIL: $*"; fail=1; }

# names_in DIR: "PAGE NAME" for each name in the NAME section of DIR/*.3,
# and "! MESSAGE" for a NAME section that cannot be read.
names_in() {
    awk '
    function flush() {
        if (!inname) return
        inname = 0; seen = 1
        d = index(text, "\\-")
        if (d == 0) { print "! " file ": its NAME section has no \"\\-\"; expected \"func, func, ... \\- what they do\""; return }
        n = split(substr(text, 1, d - 1), part, ",")
        for (i = 1; i <= n; i++) {
            w = part[i]; gsub(/^[ \t]+|[ \t]+$/, "", w)
            if (w ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print page " " w
            else print "! " file ": its NAME section lists \"" w "\", which is not a function name"
        }
    }
    function done() { flush(); if (file != "" && !seen) print "! " file ": no \".SH NAME\" section" }
    FNR == 1 {
        done()
        file = FILENAME; page = FILENAME; sub(/.*\//, "", page); sub(/\.3$/, "", page)
        seen = 0; text = ""
    }
    /^\.SH/ { flush(); if ($0 ~ /^\.SH[ \t]+"?NAME"?[ \t]*$/) inname = 1; next }
    inname { text = text " " $0 }
    END { done() }
    ' "$1"/*.3
}

# missing DIR: the exported functions no page of DIR lists, one a line.
missing() {
    names_in "$1" | awk '$1 != "!" {print $2}' | sort -u > "$work/listed"
    comm -23 "$work/exports" "$work/listed"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -r "$lib" ] || { echo "FAIL: $lib: no such library"; exit 1; }
ls "$mandir"/*.3 >/dev/null 2>&1 || { echo "FAIL: $mandir: no *.3 pages"; exit 1; }
nm -D --defined-only "$lib" | awk '$2 ~ /^[TWi]$/ {sub(/@.*/, "", $3); if ($3 ~ /^mdec_/) print $3}' |
    sort -u > "$work/exports"
n_exports=$(wc -l < "$work/exports")
[ "$n_exports" -gt 0 ] || { echo "FAIL: nm -D $lib lists no exported mdec_* function"; exit 1; }

names_in "$mandir" > "$work/names"
while IFS= read -r line; do
    case $line in "! "*) problem "${line#! }" ;; esac
done < "$work/names"

for f in $(missing "$mandir"); do
    problem "$f is exported by $(basename "$lib") but no page's NAME section lists it" \
        "(add it to the NAME, SYNOPSIS and DESCRIPTION of the page of its group in $mandir)"
done

awk '$1 != "!" {print $2, $1}' "$work/names" | sort | awk '
    $1 == name { print name " " page " " $2 }
    { name = $1; page = $2 }' > "$work/twice"
while read -r f p1 p2; do
    problem "$f is listed in the NAME sections of both $mandir/$p1.3 and $mandir/$p2.3"
done < "$work/twice"

awk '$1 != "!"' "$work/names" | while read -r page f; do
    grep -qx "$f" "$work/exports" && continue
    [ "$f" = "$page" ] && continue  # the page's own name, such as mirrordec(3)
    grep -Eqs "static inline [^(]*\\b$f\\(" "$incdir"/*.h "$incdir"/*/*.h && continue
    problem "$mandir/$page.3 lists $f in its NAME section, but $(basename "$lib") does not" \
        "export it and no header in $incdir defines it inline"
done > "$work/stale"
cat "$work/stale"
[ -s "$work/stale" ] && fail=1

# The check must be able to fail: drop the first exported function from a
# copy of its page's NAME section; it must then be reported missing.
victim=$(head -1 "$work/exports")
vpage=$(awk -v f="$victim" '$1 != "!" && $2 == f {print $1; exit}' "$work/names")
if [ -n "$vpage" ]; then
    mkdir "$work/copy"
    cp "$mandir"/*.3 "$work/copy/"
    awk -v f="$victim" '
        /^\.SH/ { inname = ($0 ~ /^\.SH[ \t]+"?NAME"?[ \t]*$/) }
        inname && !/^\.SH/ {
            n = split($0, part, ","); out = ""
            for (i = 1; i <= n; i++) {
                w = part[i]; gsub(/^[ \t]+|[ \t]+$/, "", w)
                if (w == f) continue
                out = out (out == "" ? "" : ", ") w
            }
            if (n > 1 && $0 ~ /,[ \t]*$/) out = out ","
            $0 = out
        }
        { print }' "$mandir/$vpage.3" > "$work/copy/$vpage.3"
    if ! missing "$work/copy" | grep -qx "$victim"; then
        problem "self-check: $victim, taken out of a copy of $vpage.3's NAME section," \
            "was not reported missing: this check cannot fail"
    fi
fi

set -- "$mandir"/*.3
n_pages=$#
if [ $fail -eq 0 ]; then
    echo "ok: the NAME sections of the $n_pages pages in $mandir list all $n_exports functions" \
        "$(basename "$lib") exports (self-check: without $victim in $vpage.3 it fails)"
fi
exit $fail

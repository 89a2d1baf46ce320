#!/bin/sh
# check_install.sh SOURCE_DIR WORK_DIR
#
# Installs mirrordec into a scratch prefix and builds a consumer against it
# every way the README promises: find_package (shared and static targets),
# add_subdirectory, and pkg-config (shared and static). Each consumer runs.
set -eu
src=$(cd "$1" && pwd)
work=$2
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix="$work/prefix"
gen=""
command -v ninja >/dev/null 2>&1 && gen="-G Ninja"

step() { printf '\n== %s\n' "$*"; }

# Exactly the README's way: configured with the default prefix, installed
# with --prefix (so nothing may keep the configure-time prefix).
step "build, and cmake --install --prefix $prefix"
cmake -S "$src" -B "$work/lib" $gen -DCMAKE_BUILD_TYPE=Release -DMDEC_BUILD_TESTS=OFF \
    -DMDEC_FUZZ_REPLAY=OFF >/dev/null
cmake --build "$work/lib" >/dev/null
cmake --install "$work/lib" --prefix "$prefix" >/dev/null
for f in include/mirrordec.h include/mirrordec/decode.h lib/libmirrordec.a lib/pkgconfig/mirrordec.pc \
         lib/cmake/mirrordec/mirrordecConfig.cmake lib/cmake/mirrordec/mirrordecConfigVersion.cmake \
         share/man/man1/mirrordec.1 share/man/man1/mirrordec-udp.1 share/man/man3/mirrordec.3 \
         share/man/man3/mdec_decode.3 share/man/man3/mdec_table.3 share/man/man3/mdec_filter.3 \
         share/man/man3/mdec_common.3 share/man/man3/mdec_decode_udp.3; do
    # lib may be lib64 or lib/<triplet> on some systems
    found=$(find "$prefix" -path "*${f#lib/}" | head -1)
    case $f in share/*) found=$(find "$prefix" -path "*/$f" | head -1) ;; esac
    [ -n "$found" ] || { echo "FAIL: $f not installed"; exit 1; }
done
so=$(find "$prefix" -name 'libmirrordec.so.*' -type f | head -1)
[ -n "$so" ] || { echo "FAIL: no shared library installed"; exit 1; }
soname=$(objdump -p "$so" | awk '/SONAME/ {print $2}')
echo "installed $(basename "$so"), SONAME $soname"
case "$soname" in libmirrordec.so.[0-9]*) ;; *) echo "FAIL: SONAME $soname"; exit 1 ;; esac
! find "$prefix" -name 'internal.h' -o -name 'rd.h' | grep -q . || { echo "FAIL: internal header installed"; exit 1; }

# The installed tools run from the prefix without LD_LIBRARY_PATH (RUNPATH).
tool="$prefix/bin/mirrordec"
if [ -x "$tool" ]; then
    runpath=$(objdump -p "$tool" | awk '/RUNPATH|RPATH/ {print $2}')
    echo "mirrordec RUNPATH: $runpath"
    env -u LD_LIBRARY_PATH "$tool" --version >/dev/null || { echo "FAIL: installed mirrordec does not run"; exit 1; }
    ldd "$tool" | grep -q "$prefix" || { echo "FAIL: installed mirrordec does not use the installed library"; exit 1; }
else
    echo "(tools not built here: no libpcap)"
fi

# Every function the installed library exports has a man3 page or link
# (man3/FUNCTION.3, ".so man3/PAGE.3", made from the pages' NAME sections),
# and every link leads to an installed page.
mandir=$(dirname "$(dirname "$(find "$prefix" -path '*/man3/mirrordec.3' | head -1)")")
nomanpage=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TWi]$/ {sub(/@.*/, "", $3); if ($3 ~ /^mdec_/) print $3}' |
    sort -u | while read -r f; do [ -f "$mandir/man3/$f.3" ] || printf '%s ' "$f"; done)
[ -z "$nomanpage" ] || { echo "FAIL: exported, but no man3 page or link in $mandir:" \
    "${nomanpage}(is it listed in a NAME section of docs/man/*.3?)"; exit 1; }
links=0 files=0
for page in "$mandir"/man3/*.3; do
    files=$((files + 1))
    first=$(head -1 "$page")
    case $first in
    .so\ *)
        target=${first#.so }
        case $target in man3/*.3) ;; *) target="" ;; esac
        if [ -z "$target" ] || [ ! -f "$mandir/$target" ] || [ "$(wc -l < "$page")" -ne 1 ]; then
            echo "FAIL: man page link ${page#"$mandir"/}: '$first' does not lead to an installed man3 page"
            exit 1
        fi
        links=$((links + 1)) ;;
    esac
done
echo "man3: $files files, $links of them links (.so)"

# Every installed page renders without a groff warning, the .so aliases included,
# and man finds a function by its name through its link.
if command -v man >/dev/null 2>&1; then
    shown=$(LC_ALL=C.UTF-8 MANWIDTH=80 MANPATH="$mandir" man -E UTF-8 -P cat 3 mdec_decode_udp 2>&1 | head -1)
    case $shown in
    *"MDEC_DECODE(3)"*) echo "man mdec_decode_udp shows mdec_decode(3)" ;;
    *) echo "FAIL: man mdec_decode_udp (MANPATH=$mandir) shows '$shown', not mdec_decode(3)"; exit 1 ;;
    esac
    rendered=0
    for page in "$mandir"/man1/*.1 "$mandir"/man3/*.3; do
        rendered=$((rendered + 1))
        rel=${page#"$mandir"/}
        warn=$(cd "$mandir" && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$rel" 2>&1 >/dev/null) || true
        [ -z "$warn" ] || { echo "FAIL: man page $rel: $warn"; exit 1; }
    done
    echo "man pages render cleanly: $rendered in man1 and man3, links included"
fi

step "find_package(mirrordec)"
cmake -S "$src/tests/install" -B "$work/fp" $gen -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/fp" >/dev/null
LD_LIBRARY_PATH="$(dirname "$so")" "$work/fp/consumer"
"$work/fp/consumer_static"

step "add_subdirectory(mirrordec)"
cmake -S "$src/tests/install" -B "$work/sub" $gen -DMDEC_CONSUME=subdirectory \
    -DMDEC_SOURCE_DIR="$src" >/dev/null
cmake --build "$work/sub" >/dev/null
"$work/sub/consumer"
"$work/sub/consumer_static"

step "pkg-config mirrordec"
pcdir=$(dirname "$(find "$prefix" -name mirrordec.pc | head -1)")
export PKG_CONFIG_PATH="$pcdir"
echo "pkg-config --modversion: $(pkg-config --modversion mirrordec)"
grep -q '^libdir=${prefix}/' "$pcdir/mirrordec.pc" || { echo "FAIL: libdir not relative to prefix"; exit 1; }
grep -q '^prefix=${pcfiledir}/' "$pcdir/mirrordec.pc" || { echo "FAIL: prefix not relative to the .pc file"; exit 1; }
incdir=$(pkg-config --cflags-only-I mirrordec | sed 's/^ *-I//; s/ *$//')
[ "$(readlink -f "$incdir")" = "$(readlink -f "$prefix/include")" ] ||
    { echo "FAIL: pkg-config --cflags gives $incdir, not $prefix/include"; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -o "$work/pc_shared" "$src/tests/install/main.c" $(pkg-config --cflags --libs mirrordec)
LD_LIBRARY_PATH="$(dirname "$so")" "$work/pc_shared"
# shellcheck disable=SC2046
cc -std=c11 -o "$work/pc_static" "$src/tests/install/main.c" $(pkg-config --cflags mirrordec) \
    "$(dirname "$so")/libmirrordec.a"
"$work/pc_static"
# The pkg-config file must also survive a prefix moved as a whole.
cp -r "$prefix" "$work/moved"
moved_inc=$(PKG_CONFIG_PATH=$(dirname "$(find "$work/moved" -name mirrordec.pc)") \
    pkg-config --cflags-only-I mirrordec | sed 's/^ *-I//; s/ *$//')
[ "$(readlink -f "$moved_inc")" = "$(readlink -f "$work/moved/include")" ] ||
    { echo "FAIL: the moved prefix's mirrordec.pc points to $moved_inc"; exit 1; }

# A parent project that adds mirrordec keeps its own build type, and
# installs nothing of mirrordec's (MDEC_INSTALL is off below the top).
step "add_subdirectory keeps the parent's settings"
cmake -S "$src/tests/install" -B "$work/sub2" $gen -DMDEC_CONSUME=subdirectory \
    -DMDEC_SOURCE_DIR="$src" -DCMAKE_BUILD_TYPE=Debug >/dev/null
grep -q '^CMAKE_BUILD_TYPE:STRING=Debug' "$work/sub2/CMakeCache.txt" ||
    { echo "FAIL: add_subdirectory changed the parent's CMAKE_BUILD_TYPE"; exit 1; }
cmake --build "$work/sub2" >/dev/null
cmake --install "$work/sub2" --prefix "$work/sub2-prefix" >/dev/null
! find "$work/sub2-prefix" -name 'libmirrordec*' 2>/dev/null | grep -q . ||
    { echo "FAIL: a parent project's install installed mirrordec"; exit 1; }

echo
echo "ok: installed mirrordec works with find_package, add_subdirectory and pkg-config"

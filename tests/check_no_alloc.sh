#!/bin/sh
# check_no_alloc.sh LIBRARY.so OBJECT.o...
#
# Fails when the shared library references an allocator or anything that
# hands out memory behind the caller's back, or when any of the library's
# objects holds writable static data (.data or .bss: mutable state shared by
# every caller).  .data.rel.ro is read-only once relocated and is allowed.
set -u
lib=$1
shift
status=0

banned='malloc|calloc|realloc|reallocarray|free|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|strdup|strndup|mmap|mmap64|munmap|sbrk|brk|alloca|__libc_malloc|malloc_usable_size|asprintf|vasprintf|getline|getdelim|fopen|open_memstream|qsort'
found=$(nm -D --undefined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | grep -Ex "$banned" || true)
if [ -n "$found" ]; then
    echo "FAIL: $lib references: $(echo "$found" | tr '\n' ' ')"
    status=1
else
    echo "ok: $lib references no allocator"
fi

for obj in "$@"; do
    # objdump -h: Idx Name Size VMA LMA File-off Algn
    bad=$(objdump -h "$obj" | awk '$2 ~ /^\.(data|bss|tbss|tdata)/ && $2 !~ /^\.data\.rel\.ro/ && $3 !~ /^0+$/ {print $2 " (" $3 " bytes)"}')
    if [ -n "$bad" ]; then
        echo "FAIL: $(basename "$obj") holds writable static data: $bad"
        status=1
    fi
done
[ $status -eq 0 ] && echo "ok: $# objects hold no writable static data"
exit $status

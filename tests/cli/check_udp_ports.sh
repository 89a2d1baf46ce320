#!/bin/sh
# check_udp_ports.sh BIN_DIR
#
# mirrordec-udp binds exactly the ports its man page promises: for each
# tunnel type no option names, VXLAN 4789 and GENEVE 6081 only (never the
# Linux vxlan default 8472, which a kernel vxlan device or flannel may hold,
# nor VXLAN-GPE's 4790); a type given with --*-port gets exactly those.
# Reads the sockets the running process holds from ss(8).
# Exit 0 passed, 1 failed, 77 skipped (no ss).
set -u
bin=$1/mirrordec-udp
command -v ss >/dev/null 2>&1 || { echo "SKIP: ss (iproute2) is not installed"; exit 77; }
fail=0

# check "OPTIONS" "EXPECTED PORTS (sorted, space separated)"
check() {
    # shellcheck disable=SC2086
    "$bin" -q $1 2>/dev/null &
    pid=$!
    ports=""
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        sleep 0.2
        ports=$(ss -H -lunp 2>/dev/null | grep "pid=$pid," | awk '{print $4}' |
            sed 's/.*://' | sort -un | tr '\n' ' ' | sed 's/ $//')
        [ -n "$ports" ] && break
    done
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    if [ "$ports" != "$2" ]; then
        echo "FAIL: mirrordec-udp $1 bound UDP ports '$ports', expected '$2'"
        fail=1
    elif [ "$rc" -ne 0 ]; then
        echo "FAIL: mirrordec-udp $1 exited $rc on SIGTERM, expected 0"
        fail=1
    else
        echo "ok: mirrordec-udp $1 -> $ports"
    fi
}

check "--geneve-port 16081" "4789 16081"
check "--vxlan-port 14789" "6081 14789"
check "--vxlan-port 14789 --gpe-port 14790" "6081 14789 14790"
check "--vxlan-port 14789 --vxlan-port 18472 --geneve-port 16081" "14789 16081 18472"
exit $fail

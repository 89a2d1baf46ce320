#!/bin/bash
# soak.sh BIN_DIR [PYTHON3]
#
# A bounded soak of the live tools under hostile traffic, in two network
# namespaces joined by a veth pair.  For SOAK_SECONDS (default 20; run it
# longer by hand: SOAK_SECONDS=600 tests/soak.sh build/gcc/examples) a
# sender namespace sends, at SOAK_RATE datagrams a second (default 3000),
# a mix of valid VXLAN and GENEVE mirror traffic for three configured
# sessions, forged copies from a source they do not allow, thousands of
# invented VNIs from an allowed and from a refused source, garbage
# datagrams, and a configured session's packets wrapped by the refused
# source in GENEVE and VXLAN tunnels of its own (the trust rule); garbage
# datagrams (tests/cli/soak_traffic.py lists the mix).  mirrordec-udp and
# mirrordec-afpacket (2 workers) receive it at the same time, each with an
# open-file limit of SOAK_NOFILE (default 64), --split DIR, --learn-from and
# --max-sessions SOAK_MAX_SESSIONS (default 500).  It asserts that
#   - neither tool exits before it is told to, and both exit 0 on SIGTERM;
#   - every datagram is accounted for: sent = received + dropped as the
#     tool reports, and each kind of traffic is where it belongs (delivered
#     to its configured session, refused as forged, learned or refused by
#     --learn-from, the table full), exactly;
#   - the configured sessions' pcap files hold every packet the tools
#     accepted (read back by tcpdump), and no packet went unwritten;
#   - resident memory stays flat after a warm-up (a quarter of the run, at
#     least 5 s): at most SOAK_RSS_KB (default 2048) KiB between the
#     smallest and largest sample (SOAK_RSS_KB=none: not checked, for
#     sanitizer builds, whose allocator keeps freed memory in quarantine).
# SOAK_UDP_ARGS adds options to mirrordec-udp: "--rcvbuf 4096" with a
# higher SOAK_RATE makes the kernel drop, and the accounting must still add
# up exactly.
# Exit 0 passed, 1 failed, 77 skipped (not root, or no namespaces here).
set -u
bin=$(cd "$1" && pwd)
py=${2:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
traffic="$here/cli/soak_traffic.py"
seconds=${SOAK_SECONDS:-20}
rate=${SOAK_RATE:-3000}
nofile=${SOAK_NOFILE:-64}
maxs=${SOAK_MAX_SESSIONS:-500}
rss_tol=${SOAK_RSS_KB:-2048}
A=mdecSA$$ B=mdecSB$$
tmp=$(mktemp -d /tmp/mdec-soak.XXXXXX)
pids=()

skip() { echo "SKIP: $*"; rm -rf "$tmp"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces"
for t in ip tcpdump; do command -v $t >/dev/null || skip "$t is not installed"; done
ip netns add $A 2>/dev/null || skip "cannot create network namespaces here"

cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del $A 2>/dev/null
    ip netns del $B 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${MDEC_KEEP:-}" ] && trap - EXIT
fail() { echo "FAIL: $*"; exit 1; }

ip netns add $B || fail "cannot create namespace $B"
ip link add vA netns $A type veth peer name vB netns $B || fail "cannot create a veth pair"
for ns in $A $B; do
    # IPv4 only: nothing but the test's datagrams on the wire (no router
    # solicitations, no neighbour discovery) for mirrordec-afpacket to count.
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n $ns link set lo up
done
ip -n $A addr add 10.99.0.1/24 dev vA
ip -n $A addr add 10.99.0.66/24 dev vA
ip -n $B addr add 10.99.0.2/24 dev vB
ip -n $A link set vA up
ip -n $B link set vB up
macB=$(ip netns exec $B cat /sys/class/net/vB/address)
macA=$(ip netns exec $A cat /sys/class/net/vA/address)
ip -n $A neigh replace 10.99.0.2 lladdr "$macB" dev vA nud permanent
ip -n $B neigh replace 10.99.0.1 lladdr "$macA" dev vB nud permanent
ip -n $B neigh replace 10.99.0.66 lladdr "$macA" dev vB nud permanent

wait_for() {
    for _ in $(seq 50); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    cat "$1"
    fail "timed out waiting for '$2' in $1"
}
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }

sessions=$("$py" "$traffic" sessions)
common="$sessions --max-sessions $maxs -F pcap --split"
# shellcheck disable=SC2086
ip netns exec $B bash -c "ulimit -n $nofile && exec \"\$@\"" - "$bin/mirrordec-udp" \
    $common "$tmp/udp" --stats-json "$tmp/udp.json" ${SOAK_UDP_ARGS:-} 2>"$tmp/udp.err" &
udp=$!
pids+=($udp)
# shellcheck disable=SC2086
ip netns exec $B bash -c "ulimit -n $nofile && exec \"\$@\"" - "$bin/mirrordec-afpacket" \
    -i vB --workers 2 $common "$tmp/af" --stats-json "$tmp/af.json" 2>"$tmp/af.err" &
af=$!
pids+=($af)
wait_for "$tmp/udp.err" "receiving on"
wait_for "$tmp/af.err" "capturing on"
echo "soak: ${seconds} s at ${rate} datagrams/s; open-file limit $nofile; --max-sessions $maxs"

# Sample both tools' resident memory once a second while the traffic runs;
# note it when one is gone.
(
    for _ in $(seq "$(printf '%.0f' "$seconds")"); do
        for p in $udp $af; do
            r=$(rss $p)
            [ -n "$r" ] || { echo "$p gone" >>"$tmp/died"; continue; }
            echo "$r" >>"$tmp/rss.$p"
        done
        sleep 1
    done
) &
sampler=$!
pids+=($sampler)
ip netns exec $A "$py" "$traffic" send "$seconds" "$rate" "$tmp/sent.json" || fail "cannot send"
wait $sampler
sleep 1 # what is in flight arrives
[ -e "$tmp/died" ] && { cat "$tmp/udp.err" "$tmp/af.err"; fail "a tool exited early: $(cat "$tmp/died")"; }
for p in $udp $af; do
    kill -0 $p 2>/dev/null || { cat "$tmp/udp.err" "$tmp/af.err"; fail "process $p exited early"; }
done
kill -TERM $udp $af
wait $udp; rc_udp=$?
wait $af; rc_af=$?
cat "$tmp/udp.err" "$tmp/af.err" | grep -v "^vxlan:1[0-9]\{4\} " # the table without its learned rows
[ $rc_udp -eq 0 ] || fail "mirrordec-udp exited with $rc_udp"
[ $rc_af -eq 0 ] || fail "mirrordec-afpacket exited with $rc_af"

"$py" "$traffic" check "$tmp/sent.json" "$tmp/udp.json" --dir "$tmp/udp" || exit 1
"$py" "$traffic" check "$tmp/sent.json" "$tmp/af.json" --dir "$tmp/af" || exit 1

# Memory: flat after the warm-up.
warm=$(( $(printf '%.0f' "$seconds") / 4 ))
[ $warm -ge 5 ] || warm=5
for p in $udp $af; do
    name=mirrordec-udp
    [ $p = $af ] && name=mirrordec-afpacket
    n=$(wc -l <"$tmp/rss.$p")
    [ "$n" -gt $((warm + 2)) ] || fail "$name: only $n memory samples (SOAK_SECONDS too short)"
    read -r first last lo hi < <(tail -n +$((warm + 1)) "$tmp/rss.$p" |
        awk 'NR == 1 {f = $1; lo = $1; hi = $1} {if ($1 < lo) lo = $1; if ($1 > hi) hi = $1; l = $1}
             END {print f, l, lo, hi}')
    start=$(head -1 "$tmp/rss.$p")
    echo "$name: resident memory $start KiB at start, $first KiB after ${warm} s, $last KiB at" \
         "the end; after the warm-up between $lo and $hi KiB (tolerance $rss_tol KiB)"
    [ "$rss_tol" = none ] ||
        [ $((hi - lo)) -le "$rss_tol" ] || fail "$name: resident memory grew by $((hi - lo)) KiB after the warm-up"
done
echo "PASS"

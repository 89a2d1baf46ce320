#!/bin/bash
# netns_test.sh BIN_DIR [PYTHON3]
#
# The live tools end to end, in two network namespaces joined by a veth
# pair: a "mirror source" namespace sends VXLAN (IPv4 and IPv6) and GENEVE
# (Ethernet inside, and GWLB-style bare IPv4/IPv6) to a "mirror target"
# namespace, where
#   1. mirrordec-udp (with --session allow-lists: one forged datagram) and
#      mirrordec-afpacket (2 workers, fanout) receive the same traffic;
#      their JSON lines and -w pcaps must hold exactly what was sent, and
#      every inner flow must have stayed on one afpacket worker;
#   2. mirrordec-tap injects the inner frames into a TAP device, where a
#      tcpdump capture must show the original frames;
#   3. mirrordec-tap --tap-per-session gives each session its device;
#   4. mirrordec-udp, stopped (SIGSTOP) while a burst overflows its small
#      receive buffer, reports the kernel's drops: received + dropped =
#      sent, and the drops equal the namespace's UDP RcvbufErrors;
#   5. mirrordec-tap --tap-per-session --max-taps 2, learning: two sessions
#      get devices, the others none, and their frames are counted;
#   6. mirrordec-afpacket --workers 2 --json into a FIFO nobody reads: the
#      first SIGTERM waits for the reader (a clean stop writes everything),
#      the second gives up (exit 1), even though the workers block SIGTERM;
#   7. --dedup live: every inner packet mirrored twice (VXLAN 301 over IPv4,
#      then 302 over IPv6 after a router): mirrordec-udp and
#      mirrordec-afpacket --workers 2 keep each once, and afpacket's flow
#      hash puts both copies on one worker.
# Exit 0 passed, 1 failed, 77 skipped (not root, or no namespaces here).
set -u
bin=$(cd "$1" && pwd)
py=${2:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
traffic="$here/cli/netns_traffic.py"
A=mdecA$$ B=mdecB$$
tmp=$(mktemp -d /tmp/mdec-netns.XXXXXX)
pids=()

skip() { echo "SKIP: $*"; rm -rf "$tmp"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces"
for t in ip tcpdump; do command -v $t >/dev/null || skip "$t is not installed"; done
"$py" -c "import scapy" 2>/dev/null || skip "$py has no scapy (apt-get install python3-scapy)"
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
inB() { ip netns exec $B "$@"; }

ip netns add $B || fail "cannot create namespace $B"
ip link add vA netns $A type veth peer name vB netns $B || fail "cannot create a veth pair"
ip -n $A addr add 10.99.0.1/24 dev vA
ip -n $A addr add 10.99.0.66/24 dev vA
ip -n $B addr add 10.99.0.2/24 dev vB
ip -n $A addr add fd99::1/64 dev vA nodad
ip -n $B addr add fd99::2/64 dev vB nodad
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set vA up
ip -n $B link set vB up
# Static neighbours: no ARP or neighbour discovery to wait for (datagrams
# queued behind an unresolved IPv6 neighbour could arrive after a phase).
macB=$(ip netns exec $B cat /sys/class/net/vB/address)
macA=$(ip netns exec $A cat /sys/class/net/vA/address)
ip -n $A neigh replace 10.99.0.2 lladdr "$macB" dev vA nud permanent
ip -n $A neigh replace fd99::2 lladdr "$macB" dev vA nud permanent
ip -n $B neigh replace 10.99.0.1 lladdr "$macA" dev vB nud permanent
ip -n $B neigh replace 10.99.0.66 lladdr "$macA" dev vB nud permanent
ip -n $B neigh replace fd99::1 lladdr "$macA" dev vB nud permanent

# wait_for FILE TEXT: until TEXT shows in FILE (a program is ready), 5 s.
wait_for() {
    for _ in $(seq 50); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    cat "$1"
    fail "timed out waiting for '$2' in $1"
}
# stop PID: SIGTERM, then wait for it (it flushes and prints its summary).
stop() { kill -TERM "$1"; wait "$1"; }

"$py" "$traffic" gen "$tmp/traffic.json" || fail "cannot build the traffic"
sessions=$("$py" "$traffic" sessions)

echo "== 1. mirrordec-udp and mirrordec-afpacket"
# shellcheck disable=SC2086
ip netns exec $B "$bin/mirrordec-udp" --json --split "$tmp/udp" -F pcap $sessions >"$tmp/udp.jsonl" 2>"$tmp/udp.err" &
udp=$!
pids+=($udp)
ip netns exec $B "$bin/mirrordec-afpacket" -i vB --workers 2 --json --split "$tmp/af" -F pcap \
    >"$tmp/af.jsonl" 2>"$tmp/af.err" &
af=$!
pids+=($af)
wait_for "$tmp/udp.err" "receiving on"
wait_for "$tmp/af.err" "capturing on"
ip netns exec $A "$py" "$traffic" send "$tmp/traffic.json" || fail "cannot send"
sleep 0.5
stop $udp || fail "mirrordec-udp exited with $?: $(cat "$tmp/udp.err")"
stop $af || fail "mirrordec-afpacket exited with $?: $(cat "$tmp/af.err")"
cat "$tmp/udp.err" "$tmp/af.err"
"$py" "$traffic" check-json "$tmp/traffic.json" "$tmp/udp.jsonl" --sessions || exit 1
"$py" "$traffic" check-pcaps "$tmp/traffic.json" "$tmp/udp" --sessions || exit 1
"$py" "$traffic" check-json "$tmp/traffic.json" "$tmp/af.jsonl" --workers || exit 1
"$py" "$traffic" check-pcaps "$tmp/traffic.json" "$tmp/af" || exit 1
grep -q "forged" "$tmp/udp.err" || fail "no forged column in the summary"

echo "== 2. mirrordec-tap into a TAP device, captured by tcpdump"
ip -n $B tuntap add mode tap name mdt0 || fail "cannot create a TAP device"
# shellcheck disable=SC2086
ip netns exec $B "$bin/mirrordec-tap" --tap mdt0 $sessions --stats-json "$tmp/tap.json" \
    >"$tmp/tap.out" 2>"$tmp/tap.err" &
tap=$!
pids+=($tap)
wait_for "$tmp/tap.err" "TAP device mdt0 is up"
wait_for "$tmp/tap.err" "receiving on"
ip netns exec $B tcpdump -i mdt0 --immediate-mode -Q in -U -w "$tmp/tap.pcap" 2>"$tmp/tcpdump.err" &
td=$!
pids+=($td)
wait_for "$tmp/tcpdump.err" "listening on"
ip netns exec $A "$py" "$traffic" send "$tmp/traffic.json" || fail "cannot send"
sleep 0.5
stop $td
stop $tap || fail "mirrordec-tap exited with $?: $(cat "$tmp/tap.err")"
cat "$tmp/tap.err"
"$py" "$traffic" check-tap "$tmp/traffic.json" "$tmp/tap.pcap" || exit 1
grep -q '"kernel_drops":0,"rcvbuf":[1-9]' "$tmp/tap.json" ||
    fail "mirrordec-tap's stats JSON lacks kernel_drops and rcvbuf: $(cat "$tmp/tap.json")"

echo "== 3. mirrordec-tap --tap-per-session"
# shellcheck disable=SC2086
ip netns exec $B "$bin/mirrordec-tap" --tap-per-session --tap mdp $sessions \
    >"$tmp/taps.out" 2>"$tmp/taps.err" &
taps=$!
pids+=($taps)
wait_for "$tmp/taps.err" "receiving on"
for n in 1 2 3 4; do ip -n $B link show mdp$n >/dev/null || fail "no device mdp$n"; done
grep -q "session vx6 -> TAP device mdp2" "$tmp/taps.err" || fail "session vx6 is not on mdp2"
ip netns exec $B tcpdump -i mdp2 --immediate-mode -Q in -U -w "$tmp/taps.pcap" 2>"$tmp/tcpdump2.err" &
td=$!
pids+=($td)
wait_for "$tmp/tcpdump2.err" "listening on"
ip netns exec $A "$py" "$traffic" send "$tmp/traffic.json" || fail "cannot send"
sleep 0.5
stop $td
stop $taps || fail "mirrordec-tap exited with $?: $(cat "$tmp/taps.err")"
"$py" "$traffic" check-tap "$tmp/traffic.json" "$tmp/taps.pcap" --key vxlan:202 || exit 1

echo "== 4. kernel drops: mirrordec-udp stopped while a burst overflows its buffer"
# UDP receive-buffer errors of namespace B, IPv4 (snmp) and IPv6 (snmp6).
udp_errors() {
    ip netns exec $B awk '/^Udp:/ {n++} /^Udp:/ && n == 2 {e += $6}
        /^Udp6RcvbufErrors/ {e += $2} END {print e}' /proc/net/snmp /proc/net/snmp6
}
ip netns exec $B "$bin/mirrordec-udp" --rcvbuf 4096 --stats-json "$tmp/drops.json" \
    >/dev/null 2>"$tmp/drops.err" &
dr=$!
pids+=($dr)
wait_for "$tmp/drops.err" "receiving on"
errors0=$(udp_errors)
kill -STOP $dr
for _ in 1 2 3 4; do ip netns exec $A "$py" "$traffic" send "$tmp/traffic.json" >/dev/null || fail "cannot send"; done
sent=$(( 4 * $("$py" -c "import json, sys; print(len(json.load(open(sys.argv[1]))))" "$tmp/traffic.json") ))
kill -CONT $dr
sleep 0.5
stop $dr || fail "mirrordec-udp exited with $?: $(cat "$tmp/drops.err")"
cat "$tmp/drops.err"
errors=$(( $(udp_errors) - errors0 ))
"$py" - "$tmp/drops.json" "$sent" "$errors" <<'PYEOF' || exit 1
import json, sys
st, sent, errors = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
got, drops = st["frames"], st["kernel_drops"]
if drops == 0 or got + drops != sent or drops != errors:
    print(f"FAIL: sent {sent}, received {got} + dropped {drops} (the namespace counted "
          f"{errors} receive-buffer errors); receive buffer {st['rcvbuf']}")
    sys.exit(1)
print(f"sent {sent} = received {got} + dropped {drops} (kernel: {errors} RcvbufErrors), "
      f"receive buffer {st['rcvbuf']} bytes")
PYEOF
grep -q "UDP sockets: the kernel dropped [1-9][0-9]* datagrams" "$tmp/drops.err" ||
    fail "the summary does not show the kernel's drops"

echo "== 5. mirrordec-tap --tap-per-session --max-taps 2, learning"
ip netns exec $B "$bin/mirrordec-tap" --tap-per-session --tap mdq --max-taps 2 \
    --stats-json "$tmp/cap.json" >/dev/null 2>"$tmp/cap.err" &
cap=$!
pids+=($cap)
wait_for "$tmp/cap.err" "receiving on"
ip netns exec $A "$py" "$traffic" send "$tmp/traffic.json" || fail "cannot send"
sleep 0.5
for n in 1 2; do ip -n $B link show mdq$n >/dev/null || fail "no device mdq$n"; done
ip -n $B link show mdq3 >/dev/null 2>&1 && fail "a third device mdq3 was created past --max-taps 2"
stop $cap || fail "mirrordec-tap exited with $?: $(cat "$tmp/cap.err")"
cat "$tmp/cap.err"
"$py" - "$tmp/cap.json" <<'PYEOF' || exit 1
import json, sys
st = json.load(open(sys.argv[1]))
# sessions without a device (the untunneled one, if any, has no inner frame)
none = [s for s in st["sessions"] if s["tap"] is None and s["key"] != "none"]
frames = sum(s["packets"] - s["filtered"] for s in none)
if st["tap_devices"] != 2 or st["tap_max"] != 2 or len(none) != 2 or \
        st["tap_no_device_sessions"] != 2 or st["tap_no_device"] != frames or frames == 0:
    print(f"FAIL: {json.dumps(st)}")
    sys.exit(1)
print(f"2 devices; sessions {[s['session'] for s in none]} got none: {frames} frames counted")
PYEOF
grep -q "2 sessions got no TAP device (2 past the cap of 2, 0 failed)" "$tmp/cap.err" ||
    fail "the summary does not count the sessions without a device"

echo "== 6. mirrordec-afpacket --json to a reader that never reads; SIGTERM twice"
mkfifo "$tmp/jfifo"
exec 7<>"$tmp/jfifo" # holds the FIFO open without reading it
ip netns exec $B "$bin/mirrordec-afpacket" -i vB --workers 2 --json >"$tmp/jfifo" \
    2>"$tmp/block.err" &
blk=$!
pids+=($blk)
wait_for "$tmp/block.err" "capturing on"
for _ in 1 2 3 4; do ip netns exec $A "$py" "$traffic" send "$tmp/traffic.json" >/dev/null || fail "cannot send"; done
sleep 0.5
kill -TERM $blk
sleep 1
kill -0 $blk 2>/dev/null || fail "mirrordec-afpacket did not wait for its reader: $(cat "$tmp/block.err")"
kill -TERM $blk
for _ in $(seq 50); do kill -0 $blk 2>/dev/null || break; sleep 0.1; done
if kill -0 $blk 2>/dev/null; then
    kill -KILL $blk
    fail "a second SIGTERM did not end mirrordec-afpacket blocked on its output"
fi
wait $blk
rc=$?
exec 7>&-
cat "$tmp/block.err"
[ $rc -eq 1 ] || fail "mirrordec-afpacket exited with $rc after giving up its output, expected 1"
grep -q "output abandoned after a second signal" "$tmp/block.err" || fail "no message said why"

echo "== 7. --dedup: each packet mirrored twice, kept once"
"$py" "$traffic" gen-dup "$tmp/dup.json" || fail "cannot build the duplicated traffic"
# A window of a second: the sender sends the two copies 2 ms apart, but a
# loaded machine (sanitizers, parallel tests) may hold it back far longer
# between them; no two different packets here share a key.
ip netns exec $B "$bin/mirrordec-udp" --dedup=1s --json --stats-json "$tmp/dupu.stats" \
    >"$tmp/dupu.jsonl" 2>"$tmp/dupu.err" &
dupu=$!
pids+=($dupu)
ip netns exec $B "$bin/mirrordec-afpacket" -i vB --workers 2 --dedup=1s --json \
    >"$tmp/dupa.jsonl" 2>"$tmp/dupa.err" &
dupa=$!
pids+=($dupa)
wait_for "$tmp/dupu.err" "receiving on"
wait_for "$tmp/dupa.err" "capturing on"
ip netns exec $A "$py" "$traffic" send "$tmp/dup.json" || fail "cannot send"
sleep 0.5
stop $dupu || fail "mirrordec-udp --dedup exited with $?: $(cat "$tmp/dupu.err")"
stop $dupa || fail "mirrordec-afpacket --dedup exited with $?: $(cat "$tmp/dupa.err")"
cat "$tmp/dupu.err" "$tmp/dupa.err"
"$py" "$traffic" check-dup "$tmp/dup.json" "$tmp/dupu.jsonl" || exit 1
"$py" "$traffic" check-dup "$tmp/dup.json" "$tmp/dupa.jsonl" --workers || exit 1
grep -q '"duplicates":64' "$tmp/dupu.stats" || fail "the stats JSON does not count 64 duplicates"
echo "PASS"

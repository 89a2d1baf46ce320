#!/usr/bin/env python3
"""mirrordec-udp --health-port and --stats-interval in a network namespace
of its own.

A load balancer's health checks against the listener, while the receiver
decodes traffic:
  1. a TCP check (connect, close) and an HTTP check (GET, "200 OK", body
     "ok"), both counted in --stats-json's health_checks;
  2. a VXLAN datagram sent meanwhile is still decoded (the listener shares
     the receiver's poll loop);
  3. an idle connection is closed after the timeout (2 s);
  4. 40 idle connections (more than the 32 held) do not lock checks out:
     the oldest are evicted and an HTTP check still gets its answer;
  5. after SIGTERM the port refuses connections, and the counts in
     --stats-json are what the clients did;
  6. a --health-port that is not [ADDR:]PORT is a usage error (exit 2)
     naming the option, and a port already taken a runtime error (exit 1);
  7. with --stats-interval 1, the figures come once a second as JSON lines
     on standard error (with the time, the frames so far, the health
     checks), and the --stats-json file exists and is whole while it runs;
     --stats-interval 0 is a usage error.

Usage: check_health_port.py BIN_DIR
Exit status: 0 passed, 1 failed, 77 skipped (not root, no namespaces).
"""

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HEALTH = 18080
VXLAN = 14789


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def vxlan_datagram():
    """A VXLAN (VNI 101) datagram carrying Ethernet, IPv4, UDP 1111->2222."""
    vx = struct.pack("!BBHI", 0x08, 0, 0, 101 << 8)
    eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    payload = b"hello"
    udp = struct.pack("!HHHH", 1111, 2222, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2"))
    return vx + eth + ip + udp


def http_check():
    with socket.create_connection(("127.0.0.1", HEALTH), timeout=3) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: sensor\r\nUser-Agent: ELB-HealthChecker/2.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(1024)
            if not chunk:
                break
            data += chunk
    return data


def wait_port(port, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def inner(bindir):
    """Runs inside the namespace."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    udp = os.path.join(bindir, "mirrordec-udp")
    tmp = tempfile.mkdtemp(prefix="mdec-health.")
    stats = os.path.join(tmp, "stats.json")
    # 6. the option's own errors
    bad = subprocess.run([udp, "--vxlan-port", str(VXLAN), "--health-port", "70000"],
                         capture_output=True, text=True, timeout=10)
    if bad.returncode != 2 or "--health-port '70000'" not in bad.stderr:
        fail(f"--health-port 70000: exit {bad.returncode}, stderr {bad.stderr!r}")
    bad = subprocess.run([udp, "--vxlan-port", str(VXLAN), "--stats-interval", "0"],
                         capture_output=True, text=True, timeout=10)
    if bad.returncode != 2 or "--stats-interval '0'" not in bad.stderr:
        fail(f"--stats-interval 0: exit {bad.returncode}, stderr {bad.stderr!r}")
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", HEALTH + 1))
    holder.listen(1)
    busy = subprocess.run([udp, "--vxlan-port", str(VXLAN),
                           "--health-port", f"127.0.0.1:{HEALTH + 1}"],
                          capture_output=True, text=True, timeout=10)
    holder.close()
    if busy.returncode != 1 or "in use" not in busy.stderr:
        fail(f"a taken port: exit {busy.returncode}, stderr {busy.stderr!r}")

    proc = subprocess.Popen([udp, "--vxlan-port", str(VXLAN), "--health-port", str(HEALTH),
                             "--json", "--stats-json", stats, "--stats-interval", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if not wait_port(HEALTH):  # 1. a TCP check (wait_port's connections)
            fail("the health port never opened")
        connections = 1
        time.sleep(0.1)
        got = http_check()
        connections += 1
        if not got.startswith(b"HTTP/1.1 200 OK\r\n") or not got.endswith(b"\r\n\r\nok\n"):
            fail(f"HTTP check answered {got!r}")
        answered = 1
        # 2. traffic still decoded
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.sendto(vxlan_datagram(), ("127.0.0.1", VXLAN))
        # 3. an idle connection is closed by the receiver after ~2 s
        idle = socket.create_connection(("127.0.0.1", HEALTH), timeout=5)
        connections += 1
        t0 = time.time()
        if idle.recv(16) != b"":
            fail("the idle connection got data")
        waited = time.time() - t0
        idle.close()
        if not 1.5 <= waited <= 4.5:
            fail(f"the idle connection was closed after {waited:.1f} s, expected about 2")
        # 7. the stats file, written by --stats-interval while it runs
        time.sleep(1.1)
        try:
            with open(stats) as f:
                mid = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"--stats-json while running: {e}")
        if mid.get("frames") != 1 or "health_checks" not in mid:
            fail(f"--stats-json while running: {mid}")
        timeouts = 1
        # 4. 40 idle connections, then an HTTP check
        hold = [socket.create_connection(("127.0.0.1", HEALTH), timeout=3) for _ in range(40)]
        connections += 40
        time.sleep(0.3)
        got = http_check()
        connections += 1
        answered += 1
        if not got.startswith(b"HTTP/1.1 200 OK"):
            fail(f"with 40 idle connections the check got {got!r}")
        closed = 0
        for s in hold:
            s.settimeout(0.05)
            try:
                if s.recv(16) == b"":
                    closed += 1
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed += 1
        if closed < 9:
            fail(f"{closed} of the 40 idle connections were evicted, expected at least 9")
        for s in hold:
            s.close()
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    if proc.returncode != 0:
        fail(f"mirrordec-udp exited {proc.returncode}: {err}")
    # 5. the port is closed, the counts are right
    try:
        socket.create_connection(("127.0.0.1", HEALTH), timeout=1).close()
        fail("the health port still accepts after the receiver stopped")
    except ConnectionRefusedError:
        pass
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    if len(lines) != 1 or lines[0].get("key") != "vxlan:101" or lines[0].get("dest_port") != 2222:
        fail(f"the VXLAN datagram was not decoded: {lines}")
    with open(stats) as f:
        hc = json.load(f).get("health_checks")
    if hc is None:
        fail("--stats-json has no health_checks")
    want = {"port": HEALTH, "connections": connections, "answered": answered}
    for k, v in want.items():
        if hc.get(k) != v:
            fail(f"health_checks.{k} is {hc.get(k)}, expected {v} ({hc})")
    if hc["timeouts"] < timeouts or hc["evicted"] < 8:
        fail(f"health_checks: {hc}")
    if "health checks on TCP port 18080" not in err:
        fail(f"the summary does not report the health checks: {err}")
    # 7. one line a second on standard error
    ticks = [json.loads(x) for x in err.splitlines() if x.startswith('{"tool":"mirrordec-udp"')]
    if len(ticks) < 3:
        fail(f"--stats-interval 1 printed {len(ticks)} JSON lines in a run of 4 s or more")
    if any(not t.get("time", "").endswith("Z") for t in ticks):
        fail(f"a --stats-interval line has no time: {ticks[0]}")
    frames = [t["frames"] for t in ticks]
    conns = [t["health_checks"]["connections"] for t in ticks]
    if frames != sorted(frames) or frames[-1] != 1 or conns != sorted(conns) or conns[-1] < 3:
        fail(f"--stats-interval lines: frames {frames}, connections {conns}")
    print("PASS: health checks answered", hc)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--inner":
        inner(sys.argv[2])
        return
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    if os.geteuid() != 0:
        print("SKIP: needs root to create a network namespace")
        sys.exit(77)
    ns = f"mdecH{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", ns], capture_output=True).returncode != 0:
        print("SKIP: cannot create network namespaces here")
        sys.exit(77)
    try:
        rc = subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                             "--inner", os.path.abspath(sys.argv[1])]).returncode
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    sys.exit(rc)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""mirrordec-dpdk against mirrordec -r, on the same captures.

DPDK's net_pcap virtual device (--vdev net_pcap0,rx_pcap=FILE) plays a
capture into an rx queue as a NIC would deliver it; mirrordec-dpdk decodes
it and stops with --idle-exit 1.  mirrordec -r reads the same file with
the same options.  For each run:

- every frame's --json object is the same (but "ts" and "timestamp", the receive time, and
  "worker"): the same decode, session, verdict, cut and anomalies;
- --stats-json holds the same frames, statuses, sessions and counters;
- the NIC counters: every frame received (ipackets), no drop;
- with -w, the same inner packets in each session's pcap file;
- with two lcores (one net_pcap queue, so worker 0 receives everything and
  hands frames over): frames were steered, and every inner flow, both
  directions, was handled by one worker.

Runs: the bundled capture with learned sessions (one lcore); with the
README's named sessions, forged sources, a filter and -w (two lcores); the
Ethernet fixtures plus jumbo frames that net_pcap delivers in chains of
mbufs, with -w (two lcores); -c 40 (two lcores); SIGTERM instead of
--idle-exit (two lcores).  Then DPDK's null device, which takes an RSS
configuration: two queues with the symmetric key, both polled, every frame
received processed (SIGTERM).

Usage: check_dpdk.py MIRRORDEC_DPDK MIRRORDEC SOURCE_DIR
Exit status 0 passed, 1 failed, 77 skipped (DPDK's EAL cannot start here:
no hugepage support for --no-huge, no permission, a container's limits, or
no net_pcap driver).
"""

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

DPDK, CLI, SRC = sys.argv[1:4]
DEMO = os.path.join(SRC, "examples/captures/demo.pcap")
FIXTURES = ["aws_vxlan", "erspan", "forged", "gcp", "gre", "gso", "gwlb", "ipv6_ext",
            "malformed", "plain", "vxlan_8472", "vxlan_gpe"]  # Ethernet, none cut by snaplen
SESSIONS = ["--session", "101:web-1:10.0.1.10", "--session", "102:db-1:10.0.1.10,10.0.2.20",
            "--session", "103:bastion:10.0.3.30",
            "--session", "gwlb:0x0000000a1b2c3d4e:appliance",
            "--transport", "geneve:10.0.8.8", "--session", "104:behind-gwlb:10.0.5.50",
            "--filter", os.path.join(SRC, "tests/golden/rules.txt")]
# Not compared: what only one side knows, or what each worker's table
# counts for itself (a session learned by two workers is learned twice).
FRAME_SKIP = {"ts", "timestamp", "worker"}
STATS_SKIP = {"tool", "input", "sessions", "kernel_drops", "nic_drops", "nic", "workers",
              "steered", "steer_waits", "pcap", "open_files"}

failures = []
tmp = tempfile.mkdtemp(prefix="mdec-dpdk.")
runs = 0


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def cpus():
    """Two CPUs to put lcores on (the same one twice when there is one)."""
    mine = sorted(os.sched_getaffinity(0))
    return mine[0], mine[1] if len(mine) > 1 else mine[0]


def eal_args(capture, lcores, vdev=None):
    global runs
    runs += 1
    c0, c1 = cpus()
    mapping = "0@%d" % c0 if lcores == 1 else "0@%d,1@%d" % (c0, c1)
    # --no-shconf and a prefix of its own: several tests may run at once.
    return ["--lcores", mapping, "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
            "--file-prefix", "mdec%d_%d" % (os.getpid(), runs),
            "--vdev", vdev or "net_pcap0,rx_pcap=" + capture]


def forget_runtime_dir():
    """The EAL leaves an empty runtime directory per prefix: remove ours."""
    for base in ("/var/run/dpdk", os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"),
                                               "dpdk"), "/tmp/dpdk"):
        d = os.path.join(base, "mdec%d_%d" % (os.getpid(), runs))
        try:
            os.rmdir(d)
        except OSError:
            pass


def skip_or_fail(name, proc):
    err = proc.stderr
    if "cannot start DPDK's EAL" in err and "Invalid argument" not in err:
        print("SKIP: DPDK's EAL cannot start here (%s):" % name)
        print("\n".join("    " + l for l in err.splitlines()[-8:]))
        if "No such device" in err:
            print("    (is DPDK's net_pcap driver installed? apt-get install libdpdk-dev)")
        shutil.rmtree(tmp, ignore_errors=True)
        sys.exit(77)
    fail("%s: mirrordec-dpdk exited %d\n%s" % (name, proc.returncode, err))


def run_cli(capture, args, tag):
    stats = os.path.join(tmp, tag + ".cli.stats.json")
    p = subprocess.run([CLI, "-r", capture, "--json", "-q", "--stats-json", stats] + args,
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        fail("%s: mirrordec -r exited %d\n%s" % (tag, p.returncode, p.stderr))
        return None, None
    return [json.loads(l) for l in p.stdout.splitlines()], json.load(open(stats))


def run_dpdk(capture, args, tag, lcores):
    stats = os.path.join(tmp, tag + ".dpdk.stats.json")
    cmd = [DPDK, "--json", "--stats-json", stats] + args + ["--"] + eal_args(capture, lcores)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    forget_runtime_dir()
    if p.returncode != 0:
        skip_or_fail(tag, p)
        return None, None
    print("  %s: %d lcore%s, %.1f s" % (tag, lcores, "s" if lcores > 1 else "",
                                      time.monotonic() - t0))
    return [json.loads(l) for l in p.stdout.splitlines()], json.load(open(stats))


def read_pcap(path):
    data = open(path, "rb").read()
    link = struct.unpack("<I", data[20:24])[0]
    at, recs = 24, []
    while at + 16 <= len(data):
        _, _, incl, orig = struct.unpack("<IIII", data[at:at + 16])
        recs.append((data[at + 16:at + 16 + incl], orig))
        at += 16 + incl
    return link, recs


def strip(obj, skip):
    return {k: v for k, v in obj.items() if k not in skip}


def flow_of(f):
    """The inner flow of a JSON line, the same for both directions."""
    if "src_ip" not in f:
        return None
    a = (f["src_ip"], f.get("src_port", 0))
    b = (f["dest_ip"], f.get("dest_port", 0))
    return (min(a, b), max(a, b), f.get("proto"))


def compare(tag, cli, dpdk, n_frames, lcores):
    cli_frames, cli_stats = cli
    dpdk_frames, dpdk_stats = dpdk
    if cli_frames is None or dpdk_frames is None:
        return
    # Every frame: one queue, so the frame numbers are the file's.
    by_index = {f["frame"]: f for f in dpdk_frames}
    if len(by_index) != len(dpdk_frames):
        fail("%s: a frame number came twice" % tag)
    if len(cli_frames) != len(dpdk_frames):
        fail("%s: %d JSON lines from mirrordec -r, %d from mirrordec-dpdk"
             % (tag, len(cli_frames), len(dpdk_frames)))
    bad = 0
    for f in cli_frames:
        g = by_index.get(f["frame"])
        if g is None or strip(f, FRAME_SKIP) != strip(g, FRAME_SKIP):
            bad += 1
            if bad <= 3:
                fail("%s: frame %d differs:\n  -r:   %s\n  dpdk: %s"
                     % (tag, f["frame"], json.dumps(strip(f, FRAME_SKIP), sort_keys=True),
                        json.dumps(strip(g, FRAME_SKIP), sort_keys=True) if g else None))
    # The summary: the same numbers, the sessions added up over the workers.
    skip = STATS_SKIP | ({"learned"} if lcores > 1 else set())
    if strip(cli_stats, skip) != strip(dpdk_stats, skip):
        fail("%s: --stats-json differs:\n  -r:   %s\n  dpdk: %s"
             % (tag, json.dumps(strip(cli_stats, skip), sort_keys=True),
                json.dumps(strip(dpdk_stats, skip), sort_keys=True)))
    sess_skip = {"files"}
    a = {s["key"]: strip(s, sess_skip) for s in cli_stats["sessions"]}
    b = {s["key"]: strip(s, sess_skip) for s in dpdk_stats["sessions"]}
    if a != b:
        fail("%s: sessions differ:\n  -r:   %s\n  dpdk: %s" % (tag, a, b))
    nic = dpdk_stats.get("nic", {})
    if nic.get("ipackets") != n_frames or dpdk_stats.get("kernel_drops") != 0 or \
            dpdk_stats.get("nic_drops") != 0:
        fail("%s: NIC counters: %s, kernel_drops %s, nic_drops %s (expected %d frames, no drop)"
             % (tag, nic, dpdk_stats.get("kernel_drops"), dpdk_stats.get("nic_drops"),
                n_frames))
    if lcores > 1:
        if dpdk_stats.get("workers") != lcores or not dpdk_stats.get("steered") or \
                "steer_waits" not in dpdk_stats:
            fail("%s: %s workers, %s steered, steer_waits %s (expected %d, some, a count)"
                 % (tag, dpdk_stats.get("workers"), dpdk_stats.get("steered"),
                    dpdk_stats.get("steer_waits"), lcores))
        owners = {}
        for f in dpdk_frames:
            fl = flow_of(f)
            if fl is not None:
                owners.setdefault(fl, set()).add(f.get("worker"))
        split = {fl: w for fl, w in owners.items() if len(w) > 1}
        if split:
            fail("%s: %d inner flows went to several workers, e.g. %s"
                 % (tag, len(split), next(iter(split.items()))))
        if len({w for ws in owners.values() for w in ws}) < 2:
            fail("%s: one worker handled every flow: nothing shows the steering" % tag)


def compare_pcaps(tag, cli_dir, dpdk_dir):
    """The -w files: the same inner packets per session (two workers may
    interleave a session's flows differently: compared as multisets)."""
    a, b = sorted(os.listdir(cli_dir)), sorted(os.listdir(dpdk_dir))
    if a != b or not a:
        fail("%s: -w files: %s from -r, %s from dpdk" % (tag, a, b))
        return
    for name in a:
        la, ra = read_pcap(os.path.join(cli_dir, name))
        lb, rb = read_pcap(os.path.join(dpdk_dir, name))
        if la != lb or sorted(ra) != sorted(rb):
            fail("%s: %s: link %d/%d, %d/%d records, or their bytes, differ"
                 % (tag, name, la, lb, len(ra), len(rb)))


def case(tag, capture, args, lcores, n_frames, cli_args=None, write=False):
    extra_cli, extra_dpdk = list(args), list(args)
    if write:
        extra_cli += ["--split", os.path.join(tmp, tag + ".cli"), "-F", "pcap"]
        extra_dpdk += ["--split", os.path.join(tmp, tag + ".dpdk"), "-F", "pcap"]
    cli = run_cli(capture, extra_cli + (cli_args or []), tag)
    dpdk = run_dpdk(capture, extra_dpdk + ["--idle-exit", "1"], tag, lcores)
    compare(tag, cli, dpdk, n_frames, lcores)
    if write and dpdk[0] is not None:
        compare_pcaps(tag, os.path.join(tmp, tag + ".cli"), os.path.join(tmp, tag + ".dpdk"))
    return dpdk


# ------------------------------------------------------------ captures


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return struct.pack("!H", ~s & 0xFFFF)


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                    bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    return h[:10] + ip_checksum(h) + h[12:] + payload


def eth(payload, ethertype=0x0800):
    return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02" + struct.pack("!H", ethertype) \
        + payload


def jumbo(size, sport, reverse):
    """A VXLAN mirror of an inner TCP segment; the frame is size bytes."""
    body = 14 + 20 + 8 + 8 + 14 + 20 + 20
    a, b = ("198.51.100.7", 443), ("10.0.1.10", 40000)
    (s, sp), (d, dp) = (b, a) if reverse else (a, b)
    tcp = struct.pack("!HHIIBBHHH", sp, dp, 1, 1, 0x50, 0x18, 65535, 0, 0)
    inner = eth(ipv4(s, d, 6, tcp + bytes(size - body)))
    vxlan = struct.pack("!II", 0x08000000, 4242 << 8) + inner
    udp = struct.pack("!HHHH", sport, 4789, 8 + len(vxlan), 0) + vxlan
    return eth(ipv4("10.0.1.10", "10.0.9.9", 17, udp))


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1795000000 + i, 0, len(fr), len(fr)) + fr)


def fixtures_capture():
    """The Ethernet fixtures one after another, then jumbo frames of 3000,
    9000 and 16000 bytes in both directions (net_pcap chains mbufs of
    2 KiB for them: the tool must make each frame whole)."""
    frames = []
    for name in FIXTURES:
        link, recs = read_pcap(os.path.join(SRC, "tests/fixtures", name + ".pcap"))
        assert link == 1, name
        for data, orig in recs:
            assert len(data) == orig, name  # net_pcap keeps only the captured length
            frames.append(data)
    for i, size in enumerate((3000, 9000, 16000)):
        frames.append(jumbo(size, 50000 + i, False))
        frames.append(jumbo(size, 50100 + i, True))
    path = os.path.join(tmp, "fixtures.pcap")
    write_pcap(path, frames)
    return path, len(frames)


def count_records(path):
    """The records of a classic pcap file (the bundled demo capture)."""
    data = open(path, "rb").read()
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" or data[:4] == b"\x4d\x3c\xb2\xa1" else ">"
    n, off = 0, 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        off += 16 + incl
        n += 1
    return n


def signal_case():
    """SIGTERM stops two workers cleanly: everything received is counted."""
    tag = "sigterm"
    stats = os.path.join(tmp, tag + ".stats.json")
    out = open(os.path.join(tmp, tag + ".jsonl"), "w")
    p = subprocess.Popen([DPDK, "--json", "-q", "--stats-json", stats, "--transport",
                          "geneve:10.0.8.8", "--"] + eal_args(DEMO, 2),
                         stdout=out, stderr=subprocess.PIPE, text=True)
    want = count_records(DEMO)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30 and p.poll() is None:
        time.sleep(0.1)
        if sum(1 for _ in open(out.name)) >= want:  # flushed when the queue went quiet
            break
    p.send_signal(signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        fail("%s: mirrordec-dpdk did not stop on SIGTERM\n%s" % (tag, err))
        return
    forget_runtime_dir()
    out.close()
    lines = open(out.name).read().splitlines()
    if p.returncode != 0:
        fail("%s: exit %d after SIGTERM\n%s" % (tag, p.returncode, err))
        return
    st = json.load(open(stats))
    if st["frames"] != want or len(lines) != want:
        fail("%s: %d frames counted, %d JSON lines (expected %d)" % (tag, st["frames"],
                                                                     len(lines), want))
    print("  %s: 2 lcores, %.1f s" % (tag, time.monotonic() - t0))


def rss_case():
    """Two lcores on DPDK's null device, which takes an RSS configuration
    and delivers frames on every queue without end: two rx queues with the
    symmetric key, both polled, stopped by SIGTERM."""
    tag = "rss"
    stats = os.path.join(tmp, tag + ".stats.json")
    t0 = time.monotonic()
    p = subprocess.Popen([DPDK, "--stats-json", stats, "--"]
                         + eal_args(None, 2, vdev="net_null0"),
                         stderr=subprocess.PIPE, text=True)
    err = []
    for line in p.stderr:  # until both workers run
        err.append(line)
        if "receiving on port" in line:
            break
    time.sleep(0.5)  # ample for the second lcore to start polling
    p.send_signal(signal.SIGTERM)
    try:
        err.append(p.communicate(timeout=30)[1])
    except subprocess.TimeoutExpired:
        p.kill()
        err.append(p.communicate()[1])
        fail("%s: mirrordec-dpdk did not stop on SIGTERM\n%s" % (tag, "".join(err)))
        return
    forget_runtime_dir()
    err = "".join(err)
    if p.returncode != 0:
        p.stderr = err
        skip_or_fail(tag, p)
        return
    st = json.load(open(stats))
    if "2 rx queues (symmetric RSS)" not in err or st["nic"]["rx_queues"] != 2:
        fail("%s: no RSS over two queues: %s\n%s" % (tag, st["nic"], err))
    # Every null frame is the same untunneled frame: each worker that
    # received some learned the "untunneled" session once.  Everything
    # received was processed.
    if st["learned"] != 2 or not st["frames"] or st["frames"] != st["nic"]["ipackets"]:
        fail("%s: %d frames, %d learned, %d received (expected 2 learned (both queues), "
             "every frame received processed)"
             % (tag, st["frames"], st["learned"], st["nic"]["ipackets"]))
    print("  %s: 2 lcores, %.1f s, %d frames" % (tag, time.monotonic() - t0, st["frames"]))


def main():
    demo_n = sum(1 for _ in read_pcap(DEMO)[1])
    print("mirrordec-dpdk on net_pcap against mirrordec -r:")
    case("demo", DEMO, ["--transport", "geneve:10.0.8.8"], 1, demo_n)
    case("demo_sessions", DEMO, SESSIONS, 2, demo_n, write=True)
    path, n = fixtures_capture()
    case("fixtures", path, [], 2, n, write=True)
    # -c 40: the first 40 frames, as mirrordec -r -c 40 reads them.  Worker
    # 0 stops at once; what it handed over must still be processed.
    cli = run_cli(DEMO, ["-c", "40"], "count")
    dpdk = run_dpdk(DEMO, ["-c", "40"], "count", 2)
    if dpdk[0] is not None:
        dpdk[1]["nic"]["ipackets"] = 40  # the NIC delivered more than -c keeps
    compare("count", cli, dpdk, 40, 2)
    signal_case()
    rss_case()
    shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d check%s failed" % (len(failures), "s" if len(failures) > 1 else ""))
        return 1
    print("mirrordec-dpdk matches mirrordec -r")
    return 0


if __name__ == "__main__":
    sys.exit(main())

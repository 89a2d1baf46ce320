#!/usr/bin/python3
"""What mirrordec --split does when resources run out or signals come.

  check_robust.py MIRRORDEC [TEST...]

Each test builds its capture (plain struct, no scapy), runs the CLI and
checks the files it wrote by reading them back (this file's pcap reader,
and tcpdump where it is installed) against a reference run without limits:

  budget     300 sessions interleaved, written with --max-open-files 3 and
             with an open-file limit of 32: every file byte for byte as
             without limits (files closed and reopened in append mode, the
             header written once), and the summary says how often
  emfile     an open-file limit that leaves no descriptor for any pcap file:
             every frame is still read, the packets are counted as not
             written, one warning, exit 1 (not an end in the middle)
  names      sessions whose file names collide ("x" with bare IP beside
             "x-raw"; "a b", "a_b" and "a_b-2"): distinct files, each
             holding exactly its session's packets
  enospc     (root: a 64 KiB tmpfs in a private mount namespace) a full
             disk: exit 1, every file ends on a whole record (tcpdump reads
             it without complaint), and holds what the summary says
  timestamp  a pcapng packet at 2^32 s: not written (classic pcap cannot
             hold it), counted, warned once, exit 1; the others are
  signals    SIGINT while standard output is blocked, SIGTERM while a FIFO
             is opened and while it is read: exit 0 and the summary, every
             JSON line of what was read; a second signal abandons a reader
             that never reads (exit 1)

Exit status: 0 passed, 1 failed.
"""

import json
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_pcap_out  # noqa: E402  the pcap reader

TCPDUMP = shutil.which("tcpdump")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


# ------------------------------------------------------------ captures

def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0, 64, proto, 0,
                    bytes(src), bytes(dst))
    return h[:10] + struct.pack("!H", checksum(h)) + h[12:] + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def ether(payload, ethertype=0x0800):
    return bytes.fromhex("020000000002" "020000000001") + struct.pack("!H", ethertype) + payload


def inner(seq):
    """An inner Ethernet frame, different for every seq."""
    return ether(ipv4([10, 50, seq >> 8 & 255, seq & 255], [10, 60, 0, 1], 17,
                      udp(1000 + seq % 5000, 53, b"r" * (seq % 37) + struct.pack("!I", seq)), seq))


def inner_ip(seq):
    return ipv4([10, 70, seq >> 8 & 255, seq & 255], [10, 80, 0, 1], 17,
                udp(2000, 53, struct.pack("!I", seq)), seq)


def carrier(dport, tunnel_payload, src=(10, 0, 1, 10)):
    return ether(ipv4(src, [10, 0, 9, 9], 17, udp(40000, dport, tunnel_payload)))


def vxlan(vni, frame):
    return carrier(4789, struct.pack("!BBHI", 8, 0, 0, vni << 8) + frame)


def geneve(vni, frame, proto):
    return carrier(6081, struct.pack("!BBHI", 0, 0, proto, vni << 8) + frame)


def write_pcap(path, frames, t0=1795000000):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", t0 + i // 1000, (i % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


def write_pcapng(path, frames_ts):
    """frames_ts: [(frame, seconds)]; microsecond resolution."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 262144))
    for fr, sec in frames_ts:
        ts = sec * 1000000
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(fr), len(fr)) + fr)
    with open(path, "wb") as f:
        f.write(out)


def records(path):
    """(link type, records); fails when the file does not end on a record."""
    link, recs = check_pcap_out.read_pcap(path)
    size = 24 + sum(16 + len(r[2]) for r in recs)
    if size != os.path.getsize(path) or any(len(r[2]) > r[3] for r in recs):
        fail(f"{path}: {os.path.getsize(path)} bytes, but its whole records end at {size}")
    return link, recs


def tcpdump_count(path):
    """Packets tcpdump reads; fails on any complaint (a partial record)."""
    if not TCPDUMP:
        return len(records(path)[1])
    p = subprocess.run([TCPDUMP, "-nn", "-r", path], capture_output=True, text=True)
    bad = [l for l in p.stderr.splitlines() if not l.startswith("reading from file")]
    if p.returncode != 0 or bad:
        fail(f"{path}: tcpdump: {' '.join(bad) or 'exit %d' % p.returncode}")
    return len(p.stdout.splitlines())


# ------------------------------------------------------------ running

def run(binary, args, nofile=None, timeout=120):
    def limit():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    p = subprocess.run([binary] + args, capture_output=True, text=True, timeout=timeout,
                       preexec_fn=limit if nofile else None)
    return p.returncode, p.stdout, p.stderr


def stats_of(path):
    with open(path) as f:
        return json.load(f)


def same_dirs(ref, got, what):
    a, b = sorted(os.listdir(ref)), sorted(os.listdir(got))
    if a != b:
        fail(f"{what}: files {len(b)} {b[:5]}..., expected {len(a)} {a[:5]}...")
    for name in a:
        with open(os.path.join(ref, name), "rb") as f1, open(os.path.join(got, name), "rb") as f2:
            if f1.read() != f2.read():
                fail(f"{what}: {name} differs from the run without limits")


# ------------------------------------------------------------ tests

def t_budget(binary, tmp):
    frames, n_sess = [], 300
    for i in range(3000):
        # sessions in an order that keeps every file coming back
        frames.append(vxlan(1000 + (i * 7 + i // n_sess) % n_sess, inner(i)))
    cap = os.path.join(tmp, "many.pcap")
    write_pcap(cap, frames)
    ref = os.path.join(tmp, "ref")
    rc, _, err = run(binary, ["-r", cap, "-q", "--split", ref, "-F", "pcap"])
    if rc != 0 or len(os.listdir(ref)) != n_sess:
        fail(f"budget: reference run: exit {rc}, {len(os.listdir(ref))} files: {err}")
    for label, args, nofile in (("--max-open-files 3", ["--max-open-files", "3"], None),
                                ("an open-file limit of 32", [], 32)):
        out = os.path.join(tmp, "lim%d" % (nofile or 0))
        st = os.path.join(tmp, "lim%d.json" % (nofile or 0))
        rc, _, err = run(binary, ["-r", cap, "--split", out, "--stats-json", st, "-F", "pcap"] + args, nofile)
        if rc != 0:
            fail(f"budget: {label}: exit {rc}: {err}")
        same_dirs(ref, out, "budget: " + label)
        p = stats_of(st)["pcap"]
        if p["written"] != 3000 or p["not_written"] or p["files"] != n_sess:
            fail(f"budget: {label}: {p}")
        if p["closed_for_budget"] == 0 or p["reopened"] == 0:
            fail(f"budget: {label}: no file was closed and reopened: {p}")
        if nofile is None and p["open_max"] != 3:
            fail(f"budget: --max-open-files 3 gave open_max {p['open_max']}")
        line = (f"pcap files: at most {p['open_max']} open at once (open-file limit "
                f"{stats_of(st)['open_files']['limit']}); {p['closed_for_budget']} closed to "
                f"stay within it, {p['reopened']} reopened")
        if line not in err:
            fail(f"budget: {label}: the summary lacks '{line}':\n{err}")
        print(f"budget: {label}: {n_sess} files identical to the run without limits; "
              f"{p['closed_for_budget']} closes, {p['reopened']} reopens within "
              f"{p['open_max']} open files")


def t_emfile(binary, tmp):
    frames = [vxlan(2000 + i % 20, inner(i)) for i in range(400)]
    cap = os.path.join(tmp, "emfile.pcap")
    write_pcap(cap, frames)
    out = os.path.join(tmp, "emfile")
    # stdin, stdout, stderr and the capture: no descriptor is left.
    rc, _, err = run(binary, ["-r", cap, "--split", out, "-F", "pcap"], nofile=4)
    if rc != 1:
        fail(f"emfile: exit {rc}, expected 1 (packets were not written):\n{err}")
    if not err.startswith("mirrordec: ") or "400 frames from" not in err:
        fail(f"emfile: not every frame was read:\n{err}")
    if err.count("Too many open files") != 1:
        fail(f"emfile: expected one warning about EMFILE:\n{err}")
    if "400 inner packets NOT written: 400 because their file could not be opened" not in err:
        fail(f"emfile: the summary does not count the packets not written:\n{err}")
    if os.listdir(out):
        fail(f"emfile: files were written: {os.listdir(out)}")
    print("emfile: no descriptor for any file: 400 frames read, 400 counted as not written, "
          "one warning, exit 1")


def t_names(binary, tmp):
    # x: GENEVE 5 with Ethernet and with bare IPv4 (two files); x-raw: GENEVE
    # 6; "a b", "a_b", "a_b-2": VXLAN 7, 8, 9.
    sessions = {"geneve:5": "x", "geneve:6": "x-raw", "7": "a b", "8": "a_b", "9": "a_b-2"}
    frames = []
    for i in range(60):
        frames.append(geneve(5, inner_ip(i), 0x0800) if i % 2 else geneve(5, inner(i), 0x6558))
        frames.append(geneve(6, inner(100 + i), 0x6558))
        for k, vni in enumerate((7, 8, 9)):
            frames.append(vxlan(vni, inner(200 + 100 * k + i)))
    cap = os.path.join(tmp, "names.pcap")
    write_pcap(cap, frames)
    args = ["-r", cap]
    for key, name in sessions.items():
        args += ["--session", f"{key}:{name}"]
    out, st = os.path.join(tmp, "names"), os.path.join(tmp, "names.json")
    rc, _, err = run(binary, args + ["--split", out, "--stats-json", st, "-F", "pcap"])
    if rc != 0:
        fail(f"names: exit {rc}: {err}")
    rows = {s["session"]: s for s in stats_of(st)["sessions"]}
    listed = [f for s in rows.values() for f in s["files"]]
    if len(listed) != len(set(listed)) or sorted(listed) != sorted(os.listdir(out)):
        fail(f"names: files {sorted(os.listdir(out))}, sessions list {listed}")
    for key, name in sessions.items():
        # The same session alone: its files cannot collide with anything.
        ref = os.path.join(tmp, "alone-" + key.replace(":", "_"))
        rc, _, err = run(binary, ["-r", cap, "--session", f"{key}:solo", "--split", ref, "-F", "pcap"])
        if rc != 0:
            fail(f"names: reference run for {key}: {err}")
        want = sorted(r for f in os.listdir(ref) for r in records(os.path.join(ref, f))[1])
        got = sorted(r for f in rows[name]["files"] for r in records(os.path.join(out, f))[1])
        if got != want or len(got) != rows[name]["written"]:
            fail(f"names: session {name!r} ({rows[name]['files']}): {len(got)} records, "
                 f"expected its {len(want)}")
    if rows["x"]["files"] != ["x.pcap", "x-raw-2.pcap"] or rows["x-raw"]["files"] != ["x-raw.pcap"]:
        fail(f"names: x has {rows['x']['files']}, x-raw has {rows['x-raw']['files']}")
    print("names: " + ", ".join(f"{n!r} -> {rows[n]['files']}" for n in sessions.values()) +
          ": distinct files, each with exactly its session's packets")


def t_enospc(binary, tmp):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        print("enospc: SKIPPED (needs root and unshare for a private tmpfs)")
        return
    frames = [vxlan(100 + i % 5, inner(i)) for i in range(3000)]
    cap = os.path.join(tmp, "enospc.pcap")
    write_pcap(cap, frames)
    ref = os.path.join(tmp, "enospc-ref")
    rc, _, err = run(binary, ["-r", cap, "-q", "--split", ref, "-F", "pcap"])
    if rc != 0:
        fail(f"enospc: reference run: {err}")
    mnt = os.path.join(tmp, "small")
    os.mkdir(mnt)
    st, copy = os.path.join(tmp, "enospc.json"), os.path.join(tmp, "enospc-out")
    script = (f"mount -t tmpfs -o size=64k tmpfs {mnt} && "
              f"{binary} -r {cap} --split {mnt}/out -F pcap --stats-json {st}; rc=$?; "
              f"cp -a {mnt}/out {copy}; exit $rc")
    p = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 1:
        fail(f"enospc: exit {p.returncode}, expected 1:\n{p.stderr}")
    s = stats_of(st)
    pc = s["pcap"]
    if pc["lost_write_error"] == 0 or pc["written"] + pc["not_written"] != 3000:
        fail(f"enospc: {pc}")
    total = 0
    for row in s["sessions"]:
        if row["written"] + row["not_written"] != row["packets"]:
            fail(f"enospc: {row['session']}: {row['written']} + {row['not_written']} "
                 f"!= {row['packets']}")
        for name in row["files"]:
            path = os.path.join(copy, name)
            n = tcpdump_count(path)  # fails on a partial record
            link, recs = records(path)
            _, want = records(os.path.join(ref, name))
            if n != len(recs) or n != row["written"]:
                fail(f"enospc: {name}: tcpdump reads {n}, the summary says {row['written']}")
            it = iter(want)  # what was written is a subsequence of all
            if not all(r in it for r in recs):
                fail(f"enospc: {name}: records that were not sent, or out of order")
            total += n
    line = (f"{pc['not_written']} inner packets NOT written: {pc['lost_write_error']} by write "
            "errors")
    if line not in p.stderr or f"{total} inner packets written to" not in p.stderr:
        fail(f"enospc: the summary does not say what was lost:\n{p.stderr}")
    print(f"enospc: a 64 KiB disk: {total} packets in whole records, {pc['not_written']} "
          f"counted as lost, every file read back by tcpdump as the summary says, exit 1")


def t_timestamp(binary, tmp):
    cap = os.path.join(tmp, "ts.pcapng")
    big = 1 << 32
    write_pcapng(cap, [(vxlan(5, inner(1)), 1795000000), (vxlan(5, inner(2)), big),
                       (vxlan(5, inner(3)), big + 5), (vxlan(5, inner(4)), 1795000001)])
    out, st = os.path.join(tmp, "ts"), os.path.join(tmp, "ts.json")
    rc, _, err = run(binary, ["-r", cap, "--split", out, "--stats-json", st, "-F", "pcap"])
    pc = stats_of(st)["pcap"]
    if rc != 1 or pc["written"] != 2 or pc["lost_timestamp"] != 2:
        fail(f"timestamp: exit {rc}, {pc}:\n{err}")
    if err.count("outside what a pcap file holds") != 1:
        fail(f"timestamp: expected one warning:\n{err}")
    _, recs = records(os.path.join(out, "vxlan_5.pcap"))
    if [r[0] for r in recs] != [1795000000, 1795000001]:
        fail(f"timestamp: records at {[r[0] for r in recs]}")
    print("timestamp: packets at 2^32 s and later not written, counted (2), warned once, exit 1; "
          "the others written with their timestamps")


def t_signals(binary, tmp):
    frames = [vxlan(3000 + i % 50, inner(i)) for i in range(20000)]
    cap = os.path.join(tmp, "sig.pcap")
    write_pcap(cap, frames)
    # 1. SIGINT while standard output is a full pipe nobody reads yet.  A
    # blocked write that has written part of its bytes returns that part
    # when a signal comes; one that has written nothing fails with EINTR.
    # SIGSTOP and SIGCONT first end the write in progress, so that the
    # tool is blocked in a write that has written nothing when SIGINT comes.
    st = os.path.join(tmp, "sig.json")
    p = subprocess.Popen([binary, "-r", cap, "--json", "-q", "--stats-json", st],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    p.send_signal(signal.SIGSTOP)
    time.sleep(0.1)
    p.send_signal(signal.SIGCONT)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    time.sleep(0.3)
    out, err = p.communicate(timeout=60)
    frames_read = stats_of(st)["frames"]
    lines = out.decode().splitlines()
    if p.returncode != 0 or len(lines) != frames_read or not 0 < frames_read < 20000:
        fail(f"signals: blocked write: exit {p.returncode}, {len(lines)} lines for "
             f"{frames_read} frames: {err.decode()}")
    print(f"signals: SIGINT in a blocked write: exit 0, all {frames_read} lines of what was read")
    # 2. A second signal abandons a reader that never reads.
    p = subprocess.Popen([binary, "-r", cap, "--json", "-q"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    time.sleep(0.3)
    if p.poll() is not None:
        fail("signals: exited before its output was read")
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("signals: a second signal did not abandon the blocked output")
    err = p.stderr.read().decode()
    p.stdout.close()
    if rc != 1 or "output abandoned after a second signal" not in err:
        fail(f"signals: second signal: exit {rc}: {err}")
    print("signals: a second signal abandons a reader that never reads: exit 1, said so")
    # 3. SIGTERM while a FIFO is being opened (no writer yet), and while it is read.
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    p = subprocess.Popen([binary, "-r", fifo], stderr=subprocess.PIPE)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    err = p.communicate(timeout=10)[1].decode()
    if p.returncode != 0 or not err.startswith("0 frames from " + fifo):
        fail(f"signals: FIFO open: exit {p.returncode}: {err}")
    p = subprocess.Popen([binary, "-r", fifo], stderr=subprocess.PIPE)
    with open(fifo, "wb") as w:
        with open(cap, "rb") as f:
            w.write(f.read(50000))
        w.flush()
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        err = p.communicate(timeout=10)[1].decode()
    first = err.splitlines()[0] if err else ""
    if p.returncode != 0 or " frames from " + fifo not in first or first.startswith("0 "):
        fail(f"signals: FIFO read: exit {p.returncode}: {err}")
    print(f"signals: SIGTERM while a FIFO opens, SIGINT while it is read: exit 0 and the "
          f"summary ({first.split(':')[0]})")


TESTS = {"budget": t_budget, "emfile": t_emfile, "names": t_names, "enospc": t_enospc,
         "timestamp": t_timestamp, "signals": t_signals}


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(TESTS)
    for n in names:
        if n not in TESTS:
            print(f"no test {n}: {' '.join(TESTS)}")
            return 2
    tmp = tempfile.mkdtemp(prefix="mdec-robust-")
    try:
        for n in names:
            TESTS[n](binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

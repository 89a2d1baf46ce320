#!/usr/bin/python3
"""mirrordec -w FILE, -w -, --split DIR and -F against tshark, tcpdump and an
independent decapsulation.

  check_outputs.py MIRRORDEC CAPTURE

CAPTURE is the bundled demo capture.  The oracles: tshark and tcpdump (the
files must be what they read, each packet on the interface of its session),
the independent decapsulation of check_pcap_out.py (which session each
frame belongs to, its inner bytes, captured and original lengths,
timestamp), a pcapng reader written here from draft-ietf-opsawg-pcapng (no
code shared with the tool), and the tool's own --stats-json (the count of
packets written) and --json (the direction of each accepted packet).

  pcapng     -w FILE: one Section Header Block naming mirrordec, one IDB per
             session and link type (if_name the name, if_description the
             key, if_tsresol 9, raw IP for the GWLB session); every packet on
             its session's interface with the oracle's bytes, lengths and
             timestamp, its direction in epb_flags; tshark agrees
  tcpdump    tcpdump reads a pcapng file of Ethernet sessions (libpcap
             refuses a file whose interfaces differ in link type)
  pcap       -F pcap -w FILE: classic pcap, read by tcpdump; a packet of the
             other link type is not written, counted, exit 1
  stdout     -w - | tcpdump -r -
  epipe      -w - | head -c 100, and --json | head -c 100: exit 0, nothing
             on standard error with -q
  split      --split DIR: one pcapng file per session (and link type), each
             read by tshark, holding its session's packets
  sighup     SIGHUP while reading a FIFO, after the file was moved away: two
             valid files holding every packet between them
  enospc     (root: a 64 KiB tmpfs in a private mount namespace) -w FILE on
             a full disk: exit 1, the file ends on a whole block, every packet
             after its interface's IDB, as many as the stats say written,
             the rest counted as not written
  rotate     -C 1: FILE, FILE1, FILE2 ..., each past 1 MB only by its last
             packet, every one read by tshark, all the packets between them;
             -C 1 -W 2: FILE0 and FILE1 only, the newest packets; -G 1 with
             a strftime name: one file per second of packet time

Exit status 0 passed, 1 failed, 77 skipped (no tcpdump or tshark).
"""

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_pcap_out as oracle  # noqa: E402  (the independent decapsulation)

TRANSPORT = ["--transport", "geneve:10.0.8.8"]
LINKTYPE_ETHERNET, LINKTYPE_RAW = 1, 101
ETHER_SESSIONS = ["--session", "101", "--session", "102", "--session", "103"]

problems = []


def fail(msg):
    problems.append(msg)
    print("FAIL:", msg)


# ---------------------------------------------------------------- pcapng

def read_options(b):
    """{code: [value bytes]} of an option list."""
    opts, at = {}, 0
    while at + 4 <= len(b):
        code, n = struct.unpack_from("=HH", b, at)
        if code == 0:
            break
        opts.setdefault(code, []).append(b[at + 4:at + 4 + n])
        at += 4 + ((n + 3) & ~3)
    return opts


def read_pcapng(path):
    """(shb options, [interfaces], [packets]) of a pcapng file (host order).
    An interface: dict linktype, snaplen, name, desc, tsresol.  A packet:
    dict ifid, ts_ns, cap, orig, data, flags.  Sections restart the list."""
    with open(path, "rb") as f:
        data = f.read()
    at, shb, ifs, pkts, sections = 0, None, [], [], 0
    while at < len(data):
        btype, blen = struct.unpack_from("=II", data, at)
        if blen < 12 or blen % 4 or at + blen > len(data):
            raise ValueError(f"{path}: bad block at {at}")
        if struct.unpack_from("=I", data, at + blen - 4)[0] != blen:
            raise ValueError(f"{path}: trailing length differs at {at}")
        body = data[at + 8:at + blen - 4]
        if btype == 0x0A0D0D0A:
            magic, major, minor = struct.unpack_from("=IHH", body, 0)
            if magic != 0x1A2B3C4D or major != 1:
                raise ValueError(f"{path}: bad section header")
            shb = read_options(body[16:])
            ifs = []
            sections += 1
        elif btype == 1:
            lt, _, snap = struct.unpack_from("=HHI", body, 0)
            o = read_options(body[8:])
            ifs.append({"linktype": lt, "snaplen": snap,
                        "name": o.get(2, [b""])[0].decode(),
                        "desc": o.get(3, [b""])[0].decode(),
                        "tsresol": o.get(9, [b"\x06"])[0][0]})
        elif btype == 6:
            ifid, hi, lo, cap, orig = struct.unpack_from("=IIIII", body, 0)
            if ifid >= len(ifs):
                raise ValueError(f"{path}: a packet on interface {ifid} before its IDB")
            o = read_options(body[20 + ((cap + 3) & ~3):])
            flags = struct.unpack("=I", o[2][0])[0] if 2 in o else None
            pkts.append({"if": ifs[ifid], "ts_ns": (hi << 32 | lo), "cap": cap, "orig": orig,
                         "data": body[20:20 + cap], "flags": flags})
        at += blen
    return shb, sections, pkts


def run(args, **kw):
    return subprocess.run(args, capture_output=True, **kw)


def tshark_fields(path, *fields):
    args = ["tshark", "-r", path, "-T", "fields"]
    for f in fields:
        args += ["-e", f]
    p = run(args, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"tshark cannot read {path}: {p.stderr.strip()}")
    return [line.split("\t") for line in p.stdout.splitlines()]


def tcpdump_count(path_or_stdin, data=None):
    p = run(["tcpdump", "-r", path_or_stdin, "-nn"], input=data)
    return p.returncode, len(p.stdout.splitlines()), p.stderr.decode(errors="replace")


def accepted_json(binary, capture, extra):
    """[(key, name, direction)] of the accepted packets with an inner packet."""
    p = run([binary, "-r", capture, "--json", "-q"] + TRANSPORT + extra, text=True)
    out = []
    for line in p.stdout.splitlines():
        d = json.loads(line)
        if d.get("verdict") == "accept" and (d.get("inner_cap_len") or 0) > 0:
            out.append((d["key"], d["session"], d.get("direction", "unknown")))
    return out


# ----------------------------------------------------------------- tests

def check_pcapng(binary, capture, tmp, sessions):
    out, st = os.path.join(tmp, "all.pcapng"), os.path.join(tmp, "all.json")
    p = run([binary, "-r", capture, "-w", out, "--stats-json", st, "-q"] + TRANSPORT)
    if p.returncode != 0:
        return fail(f"pcapng: exit {p.returncode}: {p.stderr}")
    stats = json.load(open(st))
    shb, nsec, pkts = read_pcapng(out)
    appl = shb.get(4, [b""])[0].decode()
    if not appl.startswith("mirrordec "):
        fail(f"pcapng: shb_userappl is {appl!r}")
    if nsec != 1:
        fail(f"pcapng: {nsec} sections")
    if stats["write"]["written"] != len(pkts) or stats["write"]["format"] != "pcapng":
        fail(f"pcapng: stats say {stats['write']}, the file holds {len(pkts)}")
    want = sum(len(v) for v in sessions.values())
    if len(pkts) != want:
        fail(f"pcapng: {len(pkts)} packets, the oracle {want}")
    acc = accepted_json(binary, capture, [])
    if len(acc) != len(pkts):
        fail(f"pcapng: {len(pkts)} packets, --json accepted {len(acc)}")
    # Each session's packets, in order, are the oracle's.
    by_key = {}
    for pk in pkts:
        by_key.setdefault(pk["if"]["desc"], []).append(pk)
    if sorted(by_key) != sorted(sessions):
        fail(f"pcapng: sessions {sorted(by_key)}, the oracle {sorted(sessions)}")
    for key, want_pk in sessions.items():
        got = by_key.get(key, [])
        for i, (w, g) in enumerate(zip(want_pk, got)):
            sec, ns, inner, wire, eth = w
            lt = LINKTYPE_ETHERNET if eth else LINKTYPE_RAW
            if (g["data"], g["cap"], g["orig"], g["ts_ns"], g["if"]["linktype"]) != \
                    (inner, len(inner), wire, sec * 10**9 + ns, lt):
                fail(f"pcapng: {key} packet {i}: cap {g['cap']} orig {g['orig']} ts {g['ts_ns']} "
                     f"link {g['if']['linktype']}; oracle cap {len(inner)} orig {wire} "
                     f"ts {sec * 10**9 + ns} link {lt}")
                break
            if g["if"]["tsresol"] != 9 or g["if"]["snaplen"] != 262144:
                fail(f"pcapng: {key}: if_tsresol {g['if']['tsresol']}, snaplen "
                     f"{g['if']['snaplen']}")
                break
    if not any(pk["cap"] < pk["orig"] for pk in pkts):
        fail("pcapng: no truncated packet (the bastion's copies are cut at 64 bytes)")
    gw = [pk for pk in pkts if pk["if"]["desc"].startswith("gwlb:")]
    if not gw or any(pk["if"]["linktype"] != LINKTYPE_RAW for pk in gw):
        fail("pcapng: the GWLB session is not on a raw-IP interface")
    # Direction: --json's, in epb_flags (1 inbound = ingress, 2 outbound = egress).
    dirs = {"ingress": 1, "egress": 2}
    for i, (a, pk) in enumerate(zip(acc, pkts)):
        if pk["if"]["desc"] != a[0] or pk["if"]["name"] != a[1] or \
                pk["flags"] is None or pk["flags"] & 3 != dirs.get(a[2], 0):
            fail(f"pcapng: packet {i + 1}: interface {pk['if']['name']}/{pk['if']['desc']} "
                 f"flags {pk['flags']}; --json {a}")
            break
    # tshark: the same interfaces and lengths, packet by packet.
    rows = tshark_fields(out, "frame.interface_name", "frame.interface_description",
                         "frame.len", "frame.cap_len", "frame.protocols")
    if len(rows) != len(pkts):
        fail(f"pcapng: tshark reads {len(rows)} packets, {len(pkts)} written")
    for i, (r, pk) in enumerate(zip(rows, pkts)):
        if r[:4] != [pk["if"]["name"], pk["if"]["desc"], str(pk["orig"]), str(pk["cap"])]:
            fail(f"pcapng: tshark packet {i + 1}: {r[:4]}")
            break
        if r[4].split(":")[0] != ("raw" if pk["if"]["linktype"] == LINKTYPE_RAW else "eth"):
            fail(f"pcapng: tshark packet {i + 1} ({r[1]}): protocols {r[4]}")
            break
    # Named sessions: if_name is the name, if_description the key.
    out2 = os.path.join(tmp, "named.pcapng")
    p = run([binary, "-r", capture, "-w", out2, "-q", "--session", "101:web-1",
             "--session", "gwlb:0x0000000a1b2c3d4e:appliance"] + TRANSPORT)
    names = {(r[0], r[1]) for r in tshark_fields(out2, "frame.interface_name",
                                                 "frame.interface_description")}
    if p.returncode != 0 or names != {("web-1", "vxlan:101"),
                                      ("appliance", "gwlb:0x0000000a1b2c3d4e")}:
        fail(f"pcapng: named sessions: exit {p.returncode}, interfaces {names}")


def check_tcpdump(binary, capture, tmp):
    out, st = os.path.join(tmp, "eth.pcapng"), os.path.join(tmp, "eth.json")
    p = run([binary, "-r", capture, "-w", out, "--stats-json", st, "-q"] + ETHER_SESSIONS)
    n = json.load(open(st))["write"]["written"]
    rc, lines, err = tcpdump_count(out)
    if p.returncode != 0 or rc != 0 or lines != n or n == 0:
        fail(f"tcpdump: exit {p.returncode}, tcpdump exit {rc}, {lines} lines, {n} written: {err}")


def check_pcap(binary, capture, tmp, sessions):
    out, st = os.path.join(tmp, "eth.pcap"), os.path.join(tmp, "ethp.json")
    p = run([binary, "-r", capture, "-w", out, "-F", "pcap", "--stats-json", st, "-q"]
            + ETHER_SESSIONS)
    with open(out, "rb") as f:
        magic = struct.unpack("=I", f.read(4))[0]
    n = json.load(open(st))["write"]["written"]
    rc, lines, err = tcpdump_count(out)
    if p.returncode != 0 or magic not in (0xa1b2c3d4, 0xa1b23c4d) or rc != 0 or lines != n:
        fail(f"pcap: exit {p.returncode}, magic {magic:#x}, tcpdump {rc} {lines} lines, "
             f"{n} written: {err}")
    # Both kinds of inner packet: the GWLB's bare IP cannot go into an Ethernet pcap.
    out, st = os.path.join(tmp, "mixed.pcap"), os.path.join(tmp, "mixed.json")
    p = run([binary, "-r", capture, "-w", out, "-F", "pcap", "--stats-json", st, "-q"]
            + TRANSPORT, text=True)
    w = json.load(open(st))["write"]
    rc, lines, err = tcpdump_count(out)
    raw = sum(1 for v in sessions.values() for x in v if not x[4])  # the first is Ethernet
    if p.returncode != 1 or "not written" not in p.stderr or w["other_link_type"] != raw or \
            rc != 0 or lines != w["written"]:
        fail(f"pcap: mixed link types: exit {p.returncode}, {w}, tcpdump {rc} {lines}: "
             f"{p.stderr}")


def check_stdout(binary, capture, tmp):
    st = os.path.join(tmp, "stdout.json")
    p = run([binary, "-r", capture, "-w", "-", "--stats-json", st, "-q"] + ETHER_SESSIONS)
    n = json.load(open(st))["write"]["written"]
    rc, lines, err = tcpdump_count("-", p.stdout)
    if p.returncode != 0 or rc != 0 or lines != n or n == 0:
        fail(f"stdout: exit {p.returncode}, tcpdump exit {rc}, {lines} lines, {n} written: {err}")


def big_capture(capture, path, times):
    """capture's frames, times over (classic pcap in, classic pcap out)."""
    with open(capture, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:24])
        for _ in range(times):
            f.write(data[24:])


def check_epipe(binary, capture, tmp):
    big = os.path.join(tmp, "big.pcap")
    big_capture(capture, big, 60)
    for args, label in ((["-w", "-"], "-w -"), (["--json"], "--json")):
        for quiet in (["-q"], []):
            st = os.path.join(tmp, "epipe.json")
            cmd = [binary, "-r", big, "--stats-json", st] + TRANSPORT + args + quiet
            p1 = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            p2 = subprocess.Popen(["head", "-c", "100"], stdin=p1.stdout,
                                  stdout=subprocess.DEVNULL)
            p1.stdout.close()
            err = p1.stderr.read().decode(errors="replace")
            rc = p1.wait()
            p2.wait()
            bad = [ln for ln in err.splitlines() if ln.startswith("mirrordec:")]
            if rc != 0 or bad or (quiet and err):
                fail(f"epipe {label} {quiet}: exit {rc}, stderr {err[-300:]!r}")
            elif not quiet and "session" not in err:
                fail(f"epipe {label}: no summary: {err!r}")
            if label == "-w -" and quiet:
                w = json.load(open(st))["write"]
                if not w["broken_pipe"]:
                    fail(f"epipe: the stats do not say the reader went away: {w}")


def check_split(binary, capture, tmp, sessions):
    out, st = os.path.join(tmp, "split"), os.path.join(tmp, "split.json")
    p = run([binary, "-r", capture, "--split", out, "-w", os.path.join(tmp, "both.pcapng"),
             "--stats-json", st, "-q"] + TRANSPORT)
    if p.returncode != 0:
        return fail(f"split: exit {p.returncode}: {p.stderr}")
    stats = json.load(open(st))
    files = sorted(os.listdir(out))
    want = sorted(oracle.safe(k) + ".pcapng" for k in sessions)
    if files != want:
        fail(f"split: files {files}, expected {want}")
    for s in stats["sessions"]:
        for fn in s.get("files", []):
            rows = tshark_fields(os.path.join(out, fn), "frame.interface_name",
                                 "frame.interface_description", "frame.len")
            if len(rows) != s["written"] or any(r[:2] != [s["session"], s["key"]] for r in rows):
                fail(f"split: {fn}: {len(rows)} packets read by tshark, {s['written']} written, "
                     f"interfaces {set((r[0], r[1]) for r in rows)}")
    _, _, both = read_pcapng(os.path.join(tmp, "both.pcapng"))
    if len(both) != sum(s.get("written", 0) for s in stats["sessions"]):
        fail(f"split: -w beside it holds {len(both)} packets")


def check_sighup(binary, capture, tmp):
    fifo, out, st = os.path.join(tmp, "in.fifo"), os.path.join(tmp, "hup.pcapng"), \
        os.path.join(tmp, "hup.json")
    os.mkfifo(fifo)
    with open(capture, "rb") as f:
        data = f.read()
    split = os.path.join(tmp, "hup-split")
    p = subprocess.Popen([binary, "-r", fifo, "-w", out, "--split", split, "--stats-json", st]
                         + TRANSPORT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    w = open(fifo, "wb")
    w.write(data)  # header and every frame
    w.flush()
    time.sleep(1.0)
    os.rename(out, out + ".1")
    web = os.path.join(split, "vxlan_101.pcapng")
    os.rename(web, web + ".1")
    p.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    w.write(data[24:])  # every frame again
    w.close()
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        return fail("sighup: the run did not end")
    err = err.decode(errors="replace")
    if p.returncode != 0:
        return fail(f"sighup: exit {p.returncode}: {err}")
    stats = json.load(open(st))
    try:
        _, _, a = read_pcapng(out + ".1")
        _, _, b = read_pcapng(out)
        ta = len(tshark_fields(out + ".1", "frame.len"))
        tb = len(tshark_fields(out, "frame.len"))
    except (ValueError, RuntimeError, OSError) as e:
        return fail(f"sighup: {e}")
    total = stats["write"]["written"]
    if not a or not b or len(a) + len(b) != total or (ta, tb) != (len(a), len(b)) or \
            stats["write"]["files"] != 2:
        fail(f"sighup: {len(a)} + {len(b)} packets (tshark {ta} + {tb}), {total} written, "
             f"{stats['write']['files']} files")
    if "SIGHUP: 2 files moved away" not in err:
        fail(f"sighup: not reported: {err}")
    # The --split file moved away: its packets are in it and its successor.
    row = [r for r in stats["sessions"] if r["key"] == "vxlan:101"][0]
    try:
        n1, n2 = count_all([web + ".1"]), count_all([web])
        n = n1 + n2
    except (ValueError, RuntimeError, OSError) as e:
        return fail(f"sighup: --split: {e}")
    if n != row["written"] or not n1 or not n2:
        fail(f"sighup: --split: {n1} + {n2} packets in the two files, {row['written']} written")


def count_all(paths):
    n = 0
    for path in paths:
        _, _, pk = read_pcapng(path)
        if len(tshark_fields(path, "frame.len")) != len(pk):
            raise RuntimeError(f"{path}: tshark and the reader disagree")
        n += len(pk)
    return n


def check_rotate(binary, capture, tmp):
    big = os.path.join(tmp, "rot.pcap")
    big_capture(capture, big, 60)
    d = os.path.join(tmp, "rot")
    os.mkdir(d)
    st = os.path.join(tmp, "rot.json")
    base = os.path.join(d, "out.pcapng")
    p = run([binary, "-r", big, "-w", base, "-C", "1", "--stats-json", st, "-q"] + TRANSPORT)
    w = json.load(open(st))["write"]
    files = sorted(os.listdir(d))
    want = ["out.pcapng"] + [f"out.pcapng{i}" for i in range(1, w["files"])]
    if p.returncode != 0 or w["files"] < 3 or files != sorted(want):
        return fail(f"rotate -C: exit {p.returncode}, {w}, files {files}")
    for f in files:
        size = os.path.getsize(os.path.join(d, f))
        if f != want[-1] and not 1000000 < size < 1000000 + 70000:
            fail(f"rotate -C: {f} holds {size} bytes")
    n = count_all(os.path.join(d, f) for f in files)
    if n != w["written"]:
        fail(f"rotate -C: the files hold {n} packets, {w['written']} written")
    # A ring of two: the last two files.
    for f in files:
        os.unlink(os.path.join(d, f))
    p = run([binary, "-r", big, "-w", base, "-C", "1", "-W", "2", "-q"] + TRANSPORT)
    files = sorted(os.listdir(d))
    if p.returncode != 0 or files != ["out.pcapng0", "out.pcapng1"]:
        return fail(f"rotate -W: exit {p.returncode}, files {files}")
    # The newest packets survive: the last file written holds the capture's last packet.
    newest = (w["files"] - 1) % 2  # as many files as the -C run made, numbered round
    _, _, last = read_pcapng(os.path.join(d, f"out.pcapng{newest}"))
    _, _, other = read_pcapng(os.path.join(d, f"out.pcapng{1 - newest}"))
    _, _, everything = read_pcapng(os.path.join(tmp, "all.pcapng"))  # from check_pcapng
    if not last or not other or last[-1]["data"] != everything[-1]["data"]:
        fail("rotate -W: the newest file does not end with the last packet")
    for f in files:
        os.unlink(os.path.join(d, f))
    # -G 1, a strftime name: one file per second of packet time (UTC).
    p = run([binary, "-r", capture, "-w", os.path.join(d, "g-%H%M%S.pcapng"), "-G", "1",
             "--stats-json", st, "-q"] + TRANSPORT, env=dict(os.environ, TZ="UTC"))
    w = json.load(open(st))["write"]
    files = sorted(os.listdir(d))
    sess = oracle.expected(capture)
    secs = sorted({x[0] for v in sess.values() for x in v})
    periods, start = [], None
    for t in secs:  # a new file when a packet is a second or more past the file's first
        if start is None or t - start >= 1:
            start = t
            periods.append(time.strftime("g-%H%M%S.pcapng", time.gmtime(t)))
    if p.returncode != 0 or files != periods or count_all(os.path.join(d, f) for f in files) \
            != w["written"]:
        fail(f"rotate -G: exit {p.returncode}, files {files}, expected {periods}, {w}")


def check_enospc(binary, capture, tmp):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        print("enospc: skipped (needs root and unshare for a private tmpfs)")
        return
    big = os.path.join(tmp, "full.pcap")
    big_capture(capture, big, 10)
    ref = os.path.join(tmp, "full-ref.json")
    run([binary, "-r", big, "-w", os.path.join(tmp, "full-ref.pcapng"), "--stats-json", ref,
         "-q"] + TRANSPORT)
    want = json.load(open(ref))["write"]["written"]
    mnt, st, copy = os.path.join(tmp, "small"), os.path.join(tmp, "full.json"), \
        os.path.join(tmp, "full-copy.pcapng")
    os.mkdir(mnt)
    script = (f"mount -t tmpfs -o size=64k tmpfs {mnt} && "
              f"{binary} -r {big} -w {mnt}/out.pcapng {' '.join(TRANSPORT)} "
              f"--stats-json {st}; rc=$?; cp {mnt}/out.pcapng {copy}; exit $rc")
    p = run(["unshare", "-m", "sh", "-c", script], text=True, timeout=120)
    if p.returncode != 1 or "write error" not in p.stderr:
        return fail(f"enospc: exit {p.returncode}, expected 1 and a message:\n{p.stderr}")
    w = json.load(open(st))["write"]
    try:
        _, _, pk = read_pcapng(copy)
        n = len(tshark_fields(copy, "frame.len"))
    except (ValueError, RuntimeError) as e:
        return fail(f"enospc: {e}")
    if len(pk) != w["written"] or n != len(pk) or w["written"] + w["not_written"] != want or \
            w["not_written"] == 0:
        fail(f"enospc: {len(pk)} packets (tshark {n}), stats {w}, {want} to write")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, capture = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    for tool in ("tcpdump", "tshark", "head"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed")
            return 77
    sessions = oracle.expected(capture)
    tmp = tempfile.mkdtemp(prefix="mdec-outputs-")
    try:
        for name, fn in (("pcapng", lambda: check_pcapng(binary, capture, tmp, sessions)),
                         ("tcpdump", lambda: check_tcpdump(binary, capture, tmp)),
                         ("pcap", lambda: check_pcap(binary, capture, tmp, sessions)),
                         ("stdout", lambda: check_stdout(binary, capture, tmp)),
                         ("epipe", lambda: check_epipe(binary, capture, tmp)),
                         ("split", lambda: check_split(binary, capture, tmp, sessions)),
                         ("sighup", lambda: check_sighup(binary, capture, tmp)),
                         ("rotate", lambda: check_rotate(binary, capture, tmp)),
                         ("enospc", lambda: check_enospc(binary, capture, tmp))):
            before = len(problems)
            try:
                fn()
            except (RuntimeError, ValueError, OSError, KeyError) as e:
                fail(f"{name}: {e!r}")
            print(f"{name}: {'ok' if len(problems) == before else 'FAILED'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

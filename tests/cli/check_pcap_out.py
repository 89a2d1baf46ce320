#!/usr/bin/env python3
"""Checks mirrordec --split DIR -F pcap against an independent decapsulation.

1. Runs `mirrordec -r CAPTURE --split DIR -F pcap`.
2. Decapsulates CAPTURE here, in Python, without mirrordec: Ethernet and
   VLAN tags, IPv4/IPv6, UDP 4789/8472 VXLAN, 6081 GENEVE (options, AWS GWLB
   endpoint id), GRE with ERSPAN I/II/III, nested only inside a tunnel
   from a trusted transport (TRUSTED, the GENEVE of the bundled capture's
   Gateway Load Balancer, which the run declares with --transport); the
   session key of each frame (innermost tunnel peeled), its inner frame, link
   type and wire length.
3. Reads every pcap file of DIR back with tcpdump (link type, packet bytes)
   and tshark (timestamps, captured and original lengths): both must read
   the files, and the packets must be the inner frames, in order, with the
   original timestamps and the inner wire length as orig_len.
4. A capture cut in the middle of a record: mirrordec fails with status 1,
   and what it wrote before the error is all there and readable.

Usage: check_pcap_out.py MIRRORDEC CAPTURE
Exit status 0 passed, 1 failed, 77 skipped (no tcpdump or tshark).
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

# The trusted transports the runs declare: (tunnel type, carrier source).
TRUSTED = {("geneve", "10.0.8.8")}
TRANSPORT_ARGS = ["--transport", "geneve:10.0.8.8"]
VXLAN_PORTS = {4789, 8472}
GENEVE_PORTS = {6081}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = struct.unpack(e + "I", data[:4])[0] == 0xA1B23C4D
    link = struct.unpack(e + "I", data[20:24])[0]
    at, recs = 24, []
    while at + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[at:at + 16])
        at += 16
        recs.append((sec, frac * (1 if nano else 1000), data[at:at + incl], orig))
        at += incl
    return link, recs


def ip_wire_len(b):
    """Length the IP header at b claims, or None."""
    if len(b) >= 4 and b[0] >> 4 == 4:
        return struct.unpack("!H", b[2:4])[0]
    if len(b) >= 6 and b[0] >> 4 == 6:
        return 40 + struct.unpack("!H", b[4:6])[0]
    return None


def inner_lengths(frame, ethernet):
    """(bytes present, wire length) of an inner packet."""
    off = 0
    if ethernet:
        off = 12
        while len(frame) >= off + 2 and struct.unpack("!H", frame[off:off + 2])[0] in (0x8100, 0x88A8):
            off += 4
        off += 2
    n = ip_wire_len(frame[off:])
    return len(frame), (off + n if n is not None else len(frame))


def decap(frame):
    """(key, inner bytes, ethernet?) for one Ethernet frame, or None."""
    key, inner, ethernet = None, None, True
    b, is_eth = frame, True
    through = True  # the tunnel peeled last (if any) is a trusted transport
    for _ in range(8):
        if key and not through:
            return key, inner, ethernet  # the trust rule: b is the mirrored packet
        if is_eth:
            off = 12
            et = struct.unpack("!H", b[off:off + 2])[0]
            while et in (0x8100, 0x88A8):
                off += 4
                et = struct.unpack("!H", b[off:off + 2])[0]
            ip = b[off + 2:]
        else:
            ip = b
            et = 0x0800 if ip[0] >> 4 == 4 else 0x86DD
        if et == 0x0800:
            hl = (ip[0] & 15) * 4
            proto, l4 = ip[9], ip[hl:]
            src = ".".join(str(x) for x in ip[12:16])
        elif et == 0x86DD:
            proto, l4 = ip[6], ip[40:]
            src = None
        else:
            return (key, inner, ethernet) if key else None
        if proto == 17:
            dport = struct.unpack("!H", l4[2:4])[0]
            pl = l4[8:]
            if dport in VXLAN_PORTS:
                key = "vxlan:%d" % (struct.unpack("!I", pl[4:8])[0] >> 8)
                b, is_eth = pl[8:], True
                through = ("vxlan", src) in TRUSTED
            elif dport in GENEVE_PORTS:
                optlen = (pl[0] & 63) * 4
                ptype = struct.unpack("!H", pl[2:4])[0]
                key = "geneve:%d" % (struct.unpack("!I", pl[4:8])[0] >> 8)
                o = 8
                while o < 8 + optlen:
                    cls, typ, ln = struct.unpack("!HBB", pl[o:o + 4])
                    ln = (ln & 31) * 4
                    if cls == 0x0108 and typ == 1 and ln == 8:
                        key = "gwlb:0x%016x" % struct.unpack("!Q", pl[o + 4:o + 12])[0]
                    o += 4 + ln
                b, is_eth = pl[8 + optlen:], ptype == 0x6558
                through = ("geneve", src) in TRUSTED
            else:
                return (key, inner, ethernet) if key else None
        elif proto == 47:
            flags, ptype = struct.unpack("!HH", l4[:4])
            o = 4 + 4 * (bool(flags & 0x8000) + bool(flags & 0x2000) + bool(flags & 0x1000))
            if ptype == 0x88BE and flags & 0x1000:  # ERSPAN II
                h = l4[o:o + 8]
                key = "erspan:%d" % (struct.unpack("!H", h[2:4])[0] & 0x3FF)
                b, is_eth = l4[o + 8:], True
                through = ("erspan", src) in TRUSTED
            elif ptype == 0x22EB:  # ERSPAN III
                h = l4[o:o + 12]
                key = "erspan:%d" % (struct.unpack("!H", h[2:4])[0] & 0x3FF)
                ln = 12 + (8 if h[11] & 1 else 0)
                ft = (h[10] >> 2) & 31
                b, is_eth = l4[o + ln:], ft == 0
                through = ("erspan", src) in TRUSTED
            else:
                return (key, inner, ethernet) if key else None
        else:
            if key:
                return key, inner, ethernet
            return ("none", ip, False)  # an untunneled IP packet
        inner, ethernet = b, is_eth
    return key, inner, ethernet


def expected(capture):
    link, recs = read_pcap(capture)
    assert link == 1, "the oracle reads Ethernet captures"
    sessions = {}
    for sec, nsec, frame, _orig in recs:
        d = decap(frame)
        if d is None or d[1] is None:
            continue  # ARP and such: nothing inside to write
        key, inner, eth = d
        cap, wire = inner_lengths(inner, eth)
        sessions.setdefault(key, []).append((sec, nsec, inner, wire, eth))
    return sessions


def tcpdump_read(path):
    """(link type name, [packet bytes]) as tcpdump reads the file."""
    p = subprocess.run(["tcpdump", "-r", path, "-nn", "-xx", "-tt"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"tcpdump cannot read {path}: {p.stderr.strip()}")
    m = re.search(r"link-type (\S+)", p.stderr)
    pkts, cur = [], None
    for line in p.stdout.splitlines():
        if line.startswith("\t0x"):
            cur.extend(bytes.fromhex("".join(line.split(":", 1)[1].split())))
        else:
            cur = bytearray()
            pkts.append(cur)
    return (m.group(1) if m else "?"), [bytes(x) for x in pkts]


def tshark_read(path):
    """[(sec, nsec, cap_len, orig_len)] as tshark reads the file."""
    p = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "frame.time_epoch",
                        "-e", "frame.cap_len", "-e", "frame.len"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"tshark cannot read {path}: {p.stderr.strip()}")
    out = []
    for line in p.stdout.splitlines():
        t, cap, orig = line.split("\t")
        s, _, frac = t.partition(".")
        out.append((int(s), int((frac + "000000000")[:9]), int(cap), int(orig)))
    return out


def safe(key):
    return re.sub(r"[^A-Za-z0-9._-]", "_", "untunneled" if key == "none" else key)


def check_dir(outdir, sessions, problems, only_upto=None):
    files = sorted(os.listdir(outdir))
    want_files = sorted(safe(k) + ".pcap" for k in sessions)
    if files != want_files:
        problems.append(f"files {files}, expected {want_files}")
    for key, pkts in sessions.items():
        path = os.path.join(outdir, safe(key) + ".pcap")
        if not os.path.exists(path):
            continue
        try:
            lt, data = tcpdump_read(path)
            meta = tshark_read(path)
        except RuntimeError as e:
            problems.append(str(e))
            continue
        want_lt = "EN10MB" if pkts[0][4] else "RAW"
        if lt != want_lt:
            problems.append(f"{path}: link type {lt}, expected {want_lt}")
        if len(data) != len(pkts) or len(meta) != len(pkts):
            problems.append(f"{path}: {len(data)} packets (tshark {len(meta)}), expected {len(pkts)}")
        for i, ((sec, nsec, inner, wire, _), got, m) in enumerate(zip(pkts, data, meta), 1):
            if got != inner:
                problems.append(f"{path} #{i}: bytes differ from the inner frame\n"
                                f"    got      {got.hex()}\n    expected {inner.hex()}")
            if m != (sec, nsec, len(inner), wire):
                problems.append(f"{path} #{i}: time/caplen/orig_len {m}, expected "
                                f"{(sec, nsec, len(inner), wire)}")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, capture = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    for tool in ("tcpdump", "tshark"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed")
            return 77
    sessions = expected(capture)
    problems = []
    tmp = tempfile.mkdtemp(prefix="mdec-w-")
    try:
        outdir = os.path.join(tmp, "out")
        p = subprocess.run([binary, "-r", capture, "--split", outdir, "-q", "-F", "pcap"] + TRANSPORT_ARGS, capture_output=True, text=True)
        if p.returncode != 0:
            problems.append(f"mirrordec -w failed ({p.returncode}): {p.stderr}")
        else:
            check_dir(outdir, sessions, problems)
        n = sum(len(v) for v in sessions.values())
        print(f"{len(sessions)} sessions, {n} inner packets checked with tcpdump and tshark")

        # A capture cut inside a record: exit 1, and every packet before the
        # cut is in the files.
        with open(capture, "rb") as f:
            data = f.read()
        cut = os.path.join(tmp, "cut.pcap")
        _, recs = read_pcap(capture)
        keep = len(recs) // 2
        at = 24 + sum(16 + len(r[2]) for r in recs[:keep])
        with open(cut, "wb") as f:
            f.write(data[:at + 16 + 5])  # a record header and 5 bytes of the next frame
        outdir2 = os.path.join(tmp, "out2")
        p = subprocess.run([binary, "-r", cut, "--split", outdir2, "--json", "-q", "-F", "pcap"] + TRANSPORT_ARGS, capture_output=True,
                           text=True)
        if p.returncode != 1:
            problems.append(f"cut capture: exit status {p.returncode}, expected 1")
        if "truncated" not in p.stderr:
            problems.append(f"cut capture: message {p.stderr.strip()!r} does not say truncated")
        if len(p.stdout.splitlines()) != keep:
            problems.append(f"cut capture: {len(p.stdout.splitlines())} JSON lines, expected {keep}")
        with open(cut + ".whole", "wb") as f:
            f.write(data[:at])
        check_dir(outdir2, expected(cut + ".whole"), problems)
        print(f"cut capture: exit 1 with {p.stderr.strip()!r}; {keep} packets kept")
    finally:
        shutil.rmtree(tmp)
    for pr in problems:
        print("FAIL: " + pr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

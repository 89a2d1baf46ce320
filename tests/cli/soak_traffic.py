#!/usr/bin/python3
"""Traffic and checks for tests/soak.sh.

  sessions              the --session and --learn-from options matching the
                        traffic (for the shell script)
  send SECONDS RATE OUT send the mix for SECONDS at RATE datagrams a second
                        from this namespace; what was sent, per category,
                        goes to OUT (JSON)
  check SENT STATS [--dir DIR] [--tcpdump]
                        STATS (a tool's --stats-json) accounts for every
                        datagram of SENT; with --dir, the configured
                        sessions' pcap files hold exactly their packets

The mix is a list of categories (CATEGORIES below).  Each says how to build
one datagram (source address, destination port, UDP payload), what decode
status the tools give it, and where the session table puts it, as one of
these accounting classes:

  deliver:NAME   packets of the configured session NAME
  forged:NAME    refused: the configured session NAME does not allow the source
  learn          a learned session's packets, or learn_full (table full)
  learn_invalid  garbage from an allowed source: malformed, never learned
                 (learn_invalid), or a learned session's malformed packet
  learn_refused  refused: the source is outside --learn-from (learn_forged),
                 or a learned session refused it (its forged counter)

The checker adds up each class from the stats JSON, and requires for every
class: delivered <= sent, and the sum over the classes of (sent - delivered)
equal to the drops the tool reports (kernel_drops, and inbox_dropped for
mirrordec-afpacket).  So every datagram is accounted for, exactly, whether
or not the kernel dropped some; with no drops each class is exact.

To add a kind of traffic (a nested-tunnel forgery, say), append a Category
with its builder, its status and its class; nothing else changes.
"""

import json
import os
import random
import socket
import struct
import subprocess
import sys
import time

SENDER, FORGER = "10.99.0.1", "10.99.0.66"
TARGET = "10.99.0.2"
CONFIGURED = [  # (key, name), all allowed from SENDER only
    ("301", "alpha"), ("302", "beta"), ("geneve:7", "gamma")]
LEARN_FROM = SENDER + "/32"
INVENTED = range(10000, 15000)  # VNIs nobody configured: "thousands of invented VNIs"


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def inner_frame(seq, flow):
    """An Ethernet / IPv4 / UDP frame whose payload carries seq."""
    data = b"soak" + struct.pack("!Q", seq) + b"m" * (flow % 40)
    src, dst = bytes([10, 50, 0, 1 + flow % 200]), bytes([10, 60, 0, 1 + flow % 200])
    udp = struct.pack("!HHHH", 30000 + flow % 1000, 53, 8 + len(data), 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xFFFF, 0, 64, 17, 0, src,
                     dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000060" "020000000050") + b"\x08\x00"
    return eth + ip + udp


def vxlan(vni, inner):
    return struct.pack("!BBHI", 0x08, 0, 0, vni << 8) + inner


def geneve(vni, inner):
    return struct.pack("!BBHI", 0, 0, 0x6558, vni << 8) + inner


def carrier(src, dport, payload):
    """Ethernet / IPv4 from src / UDP to dport around payload: a tunnel packet
    written inside another tunnel by its sender."""
    udp = struct.pack("!HHHH", 40000, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(TARGET))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return bytes.fromhex("020000000060" "020000000050") + b"\x08\x00" + ip + udp


def _nested(rng, seq, outer):
    # alpha's packet, as if from its allowed SENDER, wrapped by FORGER in a
    # tunnel of its own: the trust rule keys it by FORGER's tunnel.
    inner = carrier(SENDER, 4789, vxlan(301, inner_frame(seq, 9)))
    return FORGER, (6081 if outer == "geneve" else 4789), \
        (geneve(9, inner) if outer == "geneve" else vxlan(rng.choice(INVENTED), inner))


class Category:
    """name, share of the mix, builder(rng, seq) -> (src, dport, payload),
    status (what the decoder says), klass (where the table puts it)."""

    def __init__(self, name, share, build, status, klass):
        self.name, self.share, self.build = name, share, build
        self.status, self.klass = status, klass


def _valid(rng, seq):
    key, _ = CONFIGURED[seq % len(CONFIGURED)]
    if key.startswith("geneve:"):
        return SENDER, 6081, geneve(int(key[7:]), inner_frame(seq, seq))
    return SENDER, 4789, vxlan(int(key), inner_frame(seq, seq))


def _garbage(rng, src):
    # Shorter than any tunnel header: malformed whatever the bytes are.
    return src, rng.choice((4789, 6081)), bytes(rng.getrandbits(8) for _ in range(rng.randrange(8)))


CATEGORIES = [
    # valid mirror traffic of the configured sessions, in turn
    Category("valid", 40, _valid, "ok", None),  # klass per datagram: see klass_of()
    # a configured session's VNI from a source it does not allow
    Category("forged", 10, lambda rng, seq: (FORGER, 4789, vxlan(301, inner_frame(seq, 7))),
             "ok", "forged:alpha"),
    # invented VNIs from a source --learn-from allows: learned until the table is full
    Category("invented", 20,
             lambda rng, seq: (SENDER, 4789, vxlan(rng.choice(INVENTED), inner_frame(seq, 3))),
             "ok", "learn"),
    # invented VNIs from a source outside --learn-from: never learned
    Category("invented_forged", 15,
             lambda rng, seq: (FORGER, 4789, vxlan(rng.choice(INVENTED), inner_frame(seq, 4))),
             "ok", "learn_refused"),
    # garbage datagrams on the tunnel ports
    Category("garbage", 10, lambda rng, seq: _garbage(rng, SENDER), "malformed", "learn_invalid"),
    Category("garbage_forged", 5, lambda rng, seq: _garbage(rng, FORGER), "malformed",
             "learn_refused"),
    # alpha's packet wrapped by FORGER in GENEVE or in VXLAN: never alpha's
    Category("nested_geneve", 5, lambda rng, seq: _nested(rng, seq, "geneve"), "ok",
             "learn_refused"),
    Category("nested_vxlan", 5, lambda rng, seq: _nested(rng, seq, "vxlan"), "ok",
             "learn_refused"),
]


def klass_of(cat, seq):
    if cat.klass is not None:
        return cat.klass
    return "deliver:" + CONFIGURED[seq % len(CONFIGURED)][1]


def send(seconds, rate, out):
    rng = random.Random(4789)
    socks = {}
    for src in (SENDER, FORGER):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        socks[src] = s
    wheel = [c for c in CATEGORIES for _ in range(c.share)]
    sent = {"total": 0, "categories": {}, "classes": {}, "status": {}}
    seqs = {c.name: 0 for c in CATEGORIES}
    start = time.monotonic()
    tick = 0.01
    n = 0
    while True:
        now = time.monotonic() - start
        if now >= seconds:
            break
        due = int(now * rate)
        while n < due:
            cat = wheel[rng.randrange(len(wheel))]
            seq = seqs[cat.name]
            seqs[cat.name] += 1
            src, dport, payload = cat.build(rng, seq)
            while True:
                try:
                    socks[src].sendto(payload, (TARGET, dport))
                    break
                except BlockingIOError:
                    time.sleep(0.001)
            klass = klass_of(cat, seq)
            sent["categories"][cat.name] = sent["categories"].get(cat.name, 0) + 1
            sent["classes"][klass] = sent["classes"].get(klass, 0) + 1
            sent["status"][cat.status] = sent["status"].get(cat.status, 0) + 1
            n += 1
        time.sleep(tick)
    sent["total"] = n
    sent["seconds"] = seconds
    with open(out, "w") as f:
        json.dump(sent, f)
    print(f"sent {n} datagrams in {seconds} s: " +
          ", ".join(f"{k} {v}" for k, v in sorted(sent["categories"].items())))


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def count_pcap(path):
    p = subprocess.run(["tcpdump", "-nn", "-r", path], capture_output=True, text=True)
    bad = [l for l in p.stderr.splitlines() if not l.startswith("reading from file")]
    if p.returncode != 0 or bad:
        fail(f"{path}: tcpdump: {' '.join(bad) or p.returncode}")
    return len(p.stdout.splitlines())


def check(sent_path, stats_path, outdir, use_tcpdump):
    with open(sent_path) as f:
        sent = json.load(f)
    with open(stats_path) as f:
        st = json.load(f)
    tool = st["tool"]
    names = {name for _, name in CONFIGURED}
    got = {k: 0 for k in sent["classes"]}
    for k in ("learn", "learn_refused", "learn_invalid"):
        got.setdefault(k, 0)
    for s in st["sessions"]:
        if s["session"] in names:
            got.setdefault("deliver:" + s["session"], 0)
            got.setdefault("forged:" + s["session"], 0)
            got["deliver:" + s["session"]] += s["packets"]
            got["forged:" + s["session"]] += s["forged"]
        else:
            # A learned session's packets: the valid ones it was learned for,
            # and garbage whose key it happens to share (malformed).
            got["learn"] += s["packets"] - s["malformed"]
            got["learn_invalid"] += s["malformed"]
            got["learn_refused"] += s["forged"]
    got["learn"] += st["learn_full"]
    got["learn_refused"] += st["learn_forged"]
    got["learn_invalid"] += st["learn_invalid"]
    other = st["unknown_session"] - st["learn_full"] - st["learn_forged"] - st["learn_invalid"]
    if other:
        fail(f"{tool}: {other} unknown-session drops that are neither learn_full, learn_forged "
             "nor learn_invalid")
    # Every frame in exactly one place.
    placed = sum(s["packets"] + s["forged"] for s in st["sessions"]) + st["unknown_session"]
    if placed != st["frames"]:
        fail(f"{tool}: {st['frames']} frames, but the sessions and drops hold {placed}")
    drops = st.get("kernel_drops", 0) + st.get("inbox_dropped", 0)
    if st["frames"] + drops != sent["total"]:
        fail(f"{tool}: sent {sent['total']}, received {st['frames']} + dropped {drops} "
             f"= {st['frames'] + drops}")
    deficit = 0
    for k in sorted(set(sent["classes"]) | set(got)):
        want, have = sent["classes"].get(k, 0), got.get(k, 0)
        if have > want:
            fail(f"{tool}: class {k}: {have} packets, only {want} sent")
        deficit += want - have
    if deficit != drops:
        fail(f"{tool}: {deficit} packets missing from their classes, {drops} reported dropped")
    if drops == 0:
        for s, n in sent["status"].items():
            if st["status"].get(s) != n:
                fail(f"{tool}: status {s}: {st['status'].get(s)}, sent {n}")
    learned = st["learned"]
    cap = st["max_sessions"] * st.get("workers", 1)
    if learned > cap:
        fail(f"{tool}: {learned} sessions learned, the cap is {cap}")
    if "learn_full" in st and st["learn_full"] == 0:
        fail(f"{tool}: the table never filled: the test did not exercise the cap")
    written = 0
    if outdir:
        p = st["pcap"]
        if p["not_written"]:
            fail(f"{tool}: {p['not_written']} packets not written: {p}")
        for s in st["sessions"]:
            # Garbage is accepted by the sessions it creates, but has no
            # inner packet to write; the configured sessions' all have one.
            accepted = s["packets"] - s["filtered"]
            if s["written"] > accepted or (s["session"] in names and s["written"] != accepted):
                fail(f"{tool}: session {s['session']}: {s['written']} written, "
                     f"{accepted} accepted")
            written += s["written"]
            if s["session"] in names or use_tcpdump:
                n = sum(count_pcap(os.path.join(outdir, f)) for f in s["files"])
                if n != s["written"]:
                    fail(f"{tool}: {s['session']}: tcpdump reads {n} packets from "
                         f"{s['files']}, the summary says {s['written']}")
        if written != p["written"]:
            fail(f"{tool}: sessions wrote {written}, the total says {p['written']}")
    print(f"{tool}: sent {sent['total']} = received {st['frames']} + dropped {drops}; "
          + ", ".join(f"{k} {got.get(k, 0)}/{v}" for k, v in sorted(sent["classes"].items()))
          + f"; learned {learned} (cap {cap}), learn_full {st['learn_full']}, "
          f"learn_forged {st['learn_forged']}"
          + (f"; {written} packets in pcap files, {st['pcap']['closed_for_budget']} closes "
             f"and {st['pcap']['reopened']} reopens within {st['pcap']['open_max']} open "
             f"files (limit {st['open_files']['limit']})" if outdir else ""))


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__)
        return 2
    if a[0] == "sessions":
        print(" ".join(f"--session {k}:{n}:{SENDER}" for k, n in CONFIGURED) +
              f" --learn-from {LEARN_FROM}")
    elif a[0] == "send":
        send(float(a[1]), float(a[2]), a[3])
    elif a[0] == "check":
        outdir = a[a.index("--dir") + 1] if "--dir" in a else None
        check(a[1], a[2], outdir, "--tcpdump" in a)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

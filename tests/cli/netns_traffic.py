#!/usr/bin/python3
"""Traffic and checks for tests/netns_test.sh.

  gen FILE              build the mirrored datagrams (scapy) into FILE (JSON)
  send FILE             send them from this namespace (plain UDP sockets)
  check-json FILE OUT [--sessions] [--workers]
                        OUT (mirrordec --json) holds every datagram once, with
                        the right session, flow and verdict; --workers: every
                        inner flow, both directions, went to one worker
  check-pcaps FILE DIR [--sessions]
                        the pcaps of --split DIR hold exactly the inner frames
  check-tap FILE PCAP [--key KEY]
                        a tcpdump capture of the TAP device holds the inner
                        frames of accepted packets (of session KEY only)
  gen-dup FILE          every inner packet mirrored twice, as AWS mirrors
                        both ENIs of a conversation: VXLAN 301 from SENDER4,
                        then after a router (TTL one less) VXLAN 302 from
                        SENDER6
  check-dup FILE OUT [--workers]
                        OUT (mirrordec --dedup --json) has each inner packet
                        once as accept and once as duplicate, both copies
                        with one community_id; --workers: on one worker

The traffic: inner TCP and UDP conversations, both directions of each sent
from its own UDP source port (as AWS hashes each direction), mirrored as
VXLAN over IPv4 (VNI 201) and IPv6 (VNI 202), GENEVE with Ethernet inside
(VNI 7), and GENEVE as a Gateway Load Balancer sends it (bare IPv4 and IPv6
with the endpoint id option); and one VXLAN datagram with VNI 201 from an
address the session does not allow (forged).
"""

import json
import os
import socket
import struct
import sys
import time

import check_pcap_out  # the pcap reader, next to this file

SENDER4, SENDER6, FORGER = "10.99.0.1", "fd99::1", "10.99.0.66"
TARGET4, TARGET6 = "10.99.0.2", "fd99::2"
GWLB_ID = 0x0000000A1B2C3D4E
# --session arguments matching the traffic (used by the shell script too)
SESSIONS = ["201:vx4:%s" % SENDER4, "202:vx6:%s" % SENDER6, "geneve:7:gen:%s" % SENDER4,
            "gwlb:0x%016x:gwlb:%s" % (GWLB_ID, SENDER4)]
NAMES = {"vxlan:201": "vx4", "vxlan:202": "vx6", "geneve:7": "gen",
         "gwlb:0x%016x" % GWLB_ID: "gwlb"}


def gen(path):
    from scapy.all import IP, TCP, UDP, Ether, IPv6, Raw  # noqa: import here: slow

    def vxlan(vni):
        return struct.pack("!BBHI", 0x08, 0, 0, vni << 8)

    def geneve(vni, proto, opts=b""):
        return struct.pack("!BBHI", len(opts) // 4, 0, proto, vni << 8) + opts

    gwlb_opt = struct.pack("!HBB", 0x0108, 1, 2) + struct.pack("!Q", GWLB_ID)
    out = []
    n = 0
    for flow in range(12):
        kind = ("vx4", "vx4", "vx4", "vx4", "vx6", "vx6", "gen", "gen", "gwlb4", "gwlb4",
                "gwlb6", "gwlb6")[flow]
        v6inner = kind == "gwlb6"
        a = "2001:db8:50::%x" % (flow + 1) if v6inner else "10.50.0.%d" % (flow + 1)
        b = "2001:db8:60::%x" % (flow + 1) if v6inner else "10.60.0.%d" % (flow + 1)
        pa, pb = 30000 + flow, 443 if flow % 2 == 0 else 53
        l4 = TCP if flow % 2 == 0 else UDP
        for k in range(4):  # request, answer, request, answer
            fwd = k % 2 == 0
            s, d, sp, dp = (a, b, pa, pb) if fwd else (b, a, pb, pa)
            ip = (IPv6(src=s, dst=d) if v6inner else IP(src=s, dst=d, id=n)) / \
                l4(sport=sp, dport=dp) / Raw(b"m" * (10 + flow + k))
            n += 1
            eth = Ether(src="02:00:00:00:50:%02x" % flow, dst="02:00:00:00:60:%02x" % flow)
            if kind == "vx4":
                inner, key, payload = bytes(eth / ip), "vxlan:201", None
                payload = vxlan(201) + inner
            elif kind == "vx6":
                inner, key = bytes(eth / ip), "vxlan:202"
                payload = vxlan(202) + inner
            elif kind == "gen":
                inner, key = bytes(eth / ip), "geneve:7"
                payload = geneve(7, 0x6558) + inner
            else:
                inner, key = bytes(ip), "gwlb:0x%016x" % GWLB_ID
                payload = geneve(0, 0x86DD if v6inner else 0x0800, gwlb_opt) + inner
            out.append({
                "family": 6 if kind == "vx6" else 4,
                "src": SENDER6 if kind == "vx6" else SENDER4,
                "dst": TARGET6 if kind == "vx6" else TARGET4,
                "dport": 4789 if kind.startswith("vx") else 6081,
                # each direction of a flow from its own source port
                "sport": (40000 if fwd else 50000) + flow,
                "payload": payload.hex(), "inner": inner.hex(), "key": key,
                "ethernet": not kind.startswith("gwlb"),
                "flow": [s, d, sp, dp], "forged": False})
    # A forged copy: VNI 201 from an address that is not the mirror source.
    forged = dict(out[0])
    forged.update(src=FORGER, sport=40999, forged=True)
    out.append(forged)
    with open(path, "w") as f:
        json.dump(out, f)


def gen_dup(path):
    from scapy.all import IP, TCP, UDP, Ether, IPv6, Raw  # noqa: import here: slow

    out = []
    n = 0
    for flow in range(16):
        v6 = flow % 4 == 3
        a = "2001:db8:70::%x" % (flow + 1) if v6 else "10.70.0.%d" % (flow + 1)
        b = "2001:db8:80::%x" % (flow + 1) if v6 else "10.80.0.%d" % (flow + 1)
        pa, pb = 31000 + flow, 5432
        l4 = TCP if flow % 2 == 0 else UDP
        for k in range(4):
            fwd = k % 2 == 0
            s, d, sp, dp = (a, b, pa, pb) if fwd else (b, a, pb, pa)
            for copy in range(2):  # the sending ENI's, then the receiving one's
                hop = 64 - copy
                ip = (IPv6(src=s, dst=d, hlim=hop) if v6 else IP(src=s, dst=d, id=n, ttl=hop)) / \
                    l4(sport=sp, dport=dp) / Raw(b"d" * (12 + flow + k))
                eth = Ether(src="02:00:00:00:70:%02x" % (flow + copy),
                            dst="02:00:00:00:80:%02x" % flow)
                inner = bytes(eth / ip)
                vni = 301 + copy
                out.append({
                    "family": 6 if copy else 4,
                    "src": SENDER6 if copy else SENDER4,
                    "dst": TARGET6 if copy else TARGET4,
                    "dport": 4789, "sport": 41000 + flow,
                    "payload": (struct.pack("!BBHI", 0x08, 0, 0, vni << 8) + inner).hex(),
                    "inner": inner.hex(), "key": "vxlan:%d" % vni, "ethernet": True,
                    "flow": [s, d, sp, dp], "forged": False, "packet": n, "copy": copy})
            n += 1
    with open(path, "w") as f:
        json.dump(out, f)


def check_dup(path, out, workers):
    with open(path) as f:
        dgrams = json.load(f)
    rows = [json.loads(line) for line in open(out)]
    rows = [r for r in rows if r["status"] != "not_tunneled"]
    if len(rows) != len(dgrams):
        fail(f"{out}: {len(rows)} tunneled packets, expected {len(dgrams)}")
    # A packet is known by its flow and its L4 payload length (12 + flow + k).
    by_packet = {}
    for r in rows:
        k = (r["src_ip"], r["dest_ip"], r["src_port"], r["dest_port"], r["inner_wire_len"])
        by_packet.setdefault(k, []).append(r)
    if len(by_packet) != len(dgrams) // 2:
        fail(f"{out}: {len(by_packet)} distinct inner packets, expected {len(dgrams) // 2}")
    for k, rs in by_packet.items():
        verdicts = sorted(r["verdict"] for r in rs)
        if verdicts != ["accept", "duplicate"]:
            fail(f"{out}: packet {k}: verdicts {verdicts}, expected one accept, one duplicate")
        if len({r["community_id"] for r in rs}) != 1 or len({r["flow_hash"] for r in rs}) != 1:
            fail(f"{out}: packet {k}: the two copies have different flow ids")
        if workers and len({r["worker"] for r in rs}) != 1:
            fail(f"{out}: packet {k}: the two copies went to two workers")
    print(f"{out}: {len(by_packet)} packets mirrored twice, each kept once"
          f"{', both copies on one worker' if workers else ''}")


def send(path):
    with open(path) as f:
        dgrams = json.load(f)
    socks = {}
    for d in dgrams:
        k = (d["family"], d["src"], d["sport"])
        if k not in socks:
            s = socket.socket(socket.AF_INET6 if d["family"] == 6 else socket.AF_INET,
                              socket.SOCK_DGRAM)
            s.bind((d["src"], d["sport"]))
            socks[k] = s
        socks[k].sendto(bytes.fromhex(d["payload"]), (d["dst"], d["dport"]))
        time.sleep(0.002)
    print(f"sent {len(dgrams)} datagrams")


def flow_id(f):
    """Both directions of a flow give the same id."""
    a, b = (f[0], f[2]), (f[1], f[3])
    return tuple(sorted([a, b]))


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check_json(path, out, sessions, workers):
    with open(path) as f:
        dgrams = json.load(f)
    rows = [json.loads(line) for line in open(out)]
    rows = [r for r in rows if r["status"] != "not_tunneled"]  # ARP, neighbour discovery
    if len(rows) != len(dgrams):
        fail(f"{out}: {len(rows)} tunneled packets, expected {len(dgrams)}")

    def sig(key, flow, verdict):
        return (key, tuple(flow), verdict)

    want = sorted(sig(d["key"], d["flow"], "forged" if d["forged"] and sessions else "accept")
                  for d in dgrams)
    got = sorted(sig(r["key"], [r["src_ip"], r["dest_ip"], r["src_port"], r["dest_port"]],
                     r["verdict"]) for r in rows)
    if want != got:
        fail(f"{out}: packets differ\n  got      {got}\n  expected {want}")
    for r in rows:
        if r["status"] != "ok":
            fail(f"{out}: frame {r['frame']} status {r['status']}")
        name = NAMES[r["key"]] if sessions else r["key"]
        if r["session"] != name:
            fail(f"{out}: frame {r['frame']} session {r['session']}, expected {name}")
    print(f"{out}: {len(rows)} packets, sessions and verdicts as sent")
    if workers:
        owner = {}
        for r in rows:
            fid = flow_id([r["src_ip"], r["dest_ip"], r["src_port"], r["dest_port"]])
            owner.setdefault(fid, set()).add(r["worker"])
        split = {k: v for k, v in owner.items() if len(v) > 1}
        if split:
            fail(f"{out}: flows handled by several workers: {split}")
        used = sorted({w for v in owner.values() for w in v})
        print(f"{out}: each of {len(owner)} flows (both directions) on one worker; "
              f"workers used: {used}")


def read_pcap(path):
    """(link type, [packet bytes])."""
    link, recs = check_pcap_out.read_pcap(path)
    return link, [r[2] for r in recs]


def check_pcaps(path, outdir, sessions):
    with open(path) as f:
        dgrams = json.load(f)
    want = {}
    for d in dgrams:
        if d["forged"] and sessions:
            continue
        name = (NAMES[d["key"]] if sessions else d["key"]).replace(":", "_")
        want.setdefault(name + ".pcap", []).append((bytes.fromhex(d["inner"]), d["ethernet"]))
    files = sorted(f for f in os.listdir(outdir) if f != "untunneled.pcap")
    if files != sorted(want):
        fail(f"{outdir}: files {files}, expected {sorted(want)}")
    for name, pkts in want.items():
        link, got = read_pcap(os.path.join(outdir, name))
        wl = 1 if pkts[0][1] else 101
        if link != wl:
            fail(f"{outdir}/{name}: link type {link}, expected {wl}")
        if sorted(got) != sorted(p for p, _ in pkts):
            fail(f"{outdir}/{name}: {len(got)} frames differ from the {len(pkts)} inner frames sent")
    print(f"{outdir}: {len(want)} session files hold exactly the inner frames")


def check_tap(path, capture, key):
    with open(path) as f:
        dgrams = json.load(f)
    want = []
    for d in dgrams:
        if d["forged"] or (key and d["key"] != key):
            continue
        inner = bytes.fromhex(d["inner"])
        if not d["ethernet"]:  # bare IP gets a made-up Ethernet header
            et = b"\x86\xdd" if inner[0] >> 4 == 6 else b"\x08\x00"
            inner = bytes.fromhex("020000000002" "020000000001") + et + inner
        want.append(inner)
    link, got = read_pcap(capture)
    if link != 1:
        fail(f"{capture}: link type {link}, expected Ethernet")
    if sorted(got) != sorted(want):
        extra = [g.hex() for g in got if g not in want][:3]
        fail(f"{capture}: {len(got)} frames, expected {len(want)} inner frames; "
             f"unexpected: {extra}")
    print(f"{capture}: the {len(want)} original frames{' of ' + key if key else ''} came out")


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__)
        return 2
    if a[0] == "gen":
        gen(a[1])
    elif a[0] == "send":
        send(a[1])
    elif a[0] == "sessions":
        print(" ".join("--session " + s for s in SESSIONS))
    elif a[0] == "check-json":
        check_json(a[1], a[2], "--sessions" in a, "--workers" in a)
    elif a[0] == "check-pcaps":
        check_pcaps(a[1], a[2], "--sessions" in a)
    elif a[0] == "gen-dup":
        gen_dup(a[1])
    elif a[0] == "check-dup":
        check_dup(a[1], a[2], "--workers" in a)
    elif a[0] == "check-tap":
        check_tap(a[1], a[2], a[a.index("--key") + 1] if "--key" in a else None)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

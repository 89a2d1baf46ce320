#!/usr/bin/env python3
"""Holds tshark, an independent decoder, to the expectations of the fixtures.

For every packet of tests/fixtures/expected.txt not marked oracle=no:WHY, tshark
must show the same tunnel stack (types and ids, outer to inner), the same
innermost addresses and protocol, and the same innermost ports or ICMP type
and code. test_fixtures.c holds mirrordec to the same lines, so the two
decoders agree with each other through them.

Exit status: 0 all agree, 1 a disagreement, 77 tshark missing (ctest skip).
Usage: oracle_tshark.py [FIXTURE_DIR]
"""

import ipaddress
import os
import shutil
import subprocess
import sys

FIELDS = [
    "frame.number", "frame.protocols",
    "vxlan.vni", "geneve.vni", "erspan.spanid", "gre.key",
    "ip.src", "ip.dst", "ip.proto", "ipv6.src", "ipv6.dst",
    "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
    "sctp.srcport", "sctp.dstport",
    "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code",
    "ipv6.fraghdr.nxt",
]
L4_NUMBERS = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmpv6": 58}
TUNNELS = {"vxlan": "vxlan.vni", "geneve": "geneve.vni", "erspan": "erspan.spanid", "gre": "gre.key"}


def tshark_rows(path):
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
           "-d", "udp.port==8472,vxlan", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
           "-E", "separator=/t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        row = {f: (c.split("|") if c else []) for f, c in zip(FIELDS, cols)}
        rows[int(row["frame.number"][0])] = row
    return rows


def tshark_view(row):
    """What tshark shows, in the vocabulary of expected.txt."""
    protos = row["frame.protocols"][0].split(":")
    # tshark's VXLAN-GPE dissector does not name itself in frame.protocols:
    # put it back after each UDP datagram to port 4790.
    stack, n_udp = [], 0
    for p in protos:
        stack.append(p)
        if p == "udp":
            dports = row["udp.dstport"]
            if n_udp < len(dports) and dports[n_udp] == "4790":
                stack.append("vxlan-gpe")
            n_udp += 1
    ids = {t: list(row[f]) for t, f in TUNNELS.items()}
    ids["vxlan-gpe"] = ids["vxlan"]  # both take their VNI from vxlan.vni
    # Tunnels in order; GRE that carries ERSPAN is one erspan tunnel.
    tunnels, last_tunnel = [], -1
    for i, p in enumerate(stack):
        if p not in ids:
            continue
        if p == "gre" and i + 1 < len(stack) and stack[i + 1] == "erspan":
            continue
        v = ids[p].pop(0) if ids[p] else None
        tunnels.append(f"{p}:{int(v, 0) if v else '-'}")
        last_tunnel = i
    out = {"tunnels": ",".join(tunnels)}

    # Innermost IP: the last ip / ipv6 after the last tunnel.
    inner = stack[last_tunnel + 1:]
    ips = [p for p in inner if p in ("ip", "ipv6")]
    if not ips:
        return out
    fam = ips[-1]
    k = stack.count(fam) - 1  # the innermost header is occurrence k of its family
    if fam == "ip" and min(len(row["ip.src"]), len(row["ip.dst"]), len(row["ip.proto"])) > k:
        out["src"], out["dst"] = row["ip.src"][k], row["ip.dst"][k]
        out["proto"] = str(int(row["ip.proto"][k]))
    elif fam == "ipv6" and min(len(row["ipv6.src"]), len(row["ipv6.dst"])) > k:
        out["src"], out["dst"] = row["ipv6.src"][k], row["ipv6.dst"][k]
        if "ipv6.fraghdr" in inner and row["ipv6.fraghdr.nxt"]:
            out["proto"] = row["ipv6.fraghdr.nxt"][-1]
    after = inner[len(inner) - 1 - inner[::-1].index(fam) + 1:]
    l4 = [p for p in after if p in L4_NUMBERS]
    if l4:
        out.setdefault("proto", str(L4_NUMBERS[l4[0]]))
        if l4[0] in ("tcp", "udp", "sctp") and row[f"{l4[0]}.srcport"]:
            out["sport"] = row[f"{l4[0]}.srcport"][-1]
            out["dport"] = row[f"{l4[0]}.dstport"][-1]
        if l4[0] in ("icmp", "icmpv6") and row[f"{l4[0]}.type"]:
            out["icmp"] = f"{row[l4[0] + '.type'][-1]}/{row[l4[0] + '.code'][-1]}"
    return out


def main():
    if not shutil.which("tshark"):
        print("tshark not found: skipping the oracle check (apt-get install tshark)")
        return 77
    fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "fixtures")
    cache, checked, failures = {}, 0, []
    with open(os.path.join(fixtures, "expected.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split()
            exp = dict(p.split("=", 1) for p in parts[1:])
            if exp.get("oracle", "").startswith("no"):
                continue
            name, idx = parts[0].split("#")
            if name not in cache:
                cache[name] = tshark_rows(os.path.join(fixtures, name))
            got = tshark_view(cache[name][int(idx)])
            checked += 1
            for key in ("tunnels", "src", "dst", "proto", "sport", "dport", "icmp"):
                want = exp.get(key, "-" if key != "tunnels" else "")
                if want == "-" and key not in got:
                    continue
                if key in ("sport", "dport", "icmp", "proto") and want == "-":
                    continue
                have = got.get(key, "-")
                if key in ("src", "dst") and want != "-" and have != "-":
                    want, have = str(ipaddress.ip_address(want)), str(ipaddress.ip_address(have))
                if have != want:
                    failures.append(f"{parts[0]}: {key}: tshark says {have}, expected {want}")
    for msg in failures:
        print("MISMATCH", msg)
    print(f"tshark agrees on {checked - len({m.split(':')[0] for m in failures})} of {checked} "
          f"fixture packets")
    return 1 if failures or checked < 30 else 0


if __name__ == "__main__":
    sys.exit(main())

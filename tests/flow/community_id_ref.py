#!/usr/bin/env python3
"""An independent Community ID v1 implementation, from the spec's rules.

Written from the specification (https://github.com/corelight/community-id-spec,
README: seed, ordered endpoints, protocol, one byte of padding, ports for
TCP, UDP, SCTP, ICMP and ICMPv6; ICMP type/code mapped to ports by Zeek's
tables, one-way types keep their order), with Python's own hashlib SHA-1 and
base64, so it shares no code with src/flow/.  It is the source of the
expected values that tests/flow/test_flowid.c checks the library against.

Usage:
  community_id_ref.py --c-table [OUT]   write the C table of flows and IDs
                                        (tests/flow/community_id_cases.h)
  community_id_ref.py --check-table H   exit 1 when H is not what --c-table
                                        writes now (ctest community_id_cases_fresh)
  community_id_ref.py --baseline DIR    check every entry of the spec's
                                        baseline_{deflt,seed1,nob64}.json in DIR
                                        against this implementation
"""

import base64
import hashlib
import ipaddress
import json
import os
import struct
import sys

# Zeek's request/reply pairs (the spec points at them); other types are one-way.
ICMP4_PAIRS = {8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17}
ICMP6_PAIRS = {128: 129, 129: 128, 130: 131, 131: 130, 133: 134, 134: 133, 135: 136, 136: 135,
               139: 140, 140: 139, 144: 145, 145: 144}
PORT_PROTOS = (1, 6, 17, 58, 132)


def community_id(proto, saddr, daddr, sport=None, dport=None, seed=0, b64=True):
    """The Community ID v1 text.  For ICMP (1) and ICMPv6 (58), sport and
    dport are the message type and code."""
    s = ipaddress.ip_address(saddr).packed
    d = ipaddress.ip_address(daddr).packed
    one_way = False
    if proto in (1, 58):
        pairs = ICMP4_PAIRS if proto == 1 else ICMP6_PAIRS
        if sport in pairs:
            dport = pairs[sport]
        else:
            one_way = True  # sport = type, dport = code, order kept
    has_ports = proto in PORT_PROTOS
    if has_ports and (sport is None or dport is None):
        raise ValueError("protocol %d needs ports" % proto)
    ordered = one_way or s < d or (s == d and has_ports and sport < dport)
    if not ordered:
        s, d = d, s
        sport, dport = dport, sport
    data = struct.pack("!H", seed) + s + d + struct.pack("BB", proto, 0)
    if has_ports:
        data += struct.pack("!HH", sport, dport)
    assert len(data) % 4 == 0
    digest = hashlib.sha1(data).digest()
    if b64:
        return "1:" + base64.b64encode(digest).decode("ascii")
    return "1:" + digest.hex()


# The flows of the C table: (proto, src, dst, sport or type, dport or code).
FLOWS = [
    # TCP, UDP, SCTP, both directions, both families.
    (6, "10.0.0.1", "127.0.0.1", 1234, 80),
    (6, "127.0.0.1", "10.0.0.1", 80, 1234),
    (6, "128.232.110.120", "66.35.250.204", 34855, 80),
    (6, "66.35.250.204", "128.232.110.120", 80, 34855),
    (17, "192.168.1.52", "8.8.8.8", 54585, 53),
    (17, "8.8.8.8", "192.168.1.52", 53, 54585),
    (132, "192.168.170.8", "192.168.170.56", 7, 80),
    (132, "192.168.170.56", "192.168.170.8", 80, 7),
    (6, "2001:db8::1", "2001:db8::2", 443, 51000),
    (6, "2001:db8::2", "2001:db8::1", 51000, 443),
    (17, "fe80::1", "ff02::fb", 5353, 5353),
    (132, "2001:db8:1::10", "2001:db8:1::9", 2905, 2905),
    # Equal addresses: the ports decide, both ways; equal ports too.
    (6, "10.1.1.1", "10.1.1.1", 4000, 22),
    (6, "10.1.1.1", "10.1.1.1", 22, 4000),
    (17, "::1", "::1", 53, 53),
    # Ports 0 and 65535, addresses at the ends of the range.
    (6, "0.0.0.0", "255.255.255.255", 0, 65535),
    (17, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, 0),
    # ICMP request/reply pairs: one flow.
    (1, "192.168.0.89", "192.168.0.1", 8, 0),
    (1, "192.168.0.1", "192.168.0.89", 0, 0),
    (1, "10.0.0.1", "10.0.0.2", 13, 0),
    (1, "10.0.0.2", "10.0.0.1", 14, 0),
    (1, "10.0.0.1", "10.0.0.2", 15, 0),
    (1, "10.0.0.2", "10.0.0.1", 16, 0),
    (1, "10.0.0.1", "224.0.0.2", 10, 0),
    (1, "10.0.0.2", "10.0.0.1", 9, 0),
    (1, "10.0.0.1", "10.0.0.2", 17, 0),
    (1, "10.0.0.2", "10.0.0.1", 18, 0),
    # ICMP one-way: destination unreachable, time exceeded, redirect, codes.
    (1, "192.168.0.1", "192.168.0.89", 3, 3),
    (1, "192.168.0.89", "192.168.0.1", 3, 3),
    (1, "10.9.9.9", "10.0.0.1", 11, 0),
    (1, "10.0.0.1", "10.9.9.9", 5, 1),
    (1, "10.0.0.1", "10.0.0.1", 3, 1),
    # ICMPv6 pairs and one-way types.
    (58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0),
    (58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0),
    (58, "2001:db8::1", "2001:db8::2", 128, 0),
    (58, "2001:db8::2", "2001:db8::1", 129, 0),
    (58, "fe80::1", "ff02::16", 130, 0),
    (58, "fe80::2", "ff02::1", 131, 0),
    (58, "fe80::1", "ff02::2", 133, 0),
    (58, "fe80::2", "fe80::1", 134, 0),
    (58, "2001:db8::1", "2001:db8::2", 139, 0),
    (58, "2001:db8::2", "2001:db8::1", 140, 0),
    (58, "2001:db8::1", "2001:db8::2", 144, 0),
    (58, "2001:db8::2", "2001:db8::1", 145, 0),
    (58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0),
    (58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:1800:2345::2", 1, 4),
    (58, "2001:db8::9", "2001:db8::1", 2, 0),
    # ICMP's numbers under the other protocol are not mapped: ICMPv6 type 8
    # is one-way, ICMP type 128 too.
    (58, "2001:db8::1", "2001:db8::2", 8, 0),
    (1, "10.0.0.1", "10.0.0.2", 128, 0),
    # Protocols without ports: addresses and protocol only, ordered.
    (46, "10.1.1.1", "10.1.1.2", None, None),
    (46, "10.1.1.2", "10.1.1.1", None, None),
    (47, "2001:db8::1", "2001:db8::2", None, None),
    (50, "192.0.2.1", "198.51.100.1", None, None),
    (0, "10.0.0.1", "10.0.0.2", None, None),
    (255, "2001:db8::2", "2001:db8::1", None, None),
]

SEEDS = (0, 1, 65535)


def c_table():
    out = ["/* Generated by tests/flow/community_id_ref.py --c-table: do not edit. */",
           "/* proto, src, dst, sport or ICMP type, dport or ICMP code (-1: none), seed,",
           " * base64 form, hex form. */"]
    for f in FLOWS:
        proto, src, dst, sp, dp = f
        for seed in SEEDS:
            b = community_id(proto, src, dst, sp, dp, seed)
            h = community_id(proto, src, dst, sp, dp, seed, b64=False)
            out.append('{%d, "%s", "%s", %d, %d, %d, "%s", "%s"},' % (
                proto, src, dst, -1 if sp is None else sp, -1 if dp is None else dp, seed, b, h))
    return "\n".join(out) + "\n"


def check_baseline(folder):
    total = bad = 0
    for name, seed, b64 in (("baseline_deflt.json", 0, True), ("baseline_seed1.json", 1, True),
                            ("baseline_nob64.json", 0, False)):
        with open(os.path.join(folder, name)) as f:
            entries = json.load(f)
        for e in entries:
            got = community_id(e["proto"], e["saddr"], e["daddr"], e["sport"], e["dport"],
                               seed, b64)
            total += 1
            if got != e["communityid"]:
                bad += 1
                print("MISMATCH %s: %s -> %s" % (name, e, got))
        print("%s: %d entries" % (name, len(entries)))
    print("%d baseline entries, %d mismatches" % (total, bad))
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "--c-table":
        text = c_table()
        if len(argv) > 2:
            with open(argv[2], "w") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
        return 0
    if len(argv) == 3 and argv[1] == "--check-table":
        with open(argv[2]) as f:
            if f.read() != c_table():
                print("FAIL: %s is not what --c-table writes now: regenerate it" % argv[2])
                return 1
        print("ok: %s is fresh (%d flows x %d seeds)" % (argv[2], len(FLOWS), len(SEEDS)))
        return 0
    if len(argv) == 3 and argv[1] == "--baseline":
        return check_baseline(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

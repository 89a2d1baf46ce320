#!/usr/bin/python3
"""Builds tests/flow/community_id.pcap and community_id.expected: flows of
every kind the Community ID treats differently, each mirrored as AWS does
(VXLAN VNI 77 from 10.0.1.10), with the Community ID each frame must show
in mirrordec --json, for seed 0 and seed 1.

The expected values come from community_id_ref.py (the independent Python
implementation of the spec) applied to the tuples the packets are built
from, not to what mirrordec decodes.  tests/cli/check_community_id.py
holds the CLI to them.

Run with /usr/bin/python3 (python3-scapy); the output is committed.
Usage: gen_cid_pcap.py [OUTPUT_DIR]   (default: this directory)
"""

import os
import struct
import sys

from scapy.all import (ICMP, IP, TCP, UDP, Ether, GRE, IPv6, Raw, conf)
from scapy.layers.inet6 import (ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,
                                ICMPv6ND_NA, ICMPv6ND_NS)
from scapy.layers.sctp import SCTP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import community_id_ref as ref  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def eth():
    return Ether(src="02:00:00:00:01:10", dst="02:00:00:00:01:01")


# (inner packet, proto, src, dst, sport or type, dport or code); proto None:
# no Community ID (a later fragment).
A4, B4 = "10.0.1.10", "192.0.2.80"
A6, B6 = "2001:db8:1::10", "2001:db8:2::80"
CASES = [
    (IP(src=A4, dst=B4) / TCP(sport=51000, dport=443, flags="S"), 6, A4, B4, 51000, 443),
    (IP(src=B4, dst=A4) / TCP(sport=443, dport=51000, flags="SA"), 6, B4, A4, 443, 51000),
    (IPv6(src=A6, dst=B6) / TCP(sport=51001, dport=22, flags="S"), 6, A6, B6, 51001, 22),
    (IPv6(src=B6, dst=A6) / TCP(sport=22, dport=51001, flags="SA"), 6, B6, A6, 22, 51001),
    (IP(src=A4, dst="10.0.0.2") / UDP(sport=53000, dport=53) / Raw(b"q" * 20), 17, A4, "10.0.0.2", 53000, 53),
    (IP(src="10.0.0.2", dst=A4) / UDP(sport=53, dport=53000) / Raw(b"r" * 40), 17, "10.0.0.2", A4, 53, 53000),
    (IP(src=A4, dst=B4) / SCTP(sport=2905, dport=2905), 132, A4, B4, 2905, 2905),
    (IP(src=A4, dst=A4) / TCP(sport=8080, dport=3000, flags="S"), 6, A4, A4, 8080, 3000),
    (IP(src=A4, dst=B4) / ICMP(type=8, id=1, seq=1) / Raw(b"p" * 16), 1, A4, B4, 8, 0),
    (IP(src=B4, dst=A4) / ICMP(type=0, id=1, seq=1) / Raw(b"p" * 16), 1, B4, A4, 0, 0),
    (IP(src=B4, dst=A4) / ICMP(type=3, code=3) / IP(src=A4, dst=B4) / UDP(sport=1, dport=2), 1, B4, A4, 3, 3),
    (IP(src="10.9.9.9", dst=A4) / ICMP(type=11, code=0) / IP(src=A4, dst=B4) / UDP(sport=1, dport=2), 1, "10.9.9.9", A4, 11, 0),
    (IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(id=7, seq=1), 58, A6, B6, 128, 0),
    (IPv6(src=B6, dst=A6) / ICMPv6EchoReply(id=7, seq=1), 58, B6, A6, 129, 0),
    (IPv6(src=A6, dst="ff02::1:ff00:80") / ICMPv6ND_NS(tgt=B6), 58, A6, "ff02::1:ff00:80", 135, 0),
    (IPv6(src=B6, dst=A6) / ICMPv6ND_NA(tgt=B6), 58, B6, A6, 136, 0),
    (IPv6(src=B6, dst=A6) / ICMPv6DestUnreach(code=4) / IPv6(src=A6, dst=B6) / UDP(sport=1, dport=2), 58, B6, A6, 1, 4),
    (IP(src=A4, dst=B4, proto=46) / Raw(b"\x10\x01\x00\x00" + b"\0" * 16), 46, A4, B4, None, None),
    (IP(src=B4, dst=A4) / GRE(proto=0x0800) / IP(src="1.1.1.1", dst="2.2.2.2") / UDP(sport=1, dport=2), 47, B4, A4, None, None),
    (IPv6(src=A6, dst=B6, nh=50) / Raw(b"\x00\x00\x10\x01\x00\x00\x00\x01" + b"e" * 24), 50, A6, B6, None, None),
    # The second fragment of a UDP datagram: no ports, so no Community ID.
    (IP(src=A4, dst=B4, id=99, frag=2, proto=17) / Raw(b"f" * 24), None, None, None, None, None),
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    conf.verb = 0
    recs, lines = [], ["# frame seed-0 seed-1 (gen_cid_pcap.py; '-' no Community ID)"]
    for i, (inner, proto, src, dst, sp, dp) in enumerate(CASES, 1):
        frame = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:09:09") /
                 IP(src="10.0.1.10", dst="10.0.9.9", ttl=254) /
                 UDP(sport=40000 + i, dport=4789, chksum=0) /
                 Raw(struct.pack("!BBHI", 0x08, 0, 0, 77 << 8)) / eth() / inner)
        recs.append(bytes(frame))
        if proto is None:
            lines.append("%d - -" % i)
        else:
            lines.append("%d %s %s" % (i, ref.community_id(proto, src, dst, sp, dp, 0),
                                       ref.community_id(proto, src, dst, sp, dp, 1)))
    with open(os.path.join(out, "community_id.pcap"), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, data in enumerate(recs):
            f.write(struct.pack("<IIII", 1795000100 + i, 0, len(data), len(data)))
            f.write(data)
    with open(os.path.join(out, "community_id.expected"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

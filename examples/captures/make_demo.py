#!/usr/bin/python3
"""Writes demo.pcap: what a mirror target in a small AWS VPC (and a switch
sending ERSPAN, and a Google Cloud collector) receives in a few seconds.

  VNI 101  web-1  ENI 10.0.1.10  HTTPS clients in, DNS to the VPC resolver
  VNI 102  db-1   ENI 10.0.2.20  PostgreSQL from web-1; mirrored along with
                                 web-1's ENI in the same session, so that
                                 conversation arrives twice (once per ENI)
  VNI 103  bastion ENI 10.0.3.30 SSH and ICMP, PacketLength 64: truncated
  VNI 101  a forged copy from 203.0.113.66 (not an ENI of the VPC)
  GENEVE   a Gateway Load Balancer stream (endpoint id option, bare IPv4),
           and AWS mirroring behind a GWLB (GENEVE, then VXLAN VNI 104)
  ERSPAN   type II session 42 and type III session 7 from a switch
  GENEVE   Google Cloud packet mirroring (class 0x0132 options)
  noise    ARP and the sensor's own SSH session
  then, for the health report (mirrordec --report): HTTP/3 (QUIC) to web-1,
  VNI 105 app-2 (SSH, and a TLS download of which the mirror lost 10 %),
  VNI 106 db-2 mirrored in one direction only

Run with /usr/bin/python3 (python3-scapy); the output is committed and
deterministic (fixed seed, fixed timestamps).
"""

import os
import random
import struct
import zlib

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, GRE, IPv6, Raw, conf)
from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III
from scapy.contrib.geneve import GENEVE, GeneveOptions
from scapy.layers.dns import DNS, DNSQR

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = "10.0.9.9"
TARGET_MAC, SENSOR_GW = "02:00:00:00:09:09", "02:00:00:00:00:01"
rnd = random.Random(20261122)
lag = random.Random(1302)  # the second copy's delay: its own stream, so rnd is unchanged
records = []
clock = [1_795_000_000.0]


def emit(pkt, cut=None, second_copy=False):
    """Records pkt after a random pause; a second copy of the previous
    packet (the other ENI's mirror) arrives 20 to 150 microseconds after the
    first instead, as the two copies of one packet do."""
    data = bytes(pkt)
    wire = len(data)
    t = clock[0] + lag.uniform(0.00002, 0.00015) if second_copy else None
    clock[0] += rnd.uniform(0.0005, 0.02)
    if cut is not None:
        data = data[:cut]
    records.append((t if second_copy else clock[0], data, wire))


def vxlan_hdr(vni):
    return Raw(struct.pack("!BBHI", 0x08, 0, 0, vni << 8))


def mirror(vni, eni, frame, packet_length=None, src=None, second_copy=False):
    """An AWS VPC Traffic Mirroring copy of `frame` (taken at ENI `eni`)."""
    b = bytes(frame)
    if packet_length is not None:
        b = b[:packet_length]
    sport = 1024 + zlib.crc32(b[26:38]) % 60000  # AWS: a hash of the 5-tuple
    emit(Ether(src=SENSOR_GW, dst=TARGET_MAC) / IP(src=src or eni, dst=TARGET, ttl=254) /
         UDP(sport=sport, dport=4789, chksum=0) / vxlan_hdr(vni) / Raw(b), second_copy=second_copy)


def rnd_bytes(n):
    return bytes(rnd.randrange(256) for _ in range(n))


def tls(ctype, version, hs_type, body):
    """A TLS record (RFC 8446 5.1) whose header replaces the first bytes of
    body, so that the record is as long as body plus three bytes."""
    b = bytearray(body)
    b[0:2] = struct.pack("!H", len(body) - 2)
    if hs_type is not None:
        b[2] = hs_type
    return struct.pack("!BH", ctype, version) + bytes(b)


def eth(a="02:00:00:00:01:10", b="02:00:00:00:01:01"):
    return Ether(src=a, dst=b)


def tcp_conv(client, server, cport, sport, payloads, on):
    """A TCP conversation; on(frame, outbound) is called for each packet."""
    seq_c, seq_s = rnd.randrange(1 << 31), rnd.randrange(1 << 31)
    on(eth() / IP(src=client, dst=server) / TCP(sport=cport, dport=sport, flags="S", seq=seq_c), True)
    on(eth() / IP(src=server, dst=client) / TCP(sport=sport, dport=cport, flags="SA", seq=seq_s, ack=seq_c + 1), False)
    seq_c += 1
    seq_s += 1
    on(eth() / IP(src=client, dst=server) / TCP(sport=cport, dport=sport, flags="A", seq=seq_c, ack=seq_s), True)
    for who, data in payloads:
        if who == "c":
            on(eth() / IP(src=client, dst=server) / TCP(sport=cport, dport=sport, flags="PA", seq=seq_c, ack=seq_s) / Raw(data), True)
            seq_c += len(data)
        else:
            on(eth() / IP(src=server, dst=client) / TCP(sport=sport, dport=cport, flags="PA", seq=seq_s, ack=seq_c) / Raw(data), False)
            seq_s += len(data)
    on(eth() / IP(src=client, dst=server) / TCP(sport=cport, dport=sport, flags="FA", seq=seq_c, ack=seq_s), True)
    on(eth() / IP(src=server, dst=client) / TCP(sport=sport, dport=cport, flags="FA", seq=seq_s, ack=seq_c + 1), False)


def build():
    web, db, bastion = "10.0.1.10", "10.0.2.20", "10.0.3.30"

    # web-1: HTTPS from the internet (through a load balancer, so the peers
    # are the ALB's addresses) and DNS to the VPC resolver 10.0.0.2.
    for i in range(4):
        client = f"10.0.0.{100 + i}"
        tcp_conv(client, web, 40000 + i, 443,
                 [("c", tls(22, 0x0301, 1, rnd_bytes(180))), ("s", tls(22, 0x0303, 2, rnd_bytes(900))),
                  ("c", tls(23, 0x0303, None, rnd_bytes(60)))],
                 lambda f, out: mirror(101, web, f))
        q = eth() / IP(src=web, dst="10.0.0.2") / UDP(sport=50000 + i, dport=53) / DNS(rd=1, qd=DNSQR(qname=f"api{i}.example.com"))
        mirror(101, web, q)
        mirror(101, web, eth() / IP(src="10.0.0.2", dst=web) / UDP(sport=53, dport=50000 + i) /
               DNS(qr=1, qd=DNSQR(qname=f"api{i}.example.com")))

    # db-1 and web-1 are both mirrored into session 102 while web-1 talks to
    # PostgreSQL: every packet of that conversation arrives twice, the
    # receiving ENI's copy a little after the sending ENI's (mirrordec
    # --dedup removes it).
    def both(f, out):
        mirror(102, web if out else db, f)
        mirror(102, db if out else web, f, second_copy=True)
    tcp_conv(web, db, 51000, 5432, [("c", b"Q\x00\x00\x00\x1aSELECT 1;\x00" + b"x" * 8),
                                    ("s", b"T" + b"\x00" * 40)], both)

    # The bastion is mirrored with PacketLength 64.
    tcp_conv("198.51.100.23", bastion, 52222, 22,
             [("s", b"SSH-2.0-OpenSSH_9.6\r\n"), ("c", b"SSH-2.0-OpenSSH_9.2\r\n"),
              ("c", bytes(rnd.randrange(256) for _ in range(1200))),
              ("s", bytes(rnd.randrange(256) for _ in range(1400)))],
             lambda f, out: mirror(103, bastion, f, packet_length=64))
    for k in range(3):
        mirror(103, bastion, eth() / IP(src=bastion, dst="10.0.1.10") / ICMP(id=7, seq=k) / Raw(b"p" * 56), packet_length=64)
        mirror(103, bastion, eth() / IP(src="10.0.1.10", dst=bastion) / ICMP(type=0, id=7, seq=k) / Raw(b"p" * 56), packet_length=64)

    # Someone outside the VPC sends VXLAN to the target with web-1's VNI.
    mirror(101, web, eth() / IP(src="10.0.1.99", dst=web) / TCP(sport=6666, dport=22, flags="S"),
           src="203.0.113.66")

    # A Gateway Load Balancer sends an inline appliance's traffic.
    endpoint = bytes.fromhex("0000000a1b2c3d4e")
    for i in range(6):
        outbound = i % 2 == 0
        inner = (IP(src="10.0.4.40", dst="198.51.100.80") / TCP(sport=45000, dport=443, flags="PA") / Raw(b"q" * 80)
                 if outbound else
                 IP(src="198.51.100.80", dst="10.0.4.40") / TCP(sport=443, dport=45000, flags="PA") / Raw(b"r" * 300))
        opts = [GeneveOptions(classid=0x0108, type=1, length=2, data=endpoint),
                GeneveOptions(classid=0x0108, type=2, length=2, data=bytes.fromhex("00000000deadbeef")),
                GeneveOptions(classid=0x0108, type=3, length=1, data=struct.pack("!I", 0x5eed0001))]
        emit(Ether(src=SENSOR_GW, dst=TARGET_MAC) / IP(src="10.0.8.8", dst=TARGET) /
             UDP(sport=33000 + i, dport=6081) / GENEVE(proto=0x0800, vni=0, options=opts) / inner)
    # AWS mirroring behind a GWLB: VNI 104 inside GENEVE.
    for i in range(3):
        frame = eth() / IP(src="10.0.5.50", dst="10.0.0.200") / UDP(sport=123, dport=123) / Raw(b"\x23" + b"\0" * 47)
        inner = IP(src="10.0.5.50", dst=TARGET) / UDP(sport=47000, dport=4789, chksum=0) / vxlan_hdr(104) / frame
        emit(Ether(src=SENSOR_GW, dst=TARGET_MAC) / IP(src="10.0.8.8", dst=TARGET) / UDP(sport=34000, dport=6081) /
             GENEVE(proto=0x0800, vni=0, options=[GeneveOptions(classid=0x0108, type=1, length=2,
                                                                data=bytes.fromhex("0000000a1b2c3d4f"))]) / inner)

    # A switch mirrors a port with ERSPAN type II (session 42, VLAN 20) and
    # type III (session 7, IPv6 inside).
    for k in range(4):
        inner = Ether(src="00:11:22:33:44:55", dst="00:11:22:33:44:66") / Dot1Q(vlan=20) / \
            IP(src="172.16.20.5", dst="172.16.20.9") / UDP(sport=5060, dport=5060) / Raw(b"INVITE sip:x SIP/2.0\r\n")
        emit(Ether(src=SENSOR_GW, dst=TARGET_MAC) / IP(src="192.168.255.1", dst=TARGET) /
             GRE(seqnum_present=1, sequence_number=k, proto=0x88BE) / ERSPAN_II(ver=1, session_id=42, vlan=20, index=3) / inner)
        inner6 = Ether(src="00:11:22:33:44:55", dst="00:11:22:33:44:66") / \
            IPv6(src="2001:db8:20::5", dst="2001:db8:20::9") / TCP(sport=179, dport=40001, flags="A")
        emit(Ether(src=SENSOR_GW, dst=TARGET_MAC) / IP(src="192.168.255.1", dst=TARGET) /
             GRE(proto=0x22EB) / ERSPAN_III(ver=2, session_id=7, ft=0, timestamp=1000 * k) / inner6)

    # Google Cloud packet mirroring (out-of-band, GENEVE with Google options).
    for k in range(2):
        opts = [GeneveOptions(classid=0x0132, type=1, length=1, data=struct.pack("!I", (0x8a1 << 4) | (k & 1))),
                GeneveOptions(classid=0x0132, type=3, length=2, data=struct.pack("!Q", 77))]
        inner = IP(src="10.128.0.5", dst="10.128.0.9") / TCP(sport=8080, dport=55000 + k, flags="A")
        emit(Ether(src=SENSOR_GW, dst=TARGET_MAC) / IP(src="10.128.0.254", dst=TARGET) /
             UDP(sport=62974, dport=6081, chksum=0) / GENEVE(proto=0x0800, vni=0, options=opts) / inner)

    # Noise on the sensor's interface.
    emit(Ether(src=SENSOR_GW, dst="ff:ff:ff:ff:ff:ff") / ARP(hwsrc=SENSOR_GW, psrc="10.0.9.1", pdst=TARGET))
    emit(Ether(src=SENSOR_GW, dst=TARGET_MAC) / IP(src="10.0.0.5", dst=TARGET) / TCP(sport=60000, dport=22, flags="PA") / Raw(b"k" * 48))

    # --- Added for the mirror-health report (mirrordec --report); appended
    # so that every frame above keeps its number.
    # web-1 also serves HTTP/3: a QUIC v1 Initial (padded to 1200 bytes) and
    # short-header packets.
    quic_client, dcid, scid = "10.0.0.104", rnd_bytes(8), rnd_bytes(8)
    for who, data in (("c", b"\xc3\x00\x00\x00\x01\x08" + dcid + b"\x08" + scid + b"\x00\x44\x8a" + rnd_bytes(1162)),
                      ("s", b"\xc1\x00\x00\x00\x01\x08" + scid + b"\x08" + dcid + b"\x00\x40\x96" + rnd_bytes(150)),
                      ("s", b"\x41" + dcid + rnd_bytes(700)), ("c", b"\x41" + scid + rnd_bytes(40)),
                      ("s", b"\x41" + dcid + rnd_bytes(1100))):
        src, dst, sp, dp = (quic_client, web, 41000, 443) if who == "c" else (web, quic_client, 443, 41000)
        mirror(101, web, eth() / IP(src=src, dst=dst) / UDP(sport=sp, dport=dp) / Raw(data))

    # app-2 (VNI 105, ENI 10.0.6.60): an administrator's SSH session (the
    # key exchange in clear, then encrypted) and a TLS download during
    # which the mirror target was overloaded: AWS dropped 4 of its 40 data
    # segments (10 % of the answer's bytes), which the client's ACKs give away.
    app2, admin = "10.0.6.60", "10.0.0.150"

    def ssh_pkt(msg, body):
        pad = 8 - (5 + 1 + len(body)) % 8
        pad += 8 if pad < 4 else 0
        return struct.pack("!IBB", 1 + 1 + len(body) + pad, pad, msg) + body + rnd_bytes(pad)
    tcp_conv(admin, app2, 53000, 22,
             [("s", b"SSH-2.0-OpenSSH_9.2p1\r\n"), ("c", b"SSH-2.0-OpenSSH_9.6\r\n"),
              ("c", ssh_pkt(20, rnd_bytes(16) + b"\x00\x00\x00\x11curve25519-sha256" + b"\x00" * 60)),
              ("s", ssh_pkt(20, rnd_bytes(16) + b"\x00\x00\x00\x11curve25519-sha256" + b"\x00" * 60)),
              ("c", ssh_pkt(30, rnd_bytes(36))), ("s", ssh_pkt(31, rnd_bytes(300)) + ssh_pkt(21, b"")),
              ("c", ssh_pkt(21, b"")), ("c", rnd_bytes(64)), ("s", rnd_bytes(600)), ("c", rnd_bytes(48)),
              ("s", rnd_bytes(900))],
             lambda f, out: mirror(105, app2, f))
    client, seq_c, seq_s = "10.0.0.160", 7000, 900000

    def seg(from_client, flags, payload=b""):
        src, dst, sp, dp = (client, app2, 54000, 443) if from_client else (app2, client, 443, 54000)
        return eth() / IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags=flags,
                                                   seq=seq_c if from_client else seq_s,
                                                   ack=seq_s if from_client else seq_c) / Raw(payload)
    mirror(105, app2, seg(True, "S"))
    seq_c += 1
    seq_s -= 1
    mirror(105, app2, seg(False, "SA"))
    seq_s += 1
    hello = tls(22, 0x0301, 1, rnd_bytes(200))
    mirror(105, app2, seg(True, "PA", hello))
    seq_c += len(hello)
    lost = {9, 10, 23, 31}
    for k in range(40):
        rec = tls(23, 0x0303, None, rnd_bytes(397))
        if k not in lost:
            mirror(105, app2, seg(False, "A", rec))
        seq_s += len(rec)
        if k % 2 == 1:
            mirror(105, app2, seg(True, "A"))
    mirror(105, app2, seg(False, "FA"))
    seq_s += 1
    mirror(105, app2, seg(True, "FA"))
    seq_c += 1
    mirror(105, app2, seg(False, "A"))

    # db-2 (VNI 106, ENI 10.0.7.70) is mirrored in one direction only (a
    # filter that accepts ingress traffic alone): its ACKs prove nothing.
    db2 = "10.0.7.70"
    for k in range(4):
        mirror(106, db2, eth() / IP(src=web, dst=db2) /
               TCP(sport=51500, dport=5432, flags="PA", seq=100 + 30 * k, ack=5000 + 200 * k) /
               Raw(b"Q\x00\x00\x00\x19SELECT now();\x00" + b"\x00" * 10))


def write(path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, data, wire in records:
            sec = int(t)
            f.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(data), wire))
            f.write(data)


if __name__ == "__main__":
    conf.verb = 0
    build()
    write(os.path.join(HERE, "demo.pcap"))
    print(f"{len(records)} packets written to demo.pcap")

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
                 [("c", b"\x16\x03\x01" + bytes(rnd.randrange(256) for _ in range(180))),
                  ("s", b"\x16\x03\x03" + bytes(rnd.randrange(256) for _ in range(900))),
                  ("c", b"\x17\x03\x03" + bytes(rnd.randrange(256) for _ in range(60)))],
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

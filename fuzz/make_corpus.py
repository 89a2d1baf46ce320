#!/usr/bin/python3
"""Builds the fuzz targets' seed corpora from the test fixtures.

Every packet of tests/fixtures/*.pcap becomes a fuzz_decode input: the
settings bytes fuzz_decode reads (link type, decoder settings as
tests/fixtures/expected.txt gives them for that packet, lengths) followed by
the frame.  Each packet also gets one variant with other settings (strict and
source-port matching, another depth, a wire length below or above the
captured length, a DLT_RAW alias), and a few inputs exercise port-map
changes and invalid link types.  Packets whose outermost tunnel rides on UDP
give fuzz_decode_udp inputs (their UDP payload with the datagram's ports and
addresses as struct mdec_udp_meta), and GENEVE packets give
fuzz_geneve_options inputs (their option bytes), both with variants and a few
hand-made inputs.  The input formats are described in fuzz/README.md and at
the top of each fuzz/fuzz_<name>.c.

Files are named by the SHA-1 of their content, as libFuzzer names its own,
so running this again writes the same files.  Only the standard library is
used (the pcaps are read with struct); run with /usr/bin/python3.

Usage: make_corpus.py [--clean]   (--clean first removes every file in the
three corpus directories, dropping inputs merged in from fuzzing runs)
"""

import glob
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
CORPUS = os.path.join(HERE, "corpus")

# fuzz_decode.c's linktypes[], in order.
LINKTYPES = [1, 101, 113, 228, 229, 276, 12, 14, 0, 147]
LINK_ETHERNET, LINK_RAW, LINK_SLL, LINK_IPV4, LINK_IPV6, LINK_SLL2 = 1, 101, 113, 228, 229, 276

# Settings byte bits (fuzz_take_config in fuzz_check.c).
STRICT, SRC_PORT, CLEAR_PORTS = 1, 2, 4
# Tunnel types as mdec_config_set_port takes them.
NONE, VXLAN, VXLAN_GPE, GENEVE = 0, 1, 2, 3
DEFAULT_PORTS = {4789: VXLAN, 8472: VXLAN, 4790: VXLAN_GPE, 6081: GENEVE}
# Wire length modes (fuzz_take_lengths).
W_EQUAL, W_PLUS, W_MINUS, W_ABS = 0, 1, 2, 3


def read_pcap(path):
    """(linktype, [(caplen, wirelen, bytes)]) of a classic pcap file."""
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("%s: not a classic pcap file" % path)
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    pos, recs = 24, []
    while pos < len(data):
        _, _, cap, wire = struct.unpack(e + "IIII", data[pos:pos + 16])
        recs.append((cap, wire, data[pos + 16:pos + 16 + cap]))
        pos += 16 + cap
    return linktype, recs


def read_expected():
    """{"file.pcap#N": {key: value}} from expected.txt."""
    out = {}
    for line in open(os.path.join(FIXTURES, "expected.txt")):
        if line.startswith("#") or not line.strip():
            continue
        words = line.split()
        out[words[0]] = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    return out


def config(flags=0, depth=4, changes=()):
    """fuzz_take_config's bytes: flags, max_depth, then (port, type) changes
    (0, 1, 2 or 16 of them: the count field's 3 means 16)."""
    k = {0: 0, 1: 1, 2: 2, 16: 3}[len(changes)]
    out = bytes([flags | k << 3, depth])
    for port, ttype in changes:
        out += struct.pack("!HB", port, ttype)
    return out


def lengths(cap, wire, cut):
    """fuzz_take_lengths's bytes for a frame of cap bytes, wire on the wire."""
    if wire == cap:
        mode, value = W_EQUAL, 0
    elif wire > cap:
        mode, value = W_PLUS, wire - cap
    else:
        mode, value = W_MINUS, cap - wire
    return struct.pack("!BIH", mode, value, cut & 0xFFFF)


TRUST_ALL = 0x80  # fuzz_take_config: every tunnel type a transport from anywhere


def fixture_config(exp):
    """(flags, depth) that reproduce a fixture's cfg= setting; a declared
    transport becomes 'every tunnel trusted', which peels the same stacks."""
    flags, depth = 0, 4
    for item in filter(None, exp.get("cfg", "").split("+")):
        if item == "strict":
            flags |= STRICT
        elif item.startswith("depth"):
            depth = (depth & TRUST_ALL) | int(item[5:])
        elif item.startswith("transport:"):
            depth |= TRUST_ALL
    return flags, depth


# ------------------------------------------------------------ packet parsing

def outer_udp(linktype, frame):
    """The outermost UDP datagram of a frame: (src, dst, sport, dport,
    payload_offset, payload_wire_len), src/dst as (family, bytes), or None."""
    off, ethertype = 0, None
    if linktype == LINK_ETHERNET:
        if len(frame) < 14:
            return None
        ethertype, off = struct.unpack("!H", frame[12:14])[0], 14
        while ethertype in (0x8100, 0x88A8, 0x9100) and len(frame) >= off + 4:
            ethertype, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
    elif linktype == LINK_SLL:
        ethertype, off = struct.unpack("!H", frame[14:16])[0], 16
    elif linktype == LINK_SLL2:
        ethertype, off = struct.unpack("!H", frame[0:2])[0], 20
    elif linktype in (LINK_RAW, LINK_IPV4, LINK_IPV6):
        ethertype = 0x0800 if frame[0] >> 4 == 4 else 0x86DD
    if ethertype == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0F) * 4
        total = struct.unpack("!H", frame[off + 2:off + 4])[0]
        if frame[off + 9] != 17 or struct.unpack("!H", frame[off + 6:off + 8])[0] & 0x1FFF:
            return None
        src, dst = (4, frame[off + 12:off + 16]), (4, frame[off + 16:off + 20])
        ip_end = off + total if total else None
        off += ihl
    elif ethertype == 0x86DD and len(frame) >= off + 40:
        plen, nh = struct.unpack("!HB", frame[off + 4:off + 7])
        src, dst = (6, frame[off + 8:off + 24]), (6, frame[off + 24:off + 40])
        ip_end = off + 40 + plen if plen else None
        off += 40
        while nh in (0, 43, 60) and len(frame) >= off + 2:
            nh, hl = frame[off], frame[off + 1]
            off += (hl + 1) * 8
        if nh != 17:
            return None
    else:
        return None
    if len(frame) < off + 8:
        return None
    sport, dport, ulen = struct.unpack("!HHH", frame[off:off + 6])
    if ulen == 0:  # GSO: the IP length, or the frame, stands in
        ulen = (ip_end - off) if ip_end else None
    return src, dst, sport, dport, off + 8, (ulen - 8) if ulen else None


# ------------------------------------------------------------------- inputs

class Corpus:
    def __init__(self, name):
        self.dir = os.path.join(CORPUS, name)
        self.inputs = set()

    def add(self, data):
        self.inputs.add(bytes(data))

    def write(self, clean):
        os.makedirs(self.dir, exist_ok=True)
        if clean:
            for f in glob.glob(os.path.join(self.dir, "*")):
                os.remove(f)
        for data in sorted(self.inputs):
            name = hashlib.sha1(data).hexdigest()
            with open(os.path.join(self.dir, name), "wb") as f:
                f.write(data)
        size = sum(len(d) for d in self.inputs)
        print("%s: %d inputs, %d bytes" % (os.path.relpath(self.dir), len(self.inputs), size))


def decode_input(linktype, flags, depth, cap, wire, cut, frame, changes=()):
    return (bytes([LINKTYPES.index(linktype)]) + config(flags, depth, changes) +
            lengths(cap, wire, cut) + frame)


def udp_meta(sport, dport, src, dst):
    fam = {None: 0, 4: 1, 6: 2}
    out = struct.pack("!HHB", sport, dport, fam[src[0] if src else None] |
                      fam[dst[0] if dst else None] << 2)
    return out + (src[1] if src else b"") + (dst[1] if dst else b"")


def geneve_input(flags, length, cap, opts):
    return struct.pack("!BHH", flags, length, cap) + opts


def build():
    expected = read_expected()
    dec, udp, gen = Corpus("decode"), Corpus("decode_udp"), Corpus("geneve_options")
    n = 0
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.pcap"))):
        linktype, recs = read_pcap(path)
        for i, (cap, wire, frame) in enumerate(recs, 1):
            exp = expected.get("%s#%d" % (os.path.basename(path), i), {})
            flags, depth = fixture_config(exp)
            # The fixture as the unit test decodes it, cut in the middle.
            dec.add(decode_input(linktype, flags, depth, cap, wire, cap // 2, frame))
            # Every tunnel trusted: nested stacks are peeled through.
            dec.add(decode_input(linktype, flags, depth | TRUST_ALL, cap, wire, cap - 1, frame))
            # One variant, turn by turn.
            kind = n % 5
            if kind == 0:
                dec.add(decode_input(linktype, flags ^ STRICT | SRC_PORT, depth, cap, wire,
                                     cap - 1, frame))
            elif kind == 1:
                dec.add(decode_input(linktype, flags, (0, 1, 9, 255)[n // 5 % 4], cap, wire,
                                     cap * 3 // 4, frame))
            elif kind == 2:
                dec.add(decode_input(linktype, flags, depth, cap, max(cap - 7, 1), cap // 3,
                                     frame))
            elif kind == 3:
                dec.add(decode_input(linktype, flags, depth, cap, wire + 1500, cap - 1, frame))
            else:
                alias = {LINK_RAW: 12, LINK_IPV4: 14}.get(linktype, linktype)
                dec.add(decode_input(alias, flags | STRICT, depth, cap, wire, cap // 4, frame))
            n += 1

            # Its UDP payload, when the outermost tunnel rides on UDP.
            u = outer_udp(linktype, frame)
            if u is None:
                continue
            src, dst, sport, dport, poff, pwire = u
            if dport not in DEFAULT_PORTS:
                continue
            payload = frame[poff:poff + pwire] if pwire is not None else frame[poff:]
            pcap_ = len(payload)
            pwire = pwire if pwire is not None else pcap_ + (wire - cap)
            udp.add(config(flags, depth) + lengths(pcap_, pwire, pcap_ // 2) +
                    udp_meta(sport, dport, src, dst) + payload)
            if n % 2:
                # Unknown sender, matched by the source port only.
                udp.add(config(SRC_PORT, depth) + lengths(pcap_, pwire, pcap_ - 1) +
                        udp_meta(dport, 40000, None, None) + payload)

            # GENEVE options.
            if DEFAULT_PORTS[dport] == GENEVE and len(payload) >= 8:
                olen = (payload[0] & 0x3F) * 4
                opts = payload[8:8 + olen]
                gen.add(geneve_input(0, olen, len(opts), opts))
                if olen >= 4:
                    gen.add(geneve_input(4, olen, len(opts) - 3, opts))  # truncated, strict
                    gen.add(geneve_input(0, olen - 4, len(opts), opts))  # runs past len

    # Port map changes: remap, remove, clear; every change kind once.
    vx = read_pcap(os.path.join(FIXTURES, "aws_vxlan.pcap"))[1][0]
    v8472 = read_pcap(os.path.join(FIXTURES, "vxlan_8472.pcap"))[1][0]
    gw = read_pcap(os.path.join(FIXTURES, "gwlb.pcap"))[1][2]
    for frame, changes, flags in (
            (vx[2], [(4789, GENEVE)], 0),                        # VXLAN read as GENEVE
            (vx[2], [(4789, NONE)], 0),                          # not a tunnel any more
            (vx[2], [(4789, 5), (4789, 4)], 0),                  # invalid types: refused
            (v8472[2], [(8472, VXLAN)], CLEAR_PORTS),            # a list of one's own
            (v8472[2], [(8472, VXLAN_GPE), (49152, VXLAN)], SRC_PORT),
            (gw[2], [(6081, GENEVE), (1, VXLAN)], CLEAR_PORTS),
            # Fill the table (4 defaults + 12), then be refused, remove one,
            # replace one.
            (vx[2], [(p, VXLAN) for p in range(100, 113)] + [(200, GENEVE), (105, NONE),
                                                            (4789, VXLAN_GPE)], 0)):
        dec.add(decode_input(LINK_ETHERNET, flags, 4, len(frame), len(frame), len(frame) // 2,
                             frame, changes))
    # Link types mirrordec does not decode, and a frame of 4 GiB on the wire.
    for lt in (0, 147):
        dec.add(decode_input(lt, 0, 4, len(vx[2]), len(vx[2]), 10, vx[2]))
    dec.add(struct.pack("!B", 0) + config() + struct.pack("!BIH", W_PLUS, 0xFFFFFFFF, 20) + vx[2])
    dec.add(decode_input(LINK_ETHERNET, 0, 4, 0, 0, 0, b""))

    # Hand-made GENEVE options: AWS GWLB and Google Cloud sets, a critical
    # option, reserved bits, the longest option, lengths beyond 32 bits, NULL.
    aws = (struct.pack("!HBB", 0x0108, 1, 2) + bytes(range(8)) +
           struct.pack("!HBB", 0x0108, 2, 2) + bytes(range(8, 16)) +
           struct.pack("!HBB", 0x0108, 3, 1) + b"\xc0\xff\xee\x01")
    gcp = (struct.pack("!HBB", 0x0132, 1, 1) + struct.pack("!I", 0x1234561) +
           struct.pack("!HBB", 0x0132, 2, 4) + bytes(16) +
           struct.pack("!HBB", 0x0132, 3, 2) + struct.pack("!Q", 0x1234))
    odd = (struct.pack("!HBB", 0x0108, 1, 1) + bytes(4) +                   # wrong length
           struct.pack("!HBB", 0xFFFF, 0x80, 0xE0) +                        # critical, R bits
           struct.pack("!HBB", 0x0101, 0x7F, 0x1F) + bytes(124))            # longest option
    for opts in (aws, gcp, odd, aws + gcp):
        gen.add(geneve_input(0, len(opts), len(opts), opts))
    gen.add(geneve_input(4, len(odd), len(odd), odd))
    gen.add(geneve_input(0, 0, 0, b""))
    gen.add(geneve_input(1, 8, len(aws), aws))    # 2^32 + 7 bytes stated
    gen.add(geneve_input(2, len(aws), len(aws), aws))  # NULL options
    return (dec, udp, gen) + build_text_targets()


def build_text_targets():
    """Seeds of the parsers of user text: rule files, AWS JSON, session
    operations, addresses and keys."""
    text, js, ops, tp = (Corpus("filter_text"), Corpus("filter_json"), Corpus("session_ops"),
                         Corpus("text_parsers"))
    rules = [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(ROOT, "tests", "golden", "*.txt")))]
    rules.append(b"# AWS-like\r\ningress 100 accept tcp 0.0.0.0/0 10.0.0.0/16 dport 443\r\n"
                 b"egress  100 accept all any any\n"
                 b"amazon-dns mirror\namazon-dns-resolver 10.0.0.2\nunknown-direction reject\n"
                 b"ingress 200 reject udp ::/0 2001:db8::/32 sport 1-1023 vni 5-7 complete\n")
    for i, r in enumerate(rules):
        text.add(bytes([63, i & 7]) + r)
        text.add(bytes([1, 3]) + r)  # a filter too small
    for p in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "aws", "*.json"))) + \
            sorted(glob.glob(os.path.join(ROOT, "tests", "golden", "*.json"))):
        doc = open(p, "rb").read()
        if len(doc) < 20000:
            js.add(bytes([63, 0]) + doc)
            js.add(bytes([63, 7]) + doc)
    # Session operations: add, find, walk with a removal, process, clear.
    def key(kind, idb, flags=0x08):
        return bytes([kind | flags, idb])
    seq = bytearray([8, 2])  # capacity 9, learn
    for k in range(6):
        seq += bytes([0]) + key(1, k)
    seq += bytes([2]) + key(1, 3) + bytes([3]) + key(1, 2) + bytes([4 | (1 << 3)])
    seq += bytes([6]) + key(1, 9) + bytes([6]) + key(0, 0, 0) + bytes([7, 5, 7])
    ops.add(bytes(seq))
    ops.add(bytes([0, 1]) + bytes([0]) + key(6, 0xAB, 0x28) + bytes([0]) + key(4, 0, 0x18) + bytes([7]))
    ops.add(bytes([31, 0]) + b"".join(bytes([o % 8]) + key(o % 7, o) for o in range(64)))
    for t in (b"192.0.2.1", b"2001:db8::1", b"::ffff:192.0.2.1", b"fe80::1:2:3:4"):
        tp.add(b"\0" + t)
    for t in (b"10.0.0.0/8", b"2001:db8::/32", b"0.0.0.0/0", b"::/128"):
        tp.add(b"\1" + t)
    for t in (b"vxlan:123", b"gwlb:0x0123456789abcdef", b"erspan:-", b"none", b"4095",
              b"geneve:16777215", b"gre:0xffffffff"):
        tp.add(b"\2" + t)
    return text, js, ops, tp


def build_json_tokens():
    """Seeds of fuzz_json_tokens: byte 0 the containers already open, then
    a document (the AWS JSON of the tests, and the corners of RFC 8259)."""
    jt = Corpus("json_tokens")
    docs = [open(p, "rb").read() for p in
            sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "aws", "*.json"))) +
            sorted(glob.glob(os.path.join(ROOT, "tests", "golden", "*.json")))]
    docs += [b'\xef\xbb\xbf{"a": [1, -0, 0.5e-3, 1E+2, -12.25, 99999999999999999999999]}\r\n',
             b'["\\u00e9\\ud83d\\ude00\\ud800x", "\\b\\f\\n\\r\\t\\"\\\\\\/", "\xc3\xa9\xff"]',
             b'{"":{}, " ":[], "k":[true,false,null,{"x":[[]]}]}',
             b'  "just a string"  ', b'0', b'-', b'01', b'1.', b'1e', b'[1,]', b'{"a":1,}',
             b'{"a" 1}', b'[1 2]', b'"\x01"', b'"\\x"', b'"\\u12G4"', b'nul', b'[] x',
             b'[' * 64 + b']' * 64, b'[' * 65 + b']' * 65, b'{"a":' * 30 + b'1' + b'}' * 30]
    for d in docs:
        if len(d) < 20000:
            jt.add(bytes([0]) + d)
    jt.add(bytes([63]) + b'[[1]]')  # one container of room only
    jt.add(bytes([64]) + b'[]')     # none
    jt.add(bytes([62]) + b'{"a": [1]}')
    return (jt,)


def build_trust():
    """Seeds of fuzz_trust: tunnel stacks (see fuzz_trust.c for the bytes)."""
    tr = Corpus("trust")
    VX, GPE, GEN, GWLB, GRE, ER2, ER3 = range(7)
    ATT, GW, ENI, OTHER, GW2, DOC = range(6)

    def layer(t, src, idx=0):  # idx: 0 -> id 101, 1 -> 999, 2 -> 7, 3 -> 0xABCDEF
        return bytes([t | src << 3 | idx << 6])

    def seed(depth, flags, transports, layers):
        return bytes([depth, flags | len(transports)]) + b"".join(transports) + \
            bytes([len(layers) - 1]) + b"".join(layers)

    gwlb_transport = bytes([3, 0xF0])  # GENEVE from 10.9.0.0/16
    genuine = [layer(GWLB, GW, 1), layer(VX, ENI)]
    tr.add(seed(4, 0, [gwlb_transport], genuine))
    tr.add(seed(4, 0, [], genuine))
    tr.add(seed(4, 4, [gwlb_transport], genuine))  # through the socket path
    tr.add(seed(4, 8, [gwlb_transport], genuine))  # strict
    tr.add(seed(1, 0, [gwlb_transport], genuine))  # max_depth 1
    tr.add(seed(4, 0, [gwlb_transport], [layer(GWLB, GW, 1), layer(VX, OTHER), layer(VX, ENI)]))
    for t in range(7):  # the attacker wraps web-1's packet in each type
        tr.add(seed(8, 0, [gwlb_transport], [layer(t, ATT), layer(t, GW), layer(VX, ENI)]))
    # a chain of VXLAN transports from 10.0.0.0/8, deeper than max_depth
    tr.add(seed(8, 0, [bytes([1, 0xF4])], [layer(VX, OTHER, 1)] * 9 + [layer(VX, ENI)]))
    # transports the library must refuse: type 0, a /33, no family
    tr.add(seed(4, 0, [bytes([0, 0xF0]), bytes([3, 0x66]), bytes([5, 0x08])], genuine))
    # byte changes on top of the genuine stack
    tr.add(seed(4, 0, [gwlb_transport], genuine) + bytes([0, 50, 0xFF, 0, 14, 0x40]))
    return (tr,)


def build_health():
    """Seeds of fuzz_health: conversations of each protocol the classifiers
    know, a lossy TCP transfer, and more flows than a small table holds
    (see fuzz_health.c for the bytes)."""
    hc = Corpus("health")
    TCP, UDP, ESP = 0, 2, 3

    def pkt(flow, session=0, server=0, proto=TCP, flags=0x18, dseq=0, dack=0, plen=0,
            keep=255, dt=1, v6=0, start=0, payload=b""):
        head = bytes([flow | session << 3 | server << 5 | proto << 6, flags, dseq & 0xFF,
                      dack & 0xFF, plen, keep, dt, v6 << 7, start])
        return head + payload[:plen]

    def seed(cap_sel, sess_idle, pkts):
        hc.add(bytes([cap_sel, sess_idle]) + b"".join(pkts))

    # TLS on flow 0 (port 443): ClientHello, handshake, CCS, application data.
    seed(4, 0x10, [pkt(0, flags=0x02), pkt(0, server=1, flags=0x12),
                   pkt(0, plen=85, start=1), pkt(0, server=1, plen=200, start=1),
                   pkt(0, plen=6, start=3), pkt(0, server=1, plen=240, start=2),
                   pkt(0, server=1, plen=100, keep=20, start=2)])
    # SSH on flow 1 (port 22): banners, NEWKEYS, then encrypted bytes.
    seed(4, 0x10, [pkt(1, server=1, plen=20, start=4, payload=b"SSH-2.0-OpenSSH_9.2\r\n"[8:]),
                   pkt(1, plen=20, start=4), pkt(1, server=1, plen=16, start=5),
                   pkt(1, plen=16, start=5), pkt(1, server=1, plen=200)])
    # QUIC (UDP 443), WireGuard (51820), DNS (53), ESP and NAT-T (4500).
    seed(4, 0x10, [pkt(0, proto=UDP, plen=255, start=6), pkt(0, server=1, proto=UDP, plen=90,
                                                            start=7)])
    seed(4, 0x10, [pkt(4, proto=UDP, plen=148, start=8), pkt(4, server=1, proto=UDP, plen=64,
                                                            start=9)])
    seed(4, 0x10, [pkt(2, proto=UDP, plen=29, start=10), pkt(2, server=1, proto=UDP, plen=45,
                                                           start=10)])
    seed(4, 0x10, [pkt(5, proto=ESP, plen=100, start=11), pkt(3, proto=UDP, plen=60, start=11),
                   pkt(3, proto=UDP, plen=60, start=14), pkt(3, proto=UDP, plen=1, start=15)])
    # HTTP on flow 5 (port 80), the response cut by the capture.
    seed(4, 0x10, [pkt(5, plen=40, start=12), pkt(5, server=1, plen=200, keep=30, start=13)])
    # A lossy transfer: server data, holes, ACKs beyond them, a retransmission.
    data = [pkt(6, server=1, flags=0x10, plen=100) for _ in range(3)]
    seed(3, 0x40, [pkt(6, flags=0x02), pkt(6, server=1, flags=0x12), pkt(6, flags=0x10)] + data +
         [pkt(6, server=1, flags=0x10, dseq=25, plen=100), pkt(6, flags=0x10, dack=0),
          pkt(6, server=1, flags=0x10, dseq=-25, plen=100), pkt(6, flags=0x10, dack=40),
          pkt(6, server=1, flags=0x11, plen=0), pkt(6, flags=0x11, dack=0)])
    # One direction only, IPv6.
    seed(3, 0x40, [pkt(6, flags=0x10, dack=12 * k, v6=1) for k in range(6)])
    # More flows than 8 slots, sessions 0-3, idle flows expiring.
    seed(0, 0x03, [pkt(f, session=f % 4, proto=f % 3, plen=10, dt=3) for f in range(8)] * 3)
    return (hc,)
def build_dedup():
    """Seeds of fuzz_dedup: sequences of mirrored packets (see fuzz_dedup.c
    for the 8 bytes of an operation)."""
    dd = Corpus("dedup")

    def op(kind=0, back=0, xor=0, v6=0, flow=0, ts=0, seq=0, ident=0, ttl=0, tos=0, point=0,
           mac=0, cut=0, payload=25, scope=0, delta=50, vlan=0):
        return bytes([kind | back << 2 | xor << 4,
                      v6 | flow << 1 | ts << 3 | seq << 4 | ident << 6,
                      ttl | tos << 2 | point << 4 | mac << 7,
                      cut | payload << 3, scope]) + struct.pack("!H", delta) + bytes([vlan])

    # The AWS case: a packet at ENI A, its copy at ENI B after a router.
    for v6 in (0, 1):
        for ts in (0, 1):
            pair = op(v6=v6, ts=ts) + op(v6=v6, ts=ts, point=3, ttl=1, tos=1, mac=1, vlan=1)
            dd.add(bytes([63, 255]) + pair)
            # a retransmission: same bytes from A again, then its copy at B
            dd.add(bytes([63, 255]) + pair + pair)
            # the retransmission with a new identification, first seen at B
            dd.add(bytes([63, 255]) + op(v6=v6, ts=ts) + op(v6=v6, ts=ts, ident=1, point=3))
    # copies cut differently, and cut inside the headers
    dd.add(bytes([63, 255]) + op(cut=7) + op(point=2, cut=6) + op(point=4) + op(point=5, cut=5))
    # out of the window, backwards in time, another scope
    dd.add(bytes([63, 1]) + op() + op(point=1, delta=200) + op(point=2, back=1, delta=150) +
           op(point=3, scope=1))
    # one bucket filled by different packets, then copies of each
    seq = b"".join(op(seq=i & 3, flow=i >> 2, delta=1) for i in range(8))
    dd.add(bytes([0, 255]) + seq + b"".join(op(seq=i & 3, flow=i >> 2, point=1, delta=1)
                                            for i in range(8)))
    # hostile frames and hand-made results on the second window
    dd.add(bytes([15, 9]) + bytes([3, 40, 0, 0, 0, 0, 1, 0]) + bytes(range(80)) +
           bytes([7, 60, 0, 0, 0, 0, 1, 0]) + bytes(120) + bytes(range(40)))
    return (dd,)


def main():
    clean = "--clean" in sys.argv[1:]
    for c in build() + build_trust() + build_json_tokens() + build_dedup() + build_health():
        c.write(clean)


if __name__ == "__main__":
    main()

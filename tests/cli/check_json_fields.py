#!/usr/bin/env python3
"""The JSON output's time and protocol keys against independent oracles.

- ts: for every frame, the same number as tshark's frame.time_epoch, to the
  last digit (compared as decimals, never as floats), with 6 decimals for a
  microsecond pcap and 9 for a nanosecond pcap.
- timestamp: the ISO 8601 UTC text of the same time, as Python's datetime
  writes the date and time of the integer seconds, then the same decimals
  and "Z".
- proto_name: IANA's keyword for proto (the table below, written from
  IANA's "Assigned Internet Protocol Numbers"), and no proto_name for the
  numbers IANA gives no keyword; for the bundled capture, proto also equals
  tshark's ip.proto / ipv6.nxt of the innermost IP header.
- key order: timestamp right after ts, proto_name right after proto.
- every line of every tests/golden/*.jsonl (which the golden tests hold
  the output to, byte for byte) is one JSON object with both time keys.

Captures: examples/captures/demo.pcap (microseconds), and two pcaps this
test writes (microsecond and nanosecond resolution) holding a bare IPv4
frame of every protocol number 0..255 stamped at awkward times (the epoch,
a leap day's last nanosecond, the last second classic pcap can hold, ...),
and the nanosecond one converted to pcapng by editcap when installed.

Usage: check_json_fields.py MIRRORDEC DEMO_PCAP
Exit 77 (skipped) when tshark is missing.
"""

import datetime
import decimal
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

# IANA, Assigned Internet Protocol Numbers, the Keyword column (numbers
# without a keyword are absent: 61, 63, 68, 99, 114, 146..252 unassigned,
# 253 and 254 experimentation, 255 reserved).  Suricata's EVE "proto"
# writes these spellings ("TCP", "IPv6-ICMP").
IANA = {
    0: "HOPOPT", 1: "ICMP", 2: "IGMP", 3: "GGP", 4: "IPv4", 5: "ST", 6: "TCP", 7: "CBT",
    8: "EGP", 9: "IGP", 10: "BBN-RCC-MON", 11: "NVP-II", 12: "PUP", 13: "ARGUS", 14: "EMCON",
    15: "XNET", 16: "CHAOS", 17: "UDP", 18: "MUX", 19: "DCN-MEAS", 20: "HMP", 21: "PRM",
    22: "XNS-IDP", 23: "TRUNK-1", 24: "TRUNK-2", 25: "LEAF-1", 26: "LEAF-2", 27: "RDP",
    28: "IRTP", 29: "ISO-TP4", 30: "NETBLT", 31: "MFE-NSP", 32: "MERIT-INP", 33: "DCCP",
    34: "3PC", 35: "IDPR", 36: "XTP", 37: "DDP", 38: "IDPR-CMTP", 39: "TP++", 40: "IL",
    41: "IPv6", 42: "SDRP", 43: "IPv6-Route", 44: "IPv6-Frag", 45: "IDRP", 46: "RSVP",
    47: "GRE", 48: "DSR", 49: "BNA", 50: "ESP", 51: "AH", 52: "I-NLSP", 53: "SWIPE",
    54: "NARP", 55: "Min-IPv4", 56: "TLSP", 57: "SKIP", 58: "IPv6-ICMP", 59: "IPv6-NoNxt",
    60: "IPv6-Opts", 62: "CFTP", 64: "SAT-EXPAK", 65: "KRYPTOLAN", 66: "RVD", 67: "IPPC",
    69: "SAT-MON", 70: "VISA", 71: "IPCV", 72: "CPNX", 73: "CPHB", 74: "WSN", 75: "PVP",
    76: "BR-SAT-MON", 77: "SUN-ND", 78: "WB-MON", 79: "WB-EXPAK", 80: "ISO-IP", 81: "VMTP",
    82: "SECURE-VMTP", 83: "VINES", 84: "TTP", 85: "NSFNET-IGP", 86: "DGP", 87: "TCF",
    88: "EIGRP", 89: "OSPFIGP", 90: "Sprite-RPC", 91: "LARP", 92: "MTP", 93: "AX.25",
    94: "IPIP", 95: "MICP", 96: "SCC-SP", 97: "ETHERIP", 98: "ENCAP", 100: "GMTP",
    101: "IFMP", 102: "PNNI", 103: "PIM", 104: "ARIS", 105: "SCPS", 106: "QNX", 107: "A/N",
    108: "IPComp", 109: "SNP", 110: "Compaq-Peer", 111: "IPX-in-IP", 112: "VRRP", 113: "PGM",
    115: "L2TP", 116: "DDX", 117: "IATP", 118: "STP", 119: "SRP", 120: "UTI", 121: "SMP",
    122: "SM", 123: "PTP", 124: "ISIS over IPv4", 125: "FIRE", 126: "CRTP", 127: "CRUDP",
    128: "SSCOPMCE", 129: "IPLT", 130: "SPS", 131: "PIPE", 132: "SCTP", 133: "FC",
    134: "RSVP-E2E-IGNORE", 135: "Mobility Header", 136: "UDPLite", 137: "MPLS-in-IP",
    138: "manet", 139: "HIP", 140: "Shim6", 141: "WESP", 142: "ROHC", 143: "Ethernet",
    144: "AGGFRAG", 145: "NSH",
}

# Seconds and nanoseconds the written captures are stamped with, in turn.
TIMES = [
    (0, 0),                      # the epoch
    (1, 1),                      # one nanosecond: a microsecond pcap rounds it away
    (951868799, 999999999),      # 2000-02-29T23:59:59.999999999 (a 400-year leap day)
    (1709251199, 123456789),     # 2024-02-29T23:59:59.123456789
    (1795000000, 123456789),     # 2026-11-18T11:06:40.123456789
    (4102444800, 500),           # 2100-01-01T00:00:00.000000500 (not a leap year)
    (4294967295, 999999999),     # the last second of classic pcap, year 2106
]

D = decimal.Decimal


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def mirrordec_lines(binary, pcap, *extra):
    out = run([binary, "-r", pcap, "--json", "-q", *extra])
    lines = []
    for line in out.splitlines():
        # decimals kept as text: ts is compared digit by digit
        j = json.loads(line, parse_float=str, object_pairs_hook=lambda kv: kv)
        lines.append(j)
    return lines


def ip_frame(proto):
    """An Ethernet frame with a bare IPv4 header of protocol proto and 8 zero
    bytes after it (a correct header checksum)."""
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, proto, 0,
                               bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2])))
    s = sum(struct.unpack("!10H", bytes(ip)))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    ip[10:12] = struct.pack("!H", ~s & 0xFFFF)
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + bytes(ip) + bytes(8)


def write_pcap(path, nano):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for proto in range(256):
            sec, nsec = TIMES[proto % len(TIMES)]
            frac = nsec if nano else nsec // 1000
            frame = ip_frame(proto)
            f.write(struct.pack("<IIII", sec, frac, len(frame), len(frame)))
            f.write(frame)


def tshark_epochs(pcap):
    out = run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.time_epoch"])
    return [D(x) for x in out.split()]


def iso(sec_text, frac_text):
    t = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + \
        datetime.timedelta(seconds=int(sec_text))
    return t.strftime("%Y-%m-%dT%H:%M:%S") + "." + frac_text + "Z"


class Checker:
    def __init__(self):
        self.bad = 0

    def fail(self, what):
        self.bad += 1
        if self.bad <= 20:
            print("FAIL: " + what)

    def times(self, name, lines, epochs, digits):
        if len(lines) != len(epochs):
            self.fail("%s: %d lines, tshark %d frames" % (name, len(lines), len(epochs)))
            return
        for kv, epoch in zip(lines, epochs):
            keys = [k for k, _ in kv]
            j = dict(kv)
            frame = j["frame"]
            ts = j["ts"]
            if keys[1:3] != ["ts", "timestamp"]:
                self.fail("%s frame %d: keys begin %s" % (name, frame, keys[:3]))
            sec, _, frac = ts.partition(".")
            if len(frac) != digits or not (sec + frac).isdigit():
                self.fail("%s frame %d: ts %s, expected %d decimals" % (name, frame, ts, digits))
            if D(ts) != epoch:
                self.fail("%s frame %d: ts %s, tshark %s" % (name, frame, ts, epoch))
            want = iso(sec, frac)
            if j["timestamp"] != want:
                self.fail("%s frame %d: timestamp %s, expected %s"
                          % (name, frame, j["timestamp"], want))
            # the expectation itself, cross-checked: datetime agrees to the
            # microsecond
            if digits == 6:
                dt = datetime.datetime.fromtimestamp(int(sec), datetime.timezone.utc)
                dt = dt.replace(microsecond=int(frac))
                alt = dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                if alt != want:
                    self.fail("%s frame %d: datetime says %s" % (name, frame, alt))

    def protos(self, name, lines):
        seen = set()
        for kv in lines:
            keys = [k for k, _ in kv]
            j = dict(kv)
            if "proto" not in j:
                if "proto_name" in j:
                    self.fail("%s frame %d: proto_name without proto" % (name, j["frame"]))
                continue
            p = j["proto"]
            seen.add(p)
            want = IANA.get(p)
            got = j.get("proto_name")
            if got != want:
                self.fail("%s frame %d: proto %d proto_name %r, IANA %r" % (name, j["frame"], p, got, want))
            if want is not None and keys[keys.index("proto") + 1] != "proto_name":
                self.fail("%s frame %d: proto_name not right after proto" % (name, j["frame"]))
        return seen


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, demo = sys.argv[1], sys.argv[2]
    if shutil.which("tshark") is None:
        print("SKIP: tshark not installed")
        return 77
    c = Checker()

    # The bundled capture: times, and proto against tshark's innermost IP.
    lines = mirrordec_lines(binary, demo, "--transport", "geneve:10.0.8.8")
    c.times("demo", lines, tshark_epochs(demo), 6)
    c.protos("demo", lines)
    out = run(["tshark", "-r", demo, "-T", "fields", "-E", "occurrence=a", "-E", "separator=/t",
               "-e", "frame.protocols", "-e", "ip.proto", "-e", "ipv6.nxt"])
    compared = 0
    for kv, row in zip(lines, out.split("\n")):
        j = dict(kv)
        layers, ip4, ip6 = (row.split("\t") + ["", ""])[:3]
        chain = layers.split(":")
        last = max((i for i, x in enumerate(chain) if x in ("ip", "ipv6")), default=None)
        if last is None or "proto" not in j or j["status"] != "ok":
            continue
        values = (ip4 if chain[last] == "ip" else ip6).split(",")
        want = int(values[-1])
        compared += 1
        if j["proto"] != want:
            c.fail("demo frame %d: proto %d, tshark %d (%s)" % (j["frame"], j["proto"], want, layers))
        elif j.get("proto_name") != IANA.get(want):
            c.fail("demo frame %d: proto_name %r for tshark's %d" % (j["frame"], j.get("proto_name"), want))
    if compared < 100:
        c.fail("demo: only %d frames compared with tshark" % compared)

    # Written captures: every protocol number, awkward times, both resolutions.
    with tempfile.TemporaryDirectory() as tmp:
        for nano in (False, True):
            name = "nsec" if nano else "usec"
            path = os.path.join(tmp, name + ".pcap")
            write_pcap(path, nano)
            lines = mirrordec_lines(binary, path)
            c.times(name, lines, tshark_epochs(path), 9 if nano else 6)
            seen = c.protos(name, lines)
            if len(seen) < 250:
                c.fail("%s: proto seen for only %d of 256 numbers" % (name, len(seen)))
        # The nanosecond one as pcapng (any resolution: mirrordec keeps 9).
        if shutil.which("editcap"):
            ng = os.path.join(tmp, "nsec.pcapng")
            run(["editcap", "-F", "pcapng", os.path.join(tmp, "nsec.pcap"), ng])
            c.times("pcapng", mirrordec_lines(binary, ng), tshark_epochs(ng), 9)

    # The goldens: golden.py compares bytes and parses only lines that differ.
    golden = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "golden")
    n_golden = 0
    for name in sorted(os.listdir(golden)):
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(golden, name)) as f:
            for no, line in enumerate(f, 1):
                try:
                    j = json.loads(line)
                except ValueError as e:
                    c.fail("golden/%s:%d: not JSON: %s" % (name, no, e))
                    continue
                n_golden += 1
                if not isinstance(j, dict) or "ts" not in j or "timestamp" not in j:
                    c.fail("golden/%s:%d: not a packet object with ts and timestamp" % (name, no))
    if n_golden < 1000:
        c.fail("only %d golden lines read" % n_golden)

    print("%s" % ("all as expected (%d demo frames compared with tshark's protocol)" % compared
                  if not c.bad else "%d wrong" % c.bad))
    return 1 if c.bad else 0


if __name__ == "__main__":
    sys.exit(main())

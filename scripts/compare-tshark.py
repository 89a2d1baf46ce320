#!/usr/bin/env python3
"""Compare the mirrordec CLI with tshark, packet by packet, over captures.

For every frame that mirrordec decodes through at least one tunnel down to an
inner IP header, tshark must show the same tunnel stack (types and ids, outer
to inner), the same innermost addresses and protocol, and the same innermost
ports or ICMP type/code.  Frames mirrordec reports as truncated are compared on
what they still carry.  Use it on captures you may not commit (third-party
ones, your own sensor's); the committed fixtures have their own check,
tests/oracle_tshark.py, whose view of tshark's output this script shares.

tshark peels every tunnel it finds; mirrordec peels a tunnel nested inside
another only when the outer one is a declared trusted transport (the trust
rule, docs/decoding.md).  Declare yours with --transport, as for mirrordec;
frames where mirrordec left a nested tunnel unpeeled are counted apart, not
compared.

Usage: scripts/compare-tshark.py [--cli PATH] [--transport TYPE:SOURCES]... [-v]
                                 CAPTURE_OR_DIR...
  --cli PATH   the mirrordec example CLI (default: build/gcc/examples/mirrordec,
               then build/examples/mirrordec)
  --transport  passed on to mirrordec (e.g. geneve:10.0.8.8)
  -v           print every disagreement, not only the first five per file

Exit status: 0 when tshark agrees on every compared frame, 1 when it
disagrees on one (frames where tshark shows no tunnel at all are listed,
not counted), 2 on a usage error, 77 when tshark is missing (a ctest skip).
"""

import argparse
import ipaddress
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
from oracle_tshark import tshark_rows, tshark_view  # noqa: E402

KEYS = ("tunnels", "src", "dst", "proto", "sport", "dport", "icmp")


def mirrordec_view(d):
    """The same vocabulary as tshark_view, from one line of `mirrordec --json`."""
    out = {"tunnels": ",".join(
        f"{t['type']}:{t['id'] if t.get('id') is not None else '-'}" for t in d.get("tunnels", []))}
    if "src_ip" in d:
        out["src"], out["dst"] = d["src_ip"], d["dest_ip"]
    if "proto" in d:
        out["proto"] = str(d["proto"])
    if "src_port" in d:
        out["sport"], out["dport"] = str(d["src_port"]), str(d["dest_port"])
    if "icmp_type" in d:
        out["icmp"] = f"{d['icmp_type']}/{d['icmp_code']}"
    return out


def same(key, a, b):
    if key in ("src", "dst"):
        try:
            return ipaddress.ip_address(a) == ipaddress.ip_address(b)
        except ValueError:
            return a == b
    return a == b


def compare_file(cli, path, verbose, extra):
    run = subprocess.run([cli, "-r", path, "--json", "--no-progress"] + extra,
                         capture_output=True, text=True)
    if run.returncode not in (0, 1):
        return 0, 0, [f"mirrordec failed ({run.returncode}): {run.stderr.strip()[:200]}"]
    try:
        rows = tshark_rows(path)
    except subprocess.CalledProcessError as e:
        return 0, 0, [f"tshark failed: {e.stderr.strip()[:200] if e.stderr else e}"]
    compared, agreed, problems, short, nested = 0, 0, [], [], 0
    for line in run.stdout.splitlines():
        d = json.loads(line)
        if d["status"] not in ("ok", "truncated") or not d.get("tunnels") or "src_ip" not in d:
            continue
        if "tunnel.nested_untrusted" in d.get("anomalies", []):
            nested += 1  # tshark goes on where the trust rule stops mirrordec
            continue
        row = rows.get(d["frame"])
        if row is None:
            problems.append(f"frame {d['frame']}: tshark has no such frame")
            compared += 1
            continue
        ours, theirs = mirrordec_view(d), tshark_view(row)
        if not theirs["tunnels"]:
            # tshark stopped above the tunnel (it does not follow an IPv4 total
            # length of 0 or an IPv6 payload length of 0, as BIG TCP hosts
            # capture them): nothing to compare.
            short.append(d["frame"])
            continue
        diffs = [f"{k}: mirrordec {ours.get(k, '-')}, tshark {theirs.get(k, '-')}"
                 for k in KEYS
                 # A field tshark did not reach (a truncated frame) is not a disagreement.
                 if k in theirs and not same(k, ours.get(k, "-"), theirs[k])]
        compared += 1
        if diffs:
            problems.append(f"frame {d['frame']} ({d['status']}): " + "; ".join(diffs))
        else:
            agreed += 1
    if not verbose and len(problems) > 5:
        problems = problems[:5] + [f"... and {len(problems) - 5} more (-v shows them)"]
    return compared, agreed, problems, short, nested


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli")
    ap.add_argument("--transport", action="append", default=[], metavar="TYPE:SOURCES",
                    help="passed to mirrordec: tshark peels every nested tunnel, mirrordec "
                         "only those inside a declared trusted transport")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("inputs", nargs="+")
    a = ap.parse_args()
    if not shutil.which("tshark"):
        print("compare-tshark: tshark not found (apt-get install tshark)", file=sys.stderr)
        return 77
    root = os.path.join(HERE, "..")
    cli = a.cli or next((p for p in (os.path.join(root, "build/gcc/examples/mirrordec"),
                                     os.path.join(root, "build/examples/mirrordec"))
                         if os.access(p, os.X_OK)), None)
    if not cli or not os.access(cli, os.X_OK):
        print(f"compare-tshark: no mirrordec CLI at {cli or 'build/*/examples/mirrordec'}: "
              "build it or pass --cli", file=sys.stderr)
        return 2
    files = []
    for p in a.inputs:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p)
                            if f.endswith((".pcap", ".pcapng", ".cap")))
        elif os.path.exists(p):
            files.append(p)
        else:
            print(f"compare-tshark: {p}: no such file or directory", file=sys.stderr)
            return 2
    total_c = total_a = total_s = total_n = 0
    bad = 0
    extra = [x for t in a.transport for x in ("--transport", t)]
    for f in files:
        c, ok, problems, short, nested = compare_file(cli, f, a.v, extra)
        total_c, total_a, total_s = total_c + c, total_a + ok, total_s + len(short)
        total_n += nested
        if c == 0 and not problems and not short:
            continue
        print(f"{os.path.basename(f)}: {ok}/{c} agree" + (
            f"; tshark shows no tunnel in frame(s) {', '.join(map(str, short[:10]))}"
            if short else ""))
        for p in problems:
            print(f"  {p}")
        bad += 1 if problems else 0
    print(f"tshark agrees on {total_a} of {total_c} tunneled frames in {len(files)} captures"
          + (f"; {total_s} frames not compared: tshark does not decode their tunnel"
             if total_s else "")
          + (f"; {total_n} frames not compared: a nested tunnel outside any --transport"
             if total_n else ""))
    if total_c == 0:
        print("compare-tshark: no tunneled frame to compare", file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

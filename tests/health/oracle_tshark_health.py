#!/usr/bin/env python3
"""Holds tshark to the protocols the health fixtures were built as.

For every vis_*.pcap line of tests/health/fixtures/expected.txt with
tshark=PROTO (not '-'), tshark must name PROTO in frame.protocols for at
least one frame of the flow (frames a mirror cut may show only tcp), and
must never name the protocol of another fixture: the classifiers'
evidence and tshark's dissectors then agree on what each flow is.

Exit status: 0 all agree, 1 a disagreement, 77 tshark missing (ctest skip).
Usage: oracle_tshark_health.py [FIXTURE_DIR]
"""

import os
import shutil
import subprocess
import sys


def main():
    fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "fixtures")
    if not shutil.which("tshark"):
        print("tshark not installed: skipping (apt-get install tshark)")
        return 77
    want = {}
    for line in open(os.path.join(fixtures, "expected.txt")):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        kv = dict(x.split("=", 1) for x in w[1:])
        if kv.get("kind") == "vis" and kv.get("tshark", "-") != "-":
            want[w[0]] = kv["tshark"]
    others = set(want.values())
    bad = 0
    for name, proto in sorted(want.items()):
        out = subprocess.run(["tshark", "-n", "-r", os.path.join(fixtures, name), "-T", "fields",
                              "-e", "frame.protocols"], check=True, capture_output=True,
                             text=True).stdout
        frames = [l.split(":") for l in out.splitlines() if l]
        seen = sum(proto in f for f in frames)
        wrong = sorted({p for f in frames for p in f if p in others and p != proto})
        ok = seen > 0 and not wrong
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {proto} in {seen} of {len(frames)} frames"
              + (f"; also {','.join(wrong)}" if wrong else ""))
        bad += not ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

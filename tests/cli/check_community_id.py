#!/usr/bin/env python3
"""The CLI's Community IDs: mirrordec --json on tests/flow/community_id.pcap
(flows of every kind, VXLAN-wrapped) must show, frame by frame, the IDs in
tests/flow/community_id.expected, which the independent Python
implementation computed from the tuples the packets were built from; with
--community-id-seed 1 the seed-1 IDs.  A frame whose flow has no Community
ID (a later fragment) must have no community_id key.

Usage: check_community_id.py MIRRORDEC
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FLOW = os.path.join(os.path.dirname(HERE), "flow")


def main():
    binary = sys.argv[1]
    want = {}
    with open(os.path.join(FLOW, "community_id.expected")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            frame, s0, s1 = line.split()
            want[int(frame)] = (s0, s1)
    bad = 0
    for col, seed in ((0, "0"), (1, "1")):
        out = subprocess.run([binary, "-r", os.path.join(FLOW, "community_id.pcap"), "--json", "-q",
                              "--community-id-seed", seed], check=True, capture_output=True,
                             text=True).stdout
        got = {}
        for line in out.splitlines():
            j = json.loads(line)
            got[j["frame"]] = j.get("community_id", "-")
        if sorted(got) != sorted(want):
            print("FAIL: frames %s, expected %s" % (sorted(got), sorted(want)))
            return 1
        for frame in sorted(want):
            if got[frame] != want[frame][col]:
                bad += 1
                print("FAIL: seed %s frame %d: community_id %s, expected %s"
                      % (seed, frame, got[frame], want[frame][col]))
    print("%d frames x 2 seeds: %s" % (len(want), "all as expected" if not bad else "%d wrong" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

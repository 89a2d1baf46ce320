#!/usr/bin/env python3
"""Every public function that takes a pointer is tried with NULL in
tests/test_null.c (the NULL policy of include/mirrordec/common.h).

Reads the MDEC_API declarations of include/mirrordec/*.h; exits 1 naming each
function with a pointer parameter that tests/test_null.c never calls.

Usage: check_null_coverage.py SOURCE_DIR
"""
import glob
import os
import re
import sys


def main():
    src = sys.argv[1]
    decls = ""
    for h in sorted(glob.glob(os.path.join(src, "include", "mirrordec", "*.h"))):
        decls += open(h).read()
    test = open(os.path.join(src, "tests", "test_null.c")).read()
    missing, n = [], 0
    for m in re.finditer(r"MDEC_API\s+[^;(]*?\b(mdec_\w+)\s*\(([^)]*)\)\s*;", decls, re.S):
        name, params = m.group(1), m.group(2)
        if "*" not in params:
            continue
        n += 1
        if not re.search(r"\b%s\s*\(" % name, test):
            missing.append(name)
    for name in missing:
        print(f"FAIL: {name} takes a pointer but tests/test_null.c never calls it")
    print(f"{n - len(missing)} of {n} public functions with pointer parameters are in test_null.c")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Golden tests of the mirrordec CLI.

tests/golden/cases lists one run a line:

    NAME  EXIT  CAPTURE  ARGUMENTS...

NAME names the golden files, EXIT is the exit status the run must end with,
CAPTURE says which outputs are compared (comma list): out (standard output,
NAME.jsonl), err (standard error, NAME.stderr), stats (the --stats-json file,
NAME.stats.json; write @STATS@ where its path goes in the arguments).
ARGUMENTS are split like a shell would (shlex).  Runs happen in the source
directory, so relative paths in the arguments and in the outputs are stable.

The golden files are a specification, reviewed by eye: regenerate them with
--regen only after checking that the new output is right.

Usage:
  golden.py --bin MIRRORDEC [--case NAME]... [--valgrind] [--regen]
Exit status: 0 all passed, 1 a difference (shown), 2 bad usage.
"""

import argparse
import difflib
import json
import os
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
GOLDEN = os.path.join(SRC, "tests", "golden")
VALGRIND = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite"]


def read_cases():
    cases = []
    with open(os.path.join(GOLDEN, "cases")) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 3:
                sys.exit(f"tests/golden/cases:{n}: expected NAME EXIT CAPTURE ARGUMENTS")
            name, code, capture = parts[0], int(parts[1]), parts[2].split(",")
            args = shlex.split(parts[3]) if len(parts) > 3 else []
            cases.append((name, code, capture, args))
    return cases


def json_diff(name, want, got):
    """Key by key differences of two JSON lines, or None when not JSON."""
    try:
        a, b = json.loads(want), json.loads(got)
    except ValueError:
        return None
    if not isinstance(a, dict) or not isinstance(b, dict):
        return None
    out = []
    for k in list(a) + [k for k in b if k not in a]:
        if a.get(k, "<absent>") != b.get(k, "<absent>"):
            out.append(f"    {k}: expected {json.dumps(a.get(k, '<absent>'))}, "
                       f"got {json.dumps(b.get(k, '<absent>'))}")
    if list(a) != list(b) and not out:
        out.append(f"    key order: expected {list(a)}, got {list(b)}")
    return out


def show_diff(label, path, want, got):
    print(f"--- {label} differs from {os.path.relpath(path, SRC)}")
    wl, gl = want.splitlines(), got.splitlines()
    if path.endswith(".jsonl") or path.endswith(".json"):
        if len(wl) != len(gl):
            print(f"  {len(gl)} lines, expected {len(wl)}")
        shown = 0
        for i, (w, g) in enumerate(zip(wl, gl), 1):
            if w == g:
                continue
            d = json_diff(label, w, g)
            print(f"  line {i}:")
            for x in d if d is not None else list(difflib.ndiff([w], [g])):
                print(x)
            shown += 1
            if shown == 10:
                print("  ... (further lines not shown)")
                break
        if len(wl) != len(gl):
            extra = gl[len(wl):] or wl[len(gl):]
            which = "unexpected" if len(gl) > len(wl) else "missing"
            for x in extra[:5]:
                print(f"  {which}: {x[:300]}")
        return
    for line in difflib.unified_diff(wl, gl, "expected", "got", lineterm=""):
        print("  " + line)


def run_case(binary, case, regen, valgrind):
    name, code, capture, args = case
    tmp = tempfile.mkdtemp(prefix="mdec-golden-")
    stats = os.path.join(tmp, "stats.json")
    args = [a.replace("@STATS@", stats) for a in args]
    cmd = ([*VALGRIND] if valgrind else []) + [binary] + args
    env = dict(os.environ, LC_ALL="C")
    p = subprocess.run(cmd, cwd=SRC, capture_output=True, env=env, timeout=600)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    ok = True
    if valgrind and p.returncode == 99:
        print(f"{name}: valgrind found errors:\n{err}")
        return False
    if p.returncode != code:
        print(f"{name}: exit status {p.returncode}, expected {code}")
        print("  " + " ".join(shlex.quote(a) for a in [binary] + args))
        print("  stderr: " + err.strip().replace("\n", "\n          "))
        ok = False
    outputs = {"out": (out, ".jsonl"), "err": (err, ".stderr")}
    if "stats" in capture:
        try:
            with open(stats) as f:
                outputs["stats"] = (f.read(), ".stats.json")
        except OSError as e:
            print(f"{name}: no --stats-json file: {e}")
            ok = False
    for what in capture:
        if what not in outputs:
            continue
        text, ext = outputs[what]
        path = os.path.join(GOLDEN, name + ext)
        if regen:
            with open(path, "w") as f:
                f.write(text)
            continue
        try:
            with open(path) as f:
                want = f.read()
        except OSError:
            print(f"{name}: missing golden file {os.path.relpath(path, SRC)} (--regen writes it)")
            ok = False
            continue
        if want != text:
            show_diff(f"{name} {what}", path, want, text)
            ok = False
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="the mirrordec program")
    ap.add_argument("--case", action="append", help="run only these cases")
    ap.add_argument("--regen", action="store_true", help="rewrite the golden files")
    ap.add_argument("--valgrind", action="store_true", help="run under valgrind memcheck")
    a = ap.parse_args()
    cases = read_cases()
    if a.case:
        names = {c[0] for c in cases}
        for n in a.case:
            if n not in names:
                print(f"no case {n} in tests/golden/cases")
                return 2
        cases = [c for c in cases if c[0] in a.case]
    binary = os.path.abspath(a.bin)
    # Cases are independent: run them side by side (valgrind is slow).
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda c: run_case(binary, c, a.regen, a.valgrind), cases))
    failed = [c[0] for c, ok in zip(cases, results) if not ok]
    if failed:
        print(f"FAILED: {' '.join(failed)}")
        return 1
    print(f"{len(cases)} case(s) {'written' if a.regen else 'passed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The deep-public figure: on the public corpus's hand-written C, C++ and SWIG
files, how many old calls get a fix, of which strategy, and why the others
fall back to compat.

    python3 Benchmarks/deep_public.py BUFFERLINT [--corpus ../shared/corpus] [--trees DIR] [--details FILE]

The trees are those `extract.sh` lays out (default `$TMPDIR/bufferlint-corpus`).
Each file is checked alone with its `-I`/`-D` flags from FLAGS.tsv, the way
pre-commit runs bufferlint. A fallback is *blind* when its reason says the
file or function could not be analysed (no parse, no tree) rather than naming
an escape of the pointer.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HAND_WRITTEN = {"c", "cpp", "h", "swig-i"}
BLIND = ("needs the syntax tree", "could not parse", "does not parse", "not in the syntax tree",
         "not inside a function the syntax tree shows", "function body is not in the syntax tree")


def read_tsv(folder, name):
    with open(os.path.join(folder, name), newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def portable(flags):
    return [f for f in flags.split() if "$" not in f and f.startswith(("-I", "-D"))]


def classify(fix):
    reason = fix.get("reason", "")
    if fix["strategy"] != "compat" or fix.get("safety") != "safe":
        return None
    if not reason.startswith("scoped rewrite") and "rewrite not possible" not in reason:
        return "compat (no scoped strategy for this use)"
    if any(b in reason for b in BLIND):
        return "blind: " + next(b for b in BLIND if b in reason)
    return "escape: " + (fix.get("escape") or {}).get("kind", "?")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "shared", "corpus"))
    ap.add_argument("--trees", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "bufferlint-corpus"))
    ap.add_argument("--details")
    a = ap.parse_args()
    a.binary = os.path.abspath(a.binary)
    manifest = read_tsv(a.corpus, "MANIFEST.tsv")
    flags = {(r["repo"], r["path"]): r["flags"] for r in read_tsv(a.corpus, "FLAGS.tsv")}
    files = sorted({(r["repo"], r["commit"], r["path"]) for r in manifest if r["lang"] in HAND_WRITTEN})
    strategies = collections.Counter()
    fallbacks = collections.Counter()
    flow = collections.Counter()
    details = []
    calls = 0
    for repo, commit, path in files:
        tree = os.path.join(a.trees, repo.replace("/", "+") + "@" + commit[:7])
        if not os.path.exists(os.path.join(tree, path)):
            print(f"missing: {repo} {path}", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as cache:
            cmd = [a.binary, "check", "--format", "json", "--cache-dir", cache, *portable(flags.get((repo, path), "")), path]
            p = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, timeout=600)
        report = json.loads(p.stdout)
        summary = report.get("summary", {}).get("flow")
        if summary:
            for key in ("functions", "analysed", "skipped"):
                flow[key] += summary.get(key, 0)
        for f in report["findings"]:
            if f["kind"] != "call" or not f["rule"].startswith("BUF00") or f["rule"] == "BUF004":
                continue
            calls += 1
            fix = f.get("fix")
            if not fix:
                strategies["no fix"] += 1
                details.append((repo, path, f["line"], "no fix", ""))
                continue
            strategies[fix["strategy"]] += 1
            why = classify(fix)
            if why:
                fallbacks[why] += 1
            details.append((repo, path, f["line"], fix["strategy"], why or "", fix.get("reason", "")))
    blind = sum(n for k, n in fallbacks.items() if k.startswith("blind"))
    mix = " ".join(f"{k}={n}" for k, n in sorted(strategies.items()))
    print(f"deep-public: calls={calls} {mix} blind_fallbacks={blind} files={len(files)}")
    for k, n in sorted(fallbacks.items(), key=lambda kv: -kv[1]):
        print(f"  {n:3d}  {k}")
    if flow:
        print(f"flow: functions={flow['functions']} analysed={flow['analysed']} skipped={flow['skipped']}")
    if a.details:
        with open(a.details, "w") as fh:
            for row in details:
                fh.write("\t".join(str(x) for x in row) + "\n")


if __name__ == "__main__":
    main()

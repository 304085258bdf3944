#!/usr/bin/env python3
"""Times bufferlint against other tools on one generated tree.

  run.py BUFFERLINT --files 2000 --hit-share 0.01 [--shape plain|flow] [--keep DIR]

Generates the tree (generate.py), then times on the same files, with the same
parallelism: bufferlint check with a cold and a warm cache, `clang-14
-fsyntax-only`, and semgrep with a call rule when semgrep is installed. Prints a
Markdown table with times, ratios to bufferlint (cold) and findings counts, and
the peak memory of a cold bufferlint run."""
import argparse, json, os, shutil, subprocess, sys, sysconfig, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SEMGREP_RULE = """rules:
  - id: old-buffer-call
    languages: [c]
    severity: ERROR
    message: old buffer function
    pattern-either:
      - pattern: PyObject_AsCharBuffer(...)
      - pattern: PyObject_AsReadBuffer(...)
      - pattern: PyObject_AsWriteBuffer(...)
      - pattern: PyObject_CheckReadBuffer(...)
"""


def timed(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.perf_counter() - t, p


def peak_mb(cmd):
    """The peak resident memory of one run of cmd, in MB (GNU time), or None without it."""
    if not os.path.exists("/usr/bin/time"):
        return None
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *cmd], capture_output=True)
        try:
            return int(out.read().strip().splitlines()[-1]) / 1024
        except (ValueError, IndexError):
            return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bufferlint")
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--hit-share", type=float, default=0.01)
    ap.add_argument("--shape", choices=["plain", "flow"], default="plain")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--keep")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="bufferlint-bench-")
    tree = os.path.join(work, "tree")
    if not os.path.isdir(tree):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), tree, "--files", str(a.files),
                        "--hit-share", str(a.hit_share), "--shape", a.shape], check=True)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(tree) for f in fs if f.endswith(".c"))
    lines = sum(open(f).read().count("\n") for f in files)
    cache = os.path.join(work, "cache")
    shutil.rmtree(cache, ignore_errors=True)
    rows = []
    base = [a.bufferlint, "check", "--format", "json", "--jobs", str(a.jobs), "--cache-dir", cache, tree]
    t, p = timed(base)
    n = json.loads(p.stdout)["summary"]["findings"]
    rows.append(("bufferlint check (cold cache)", t, n))
    t, p = timed(base)
    rows.append(("bufferlint check (warm cache)", t, json.loads(p.stdout)["summary"]["findings"]))
    t, p = timed([a.bufferlint, "check", "--format", "json", "--jobs", str(a.jobs), "--no-cache", "--no-pch", "--no-prefilter", tree])
    rows.append(("bufferlint check (no prefilter, no PCH, no cache)", t, json.loads(p.stdout)["summary"]["findings"]))
    pyinc = sysconfig.get_paths()["include"]
    clang = shutil.which("clang-14") or shutil.which("clang")
    if clang:
        listing = os.path.join(work, "files.txt")
        with open(listing, "w") as fh:
            fh.write("\n".join(files) + "\n")
        cmd = f"xargs -P {a.jobs} -n 16 {clang} -fsyntax-only -Wdeprecated-declarations -I{pyinc} < {listing} 2>&1 | grep -c 'is deprecated' || true"
        t, p = timed(["bash", "-c", cmd])
        rows.append((f"clang -fsyntax-only (-P {a.jobs})", t, int(p.stdout.strip() or 0)))
    if shutil.which("semgrep"):
        rule = os.path.join(work, "rule.yml")
        with open(rule, "w") as fh:
            fh.write(SEMGREP_RULE)
        t, p = timed(["semgrep", "--metrics=off", "--disable-version-check", "-q", "--json", "--jobs", str(a.jobs), "--config", rule, tree])
        try:
            rows.append(("semgrep (call rule)", t, len(json.loads(p.stdout)["results"])))
        except (json.JSONDecodeError, KeyError):
            rows.append(("semgrep (call rule): failed", t, 0))
    cold = rows[0][1]
    shutil.rmtree(cache, ignore_errors=True)
    peak = peak_mb(base)
    print(f"\n{len(files)} files, {lines} lines, hit share {a.hit_share:.0%}, shape {a.shape}, {a.jobs} jobs, {os.uname().machine}, {os.cpu_count()} cores\n")
    print("| tool | seconds | x bufferlint cold | findings |\n| --- | ---: | ---: | ---: |")
    for name, t, n in rows:
        print(f"| {name} | {t:.2f} | {t / cold:.1f} | {n} |")
    if peak is not None:
        print(f"\nbufferlint check (cold cache): peak memory {peak:.0f} MB for {sum(os.path.getsize(f) for f in files) / 2**20:.0f} MB of sources")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

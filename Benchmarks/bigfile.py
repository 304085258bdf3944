#!/usr/bin/env python3
"""Times bufferlint on one large generated file, as Cython and SWIG produce them.

  bigfile.py BUFFERLINT --lines 4000 16000 32000 99000 [--keep DIR] [--format text]

Each file is `#include <Python.h>` and small old-style functions, each with one call of an old
buffer function (one in four lines of every eight is a use). Prints a Markdown table: lines, uses,
seconds for `check` and for `check --no-syntax-tree`, and peak memory (MB), one run each."""
import argparse, os, resource, subprocess, sys, tempfile, time

OLD = [("PyObject_AsCharBuffer", "const char *"), ("PyObject_AsReadBuffer", "const void *"),
       ("PyObject_AsWriteBuffer", "void *")]


def source(lines):
    out = ["#include <Python.h>", ""]
    k = 0
    while len(out) < lines:
        fn, ptr = OLD[k % 3]
        out += [f"static PyObject *op{k}(PyObject *self, PyObject *obj) {{",
                f"    {ptr}p; Py_ssize_t n;",
                f"    if ({fn}(obj, &p, &n) < 0) return NULL;",
                "    return PyLong_FromSsize_t(n);", "}", ""]
        k += 1
    return "\n".join(out) + "\n", k


def timed(cmd):
    start = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True)
    elapsed = time.monotonic() - start
    peak_kb = int(p.stderr.strip().splitlines()[-1])
    return elapsed, peak_kb / 1024, p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bufferlint")
    ap.add_argument("--lines", type=int, nargs="+", default=[4000, 16000, 32000, 99000])
    ap.add_argument("--keep")
    ap.add_argument("--format", default="text")
    a = ap.parse_args()
    root = a.keep or tempfile.mkdtemp(prefix="bufferlint-bigfile-")
    print("| lines | uses | check (s) | peak (MB) | --no-syntax-tree (s) |\n| ---: | ---: | ---: | ---: | ---: |")
    for n in a.lines:
        text, uses = source(n)
        path = os.path.join(root, f"big{n}.c")
        with open(path, "w") as f:
            f.write(text)
        t, mem, rc = timed([a.bufferlint, "check", "--no-cache", "--format", a.format, path])
        t2, _, _ = timed([a.bufferlint, "check", "--no-cache", "--no-syntax-tree", "--format", a.format, path])
        print(f"| {n} | {uses} | {t:.2f} | {mem:.0f} | {t2:.2f} |", flush=True)


if __name__ == "__main__":
    main()

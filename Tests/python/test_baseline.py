"""`--baseline` / `--write-baseline` / `--strict-baseline` end to end."""
import json
import os
import subprocess

import pytest

BUFFERLINT = os.environ.get("BUFFERLINT")
pytestmark = pytest.mark.skipif(not BUFFERLINT, reason="BUFFERLINT (the built binary) is not set")

SRC = """static int f(PyObject *o) {
    const void *p; Py_ssize_t n;
    return PyObject_AsReadBuffer(o, &p, &n);
}
static int g(PyObject *o) {
    const void *p; Py_ssize_t n;
    return PyObject_AsReadBuffer(o, &p, &n);
}
"""


def check(tmp_path, *args):
    return subprocess.run([BUFFERLINT, "check", "--format", "json", *args], cwd=tmp_path, capture_output=True, text=True)


def test_baseline_cycle(tmp_path):
    (tmp_path / "m.c").write_text(SRC)
    w = check(tmp_path, "--write-baseline", "base.json", "m.c")
    assert w.returncode == 0, w.stderr
    assert "wrote 2 findings" in w.stderr
    entries = [l for l in (tmp_path / "base.json").read_text().splitlines() if l.startswith("    {")]
    assert len(entries) == 2 and [json.loads(l.rstrip(","))["function"] for l in entries] == ["f", "g"]
    # No temporary file left beside the baseline (the result cache has its own folder).
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".bufferlint-cache") == ["base.json", "m.c"]

    # Lines added above and a new call: only the new call is reported.
    (tmp_path / "m.c").write_text("#include <stddef.h>\n\n" + SRC + "static int h(PyObject *o) { const void *p; Py_ssize_t n; return PyObject_AsReadBuffer(o, &p, &n); }\n")
    r = check(tmp_path, "--baseline", "base.json", "m.c")
    assert r.returncode == 1, r.stderr
    found = json.loads(r.stdout)["findings"]
    assert [(f["enclosingFunction"], f["line"]) for f in found] == [("h", 11)]

    # The call in g is gone: listed as stale; an error only with --strict-baseline.
    (tmp_path / "m.c").write_text(SRC.split("static int g")[0])
    r = check(tmp_path, "--baseline", "base.json", "m.c")
    assert r.returncode == 0, r.stderr
    assert "1 entry no longer found" in r.stderr and "BUF002 in g" in r.stderr
    r = check(tmp_path, "--baseline", "base.json", "--strict-baseline", "m.c")
    assert r.returncode == 1
    assert "error: baseline base.json" in r.stderr


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not valid JSON"),
    ('{"version": 1, "findings": [{"rule": "BUF002"}]}', 'finding 1 has no "index"'),
    ('{"findings": []}', 'no "version"'),
])
def test_malformed_baseline_is_a_clear_error(tmp_path, content, problem):
    (tmp_path / "m.c").write_text(SRC)
    (tmp_path / "base.json").write_text(content)
    r = check(tmp_path, "--baseline", "base.json", "m.c")
    assert r.returncode == 2
    assert "baseline base.json" in r.stderr and problem in r.stderr
    assert r.stdout == ""


def test_missing_baseline_is_a_clear_error(tmp_path):
    (tmp_path / "m.c").write_text(SRC)
    r = check(tmp_path, "--baseline", "nope.json", "m.c")
    assert r.returncode == 2 and "baseline nope.json: no such file" in r.stderr

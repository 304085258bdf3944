"""`check` says for every finding whether a fix exists, its strategy and its safety,
in text and JSON, and a cached re-check says the same."""
import json
import os
import subprocess

import pytest

BUFFERLINT = os.environ.get("BUFFERLINT")
pytestmark = pytest.mark.skipif(not BUFFERLINT, reason="BUFFERLINT is not set")

SOURCE = """#include <Python.h>
static PyObject *f(PyObject *self, PyObject *o) {
    const void *p; Py_ssize_t n;
    if (PyObject_AsReadBuffer(o, &p, &n) < 0) return NULL;
    return PyLong_FromSsize_t(n);
}
static PyObject *g(PyObject *self, PyObject *o) {
    return PyBool_FromLong(PyObject_CheckReadBuffer(o));
}
#if PY_MAJOR_VERSION < 3
static int h(PyObject *o) { const char *s; Py_ssize_t n; return PyObject_AsCharBuffer(o, &s, &n); }
#endif
"""


def run(tmp_path, *args):
    return subprocess.run([BUFFERLINT, "check", "--cache-dir", str(tmp_path / "cache"), *args, "ext.c"],
                          cwd=tmp_path, capture_output=True, text=True)


def test_json_and_text_carry_each_fix(tmp_path):
    (tmp_path / "ext.c").write_text(SOURCE)
    first = json.loads(run(tmp_path, "--format", "json").stdout)
    fixes = {f["function"]: f["fix"] for f in first["findings"]}
    assert fixes["PyObject_AsReadBuffer"]["strategy"] == "scoped"
    assert fixes["PyObject_AsReadBuffer"]["safety"] == "safe"
    assert fixes["PyObject_CheckReadBuffer"]["strategy"] == "compat"
    assert fixes["PyObject_AsCharBuffer"] is None, "an inactive branch has nothing to fix"
    again = json.loads(run(tmp_path, "--format", "json").stdout)
    assert again == first, "the cached re-check says the same"
    text = run(tmp_path).stdout.splitlines()
    head = next(k for k, l in enumerate(text) if ":4:9: error: BUF002" in l)
    assert text[head + 1].split(" | ", 1)[1].strip().startswith("if (PyObject_AsReadBuffer")
    assert text[head + 2].split(" | ", 1)[1].strip().startswith("^")
    assert text[head + 3].startswith("  fix (safe, scoped)")

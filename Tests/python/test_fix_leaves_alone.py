"""What `fix` and `check --diff` never touch: a use a comment suppresses, and a use whose finding
the `--baseline` file accepts. They are left as they are, in C and in Cython, while the other
uses of the same file and function are fixed."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUFFERLINT = os.environ.get("BUFFERLINT", str(ROOT / ".build" / "release" / "bufferlint"))

C_SOURCE = """#include <Python.h>
static PyObject *kept(PyObject *self, PyObject *o) {
    const char *p; Py_ssize_t n;
    if (PyObject_AsCharBuffer(o, &p, &n) < 0) return NULL; // bufferlint: ignore[BUF001]
    return PyLong_FromSsize_t(n);
}
static const void *global;
static PyObject *kept_too(PyObject *self, PyObject *o) {
    const void *p; Py_ssize_t n;
    /* bufferlint: ignore */
    if (PyObject_AsReadBuffer(o, &p, &n) < 0) return NULL;
    global = p;
    return PyLong_FromSsize_t(n);
}
static PyObject *fixed(PyObject *self, PyObject *o) {
    const char *p; Py_ssize_t n;
    if (PyObject_AsCharBuffer(o, &p, &n) < 0) return NULL;
    return PyLong_FromSsize_t(n + p[0]);
}
"""

CYTHON_SOURCE = """cdef extern from "Python.h":
    int PyObject_AsReadBuffer(object, const void **, Py_ssize_t *) except -1

def kept(o):
    cdef const void *p
    cdef Py_ssize_t n
    PyObject_AsReadBuffer(o, &p, &n)  # bufferlint: ignore[BUF002]
    return n

def fixed(o):
    cdef const void *p
    cdef Py_ssize_t n
    PyObject_AsReadBuffer(o, &p, &n)
    return n
"""


def run(*args, cwd):
    return subprocess.run([BUFFERLINT, *args], capture_output=True, text=True, cwd=cwd)


def lines_with(text: str, needle: str):
    return [l.strip() for l in text.splitlines() if needle in l]


@pytest.mark.parametrize("command", ["fix", "diff"])
def test_suppressed_uses_are_not_fixed_in_c(tmp_path, command):
    (tmp_path / "m.c").write_text(C_SOURCE)
    if command == "fix":
        r = run("fix", "m.c", cwd=tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "fixed 1 use (1 scoped)" in r.stdout, r.stdout
        out = (tmp_path / "m.c").read_text()
    else:
        r = run("check", "--diff", "m.c", cwd=tmp_path)
        assert r.returncode == 1, r.stderr
        p = subprocess.run(["git", "apply", "-"], input=r.stdout, text=True, capture_output=True, cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        out = (tmp_path / "m.c").read_text()
    # The two suppressed calls are as written; the third is scoped.
    assert lines_with(out, "PyObject_AsCharBuffer") == ["if (PyObject_AsCharBuffer(o, &p, &n) < 0) return NULL; // bufferlint: ignore[BUF001]"]
    assert lines_with(out, "PyObject_AsReadBuffer") == ["if (PyObject_AsReadBuffer(o, &p, &n) < 0) return NULL;"]
    assert out.count("PyObject_GetBuffer") == 1
    # The suppressed use that would have needed the compat header does not bring it in.
    assert "bufferlint_compat.h" not in out
    assert not (tmp_path / "bufferlint_compat.h").exists()


def test_suppressed_uses_are_not_fixed_in_cython_and_keep_their_declaration(tmp_path):
    (tmp_path / "m.pyx").write_text(CYTHON_SOURCE)
    r = run("fix", "m.pyx", cwd=tmp_path)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    out = (tmp_path / "m.pyx").read_text()
    assert "PyObject_AsReadBuffer(o, &p, &n)  # bufferlint: ignore[BUF002]" in out
    assert "int PyObject_AsReadBuffer(object, const void **, Py_ssize_t *) except -1" in out, "still used, so still declared"
    assert out.count("PyObject_AsReadBuffer(o, &p, &n)") == 1, "the other use is fixed"


def test_baseline_findings_are_left_alone_only_when_the_baseline_is_given(tmp_path):
    (tmp_path / "old.c").write_text(C_SOURCE.replace(" // bufferlint: ignore[BUF001]", "").replace("    /* bufferlint: ignore */\n", ""))
    w = run("check", "--write-baseline", "baseline.json", "old.c", cwd=tmp_path)
    assert w.returncode == 0, w.stderr
    # A new use after the baseline was written.
    text = (tmp_path / "old.c").read_text() + """static PyObject *added(PyObject *self, PyObject *o) {
    const char *p; Py_ssize_t n;
    if (PyObject_AsCharBuffer(o, &p, &n) < 0) return NULL;
    return PyLong_FromSsize_t(n);
}
"""
    (tmp_path / "old.c").write_text(text)
    d = run("check", "--diff", "--baseline", "baseline.json", "old.c", cwd=tmp_path)
    assert d.returncode == 1, d.stderr
    assert d.stdout.count("+    if (PyObject_GetBuffer(") == 1 and "bufferlint_compat.h" not in d.stdout, d.stdout
    f = run("fix", "--baseline", "baseline.json", "old.c", cwd=tmp_path)
    assert f.returncode == 0, f.stdout + f.stderr
    assert "old.c: fixed 1 use (1 scoped)" in f.stdout
    assert "3 accepted by the baseline left as they are" in f.stdout, f.stdout
    fixed = (tmp_path / "old.c").read_text()
    start = text.index("static PyObject *added")
    assert fixed[:start] == text[:start], "the accepted uses are as they were"
    assert fixed.count("PyObject_AsCharBuffer") == 2 and fixed.count("PyObject_AsReadBuffer") == 1
    # Without the baseline, everything is fixed.
    again = run("fix", "old.c", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    assert "PyObject_As" not in (tmp_path / "old.c").read_text()


def test_fix_with_an_unreadable_baseline_names_it_and_changes_nothing(tmp_path):
    (tmp_path / "m.c").write_text(C_SOURCE)
    r = run("fix", "--baseline", "missing.json", "m.c", cwd=tmp_path)
    assert r.returncode == 2
    assert "baseline missing.json" in r.stderr
    assert (tmp_path / "m.c").read_text() == C_SOURCE

"""Precompiled Python.h kept between runs (in the user's cache folder, never the project's):
a run that checks one file, as pre-commit does, reads it instead of parsing Python.h, and the
findings are those of a run without it. A stored header that libclang refuses is removed."""
import json
import os
import stat
import subprocess

import pytest

BINARY = os.environ.get("BUFFERLINT")
pytestmark = pytest.mark.skipif(not BINARY, reason="BUFFERLINT is not set to a bufferlint binary")

SOURCE = """#define PY_SSIZE_T_CLEAN
#include <Python.h>
static PyObject *f(PyObject *self, PyObject *o) {
    Py_buffer view;
    if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0) return NULL;
    if (view.len == 0) return NULL;
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}
"""


def check(tmp_path, xdg, *extra):
    env = dict(os.environ, XDG_CACHE_HOME=str(xdg))
    p = subprocess.run([BINARY, "check", "--format", "json", "--cache-dir", str(tmp_path / "c"), *extra, "m.c"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1), p.stderr
    return [(f["rule"], f["line"]) for f in json.loads(p.stdout)["findings"]]


def stored(xdg, suffix):
    folder = xdg / "bufferlint" / "pch"
    return sorted(folder.glob("*" + suffix)) if folder.exists() else []


def test_one_file_runs_reuse_the_stored_header_and_find_the_same(tmp_path):
    (tmp_path / "m.c").write_text(SOURCE)
    xdg = tmp_path / "xdg"
    plain = check(tmp_path, xdg, "--no-cache")
    assert plain == [("BUF102", 5)]
    assert stored(xdg, ".pch") == []  # --no-cache keeps nothing
    first = check(tmp_path, xdg)
    [pch] = stored(xdg, ".pch")
    mode = os.stat(pch.parent).st_mode
    assert stat.S_IMODE(mode) & 0o077 == 0
    made = pch.stat().st_mtime_ns
    (tmp_path / "c").rename(tmp_path / "c-old")  # no result cache: the file is parsed again
    second = check(tmp_path, xdg)
    assert first == second == plain
    assert pch.stat().st_mtime_ns == made  # read, not made again


def test_a_refused_header_is_removed_and_the_findings_stay(tmp_path):
    (tmp_path / "m.c").write_text(SOURCE)
    xdg = tmp_path / "xdg"
    expected = check(tmp_path, xdg)
    [pch] = stored(xdg, ".pch")
    pch.write_bytes(b"not a precompiled header")
    (tmp_path / "c").rename(tmp_path / "c-old")
    assert check(tmp_path, xdg) == expected
    assert not pch.exists() or pch.read_bytes() != b"not a precompiled header"


def test_a_store_others_can_write_to_is_not_used(tmp_path):
    (tmp_path / "m.c").write_text(SOURCE)
    xdg = tmp_path / "xdg"
    folder = xdg / "bufferlint" / "pch"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    assert check(tmp_path, xdg) == [("BUF102", 5)]
    assert stored(xdg, ".pch") == []

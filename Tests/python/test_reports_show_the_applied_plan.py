"""JSON and SARIF show the plan that `fix` with the same flags applies: with `--unsafe-fixes` the
unsafe strategies, without it the safe ones, so an unsafe run can be audited before it is applied.
And targets below Python 3.0 are refused: the fixes need Python 3's buffer API."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUFFERLINT = os.environ.get("BUFFERLINT", str(ROOT / ".build" / "release" / "bufferlint"))

SOURCE = """#include <Python.h>
static const void *global;
static PyObject *is_buf(PyObject *self, PyObject *o) {
    return PyBool_FromLong(PyObject_CheckReadBuffer(o));
}
static PyObject *keep(PyObject *self, PyObject *o) {
    const void *p; Py_ssize_t n;
    if (PyObject_AsReadBuffer(o, &p, &n) < 0) return NULL;
    global = p;
    return PyLong_FromSsize_t(n);
}
static PyObject *upper(PyObject *self, PyObject *o) {
    const char *s; Py_ssize_t n;
    if (PyObject_AsCharBuffer(o, &s, &n) < 0) return NULL;
    return PyBytes_FromStringAndSize(s, n);
}
"""

CYTHON = """cdef extern from "Python.h":
    int PyObject_AsReadBuffer(object, const void **, Py_ssize_t *) except -1

def size(o):
    cdef const void *p
    cdef Py_ssize_t n
    if PyObject_AsReadBuffer(o, &p, &n) < 0:
        return -1
    return n
"""

FIXED_LINE = re.compile(r"^\s+\S+?:(\d+):\d+: (BUF\d+) ([a-z-]+) \((safe|unsafe)\)", re.M)


def run(*args, cwd):
    return subprocess.run([BUFFERLINT, *args], capture_output=True, text=True, cwd=cwd)


def planned_by_fix(tmp_path, name, flags):
    work = tmp_path / "fixed"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    shutil.copy(tmp_path / name, work / name)
    r = run("fix", *flags, name, cwd=work)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    return sorted((int(m[1]), m[2], m[3], m[4]) for m in FIXED_LINE.finditer(r.stdout))


def planned_in_json(tmp_path, name, flags):
    r = run("check", "--format", "json", *flags, name, cwd=tmp_path)
    assert r.returncode in (0, 1), r.stderr
    return sorted((f["line"], f["rule"], f["fix"]["strategy"], f["fix"]["safety"]) for f in json.loads(r.stdout)["findings"] if f.get("fix"))


def planned_in_sarif(tmp_path, name, flags):
    r = run("check", "--format", "sarif", *flags, name, cwd=tmp_path)
    assert r.returncode in (0, 1), r.stderr
    out = []
    for res in json.loads(r.stdout)["runs"][0]["results"]:
        for fix in res.get("fixes", []):
            m = re.match(r"([a-z-]+) fix \((safe|unsafe)\)", fix["description"]["text"])
            assert m, fix["description"]["text"]
            line = res["locations"][0]["physicalLocation"]["region"]["startLine"]
            out.append((line, res["ruleId"], m[1], m[2]))
    return sorted(out)


@pytest.mark.parametrize("flags", [[], ["--unsafe-fixes"]], ids=["safe", "unsafe"])
@pytest.mark.parametrize("name,text", [("m.c", SOURCE), ("m.pyx", CYTHON)], ids=["c", "cython"])
def test_json_and_sarif_show_what_fix_applies(tmp_path, flags, name, text):
    (tmp_path / name).write_text(text)
    applied = planned_by_fix(tmp_path, name, flags)
    assert applied, "the example has fixes"
    assert planned_in_json(tmp_path, name, flags) == applied
    assert planned_in_sarif(tmp_path, name, flags) == applied


def test_the_unsafe_plan_differs_where_an_unsafe_fix_exists(tmp_path):
    (tmp_path / "m.c").write_text(SOURCE)
    safe = {line: strategy for line, _, strategy, _ in planned_in_json(tmp_path, "m.c", [])}
    unsafe = {line: (strategy, safety) for line, _, strategy, safety in planned_in_json(tmp_path, "m.c", ["--unsafe-fixes"])}
    assert safe[4] == "compat" and unsafe[4] == ("check-buffer", "unsafe")
    assert safe[14] == "scoped" and unsafe[14] == ("scoped", "safe")


@pytest.mark.parametrize("target", ["2.7", "2.0", "1.5"])
def test_targets_below_3_0_are_refused_on_the_command_line(tmp_path, target):
    (tmp_path / "m.c").write_text(SOURCE)
    for command in (["check"], ["fix"], ["check", "--diff"]):
        r = run(*command, "--target-python", target, "m.c", cwd=tmp_path)
        assert r.returncode == 2, (command, r.stdout, r.stderr)
        assert f"Python {target} is not supported" in r.stderr and "the lowest target is 3.0" in r.stderr
    assert (tmp_path / "m.c").read_text() == SOURCE


def test_a_target_below_3_0_in_the_configuration_names_the_file(tmp_path):
    (tmp_path / "m.c").write_text(SOURCE)
    (tmp_path / ".bufferlint.yml").write_text('target-python: "2.7"\n')
    r = run("fix", "m.c", cwd=tmp_path)
    assert r.returncode == 2
    assert ".bufferlint.yml" in r.stderr and "target-python" in r.stderr and "lowest target is 3.0" in r.stderr
    assert (tmp_path / "m.c").read_text() == SOURCE


def test_the_lowest_target_is_accepted_and_documented(tmp_path):
    (tmp_path / "m.c").write_text(SOURCE)
    assert run("check", "--target-python", "3.0", "m.c", cwd=tmp_path).returncode in (0, 1)
    assert "lowest 3.0" in run("check", "--help", cwd=tmp_path).stdout

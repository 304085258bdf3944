"""A project that defines an old name itself (a macro, or a runtime with the function's body) calls
its own code, not CPython's: those uses and prototypes are neither errors nor fixed; only the
definition is reported, as `shadowing`. A definition with external linkage covers the other files
of the run; a `static` one only its own file."""
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUFFERLINT = os.environ.get("BUFFERLINT", str(ROOT / ".build" / "release" / "bufferlint"))

MACRO = """#include <Python.h>
#define PyObject_CheckReadBuffer(o) (0)
static PyObject *f(PyObject *self, PyObject *o) {
    if (PyObject_CheckReadBuffer(o)) Py_RETURN_NONE;
    return PyLong_FromLong(1);
}
"""

RUNTIME = """#include <Python.h>
int PyObject_AsReadBuffer(PyObject *o, const void **p, Py_ssize_t *n);
int PyObject_AsReadBuffer(PyObject *o, const void **p, Py_ssize_t *n) {
    Py_buffer v;
    if (PyObject_GetBuffer(o, &v, PyBUF_SIMPLE) < 0) return -1;
    *p = v.buf; *n = v.len;
    return 0;
}
static PyObject *g(PyObject *self, PyObject *o) {
    const void *p; Py_ssize_t n;
    if (PyObject_AsReadBuffer(o, &p, &n) < 0) return NULL;
    return PyLong_FromSsize_t(n);
}
"""

CALLER = """#include <Python.h>
int PyObject_AsReadBuffer(PyObject *o, const void **p, Py_ssize_t *n);
PyObject *h(PyObject *self, PyObject *o) {
    const void *p; Py_ssize_t n;
    if (PyObject_AsReadBuffer(o, &p, &n) < 0) return NULL;
    return PyLong_FromSsize_t(n);
}
"""

STATIC = """#include <Python.h>
static int PyObject_AsCharBuffer(PyObject *o, const char **p, Py_ssize_t *n) { return -1; }
static PyObject *k(PyObject *self, PyObject *o) {
    const char *p; Py_ssize_t n;
    if (PyObject_AsCharBuffer(o, &p, &n) < 0) return NULL;
    return PyLong_FromSsize_t(n);
}
"""

OTHER = """#include <Python.h>
PyObject *k2(PyObject *self, PyObject *o) {
    const char *p; Py_ssize_t n;
    if (PyObject_AsCharBuffer(o, &p, &n) < 0) return NULL;
    return PyLong_FromSsize_t(n);
}
"""


def run(*args, cwd):
    return subprocess.run([BUFFERLINT, *args], capture_output=True, text=True, cwd=cwd)


def old_findings(cwd, *paths):
    r = run("check", "--format", "json", *paths, cwd=cwd)
    assert r.returncode in (0, 1), r.stderr
    return sorted((f["file"], f["line"], f["kind"]) for f in json.loads(r.stdout)["findings"] if f["rule"] in ("BUF001", "BUF002", "BUF003", "BUF004"))


def write(tmp_path, **files):
    for name, text in files.items():
        (tmp_path / f"{name}.c").write_text(text)


def test_a_macro_of_the_project_is_its_own_function(tmp_path):
    write(tmp_path, zmq=MACRO)
    assert old_findings(tmp_path, "zmq.c") == [("zmq.c", 2, "shadowing")]
    r = run("fix", "zmq.c", cwd=tmp_path)
    assert r.returncode in (0, 1), r.stderr
    assert (tmp_path / "zmq.c").read_text() == MACRO
    assert not (tmp_path / "bufferlint_compat.h").exists()


def test_a_definition_in_the_file_covers_its_prototypes_and_calls(tmp_path):
    write(tmp_path, rt=RUNTIME)
    assert old_findings(tmp_path, "rt.c") == [("rt.c", 3, "shadowing")]
    run("fix", "rt.c", cwd=tmp_path)
    assert (tmp_path / "rt.c").read_text() == RUNTIME


def test_a_definition_with_external_linkage_covers_the_other_files_of_the_run(tmp_path):
    write(tmp_path, rt=RUNTIME, user=CALLER)
    assert old_findings(tmp_path, ".") == [("rt.c", 3, "shadowing")]
    r = run("fix", ".", cwd=tmp_path)
    assert r.returncode in (0, 1), r.stderr
    assert (tmp_path / "user.c").read_text() == CALLER
    # Alone, the caller cannot know: its use is CPython's, as far as the file shows.
    assert ("user.c", 5, "call") in old_findings(tmp_path, "user.c")


def test_a_static_definition_covers_only_its_own_file(tmp_path):
    write(tmp_path, st=STATIC, other=OTHER)
    assert old_findings(tmp_path, ".") == [("other.c", 4, "call"), ("st.c", 2, "shadowing")]
    r = run("fix", ".", cwd=tmp_path)
    assert r.returncode in (0, 1), r.stderr
    assert (tmp_path / "st.c").read_text() == STATIC
    assert "PyObject_GetBuffer" in (tmp_path / "other.c").read_text()

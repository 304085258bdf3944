"""Every fix strategy writes the same code whatever the file's line endings: `fix` of a CRLF copy
of each fix-corpus module and fixture is, byte for byte, the CRLF form of `fix` of the LF file,
with and without --unsafe-fixes; a fixed CRLF Cython module still compiles."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUFFERLINT = os.environ.get("BUFFERLINT", str(ROOT / ".build" / "release" / "bufferlint"))
SOURCES = [ROOT / "Tests" / "FixCorpus" / n for n in ("fixmod.c", "fixmodpp.cpp", "cymod.pyx", "cymod_part.pxi", "swmod.i", "xwmod.c", "xwrap.c", "xwrap.h")] \
    + sorted((ROOT / "Tests" / "Fixtures" / "real" / "cython").glob("*.pyx")) \
    + sorted((ROOT / "Tests" / "Fixtures" / "golden").glob("*.[ci]")) \
    + sorted((ROOT / "Tests" / "Fixtures" / "golden").glob("*.pyx"))


def fixed(folder: Path, name: str, unsafe: bool) -> bytes:
    cmd = [BUFFERLINT, "fix", "--no-cache", *(["--unsafe-fixes"] if unsafe else []), name]
    r = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    return (folder / name).read_bytes()


def lay_out(base: Path, source: Path, crlf: bool) -> Path:
    d = base / ("crlf" if crlf else "lf")
    d.mkdir(parents=True)
    # The module's neighbours (headers, Cython includes) come along, in the same line endings.
    for f in source.parent.iterdir():
        if f.is_file() and f.suffix in (".c", ".cpp", ".h", ".hpp", ".pyx", ".pxi", ".pxd", ".i"):
            data = f.read_bytes().replace(b"\r\n", b"\n")
            (d / f.name).write_bytes(data.replace(b"\n", b"\r\n") if crlf else data)
    return d


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_crlf_file_is_fixed_as_its_lf_form(tmp_path: Path, source: Path, unsafe: bool) -> None:
    lf = fixed(lay_out(tmp_path, source, crlf=False), source.name, unsafe)
    crlf = fixed(lay_out(tmp_path, source, crlf=True), source.name, unsafe)
    assert lf.replace(b"\r\n", b"\n") != source.read_bytes().replace(b"\r\n", b"\n") or b"PyObject_As" not in lf, "nothing was fixed"
    assert crlf == lf.replace(b"\n", b"\r\n"), f"{source.name}: the CRLF fix differs from the LF one"


def test_a_fixed_crlf_cython_module_compiles(tmp_path: Path) -> None:
    pytest.importorskip("Cython")
    d = lay_out(tmp_path, ROOT / "Tests" / "FixCorpus" / "cymod.pyx", crlf=True)
    out = fixed(d, "cymod.pyx", unsafe=True)
    assert b"try:\r\n" in out, "the scoped rewrite was not applied"
    r = subprocess.run([sys.executable, "-m", "cython", "-3", "cymod.pyx", "-o", "cymod.c"], cwd=d, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_a_pointer_found_with_memchr_and_kept_in_a_module_variable_escapes(tmp_path: Path) -> None:
    # The same shape in Cython and in C: both planners see the pointer escape through memchr's result.
    (tmp_path / "keep.pyx").write_text(
        "from libc.string cimport memchr\n"
        "cdef extern from \"Python.h\":\n"
        "    int PyObject_AsReadBuffer(object, const void **, Py_ssize_t *) except -1\n"
        "\n"
        "cdef const char *found = NULL\n"
        "\n"
        "def find_nul(obj):\n"
        "    global found\n"
        "    cdef const void *p\n"
        "    cdef Py_ssize_t n\n"
        "    if PyObject_AsReadBuffer(obj, &p, &n) < 0:\n"
        "        return None\n"
        "    found = <const char *>memchr(p, 0, n)\n"
        "    return found != NULL\n")
    (tmp_path / "keep.c").write_text(
        "#include <Python.h>\n#include <string.h>\n"
        "static const char *found;\n"
        "static PyObject *find_nul(PyObject *self, PyObject *obj) {\n"
        "    const void *p;\n    Py_ssize_t n;\n"
        "    if (PyObject_AsReadBuffer(obj, &p, &n) < 0) return NULL;\n"
        "    found = memchr(p, 0, n);\n"
        "    return PyBool_FromLong(found != NULL);\n}\n")
    import json
    kinds = {}
    for name in ("keep.pyx", "keep.c"):
        r = subprocess.run([BUFFERLINT, "check", "--no-cache", "--unsafe-fixes", "--format", "json", name], cwd=tmp_path, capture_output=True, text=True)
        fix = next(f for f in json.loads(r.stdout)["findings"] if f["kind"] == "call")["fix"]
        kinds[name] = (fix["strategy"], fix["escape"]["kind"])
    assert kinds["keep.pyx"] == kinds["keep.c"], kinds
    assert kinds["keep.pyx"][0] == "compat" and kinds["keep.pyx"][1] == "global", kinds

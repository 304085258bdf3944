"""`bufferlint fix` on real extension modules: the fixed copy builds without the
old functions (poisoned) and behaves as the original on every input, with no
view left held on any path."""
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "Tests" / "FixCorpus"
BUFFERLINT = os.environ.get("BUFFERLINT", str(ROOT / ".build" / "release" / "bufferlint"))
OLD = ["PyObject_AsCharBuffer", "PyObject_AsReadBuffer", "PyObject_AsWriteBuffer", "PyObject_CheckReadBuffer"]
MODULES = {"fixmod": ("fixmod.c", "gcc"), "fixmodpp": ("fixmodpp.cpp", "g++"), "cymod": ("cymod.pyx", "gcc"), "_swmod": ("swmod.i", "gcc"),
           "xwmod": ("xwmod.c", "gcc"), "xwmodpp": ("xwmodpp.cpp", "g++")}
# A module's other files, copied and fixed with it: sources built with it, headers, Cython includes.
MORE_FILES = {"xwmod": ["xwrap.c", "xwrap.h"], "xwmodpp": ["xwrappp.cpp", "xwrappp.hpp"], "cymod": ["cymod_part.pxi"]}

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("g++") is None, reason="gcc and g++ are needed")


def build(src_dir: Path, out_dir: Path, extra: list[str], only: set[str] | None = None) -> None:
    include = sysconfig.get_paths()["include"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for name, (source, compiler) in MODULES.items():
        if only is not None and name not in only:
            continue
        path = src_dir / source
        if source.endswith(".pyx"):
            # Cython from PyPI (Tests/requirements.txt) writes the C file that is built.
            path = out_dir / (name + ".c")
            r = subprocess.run([sys.executable, "-m", "cython", "-3", str(src_dir / source), "-o", str(path)], capture_output=True, text=True)
            assert r.returncode == 0, r.stderr
        if source.endswith(".i"):
            # Debian's swig (Scripts/setup.sh --test) writes the wrapper and its Python module.
            assert shutil.which("swig"), "swig is not installed (Scripts/setup.sh --test installs it)"
            path = out_dir / (source[:-2] + "_wrap.c")
            r = subprocess.run(["swig", "-python", "-outdir", str(out_dir), "-o", str(path), str(src_dir / source)], capture_output=True, text=True)
            assert r.returncode == 0, r.stderr
        more = [str(src_dir / f) for f in MORE_FILES.get(name, []) if f.endswith((".c", ".cpp"))]
        cmd = [compiler, "-shared", "-fPIC", "-O1", "-Wall", f"-I{include}", f"-I{src_dir}", *extra,
               str(path), *more, "-o", str(out_dir / (name + suffix))]
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, f"{' '.join(cmd)}\n{r.stderr}"


def behaviour(build_dir: Path) -> list[dict]:
    r = subprocess.run([sys.executable, str(CORPUS / "behaviour.py"), str(build_dir)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def make_fixed(base: Path, unsafe: bool, via_diff: bool = False) -> dict:
    original, copy = base / "original", base / "fixed"
    (original / "build").mkdir(parents=True)
    copy.mkdir()
    # Every module is fixed: without --unsafe-fixes the Cython module gets compat (safe) throughout.
    fixable = set(MODULES)
    for name, (source, _) in MODULES.items():
        for f in [source, *MORE_FILES.get(name, [])]:
            shutil.copy(CORPUS / f, copy / f)
    build(CORPUS, original / "build", ["-Wno-deprecated-declarations"])
    flags = ["--unsafe-fixes"] if unsafe else []
    if via_diff:
        # What a reviewer applies: the diff, with the support headers it creates, taken by git apply.
        run = subprocess.run([BUFFERLINT, "check", "--diff", *flags, "."], cwd=copy, capture_output=True, text=True)
        assert run.returncode in (0, 1), run.stderr
        applied = subprocess.run(["git", "apply", "-p1", "-"], cwd=copy, input=run.stdout, capture_output=True, text=True)
        assert applied.returncode == 0, applied.stderr
    else:
        run = subprocess.run([BUFFERLINT, "fix", *flags, str(copy)], capture_output=True, text=True)
        assert run.returncode in (0, 1), run.stderr
    poison = base / "poison.h"
    poison.write_text("#include <Python.h>\n#pragma GCC poison " + " ".join(OLD) + "\n")
    (copy / "build").mkdir()
    build(copy, copy / "build", ["-Werror=deprecated-declarations", "-include", str(poison)], only=fixable)
    build(CORPUS, copy / "build", ["-Wno-deprecated-declarations"], only=set(MODULES) - fixable)
    return {"base": base, "copy": copy, "report": run.stdout,
            "before": behaviour(original / "build"), "after": behaviour(copy / "build")}


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    return make_fixed(tmp_path_factory.mktemp("fixcorpus"), unsafe=False)


@pytest.fixture(scope="module")
def fixed_unsafe(tmp_path_factory):
    return make_fixed(tmp_path_factory.mktemp("fixcorpus-unsafe"), unsafe=True)


@pytest.mark.parametrize("unsafe", [False, True])
def test_the_applied_diff_builds_poisoned_and_behaves_as_fix(unsafe, request, tmp_path):
    """`git apply` of `check --diff` (with and without --unsafe-fixes) on a copy of every module gives
    code that builds with the old names poisoned and behaves exactly as the copy `fix` wrote."""
    fixed = request.getfixturevalue("fixed_unsafe" if unsafe else "fixed")
    diffed = make_fixed(tmp_path, unsafe=unsafe, via_diff=True)
    for name in sorted({p.name for p in fixed["copy"].iterdir() if p.is_file()}):
        assert (diffed["copy"] / name).read_bytes() == (fixed["copy"] / name).read_bytes(), name
    assert diffed["after"] == fixed["after"]


def test_unsafe_fixes_keep_results_and_leak_no_view(fixed_unsafe):
    """With --unsafe-fixes the held view and the trusting plans are applied too. Only the
    check-buffer approximation may answer differently (a non-contiguous memoryview)."""
    before, after = fixed_unsafe["before"], fixed_unsafe["after"]
    assert len(before) == len(after) >= 300
    approximations = {"is_readable", "check"}
    diffs = [(b["call"], b["input"], b["outcome"], a["outcome"]) for b, a in zip(before, after)
             if (b["outcome"], b["after"]) != (a["outcome"], a["after"])]
    assert diffs and all(d[0].split(":")[1] in approximations and d[1] == "memoryview-noncontiguous" for d in diffs), diffs
    leaks = [(a["call"], a["input"], a["resize"]) for a in after if a["resize"] not in (None, "ok")]
    assert leaks == []
    report = fixed_unsafe["report"]
    assert "held view (unsafe)" in report and "[escape: struct-field, line" in report
    fixed_c = (fixed_unsafe["copy"] / "fixmod.c").read_text()
    assert "Py_buffer data_view; /* keeps `data` valid */" in fixed_c
    assert "PyBuffer_Release(&self->data_view);\n    Py_TYPE(self)->tp_free" in fixed_c
    assert "PyBuffer_Release(&self->data_view); self->data_view = view; view.obj = NULL;" in fixed_c
    # The Keeper really held the view: a second keep let go of it while the Keeper lived.
    # The wrapper takes a caller-owned view; its three callers own and release it.
    assert "get_read_buffer(PyObject *obj, const void **buf, Py_ssize_t *len, Py_buffer *view)" in fixed_c
    assert fixed_c.count("get_read_buffer(") == 5 and fixed_c.count(", &view) < 0") == 3 and ", &view_1) < 0" in fixed_c
    assert "caller-owned view (unsafe)" in report and "its callers (3 in this file, calls at lines" in report
    # A wrapper that is not static: its prototype in the header and its three calls in another file change with it.
    assert "xw_read_buffer(PyObject *obj, const void **buf, Py_ssize_t *len, Py_buffer *view)" in (fixed_unsafe["copy"] / "xwrap.c").read_text()
    assert "int xw_read_buffer(PyObject *obj, const void **buf, Py_ssize_t *len, Py_buffer *view);" in (fixed_unsafe["copy"] / "xwrap.h").read_text()
    xw = (fixed_unsafe["copy"] / "xwmod.c").read_text()
    assert xw.count(", &view) < 0") == 3 and ", &view_1) < 0" in xw and "PyBuffer_Release" in xw
    assert "the other scanned files change with it: " in report
    # A C++ wrapper that is not static takes its caller's guard by reference, in its prototype too; each of
    # its three callers in another file declares a guard, released on every exit, the caught exception included.
    xwpp = (fixed_unsafe["copy"] / "xwrappp.cpp").read_text()
    assert "int xwpp_write_buffer(PyObject *obj, void **buf, Py_ssize_t *len, bufferlint::BufferView &view)\n{" in xwpp
    assert ('{ if (view.acquire(obj, PyBUF_WRITABLE) < 0) { PyErr_SetString(PyExc_TypeError, "expected a writable bytes-like object"); return -1; }'
            ' *buf = (void *)view.buf(); *len = view.len(); return 0; }') in xwpp
    hpp = (fixed_unsafe["copy"] / "xwrappp.hpp").read_text()
    assert "int xwpp_write_buffer(PyObject *obj, void **buf, Py_ssize_t *len, bufferlint::BufferView &view);" in hpp
    assert hpp.count('#include "bufferlint_view.hpp"') == 1
    xwmodpp = (fixed_unsafe["copy"] / "xwmodpp.cpp").read_text()
    assert xwmodpp.count("{\n    bufferlint::BufferView view;\n    void *p;") == 3 and xwmodpp.count("(obj, &p, &n, view) < 0)") == 3
    assert xwmodpp.count('#include "bufferlint_view.hpp"') == 1 and "PyBuffer_Release" not in xwmodpp
    assert "gains a last parameter `bufferlint::BufferView &view`" in report
    stamp = [a for a in after if a["call"].endswith(":xwpp_stamp") and a["input"] == "bang-bytearray"]
    assert stamp and stamp[0]["outcome"] == ["raise", "ValueError", "no bang please"] and stamp[0]["resize"] == "ok"
    for keeper in ("keeper_twice", "holder_twice"):
        twice = [a for a in after if a["call"].endswith(":" + keeper) and a["input"] == "bytearray"]
        assert twice and twice[0]["outcome"][0] == "ok" and "resized" in twice[0]["outcome"][1], keeper
    # C++: the guard hands its view to the Holder's new field, which its deallocator releases.
    fixed_cpp = (fixed_unsafe["copy"] / "fixmodpp.cpp").read_text()
    assert "Py_ssize_t len;\n    Py_buffer data_view; /* keeps `data` valid */\n};" in fixed_cpp
    assert "{\n    PyBuffer_Release(&self->data_view);\n    PyTypeObject *type = Py_TYPE(self);" in fixed_cpp
    assert "require_no_bang(n, n > 0 ? s[0] : 0);\n    view.move_to(&self->data_view);\n    self->data = s;" in fixed_cpp
    assert "guard hands its view over (`view.move_to(&self->data_view)`" in report
    # The throwing keep left the Holder with its old view and x free: the corpus compares it.
    bang = [a for a in after if a["call"].endswith(":holder_bang_keeps_the_old") and a["input"] == "bang-bytearray"]
    assert bang and bang[0]["outcome"] == ["ok", repr(("ValueError: no bang please", 111, 122))] and bang[0]["resize"] == "ok"
    # Cython: the fixed .pyx (built with the names poisoned) uses cimported PyObject_GetBuffer in try/finally
    # for the plain calls, also in the body of an `if`, a `for` and a `try`; compat where the pointer escapes.
    pyx = (fixed_unsafe["copy"] / "cymod.pyx").read_text()
    assert "from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE, PyBUF_WRITABLE" in pyx
    assert "PyObject_As" not in pyx and "PyObject_CheckReadBuffer" not in pyx
    assert pyx.count("finally:\n        PyBuffer_Release(&view)") == 3
    assert pyx.count("    cdef Py_buffer view\n    if pick:\n        PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)\n        try:") == 1
    assert "    for x in items:\n        PyObject_GetBuffer(x, &view, PyBUF_SIMPLE)\n        try:" in pyx
    assert pyx.count("finally:\n            PyBuffer_Release(&view)") == 3
    assert "    cdef Py_buffer view\n    cdef Py_ssize_t i\n    cdef Py_ssize_t count\n    PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)" in pyx
    for escaped in ["bufferlint_AsCharBuffer(obj, &_remembered, &_remembered_len)", "bufferlint_AsReadBuffer(obj, &self.data, &self.size)",
                    "bufferlint_AsWriteBuffer(obj, &p, &n)", "bufferlint_AsReadBuffer(obj, <const void **>&p, &n)",
                    "return bufferlint_CheckReadBuffer(obj)"]:
        assert escaped in pyx, escaped
    # The loop filling an array of pointers: an array of views, every acquired one released.
    assert "            for i in range(count):\n                PyObject_GetBuffer(items[i], &views[i], PyBUF_SIMPLE)\n                views_acquired += 1\n" in pyx
    assert "        finally:\n            for views_k in range(views_acquired):\n                PyBuffer_Release(&views[views_k])\n            PyMem_Free(views)\n" in pyx
    assert "an array of views beside `ptrs`" in report
    part = (fixed_unsafe["copy"] / "cymod_part.pxi").read_text()
    assert 'cdef extern from "bufferlint_compat.h":\n    int bufferlint_AsReadBuffer(object obj, const void **buffer, Py_ssize_t *buffer_len) except -1' in part
    for why in ["[escape: global, line", "is stored in the module-level `_remembered`", "[escape: struct-field, line", "is stored in the field `self.data`",
                "`p` is used after the block of the call", "the rest of the `for` block", "each iteration gets and releases its own view",
                "the rest of the `if` block", "the rest of the `try` block", "remove-declaration (safe)"]:
        assert why in report, why


def test_fixed_modules_behave_as_the_originals(fixed):
    before, after = fixed["before"], fixed["after"]
    assert len(before) == len(after) >= 300
    diffs = [(b["call"], b["input"], b["outcome"], a["outcome"], b["after"], a["after"])
             for b, a in zip(before, after) if (b["call"], b["input"], b["outcome"], b["after"]) != (a["call"], a["input"], a["outcome"], a["after"])]
    assert diffs == []
    # The inputs really exercise both paths: successes and each kind of failure.
    kinds = {tuple(b["outcome"][:2]) if b["outcome"][0] == "raise" else ("ok",) for b in before}
    assert ("ok",) in kinds and ("raise", "TypeError") in kinds and ("raise", "BufferError") in kinds


def test_no_view_is_left_held_on_any_path(fixed):
    checked = [a for a in fixed["after"] if a["resize"] is not None]
    assert len(checked) > 50
    assert [a for a in checked if a["resize"] != "ok"] == []


def test_the_fixed_copy_has_no_finding_left_but_those_reported_not_fixable(fixed):
    copy = fixed["copy"]
    r = subprocess.run([BUFFERLINT, "check", "--format", "json", str(copy)], capture_output=True, text=True)
    # The support headers bufferlint writes are its own reference code, not the module's.
    support = {"bufferlint_compat.h", "bufferlint_view.hpp"}
    findings = [f for f in json.loads(r.stdout)["findings"]
                if f["rule"].startswith("BUF") and f["rule"] != "BUF000" and Path(f["file"]).name not in support]
    not_fixed = set(re.findall(r"^(\S+?):(\d+):\d+: (BUF\d+) not fixed", fixed["report"], re.M))
    assert findings, "the guarded legacy function must still be reported"
    for f in findings:
        # Lines after the fix moved; the not-fixable uses are the inactive (info) ones.
        assert f["severity"] == "info", f
    assert len(not_fixed) == len(findings)


def test_scoped_and_compat_counts_and_reasons(fixed):
    report = fixed["report"]
    m = re.search(r"^(\d+) uses fixed \((\d+) scoped, (\d+) remove-declaration, (\d+) compat\), (\d+) not fixed", report, re.M)
    assert m, report
    total, scoped, removed, compat, _ = map(int, m.groups())
    assert scoped >= 20 and compat >= 6 and removed == 4 and total == scoped + removed + compat
    for why in ["in a loop", "stored in the field `data`", "may keep it", "[escape: struct-field, line", "[escape: none, line",
                "Py_BEGIN_ALLOW_THREADS", "body of the macro `GET_READ`", "bufferlint::BufferView"]:
        assert why in report, why
    # The pointer kept in a struct falls back to compat.
    fixed_c = (fixed["copy"] / "fixmod.c").read_text()
    assert "if (bufferlint_AsCharBuffer(obj, &s, &n) < 0)" in fixed_c
    assert (fixed["copy"] / "bufferlint_compat.h").exists()
    # The check and the acquisition of checked_len are one view; the combined condition releases the first.
    assert "if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) { PyErr_Clear();" in fixed_c
    assert "{ PyBuffer_Release(&view); return NULL; }" in fixed_c
    # C++: guards (exceptions included) and the guard header next to the file, included once.
    fixed_cpp = (fixed["copy"] / "fixmodpp.cpp").read_text()
    assert fixed_cpp.count('#include "bufferlint_view.hpp"') == 1
    assert fixed_cpp.count("bufferlint::BufferView view;") >= 6 and "PyBuffer_Release" not in fixed_cpp
    assert (fixed["copy"] / "bufferlint_view.hpp").exists()
    # C++ arrays of views: guards beside a local array, a BufferViews allocated before the loop.
    assert "    const unsigned char *blocks[4];\n    bufferlint::BufferView blocks_views[sizeof(blocks) / sizeof((blocks)[0])];" in fixed_cpp
    assert "blocks[i] = (const unsigned char *)blocks_views[i].buf();\n            n = blocks_views[i].len();" in fixed_cpp
    assert "bufferlint::BufferViews ptrs_views;" in fixed_cpp
    assert "if (ptrs_views.allocate(count) < 0)\n        goto done;\n    for (k = 0; k < count; k++) {" in fixed_cpp
    assert "if (ptrs_views[k].acquire(PySequence_Fast_GET_ITEM(fast, k), PyBUF_SIMPLE) < 0)" in fixed_cpp
    assert "(blocks_views[i].acquire(PyTuple_GET_ITEM(args, i), PyBUF_WRITABLE) < 0 ? (PyErr_SetString(PyExc_TypeError" in fixed_cpp
    assert report.count("an array of guards") == 4
    # The Holder keeps the pointer: compat by default.
    assert "if (bufferlint_AsCharBuffer(obj, &s, &n) < 0)" in fixed_cpp
    # The C++ wrapper without --unsafe-fixes: compat, its callers unchanged.
    assert "return bufferlint_AsWriteBuffer(obj, buf, len);" in (fixed["copy"] / "xwrappp.cpp").read_text()
    assert (fixed["copy"] / "xwmodpp.cpp").read_text() == (CORPUS / "xwmodpp.cpp").read_text()
    # SWIG: typemap locals released by new freearg typemaps; the %{ %} helper gets compat there.
    swig = (fixed["copy"] / "swmod.i").read_text()
    assert swig.count("Py_buffer view = {0}") == 2 and swig.count("PyBuffer_Release(&view$argnum);") == 2
    assert "if (bufferlint_AsReadBuffer(obj, &p, out) < 0)" in swig and '#include "bufferlint_compat.h"' in swig
    # Cython without --unsafe-fixes: compat everywhere, declared with the module's own signatures; the old
    # declarations go (the .pxi that used one is fixed in the same run).
    pyx = (fixed["copy"] / "cymod.pyx").read_text()
    assert "cimport PyObject_GetBuffer" not in pyx and "PyObject_As" not in pyx and "PyObject_CheckReadBuffer" not in pyx
    block = pyx.split('cdef extern from "bufferlint_compat.h":\n', 1)[1].split("\n\n", 1)[0].splitlines()
    assert sorted(block) == ["    int bufferlint_AsCharBuffer(object obj, const char **buffer, Py_ssize_t *buffer_len) except -1",
                             "    int bufferlint_AsReadBuffer(object obj, const void **buffer, Py_ssize_t *buffer_len) except -1",
                             "    int bufferlint_AsWriteBuffer(object obj, void **buffer, Py_ssize_t *buffer_len) except -1",
                             "    int bufferlint_CheckReadBuffer(object obj)"], block
    assert "if bufferlint_AsReadBuffer(obj, &data, &length) < 0:" in pyx and "    bufferlint_AsWriteBuffer(obj, &p, &n)\n" in pyx
    assert "bufferlint_AsReadBuffer(obj, &_part_data, &_part_len)" in (fixed["copy"] / "cymod_part.pxi").read_text()


@pytest.mark.parametrize("plan", ["fixed", "fixed_unsafe"])
def test_a_check_is_never_weakened_before_a_fetch_that_trusts_it(plan, request):
    """gitdb's shapes: a check, then fetches whose result is ignored; zfec's: a check with the project's
    own error before the fetch into an array element, in a loop. Neither plan lets a check through what
    the old one refused: the check is merged with the fetch, or kept exact."""
    fixed = request.getfixturevalue(plan)
    fixed_c = (fixed["copy"] / "fixmod.c").read_text()
    fixed_cpp = (fixed["copy"] / "fixmodpp.cpp").read_text()
    report = fixed["report"]
    delta_pair = fixed_c.split("delta_pair(PyObject *self, PyObject *args)", 1)[1].split("\n}\n", 1)[0]
    assert "if (!bufferlint_CheckReadBuffer(objects[i])) {" in delta_pair and "PyObject_CheckBuffer" not in delta_pair
    assert "no `PyObject_CheckBuffer` alternative: the `PyObject_AsReadBuffer` at line" in report
    # The check of delta_head and zfec's checks now acquire the view; their branches raise the project's error.
    assert "if (PyObject_GetBuffer(buf, &view, PyBUF_SIMPLE) < 0) { PyErr_Clear();" in fixed_c
    assert ("if (PyObject_GetBuffer(items[i], &blocks_views[blocks_nviews], PyBUF_SIMPLE) < 0) { PyErr_Clear();\n"
            "            PyErr_Format(PyExc_ValueError, \"Precondition violation:") in fixed_c
    assert "blocks[i] = blocks_views[blocks_nviews].buf;\n        sz = blocks_views[blocks_nviews].len;\n        blocks_nviews++;\n        if (oldsz" in fixed_c
    assert "if (blocks_views[i].acquire(items[i], PyBUF_SIMPLE) < 0) { PyErr_Clear();" in fixed_cpp
    assert report.count("paired with the `PyObject_CheckReadBuffer` of the same element at line") == 2
    # The project's own error survives for the exporter that refuses a simple view.
    for b, a in zip(fixed["before"], fixed["after"]):
        if a["call"].split(":")[1] == "encode_firsts" and b["input"] == "memoryview-noncontiguous":
            assert a["outcome"] == b["outcome"] and a["outcome"][:2] == ["raise", "ValueError"] and "Precondition violation" in a["outcome"][2]
    assert any(a["call"].endswith(":delta_pair") for a in fixed["after"])


def test_fix_twice_changes_nothing(fixed):
    copy = fixed["copy"]
    sources = lambda: [*copy.glob("*.c*"), *copy.glob("*.py[xi]"), *copy.glob("*.i")]
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sources()}
    r = subprocess.run([BUFFERLINT, "fix", str(copy)], capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sources()} == before
    assert re.search(r"^0 uses fixed", r.stdout, re.M)

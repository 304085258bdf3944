"""Rules/support compiles as C and as C++, against each Python include
folder on the machine (the running interpreter's and Debian's), with the
full and with the limited API; and BufferView holds, moves and releases
views as it says."""
import glob
import os
import re
import shutil
import sys
import subprocess

import pytest

import refcheck_build
from refcheck_build import SUPPORT, c_compiler, cxx_compiler

USE_COMPAT = """
#include "bufferlint_compat.h"

int use_all(PyObject *obj)
{
    const char *chars;
    const void *data;
    void *writable;
    Py_ssize_t len;
    return bufferlint_AsCharBuffer(obj, &chars, &len)
        + bufferlint_AsReadBuffer(obj, &data, &len)
        + bufferlint_AsWriteBuffer(obj, &writable, &len)
        + bufferlint_CheckReadBuffer(obj);
}
"""

USE_VIEW = """
#include "bufferlint_view.hpp"
#include <utility>

Py_ssize_t use_view(PyObject *obj)
{
    bufferlint::BufferView view;
    if (view.acquire(obj, PyBUF_SIMPLE) != 0) {
        return -1;
    }
    bufferlint::BufferView moved(std::move(view));
    view = std::move(moved);
    return view.held() ? view.len() : -1;
}
"""

# The C++98 subset: no moves; the arrays of guards and the hand-over.
USE_VIEWS = """
#include "bufferlint_view.hpp"

Py_ssize_t use_views(PyObject *seq, Py_buffer *field)
{
    bufferlint::BufferView fixed[2];
    bufferlint::BufferViews views;
    Py_ssize_t i, n = PySequence_Size(seq);
    unsigned int small = 2;
    if (n < 0 || views.allocate(small) < 0 || views.allocate(n) < 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_GetItem(seq, i);
        int rc = item == NULL ? -1 : views[i].acquire(item, PyBUF_SIMPLE);
        Py_XDECREF(item);
        if (rc < 0) {
            return -1;
        }
    }
    if (n > 0) {
        views[0].move_to(field);
    }
    return fixed[0].held() || !views.ok() ? -1 : views.size();
}
"""

LIMITED_311 = "-DPy_LIMITED_API=0x030b0000"


def _include_dirs():
    found = {os.path.realpath(refcheck_build.python_include())}
    found.update(
        os.path.realpath(d) for d in glob.glob("/usr/include/python3.*")
        if os.path.isfile(os.path.join(d, "Python.h"))
    )
    return sorted(found)


def _header_version(include):
    text = open(os.path.join(include, "patchlevel.h")).read()
    major = re.search(r"#define\s+PY_MAJOR_VERSION\s+(\d+)", text).group(1)
    minor = re.search(r"#define\s+PY_MINOR_VERSION\s+(\d+)", text).group(1)
    return int(major), int(minor)


INCLUDES = _include_dirs()


def _compile(language, source, include, *flags, std="c++11", compiler=None):
    compiler = compiler or (c_compiler() if language == "c" else cxx_compiler())
    if compiler is None:
        pytest.skip("no C++ compiler")
    std = ["-std=" + std] if language == "c++" else []
    return subprocess.run(
        compiler + ["-fsyntax-only", "-x", language, *std, "-Wall", "-Wextra", "-Werror",
                    *flags, "-I", include, "-I", str(SUPPORT), "-"],
        input=source, capture_output=True, text=True,
    )


@pytest.mark.parametrize("api", ["full", "limited"])
@pytest.mark.parametrize("language", ["c", "c++"])
@pytest.mark.parametrize("include", INCLUDES)
def test_compat_header_compiles(include, language, api):
    if api == "limited" and _header_version(include) < (3, 11):
        pytest.skip("the buffer API is in the limited API from 3.11 on")
    flags = [LIMITED_311] if api == "limited" else []
    done = _compile(language, USE_COMPAT, include, *flags)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("include", INCLUDES)
def test_compat_header_refuses_limited_api_before_311(include):
    done = _compile("c", USE_COMPAT, include, "-DPy_LIMITED_API=0x030a0000")
    assert done.returncode != 0
    assert "needs Python 3.11 headers or later and Py_LIMITED_API >= 0x030b0000" in done.stderr


@pytest.mark.parametrize("api", ["full", "limited"])
@pytest.mark.parametrize("include", INCLUDES)
def test_view_header_compiles(include, api):
    if api == "limited" and _header_version(include) < (3, 11):
        pytest.skip("the buffer API is in the limited API from 3.11 on")
    flags = [LIMITED_311] if api == "limited" else []
    done = _compile("c++", USE_VIEW, include, *flags)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("compiler", ["g++", "clang++"])
@pytest.mark.parametrize("std", ["c++98", "c++11", "c++17"])
def test_view_header_compiles_as_cxx98_and_later(std, compiler):
    if shutil.which(compiler) is None:
        pytest.skip(compiler + " is not installed")
    source = USE_VIEWS + (USE_VIEW if std != "c++98" else "")
    done = _compile("c++", source, INCLUDES[0], std=std, compiler=[compiler])
    assert done.returncode == 0, done.stderr


def test_view_header_is_cxx_only():
    done = _compile("c", '#include "bufferlint_view.hpp"\n', INCLUDES[0])
    assert "bufferlint_view.hpp is C++ only" in done.stderr


@pytest.fixture(scope="module")
def viewcheck(build_dir):
    if cxx_compiler() is None:
        pytest.skip("no C++ compiler")
    return refcheck_build.build_viewcheck(build_dir)


def test_view_releases_at_end_of_scope(viewcheck, refcheck):
    exporter = refcheck.Exporter("ok")
    assert viewcheck.scoped(exporter, 0) == (6, False)
    assert (exporter.gets, exporter.releases) == (1, 1)
    data = bytearray(b"abc")
    viewcheck.scoped(data, 0)
    data.append(0)  # no export left behind


def test_view_failed_acquire_needs_no_release(viewcheck, refcheck):
    exporter = refcheck.Exporter("readonly")
    with pytest.raises(BufferError):
        viewcheck.scoped(exporter, 1)  # PyBUF_WRITABLE
    assert (exporter.gets, exporter.releases) == (1, 0)


def test_view_moves(viewcheck, refcheck):
    exporter = refcheck.Exporter("ok")
    seen = viewcheck.moved(exporter)
    assert seen == {
        "source_held": False, "moved_held": False, "assigned_held": True,
        "shape_in_source": False, "strides_in_source": False,
        "shape0": 6, "stride0": 1, "len": 6,
    }
    # Move assignment released the view it replaced; the last one went at scope end.
    assert (exporter.gets, exporter.releases) == (2, 2)


def test_view_reacquire_releases_first(viewcheck, refcheck):
    exporter = refcheck.Exporter("ok")
    viewcheck.reacquire(exporter)
    assert (exporter.gets, exporter.releases) == (2, 2)


def test_views_release_every_acquired_view_once(viewcheck, refcheck):
    exporters = [refcheck.Exporter("ok") for _ in range(3)]
    assert viewcheck.views(tuple(exporters), -1) == 18
    assert [(e.gets, e.releases) for e in exporters] == [(1, 1)] * 3


def test_views_failure_in_the_middle_releases_those_acquired(viewcheck, refcheck):
    ok = refcheck.Exporter("ok")
    failing = refcheck.Exporter("fail", BufferError, "no")
    last = refcheck.Exporter("ok")
    data = bytearray(b"abc")
    with pytest.raises(BufferError):
        viewcheck.views((ok, data, failing, last), -1)
    assert (ok.gets, ok.releases) == (1, 1)
    assert (failing.gets, failing.releases) == (1, 0)
    assert (last.gets, last.releases) == (0, 0)
    data.append(0)  # no export left behind


def test_views_exception_releases_those_acquired(viewcheck, refcheck):
    exporters = [refcheck.Exporter("ok") for _ in range(3)]
    assert viewcheck.views(tuple(exporters), 2) == "thrown"
    assert [(e.gets, e.releases) for e in exporters] == [(1, 1), (1, 1), (0, 0)]


def test_views_allocate(viewcheck, refcheck):
    assert viewcheck.allocate(5) == (5, True)
    assert viewcheck.allocate(0) == (1, True)
    assert viewcheck.allocate(-3) == (1, True)
    assert viewcheck.allocate_unsigned(4) == 4
    with pytest.raises(MemoryError):
        viewcheck.allocate_unsigned(2 ** 64 - 1)  # not read as -1
    with pytest.raises(MemoryError):
        viewcheck.allocate(sys.maxsize)
    exporter = refcheck.Exporter("ok")
    assert viewcheck.allocate(2, exporter) == (2, True)
    assert (exporter.gets, exporter.releases) == (1, 1)
    # A failed allocation released what the array held before.
    exporter = refcheck.Exporter("ok")
    with pytest.raises(MemoryError):
        viewcheck.allocate(sys.maxsize, exporter)
    assert (exporter.gets, exporter.releases) == (1, 1)


def test_move_to_hands_the_view_to_its_owner(viewcheck, refcheck):
    first, second = refcheck.Exporter("ok"), refcheck.Exporter("ok")
    # The guard is empty afterwards: its destructor released nothing.
    assert viewcheck.hand_over(first) == (False, True)
    assert (first.gets, first.releases) == (1, 0)
    # The owner's previous view is released when it is given another.
    assert viewcheck.hand_over(second) == (False, True)
    assert (first.gets, first.releases) == (1, 1) and (second.gets, second.releases) == (1, 0)
    viewcheck.drop()
    viewcheck.drop()
    assert (second.gets, second.releases) == (1, 1)
    # The exporter held by the owner stays locked until the owner lets go.
    data = bytearray(b"abc")
    assert viewcheck.hand_over(data) == (False, True)
    with pytest.raises(BufferError):
        data.append(0)
    viewcheck.drop()
    data.append(0)

"""`check --diff` is the change `fix` makes, byte for byte (and a second `fix` changes nothing): applied with `git apply` to a copy of
a project it gives exactly the files `fix` writes in another copy (new support headers included),
for every fixture folder and the fix corpus, with and without `--unsafe-fixes`, and for files in
Latin-1, with CRLF or mixed line endings, with a byte-order mark or without a final newline."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

BINARY = os.environ.get("BUFFERLINT")
pytestmark = pytest.mark.skipif(not BINARY, reason="BUFFERLINT is not set to a bufferlint binary")
TESTS = Path(__file__).resolve().parents[1]
FOLDERS = [TESTS / "Fixtures" / "golden", TESTS / "Fixtures" / "detect", TESTS / "FixCorpus"] + \
    sorted(p for p in (TESTS / "Fixtures" / "real").iterdir() if p.is_dir())

CALL = ("#include <Python.h>{nl}PyObject *keep;{nl}static PyObject *f(PyObject *self, PyObject *o) {{{nl}"
        "    const void *p; Py_ssize_t n; /* {note} */{nl}"
        "    if (PyObject_AsReadBuffer(o, &p, &n) < 0) return NULL;{nl}"
        "    keep = (PyObject *)p;{nl}    return PyLong_FromSsize_t(n);{nl}}}{nl}"
        "static PyObject *g(PyObject *self, PyObject *o) {{{nl}    const char *s; Py_ssize_t n;{nl}"
        "    if (PyObject_AsCharBuffer(o, &s, &n) < 0) return NULL;{nl}    return PyLong_FromSsize_t(n);{nl}}}{nl}")
ODD = {
    "latin1.c": CALL.format(nl="\n", note="caf\xe9").encode("latin-1"),
    "crlf.c": CALL.format(nl="\r\n", note="crlf").encode(),
    "mixed.c": CALL.format(nl="\n", note="mixed").replace("return NULL;\n", "return NULL;\r\n").encode(),
    "bom.c": b"\xef\xbb\xbf" + CALL.format(nl="\n", note="bom").encode(),
    "no_final_newline.c": CALL.format(nl="\n", note="eof").rstrip("\n").encode(),
}


def tree(src: Path, dest: Path):
    if src is None:
        dest.mkdir()
        for name, data in ODD.items():
            (dest / name).write_bytes(data)
    else:
        shutil.copytree(src, dest)
    return {p.relative_to(dest): p.read_bytes() for p in sorted(dest.rglob("*")) if p.is_file()}


def files(root: Path):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts
            and ".bufferlint-cache" not in p.parts}


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("folder", FOLDERS + [None], ids=[p.name for p in FOLDERS] + ["odd-encodings"])
def test_git_apply_of_the_diff_is_what_fix_writes(tmp_path, folder, unsafe):
    flags = ["--unsafe-fixes"] if unsafe else []
    by_diff, by_fix = tmp_path / "diff", tmp_path / "fix"
    original = tree(folder, by_diff)
    tree(folder, by_fix)
    d = subprocess.run([BINARY, "check", "--no-cache", "--diff", *flags, "."], cwd=by_diff, capture_output=True, timeout=300)
    assert d.returncode in (0, 1), d.stderr.decode(errors="replace")
    (tmp_path / "change.patch").write_bytes(d.stdout)
    f = subprocess.run([BINARY, "fix", *flags, "."], cwd=by_fix, capture_output=True, timeout=300)
    assert f.returncode in (0, 1), f.stdout.decode(errors="replace")
    if d.stdout:
        a = subprocess.run(["git", "apply", "--unsafe-paths", "--whitespace=nowarn", str(tmp_path / "change.patch")],
                           cwd=by_diff, capture_output=True, text=True)
        assert a.returncode == 0, a.stderr
    fixed = files(by_fix)
    assert files(by_diff) == fixed
    if folder is None:
        assert all(fixed[p] != original[p] for p in original), "every odd file was fixed"
    # A second fix of what fix wrote changes nothing, and its diff is empty.
    again = subprocess.run([BINARY, "check", "--no-cache", "--diff", *flags, "."], cwd=by_fix, capture_output=True, timeout=300)
    assert again.returncode in (0, 1), again.stderr.decode(errors="replace")
    assert again.stdout == b"", again.stdout.decode(errors="replace")[:2000]
    f2 = subprocess.run([BINARY, "fix", *flags, "."], cwd=by_fix, capture_output=True, timeout=300)
    assert f2.returncode in (0, 1), f2.stdout.decode(errors="replace")
    assert files(by_fix) == fixed

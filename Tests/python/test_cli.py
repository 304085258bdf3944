"""End-to-end tests of the `bufferlint` command: exit codes, bad inputs that
must not stop a run, and the text and JSON output formats.

The binary is the one named by the BUFFERLINT environment variable."""
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

BINARY = os.environ.get("BUFFERLINT")
pytestmark = pytest.mark.skipif(not BINARY, reason="BUFFERLINT is not set to a bufferlint binary")

CALL = """#include <Python.h>
static PyObject *f(PyObject *self, PyObject *o) {
    const void *p; Py_ssize_t n;
    if (PyObject_AsReadBuffer(o, &p, &n) < 0) return NULL;
    return PyLong_FromSsize_t(n);
}
"""
CLEAN = """#include <Python.h>
static PyObject *f(PyObject *self, PyObject *o) {
    Py_buffer view;
    if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0) return NULL;
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}
"""
FINDING_LINE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info): (?P<rule>BUF\d{3}) (?P<msg>.+)$")
ANSI = re.compile(r"\x1b\[")


def run(*args, cwd, env=None, timeout=120):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(env or {})
    return subprocess.run([BINARY, *args], cwd=cwd, env=e, capture_output=True, text=True, errors="replace", timeout=timeout)


def write(path: Path, text: str = "", data: bytes = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if data is not None:
        path.write_bytes(data)
    else:
        path.write_text(text)
    return path


def error_lines(result, name):
    """The lines (stdout or stderr) that report an error or a note about `name`."""
    return [l for l in (result.stdout + result.stderr).splitlines()
            if name in l and (": error:" in l or ": note:" in l) and not FINDING_LINE.match(l)]


def findings(result):
    return [m.groupdict() for m in map(FINDING_LINE.match, result.stdout.splitlines()) if m]


# Exit codes

def test_clean_file_exits_0(tmp_path):
    write(tmp_path / "clean.c", CLEAN)
    r = run("check", "clean.c", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert findings(r) == []


def test_call_exits_1(tmp_path):
    write(tmp_path / "a.c", CALL)
    r = run("check", "a.c", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert [(f["file"], f["line"], f["col"], f["rule"]) for f in findings(r)] == [("a.c", "4", "9", "BUF002")]


def test_nonexistent_path_exits_2(tmp_path):
    r = run("check", "missing.c", cwd=tmp_path)
    assert r.returncode == 2
    assert len(error_lines(r, "missing.c")) == 1


def test_bad_format_exits_2(tmp_path):
    write(tmp_path / "a.c", CALL)
    r = run("check", "--format", "yaml", "a.c", cwd=tmp_path)
    assert r.returncode == 2
    assert "yaml" in r.stderr


def test_unknown_option_exits_2_and_help_exits_0(tmp_path):
    r = run("check", "--no-such-option", cwd=tmp_path)
    assert r.returncode == 2
    assert "--no-such-option" in r.stderr
    assert run("check", "--target-python", "three", "x.c", cwd=tmp_path).returncode == 2
    h = run("check", "--help", cwd=tmp_path)
    assert h.returncode == 0 and "--format" in h.stdout


def test_broken_rule_folder_exits_2(tmp_path):
    write(tmp_path / "a.c", CALL)
    write(tmp_path / "rules" / "bad.yml", "id: ACME001\nfunctions: [PyEval_CallObject]\nremoved: '3.13'\n")
    r = run("check", "--rules", "rules", "a.c", cwd=tmp_path)
    assert r.returncode == 2
    assert re.search(r"rules/bad\.yml: key `replacement`", r.stderr), r.stderr


def test_broken_config_exits_2(tmp_path):
    write(tmp_path / "a.c", CALL)
    write(tmp_path / ".bufferlint.yml", "selekt: [BUF002]\n")
    r = run("check", "a.c", cwd=tmp_path)
    assert r.returncode == 2
    assert ".bufferlint.yml" in r.stderr and "selekt" in r.stderr, r.stderr


def test_user_rule_folder_fires(tmp_path):
    write(tmp_path / "rules" / "acme.yml", "id: ACME001\nname: eval-call-object\nkind: detect-only\n"
          "functions: [PyEval_CallObject]\nremoved: '3.13'\nreplacement: 'PyObject_CallObject(callable, args)'\n")
    write(tmp_path / "m.c", "#include <Python.h>\nPyObject *f(PyObject *c, PyObject *a) { return PyEval_CallObject(c, a); }\n")
    r = run("check", "--format", "json", "--rules", "rules", "m.c", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert [(f["rule"], f["line"], f["kind"]) for f in json.loads(r.stdout)["findings"]] == [("ACME001", 2, "call")]


def test_target_python_312_is_a_warning(tmp_path):
    write(tmp_path / "a.c", CALL)
    r = run("check", "--target-python", "3.12", "a.c", cwd=tmp_path)
    assert [f["sev"] for f in findings(r)] == ["warning"]
    assert r.returncode == 1


# Bad inputs: one error line each, the run goes on

def with_good_file(tmp_path):
    write(tmp_path / "src" / "good.c", CALL)
    return "src/good.c"


def assert_goes_on(r, bad_name, expect_code=1):
    assert len(error_lines(r, bad_name)) == 1, r.stdout + r.stderr
    assert ("src/good.c", "4", "BUF002") in [(f["file"], f["line"], f["rule"]) for f in findings(r)], r.stdout
    assert r.returncode == expect_code, r.stdout + r.stderr


def test_nonexistent_path_among_others(tmp_path):
    with_good_file(tmp_path)
    r = run("check", "src", "nope/missing.c", cwd=tmp_path)
    assert_goes_on(r, "nope/missing.c", expect_code=2)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path):
    with_good_file(tmp_path)
    bad = write(tmp_path / "src" / "locked.c", CALL)
    bad.chmod(0)
    try:
        r = run("check", "src", cwd=tmp_path)
    finally:
        bad.chmod(0o644)
    assert_goes_on(r, "locked.c", expect_code=2)


def test_directory_symlink_loop(tmp_path):
    with_good_file(tmp_path)
    (tmp_path / "src" / "sub").mkdir()
    os.symlink("..", tmp_path / "src" / "sub" / "loop")
    r = run("check", "src", cwd=tmp_path, timeout=60)
    assert_goes_on(r, "loop")
    assert len([f for f in findings(r) if f["rule"] == "BUF002"]) == 1


def test_binary_file_named_c(tmp_path):
    with_good_file(tmp_path)
    # NUL bytes are white space to a compiler: a blob with an old name is read, noted and reported.
    write(tmp_path / "src" / "blob.c", data=bytes(range(256)) * 64 + b"\nint g(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n")
    r = run("check", "src", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert ("src/good.c", "4", "BUF002") in [(f["file"], f["line"], f["rule"]) for f in findings(r)], r.stdout
    assert [l for l in r.stdout.splitlines() if "blob.c: note:" in l] == [
        "src/blob.c: note: contains NUL bytes, read as spaces as compilers do; it is not valid UTF-8, scanned as Latin-1"]
    assert ("src/blob.c", "BUF004") in [(f["file"], f["rule"]) for f in findings(r)]


def test_latin1_source_is_still_scanned(tmp_path):
    with_good_file(tmp_path)
    write(tmp_path / "src" / "latin.c", data=("/* caf\xe9 na\xefve */\n" + CALL).encode("latin-1"))
    r = run("check", "src", cwd=tmp_path)
    assert_goes_on(r, "latin.c")
    assert ("src/latin.c", "5", "BUF002") in [(f["file"], f["line"], f["rule"]) for f in findings(r)]


def test_syntax_errors_do_not_hide_a_call(tmp_path):
    with_good_file(tmp_path)
    write(tmp_path / "src" / "broken.c", CALL.replace("return PyLong_FromSsize_t(n);", "return PyLong_FromSsize_t(n) +;\n  }}} int int;"))
    r = run("check", "src", cwd=tmp_path)
    assert_goes_on(r, "broken.c")
    assert ("src/broken.c", "4", "BUF002") in [(f["file"], f["line"], f["rule"]) for f in findings(r)]


def test_empty_file(tmp_path):
    with_good_file(tmp_path)
    write(tmp_path / "src" / "empty.c", "")
    assert_goes_on(run("check", "src", cwd=tmp_path), "empty.c")


def test_very_large_generated_file(tmp_path):
    with_good_file(tmp_path)
    big = tmp_path / "src" / "big.c"
    line = "static int filler_%07d(int x) { return x * 3 + 1; }\n"
    count = 20_000_000 // len(line % 0)
    with big.open("w") as f:
        f.write("#include <Python.h>\n")
        f.writelines(line % k for k in range(count))
        f.write("int use(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n")
    assert big.stat().st_size >= 19_000_000
    r = run("check", "src", cwd=tmp_path, timeout=300)
    assert ("src/big.c", str(count + 2), "BUF004") in [(f["file"], f["line"], f["rule"]) for f in findings(r)], r.stdout[-2000:]
    assert r.returncode == 1


# Output formats

def project(tmp_path):
    write(tmp_path / "src" / "b.c", CALL + "int g(PyObject *o) { return PyObject_CheckReadBuffer(o) + PyObject_CheckReadBuffer(o); }\n")
    write(tmp_path / "src" / "a.c", CALL)
    write(tmp_path / "src" / "sub" / "c.c", "#include <Python.h>\nint (*p)(PyObject *) = PyObject_CheckReadBuffer;\n")
    write(tmp_path / "src" / "clean.c", CLEAN)


def test_json_is_deterministic_sorted_and_relative(tmp_path):
    project(tmp_path)
    first = run("check", "--format", "json", "src", cwd=tmp_path)
    second = run("check", "--format", "json", "--jobs", "1", str(tmp_path / "src"), cwd=tmp_path)
    assert first.returncode == 1
    assert first.stdout == second.stdout
    assert first.stdout == run("check", "--format", "json", "src", cwd=tmp_path).stdout
    found = json.loads(first.stdout)["findings"]
    keys = [(f["file"], f["line"], f["column"]) for f in found]
    assert keys == sorted(keys)
    assert {f["file"] for f in found} == {"src/a.c", "src/b.c", "src/sub/c.c"}
    assert [(f["line"], f["column"]) for f in found if f["file"] == "src/b.c"] == [(4, 9), (7, 29), (7, 59)]


def test_text_format_lines_and_carets(tmp_path):
    project(tmp_path)
    r = run("check", "src", cwd=tmp_path)
    assert not ANSI.search(r.stdout), "colour on a pipe"
    lines = r.stdout.splitlines()
    heads = [k for k, l in enumerate(lines) if FINDING_LINE.match(l)]
    assert len(heads) == 5
    for k in heads:
        m = FINDING_LINE.match(lines[k])
        source = (tmp_path / m["file"]).read_text().splitlines()[int(m["line"]) - 1]
        # As GCC prints them: `   12 | source` and `      | ^~~~` under the use.
        assert lines[k + 1] == "%5s | %s" % (m["line"], source)
        caret = lines[k + 2]
        assert caret.startswith("      | "), caret
        assert caret.index("^") == 8 + int(m["col"]) - 1, caret
        assert set(caret[8:].strip()) <= {"^", "~"}
        assert m["msg"].startswith("`PyObject_")
    assert re.match(r"^5 findings in 4 files \(BUF002: 2, BUF004: 3\)$", lines[-1]), lines[-1]


def run_on_terminal(args, cwd, env):
    """Runs with stdout on a pseudo-terminal, returns what it printed."""
    main, sub = pty.openpty()
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(env)
    p = subprocess.Popen([BINARY, *args], cwd=cwd, env=e, stdout=sub, stderr=subprocess.PIPE)
    os.close(sub)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=60)
    os.close(main)
    return out.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color(tmp_path):
    write(tmp_path / "a.c", CALL)
    assert ANSI.search(run_on_terminal(["check", "a.c"], tmp_path, {}))
    plain = run_on_terminal(["check", "a.c"], tmp_path, {"NO_COLOR": "1"})
    assert "a.c:4:9: error: BUF002" in plain
    assert not ANSI.search(plain)
    assert not ANSI.search(run_on_terminal(["check", "--no-color", "a.c"], tmp_path, {}))


def test_a_folder_that_holds_nothing_to_check_is_a_usage_error(tmp_path):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "docs" / "notes.txt", "no C here\n")
    write(tmp_path / "src" / "a.c", CALL)
    for folder in ("empty", "docs"):
        r = run("check", folder, cwd=tmp_path)
        assert r.returncode == 2, r.stdout + r.stderr
        assert f"{folder}: error: holds no file bufferlint reads" in r.stdout + r.stderr
    # The other paths are still checked.
    r = run("check", "--format", "json", "empty", "src", cwd=tmp_path)
    assert r.returncode == 2
    assert [f["line"] for f in json.loads(r.stdout)["findings"]] == [4]


def test_configured_excludes_hold_from_a_subfolder_and_for_absolute_paths(tmp_path):
    write(tmp_path / ".bufferlint.yml", "exclude: [\"vendor/**\"]\n")
    write(tmp_path / "vendor" / "lib" / "x.c", CALL)
    write(tmp_path / "src" / "a.c", CALL)
    def files_reported(r):
        return sorted({Path(f["file"]).name for f in json.loads(r.stdout)["findings"]})
    assert files_reported(run("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)) == ["a.c"]
    assert files_reported(run("check", "--no-cache", "--format", "json", str(tmp_path / "vendor" / "lib" / "x.c"), str(tmp_path / "src"),
                              cwd=tmp_path)) == ["a.c"]
    # From inside the excluded folder, the configuration found upwards still excludes it.
    assert files_reported(run("check", "--no-cache", "--format", "json", "x.c", "../../src/a.c", cwd=tmp_path / "vendor" / "lib")) == ["a.c"]

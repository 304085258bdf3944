"""A pull request's files, `.bufferlint.yml` and rule files included, are hostile: nothing in them
may steer the run. Each test makes the hostile file itself and runs the real binary on it."""
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

BINARY = os.environ.get("BUFFERLINT")
pytestmark = pytest.mark.skipif(not BINARY, reason="BUFFERLINT is not set to a bufferlint binary")
REPO = Path(__file__).resolve().parents[2]
FIX_CORPUS = REPO / "Tests" / "FixCorpus"

CALL = """#include <Python.h>
static PyObject *f(PyObject *self, PyObject *o) {
    const void *p; Py_ssize_t n;
    if (PyObject_AsReadBuffer(o, &p, &n) < 0) return NULL;
    return PyLong_FromSsize_t(n);
}
"""
SECRET = "SECRET_TOKEN_4F2A"
# The annotations `--format github` means to write, and nothing else that starts with `::`.
OUR_COMMAND = re.compile(r"^::(error|warning|notice) file=[^\n]*::")


def run(*args, cwd, env=None, timeout=120, stdin=subprocess.DEVNULL, preexec_fn=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    e.update(env or {})
    return subprocess.run([BINARY, *map(str, args)], cwd=cwd, env=e, capture_output=True, text=True, errors="replace",
                          timeout=timeout, stdin=stdin, preexec_fn=preexec_fn)


def write(path: Path, text: str = "", data: bytes = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if data is not None:
        path.write_bytes(data)
    else:
        path.write_text(text)
    return path


def command_lines(text, allowed):
    """Lines a GitHub runner would read as workflow commands: `::` after spaces, `##[` anywhere."""
    out = []
    for line in text.split("\n"):
        if "##[" in line:
            out.append(line)
        elif line.lstrip().startswith("::") and not (allowed and OUR_COMMAND.match(line)):
            out.append(line)
    return out


# 1. Workflow commands and terminal escapes

def hostile_names_tree(root: Path):
    # An include whose name runs on to the next line through a continuation.
    write(root / "inj.c", '#include "a\\\n::warning title=x::injected"\n' + CALL)
    # Names with a line break, an escape sequence and a leading `::`.
    write(root / "n\n::add-mask::secret.c", "")
    write(root / "m\n::stop-commands::tok.c", data=b"int x;\0\n" + CALL.encode())
    write(root / "\x1b[2J\x1b]0;title\x07esc.c", CALL)
    write(root / "::warning::lead.c", CALL)
    write(root / "cpp.cpp", "#include <Python.h>\nnamespace warning { int x; }\nint g(PyObject *o) {\n"
          "::warning::x = 1; ##[error]v1\n    return ::PyObject_CheckReadBuffer(o); }\n")
    write(root / "src" / "esc.c", CALL.replace("const void *p;", "const void *p; /* \x1b[31mred\x1b[0m \u202e */"))


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab"])
def test_no_line_on_either_stream_starts_a_workflow_command(tmp_path, fmt):
    hostile_names_tree(tmp_path)
    r = run("check", "--no-cache", "--format", fmt, ".", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert r.returncode == 1, r.stderr
    assert command_lines(r.stdout, allowed=fmt == "github") == []
    assert command_lines(r.stderr, allowed=False) == []
    for stream in (r.stdout, r.stderr):
        assert "\x1b" not in stream and "\u202e" not in stream and "\x07" not in stream
    if fmt == "github":
        # The hostile names are still there, escaped, so each annotation lands on its file.
        assert any("file=n%0A%3A%3Aadd-mask%3A%3Asecret.c" in l for l in r.stdout.splitlines()), r.stdout
    if fmt == "text":
        assert "./::warning::lead.c:4:9: error: BUF002" in r.stdout
        assert "\\e[2J" in r.stdout, "the escape is shown, not played"
    if fmt == "json":
        files = {f["file"] for f in json.loads(r.stdout)["findings"]}
        assert "\x1b[2J\x1b]0;title\x07esc.c" in files, "JSON keeps the real name"


def test_fix_and_diff_lines_cannot_start_commands(tmp_path):
    hostile_names_tree(tmp_path)
    r = run("check", "--diff", ".", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    lines = r.stdout.split("\n")
    # The diff goes to the runner untouched, inside stop-commands with a token of this run.
    assert lines[0].startswith("::stop-commands::bufferlint-"), lines[:2]
    token = lines[0].split("::")[2]
    assert f"::{token}::" in lines, lines[-3:]
    assert command_lines(r.stderr, allowed=False) == []
    # Written to a file, the diff is the plain diff.
    with open(tmp_path / "out.patch", "w") as out:
        subprocess.run([BINARY, "check", "--diff", "."], cwd=tmp_path, stdout=out, env={**os.environ, "GITHUB_ACTIONS": "true"}, timeout=120)
    assert (tmp_path / "out.patch").read_text(errors="replace").startswith("--- ")
    f = run("fix", ".", cwd=tmp_path)
    assert command_lines(f.stdout, allowed=False) == [] and command_lines(f.stderr, allowed=False) == []
    assert "\x1b" not in f.stdout + f.stderr


# 2. Flags and paths from the repository's own files

def outside_secret(tmp_path: Path) -> Path:
    secret = tmp_path / "outside"
    write(secret / "secret.h", f"#error {SECRET}\n")
    write(secret / "passwd", f"{SECRET}:x:0:0\n")
    return secret


def test_compilation_database_flags_are_allow_listed(tmp_path):
    secret = outside_secret(tmp_path)
    proj = tmp_path / "proj"
    write(proj / "a.c", CALL)
    write(proj / "deep.c", "#include <Python.h>\nint d(PyObject *o) { return " + "(" * 3000 + "PyObject_CheckReadBuffer(o)" + ")" * 3000 + "; }\n")
    cmds = [{"directory": str(proj), "file": name, "arguments": ["cc", "-c", name, "-include", str(secret / "passwd"),
                                                                 f"-fsanitize-ignorelist={secret / 'passwd'}", "-fbracket-depth=10000000",
                                                                 "-I", str(secret), "-DOK=1", "-std=c11", "-m64"]}
            for name in ("a.c", "deep.c")]
    write(proj / "build" / "compile_commands.json", json.dumps(cmds))
    write(proj / ".bufferlint.yml", "compile-commands: build/compile_commands.json\n")
    r = run("check", "--no-cache", ".", cwd=proj)
    assert r.returncode == 1, r.stdout + r.stderr
    assert SECRET not in r.stdout + r.stderr
    dropped = [l for l in r.stderr.splitlines() if "dropped flags" in l]
    assert len(dropped) == 1, r.stderr
    for flag in ("-include", "-fsanitize-ignorelist=", "-fbracket-depth=10000000"):
        assert flag in dropped[0]
    assert "-std=c11" not in dropped[0] and "-m64" not in dropped[0] and "-DOK" not in dropped[0]
    assert any("include folders outside the project" in l and str(secret) in l for l in r.stderr.splitlines()), r.stderr
    assert {"a.c", "deep.c"} <= {l.split(":")[0] for l in r.stdout.splitlines() if ": error: BUF" in l}


def test_configuration_cannot_reach_outside_the_project(tmp_path):
    secret = outside_secret(tmp_path)
    proj = tmp_path / "proj"
    write(proj / "a.c", '#include "secret.h"\n' + CALL)
    write(proj / "rel.c", '#include "../outside/secret.h"\n' + CALL)
    write(proj / "abs.c", f'#include "{secret / "secret.h"}"\n' + CALL)
    write(proj / ".bufferlint.yml", f"include-dirs: [../outside]\nrules: [{secret}]\npython-include: {secret}\n")
    r = run("check", "--no-cache", ".", cwd=proj)
    assert SECRET not in r.stdout + r.stderr
    warned = [l for l in r.stderr.splitlines() if "outside the project; ignored" in l]
    assert len(warned) == 3, r.stderr
    assert len([l for l in r.stdout.splitlines() if ": error: BUF002" in l]) == 3
    assert "names a file outside the project" in r.stdout
    # The same folder named on the command line is the user's choice, and is read.
    r = run("check", "--no-cache", "-I", secret, "a.c", cwd=proj)
    assert SECRET in r.stdout, "a -I on the command line is trusted"


# 3. FIFOs, devices and links to them

def test_fifo_and_device_includes_neither_hang_nor_grow(tmp_path):
    os.mkfifo(tmp_path / "fifo.h")
    os.symlink("/dev/stdin", tmp_path / "stdin.h")
    write(tmp_path / "fifo.c", '#include "fifo.h"\n' + CALL)
    write(tmp_path / "stdin.c", '#include "stdin.h"\n' + CALL)
    write(tmp_path / "devstdin.c", '#include "/dev/stdin"\n' + CALL)
    write(tmp_path / "zero.c", '#include "/dev/zero"\n' + CALL)
    limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    r = run("check", "--no-cache", ".", cwd=tmp_path, stdin=subprocess.PIPE, timeout=60, preexec_fn=limit)
    assert r.returncode == 2, r.stdout + r.stderr   # fifo.h itself is not a regular file
    out = r.stdout
    assert "fifo.h: error: not a regular file (a FIFO); not read" in out
    assert "fifo.c: error: not parsed: `#include` at line 1 names a FIFO" in out
    assert "zero.c: error: not parsed: `#include` at line 1 names a character device (/dev/zero)" in out
    assert re.search(r"stdin\.c: error: not parsed: `#include` at line 1 names a (FIFO|character device)", out), out
    assert re.search(r"devstdin\.c: error: not parsed: `#include` at line 1 names a (FIFO|character device)", out), out
    assert len([l for l in out.splitlines() if ": error: BUF002" in l]) == 4, "every call is still found, from tokens"


def test_fifo_or_device_given_as_a_path(tmp_path):
    os.mkfifo(tmp_path / "p.c")
    write(tmp_path / "a.c", CALL)
    r = run("check", "p.c", "/dev/zero", "a.c", cwd=tmp_path, timeout=60)
    assert r.returncode == 2
    assert "p.c: error: not a regular file (a FIFO); not read" in r.stdout
    assert "/dev/zero: error: not a regular file (a character device); not read" in r.stdout
    assert "a.c:4:9: error: BUF002" in r.stdout


# 4. NUL bytes

def test_a_nul_byte_does_not_hide_a_call(tmp_path):
    write(tmp_path / "nul.c", data=CALL.replace("const void *p;", "const void *p;\0").encode())
    r = run("check", "nul.c", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "nul.c:4:9: error: BUF002" in r.stdout
    assert "nul.c: note: contains NUL bytes" in r.stdout
    f = run("fix", "nul.c", cwd=tmp_path)
    assert f.returncode == 0, f.stdout + f.stderr
    fixed = (tmp_path / "nul.c").read_bytes()
    assert b"const void *p;\0" in fixed and b"PyObject_GetBuffer" in fixed, "fix keeps the NUL byte"


# 5. Links out of the tree

def test_fix_never_writes_through_a_folder_link_out_of_the_tree(tmp_path):
    outside = tmp_path / "outside"
    victim = write(outside / "x.c", CALL)
    proj = tmp_path / "proj"
    write(proj / "a.c", CALL)
    os.symlink(outside, proj / "linked")
    r = run("fix", ".", cwd=proj)
    assert victim.read_text() == CALL, "the file outside the project is untouched"
    assert not (outside / "bufferlint_compat.h").exists()
    assert re.search(r"linked/x\.c: error: is reached through a link that leads out of the project", r.stdout), r.stdout
    assert r.returncode == 2
    assert (proj / "a.c").read_text() == CALL, "a fix is written whole or not at all"


def test_symlinked_cache_folder_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    proj = tmp_path / "proj"
    write(proj / "a.c", CALL)
    os.symlink(outside, proj / ".bufferlint-cache")
    r = run("check", ".", cwd=proj)
    assert r.returncode == 1
    assert list(outside.iterdir()) == []
    assert re.search(r"cache folder \S*/\.bufferlint-cache is a symbolic link; results are not cached", r.stderr), r.stderr


# 6. Full disk

def test_full_standard_output_is_an_error_not_a_crash(tmp_path):
    write(tmp_path / "a.c", CALL)
    for args in (["check", "a.c"], ["check", "--format", "sarif", "a.c"], ["rules"]):
        with open("/dev/full", "w") as full:
            p = subprocess.run([BINARY, *args], cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert "bufferlint: error: cannot write to standard output: No space left on device" in p.stderr
    env = {**os.environ, "GITHUB_STEP_SUMMARY": "/dev/full"}
    p = subprocess.run([BINARY, "check", "--format", "github", "a.c"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert "cannot write to /dev/full: No space left on device" in p.stderr
    with open("/dev/full", "w") as full:
        p = subprocess.run([BINARY, "fix", "a.c"], cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 2 and "cannot write to standard output" in p.stderr


def test_fix_on_a_full_disk_changes_nothing(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        big = "/* " + "x" * 40000 + " */\n"
        write(mnt / "a.c", big + CALL)
        write(mnt / "fill", data=b"\0" * 20000)
        before = (mnt / "a.c").read_bytes()
        r = run("fix", "a.c", cwd=mnt)
        assert r.returncode == 2, r.stdout + r.stderr
        assert "a.c: error:" in r.stdout and "No space left on device" in r.stdout, r.stdout
        assert (mnt / "a.c").read_bytes() == before
        assert sorted(p.name for p in mnt.iterdir()) == ["a.c", "fill"], "no temporary or support file is left"
    finally:
        subprocess.run(["umount", str(mnt)])


# 7. Fixes over several files: all or none

def wrapper_tree(root: Path):
    for name in ("xwrap.c", "xwrap.h", "xwmod.c"):
        shutil.copy(FIX_CORPUS / name, root / name)
    return {p.name: p.read_bytes() for p in root.iterdir()}


def test_multi_file_fix_is_written_whole_or_not_at_all(tmp_path):
    before = wrapper_tree(tmp_path)
    # A second hard link: a fixed copy would split it, so xwmod.c cannot be written.
    os.link(tmp_path / "xwmod.c", tmp_path / "xwmod.keep")
    r = run("fix", "--unsafe-fixes", "xwrap.c", "xwrap.h", "xwmod.c", cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert re.search(r"^xwmod\.c: error: has 2 hard links.*no file was written$", r.stdout, re.M), r.stdout
    assert re.search(r"^xwrap\.c: error: not written: xwmod\.c could not be written", r.stdout, re.M), r.stdout
    assert {n: (tmp_path / n).read_bytes() for n in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(list(before) + ["xwmod.keep"]), "no support or temporary file is left"
    # Without the link, all of them change together.
    os.unlink(tmp_path / "xwmod.keep")
    r = run("fix", "--unsafe-fixes", "xwrap.c", "xwrap.h", "xwmod.c", cwd=tmp_path)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    assert all((tmp_path / n).read_bytes() != before[n] for n in ("xwrap.c", "xwmod.c")), r.stdout


def test_the_support_header_that_cannot_be_written_is_the_one_named(tmp_path):
    write(tmp_path / "a.c", CALL.replace("static PyObject *f", "PyObject *keep; static PyObject *f")
          .replace("return PyLong_FromSsize_t(n);", "keep = (PyObject *)p; return PyLong_FromSsize_t(n);"))
    (tmp_path / "bufferlint_compat.h").mkdir()
    before = (tmp_path / "a.c").read_bytes()
    r = run("fix", "a.c", cwd=tmp_path)
    assert r.returncode == 2, r.stdout
    assert "a.c: error: " in r.stdout and "bufferlint_compat.h: is a directory, not a file" in r.stdout, r.stdout
    assert (tmp_path / "a.c").read_bytes() == before


# 8. YAML alias bombs

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + k)}: &{chr(98 + k)} [*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, "
    f"*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}]\n" for k in range(9))


def limited_memory():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_alias_bomb_in_configuration_is_refused_at_once(tmp_path):
    assert len(BOMB) < 1024
    write(tmp_path / "a.c", CALL)
    write(tmp_path / ".bufferlint.yml", BOMB)
    start = time.monotonic()
    r = run("check", "a.c", cwd=tmp_path, timeout=60, preexec_fn=limited_memory)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert ".bufferlint.yml: holds more than 100000 values once its aliases are expanded; refused" in r.stderr
    assert time.monotonic() - start < 30


def test_alias_bomb_in_a_rule_file_is_refused_at_once(tmp_path):
    write(tmp_path / "a.c", CALL)
    write(tmp_path / "rules" / "bomb.yml", BOMB)
    r = run("check", "--rules", "rules", "a.c", cwd=tmp_path, timeout=60, preexec_fn=limited_memory)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "bomb.yml: holds more than 100000 values" in r.stderr


# 9. Versions are text

def test_unquoted_versions_keep_their_digits(tmp_path):
    write(tmp_path / "m.c", "#include <Python.h>\nPyObject *f(PyObject *c, PyObject *a) { return PyEval_CallObject(c, a); }\n")
    write(tmp_path / "rules" / "acme.yml", "id: ACME001\nname: eval-call-object\nkind: detect-only\nfunctions: [PyEval_CallObject]\n"
          "deprecated: 3.9\nremoved: 3.10\nreplacement: 'PyObject_CallObject(callable, args)'\n")
    # Removed in 3.10: checking for 3.9 it is a warning; read as 3.1 it would be an error.
    r = run("check", "--format", "json", "--rules", "rules", "--target-python", "3.9", "m.c", cwd=tmp_path)
    assert [f["severity"] for f in json.loads(r.stdout)["findings"]] == ["warning"], r.stdout + r.stderr
    assert "Removed in Python 3.10" in run("explain", "--rules", "rules", "ACME001", cwd=tmp_path).stdout
    # target-python: 3.10 unquoted is 3.10, where the rule is removed: an error.
    write(tmp_path / ".bufferlint.yml", "target-python: 3.10\n")
    r = run("check", "--format", "json", "--rules", "rules", "m.c", cwd=tmp_path)
    assert [f["severity"] for f in json.loads(r.stdout)["findings"]] == ["error"], r.stdout + r.stderr


# 10. Smaller ones of the same class

def test_pathological_exclude_glob_is_matched_without_backtracking(tmp_path):
    for k in range(100):
        write(tmp_path / ("a" * 40 + f"{k:03}.c"), "int x;\n")
    write(tmp_path / "b.c", CALL)
    write(tmp_path / ".bufferlint.yml", "exclude: ['" + "*a" * 25 + "*b']\n")
    r = run("check", "--no-cache", ".", cwd=tmp_path, timeout=60)
    assert r.returncode == 1 and "b.c:4:9: error: BUF002" in r.stdout


def test_cut_off_compilation_database_is_an_error(tmp_path):
    write(tmp_path / "a.c", CALL)
    write(tmp_path / "build" / "compile_commands.json", '[{"directory": ".", "file": "a.c", "arguments": ["cc", "-c"')
    r = run("check", "-p", "build", "a.c", cwd=tmp_path)
    assert r.returncode == 2
    assert "compile_commands.json: is not valid JSON (cut off or malformed)" in r.stderr, r.stderr


def as_nobody():
    os.setgid(65534)
    os.setuid(65534)


@pytest.mark.skipif(os.geteuid() != 0, reason="switches to an unprivileged user")
def test_read_only_cache_folder_is_said():
    root = Path(tempfile.mkdtemp(prefix="bufferlint-ro-"))
    try:
        root.chmod(0o755)
        # The binary is copied beside the tree: the clone's own folders may be closed to other users.
        binary = root / "bufferlint"
        shutil.copy(BINARY, binary)
        binary.chmod(0o755)
        probe = subprocess.run([str(binary), "--version"], capture_output=True, preexec_fn=as_nobody)
        if probe.returncode != 0:
            pytest.skip(f"bufferlint cannot run as an unprivileged user here: {probe.stderr[:200]!r}")
        write(root / "a.c", CALL)
        (root / ".bufferlint-cache").mkdir(mode=0o555)
        r = subprocess.run([str(binary), "check", "a.c"], cwd=root, capture_output=True, text=True, preexec_fn=as_nobody, timeout=120)
        assert r.returncode == 1, r.stdout + r.stderr
        assert re.search(r"cache folder \S*/\.bufferlint-cache is not writable; results are not cached", r.stderr), r.stderr
    finally:
        shutil.rmtree(root)


@pytest.mark.skipif(os.geteuid() != 0, reason="gives files to another owner")
def test_fix_keeps_owner_mode_and_extended_attributes(tmp_path):
    a = write(tmp_path / "a.c", CALL)
    os.chown(a, 1234, 2345)
    a.chmod(0o640)
    try:
        os.setxattr(a, "user.origin", b"kept")
    except OSError:
        pytest.skip("no extended attributes on this file system")
    r = run("fix", "a.c", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    st = a.stat()
    assert "PyObject_GetBuffer" in a.read_text()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (1234, 2345, 0o640)
    assert os.getxattr(a, "user.origin") == b"kept"


def test_temporary_files_of_a_killed_run_are_removed(tmp_path):
    write(tmp_path / "a.c", CALL)
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = write(tmp_path / f".a.c.bufferlint-{dead.pid}-AbC123", "half")
    live = write(tmp_path / f".a.c.bufferlint-{os.getpid()}-XyZ789", "a run still writing")
    r = run("fix", "a.c", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not stale.exists() and live.exists()
    write(tmp_path / ".bufferlint-cache" / f"0123.json.tmp{dead.pid}-42", "half")
    run("check", "a.c", cwd=tmp_path)
    assert not (tmp_path / ".bufferlint-cache" / f"0123.json.tmp{dead.pid}-42").exists()


def test_configuration_and_rule_files_that_are_links_to_devices(tmp_path):
    write(tmp_path / "a.c", CALL)
    os.symlink("/dev/stdin", tmp_path / ".bufferlint.yml")
    r = run("check", "a.c", cwd=tmp_path, stdin=subprocess.PIPE, timeout=60)
    assert r.returncode == 2
    assert re.search(r"\.bufferlint\.yml: not a regular file \(a (FIFO|character device)\); not read", r.stderr), r.stderr
    os.unlink(tmp_path / ".bufferlint.yml")
    (tmp_path / "rules").mkdir()
    os.symlink("/dev/zero", tmp_path / "rules" / "zero.yml")
    r = run("check", "--rules", "rules", "a.c", cwd=tmp_path, timeout=60)
    assert r.returncode == 2
    assert "zero.yml: not a regular file (a character device); not read" in r.stderr, r.stderr


def test_cache_entries_committed_with_the_tree_are_not_trusted(tmp_path):
    """A pull request can commit a `.bufferlint-cache` whose entries say its files are clean. The
    entries' keys hold a secret of the machine's user, so entries made anywhere else never match."""
    write(tmp_path / "a.c", CALL)
    attacker = {"BUFFERLINT_CACHE_SECRET": "the attacker's own machine"}
    r = run("check", "a.c", cwd=tmp_path, env=attacker)
    assert r.returncode == 1
    # The attacker edits the entry made on their machine: no findings.
    entries = list((tmp_path / ".bufferlint-cache").glob("*.json"))
    assert len(entries) == 1
    entry = json.loads(entries[0].read_text())
    entry["result"]["findings"] = []
    entries[0].write_text(json.dumps(entry))
    assert run("check", "a.c", cwd=tmp_path, env=attacker).returncode == 0, "with the same secret the forged entry is used"
    # On the CI machine (another secret) the forgery is ignored and the call is reported.
    r = run("check", "a.c", cwd=tmp_path, env={"BUFFERLINT_CACHE_SECRET": "the CI runner's"})
    assert r.returncode == 1 and "a.c:4:9: error: BUF002" in r.stdout
    r = run("check", "a.c", cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "home-cache")})
    assert r.returncode == 1 and "a.c:4:9: error: BUF002" in r.stdout
    secret = tmp_path / "home-cache" / "bufferlint" / "secret"
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_text()) == 64

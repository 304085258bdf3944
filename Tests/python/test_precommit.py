"""The pre-commit hooks in .pre-commit-hooks.yaml, run by the real pre-commit from PyPI.

`pre-commit try-repo` clones the hook repository at HEAD (plus changes to tracked
files), so the hooks are tried from a temporary git repository holding this
checkout's current files: the result does not depend on what is committed yet.
The `bufferlint-system` hook uses the binary in $BUFFERLINT; the `bufferlint`
(swift) hook builds the package from source and runs only with BUFFERLINT_SLOW_TESTS=1.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import venv

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BUFFERLINT = os.environ.get("BUFFERLINT")
pytestmark = pytest.mark.skipif(not BUFFERLINT, reason="BUFFERLINT (the built binary) is not set")

OLD = """#include <Python.h>

static PyObject *
checksum(PyObject *self, PyObject *obj)
{
    const void *data;
    Py_ssize_t size;
    if (PyObject_AsReadBuffer(obj, &data, &size) < 0)
        return NULL;
    return PyLong_FromSsize_t(size);
}
"""

NEW = """#include <Python.h>

static PyObject *
checksum(PyObject *self, PyObject *obj)
{
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_ssize_t size = view.len;
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(size);
}
"""

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory):
    """pre-commit installed from PyPI into a fresh virtualenv."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    proc = subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "pre-commit"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"could not install pre-commit from PyPI:\n{proc.stderr}"
    return env_dir / "bin" / "pre-commit"


def hook_repo(dest, files):
    """A git repository with the given files of this checkout, committed."""
    dest.mkdir()
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "hooks")
    return dest


def project(tmp_path):
    work = tmp_path / "project"
    work.mkdir()
    (work / "ext.c").write_text(OLD)
    (work / "README.md").write_text("Mentions PyObject_AsReadBuffer, but is not C.\n")
    # Only BUF004 here, and the project's configuration turns BUF004 off.
    (work / "check.c").write_text("#include <Python.h>\nint ok(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n")
    (work / ".bufferlint.yml").write_text("ignore: [BUF004]\n")
    git(work, "init", "-q")
    git(work, "add", "-A")
    # Not added to git: pre-commit never passes it, so it must not fail the hook.
    (work / "untracked.c").write_text(OLD)
    return work


def try_repo(pre_commit, hooks, work, hook_id, home):
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1",
           "PATH": os.pathsep.join([str(pathlib.Path(BUFFERLINT).parent), os.environ.get("PATH", "")])}
    return subprocess.run([pre_commit, "try-repo", str(hooks), hook_id, "--all-files", "--color", "never", "--verbose"],
                          cwd=work, capture_output=True, text=True, env=env)


def run_cycle(pre_commit, hooks, tmp_path, hook_id):
    work = project(tmp_path)
    home = tmp_path / "pre-commit-home"
    failed = try_repo(pre_commit, hooks, work, hook_id, home)
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out
    assert "ext.c:8:9: error: BUF002" in out, out
    assert "untracked.c" not in out and "README.md" not in out and "BUF004" not in out, out

    (work / "ext.c").write_text(NEW)
    git(work, "add", "ext.c")
    passed = try_repo(pre_commit, hooks, work, hook_id, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_system_hook_fails_on_the_old_call_and_passes_once_fixed(pre_commit, tmp_path):
    hooks = hook_repo(tmp_path / "hooks", [".pre-commit-hooks.yaml"])
    run_cycle(pre_commit, hooks, tmp_path, "bufferlint-system")


@pytest.mark.skipif(os.environ.get("BUFFERLINT_SLOW_TESTS") != "1", reason="builds bufferlint from source; set BUFFERLINT_SLOW_TESTS=1")
def test_swift_hook_builds_from_source(pre_commit, tmp_path):
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, check=True, capture_output=True, text=True)
    files = [f for f in listed.stdout.splitlines() if (REPO / f).is_file()]
    hooks = hook_repo(tmp_path / "hooks", files)
    run_cycle(pre_commit, hooks, tmp_path, "bufferlint")

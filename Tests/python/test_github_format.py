"""`--format github`: hostile file names cannot inject workflow commands; the step summary is written."""
import os
import subprocess

import pytest

BUFFERLINT = os.environ.get("BUFFERLINT")
pytestmark = pytest.mark.skipif(not BUFFERLINT, reason="BUFFERLINT (the built binary) is not set")

CALL = "#include <Python.h>\nint f(PyObject *o) { const void *p; Py_ssize_t n; return PyObject_AsReadBuffer(o, &p, &n); }\n"


def run(tmp_path, *args, env=None):
    e = dict(os.environ)
    e.pop("GITHUB_STEP_SUMMARY", None)
    e.update(env or {})
    return subprocess.run([BUFFERLINT, "check", "--format", "github", *args], cwd=tmp_path, capture_output=True, text=True, env=e)


@pytest.mark.parametrize("name", [
    "a\n::error file=evil.c::injected.c",
    "b%0A::error::injected.c",
    "c\r::warning::x,line=1:y.c",
])
def test_file_name_cannot_start_a_second_command(tmp_path, name):
    (tmp_path / name).write_text(CALL)
    proc = run(tmp_path, ".")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[-1] == ""
    commands = [l for l in lines[:-1]]
    assert len(commands) == 1, proc.stdout
    assert "\r" not in proc.stdout
    command = commands[0]
    assert command.startswith("::error file=")
    props = command[2:].split("::", 1)[0]
    # The whole hostile name stays inside the file property.
    assert "injected" not in props.split("file=", 1)[1].split(",line=")[1]
    assert "%0A" in props or "%0D" in props or "%250A" in props


def test_step_summary_is_appended(tmp_path):
    for k in range(12):
        (tmp_path / f"m{k:02}.c").write_text(CALL)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    proc = run(tmp_path, ".", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 1
    assert proc.stdout.count("::error ") == 12
    text = summary.read_text()
    assert text.startswith("earlier step\n## bufferlint")
    assert "| BUF002 | as-read-buffer | 12 |" in text
    beyond = text.split("### Not shown as annotations", 1)[1]
    assert [l.split(" |")[0] for l in beyond.splitlines() if l.startswith("| m")] == ["| m10.c:2:58", "| m11.c:2:58"]

"""A file over the size limit is not read: an error names it, the run goes on with the others
(exit 2, as for any input error), and memory does not grow with that file's size."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

BUFFERLINT = os.environ.get("BUFFERLINT", str(Path(__file__).resolve().parents[2] / ".build" / "release" / "bufferlint"))


def test_a_file_over_the_limit_is_named_and_the_others_are_checked(tmp_path: Path) -> None:
    huge = tmp_path / "huge.c"
    with open(huge, "wb") as f:
        f.truncate(1 << 30)  # 1 GB, sparse: nothing is written to disk
    (tmp_path / "small.c").write_text("#include <Python.h>\nint f(PyObject *o) { return PyObject_CheckReadBuffer(o); }\n")
    # The run goes through a fresh interpreter so that its peak memory is bufferlint's alone.
    measure = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stdout.write(r.stdout + r.stderr + f'\\npeak-kb {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\nrc {r.returncode}\\n')")
    r = subprocess.run([sys.executable, "-c", measure, BUFFERLINT, "check", "--no-cache", "huge.c", "small.c"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    out = r.stdout
    assert out.rstrip().endswith("rc 2"), out
    assert "huge.c: error: larger than 64 MB; not read" in out
    assert "small.c:2:29: error: BUF004" in out
    # The 1 GB file was never read into memory (a run of a small tree stays far below it).
    peak_kb = int(out.split("peak-kb ")[1].split()[0])
    assert peak_kb < 512 * 1024, f"peak {peak_kb} KB"

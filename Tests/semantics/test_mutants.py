"""The differential test has to be able to fail. Each mutant is one
plausible mistake in bufferlint_compat.h; built into _refcheck in place of
the real header, it must make at least one case differ from CPython."""
import shutil
import subprocess
import sys

import pytest

import refcheck_build
from cases import HERE, no_core_dump

MUTANTS = {
    "SystemError message changed": [
        ('"null argument to internal routine"', '"null argument"'),
    ],
    "NULL check overwrites a pending exception": [
        ("if (!PyErr_Occurred()) {", "if (1) {"),
    ],
    "AsWriteBuffer keeps the exporter's error": [
        ('PyErr_SetString(PyExc_TypeError, "expected a writable bytes-like object");', ""),
    ],
    "CheckReadBuffer without the slot test": [
        ("if (!PyObject_CheckBuffer(obj)) {\n        return 0;\n    }", ""),
    ],
    "CheckReadBuffer leaves the exporter's error set": [
        ("PyErr_Clear();\n        return 0;", "return 0;"),
    ],
    "As*Buffer never releases the view": [
        ("PyBuffer_Release(&view);\n    return 0;", "return 0;"),
    ],
    "AsCharBuffer skips the NULL buffer check": [
        ("buffer != NULL ? &data : NULL", "&data"),
    ],
}


# Runs in a child process, since some mutants crash (which counts as caught).
_CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from cases import cases, compare, crashes
from refcheck_build import load_refcheck
mutant = load_refcheck(sys.argv[2])
for case in cases():
    if not crashes("real", case[0], case[1]):
        differing = compare(mutant, "reference", case)[1]
        if differing:
            print(differing[0])
            sys.exit(0)
sys.exit(1)
"""


@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_is_caught(tmp_path, name):
    support = tmp_path / "support"
    shutil.copytree(refcheck_build.SUPPORT, support)
    header = support / refcheck_build.COMPAT_HEADER.name
    text = header.read_text()
    for before, after in MUTANTS[name]:
        assert before in text, f"mutant {name!r} no longer applies to the header"
        text = text.replace(before, after)
    header.write_text(text)
    mutant = refcheck_build.compile_refcheck(tmp_path, support=support)

    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(HERE), str(mutant)],
        capture_output=True, text=True, preexec_fn=no_core_dump, timeout=120,
    )
    assert done.returncode != 1, f"no case tells mutant {name!r} from CPython"
    assert done.returncode == 0 or done.returncode < 0, done.stderr
    print(f"{name}: {done.stdout.strip() or 'crashed'}")

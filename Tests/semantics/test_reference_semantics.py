"""bufferlint's reference functions (Rules/support/bufferlint_compat.h),
compiled as is and under the limited API, against CPython's own old buffer
functions: every case is called on each and every observation compared."""
import sys

import pytest

from cases import INPUTS, cases, compare, flatten, observe

REFERENCES = ("reference", "limited")


def _case_id(case):
    func, inp, preset = case
    return f"{func}-{inp.name}-{'preset' if preset else 'clean'}"


@pytest.mark.parametrize("case", cases(), ids=_case_id)
def test_reference_matches_real(refcheck, tally, case):
    func, inp, preset = case
    real = flatten(observe(refcheck, "real", func, inp, preset))
    if "outcome" in real:
        # Both must die, not merely agree: a child that failed to start
        # would also "agree".
        assert real["outcome"].startswith("crash"), real
    tally.inputs.add(inp.name)
    tally.cases += 1

    mismatches = []
    for impl in REFERENCES:
        if impl not in refcheck.implementations():
            continue
        tally.implementations.add(impl)
        compared, differing = compare(refcheck, impl, case, real)
        tally.comparisons += compared
        mismatches += differing
    tally.mismatches += bool(mismatches)
    assert not mismatches, "\n".join(mismatches)


def test_limited_reference_is_built(refcheck):
    if sys.version_info < (3, 11):
        pytest.skip("the buffer API is in the limited API from 3.11 on")
    assert "limited" in refcheck.implementations()


# The comparisons above are only as good as the observations. These pin a
# few facts of /work/shared/SEMANTICS.md on the real functions, so that an
# observation that saw nothing (and so always agreed) would fail here.

def _input(name):
    return next(inp for inp in INPUTS if inp.name == name)


def test_observed_write_replaces_exporter_error(refcheck):
    seen = observe(refcheck, "real", "write", _input("bytes"), False)
    assert seen["return"] == -1
    assert seen["exception"]["type"] == "TypeError"
    assert seen["exception"]["message"] == "expected a writable bytes-like object"


def test_observed_null_argument(refcheck):
    clean = observe(refcheck, "real", "read", _input("NULL length pointer"), False)
    assert (clean["exception"]["type"], clean["exception"]["message"]) == (
        "SystemError", "null argument to internal routine")
    preset = observe(refcheck, "real", "read", _input("NULL length pointer"), True)
    assert preset["exception"]["is preset"]


def test_observed_check_clears_pending_exception(refcheck):
    seen = observe(refcheck, "real", "check", _input("exporter raising ValueError"), True)
    assert seen["return"] == 0 and seen["exception"] is None
    assert (seen["gets"], seen["releases"]) == (1, 0)


def test_observed_borrowed_pointer(refcheck):
    seen = observe(refcheck, "real", "char", _input("bytearray"), False)
    assert seen["return"] == 0 and seen["offset"] == 0 and seen["length"] == 6
    assert seen["resize while in use"] == "ok"
    held = observe(refcheck, "recipe", "char", _input("bytearray"), False)
    assert held["resize while in use"].startswith("BufferError")


def test_observed_pointer_and_length(refcheck):
    seen = observe(refcheck, "real", "read", _input("array('d')"), False)
    assert (seen["offset"], seen["length"]) == (0, 24)  # bytes, not items
    failed = observe(refcheck, "real", "read", _input("str"), False)
    assert (failed["offset"], failed["length"]) == (None, None)  # not written

"""Builds the test extensions once per session and counts what the
differential tests compared, for the summary line at the end."""
import pytest

import refcheck_build


class Tally:
    def __init__(self):
        self.inputs = set()
        self.cases = 0
        self.comparisons = 0
        self.mismatches = 0
        self.implementations = set()


TALLY = Tally()


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("semantics-build")


@pytest.fixture(scope="session")
def refcheck(build_dir):
    return refcheck_build.build_refcheck(build_dir)


@pytest.fixture(scope="session")
def tally():
    return TALLY


def pytest_terminal_summary(terminalreporter):
    if TALLY.cases:
        terminalreporter.write_line(
            f"reference semantics: {len(TALLY.inputs)} inputs, {TALLY.cases} cases "
            f"(function x input x exception set or not), {TALLY.comparisons} comparisons "
            f"of {' and '.join(sorted(TALLY.implementations))} against the real functions, "
            f"{TALLY.mismatches} cases with a mismatch"
        )

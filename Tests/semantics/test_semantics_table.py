"""docs/semantics.md's generated table and semantics_facts.json must be
what semantics_table.py measures now."""
import pytest

import semantics_table as table

REGENERATE = "stale: regenerate with python3 Tests/semantics/semantics_table.py"


@pytest.fixture(scope="module")
def measured_with():
    version = table.checked_in_version()
    if version != table.python_version():
        pytest.skip(f"measured with CPython {version}, running {table.python_version()}: messages may differ")
    return version


def test_table_is_current(refcheck, measured_with):
    checked_in = table.generated_block(table.DOC.read_text())
    assert checked_in == table.render_table(table.measure(refcheck)), f"docs/semantics.md is {REGENERATE}"


def test_facts_are_current(refcheck, measured_with):
    checked_in = table.FACTS.read_text()
    assert checked_in == table.render_facts(table.measure_facts(refcheck)), f"semantics_facts.json is {REGENERATE}"

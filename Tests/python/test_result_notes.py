"""A test of an old function's result that no returned value can change, or that is inverted, is
copied by the fix as written (the project's logic is kept) but never silently: the finding carries
a note, in every format, and the fix's reason says it too."""
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUFFERLINT = os.environ.get("BUFFERLINT", str(ROOT / ".build" / "release" / "bufferlint"))

# python-ldap's converter (returns 1 on success, 0 on failure) and gamera's check, in C++.
SOURCE = """#include <Python.h>
#include <string.h>
static int from_object(PyObject *obj, char **out) {
    const void *data;
    Py_ssize_t len;
    if (!PyObject_AsReadBuffer(obj, &data, &len))
        return 0;
    *out = (char *)PyMem_Malloc(len ? len : 1);
    memcpy(*out, data, len);
    return 1;
}
struct Image {
    int accepts(PyObject *o) {
        if (PyObject_CheckReadBuffer(o) < 0)
            return 0;
        return 1;
    }
};
static int fine(PyObject *o) {
    const void *p; Py_ssize_t n;
    if (PyObject_AsReadBuffer(o, &p, &n) < 0) return -1;
    return (int)n;
}
"""


def run(tmp_path, *args):
    (tmp_path / "m.cpp").write_text(SOURCE)
    r = subprocess.run([BUFFERLINT, "check", "--no-cache", *args, "m.cpp"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    return r.stdout


def test_json_notes_only_where_there_is_one_and_in_the_fix_reason(tmp_path):
    findings = {f["line"]: f for f in json.loads(run(tmp_path, "--format", "json"))["findings"]}
    assert sorted(findings) == [6, 14, 21]
    inverted, dead, fine = findings[6], findings[14], findings[21]
    assert len(inverted["notes"]) == 1 and "is true when the call succeeds" in inverted["notes"][0]
    assert "reads `data` only after a failure" in inverted["notes"][0]
    assert dead["notes"] == ["the test `PyObject_CheckReadBuffer(...) < 0` is never true: `PyObject_CheckReadBuffer` returns only 1 (success) or 0 (failure); the fix keeps the test as written"]
    assert "notes" not in fine
    for f in (inverted, dead):
        assert f["fix"]["reason"].endswith("Note: " + f["notes"][0] + ".")
    assert "Note:" not in fine["fix"]["reason"]


def test_text_sarif_github_and_gitlab_say_the_note(tmp_path):
    text = run(tmp_path)
    assert text.count("\n  note: the test `") == 2
    sarif = json.loads(run(tmp_path, "--format", "sarif"))
    messages = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r["message"]["text"] for r in sarif["runs"][0]["results"]}
    assert "Note: the test `PyObject_CheckReadBuffer(...) < 0` is never true" in messages[14]
    assert "Note:" in messages[6] and "Note:" not in messages[21]
    github = [l for l in run(tmp_path, "--format", "github").splitlines() if l.startswith("::")]
    assert sum("Note: the test" in l for l in github) == 2
    gitlab = json.loads(run(tmp_path, "--format", "gitlab"))
    assert sum("Note: the test" in i["description"] for i in gitlab) == 2


def test_fix_keeps_the_tests_as_written(tmp_path):
    (tmp_path / "m.cpp").write_text(SOURCE)
    r = subprocess.run([BUFFERLINT, "fix", "m.cpp"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    fixed = (tmp_path / "m.cpp").read_text()
    assert "if (!bufferlint_AsReadBuffer(obj, &data, &len))" in fixed
    assert "if (bufferlint_CheckReadBuffer(o) < 0)" in fixed


def test_a_rule_file_with_wrong_returns_names_the_file_and_key(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (ROOT / "Rules" / "BUF002-as-read-buffer.yml").read_text()
    bad = text.replace("id: BUF002", "id: ACME002").replace("name: as-read-buffer", "name: acme-read") \
        .replace("functions: [PyObject_AsReadBuffer]", "functions: [Acme_AsReadBuffer]") \
        .replace("returns: {success: 0, failure: -1}", "returns: {success: 0, failure: 0}")
    assert bad != text
    (rules / "acme.yml").write_text(bad)
    (tmp_path / "m.cpp").write_text(SOURCE)
    r = subprocess.run([BUFFERLINT, "check", "--rules", str(rules), "m.cpp"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2
    assert "acme.yml" in r.stderr and "semantics.returns" in r.stderr and "two different integers" in r.stderr

#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs the Swift and Python tests.
set -uo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh --test || exit 1
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -r Tests/requirements.txt || exit 1
python3 Scripts/embed-rules.py --check || { echo "Sources/BufferLintKit/Rules/EmbeddedRules.swift is stale: run python3 Scripts/embed-rules.py"; exit 1; }
log=$(mktemp)
swift build --build-tests >"$log" 2>&1 || { grep -E 'error' -A3 "$log" | head -60; echo "swift build failed"; exit 1; }
swift test --skip-build >"$log" 2>&1
swift_status=$?
grep -E 'error: |Executed [0-9]+ tests?, with' "$log" | tail -30
rm -f "$log"
export BUFFERLINT="$PWD/.build/release/bufferlint"
python3 -m pytest -q -p no:cacheprovider Tests/python Tests/semantics
py_status=$?
[ $swift_status -eq 0 ] && [ $py_status -eq 0 ]

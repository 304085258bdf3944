#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs the Swift and Python tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh --test
python3 -m pip install -q --disable-pip-version-check -r Tests/requirements.txt
python3 Scripts/embed-rules.py --check || { echo "Sources/BufferLintKit/Rules/EmbeddedRules.swift is stale: run python3 Scripts/embed-rules.py"; exit 1; }
swift build --build-tests 2>&1 | tail -1
swift test --skip-build 2>&1 | tail -40
export BUFFERLINT="$PWD/.build/release/bufferlint"
python3 -m pytest -q -p no:cacheprovider Tests/python Tests/semantics

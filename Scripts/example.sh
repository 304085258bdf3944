#!/usr/bin/env bash
# Sets up, builds and runs bufferlint on the bundled legacy extension.
set -uo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh || exit 2
.build/release/bufferlint check Examples/legacy_ext
status=$?
echo "(exit status $status: 1 means findings of severity error or warning, as expected for this example)"
[ $status -le 1 ]

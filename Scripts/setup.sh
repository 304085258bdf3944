#!/usr/bin/env bash
# Installs what bufferlint needs on a Debian machine (when missing) and builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -e /usr/lib/llvm-14/include/clang-c/Index.h ] || [ -n "${BUFFERLINT_LLVM_PREFIX:-}" ] || need+=(libclang-dev)
python3 -c 'import sysconfig, os, sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' 2>/dev/null || need+=(python3-dev)
if [ "${1:-}" = "--test" ]; then
  command -v clang-14 >/dev/null || need+=(clang-14)
  command -v swig >/dev/null || need+=(swig)
  command -v g++ >/dev/null || need+=(g++)
  command -v patch >/dev/null || need+=(patch)
  command -v git >/dev/null || need+=(git)
  # Tests/python/test_precommit.py installs pre-commit into a virtualenv.
  python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
log=$(mktemp)
if swift build -c release --product bufferlint >"$log" 2>&1; then
  tail -1 "$log"; rm -f "$log"
else
  grep -E 'error' -A3 "$log" | head -60; rm -f "$log"; echo "building bufferlint failed"; exit 1
fi

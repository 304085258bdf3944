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
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
swift build -c release --product bufferlint 2>&1 | tail -1

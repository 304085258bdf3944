#!/usr/bin/env bash
# Fuzzes the parts of bufferlint that read untrusted input (lexer and #if evaluator, token
# scanner, SWIG regions, Cython scanner, configuration and rule loaders) with libFuzzer and
# AddressSanitizer (leaks included), FUZZ_SECONDS each (default 60), seeded from the fixtures
# and every input kept in Tests/Fuzz/<harness>/. A crash, a timeout or a leak fails the run;
# the input that caused it is copied into Tests/Fuzz/<harness>/ (commit it: the test suite
# replays every kept input through a plain build, Tests/python/test_fuzz_inputs.py).
#
#     bash Scripts/fuzz.sh [HARNESS ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(lexer scanner swig cython config rule)
log=$(mktemp)
if ! swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
     --product bufferlint-fuzz --build-path .build-fuzz >"$log" 2>&1; then
  grep -E 'error' -A3 "$log" | head -40; echo "building the fuzz target failed"; exit 1
fi
rm -f "$log"
bin=.build-fuzz/release/bufferlint-fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seeds() {
  case "$1" in
    lexer|scanner) find Tests/Fixtures Tests/FixCorpus Examples -type f \( -name '*.c' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' \) ;;
    swig) find Tests/Fixtures Tests/FixCorpus -type f \( -name '*.i' -o -name '*.swg' \) ;;
    cython) find Tests/Fixtures Tests/FixCorpus -type f \( -name '*.pyx' -o -name '*.pxd' -o -name '*.pxi' \) ;;
    config) find Tests Examples -type f -name '*.bufferlint.yml' -o -type f -name '.bufferlint.yml' ;;
    rule) find Rules -type f -name '*.yml' ;;
  esac
}
failed=0
for h in "${harnesses[@]}"; do
  mkdir -p "$work/$h/seeds" "$work/$h/corpus" "Tests/Fuzz/$h"
  seeds "$h" | while read -r f; do cp "$f" "$work/$h/seeds/$(echo "$f" | tr '/' '_')"; done
  cp Tests/Fuzz/"$h"/* "$work/$h/seeds/" 2>/dev/null || true
  set +e
  BUFFERLINT_FUZZ=$h "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$work/$h/" "$work/$h/corpus" "$work/$h/seeds" >"$work/$h.log" 2>&1
  rc=$?
  set -e
  runs=$(grep -oE 'stat::number_of_executed_units:[[:space:]]*[0-9]+' "$work/$h.log" | grep -o '[0-9]*$' || echo 0)
  units=$(grep -oE 'stat::new_units_added:[[:space:]]*[0-9]+' "$work/$h.log" | grep -o '[0-9]*$' || echo 0)
  if [ $rc -ne 0 ]; then
    failed=1
    echo "fuzz $h: FAILED (exit $rc) after $runs runs"
    grep -E 'ERROR: |SUMMARY: |Test unit written' "$work/$h.log" | head -8
    for a in "$work/$h"/crash-* "$work/$h"/leak-* "$work/$h"/timeout-* "$work/$h"/oom-*; do
      [ -e "$a" ] && cp "$a" "Tests/Fuzz/$h/" && echo "  kept Tests/Fuzz/$h/$(basename "$a")"
    done
  else
    echo "fuzz $h: $runs runs in ${seconds}s, $units new coverage units, no crash, timeout or leak"
  fi
done
exit $failed

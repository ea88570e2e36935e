#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite twice: a normal build and an
# AddressSanitizer + UndefinedBehaviorSanitizer build; then runs each libFuzzer target for 60 s
# (tests/fuzz/run.sh). Exit status 0 only when all three pass.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

jobs=$(nproc)
run_suite() {
  local dir=$1; shift
  echo "== configure $dir ($*)"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  echo "== build $dir"
  cmake --build "$dir" -j"$jobs"
  echo "== test $dir"
  (cd "$dir" && ctest -j"$jobs" --output-on-failure --timeout 300)
}

run_suite build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DCONTRACK_SANITIZE=ON
echo "== fuzz every libFuzzer target for 60 s (clang-16, build-fuzz)"
tests/fuzz/run.sh 60
echo "== all tests passed in the normal and the sanitizer build, and the fuzz targets found nothing"

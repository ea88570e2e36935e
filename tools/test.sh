#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite twice: in the Release
# configuration a user builds (GCC -O3, where some warnings only show) and in an AddressSanitizer +
# UndefinedBehaviorSanitizer build (RelWithDebInfo, for readable reports); then runs each libFuzzer
# target for 60 s (tests/fuzz/run.sh). Every build treats warnings as errors (CONTRACK_WERROR). The
# suite includes the browser tests (ctest label "browser": headless Chromium against contrackd,
# about two minutes; reported skipped, never passed, where no browser is installed). Exit status 0
# only when all of them pass.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

echo "== clang-format: every C++ file the project wrote follows .clang-format"
git ls-files '*.cc' '*.h' | grep -v '^tests/ocds/' | xargs clang-format --dry-run --Werror

jobs=$(nproc)
run_suite() {
  local dir=$1 type=$2; shift 2
  echo "== configure $dir ($type $*)"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DCONTRACK_WERROR=ON "$@" >/dev/null
  echo "== build $dir"
  cmake --build "$dir" -j"$jobs"
  echo "== test $dir"
  (cd "$dir" && ctest -j"$jobs" --output-on-failure --timeout 300)
}

run_suite build Release
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan RelWithDebInfo -DCONTRACK_SANITIZE=ON
echo "== fuzz every libFuzzer target for 60 s (clang-16, build-fuzz)"
tests/fuzz/run.sh 60
echo "== all tests passed in the Release and the sanitizer build, and the fuzz targets found nothing"

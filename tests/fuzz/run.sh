#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-16 (CONTRACK_FUZZ=ON, in build-fuzz/) and runs each for
# SECONDS (default 60) from its seed corpus; `run.sh SECONDS TARGET...` runs only those targets.
# Exits non-zero when a target crashes, leaks, breaks an invariant or times out; the crashing
# input is left in build-fuzz/artifacts/<target>/ (copy it
# to tests/fuzz/regressions/<target>/ so fuzz_regression_test keeps it fixed).
# Env: CONTRACK_FUZZ_BUILD (build dir), CONTRACK_FUZZ_JOBS (parallel targets; default: cores).
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
build=${CONTRACK_FUZZ_BUILD:-build-fuzz}
targets=(event_json lifecycle http_request)
if (($# > 1)); then targets=("${@:2}"); fi
jobs=${CONTRACK_FUZZ_JOBS:-$(nproc)}

for tool in clang-16 clang++-16; do
  if ! command -v "$tool" >/dev/null; then
    echo "fuzz: $tool is missing (tools/install-deps.sh installs it)" >&2
    exit 1
  fi
done

echo "== configure $build (clang-16, CONTRACK_FUZZ=ON)"
CC=clang-16 CXX=clang++-16 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCONTRACK_FUZZ=ON -DCONTRACK_BUILD_TESTS=OFF -DCONTRACK_WERROR=ON >/dev/null
echo "== build $build"
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run_one() {
  local t=$1
  local work="$build/fuzz-work/$t" artifacts="$build/artifacts/$t"
  rm -rf "$work"
  mkdir -p "$work" "$artifacts"
  # The corpus grows in $work; the committed seeds are read, never written.
  "$build/tests/fuzz/fuzz_$t" "$work" "tests/fuzz/corpus/$t" -max_total_time="$seconds" \
    -timeout=30 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" \
    >"$build/fuzz-$t.log" 2>&1 && echo 0 >"$build/fuzz-$t.rc" || echo $? >"$build/fuzz-$t.rc"
}

fail=0
running=0
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${seconds}s"
  rm -f "$build/fuzz-$t.rc"
  run_one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
for t in "${targets[@]}"; do
  status=$(cat "$build/fuzz-$t.rc" 2>/dev/null || echo 1)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz-$t.log" |
    grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$build/fuzz-$t.log" | tail -1 || true)
  if ((status != 0)); then
    echo "== fuzz $t FAILED (exit $status; ${execs:-?} executions); log $build/fuzz-$t.log:"
    tail -n 60 "$build/fuzz-$t.log"
    ls -l "$build/artifacts/$t"
    fail=1
  else
    echo "== fuzz $t ok: ${execs:-?} executions in ${seconds}s, ${cov:-cov ?}"
  fi
done
exit $fail

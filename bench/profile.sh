#!/usr/bin/env bash
# bench/profile.sh: instruction profiles (valgrind callgrind) of the two hot paths, for
# docs/performance.md. Run bench/run.sh first (it builds build-bench/).
#
#   1. the library append path at 64 writers: PROFILE_APPENDS (default 30000) appends of the bench
#      funding event to 10,000 awarded contracts, collecting only inside the write path:
#      EventLog::Append (the callers' share) and the prepare and write threads' loops;
#   2. contrackd answering GET /v1/contracts/{id} (wrk, 8 connections, 10 s), collecting only
#      inside Api::Handle.
# Writes bench/results/profile-append-64w.txt and bench/results/profile-get-state.txt (inclusive
# cost, top functions) and leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/${BENCH_DIR:-build-bench}
N=${PROFILE_APPENDS:-30000}
D=$B/profile-data
OUT=$ROOT/bench/results
command -v valgrind >/dev/null || { echo "apt-get install valgrind" >&2; exit 1; }
rm -rf "$D"
mkdir -p "$D" "$OUT"
PID=""
trap '[[ -n $PID ]] && kill "$PID" 2>/dev/null; rm -rf "$D"' EXIT

top() {  # CALLGRIND-FILE: the top inclusive entries, names shortened
  callgrind_annotate --inclusive=yes "$1" 2>/dev/null | sed -n '/^Ir  /,$p' | sed -n '4,140p' |
    sed -E 's/std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >/string/g;
            s/ \[[^]]*\]$//; s/\?\?\?://' | cut -c1-160
}

echo "== append path, 64 writers, $N appends (callgrind)" >&2
"$B/bench/contrack_bench" library --dir "$D/store" --setup-only --contracts 10000 >/dev/null 2>&1
valgrind --tool=callgrind --toggle-collect='contrack::storage::EventLog::Append*' \
  --toggle-collect='contrack::storage::EventLog::PrepareLoop*' \
  --toggle-collect='contrack::storage::EventLog::WriteLoop*' \
  --callgrind-out-file="$D/append.cg" "$B/bench/contrack_bench" library --dir "$D/store" \
  --threads 64 --appends "$N" --contracts 10000 --warmup 0 2>/dev/null | grep '"events/s"' >&2
{
  echo "# callgrind, inclusive instructions inside EventLog::Append and the prepare and write"
  echo "# threads (PrepareLoop, WriteLoop): 64 writers, $N appends"
  echo "# (one funding event each) to 10,000 awarded contracts. $(date -u +%F)"
  top "$D/append.cg"
} >"$OUT/profile-append-64w.txt"

echo "== contrackd GET /v1/contracts/{id} (callgrind)" >&2
printf '{"tokens":[{"token":"bench-admin-token-0123456789","principal":"bench","role":"admin","authorities":["*"]}]}\n' >"$D/tokens.json"
chmod 600 "$D/tokens.json"
valgrind --tool=callgrind --toggle-collect='contrack::api::Api::Handle*' \
  --callgrind-out-file="$D/get.cg" "$B/contrackd" --listen 127.0.0.1:0 --data "$D/store" \
  --tokens "$D/tokens.json" --log-level warn --threads 1 >"$D/cd.out" 2>"$D/cd.log" &
PID=$!
PORT=""
for _ in $(seq 600); do
  PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$D/cd.out")
  [[ -n $PORT ]] && break
  sleep 0.2
done
BENCH_TOKEN=bench-admin-token-0123456789 BENCH_WRK_DIR=$ROOT/bench/wrk BENCH_CONTRACTS=10000 \
  wrk -t1 -c8 -d10s -s "$ROOT/bench/wrk/get_state.lua" "http://127.0.0.1:$PORT" |
  grep '^{"requests"' | tee "$D/wrk.json" >&2
kill "$PID"
wait "$PID" || true
PID=""
{
  echo "# callgrind, inclusive instructions inside Api::Handle: contrackd (1 I/O thread, no access"
  echo "# log) answering GET /v1/contracts/{id} for 8 wrk connections over 10 s: $(cat "$D/wrk.json")"
  top "$D/get.cg"
} >"$OUT/profile-get-state.txt"
echo "wrote $OUT/profile-append-64w.txt and $OUT/profile-get-state.txt" >&2

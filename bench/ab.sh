#!/usr/bin/env bash
# bench/ab.sh: does a change make appends faster on this machine? Runs two builds of
# contrack_bench (or one build under two environments) against each other in ABBA order at 64
# appends in flight (AppendAsync from 2 client threads, as bench/run.sh measures the peers'
# shape), each on its own store of 10,000 contracts, and prints one JSON line per run and one
# summary line.
#
#   bench/ab.sh A_BENCH B_BENCH                 two binaries (e.g. build-bench copies)
#   AB_ENV_A="X=1" AB_ENV_B="Y=1" bench/ab.sh B B   one binary, two environments
#   AB_ARGS_A="--state-every 1" bench/ab.sh B B     one binary, two sets of `library` options
#
# Environment: AB_PAIRS=6 (pairs of runs), AB_SECONDS=5 (measured seconds per run, after 1 s of
# warm-up), AB_DIR=/tmp/contrack-ab (stores; removed at the end).
#
# Why this shape: on these shared machines one build's throughput moves by ±15% from run to run,
# more than most changes, so a single comparison decides nothing. ABBA order cancels a drift over
# time, and `sync` plus a 1 s pause before each run keeps one run's writeback (a 5 s run writes
# about 200 MB of log) from landing on the next. Read the summary as evidence only when the
# pairs agree: "b_faster_pairs" near AB_PAIRS or near 0, not a median ratio alone.
# Instruction counts (valgrind, bench/profile.sh) are repeatable but miss memory latency:
# one measured change that removed a fifth of the instructions per append was no faster here.
set -euo pipefail
A=${1:?usage: bench/ab.sh A_BENCH B_BENCH}
B=${2:?usage: bench/ab.sh A_BENCH B_BENCH}
PAIRS=${AB_PAIRS:-6}
SECS=${AB_SECONDS:-5}
DIR=${AB_DIR:-/tmp/contrack-ab}
rm -rf "$DIR"
mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

# RUN LABEL BENCH ENV STORE: one measurement, one JSON line
run() {
  local label=$1 bench=$2 envs=$3 store=$4 args=$5
  sync
  sleep 1
  # shellcheck disable=SC2086  # ENV holds NAME=VALUE words, ARGS option words
  env $envs "$bench" library --dir "$store" --threads 64 --async-clients 2 --contracts 10000 \
    --seconds "$SECS" --warmup 1 $args 2>/dev/null | python3 -c '
import json, sys
v = {}
for line in sys.stdin:
    if line.startswith("{"):
        o = json.loads(line)
        v[o["name"]] = o["value"]
k = "contrack_lib.append_async.64w"
if k not in v:
    sys.exit("ab.sh: no %s in the output of %s" % (k, sys.argv[2]))
print(json.dumps({"run": sys.argv[1], "events_per_s": v[k],
                  "cpu_us_per_event": v[k + ".cpu_us_per_event"], "p50_ms": v[k + ".p50"],
                  "events_per_synced_write": v[k + ".events_per_synced_write"]}))' "$label" "$bench"
}

setup() {  # BENCH ENV STORE ARGS: 10,000 awarded contracts
  # shellcheck disable=SC2086
  env $2 "$1" library --dir "$3" --setup-only --contracts 10000 $4 >"$DIR/setup.log" 2>&1 || {
    echo "ab.sh: $1 library --setup-only failed:" >&2
    tail -5 "$DIR/setup.log" >&2
    exit 1
  }
}
setup "$A" "${AB_ENV_A:-}" "$DIR/a" "${AB_ARGS_A:-}"
setup "$B" "${AB_ENV_B:-}" "$DIR/b" "${AB_ARGS_B:-}"
OUT=$DIR/runs.jsonl
: >"$OUT"
for ((p = 1; p <= PAIRS; p++)); do
  if ((p % 2)); then
    run a "$A" "${AB_ENV_A:-}" "$DIR/a" "${AB_ARGS_A:-}" | tee -a "$OUT"
    run b "$B" "${AB_ENV_B:-}" "$DIR/b" "${AB_ARGS_B:-}" | tee -a "$OUT"
  else
    run b "$B" "${AB_ENV_B:-}" "$DIR/b" "${AB_ARGS_B:-}" | tee -a "$OUT"
    run a "$A" "${AB_ENV_A:-}" "$DIR/a" "${AB_ARGS_A:-}" | tee -a "$OUT"
  fi
done
python3 - "$OUT" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
a = [r for r in runs if r["run"] == "a"]
b = [r for r in runs if r["run"] == "b"]
ratios = [y["events_per_s"] / x["events_per_s"] for x, y in zip(a, b)]
cpu = [y["cpu_us_per_event"] / x["cpu_us_per_event"] for x, y in zip(a, b)]
print(json.dumps({
    "summary": "b/a, async 64 in flight",
    "pairs": len(ratios),
    "b_faster_pairs": sum(r > 1 for r in ratios),
    "median_ratio": round(statistics.median(ratios), 3),
    "ratios": [round(r, 3) for r in ratios],
    "b_less_cpu_pairs": sum(c < 1 for c in cpu),
    "median_cpu_ratio": round(statistics.median(cpu), 3),
    "a_events_per_s": [round(r["events_per_s"]) for r in a],
    "b_events_per_s": [round(r["events_per_s"]) for r in b],
}))
EOF

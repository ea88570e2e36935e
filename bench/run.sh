#!/usr/bin/env bash
# bench/run.sh: every contrack benchmark and its peers, in one run on this machine.
#
# Installs what is missing (Debian packages), builds contrack in Release into build-bench/, then
# measures: the disk's fdatasync rate (fio); raw RocksDB synced WriteBatch appends; durable
# appends through the library at 1, 16 and 64 writer threads, and 64 in flight from 2 threads
# (AppendAsync, the peers' client shape); contrackd over HTTP (appends and state
# reads, 64 keep-alive connections); PostgreSQL (Message DB pattern, pgbench) and Redis Streams
# (XADD, appendfsync always) with the same event at 1 and 64 clients; then rebuild of a large log,
# alerts over 1,000,000 contracts and contrackd's resident memory on that log.
# Prints a table and writes bench/results/latest.jsonl (one JSON object per measurement).
# Method and results: docs/performance.md. Run as root (or with sudo for apt-get and runuser).
#
# The disk of a shared machine changes speed from minute to minute, so the throughput figures
# are taken in BENCH_ROUNDS interleaved rounds (every contender once per round, in a rotated
# order) and each figure is the median of its rounds: ratios compare like with like.
#
# Scales (environment):
#   BENCH_ROUNDS=3              rounds of the interleaved measurements
#   BENCH_SECONDS=5             measured seconds per figure per round (after BENCH_WARMUP=1)
#   BENCH_CONTRACTS=10000       contracts awarded before the append and read runs
#   BENCH_ALERT_CONTRACTS=1000000  contracts in the large log (alerts, memory)
#   BENCH_REBUILD_EVENTS=10000000  events in the large log (rebuild, memory): SPEC's size;
#                               about 5 of the run's minutes on the 2-core machine
#   BENCH_DIR=build-bench       build directory; the data lives in $BENCH_DIR/bench-data (same
#                               disk), removed at the end unless BENCH_KEEP_DATA=1
#   BENCH_PG_PORT=55432, BENCH_REDIS_PORT=56379   loopback ports for the peers
#   BENCH_ONLY="fio raw lib http pg redis big"    run a subset (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_SECONDS=${BENCH_SECONDS:-5}
BENCH_WARMUP=${BENCH_WARMUP:-1}
BENCH_CONTRACTS=${BENCH_CONTRACTS:-10000}
BENCH_ALERT_CONTRACTS=${BENCH_ALERT_CONTRACTS:-1000000}
BENCH_REBUILD_EVENTS=${BENCH_REBUILD_EVENTS:-10000000}
BENCH_DIR=${BENCH_DIR:-build-bench}
BENCH_PG_PORT=${BENCH_PG_PORT:-55432}
BENCH_REDIS_PORT=${BENCH_REDIS_PORT:-56379}
BENCH_ONLY=${BENCH_ONLY:-fio raw lib http pg redis big}
BENCH_ALERTS_AS_OF=${BENCH_ALERTS_AS_OF:-2025-06-30}
TOKEN=bench-admin-token-0123456789
WARMUP_INT=$(python3 -c "print(max(1, round(float('$BENCH_WARMUP'))))")  # wrk, pgbench: whole s
ROUND=0

START=$(date +%s)
log() { printf '[%4ds] %s\n' $(($(date +%s) - START)) "$*" >&2; }
want() { [[ " $BENCH_ONLY " == *" $1 "* ]]; }
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

# --- dependencies ---------------------------------------------------------------------------------
tools/install-deps.sh
EXTRA=(fio postgresql redis-server redis-tools wrk python3 curl procps)
missing=()
for p in "${EXTRA[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  # Keep the packages' own services (postgresql on 5432, redis on 6379) from starting: the
  # benchmark runs its own instances. The policy file is removed again after the install.
  policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null
    $SUDO chmod 755 $policy
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ -n $policy ]]; then $SUDO rm -f $policy; fi
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

# --- build ----------------------------------------------------------------------------------------
# Release, at -O2: the figures in docs/performance.md were measured so.
log "building contrack (Release) in $BENCH_DIR"
cmake -S . -B "$BENCH_DIR" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  -DCONTRACK_BUILD_BENCH=ON -DCONTRACK_BUILD_TESTS=OFF >/dev/null
cmake --build "$BENCH_DIR" -j"$(nproc)" >/dev/null
BUILD_SECS=$(($(date +%s) - START))
B=$ROOT/$BENCH_DIR
BENCH=$B/bench/contrack_bench

# --- work area, servers, cleanup ------------------------------------------------------------------
WORK=$B/bench-data
rm -rf "$WORK"
mkdir -p "$WORK" "$ROOT/bench/results"
chmod 755 "$WORK"
RAW=$WORK/raw.jsonl
: >"$RAW"
PIDS=()  # servers started here, stopped by PID

stop_pid() {  # PID [SIGNAL]: signal (TERM), wait up to 30 s, then SIGKILL
  local pid=$1 sig=${2:-TERM}
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ ${BENCH_KEEP_DATA:-0} != 1 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Appends each JSON line of stdin to $RAW with the round and the 1-minute load average.
record() {
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"): continue
    o = json.loads(line); o["load1"] = float(sys.argv[1]); o["round"] = int(sys.argv[2])
    print(json.dumps(o))' "$load" "$ROUND" | tee -a "$RAW" >/dev/null
}
emit() {  # NAME VALUE UNIT [EXTRA-JSON-FRAGMENT]
  printf '{"name":"%s","value":%s,"unit":"%s"%s}\n' "$1" "$2" "$3" "${4:-}" | record
}
py() { python3 -c "print($1)"; }

"$BENCH" sample --dir "$WORK/sample" --out "$WORK/ev" 2>/dev/null | record
FUNDING_JSON=$(cat "$WORK/ev/funding.json")
AWARD_JSON=$(cat "$WORK/ev/award.json")

# --- machine --------------------------------------------------------------------------------------
FS_TYPE=$(stat -f -c %T "$WORK")
DEV=$(df --output=source "$WORK" | tail -1)
emit machine.cores "$(nproc)" cores ",\"mem_total\":\"$(free -h | awk '/^Mem:/{print $2}')\",\"disk\":\"$DEV\",\"fs\":\"$(findmnt -n -o FSTYPE -T "$WORK" || echo "$FS_TYPE")\",\"kernel\":\"$(uname -r)\",\"cpu\":\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)\",\"date\":\"$(date -u +%FT%TZ)\",\"build_seconds\":$BUILD_SECS,\"round_count\":$BENCH_ROUNDS,\"seconds_per_round\":$BENCH_SECONDS"
if [[ $FS_TYPE == tmpfs || $FS_TYPE == ramfs ]]; then
  log "WARNING: $WORK is on $FS_TYPE: fsync figures will not reflect a disk"
fi

# --- the measurements of one round ----------------------------------------------------------------
m_fio() {  # the disk's own fdatasync rate, in a directory on the data's filesystem
  mkdir -p "$WORK/fio"
  (cd "$WORK/fio" && fio --name=fsync --rw=write --bs=4k --size=64m --fdatasync=1 --numjobs=1 \
    --runtime="$BENCH_SECONDS" --output-format=json >fio.json)
  python3 - "$WORK/fio/fio.json" <<'EOF' | record
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
p = j["sync"]["lat_ns"]["percentile"]
x = ',"tool":"fio --rw=write --bs=4k --size=64m --fdatasync=1 --numjobs=1"'
print('{"name":"disk.fdatasync","value":%.1f,"unit":"fsyncs/s"%s}' % (j["write"]["iops"], x))
print('{"name":"disk.fdatasync.p50","value":%.3f,"unit":"ms"%s}' % (p["50.000000"] / 1e6, x))
print('{"name":"disk.fdatasync.p99","value":%.3f,"unit":"ms"%s}' % (p["99.000000"] / 1e6, x))
EOF
  rm -rf "$WORK/fio"
}

m_raw() {  # raw RocksDB synced WriteBatch appends: the engine's ceiling
  "$BENCH" raw --dir "$WORK/rocks1" --threads 1,64 --seconds "$BENCH_SECONDS" \
    --warmup "$BENCH_WARMUP" 2>/dev/null | record
  rm -rf "$WORK"/rocks*
  "$BENCH" raw --dir "$WORK/rocks5" --threads 64 --shape contrack --seconds "$BENCH_SECONDS" \
    --warmup "$BENCH_WARMUP" 2>/dev/null | record
  rm -rf "$WORK"/rocks*
}

m_lib() {  # contrack through the library (the store and its contracts persist across rounds)
  "$BENCH" library --dir "$WORK/lib" --threads 1,16,64 --contracts "$BENCH_CONTRACTS" \
    --seconds "$BENCH_SECONDS" --warmup "$BENCH_WARMUP" 2>/dev/null | record
  # The peers' client shape: 64 appends in flight from 2 threads (pgbench -c 64 -j 2;
  # redis-benchmark -c 64 runs one thread), with EventLog::AppendAsync.
  "$BENCH" library --dir "$WORK/lib" --threads 64 --async-clients 2 \
    --contracts "$BENCH_CONTRACTS" --seconds "$BENCH_SECONDS" --warmup "$BENCH_WARMUP" \
    2>/dev/null | record
}

# contrackd
printf '{"tokens":[{"token":"%s","principal":"bench","role":"admin","authorities":["*"]}]}\n' \
  "$TOKEN" >"$WORK/tokens.json"
chmod 600 "$WORK/tokens.json"
CONTRACKD_PID=""
CONTRACKD_PORT=""
start_contrackd() {  # DATA-DIR [flags]: sets CONTRACKD_PID and CONTRACKD_PORT
  local data=$1
  shift
  : >"$WORK/contrackd.out"
  "$B/contrackd" --listen 127.0.0.1:0 --data "$data" --tokens "$WORK/tokens.json" "$@" \
    >"$WORK/contrackd.out" 2>>"$WORK/contrackd.log" &
  CONTRACKD_PID=$!
  PIDS+=("$CONTRACKD_PID")
  for _ in $(seq 600); do
    CONTRACKD_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/contrackd.out")
    if [[ -n $CONTRACKD_PORT ]]; then return 0; fi
    kill -0 "$CONTRACKD_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "contrackd did not start:"
  tail -5 "$WORK/contrackd.log" >&2
  exit 1
}
stop_contrackd() {
  stop_pid "$CONTRACKD_PID"
  : >"$WORK/contrackd.log"  # the access log of the run, not needed
}
metric() {  # NAME: a counter from contrackd's /metrics
  curl -s "http://127.0.0.1:$CONTRACKD_PORT/metrics" | awk -v n="$1" '$1 == n {print $2}'
}
wrk_run() {  # NAME SCRIPT CONTRACTS SECONDS: 64 keep-alive connections, 2 wrk threads
  local name=$1 script=$2 contracts=$3 secs=$4 out
  out=$(BENCH_TOKEN=$TOKEN BENCH_WRK_DIR=$ROOT/bench/wrk BENCH_EVENT_FILE=$WORK/ev/funding.json \
    BENCH_CONTRACTS=$contracts wrk -t2 -c64 -d"${secs}s" --timeout 10s \
    -s "$ROOT/bench/wrk/$script" "http://127.0.0.1:$CONTRACKD_PORT" | grep '^{"requests"')
  python3 - "$name" "$out" <<'EOF' | record
import json, sys
name, r = sys.argv[1], json.loads(sys.argv[2])
if r["non_2xx"] or r["socket_errors"]:
    sys.exit("%s: %d non-2xx responses, %d socket errors" % (name, r["non_2xx"], r["socket_errors"]))
x = ',"connections":64,"requests":%d,"seconds":%.2f' % (r["requests"], r["duration_us"] / 1e6)
print('{"name":"%s","value":%.1f,"unit":"req/s"%s}' % (name, r["requests"] / (r["duration_us"] / 1e6), x))
print('{"name":"%s.p50","value":%.3f,"unit":"ms"%s}' % (name, r["p50_us"] / 1e3, x))
print('{"name":"%s.p99","value":%.3f,"unit":"ms"%s}' % (name, r["p99_us"] / 1e3, x))
EOF
}
m_http() {  # contrackd (kept running across rounds): appends, then state reads
  local e0 w0 e1 w1
  BENCH_TOKEN=$TOKEN BENCH_WRK_DIR=$ROOT/bench/wrk BENCH_CONTRACTS=$BENCH_CONTRACTS \
    wrk -t2 -c64 -d"${WARMUP_INT}s" -s "$ROOT/bench/wrk/get_state.lua" \
    "http://127.0.0.1:$CONTRACKD_PORT" >/dev/null
  e0=$(metric contrack_events_total)
  w0=$(metric contrack_synced_writes_total)
  wrk_run contrack_http.append.64c append.lua "$BENCH_CONTRACTS" "$BENCH_SECONDS"
  e1=$(metric contrack_events_total)
  w1=$(metric contrack_synced_writes_total)
  emit contrack_http.append.64c.events_per_synced_write \
    "$(py "round(($e1-$e0)/max(1,$w1-$w0),2)")" events/write
  wrk_run contrack_http.get_state.64c get_state.lua "$BENCH_CONTRACTS" "$BENCH_SECONDS"
}

# PostgreSQL as an event store (Message DB pattern)
PGDATA=$WORK/pg
start_pg() {
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --no-sync \
    >/dev/null
  runuser -u postgres -- "$PGBIN/postgres" -D "$PGDATA" -p "$BENCH_PG_PORT" -k "$PGDATA" \
    -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on -c max_connections=100 \
    >"$WORK/pg.log" 2>&1 &
  PG_PID=""
  for _ in $(seq 300); do
    if [[ -s $PGDATA/postmaster.pid ]]; then PG_PID=$(head -1 "$PGDATA/postmaster.pid"); break; fi
    sleep 0.1
  done
  [[ -n $PG_PID ]] || { log "postgres did not start: $(tail -3 "$WORK/pg.log")"; exit 1; }
  PIDS+=("$PG_PID")
  PSQL=(runuser -u postgres -- psql -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres -q -v ON_ERROR_STOP=1)
  for _ in $(seq 300); do "${PSQL[@]}" -c 'select 1' postgres >/dev/null 2>&1 && break; sleep 0.1; done
  "${PSQL[@]}" -c 'CREATE DATABASE bench' postgres
  "${PSQL[@]}" -d bench -f "$ROOT/bench/peers/postgres_schema.sql"
  "${PSQL[@]}" -d bench -c "INSERT INTO messages (id, stream_name, position, type, data, metadata)
    SELECT gen_random_uuid(), 'contract-' || i, 1, 'award', '$AWARD_JSON'::jsonb,
           '{\"recorded_by\":\"bench\"}'::jsonb
    FROM generate_series(0, $BENCH_CONTRACTS - 1) i; ANALYZE messages; CHECKPOINT;"
  # The event travels as a bind parameter (-M prepared), as a client library would send it.
  cat >"$PGDATA/append.sql" <<EOF
\set c random(0, $BENCH_CONTRACTS - 1)
SELECT write_message(gen_random_uuid(), 'contract-' || :c, 'funding', :payload::jsonb, :meta::jsonb);
EOF
  chown postgres "$PGDATA/append.sql"
}
m_pg() {  # pgbench at 1 and 64 clients
  local c j
  for c in 1 64; do
    j=$((c < 2 ? 1 : 2))
    rm -f "$PGDATA"/pgbench_log*
    runuser -u postgres -- "$PGBIN/pgbench" -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres -n \
      -M prepared -c "$c" -j "$j" -T "$WARMUP_INT" -f "$PGDATA/append.sql" \
      -D "payload=$FUNDING_JSON" -D 'meta={"recorded_by":"bench"}' bench >/dev/null 2>&1
    (cd "$PGDATA" && runuser -u postgres -- "$PGBIN/pgbench" -h 127.0.0.1 -p "$BENCH_PG_PORT" \
      -U postgres -n -M prepared -c "$c" -j "$j" -T "$BENCH_SECONDS" -f append.sql \
      -D "payload=$FUNDING_JSON" -D 'meta={"recorded_by":"bench"}' -l --log-prefix=pgbench_log \
      bench >"$WORK/pgbench.out" 2>&1) || {
      cat "$WORK/pgbench.out" >&2
      exit 1
    }
    python3 - "$c" "$WORK/pgbench.out" "$PGDATA" <<'EOF' | record
import glob, re, sys
c, out, d = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out).group(1))
failed = re.search(r"number of failed transactions: (\d+)", out)
if failed and int(failed.group(1)):
    sys.exit("pgbench: %s failed transactions" % failed.group(1))
lat = sorted(int(l.split()[2]) for f in glob.glob(d + "/pgbench_log*") for l in open(f))
pct = lambda p: lat[max(0, min(len(lat) - 1, -(-len(lat) * p // 100) - 1))] / 1000.0
x = ',"clients":%s,"transactions":%d' % (c, len(lat))
n = "postgres.append.%sc" % c
print('{"name":"%s","value":%.1f,"unit":"events/s"%s}' % (n, tps, x))
print('{"name":"%s.p50","value":%.3f,"unit":"ms"%s}' % (n, pct(50), x))
print('{"name":"%s.p99","value":%.3f,"unit":"ms"%s}' % (n, pct(99), x))
EOF
  done
}

# Redis Streams, appendfsync always
RDIR=$WORK/redis
start_redis() {
  mkdir -p "$RDIR"
  chown redis:redis "$RDIR" 2>/dev/null || true
  runuser -u redis -- redis-server --port "$BENCH_REDIS_PORT" --bind 127.0.0.1 --dir "$RDIR" \
    --appendonly yes --appendfsync always --save "" --daemonize no --logfile "$RDIR/redis.log" &
  REDIS_PID=""
  for _ in $(seq 300); do
    REDIS_PID=$( (redis-cli -p "$BENCH_REDIS_PORT" info server 2>/dev/null || true) |
      sed -n 's/^process_id:\([0-9]*\).*/\1/p')
    if [[ -n $REDIS_PID ]]; then break; fi
    sleep 0.1
  done
  [[ -n $REDIS_PID ]] || { log "redis did not start"; exit 1; }
  PIDS+=("$REDIS_PID")
  # Each contract's award first, as for contrack and PostgreSQL.
  python3 - "$BENCH_CONTRACTS" "$AWARD_JSON" <<'EOF' | redis-cli -p "$BENCH_REDIS_PORT" --pipe >/dev/null
import sys
n, award = int(sys.argv[1]), sys.argv[2]
out = sys.stdout.buffer
for i in range(n):
    args = [b"XADD", b"contract-%012d" % i, b"*", b"type", b"award", b"data", award.encode()]
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
EOF
}
m_redis() {  # redis-benchmark XADD at 1 and 64 clients
  local c cal rps n
  local cmd=(XADD "contract-__rand_int__" "*" type funding data "$FUNDING_JSON")
  for c in 1 64; do
    local rb=(redis-benchmark -p "$BENCH_REDIS_PORT" -c "$c" -r "$BENCH_CONTRACTS" --csv)
    # redis-benchmark counts requests, not seconds: size the run from a short calibration (which
    # doubles as the warmup). --csv: "test","rps","avg","min","p50","p95","p99","max"; the test
    # name holds the command (and its commas), so fields are taken from the right.
    cal=$((c == 1 ? 300 : 5000))
    rps=$("${rb[@]}" -n "$cal" "${cmd[@]}" | tail -1 | awk -F, '{print $(NF-6)}' | tr -d '"')
    n=$(py "max(1000, int(float('$rps') * $BENCH_SECONDS))")
    "${rb[@]}" -n "$n" "${cmd[@]}" | tail -1 | python3 -c '
import sys
f = [x.strip("\"") for x in sys.stdin.read().strip().split(",")]
c, n = sys.argv[1], sys.argv[2]
x = ",\"clients\":%s,\"requests\":%s" % (c, n)
name = "redis.xadd.%sc" % c
print("{\"name\":\"%s\",\"value\":%s,\"unit\":\"events/s\"%s}" % (name, f[-7], x))
print("{\"name\":\"%s.p50\",\"value\":%s,\"unit\":\"ms\"%s}" % (name, f[-4], x))
print("{\"name\":\"%s.p99\",\"value\":%s,\"unit\":\"ms\"%s}" % (name, f[-2], x))' "$c" "$n" | record
  done
}

# --- the interleaved rounds -----------------------------------------------------------------------
ORDER=()
for m in fio raw lib http pg redis; do if want $m; then ORDER+=("$m"); fi; done
if ((${#ORDER[@]})); then
  if want pg; then log "PostgreSQL: initdb, Message DB table, $BENCH_CONTRACTS awards"; start_pg; fi
  if want redis; then log "Redis: appendonly yes, appendfsync always; $BENCH_CONTRACTS awards"; start_redis; fi
  if want lib; then
    "$BENCH" library --dir "$WORK/lib" --setup-only --contracts "$BENCH_CONTRACTS" >/dev/null 2>&1
  fi
  if want http; then
    "$BENCH" library --dir "$WORK/http" --setup-only --contracts "$BENCH_CONTRACTS" >/dev/null 2>&1
    start_contrackd "$WORK/http"
  fi
  for ((ROUND = 1; ROUND <= BENCH_ROUNDS; ROUND++)); do
    k=$(((ROUND - 1) % ${#ORDER[@]}))
    rotated=("${ORDER[@]:k}" "${ORDER[@]:0:k}")
    log "round $ROUND of $BENCH_ROUNDS (${BENCH_SECONDS}s per figure): ${rotated[*]}"
    for m in "${rotated[@]}"; do "m_$m"; done
  done
  ROUND=0
  if want http; then
    # The same reads without the per-request access log (--log-level warn), once.
    stop_contrackd
    start_contrackd "$WORK/http" --log-level warn
    wrk_run contrack_http.get_state.64c.no_access_log get_state.lua "$BENCH_CONTRACTS" \
      "$BENCH_SECONDS"
    stop_contrackd
  fi
  if want pg; then stop_pid "$PG_PID" INT; fi
  if want redis; then stop_pid "$REDIS_PID"; fi
  rm -rf "$WORK/lib" "$WORK/http" "$PGDATA" "$RDIR"
fi

# --- the large log: rebuild, alerts, memory -------------------------------------------------------
if want big; then
  log "large log: $BENCH_ALERT_CONTRACTS contracts, $BENCH_REBUILD_EVENTS events (library, 64 writers)"
  "$BENCH" build --dir "$WORK/big" --contracts "$BENCH_ALERT_CONTRACTS" \
    --events "$BENCH_REBUILD_EVENTS" --threads 64 2>/dev/null | record
  log_bytes=$(du -sb "$WORK/big" | cut -f1)
  log "rebuild: contrack --data DIR rebuild"
  t0=$(date +%s.%N)
  "$B/contrack" --data "$WORK/big" rebuild >/dev/null 2>&1
  t1=$(date +%s.%N)
  secs=$(py "round($t1-$t0,2)")
  emit contrack_cli.rebuild "$(py "round($BENCH_REBUILD_EVENTS/$secs)")" events/s \
    ",\"events\":$BENCH_REBUILD_EVENTS,\"seconds\":$secs,\"full_size_events\":10000000"
  log "alerts over $BENCH_ALERT_CONTRACTS contracts"
  "$BENCH" alerts --dir "$WORK/big" --as-of "$BENCH_ALERTS_AS_OF" --within-days 90 \
    2>/dev/null | sed "s/}\$/,\"contracts\":$BENCH_ALERT_CONTRACTS}/" | record
  log "contrackd on the large log: state reads, a full verify, resident memory"
  start_contrackd "$WORK/big"
  wrk_run contrack_http.get_state_large.64c get_state.lua "$BENCH_ALERT_CONTRACTS" \
    "$BENCH_SECONDS"
  t0=$(date +%s.%N)
  curl -sf --max-time 900 -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$CONTRACKD_PORT/v1/verify" >"$WORK/verify.json"
  t1=$(date +%s.%N)
  if ! grep -q '"ok":true' "$WORK/verify.json"; then
    log "verify failed: $(head -c 300 "$WORK/verify.json")"
    exit 1
  fi
  emit contrack_http.verify "$(py "round($BENCH_REBUILD_EVENTS/($t1-$t0))")" events/s \
    ",\"events\":$BENCH_REBUILD_EVENTS,\"seconds\":$(py "round($t1-$t0,2)")"
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$CONTRACKD_PID/status")
  hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$CONTRACKD_PID/status")
  x=",\"block_cache_mb\":64,\"log_bytes\":$log_bytes,\"events\":$BENCH_REBUILD_EVENTS"
  emit contrackd.rss "$(py "round($rss/1024,1)")" MiB "$x"
  emit contrackd.rss_peak "$(py "round($hwm/1024,1)")" MiB "$x"
  stop_contrackd
  rm -rf "$WORK/big"
fi

# --- the table and the summary --------------------------------------------------------------------
emit run.seconds $(($(date +%s) - START)) s ",\"build_seconds\":$BUILD_SECS"
python3 "$ROOT/bench/report.py" "$RAW" "$ROOT/bench/results/latest.jsonl"
log "done in $(($(date +%s) - START)) s; summary: bench/results/latest.jsonl"

// contrack_bench: the library-level benchmarks behind bench/run.sh. Each mode prints one JSON
// object per measurement on stdout ({"name","value","unit",...}); progress goes to stderr.
//
//   sample   the bench event's sizes (JSON body, stored record)
//   raw      raw RocksDB synced WriteBatch appends of the stored event bytes (the engine ceiling)
//   library  durable EventLog::Append of the funding event to random contracts
//   build    a large log: --contracts awards, filled with funding events up to --events
//   alerts   EventLog::Alerts on a store
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/write_batch.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/bench_events.h"
#include "domain/dates.h"
#include "storage/event_log.h"
#include "storage/format.h"
#include "storage/log_impl.h"
#include "storage/wal_file.h"

namespace contrack::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "contrack_bench: " << what << "\n";
  std::exit(1);
}

// One measurement as a JSON line. `extra` is a JSON fragment (",\"k\":v...") or empty.
void Emit(const std::string& name, double value, const std::string& unit,
          const std::string& extra = "") {
  std::cout << fmt::format(R"({{"name":"{}","value":{:.6g},"unit":"{}"{}}})", name, value, unit,
                           extra)
            << std::endl;
}

std::vector<int> ParseList(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoi(item));
  if (out.empty()) Die("empty list: " + s);
  return out;
}

// --wal-prefill-bytes: storage::Options::wal_prefill_bytes for the library and the raw RocksDB
// runs alike (0: RocksDB's own log files).
uint64_t g_wal_prefill_bytes = storage::Options{}.wal_prefill_bytes;
// --state-every: storage::Options::state_every for the library runs.
uint32_t g_state_every = storage::Options{}.state_every;

std::unique_ptr<storage::EventLog> OpenLog(const std::string& dir, bool read_only = false) {
  storage::Options o;
  o.path = dir;
  o.read_only = read_only;
  o.wal_prefill_bytes = g_wal_prefill_bytes;
  o.state_every = g_state_every;
  auto log = storage::EventLog::Open(o);
  if (!log) Die(log.error().ToString());
  return std::move(*log);
}

// Runs `threads` workers until `seconds` pass (or each has done `per_thread` ops when nonzero),
// after `warmup` seconds that are not counted. `op(thread, rng)` does one operation and
// returns false on failure. Returns {ops, elapsed seconds, latencies in µs}.
struct RunResult {
  uint64_t ops = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // user + system time of the whole process while measuring
  std::vector<uint32_t> latencies_us;
};

// User plus system CPU seconds this process has used so far, all threads.
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

// Drives the phases of workers that wait at `start` and watch `phase` (0 warm-up, 1 measure,
// 2 stop): with `fixed` (each has a fixed number of ops) measures until they finish; otherwise
// `warmup` seconds unmeasured, `seconds` measured, then stop. Joins them; sets r's seconds and
// CPU seconds.
void DrivePhases(std::barrier<>& start, std::atomic<int>& phase, std::vector<std::thread>& ts,
                 bool fixed, double warmup, double seconds, RunResult& r) {
  start.arrive_and_wait();
  if (!fixed) std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  // Ops in flight when the phase flips are counted from here on: close enough at these rates.
  phase = 1;
  const Clock::time_point t0 = Clock::now();
  const double cpu0 = ProcessCpuSeconds();
  if (!fixed) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    phase = 2;
  }
  for (auto& t : ts) t.join();
  r.seconds = Seconds(Clock::now() - t0);
  r.cpu_seconds = ProcessCpuSeconds() - cpu0;
}

template <typename Op>
RunResult Run(int threads, double seconds, double warmup, uint64_t per_thread, Op op) {
  std::atomic<int> phase{0};  // 0 warmup, 1 measure, 2 stop
  std::vector<std::vector<uint32_t>> lat(threads);
  std::vector<uint64_t> ops(threads, 0);
  std::atomic<bool> failed{false};
  std::barrier start(threads + 1);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937_64 rng(0x5eed + t);
      lat[t].reserve(per_thread ? per_thread : 1 << 16);
      start.arrive_and_wait();
      for (;;) {
        const int ph = phase.load(std::memory_order_relaxed);
        if (ph == 2 || (per_thread && ops[t] == per_thread)) break;
        const auto t0 = Clock::now();
        if (!op(t, rng)) {
          failed = true;
          break;
        }
        if (ph == 1 || per_thread) {
          lat[t].push_back(static_cast<uint32_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count()));
          ++ops[t];
        }
      }
    });
  }
  RunResult r;
  DrivePhases(start, phase, ts, per_thread != 0, warmup, seconds, r);
  if (failed) Die("an operation failed (see above)");
  for (int t = 0; t < threads; ++t) {
    r.ops += ops[t];
    r.latencies_us.insert(r.latencies_us.end(), lat[t].begin(), lat[t].end());
  }
  return r;
}

// Keeps `inflight` operations outstanding from `clients` threads (inflight / clients each), as
// redis-benchmark and pgbench keep their connections busy, until `seconds` pass (or `total` ops
// have been issued when nonzero), after `warmup` unmeasured seconds. `submit(client, rng, done)`
// starts one operation and must call done(ok) once, from any thread, when it completes. Latency
// runs from the submit to the moment the client thread takes the completion. (Handing the whole
// append result to the client thread instead, to be freed there, was 12% slower: 4 ABBA pairs.)
template <typename Submit>
RunResult RunAsync(int inflight, int clients, double seconds, double warmup, uint64_t total,
                   Submit submit) {
  clients = std::clamp(clients, 1, inflight);
  struct Client {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<int, bool>> done;  // slot, ok
    std::vector<uint32_t> lat;
    uint64_t ops = 0;
  };
  std::vector<Client> cs(clients);
  std::atomic<int> phase{0};  // 0 warmup, 1 measure, 2 stop
  std::atomic<uint64_t> issued{0};
  std::atomic<bool> failed{false};
  std::barrier start(clients + 1);
  std::vector<std::thread> ts;
  for (int c = 0; c < clients; ++c) {
    ts.emplace_back([&, c] {
      Client& me = cs[c];
      std::mt19937_64 rng(0x5eed + c);
      const int slots = inflight / clients + (c < inflight % clients ? 1 : 0);
      std::vector<Clock::time_point> started(slots);
      std::vector<int> measured(slots, 0);
      int outstanding = 0;
      auto issue = [&](int slot) {
        if (total && issued.fetch_add(1) >= total) return;
        const int ph = phase.load(std::memory_order_relaxed);
        if (ph == 2) return;
        measured[slot] = ph == 1 || total;
        started[slot] = Clock::now();
        ++outstanding;
        submit(c, rng, [&me, slot](bool ok) {
          std::lock_guard l(me.mu);
          me.done.emplace_back(slot, ok);
          if (me.done.size() == 1) me.cv.notify_one();
        });
      };
      start.arrive_and_wait();
      for (int i = 0; i < slots; ++i) issue(i);
      std::vector<std::pair<int, bool>> batch;
      while (outstanding > 0) {
        {
          std::unique_lock l(me.mu);
          while (me.done.empty()) me.cv.wait(l);
          batch.swap(me.done);
        }
        const auto now = Clock::now();
        for (auto [slot, ok] : batch) {
          --outstanding;
          if (!ok) failed = true;
          if (measured[slot]) {
            me.lat.push_back(static_cast<uint32_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(now - started[slot])
                    .count()));
            ++me.ops;
          }
          if (!failed) issue(slot);
        }
        batch.clear();
      }
    });
  }
  RunResult r;
  DrivePhases(start, phase, ts, total != 0, warmup, seconds, r);
  if (failed) Die("an operation failed (see above)");
  for (auto& c : cs) {
    r.ops += c.ops;
    r.latencies_us.insert(r.latencies_us.end(), c.lat.begin(), c.lat.end());
  }
  return r;
}

void EmitLatency(const std::string& name, RunResult& r, const std::string& extra) {
  Emit(name + ".p50", Percentile(r.latencies_us, 50) / 1000.0, "ms", extra);
  Emit(name + ".p99", Percentile(r.latencies_us, 99) / 1000.0, "ms", extra);
}

// CPU time per operation, all threads (the caller's included): on a CPU-bound run, throughput
// is about cores / this, and it varies less with the disk's mood than throughput does.
double CpuUsPerOp(const RunResult& r) {
  return r.ops > 0 ? r.cpu_seconds * 1e6 / static_cast<double>(r.ops) : 0;
}

// Appends an award to contracts [0, n) with `threads` writers.
void SetupContracts(storage::EventLog& log, uint64_t n, int threads) {
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&] {
      for (uint64_t i = next++; i < n; i = next++) {
        storage::AppendRequest req;
        req.contract_id = ContractId(i);
        req.expected_version = 0;
        req.principal = Principal::Operator("bench");
        req.events.push_back(AwardBody(i));
        if (auto r = log.Append(req); !r)
          Die("setup " + req.contract_id + ": " + r.error().ToString());
      }
    });
  }
  for (auto& t : ts) t.join();
}

// The stored bytes of one bench funding event, and of the state and alerts entry its append
// writes (for the raw "contrack-shaped" batch), read back from a scratch store.
struct SampleBytes {
  std::string event, state, alert_key, alert_value, event_id;
};

SampleBytes Sample(const std::string& dir) {
  SampleBytes out;
  {
    auto log = OpenLog(dir);
    SetupContracts(*log, 1, 1);
    storage::AppendRequest req;
    req.contract_id = ContractId(0);
    req.principal = Principal::Operator("bench");
    req.events.push_back(FundingBody());
    auto r = log->Append(req);
    if (!r) Die(r.error().ToString());
    out.event_id = r->events(0).event_id();
    auto* db = storage::LogInternals::Db(*log);
    rocksdb::ReadOptions ro;
    if (!db->Get(ro, storage::LogInternals::Cf(*log, storage::format::kEventsCf),
                 storage::format::EncodeBe64(r->events(0).sequence()), &out.event)
             .ok() ||
        !db->Get(ro, storage::LogInternals::Cf(*log, storage::format::kStateCf), req.contract_id,
                 &out.state)
             .ok()) {
      Die("reading the sample back");
    }
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(ro, storage::LogInternals::Cf(*log, storage::format::kAlertsCf)));
    it->SeekToFirst();
    if (it->Valid()) {
      out.alert_key = it->key().ToString();
      out.alert_value = it->value().ToString();
    }
  }
  std::filesystem::remove_all(dir);
  return out;
}

int CmdSample(const std::string& dir, const std::string& out_dir) {
  const SampleBytes s = Sample(dir);
  if (!out_dir.empty()) {
    std::filesystem::create_directories(out_dir);
    std::ofstream(out_dir + "/funding.json") << FundingJson() << "\n";
    std::ofstream(out_dir + "/award.json") << AwardJson(1) << "\n";
  }
  Emit("event.json_bytes", static_cast<double>(FundingJson().size()), "bytes");
  Emit("event.stored_bytes", static_cast<double>(s.event.size()), "bytes");
  Emit("event.state_bytes", static_cast<double>(s.state.size()), "bytes");
  Emit("award.json_bytes", static_cast<double>(AwardJson(1).size()), "bytes");
  return 0;
}

int CmdRaw(const std::string& dir, const std::vector<int>& threads, double seconds, double warmup,
           const std::string& shape) {
  const SampleBytes s = Sample(dir + "-sample");
  rocksdb::Options o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.max_total_wal_size = 256u << 20;
  o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  o.keep_log_file_num = 2;
  o.write_buffer_size = 64u << 20;
  // The same write-ahead log files as the library's, so this stays its ceiling.
  std::unique_ptr<rocksdb::Env> env;
  if (g_wal_prefill_bytes > 0) {
    env = storage::NewPrefilledWalEnv(g_wal_prefill_bytes);
    o.env = env.get();
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* n : {"default", "events", "streams", "event_ids", "state", "alerts"}) {
    cfs.emplace_back(n, rocksdb::ColumnFamilyOptions(o));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> h;
  rocksdb::DB* raw = nullptr;
  auto st = rocksdb::DB::Open(o, dir, cfs, &h, &raw);
  if (!st.ok()) Die(st.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::atomic<uint64_t> seq{1};
  const bool full = shape == "contrack";
  for (int t : threads) {
    auto r = Run(t, seconds, warmup, 0, [&](int, std::mt19937_64& rng) {
      const uint64_t n = seq++;
      const std::string key = storage::format::EncodeBe64(n);
      rocksdb::WriteBatch b;
      b.Put(h[1], key, s.event);
      if (full) {
        // The same five puts an EventLog append makes: event, stream, event id, state, alert.
        const std::string id = ContractId(rng() % 10000);
        b.Put(h[2], storage::format::StreamKey(id, n), key);
        b.Put(h[3], fmt::format("{}{:012}", s.event_id.substr(0, 24), n), key);
        b.Put(h[4], id, s.state);
        b.Put(h[5], s.alert_key, s.alert_value);
      }
      rocksdb::WriteOptions wo;
      wo.sync = true;
      auto ws = db->Write(wo, &b);
      if (!ws.ok()) std::cerr << ws.ToString() << "\n";
      return ws.ok();
    });
    const std::string name = fmt::format("rocksdb_raw{}.append.{}t", full ? "_5put" : "", t);
    const std::string extra = fmt::format(R"(,"threads":{},"seconds":{:.2f},"value_bytes":{})", t,
                                          r.seconds, s.event.size());
    Emit(name, static_cast<double>(r.ops) / r.seconds, "events/s", extra);
    EmitLatency(name, r, extra);
    Emit(name + ".cpu_us_per_event", CpuUsPerOp(r), "us", extra);
    std::cerr << fmt::format("  {}: {:.0f} events/s, {:.1f} CPU us/event\n", name,
                             r.ops / r.seconds, CpuUsPerOp(r));
  }
  for (auto* x : h) db->DestroyColumnFamilyHandle(x);
  db->Close();
  return 0;
}

int CmdLibrary(const std::string& dir, const std::vector<int>& threads, double seconds,
               double warmup, uint64_t contracts, uint64_t appends, bool setup_only,
               int async_clients) {
  auto log = OpenLog(dir);
  if (log->GetHead().sequence == 0) {
    const auto t0 = Clock::now();
    SetupContracts(*log, contracts, 64);
    std::cerr << fmt::format("  set up {} contracts in {:.1f}s\n", contracts,
                             Seconds(Clock::now() - t0));
  }
  if (setup_only) return 0;
  const v1::EventBody funding = FundingBody();
  for (int t : threads) {
    const storage::Stats s0 = log->GetStats();
    const uint64_t per_thread = appends ? std::max<uint64_t>(1, appends / t) : 0;
    auto request = [&](std::mt19937_64& rng) {
      storage::AppendRequest req;
      req.contract_id = ContractId(rng() % contracts);
      req.principal = Principal::Operator("bench");
      req.events.push_back(funding);
      return req;
    };
    RunResult r;
    if (async_clients > 0) {
      // t appends in flight from async_clients threads (EventLog::AppendAsync).
      r = RunAsync(t, async_clients, seconds, warmup, appends,
                   [&](int, std::mt19937_64& rng, auto done) {
                     log->AppendAsync(request(rng), [done](Result<v1::AppendResponse> res) {
                       if (!res) std::cerr << res.error().ToString() << "\n";
                       done(res.has_value());
                     });
                   });
    } else {
      r = Run(t, seconds, warmup, per_thread, [&](int, std::mt19937_64& rng) {
        auto res = log->Append(request(rng));
        if (!res) std::cerr << res.error().ToString() << "\n";
        return res.has_value();
      });
    }
    const storage::Stats s1 = log->GetStats();
    const double writes = static_cast<double>(s1.synced_writes - s0.synced_writes);
    // Stats include the warmup: the ratio is over the whole run.
    const double per_write = writes > 0 ? static_cast<double>(s1.events - s0.events) / writes : 0;
    const std::string name = async_clients > 0 ? fmt::format("contrack_lib.append_async.{}w", t)
                                               : fmt::format("contrack_lib.append.{}w", t);
    const std::string extra =
        async_clients > 0
            ? fmt::format(R"(,"in_flight":{},"client_threads":{},"seconds":{:.2f},"contracts":{})",
                          t, std::min(async_clients, t), r.seconds, contracts)
            : fmt::format(R"(,"threads":{},"seconds":{:.2f},"contracts":{})", t, r.seconds,
                          contracts);
    Emit(name, static_cast<double>(r.ops) / r.seconds, "events/s", extra);
    EmitLatency(name, r, extra);
    Emit(name + ".events_per_synced_write", per_write, "events/write", extra);
    Emit(name + ".cpu_us_per_event", CpuUsPerOp(r), "us", extra);
    std::cerr << fmt::format(
        "  {}: {:.0f} events/s, {:.1f} events/synced write, {:.1f} CPU us/event\n", name,
        r.ops / r.seconds, per_write, CpuUsPerOp(r));
  }
  return 0;
}

int CmdBuild(const std::string& dir, uint64_t contracts, uint64_t events, int threads) {
  if (events < contracts) Die("--events must be at least --contracts");
  auto log = OpenLog(dir);
  if (log->GetHead().sequence != 0) Die(dir + " is not empty");
  const v1::EventBody funding = FundingBody();
  std::atomic<uint64_t> next{0}, done_events{0};
  std::atomic<bool> stop{false};
  const auto t0 = Clock::now();
  std::thread progress([&] {
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      static auto last = Clock::now();
      if (Clock::now() - last >= std::chrono::seconds(15)) {
        last = Clock::now();
        std::cerr << fmt::format("  build: {} events, {:.0f} events/s\n", done_events.load(),
                                 done_events / Seconds(Clock::now() - t0));
      }
    }
  });
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&] {
      for (uint64_t i = next++; i < contracts; i = next++) {
        // Contract i gets its award and then its share of the funding events, in one append.
        const uint64_t n = events / contracts + (i < events % contracts ? 1 : 0);
        storage::AppendRequest req;
        req.contract_id = ContractId(i);
        req.expected_version = 0;
        req.principal = Principal::Operator("bench");
        req.events.push_back(AwardBody(i));
        for (uint64_t k = 1; k < n; ++k) req.events.push_back(funding);
        auto r = log->Append(req);
        if (!r) Die("build " + req.contract_id + ": " + r.error().ToString());
        done_events += n;
      }
    });
  }
  for (auto& t : ts) t.join();
  const double secs = Seconds(Clock::now() - t0);
  stop = true;
  progress.join();
  const std::string extra = fmt::format(R"(,"events":{},"contracts":{},"seconds":{:.1f})",
                                        done_events.load(), contracts, secs);
  Emit("contrack_lib.build_log", done_events / secs, "events/s", extra);
  return 0;
}

int CmdAlerts(const std::string& dir, const std::string& as_of_text, int within, int runs) {
  auto log = OpenLog(dir, /*read_only=*/true);
  const auto as_of = ParseDate(as_of_text, "--as-of");
  if (!as_of) Die(as_of.error().ToString());
  std::vector<uint32_t> warm_us;
  double cold_ms = 0;
  storage::AlertsResult last;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    // The current-day query (the index): --as-of is taken as today.
    storage::AlertsQuery q;
    q.as_of = *as_of;
    q.today = *as_of;
    q.within_days = within;
    auto r = log->Alerts(q);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
    if (!r) Die(r.error().ToString());
    if (i == 0) {
      cold_ms = us.count() / 1000.0;
    } else {
      warm_us.push_back(static_cast<uint32_t>(us.count()));
    }
    last = std::move(*r);
  }
  const std::string extra =
      fmt::format(R"(,"as_of":"{}","within_days":{},"log_events":{},"runs":{})", as_of_text, within,
                  log->GetHead().sequence, runs);
  Emit("contrack_lib.alerts", Percentile(warm_us, 50) / 1000.0, "ms", extra);
  Emit("contrack_lib.alerts.cold", cold_ms, "ms", extra);
  Emit("contrack_lib.alerts.index_entries_read", static_cast<double>(last.index_entries_read),
       "entries", extra);
  Emit("contrack_lib.alerts.listed", static_cast<double>(last.alerts.size()), "alerts", extra);
  return 0;
}

}  // namespace
}  // namespace contrack::bench

int main(int argc, char** argv) {
  using namespace contrack::bench;
  CLI::App app{"contrack library benchmarks (see bench/run.sh)"};
  app.require_subcommand(1);
  std::string dir, out_dir, threads = "1,16,64", shape = "event", as_of = "2025-06-30";
  double seconds = 10, warmup = 1;
  uint64_t contracts = 10000, events = 0, appends = 0;
  int build_threads = 64, within = 90, runs = 21;
  bool setup_only = false;
  int async_clients = 0;
  auto* sample = app.add_subcommand("sample", "the bench event's sizes");
  auto* raw = app.add_subcommand("raw", "raw RocksDB synced WriteBatch appends");
  auto* lib = app.add_subcommand("library", "durable EventLog appends");
  auto* build = app.add_subcommand("build", "build a large log");
  auto* alerts = app.add_subcommand("alerts", "EventLog::Alerts timing");
  for (auto* c : {sample, raw, lib, build, alerts}) {
    c->add_option("--dir", dir, "a directory on the disk under test")->required();
  }
  sample->add_option("--out", out_dir, "write funding.json and award.json (one line each) here");
  for (auto* c : {raw, lib}) {
    c->add_option("--threads", threads, "comma-separated writer counts");
    c->add_option("--seconds", seconds, "measured seconds per writer count");
    c->add_option("--warmup", warmup, "unmeasured seconds first");
  }
  for (auto* c : {raw, lib, build}) {
    c->add_option("--wal-prefill-bytes", g_wal_prefill_bytes,
                  "grow the write-ahead log this much at a time into zeros; 0: RocksDB's own");
  }
  for (auto* c : {lib, build}) {
    c->add_option("--state-every", g_state_every,
                  "store a contract's state every this many versions (storage::Options)");
  }
  raw->add_option("--shape", shape, "event: one put; contrack: the 5 puts of an append");
  lib->add_option("--contracts", contracts, "contracts awarded first, appended to at random");
  lib->add_option("--appends", appends, "a fixed number of appends instead of --seconds");
  lib->add_flag("--setup-only", setup_only, "only award the contracts (for contrackd)");
  lib->add_option("--async-clients", async_clients,
                  "N > 0: --threads counts appends in flight, issued with AppendAsync from N "
                  "client threads (as redis-benchmark and pgbench keep connections busy)");
  build->add_option("--contracts", contracts)->required();
  build->add_option("--events", events)->required();
  build->add_option("--threads", build_threads);
  alerts->add_option("--as-of", as_of);
  alerts->add_option("--within-days", within);
  alerts->add_option("--runs", runs);
  CLI11_PARSE(app, argc, argv);

  if (*sample) return CmdSample(dir, out_dir);
  if (*raw) return CmdRaw(dir, ParseList(threads), seconds, warmup, shape);
  if (*lib) {
    return CmdLibrary(dir, ParseList(threads), seconds, warmup, contracts, appends, setup_only,
                      async_clients);
  }
  if (*build) return CmdBuild(dir, contracts, events, build_threads);
  if (*alerts) return CmdAlerts(dir, as_of, within, runs);
  return 2;
}

// Concurrent appends through the group-commit path: exactly one winner per version, a gapless
// global sequence, no duplicates.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "storage/event_log.h"
#include "storage/format.h"
#include "tests/support/test_support.h"

namespace contrack::storage {
namespace {

using testing::AllStates;
using testing::AppendJson;
using testing::DumpCf;
using testing::OpenLog;
using testing::TempDir;
using testing::TrailingStates;

constexpr char kAward[] =
    R"({"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":72867800}})";
constexpr char kAwardWithOptions[] =
    R"({"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":72867800,"extension_options":[{"months":6},{"months":6}]}})";
constexpr char kFunding[] =
    R"({"funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":1}})";

void ExpectGaplessLog(const EventLog& log, uint64_t n) {
  auto all = log.ReadLog(0, SIZE_MAX);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), n);
  std::set<std::string> ids;
  for (uint64_t i = 0; i < n; ++i) {
    EXPECT_EQ((*all)[i].record.sequence(), i + 1);
    EXPECT_TRUE(ids.insert((*all)[i].record.event_id()).second);
  }
  auto v = log.Verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ok) << v->message;
  EXPECT_EQ(v->events_checked, n);
}

TEST(ConcurrencyTest, SixteenThreadsRaceOnOneContractWithExpectedVersions) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  ASSERT_TRUE(AppendJson(*log, "RACE", kAward, 0).has_value());
  constexpr int kThreads = 16, kWinsPerThread = 10;
  std::atomic<int> conflicts{0};
  std::vector<std::vector<uint64_t>> won(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (static_cast<int>(won[t].size()) < kWinsPerThread) {
        auto state = log->GetState("RACE");
        ASSERT_TRUE(state.has_value());
        auto r = AppendJson(*log, "RACE", kFunding, state->version());
        if (r) {
          won[t].push_back(r->events(0).version());
        } else {
          ASSERT_EQ(r.error().name(), "version_conflict") << r.error().message;
          conflicts++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> versions;
  for (const auto& w : won) {
    for (uint64_t v : w) EXPECT_TRUE(versions.insert(v).second) << "version " << v << " won twice";
  }
  constexpr uint64_t kTotal = 1 + kThreads * kWinsPerThread;
  ASSERT_EQ(versions.size(), kTotal - 1);
  EXPECT_EQ(*versions.begin(), 2u);
  EXPECT_EQ(*versions.rbegin(), kTotal);
  auto state = log->GetState("RACE");
  EXPECT_EQ(state->version(), kTotal);
  EXPECT_EQ(state->funding_committed_pence(), kThreads * kWinsPerThread);
  ExpectGaplessLog(*log, kTotal);
  RecordProperty("version_conflicts", conflicts.load());
}

TEST(ConcurrencyTest, ConcurrentWritersToDistinctContractsAreGroupCommitted) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  constexpr int kThreads = 16, kPerThread = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string id = "C-" + std::to_string(t);
      ASSERT_TRUE(AppendJson(*log, id, kAward, 0).has_value());
      for (int i = 1; i < kPerThread; ++i) {
        auto r = AppendJson(*log, id, kFunding, i);
        ASSERT_TRUE(r.has_value()) << r.error().ToString();
        ASSERT_EQ(r->events(0).version(), static_cast<uint64_t>(i + 1));
      }
    });
  }
  for (auto& th : threads) th.join();
  ExpectGaplessLog(*log, kThreads * kPerThread);
  const Stats stats = log->GetStats();
  EXPECT_EQ(stats.events, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LE(stats.synced_writes, stats.events);
  RecordProperty("events_per_synced_write",
                 std::to_string(static_cast<double>(stats.events) / stats.synced_writes));
}

TEST(ConcurrencyTest, ConcurrentRetriesOfOneEventIdStoreItOnce) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  ASSERT_TRUE(AppendJson(*log, "RETRY", kAward, 0).has_value());
  const std::string body =
      R"({"event_id":"22222222-2222-4222-8222-222222222222","funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":5}})";
  std::vector<std::thread> threads;
  std::vector<std::string> hashes(16);
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      auto r = AppendJson(*log, "RETRY", body);
      ASSERT_TRUE(r.has_value()) << r.error().ToString();
      hashes[t] = r->events(0).hash();
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& h : hashes) EXPECT_EQ(h, hashes[0]);
  EXPECT_EQ(log->GetState("RETRY")->version(), 2u);
  EXPECT_EQ(log->GetState("RETRY")->funding_committed_pence(), 5);
  ExpectGaplessLog(*log, 2);
}

// Memory is bounded by configuration, not by how much is written: memtables of all column
// families by write_buffer_bytes, the block cache by block_cache_bytes, the state cache by
// state_cache_entries. Unbounded, the 6,000 events would leave about 8 MiB in memtables.
TEST(ConcurrencyTest, MemoryStaysWithinTheConfiguredBoundsWhateverIsWritten) {
  TempDir dir;
  Options o;
  o.path = dir.str();
  o.write_buffer_bytes = 2u << 20;
  o.block_cache_bytes = 1u << 20;
  o.state_cache_entries = 50;
  auto opened = EventLog::Open(o);
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  EventLog& log = **opened;
  constexpr int kContracts = 1000, kFundingPerContract = 5;
  uint64_t peak_memtables = 0, peak_cache = 0, peak_states = 0;
  auto sample = [&] {
    const MemoryUsage m = log.GetMemory();
    peak_memtables = std::max(peak_memtables, m.memtable_bytes);
    peak_cache = std::max(peak_cache, m.block_cache_bytes);
    peak_states = std::max(peak_states, m.state_cache_entries);
  };
  for (int c = 0; c < kContracts; ++c) {
    const std::string id = "MEM-" + std::to_string(c);
    ASSERT_TRUE(AppendJson(log, id, kAward, 0).has_value());
    for (int f = 0; f < kFundingPerContract; ++f)
      ASSERT_TRUE(AppendJson(log, id, kFunding).has_value());
    sample();
  }
  // Read every state back through the block cache.
  for (int c = 0; c < kContracts; ++c) {
    auto s = log.GetState("MEM-" + std::to_string(c));
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    EXPECT_EQ(s->version(), kFundingPerContract + 1);
    sample();
  }
  EXPECT_GT(peak_memtables, 0u);
  // RocksDB flushes when the memtables pass 7/8 of the budget; writes that land before the
  // flush switches the memtable, and arena blocks allocated ahead, may pass it a little.
  EXPECT_LE(peak_memtables, o.write_buffer_bytes + (1u << 20));
  EXPECT_GT(peak_cache, 0u);
  EXPECT_LE(peak_cache, o.block_cache_bytes + (64u << 10));
  EXPECT_LE(peak_states, o.state_cache_entries);
  ExpectGaplessLog(log, kContracts * (kFundingPerContract + 1));
}

// Groups are prepared while the previous group syncs, callers draft their appends on the state
// they read before queueing, and the prepare thread recomputes those whose contract moved on. With
// a state cache of two entries (so states are evicted and reread all the time), mixed appends,
// extensions that change the alerts entry, corrections that replay a contract and retried
// event ids from 16 threads must leave exactly the views a rebuild derives from the log, and
// recorded times in sequence order.
TEST(ConcurrencyTest, PipelinedGroupsWithATinyStateCacheLeaveTheViewsARebuildDerives) {
  TempDir dir;
  Options o;
  o.path = dir.str();
  o.state_cache_entries = 2;
  auto opened = EventLog::Open(o);
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  EventLog& log = **opened;
  constexpr int kContracts = 6, kThreads = 16, kOpsPerThread = 60;
  for (int c = 0; c < kContracts; ++c) {
    auto r = AppendJson(log, "MIX-" + std::to_string(c), kAwardWithOptions, 0);
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
  }
  std::atomic<int> ok{0}, refused{0}, replayed{0}, corrected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::vector<std::pair<std::string, std::string>> mine;  // contract, event id to correct
      for (int i = 0; i < kOpsPerThread; ++i) {
        const std::string id = "MIX-" + std::to_string(rng() % kContracts);
        const int op = static_cast<int>(rng() % 8);
        std::string body;
        if (op == 0) {
          body = R"({"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})";
        } else if (op == 1) {
          body = R"({"effective_date":"2016-09-01","extension":{"new_end_date":"2017-03-31"}})";
        } else if (op == 2 && !mine.empty()) {
          const auto [contract, target] = mine.back();
          mine.pop_back();
          auto r = AppendJson(log, contract,
                              R"({"correction":{"corrects_event_id":")" + target +
                                  R"(","reason":"entered twice"}})");
          ASSERT_TRUE(r.has_value()) << r.error().ToString();
          corrected++;
          continue;
        } else if (op == 3) {
          char event_id[40];
          std::snprintf(event_id, sizeof(event_id), "33333333-3333-4333-8333-%012d", t * 1000 + i);
          body = std::string(R"({"event_id":")") + event_id +
                 R"(","funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":3}})";
          auto first = AppendJson(log, id, body);
          ASSERT_TRUE(first.has_value()) << first.error().ToString();
          auto again = AppendJson(log, id, body);
          ASSERT_TRUE(again.has_value()) << again.error().ToString();
          ASSERT_TRUE(again->replayed());
          ASSERT_EQ(again->events(0).hash(), first->events(0).hash());
          replayed++;
          continue;
        } else {
          body = R"({"funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":1}})";
        }
        auto r = AppendJson(log, id, body);
        if (r) {
          ok++;
          if (op > 3) mine.emplace_back(id, r->events(0).event_id());
        } else {
          ASSERT_NE(r.error().name(), "io_error") << r.error().ToString();
          refused++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_GT(corrected.load(), 0);
  ASSERT_GT(replayed.load(), 0);

  auto all = log.ReadLog(0, SIZE_MAX);
  ASSERT_TRUE(all.has_value());
  ExpectGaplessLog(log, all->size());
  for (size_t i = 1; i < all->size(); ++i) {
    EXPECT_LE((*all)[i - 1].record.recorded_at_us(), (*all)[i].record.recorded_at_us())
        << "sequence " << i + 1 << " was recorded before sequence " << i;
  }
  EXPECT_GT(TrailingStates(log), 0u);
  const auto states = AllStates(log);
  const auto streams = DumpCf(log, format::kStreamsCf);
  const auto ids = DumpCf(log, format::kEventIdsCf);
  const auto alerts = DumpCf(log, format::kAlertsCf);
  ASSERT_EQ(states.size(), static_cast<size_t>(kContracts));
  ASSERT_EQ(ids.size(), all->size());
  auto r = log.Rebuild();
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(TrailingStates(log), 0u);
  EXPECT_EQ(AllStates(log), states);
  EXPECT_EQ(DumpCf(log, format::kStreamsCf), streams);
  EXPECT_EQ(DumpCf(log, format::kEventIdsCf), ids);
  EXPECT_EQ(DumpCf(log, format::kAlertsCf), alerts);
  RecordProperty("appends", ok.load());
  RecordProperty("refused", refused.load());
}

// AppendAsync: many appends in flight from one thread, as the HTTP server and the benchmark issue
// them. Every callback runs once, after its events are durable; versions per contract follow the
// order of submission; the log stays gapless and verifies.
TEST(ConcurrencyTest, AppendAsyncKeepsManyAppendsInFlightFromOneThread) {
  TempDir dir;
  constexpr int kContracts = 8, kPerContract = 50;
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  std::vector<std::vector<uint64_t>> versions(kContracts);
  std::vector<std::string> errors;
  {
    auto log = OpenLog(dir.str());
    for (int c = 0; c < kContracts; ++c) {
      ASSERT_TRUE(AppendJson(*log, "A-" + std::to_string(c), kAward, 0).has_value());
    }
    for (int i = 0; i < kPerContract; ++i) {
      for (int c = 0; c < kContracts; ++c) {
        AppendRequest req;
        req.contract_id = "A-" + std::to_string(c);
        req.principal = Principal::Operator("test");
        req.events.push_back(contrack::testing::Body(kFunding));
        {
          std::lock_guard l(mu);
          ++outstanding;
        }
        log->AppendAsync(std::move(req), [&, c](Result<v1::AppendResponse> r) {
          std::lock_guard l(mu);
          if (r) {
            versions[c].push_back(r->events(0).version());
            // Acknowledged means durable and readable.
            EXPECT_GE(log->GetHead().sequence, r->events(0).sequence());
          } else {
            errors.push_back(r.error().ToString());
          }
          if (--outstanding == 0) cv.notify_all();
        });
      }
    }
    {
      std::unique_lock l(mu);
      ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(60), [&] { return outstanding == 0; }))
          << outstanding << " callbacks never ran";
    }
    EXPECT_TRUE(errors.empty()) << errors.front();
    for (int c = 0; c < kContracts; ++c) {
      ASSERT_EQ(versions[c].size(), static_cast<size_t>(kPerContract));
      for (int i = 0; i < kPerContract; ++i)
        EXPECT_EQ(versions[c][i], static_cast<uint64_t>(i + 2));
    }
    ExpectGaplessLog(*log, kContracts * (1 + kPerContract));
    const Stats stats = log->GetStats();
    EXPECT_LT(stats.synced_writes, static_cast<uint64_t>(kContracts * kPerContract))
        << "appends in flight together share synced writes";
  }
  // Durable: a reopened store has every event.
  auto reopened = OpenLog(dir.str());
  EXPECT_EQ(reopened->GetHead().sequence, static_cast<uint64_t>(kContracts * (1 + kPerContract)));
  EXPECT_EQ(reopened->GetState("A-3")->funding_committed_pence(), kPerContract);
}

TEST(ConcurrencyTest, AppendAsyncReportsRefusalsAndWritesNothingForThem) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  ASSERT_TRUE(AppendJson(*log, "R-1", kAward, 0).has_value());
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> codes;
  auto record = [&](Result<v1::AppendResponse> r) {
    std::lock_guard l(mu);
    codes.push_back(r ? "ok" : r.error().name());
    cv.notify_all();
  };
  // A malformed request is refused before it queues: the callback runs in the call.
  AppendRequest empty;
  empty.principal = Principal::Operator("test");
  empty.contract_id = "R-1";
  log->AppendAsync(std::move(empty), record);
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0], "invalid_argument");
  // A version conflict and a second award are refused on the write path.
  AppendRequest stale;
  stale.principal = Principal::Operator("test");
  stale.contract_id = "R-1";
  stale.expected_version = 7;
  stale.events.push_back(contrack::testing::Body(kFunding));
  log->AppendAsync(std::move(stale), record);
  AppendRequest again;
  again.principal = Principal::Operator("test");
  again.contract_id = "R-1";
  again.events.push_back(contrack::testing::Body(kAward));
  log->AppendAsync(std::move(again), record);
  std::unique_lock l(mu);
  ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(60), [&] { return codes.size() == 3; }));
  EXPECT_EQ(codes[1], "version_conflict");
  EXPECT_NE(codes[2], "ok");
  EXPECT_EQ(log->GetHead().sequence, 1u);
  EXPECT_EQ(log->GetState("R-1")->version(), 1u);
}

// Destroying the log finishes what is in flight: every callback runs, with the durable result.
TEST(ConcurrencyTest, AppendAsyncCallbacksAllRunBeforeTheLogCloses) {
  TempDir dir;
  std::atomic<int> ok{0}, failed{0};
  {
    auto log = OpenLog(dir.str());
    ASSERT_TRUE(AppendJson(*log, "D-1", kAward, 0).has_value());
    for (int i = 0; i < 100; ++i) {
      AppendRequest req;
      req.principal = Principal::Operator("test");
      req.contract_id = "D-1";
      req.events.push_back(contrack::testing::Body(kFunding));
      log->AppendAsync(std::move(req), [&](Result<v1::AppendResponse> r) { (r ? ok : failed)++; });
    }
  }
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(failed.load(), 0);
  auto reopened = OpenLog(dir.str());
  EXPECT_EQ(reopened->GetState("D-1")->version(), 101u);
}

// What a callback holds is released as soon as it has run, while the log stays open and nobody
// appends again (the server's worker pool waits at shutdown for what its callbacks hold). The
// writers themselves are freed by a later AppendAsync caller.
TEST(ConcurrencyTest, AppendAsyncReleasesWhatACallbackHoldsOnceItHasRun) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  ASSERT_TRUE(AppendJson(*log, "D-1", kAward, 0).has_value());
  auto held = std::make_shared<int>(0);
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  constexpr int kAppends = 50;
  for (int i = 0; i < kAppends; ++i) {
    AppendRequest req;
    req.principal = Principal::Operator("test");
    req.contract_id = "D-1";
    req.events.push_back(contrack::testing::Body(kFunding));
    log->AppendAsync(std::move(req), [&, held](Result<v1::AppendResponse> r) {
      EXPECT_TRUE(r.has_value());
      std::lock_guard l(mu);
      ++done;
      cv.notify_all();
    });
  }
  {
    std::unique_lock l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(30), [&] { return done == kAppends; }));
  }
  // The last callback has returned once the write thread has dropped its copy of `held`.
  for (int i = 0; i < 3000 && held.use_count() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(held.use_count(), 1);
  // Appends go on as before, and the log holds every one of them.
  AppendRequest req;
  req.principal = Principal::Operator("test");
  req.contract_id = "D-1";
  req.events.push_back(contrack::testing::Body(kFunding));
  std::promise<uint64_t> version;
  log->AppendAsync(std::move(req), [&](Result<v1::AppendResponse> r) {
    version.set_value(r ? r->events(0).version() : 0);
  });
  EXPECT_EQ(version.get_future().get(), kAppends + 2u);
  ExpectGaplessLog(*log, kAppends + 2u);
}

}  // namespace
}  // namespace contrack::storage

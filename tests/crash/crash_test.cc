// Crash test (SPEC, Reliability; LevelDB's recovery_test): the real contrackd is killed with
// SIGKILL at a random moment while 32 writers append, then restarted on the same data directory,
// round after round. After each restart:
//  - every acknowledged event is in the feed with its contract, version and sequence;
//  - the sequence is gapless 1..N, each prev_hash is the previous hash, /v1/verify is ok;
//  - no event exists that no writer attempted, none that was refused, no event id twice, and each
//    append is all or nothing (its events contiguous, or none of them);
//  - each contract's versions are 1..k in log order and its state's version is k;
//  - each contract's state as the restarted server serves it equals the state after an offline
//    `contrack rebuild` (`list --json` for all, `show ID --json` for a sample);
//  - a writer that got no answer resends the same request (same event ids) and gets the original
//    result (200, replayed, same sequences and hashes) when it had committed, else a clean 201.
//
// CONTRACK_CRASH_ROUNDS (default 30) sets the rounds, CONTRACK_CRASH_SEED the seed (printed).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <latch>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api_test_util.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using namespace std::chrono_literals;
using testing::AppendBody;
using testing::Describe;
using testing::EventsPath;
using testing::HttpClient;
using testing::HttpResponse;
using testing::kAdminToken;
using testing::kAuditorToken;
using testing::kLeedsOfficerToken;
using testing::ParseBody;
using testing::ServerProcess;
using testing::TempDir;

constexpr int kWriters = 32;
constexpr int kOwnPerWriter = 2;
constexpr int kShared = 4;
constexpr int kDefaultRounds = 30;
constexpr int kMinKillDelayMs = 50;
constexpr int kMaxKillDelayMs = 500;
constexpr int kShowSamplePerRound = 6;  // `contrack show` runs per round besides `list`

std::string SharedId(int k) { return "LCC-CRASH-SHARED-" + std::to_string(k); }
std::string OwnId(int writer, int k) {
  return "LCC-CRASH-W" + std::to_string(writer) + "-" + std::to_string(k);
}

// A UUID unique per (writer, n): writer kWriters is the test's own set-up.
std::string EventId(int writer, uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "c4a5%04x-0000-4000-8000-%012llx", writer,
                static_cast<unsigned long long>(n & 0xffffffffffffULL));
  return buf;
}

std::string Award(const std::string& id) {
  return R"({"event_id":")" + id +
         R"(","award":{"authority":"Leeds City Council","title":"Crash test contract",)"
         R"("supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31",)"
         R"("value_pence":1000000,"extension_options":[{"months":6},{"months":6}]}})";
}
std::string Funding(const std::string& id, int64_t pence) {
  return R"({"event_id":")" + id +
         R"(","funding":{"funder":"Leeds City Council","financial_year":"2015/16",)"
         R"("amount_pence":)" +
         std::to_string(pence) + "}}";
}
std::string Variation(const std::string& id, int64_t delta) {
  return R"({"event_id":")" + id +
         R"(","variation":{"description":"crash test variation","value_delta_pence":)" +
         std::to_string(delta) + "}}";
}
// The next extension of a contract awarded by Award() that has used `used` of its 2 options.
std::string Extension(const std::string& id, int used) {
  static constexpr const char* kEffective[] = {"2016-03-01", "2016-09-01"};
  static constexpr const char* kNewEnd[] = {"2016-09-30", "2017-03-31"};
  return R"({"event_id":")" + id + R"(","effective_date":")" + kEffective[used] +
         R"(","extension":{"new_end_date":")" + kNewEnd[used] + R"(","value_pence_added":100}})";
}

// One append request as sent; a retry resends exactly `body`.
struct Attempt {
  std::string contract_id;
  std::vector<std::string> event_ids;
  std::string body;
  int extensions = 0;  // extension events in it (own contracts only)
  bool shared = false;
};

struct Ack {
  std::string contract_id;
  std::string event_id;
  uint64_t version = 0;
  uint64_t sequence = 0;
};

// A writer's state, kept across rounds. Only its own thread touches it during a round.
struct Writer {
  int index = 0;
  uint64_t next_event = 0;
  std::map<std::string, uint64_t> version;         // own contracts: the version acknowledged
  std::map<std::string, int> options_used;         // own contracts
  std::map<std::string, uint64_t> shared_version;  // a guess, corrected by 409s
  std::optional<Attempt> pending;                  // sent, never answered

  // This round's record.
  std::vector<Attempt> attempts;
  std::vector<Ack> acks;
  std::vector<std::string> refused;  // event ids of appends answered 409
  std::vector<std::string> failures;
};

struct FeedEvent {
  std::string contract_id;
  uint64_t version = 0;
  uint64_t sequence = 0;
  std::string hash;
};

int RoundsFromEnv() {
  const char* v = std::getenv("CONTRACK_CRASH_ROUNDS");
  if (v == nullptr || *v == '\0') return kDefaultRounds;
  const int n = std::atoi(v);
  return n > 0 ? n : kDefaultRounds;
}

uint64_t SeedFromEnv() {
  const char* v = std::getenv("CONTRACK_CRASH_SEED");
  if (v != nullptr && *v != '\0') return std::strtoull(v, nullptr, 10);
  return std::random_device{}();
}

class CrashTest : public ::testing::Test {
 protected:
  CrashTest() {
    tokens_ = dir_.path() / "tokens.json";
    data_ = dir_.path() / "data";
    std::filesystem::create_directories(data_);
    testing::WriteTokensFile(tokens_);
    writers_.resize(kWriters);
    for (int t = 0; t < kWriters; ++t) writers_[t].index = t;
  }

  void StartServer() {
    server_ = std::make_unique<ServerProcess>();
    // A state cache far smaller than the contracts written, so states are evicted (and read back
    // from the store) while groups are in flight when the kill lands.
    ASSERT_TRUE(server_->Start(data_.string(), tokens_.string(),
                               {"--shutdown-grace-ms", "5000", "--state-cache-entries", "8"}))
        << "contrackd did not start on " << data_ << "\nstdout:\n"
        << server_->Stdout() << "\nstderr:\n"
        << server_->Stderr();
  }

  void StopServer() {
    server_->Signal(SIGTERM);
    const int code = server_->Wait(60s);
    ASSERT_EQ(code, 0) << "contrackd did not stop cleanly on SIGTERM\n" << server_->Stderr();
  }

  HttpClient Client(const std::string& token) {
    HttpClient c("127.0.0.1", server_->port(), 20s);
    c.set_token(token);
    return c;
  }

  void RecordAttempt(const Attempt& a) {
    groups_.push_back(a.event_ids);
    for (const auto& id : a.event_ids) attempted_.emplace(id, a.contract_id);
  }

  // Creates the shared contracts (version 1 each) before the first round.
  void CreateShared() {
    auto c = Client(kLeedsOfficerToken);
    for (int k = 0; k < kShared; ++k) {
      Attempt a{SharedId(k), {EventId(kWriters, static_cast<uint64_t>(k))}, "", 0, true};
      a.body = AppendBody({Award(a.event_ids[0])}, 0);
      RecordAttempt(a);
      auto r = c.Post(EventsPath(a.contract_id), a.body);
      ASSERT_EQ(r.status, 201) << Describe(r);
      auto resp = ParseBody<v1::AppendResponse>(r);
      ASSERT_TRUE(resp && resp->events_size() == 1);
      acked_[a.event_ids[0]] = {a.contract_id, a.event_ids[0], 1, resp->events(0).sequence()};
      for (auto& w : writers_) w.shared_version[a.contract_id] = 1;
    }
  }

  // One writer's appends until the server stops answering or `stop` is set.
  static void RunWriter(Writer& w, uint16_t port, uint64_t seed, const std::atomic<bool>& stop,
                        std::latch& ready) {
    std::mt19937_64 rng(seed);
    HttpClient c("127.0.0.1", port, 10s);
    c.set_token(kLeedsOfficerToken);
    ready.arrive_and_wait();
    while (!stop.load()) {
      Attempt a;
      const bool own = rng() % 10 < 7;
      std::optional<uint64_t> expected;
      if (own) {
        a.contract_id = OwnId(w.index, static_cast<int>(rng() % kOwnPerWriter));
        expected = w.version[a.contract_id];  // 0 for a contract not yet created
      } else {
        a.shared = true;
        a.contract_id = SharedId(static_cast<int>(rng() % kShared));
        expected = w.shared_version[a.contract_id];
      }
      const int n_events = 1 + static_cast<int>(rng() % 3);
      std::vector<std::string> bodies;
      int used = own ? w.options_used[a.contract_id] : 2;
      for (int i = 0; i < n_events; ++i) {
        const std::string id = EventId(w.index, w.next_event++);
        a.event_ids.push_back(id);
        const unsigned kind = static_cast<unsigned>(rng() % 10);
        if (own && *expected == 0 && i == 0) {
          bodies.push_back(Award(id));
        } else if (own && kind == 0 && used < 2) {
          bodies.push_back(Extension(id, used++));
          ++a.extensions;
        } else if (kind < 4) {
          bodies.push_back(Variation(id, static_cast<int64_t>(rng() % 551) - 50));
        } else {
          bodies.push_back(Funding(id, 1 + static_cast<int64_t>(rng() % 10000)));
        }
      }
      a.body = AppendBody(bodies, expected);
      w.attempts.push_back(a);  // recorded before it is sent

      auto r = c.Post(EventsPath(a.contract_id), a.body);
      if (r.status == 0) {
        w.pending = a;  // no answer: the server died (or the exchange broke)
        return;
      }
      if (r.status == 201) {
        auto resp = ParseJson<v1::AppendResponse>(r.body, "append");
        if (!resp || resp->replayed() ||
            resp->events_size() != static_cast<int>(a.event_ids.size())) {
          w.failures.push_back("bad 201 for " + a.contract_id + ": " + Describe(r));
          continue;
        }
        for (int i = 0; i < resp->events_size(); ++i) {
          const auto& e = resp->events(i);
          if (e.event_id() != a.event_ids[i]) {
            w.failures.push_back("201 names event " + e.event_id() + ", sent " + a.event_ids[i]);
          }
          w.acks.push_back({a.contract_id, e.event_id(), e.version(), e.sequence()});
        }
        const uint64_t v = resp->events(resp->events_size() - 1).version();
        if (own) {
          w.version[a.contract_id] = v;
          w.options_used[a.contract_id] += a.extensions;
        } else {
          w.shared_version[a.contract_id] = v;
        }
        continue;
      }
      if (r.status == 409 && a.shared) {
        auto e = ParseJson<v1::ErrorResponse>(r.body, "error");
        if (e && e->error().code() == ErrorCodeName(kVersionConflict) &&
            e->error().has_current_version()) {
          w.shared_version[a.contract_id] = e->error().current_version();
          for (const auto& id : a.event_ids) w.refused.push_back(id);
          continue;
        }
      }
      w.failures.push_back("unexpected answer to an append to " + a.contract_id + ": " +
                           Describe(r));
      return;
    }
  }

  // Resends every unanswered append of the last round, as its writer would. `feed` is the log
  // as the last check read it.
  void ResolvePending() {
    auto c = Client(kLeedsOfficerToken);
    for (auto& w : writers_) {
      if (!w.pending) continue;
      Attempt a = std::move(*w.pending);
      w.pending.reset();
      const bool committed = feed_by_id_.contains(a.event_ids[0]);
      SCOPED_TRACE("retry of writer " + std::to_string(w.index) + "'s append to " + a.contract_id +
                   (committed ? " (committed before the kill)" : " (not committed)"));
      auto r = c.Post(EventsPath(a.contract_id), a.body);
      if (!committed && a.shared && r.status == 409) {
        // Not stored, and the contract moved on: the same events again at the current version.
        auto e = ParseJson<v1::ErrorResponse>(r.body, "error");
        ASSERT_TRUE(e && e->error().code() == ErrorCodeName(kVersionConflict)) << Describe(r);
        std::vector<std::string> bodies;
        auto req = ParseJson<v1::AppendRequest>(a.body, "request");
        ASSERT_TRUE(req.has_value());
        for (const auto& ev : req->events()) bodies.push_back(ToJson(ev));
        a.body = AppendBody(bodies, e->error().current_version());
        r = c.Post(EventsPath(a.contract_id), a.body);
      }
      ASSERT_EQ(r.status, committed ? 200 : 201) << Describe(r);
      auto resp = ParseBody<v1::AppendResponse>(r);
      ASSERT_TRUE(resp.has_value());
      ASSERT_EQ(resp->replayed(), committed) << Describe(r);
      ASSERT_EQ(resp->events_size(), static_cast<int>(a.event_ids.size())) << Describe(r);
      for (int i = 0; i < resp->events_size(); ++i) {
        const auto& e = resp->events(i);
        ASSERT_EQ(e.event_id(), a.event_ids[i]);
        if (committed) {
          const auto& f = feed_by_id_.at(e.event_id());
          EXPECT_EQ(e.sequence(), f.sequence) << "a replay answers the original sequence";
          EXPECT_EQ(e.version(), f.version) << "a replay answers the original version";
          EXPECT_EQ(e.hash(), f.hash) << "a replay answers the original hash";
        }
        acked_[e.event_id()] = {a.contract_id, e.event_id(), e.version(), e.sequence()};
      }
      ++retries_;
      if (committed) ++retries_replayed_;
      const uint64_t v = resp->events(resp->events_size() - 1).version();
      if (a.shared) {
        w.shared_version[a.contract_id] = v;
      } else {
        w.version[a.contract_id] = v;
        w.options_used[a.contract_id] += a.extensions;
      }
    }
  }

  // Runs the writers until a SIGKILL at a random moment; merges what they recorded.
  void WriteAndKill(std::mt19937_64& rng, int round) {
    const int delay_ms =
        kMinKillDelayMs + static_cast<int>(rng() % (kMaxKillDelayMs - kMinKillDelayMs + 1));
    std::printf("[crash] round %d: SIGKILL after %d ms\n", round, delay_ms);
    std::atomic<bool> stop{false};
    std::latch ready(kWriters + 1);
    std::vector<std::thread> threads;
    const uint16_t port = server_->port();
    for (auto& w : writers_) {
      const uint64_t seed = rng();
      threads.emplace_back(
          [&w, port, seed, &stop, &ready] { RunWriter(w, port, seed, stop, ready); });
    }
    ready.arrive_and_wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    server_->Signal(SIGKILL);
    const int code = server_->Wait(30s);
    stop = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(code, 128 + SIGKILL) << "contrackd exited before the kill\n" << server_->Stderr();

    for (auto& w : writers_) {
      for (const auto& f : w.failures) ADD_FAILURE() << "writer " << w.index << ": " << f;
      for (const auto& a : w.attempts) RecordAttempt(a);
      for (const auto& a : w.acks) acked_[a.event_id] = a;
      for (const auto& id : w.refused) refused_.insert(id);
      acks_this_round_ += w.acks.size();
      w.attempts.clear();
      w.acks.clear();
      w.refused.clear();
      w.failures.clear();
    }
  }

  // Checks the restarted server's log against everything the writers were told.
  void CheckLog() {
    auto auditor = Client(kAuditorToken);
    const auto feed = testing::ReadWholeFeed(auditor);
    feed_by_id_.clear();
    std::map<std::string, uint64_t> versions;  // contract -> events seen so far
    std::string prev(64, '0');
    for (size_t i = 0; i < feed.size(); ++i) {
      const auto& e = feed[i];
      ASSERT_EQ(e.sequence(), i + 1) << "the sequence must be gapless 1..N";
      ASSERT_EQ(e.prev_hash(), prev) << "sequence " << e.sequence();
      prev = e.hash();
      ASSERT_TRUE(attempted_.contains(e.event_id()))
          << "event " << e.event_id() << " at sequence " << e.sequence()
          << " was never attempted by any writer";
      EXPECT_EQ(attempted_.at(e.event_id()), e.contract_id()) << e.event_id();
      EXPECT_FALSE(refused_.contains(e.event_id()))
          << "event " << e.event_id() << " was refused (409) yet is in the log";
      const bool fresh = feed_by_id_
                             .emplace(e.event_id(), FeedEvent{e.contract_id(), e.version(),
                                                              e.sequence(), e.hash()})
                             .second;
      ASSERT_TRUE(fresh) << "event id " << e.event_id() << " appears twice in the log";
      ASSERT_EQ(e.version(), ++versions[e.contract_id()])
          << e.contract_id() << ": versions must be 1..k in log order";
    }
    size_t lost = 0;
    std::string first_lost;
    for (const auto& [id, a] : acked_) {
      auto it = feed_by_id_.find(id);
      if (it == feed_by_id_.end()) {
        if (lost++ == 0) {
          first_lost =
              id + " of " + a.contract_id + " (sequence " + std::to_string(a.sequence) + ")";
        }
        continue;
      }
      EXPECT_EQ(it->second.sequence, a.sequence) << id;
      EXPECT_EQ(it->second.version, a.version) << id;
      EXPECT_EQ(it->second.contract_id, a.contract_id) << id;
    }
    ASSERT_EQ(lost, 0u) << lost << " of " << acked_.size()
                        << " acknowledged events are lost (the log has " << feed.size()
                        << "); the first: " << first_lost;
    for (const auto& g : groups_) {
      size_t present = 0;
      for (const auto& id : g) present += feed_by_id_.contains(id);
      ASSERT_TRUE(present == 0 || present == g.size())
          << "an append of " << g.size() << " events is half visible: " << present << " stored";
      for (size_t i = 1; present > 0 && i < g.size(); ++i) {
        EXPECT_EQ(feed_by_id_.at(g[i]).sequence, feed_by_id_.at(g[i - 1]).sequence + 1)
            << "one append's events are contiguous";
      }
    }
    auto v = auditor.Get("/v1/verify");
    ASSERT_EQ(v.status, 200) << Describe(v);
    auto report = ParseBody<v1::VerifyResponse>(v);
    ASSERT_TRUE(report.has_value());
    EXPECT_TRUE(report->ok()) << report->message();
    EXPECT_EQ(report->events_checked(), feed.size());
    EXPECT_EQ(report->head_sequence(), feed.size());
    EXPECT_EQ(report->head_hash(), feed.empty() ? std::string(64, '0') : feed.back().hash());
    events_checked_ = feed.size();
    versions_ = std::move(versions);
  }

  // Every contract's state as the server serves it, by id.
  std::map<std::string, v1::ContractState> ServedStates() {
    std::map<std::string, v1::ContractState> out;
    auto admin = Client(kAdminToken);
    std::string after;
    for (;;) {
      auto r = admin.Get("/v1/contracts?limit=1000&after=" + after);
      EXPECT_EQ(r.status, 200) << Describe(r);
      auto list = ParseBody<v1::ContractList>(r);
      if (!list) break;
      for (const auto& s : list->contracts()) out[s.contract_id()] = s;
      if (list->next_after().empty()) break;
      after = list->next_after();
    }
    return out;
  }

  // The views served after the restart equal the views an offline rebuild makes.
  void CheckViewsEqualRebuild(std::mt19937_64& rng) {
    const auto served = ServedStates();
    EXPECT_EQ(served.size(), versions_.size()) << "one state per contract in the log";
    for (const auto& [id, n] : versions_) {
      auto it = served.find(id);
      ASSERT_TRUE(it != served.end()) << "no state for " << id;
      EXPECT_EQ(it->second.version(), n) << id << ": the state's version is its event count";
    }
    ASSERT_NO_FATAL_FAILURE(StopServer());
    auto rebuilt = testing::RunContrack({"--data", data_.string(), "rebuild"});
    ASSERT_EQ(rebuilt.status, 0) << rebuilt.err;
    auto listed = testing::RunContrack({"--data", data_.string(), "list", "--json"});
    ASSERT_EQ(listed.status, 0) << listed.err;
    auto list = ParseJson<v1::ContractList>(listed.out, "contrack list --json");
    ASSERT_TRUE(list.has_value()) << list.error().ToString();
    ASSERT_EQ(list->contracts_size(), static_cast<int>(served.size()));
    for (const auto& s : list->contracts()) {
      auto it = served.find(s.contract_id());
      ASSERT_TRUE(it != served.end()) << s.contract_id();
      EXPECT_EQ(ToJson(it->second), ToJson(s))
          << s.contract_id() << ": the served view differs from a rebuild";
    }
    std::vector<std::string> sample;
    for (int k = 0; k < kShared; ++k) sample.push_back(SharedId(k));
    std::vector<std::string> ids;
    for (const auto& [id, s] : served) ids.push_back(id);
    for (int i = 0; i < kShowSamplePerRound - kShared && !ids.empty(); ++i) {
      sample.push_back(ids[rng() % ids.size()]);
    }
    for (const auto& id : sample) {
      auto shown = testing::RunContrack({"--data", data_.string(), "show", id, "--json"});
      ASSERT_EQ(shown.status, 0) << id << ": " << shown.err;
      auto s = ParseJson<v1::ContractState>(shown.out, "contrack show --json");
      ASSERT_TRUE(s.has_value()) << s.error().ToString();
      EXPECT_EQ(ToJson(served.at(id)), ToJson(*s))
          << id << ": the served view differs from `contrack show` after a rebuild";
    }
  }

  TempDir dir_;
  std::filesystem::path tokens_, data_;
  std::vector<Writer> writers_;
  std::map<std::string, std::string> attempted_;  // event id -> contract, for every send
  std::vector<std::vector<std::string>> groups_;  // the event ids of every append sent
  std::set<std::string> refused_;
  std::map<std::string, Ack> acked_;
  std::map<std::string, FeedEvent> feed_by_id_;  // the log at the last check
  std::map<std::string, uint64_t> versions_;     // contract -> events in the log
  size_t events_checked_ = 0, acks_this_round_ = 0, retries_ = 0, retries_replayed_ = 0;
  std::unique_ptr<ServerProcess> server_;  // declared last: stopped before dir_ is removed
};

TEST_F(CrashTest, AcknowledgedEventsSurviveSigkillAndViewsEqualARebuild) {
  const int rounds = RoundsFromEnv();
  const uint64_t seed = SeedFromEnv();
  std::printf("[crash] %d rounds, seed %llu (rerun with CONTRACK_CRASH_SEED=%llu)\n", rounds,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto t0 = std::chrono::steady_clock::now();

  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(CreateShared());
  int survived = 0;
  size_t unanswered = 0;
  for (int round = 1; round <= rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + ", seed " + std::to_string(seed));
    if (round > 1) {
      ASSERT_NO_FATAL_FAILURE(StartServer());
    }
    ASSERT_NO_FATAL_FAILURE(ResolvePending());
    acks_this_round_ = 0;
    WriteAndKill(rng, round);
    ASSERT_FALSE(HasFailure());
    for (const auto& w : writers_) unanswered += w.pending.has_value();

    ASSERT_NO_FATAL_FAILURE(StartServer());
    ASSERT_NO_FATAL_FAILURE(CheckLog());
    ASSERT_NO_FATAL_FAILURE(CheckViewsEqualRebuild(rng));
    ASSERT_FALSE(HasFailure());
    ++survived;
    std::printf("[crash] round %d survived: %zu acknowledged this round, %zu events in the log\n",
                round, acks_this_round_, events_checked_);
    std::fflush(stdout);
  }
  // The last round's unanswered appends are resolved too.
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(ResolvePending());
  ASSERT_NO_FATAL_FAILURE(CheckLog());
  ASSERT_NO_FATAL_FAILURE(StopServer());

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("rounds_survived", survived);
  RecordProperty("events_checked", static_cast<int>(events_checked_));
  RecordProperty("acknowledged_events", static_cast<int>(acked_.size()));
  RecordProperty("unanswered_appends_retried", static_cast<int>(retries_));
  std::printf(
      "[crash] rounds survived: %d of %d; events checked: %zu (%zu acknowledged); unanswered "
      "appends: %zu, retried %zu (%zu had committed: 200 replayed; the rest 201); %.1f s\n",
      survived, rounds, events_checked_, acked_.size(), unanswered, retries_, retries_replayed_,
      seconds);
  EXPECT_EQ(survived, rounds);
  EXPECT_GT(acked_.size(), static_cast<size_t>(rounds)) << "the writers were writing";
}

}  // namespace
}  // namespace contrack

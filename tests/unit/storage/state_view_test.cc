// The `state` view may trail a contract by up to Options::state_every - 1 versions; every reader
// sees the contract's current state all the same (storage/event_log.h, docs/storage-format.md).
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "storage/event_log.h"
#include "storage/format.h"
#include "storage/log_impl.h"
#include "tests/support/test_support.h"

namespace contrack::storage {
namespace {

using testing::AllStates;
using testing::Body;
using testing::DumpCf;
using testing::TempDir;
using testing::TrailingStates;

std::unique_ptr<EventLog> Open(const std::string& dir, uint32_t state_every,
                               size_t state_cache_entries = 32768) {
  Options o;
  o.path = dir;
  o.state_every = state_every;
  o.state_cache_entries = state_cache_entries;
  auto log = EventLog::Open(o);
  EXPECT_TRUE(log.has_value()) << log.error().ToString();
  return log ? std::move(*log) : nullptr;
}

std::string EventId(int n) {
  char id[40];
  std::snprintf(id, sizeof(id), "44444444-4444-4444-8444-%012d", n);
  return id;
}

std::string Award(const std::string& contract, int n) {
  return R"({"event_id":")" + EventId(n) +
         R"(","award":{"authority":"Leicestershire County Council","title":")" + contract +
         R"(","supplier":{"name":"Turning Point"},"start_date":"2016-04-01","end_date":"2019-03-31","value_pence":250000000,"extension_options":[{"months":12},{"months":12},{"months":12}]}})";
}

std::string Funding(int n, int amount) {
  return R"({"event_id":")" + EventId(n) +
         R"(","funding":{"funder":"Public Health Grant","financial_year":"2016/17","amount_pence":)" +
         std::to_string(amount) + "}}";
}

std::string Extension(int n, const std::string& end) {
  return R"({"event_id":")" + EventId(n) +
         R"(","effective_date":"2018-12-01","extension":{"new_end_date":")" + end + R"("}})";
}

std::string Correction(int n, int target) {
  return R"({"event_id":")" + EventId(n) + R"(","correction":{"corrects_event_id":")" +
         EventId(target) + R"(","reason":"entered twice"}})";
}

Result<v1::AppendResponse> Append(EventLog& log, const std::string& contract,
                                  const std::vector<std::string>& bodies) {
  AppendRequest req;
  req.contract_id = contract;
  req.principal = Principal::Operator("test");
  req.recorded_at = 1'480'000'000'000'000;  // fixed, so two stores hold the same records
  for (const auto& b : bodies) req.events.push_back(Body(b));
  return log.Append(req);
}

uint64_t StoredVersion(const EventLog& log, const std::string& contract) {
  std::string bytes;
  EXPECT_TRUE(storage::LogInternals::Db(log)
                  ->Get(rocksdb::ReadOptions(), storage::LogInternals::Cf(log, format::kStateCf),
                        contract, &bytes)
                  .ok());
  v1::ContractState s;
  EXPECT_TRUE(s.ParseFromString(bytes));
  return s.version();
}

// The same appends to several contracts: awards, fundings, extensions, a two-event append and
// corrections, with client event ids so that two stores hold byte-identical records.
void Populate(EventLog& log) {
  int n = 0;
  for (int c = 0; c < 6; ++c) {
    const std::string id = "LCC-PH-" + std::to_string(c);
    ASSERT_TRUE(Append(log, id, {Award(id, ++n)}).has_value());
    for (int k = 0; k < 3 + 2 * c; ++k) {
      ASSERT_TRUE(Append(log, id, {Funding(++n, 100 * (k + 1))}).has_value());
    }
    if (c % 2 == 0) {
      ASSERT_TRUE(Append(log, id, {Extension(n + 1, "2020-03-31"), Funding(n + 2, 7)}).has_value());
      n += 2;
    }
    if (c % 3 == 0) {
      ASSERT_TRUE(Append(log, id, {Correction(n + 1, n)}).has_value());
      ++n;
      ASSERT_TRUE(Append(log, id, {Funding(++n, 11)}).has_value());
    }
  }
}

TEST(StateViewTest, StoredStateTrailsByLessThanStateEveryAndReadsAreCurrent) {
  TempDir dir;
  const std::string id = "LCC-PH-TRAIL";
  {
    auto log = Open(dir.str(), 4);
    ASSERT_TRUE(Append(*log, id, {Award(id, 1)}).has_value());
    EXPECT_EQ(StoredVersion(*log, id), 1u);  // a contract's first append stores its state
    for (int v = 2; v <= 10; ++v) {
      ASSERT_TRUE(Append(*log, id, {Funding(v, 100)}).has_value());
      // Stored at versions 1, 5 and 9: at most state_every - 1 behind.
      EXPECT_EQ(StoredVersion(*log, id), v >= 9 ? 9u : v >= 5 ? 5u : 1u) << "version " << v;
      auto s = log->GetState(id);
      ASSERT_TRUE(s.has_value());
      EXPECT_EQ(s->version(), static_cast<uint64_t>(v));
      EXPECT_EQ(s->funding_committed_pence(), 100 * (v - 1));
    }
  }
  // Reopened, nothing is cached: GetState and ListContracts complete the stored state.
  auto log = Open(dir.str(), 4);
  auto s = log->GetState(id);
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->version(), 10u);
  EXPECT_EQ(s->funding_committed_pence(), 900);
  EXPECT_EQ(s->last_sequence(), 10u);
  EXPECT_EQ(s->last_event_id(), EventId(10));
  auto listed = log->ListContracts("", 10);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().SerializeAsString(), s->SerializeAsString());
  // The next append builds on the completed state and stores it (10 + 1 >= 9 + 4 is false: no).
  ASSERT_TRUE(Append(*log, id, {Funding(11, 100)}).has_value());
  EXPECT_EQ(StoredVersion(*log, id), 9u);
  ASSERT_TRUE(Append(*log, id, {Funding(12, 100)}).has_value());
  ASSERT_TRUE(Append(*log, id, {Funding(13, 100)}).has_value());
  EXPECT_EQ(StoredVersion(*log, id), 13u);
  EXPECT_EQ(log->GetState(id)->funding_committed_pence(), 1200);
}

TEST(StateViewTest, StatesEqualThoseOfAStoreThatStoresEveryState) {
  TempDir every_dir, trailing_dir;
  auto every = Open(every_dir.str(), 1);
  // A tiny state cache: most contracts are read back from the store while appending.
  auto trailing = Open(trailing_dir.str(), 5, 2);
  ASSERT_NO_FATAL_FAILURE(Populate(*every));
  ASSERT_NO_FATAL_FAILURE(Populate(*trailing));
  EXPECT_EQ(TrailingStates(*every), 0u);
  EXPECT_GT(TrailingStates(*trailing), 0u);
  // The records are the same, so the chains are.
  EXPECT_EQ(every->GetHead().hash, trailing->GetHead().hash);
  const auto expected = AllStates(*every);
  ASSERT_EQ(expected.size(), 6u);
  EXPECT_EQ(AllStates(*trailing), expected);
  for (const auto& [id, bytes] : expected) {
    EXPECT_EQ(trailing->GetState(id)->SerializeAsString(), bytes) << id;
  }
  // And after reopening, with no state cached.
  trailing.reset();
  trailing = Open(trailing_dir.str(), 5);
  EXPECT_EQ(AllStates(*trailing), expected);
  for (const auto& [id, bytes] : expected) {
    EXPECT_EQ(trailing->GetState(id)->SerializeAsString(), bytes) << id;
  }
  // Paging through ListContracts gives the same states.
  auto first = trailing->ListContracts("", 2);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->size(), 2u);
  auto rest = trailing->ListContracts(first->back().contract_id(), 10);
  ASSERT_TRUE(rest.has_value());
  ASSERT_EQ(rest->size(), 4u);
  EXPECT_EQ(rest->front().SerializeAsString(), expected[2].second);
}

TEST(StateViewTest, ACorrectionStoresTheState) {
  TempDir dir;
  auto log = Open(dir.str(), 8);
  const std::string id = "LCC-PH-CORR";
  ASSERT_TRUE(Append(*log, id, {Award(id, 1)}).has_value());
  ASSERT_TRUE(Append(*log, id, {Funding(2, 100)}).has_value());
  ASSERT_TRUE(Append(*log, id, {Funding(3, 100)}).has_value());
  EXPECT_EQ(StoredVersion(*log, id), 1u);
  ASSERT_TRUE(Append(*log, id, {Correction(4, 3)}).has_value());
  EXPECT_EQ(StoredVersion(*log, id), 4u);
  EXPECT_EQ(log->GetState(id)->funding_committed_pence(), 100);
}

TEST(StateViewTest, StateEveryZeroIsRefused) {
  TempDir dir;
  Options o;
  o.path = dir.str();
  o.state_every = 0;
  auto log = EventLog::Open(o);
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().name(), "invalid_argument");
  EXPECT_NE(log.error().message.find("state_every"), std::string::npos);
}

// A format-2 store (every state current), a format-3 one (states may trail) or a format-4 one
// (no notices in the index) differs from format 5 in its alerts index alone: opened for writing,
// its index is rebuilt from the (completed) states and it is marked 5, so that an older build
// refuses it; opened read-only it is refused with what to do.
TEST(StateViewTest, AFormat2To4StoreGetsItsAlertsIndexRebuiltAndIsMarked5) {
  for (const char* old_format : {"2", "3", "4"}) {
    TempDir dir;
    const std::string id = "LCC-PH-OLD";
    AlertRows rows;
    {
      auto log = Open(dir.str(), 4);
      ASSERT_TRUE(Append(*log, id, {Award(id, 1)}).has_value());
      ASSERT_TRUE(Append(*log, id, {Funding(2, 5)}).has_value());
      rows = AlertRowsOf(*log->GetState(id));
      ASSERT_EQ(rows.size(), 3u);  // its expiry, and two PCR 2015 notices owed
      // The index as an older build wrote it: the expiry alone; before format 4 keyed by be16
      // lead, be32 end, id (no kind).
      auto* db = storage::LogInternals::Db(*log);
      auto* alerts = storage::LogInternals::Cf(*log, format::kAlertsCf);
      rocksdb::WriteOptions wo;
      wo.sync = true;
      for (const auto& row : rows) ASSERT_TRUE(db->Delete(wo, alerts, row.key).ok());
      const bool kinded = std::string(old_format) == "4";
      ASSERT_TRUE(
          db->Put(wo, alerts, kinded ? rows[0].key : rows[0].key.substr(1), rows[0].value).ok());
      ASSERT_TRUE(
          db->Put(wo, db->DefaultColumnFamily(), std::string(format::kFormatVersionKey), old_format)
              .ok());
    }
    auto version = [&](const EventLog& log) {
      std::string v;
      EXPECT_TRUE(storage::LogInternals::Db(log)
                      ->Get(rocksdb::ReadOptions(),
                            storage::LogInternals::Db(log)->DefaultColumnFamily(),
                            std::string(format::kFormatVersionKey), &v)
                      .ok());
      return v;
    };
    {
      Options o;
      o.path = dir.str();
      o.read_only = true;
      auto log = EventLog::Open(o);
      ASSERT_FALSE(log.has_value());
      EXPECT_NE(log.error().message.find("rebuild"), std::string::npos) << log.error().message;
    }
    auto log = Open(dir.str(), 4);
    EXPECT_EQ(version(*log), "5");
    EXPECT_EQ(log->GetState(id)->funding_committed_pence(), 5);
    auto index = DumpCf(*log, format::kAlertsCf);
    ASSERT_EQ(index.size(), rows.size()) << old_format;
    std::sort(rows.begin(), rows.end(),
              [](const AlertRow& a, const AlertRow& b) { return a.key < b.key; });
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(index[i].first, rows[i].key);
      EXPECT_EQ(index[i].second, rows[i].value);
    }
    auto v = log->Verify(std::nullopt, true);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->views_ok, true) << v->views_message;
  }
}

}  // namespace
}  // namespace contrack::storage

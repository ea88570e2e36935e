// The RocksDB event log against real database directories: append, concurrency control,
// idempotency, persistence, rebuild, tamper detection, malformed input.
#include "storage/event_log.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "storage/format.h"
#include "storage/log_impl.h"
#include "tests/support/test_support.h"

namespace contrack::storage {
namespace {

using testing::AllStates;
using testing::AppendJson;
using testing::Body;
using testing::DumpCf;
using testing::kCriAward;
using testing::kCriWaiver;
using testing::OpenLog;
using testing::TempDir;
using testing::TrailingStates;

constexpr char kCri[] = "LCC-DIP-CRI-2015";
constexpr char kExt1[] =
    R"({"event_id":"11111111-1111-4111-8111-000000000003","effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})";
constexpr char kExt2[] =
    R"({"effective_date":"2016-09-01","extension":{"new_end_date":"2017-03-31"}})";

void SeedCri(EventLog& log) {
  ASSERT_TRUE(AppendJson(log, kCri, kCriWaiver, 0).has_value());
  ASSERT_TRUE(AppendJson(log, kCri, kCriAward, 1).has_value());
}

TEST(EventLogTest, AppendAssignsVersionsSequencesAndAChain) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  EXPECT_EQ(log->GetHead().sequence, 0u);
  EXPECT_EQ(log->GetHead().hash, std::string(64, '0'));
  auto r1 = AppendJson(*log, kCri, kCriWaiver, 0);
  ASSERT_TRUE(r1.has_value()) << r1.error().ToString();
  EXPECT_EQ(r1->events(0).version(), 1u);
  EXPECT_EQ(r1->events(0).sequence(), 1u);
  auto r2 = AppendJson(
      *log, "OTHER-1",
      R"({"award":{"authority":"Rutland County Council","title":"t","supplier":{"name":"S"},"start_date":"2016-07-01","end_date":"2020-06-30","value_pence":594000}})");
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->events(0).version(), 1u);
  EXPECT_EQ(r2->events(0).sequence(), 2u);
  auto r3 = AppendJson(*log, kCri, kCriAward, 1);
  ASSERT_TRUE(r3.has_value());
  EXPECT_EQ(r3->events(0).version(), 2u);
  EXPECT_EQ(r3->events(0).sequence(), 3u);
  EXPECT_EQ(log->GetHead().sequence, 3u);
  EXPECT_EQ(log->GetHead().hash, r3->events(0).hash());

  auto events = log->ReadContract(kCri);
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].record.prev_hash(), r2->events(0).hash());
  EXPECT_EQ((*events)[1].record.recorded_by(), "test");
  EXPECT_EQ((*events)[1].record.type(), "award");
  auto state = log->GetState(kCri);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->version(), 2u);
  EXPECT_EQ(state->current_end_date(), "2016-03-31");
  EXPECT_EQ(state->last_sequence(), 3u);
  EXPECT_EQ(log->GetState("NOPE").error().name(), "not_found");
  auto verify = log->Verify();
  ASSERT_TRUE(verify.has_value());
  EXPECT_TRUE(verify->ok);
  EXPECT_EQ(verify->events_checked, 3u);
  EXPECT_EQ(verify->head.hash, r3->events(0).hash());
}

// An event that arrives without an id gets a UUIDv7 (RFC 9562) whose first 48 bits are its
// recorded time in Unix milliseconds; a given id is kept as sent (lower-cased).
TEST(EventLogTest, GeneratedEventIdsAreVersion7UuidsOfTheRecordedTime) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);  // the seeds' waiver and award carry their own ids
  ASSERT_TRUE(AppendJson(*log, kCri, kExt1).has_value());
  ASSERT_TRUE(AppendJson(*log, kCri, kExt2).has_value());
  constexpr char kFunding[] =
      R"({"funding":{"funder":"OPCC West Yorkshire","financial_year":"2016/17","amount_pence":1}})";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(AppendJson(*log, kCri, kFunding).has_value());
  auto events = log->ReadContract(kCri);
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 7u);
  EXPECT_EQ((*events)[0].record.event_id(), "11111111-1111-4111-8111-000000000001");
  EXPECT_EQ((*events)[2].record.event_id(), "11111111-1111-4111-8111-000000000003");
  std::set<std::string> generated;
  for (size_t i : {3u, 4u, 5u, 6u}) {
    const auto& rec = (*events)[i].record;
    const std::string& id = rec.event_id();
    ASSERT_EQ(id.size(), 36u) << id;
    EXPECT_EQ(id[14], '7') << id;                                          // version
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC variant
    const std::string ms_hex = id.substr(0, 8) + id.substr(9, 4);
    EXPECT_EQ(std::stoull(ms_hex, nullptr, 16),
              static_cast<unsigned long long>(rec.recorded_at_us() / 1000))
        << id;
    EXPECT_TRUE(generated.insert(id).second) << id;
  }
}

// The streams memtable buckets keys by contract and reads seek within one contract: ids that
// are prefixes of each other, entries split between a flushed table file and the memtable, and
// a reopen (the WAL replayed into a new memtable) must still give each contract exactly its own
// events, in version order.
TEST(EventLogTest, ContractHistoriesStayApartAcrossTheStreamsMemtableAndTableFiles) {
  TempDir dir;
  const std::vector<std::string> ids = {"C-1", "C-10", "C-100", "C-2"};
  constexpr char kAward[] =
      R"({"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":100}})";
  constexpr char kFunding[] =
      R"({"funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":1}})";
  std::map<std::string, std::vector<uint64_t>> sequences;  // per contract, in version order
  auto append = [&](EventLog& log, const std::string& id, const char* json) {
    auto r = AppendJson(log, id, json);
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    sequences[id].push_back(r->events(0).sequence());
  };
  auto check = [&](const EventLog& log) {
    for (const auto& id : ids) {
      auto events = log.ReadContract(id);
      ASSERT_TRUE(events.has_value());
      std::vector<uint64_t> got;
      for (const auto& e : *events) {
        EXPECT_EQ(e.record.contract_id(), id);
        EXPECT_EQ(e.record.version(), got.size() + 1);
        got.push_back(e.record.sequence());
      }
      EXPECT_EQ(got, sequences[id]) << id;
      auto tail = log.ReadContract(id, 2, 1);  // after version 2, one event
      ASSERT_TRUE(tail.has_value());
      ASSERT_EQ(tail->size(), 1u) << id;
      EXPECT_EQ((*tail)[0].record.version(), 3u) << id;
    }
  };
  {
    auto log = OpenLog(dir.str());
    for (const auto& id : ids) append(*log, id, kAward);
    for (int round = 0; round < 2; ++round) {
      for (const auto& id : ids) append(*log, id, kFunding);
    }
    ASSERT_TRUE(
        storage::LogInternals::Db(*log)
            ->Flush(rocksdb::FlushOptions(), storage::LogInternals::Cf(*log, format::kStreamsCf))
            .ok());
    for (int round = 0; round < 2; ++round) {
      for (auto it = ids.rbegin(); it != ids.rend(); ++it) append(*log, *it, kFunding);
    }
    check(*log);
  }
  auto reopened = OpenLog(dir.str());
  check(*reopened);
}

TEST(EventLogTest, ExpectedVersionIsOptimisticConcurrency) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  auto stale = AppendJson(*log, kCri, kExt1, 1);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().name(), "version_conflict");
  EXPECT_EQ(stale.error().current_version, 2u);
  auto must_not_exist =
      AppendJson(*log, kCri,
                 R"({"funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":1}})", 0);
  EXPECT_EQ(must_not_exist.error().name(), "version_conflict");
  EXPECT_EQ(log->GetHead().sequence, 2u);
  EXPECT_TRUE(AppendJson(*log, kCri, kExt1, 2).has_value());
  EXPECT_TRUE(AppendJson(*log, kCri, kExt2).has_value());  // absent: any version
  EXPECT_EQ(log->GetState(kCri)->version(), 4u);
}

TEST(EventLogTest, RetriedEventIdReturnsTheOriginalResult) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  auto first = AppendJson(*log, kCri, kExt1, 2);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->replayed());
  // The retry carries the same expected version, now stale: still the original result.
  auto retry = AppendJson(*log, kCri, kExt1, 2);
  ASSERT_TRUE(retry.has_value()) << retry.error().ToString();
  EXPECT_TRUE(retry->replayed());
  EXPECT_EQ(retry->events(0).SerializeAsString(), first->events(0).SerializeAsString());
  EXPECT_EQ(log->GetHead().sequence, 3u);
  // The same event id on another contract is a conflict, not a duplicate.
  auto elsewhere = AppendJson(*log, "LCC-DIP-DISC-2015", kExt1);
  ASSERT_FALSE(elsewhere.has_value());
  EXPECT_EQ(elsewhere.error().name(), "event_id_conflict");
  EXPECT_EQ(log->GetHead().sequence, 3u);
}

TEST(EventLogTest, BatchIsAllOrNothing) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  const Head before = log->GetHead();
  AppendRequest req;
  req.contract_id = kCri;
  req.principal = Principal::Operator("test");
  req.events = {
      Body(kExt1), Body(kExt2),
      Body(R"({"effective_date":"2017-03-01","extension":{"new_end_date":"2017-09-30"}})")};
  auto r = log->Append(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().name(), "no_extension_option");
  EXPECT_NE(r.error().message.find("events[2]"), std::string::npos);
  EXPECT_EQ(log->GetHead().sequence, before.sequence);
  EXPECT_EQ(log->GetState(kCri)->version(), 2u);
  EXPECT_EQ(log->ReadContract(kCri)->size(), 2u);
  // The first two alone go through in one append with consecutive versions.
  req.events.pop_back();
  auto ok = log->Append(req);
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  ASSERT_EQ(ok->events_size(), 2);
  EXPECT_EQ(ok->events(1).version(), 4u);
  EXPECT_EQ(log->GetState(kCri)->current_end_date(), "2017-03-31");
}

TEST(EventLogTest, MalformedInputWritesNothing) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  const auto before = DumpCf(*log, format::kEventsCf);
  struct Case {
    std::string id, json, code;
  } cases[] = {
      {"LCC/DIP", kExt1, "invalid_argument"},
      {std::string(200, 'A'), kExt1, "invalid_argument"},
      {"", kExt1, "invalid_argument"},
      {kCri, R"({"extension":{"new_end_date":"2015-02-30"}})", "invalid_argument"},
      {kCri, R"({"variation":{"description":"x","value_delta_pence":9223372036854775807}})",
       "value_overflow"},
      {"NEW-1",
       R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":-1}})",
       "invalid_argument"},
      {kCri, R"({"note":"no payload"})", "invalid_argument"},
  };
  for (const auto& c : cases) {
    auto r = AppendJson(*log, c.id, c.json);
    ASSERT_FALSE(r.has_value()) << c.json;
    EXPECT_EQ(r.error().name(), c.code) << r.error().message;
  }
  AppendRequest empty;
  empty.principal = Principal::Operator("test");
  empty.contract_id = kCri;
  EXPECT_EQ(log->Append(empty).error().name(), "invalid_argument");
  AppendRequest dup;
  dup.principal = Principal::Operator("test");
  dup.contract_id = kCri;
  dup.events = {Body(kExt1), Body(kExt1)};
  EXPECT_EQ(log->Append(dup).error().name(), "invalid_argument");
  EXPECT_EQ(DumpCf(*log, format::kEventsCf), before);
  EXPECT_EQ(log->GetState(kCri)->version(), 2u);
  EXPECT_EQ(log->GetState("NEW-1").error().name(), "not_found");
}

TEST(EventLogTest, StatePersistsAcrossRestart) {
  TempDir dir;
  std::string state_bytes;
  Head head;
  {
    auto log = OpenLog(dir.str());
    SeedCri(*log);
    ASSERT_TRUE(AppendJson(*log, kCri, kExt1).has_value());
    state_bytes = log->GetState(kCri)->SerializeAsString();
    head = log->GetHead();
  }
  auto log = OpenLog(dir.str());
  EXPECT_EQ(log->GetHead().sequence, head.sequence);
  EXPECT_EQ(log->GetHead().hash, head.hash);
  EXPECT_EQ(log->GetState(kCri)->SerializeAsString(), state_bytes);
  auto next = AppendJson(*log, kCri, kExt2, 3);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->events(0).sequence(), 4u);
  EXPECT_TRUE(log->Verify()->ok);
  // The event id index survived too: a retry after restart is still idempotent.
  EXPECT_TRUE(AppendJson(*log, kCri, kExt1)->replayed());
}

TEST(EventLogTest, SecondOpenOfALockedStoreFails) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  Options o;
  o.path = dir.str();
  auto second = EventLog::Open(o);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().name(), "io_error");
}

TEST(EventLogTest, RebuildEqualsIncrementalViewsByteForByte) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  ASSERT_TRUE(AppendJson(*log, kCri, kExt1).has_value());
  ASSERT_TRUE(AppendJson(*log, kCri, kExt2).has_value());
  const std::string second = log->ReadContract(kCri)->back().record.event_id();
  ASSERT_TRUE(AppendJson(*log, kCri,
                         R"({"correction":{"corrects_event_id":")" + second +
                             R"(","reason":"recorded twice"}})")
                  .has_value());
  for (int i = 0; i < 50; ++i) {
    const std::string id = "GEN-" + std::to_string(i);
    ASSERT_TRUE(
        AppendJson(
            *log, id,
            R"({"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"S"},"start_date":"2020-01-01","end_date":"2021-12-31","value_pence":)" +
                std::to_string(1000 * i) + "}}")
            .has_value());
    ASSERT_TRUE(
        AppendJson(*log, id,
                   R"({"funding":{"funder":"F","financial_year":"2020/21","amount_pence":7}})")
            .has_value());
  }
  // Each GEN contract's stored state is its award's: the funding's version is completed on read.
  EXPECT_EQ(TrailingStates(*log), 50u);
  const auto states = AllStates(*log);
  const auto streams = DumpCf(*log, format::kStreamsCf);
  const auto ids = DumpCf(*log, format::kEventIdsCf);
  ASSERT_EQ(states.size(), 51u);
  ASSERT_EQ(DumpCf(*log, format::kStateCf).size(), 51u);
  auto r = log->Rebuild();
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  // A rebuild stores every state current; read through ListContracts they are the same states.
  EXPECT_EQ(TrailingStates(*log), 0u);
  EXPECT_EQ(AllStates(*log), states);
  EXPECT_EQ(DumpCf(*log, format::kStreamsCf), streams);
  EXPECT_EQ(DumpCf(*log, format::kEventIdsCf), ids);
  EXPECT_EQ(log->GetState(kCri)->current_end_date(), "2016-09-30");
  // Writes continue after a rebuild.
  EXPECT_TRUE(AppendJson(*log, kCri, kExt2).has_value());
}

TEST(EventLogTest, VerifyReportsAFlippedByteAtItsSequence) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  ASSERT_TRUE(AppendJson(*log, kCri, kExt1).has_value());
  ASSERT_TRUE(AppendJson(*log, kCri, kExt2).has_value());
  ASSERT_TRUE(log->Verify()->ok);
  // Tamper with event 3 in place, as someone with disk access would.
  const std::string key = format::EncodeBe64(3);
  std::string value;
  ASSERT_TRUE(storage::LogInternals::Db(*log)
                  ->Get(rocksdb::ReadOptions(), storage::LogInternals::Cf(*log, format::kEventsCf),
                        key, &value)
                  .ok());
  v1::StoredEvent stored;
  ASSERT_TRUE(stored.ParseFromString(value));
  std::string record = stored.record();
  const auto pos = record.find("2016-09-30");
  ASSERT_NE(pos, std::string::npos);
  record[pos + 3] = '7';  // 2016 -> 2017
  stored.set_record(record);
  rocksdb::WriteOptions wo;
  ASSERT_TRUE(storage::LogInternals::Db(*log)
                  ->Put(wo, storage::LogInternals::Cf(*log, format::kEventsCf), key,
                        stored.SerializeAsString())
                  .ok());
  auto v = log->Verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_sequence, 3u);
  EXPECT_EQ(v->events_checked, 2u);
  EXPECT_NE(v->message.find("hash mismatch"), std::string::npos);

  // A deleted event is a gap, reported at the missing sequence.
  ASSERT_TRUE(storage::LogInternals::Db(*log)
                  ->Delete(wo, storage::LogInternals::Cf(*log, format::kEventsCf), key)
                  .ok());
  v = log->Verify();
  EXPECT_EQ(v->first_bad_sequence, 3u);
  EXPECT_NE(v->message.find("missing"), std::string::npos);
}

TEST(EventLogTest, ReadLogPagesInGlobalOrder) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  ASSERT_TRUE(AppendJson(*log, kCri, kExt1).has_value());
  auto page = log->ReadLog(1, 2);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].record.sequence(), 2u);
  EXPECT_EQ((*page)[1].record.sequence(), 3u);
  EXPECT_TRUE(log->ReadLog(3, 10)->empty());
  auto after = log->ReadContract(kCri, 1, 1);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].record.version(), 2u);
}

}  // namespace
}  // namespace contrack::storage

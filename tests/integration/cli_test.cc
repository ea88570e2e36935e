// The contrack binary in offline mode on real data directories: demo, show, history, import,
// export, verify, rebuild.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <cstdio>

#include "domain/codec.h"
#include "storage/format.h"
#include "storage/log_impl.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using testing::ReadFile;
using testing::RunContrack;
using testing::TempDir;
using testing::WriteFile;

void ExpectContains(const std::string& text, const std::string& needle) {
  EXPECT_NE(text.find(needle), std::string::npos) << "missing \"" << needle << "\" in:\n" << text;
}

class CliTest : public ::testing::Test {
 protected:
  testing::CommandResult Run(std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {"--data", data_.str()});
    return RunContrack(args, in);
  }
  void LoadDemo() {
    auto r = Run({"demo"});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  TempDir data_;
};

TEST_F(CliTest, DemoShowsTheFactsOfEachSeedDocument) {
  LoadDemo();
  struct Expect {
    std::string id;
    std::vector<std::string> facts;
  } expects[] = {
      // seed 001: Leeds DIP/IOM interim contracts, two 6-month options each.
      {"LCC-DIP-CRI-2015",
       {"Leeds City Council", "CRI", "2015-04-01", "2016-03-31", "£728,678.00",
        "0 of 2 used (6 months available, 6 months available)", "CPR 9.1, CPR 9.2", "2017-03-31",
        "£1,457,356.00 (derived)"}},
      {"LCC-DIP-DISC-2015", {"DISC", "£466,629.00", "0 of 2 used"}},
      {"LCC-DIP-CASMACO-2015", {"Casmaco Ltd", "£10,800.00", "0 of 2 used"}},
      {"LCC-DIP-CRI-OLD", {"terminated", "2015-03-31", "superseded", "Value           not stated"}},
      // seed 004: Leeds NDTi waiver of CPR 8.1/8.2 and award of £47,600.
      {"LCC-NDTI-AOC-2019", {"National Development Team for Inclusion", "£47,600.00", "CPR 8.1"}},
      // seed 000: Leicestershire IPS direct award under exception, OHID grant £414,000.
      {"LEICS-IPS-ITS-2024",
       {"Leicestershire County Council", "Intuitive Thinking Skills", "2024-04-01", "2026-03-31",
        "£414,000.00", "direct_award", "light touch",
        "Office for Health Improvement and Disparities"}},
      // seed 002: OPCC funding per financial year (Table 1, and Table 2 for Rutland), the
      // amounts for the optional extension apart; the partners as participants.
      {"LLR-SMTS-2016",
       {"2016-07-01", "Police and Crime Commissioner for Leicestershire", "2017/18", "£447,424.00",
        "£1,795,636.00 committed", "£448,909.00 if extended", "Leicester City Council",
        "NHS England (North)", "Rutland County Council", "£1,114.00 if option 1 is exercised"}},
      // seed 003: Northamptonshire contract with its option to extend to 2026, exercised; its
      // annual value; North Northamptonshire's 48.6%.
      {"NNC-WNC-ADULT-CGL-2018",
       {"Change Grow Live", "2026-03-31", "1 of 1 used", "annual £5,394,000.00",
        "North Northamptonshire Council 48.60%"}},
  };
  for (const auto& e : expects) {
    auto r = Run({"show", e.id});
    ASSERT_EQ(r.status, 0) << e.id << ": " << r.err;
    for (const auto& f : e.facts) ExpectContains(r.out, f);
  }
  auto list = Run({"list"});
  ASSERT_EQ(list.status, 0);
  ExpectContains(list.out, "NNC-WNC-YOS-SLA-2023");
  // Loading the demo twice appends nothing.
  auto again = Run({"demo"});
  ASSERT_EQ(again.status, 0);
  ExpectContains(again.out, "0 events appended");
}

TEST_F(CliTest, LeedsCriAcceptsTwoExtensionsAndRefusesAThird) {
  LoadDemo();
  const std::string lines =
      R"({"contract_id":"LCC-DIP-CRI-2015","effective_date":"2016-03-01","decision":{"reference":"LCC-EXT-1"},"extension":{"new_end_date":"2016-09-30","value_pence_added":36433900}})"
      "\n"
      R"({"contract_id":"LCC-DIP-CRI-2015","effective_date":"2016-09-01","decision":{"reference":"LCC-EXT-2"},"extension":{"new_end_date":"2017-03-31","value_pence_added":36433900}})"
      "\n\n"
      R"({"contract_id":"LCC-DIP-CRI-2015","effective_date":"2017-03-01","extension":{"new_end_date":"2017-09-30"}})"
      "\n";
  WriteFile(data_.path().parent_path() / (data_.path().filename().string() + ".jsonl"), lines);
  auto r = Run({"import", "-"}, lines);
  EXPECT_EQ(r.status, 1);
  ExpectContains(r.err,
                 "line 4: no_extension_option: contract LCC-DIP-CRI-2015 has used 2 of 2 options; "
                 "current end 2017-03-31");
  auto show = Run({"show", "LCC-DIP-CRI-2015", "--json"});
  ASSERT_EQ(show.status, 0);
  auto state = ParseJson<v1::ContractState>(show.out, "show");
  ASSERT_TRUE(state.has_value()) << state.error().ToString();
  EXPECT_EQ(state->current_end_date(), "2017-03-31");
  EXPECT_EQ(state->options_used(), 2);
  EXPECT_EQ(state->current_value_pence(), 72867800 + 2 * 36433900);
  auto history = Run({"history", "LCC-DIP-CRI-2015"});
  ASSERT_EQ(history.status, 0);
  ExpectContains(history.out, "to 2016-09-30");
  ExpectContains(history.out, "to 2017-03-31");
  std::remove((data_.path().parent_path() / (data_.path().filename().string() + ".jsonl")).c_str());
}

TEST_F(CliTest, ImportStopsAtTheFirstRefusedLineAndIsIdempotent) {
  TempDir files;
  const std::string good =
      R"({"contract_id":"NDTI","event_id":"33333333-3333-4333-8333-000000000001","waiver":{"authority":"Leeds City Council","rules":["CPR 8.1","CPR 8.2"],"justification":"only provider of the programme","approved_by":"Director of Adults and Health"}})"
      "\n"
      R"({"contract_id":"NDTI","event_id":"33333333-3333-4333-8333-000000000002","expected_version":1,"award":{"authority":"Leeds City Council","title":"Art of Commissioning","supplier":{"name":"National Development Team for Inclusion"},"start_date":"2019-11-01","end_date":"2021-10-31","value_pence":4760000}})"
      "\n";
  const std::string bad =
      R"({"contract_id":"NDTI","event_id":"33333333-3333-4333-8333-000000000003","colour":"red","funding":{"funder":"Leeds","financial_year":"2019/20","amount_pence":1}})"
      "\n"
      R"({"contract_id":"NDTI","event_id":"33333333-3333-4333-8333-000000000004","funding":{"funder":"Leeds","financial_year":"2019/20","amount_pence":1}})"
      "\n";
  WriteFile(files.path() / "events.jsonl", good + bad);
  auto r = Run({"import", (files.path() / "events.jsonl").string()});
  EXPECT_EQ(r.status, 1);
  ExpectContains(r.err, "line 3: invalid_argument: event JSON: colour: Cannot find field");
  ExpectContains(r.err, "colour");
  auto show = Run({"show", "NDTI", "--json"});
  ASSERT_EQ(show.status, 0) << show.err;
  EXPECT_EQ(ParseJson<v1::ContractState>(show.out, "s")->version(), 2u);

  WriteFile(files.path() / "good.jsonl", good);
  auto again = Run({"import", (files.path() / "good.jsonl").string()});
  EXPECT_EQ(again.status, 0) << again.err;
  ExpectContains(again.out, "imported 0 events (2 already present)");

  auto missing = Run({"import", (files.path() / "nope.jsonl").string()});
  EXPECT_EQ(missing.status, 1);
  ExpectContains(missing.err, "cannot open");
  auto bad_id = Run({"show", "a/b"});
  EXPECT_EQ(bad_id.status, 1);
  ExpectContains(bad_id.err, "contract_id");
}

TEST_F(CliTest, ExportImportRoundTripGivesIdenticalStatesAndHead) {
  LoadDemo();
  auto r = Run(
      {"import", "-"},
      R"({"contract_id":"LCC-DIP-DISC-2015","effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})"
      "\n");
  ASSERT_EQ(r.status, 0) << r.err;
  auto exported = Run({"export"});
  ASSERT_EQ(exported.status, 0) << exported.err;
  TempDir copy;
  auto imported =
      RunContrack({"--data", copy.str(), "import", "--keep-record-times", "-"}, exported.out);
  ASSERT_EQ(imported.status, 0) << imported.err;
  auto v1 = Run({"verify"});
  auto v2 = RunContrack({"--data", copy.str(), "verify"});
  ASSERT_EQ(v1.status, 0);
  ASSERT_EQ(v2.status, 0);
  EXPECT_EQ(v1.out, v2.out);  // same event count and head hash
  ExpectContains(v1.out, "71 events");
  auto l1 = Run({"list", "--json"});
  auto l2 = RunContrack({"--data", copy.str(), "list", "--json"});
  EXPECT_EQ(l1.out, l2.out);
  auto partial = Run({"export", "--after", "69"});
  EXPECT_EQ(std::count(partial.out.begin(), partial.out.end(), '\n'), 2);
}

TEST_F(CliTest, VerifyNamesTheFirstTamperedSequenceAndRebuildRestoresViews) {
  LoadDemo();
  auto before = Run({"list", "--json"});
  auto rebuild = Run({"rebuild"});
  ASSERT_EQ(rebuild.status, 0) << rebuild.err;
  ExpectContains(rebuild.out, "70 events");
  EXPECT_EQ(Run({"list", "--json"}).out, before.out);
  {
    auto log = testing::OpenLog(data_.str());
    ASSERT_NE(log, nullptr);
    auto ev = log->ReadLog(9, 1);
    ASSERT_EQ(ev->size(), 1u);
    v1::EventRecord rec = (*ev)[0].record;
    rec.set_recorded_by("mallory");
    v1::StoredEvent stored;
    stored.set_record(rec.SerializeAsString());
    stored.set_hash((*ev)[0].hash);
    ASSERT_TRUE(storage::LogInternals::Db(*log)
                    ->Put(rocksdb::WriteOptions(),
                          storage::LogInternals::Cf(*log, storage::format::kEventsCf),
                          storage::format::EncodeBe64(10), stored.SerializeAsString())
                    .ok());
  }
  auto v = Run({"verify"});
  EXPECT_EQ(v.status, 1);
  ExpectContains(v.err, "chain broken at sequence 10");
}

}  // namespace
}  // namespace contrack

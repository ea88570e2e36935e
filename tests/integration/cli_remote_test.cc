// The contrack binary in remote mode against a real contrackd on loopback: the same answers as
// offline mode, refusals with the API's codes, and follow.
#include <gtest/gtest.h>

#include <filesystem>

#include "domain/codec.h"
#include "tests/support/server_process.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using testing::RunContrack;
using testing::TempDir;

void ExpectContains(const std::string& text, const std::string& needle) {
  EXPECT_NE(text.find(needle), std::string::npos) << "missing \"" << needle << "\" in:\n" << text;
}

class CliRemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto demo = RunContrack({"--data", data_.str(), "demo"});
    ASSERT_EQ(demo.status, 0) << demo.err;
    offline_show_ = RunContrack({"--data", data_.str(), "show", "LCC-DIP-DISC-2015", "--json"}).out;
    // A copy for offline answers while the service holds the store.
    std::filesystem::copy(data_.path(), copy_.path(),
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
    testing::WriteTokensFile(files_.path() / "tokens.json");
    ASSERT_TRUE(server_.Start(data_.str(), (files_.path() / "tokens.json").string()))
        << server_.Stderr();
    url_ = "http://127.0.0.1:" + std::to_string(server_.port());
  }
  testing::CommandResult Remote(const char* token, std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", url_, "--token", token});
    return RunContrack(args);
  }
  testing::CommandResult Offline(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", copy_.str()});
    return RunContrack(args);
  }
  // The service's event count and head hash.
  std::string Head() { return Remote(testing::kAuditorToken, {"verify"}).out; }
  // An event command the service must accept; returns its output.
  std::string Accepted(const char* token, const std::vector<std::string>& args) {
    auto r = Remote(token, args);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    ExpectContains(r.out, "recorded " + args[1] + " version ");
    ExpectContains(r.out, "Contract        " + args[1]);
    return r.out;
  }
  // An event command the service must refuse with `code`: exit 1, nothing written.
  std::string Refused(const char* token, const std::vector<std::string>& args,
                      const std::string& code) {
    const std::string before = Head();
    auto r = Remote(token, args);
    EXPECT_EQ(r.status, 1) << r.out;
    ExpectContains(r.err, "contrack: refused (" + code + "): ");
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(Head(), before) << "a refused command wrote";
    return r.err;
  }
  v1::HistoryEntry Last(const std::string& id) {
    auto r = Remote(testing::kAuditorToken, {"history", id, "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    auto h = ParseJson<v1::HistoryResponse>(r.out, "history");
    EXPECT_TRUE(h.has_value() && h->events_size() > 0) << r.out;
    return h && h->events_size() ? h->events(h->events_size() - 1) : v1::HistoryEntry();
  }

  TempDir data_, files_, copy_;
  testing::ServerProcess server_;
  std::string url_, offline_show_;
};

TEST_F(CliRemoteTest, ShowMatchesOfflineAndExtendRecordsThePrincipal) {
  auto show = Remote(testing::kLeedsOfficerToken, {"show", "LCC-DIP-DISC-2015", "--json"});
  ASSERT_EQ(show.status, 0) << show.err;
  EXPECT_EQ(show.out, offline_show_);

  auto ext = Remote(testing::kLeedsOfficerToken,
                    {"extend", "LCC-DIP-DISC-2015", "--to", "2016-09-30", "--effective",
                     "2016-03-01", "--decision-ref", "LCC-EXT-DISC-1", "--expected-version", "2"});
  ASSERT_EQ(ext.status, 0) << ext.err;
  ExpectContains(ext.out, "recorded LCC-DIP-DISC-2015 version 3");
  auto second = Remote(testing::kLeedsOfficerToken, {"extend", "LCC-DIP-DISC-2015", "--to",
                                                     "2017-03-31", "--effective", "2016-09-01"});
  ASSERT_EQ(second.status, 0) << second.err;
  auto third = Remote(testing::kLeedsOfficerToken, {"extend", "LCC-DIP-DISC-2015", "--to",
                                                    "2017-09-30", "--effective", "2017-03-01"});
  EXPECT_EQ(third.status, 1);
  ExpectContains(third.err,
                 "contrack: refused (no_extension_option): contract LCC-DIP-DISC-2015 has used 2 "
                 "of 2 options; current end 2017-03-31");
  auto stale =
      Remote(testing::kLeedsOfficerToken, {"vary", "LCC-DIP-DISC-2015", "--description", "scope",
                                           "--value-delta", "100", "--expected-version", "2"});
  EXPECT_EQ(stale.status, 1);
  ExpectContains(stale.err, "refused (version_conflict)");
  ExpectContains(stale.err, "(current version 4)");

  auto history = Remote(testing::kAuditorToken, {"history", "LCC-DIP-DISC-2015", "--json"});
  ASSERT_EQ(history.status, 0) << history.err;
  auto h = ParseJson<v1::HistoryResponse>(history.out, "history");
  ASSERT_TRUE(h.has_value()) << h.error().ToString();
  ASSERT_EQ(h->events_size(), 4);
  EXPECT_EQ(h->events(2).recorded_by(), testing::kLeedsOfficerPrincipal);
  EXPECT_EQ(h->events(2).body().decision().reference(), "LCC-EXT-DISC-1");
}

TEST_F(CliRemoteTest, RefusalsCarryTheApiCodes) {
  auto auditor = Remote(testing::kAuditorToken, {"terminate", "LCC-DIP-CRI-2015", "--date",
                                                 "2016-01-31", "--reason", "convenience"});
  EXPECT_EQ(auditor.status, 1);
  ExpectContains(auditor.err, "refused (forbidden)");
  auto other = Remote(testing::kLeicsOfficerToken, {"show", "LCC-DIP-CRI-2015"});
  EXPECT_EQ(other.status, 1);
  ExpectContains(other.err, "403 forbidden");
  auto bad = Remote("not-a-token-at-all", {"list"});
  EXPECT_EQ(bad.status, 1);
  ExpectContains(bad.err, "401 unauthorized");
  auto missing = Remote(testing::kAdminToken, {"show", "NOPE"});
  EXPECT_EQ(missing.status, 1);
  ExpectContains(missing.err, "404 not_found");
  auto offline_only = Remote(testing::kAdminToken, {"rebuild"});
  EXPECT_EQ(offline_only.status, 2);
  auto unreachable = RunContrack({"--url", "http://127.0.0.1:1", "--token", "x", "list"});
  EXPECT_EQ(unreachable.status, 1);
  ExpectContains(unreachable.err, "cannot reach the service");
}

TEST_F(CliRemoteTest, RecordFromFileAndFollowTheFeed) {
  TempDir files;
  testing::WriteFile(
      files.path() / "ext.json",
      R"({"event_id":"44444444-4444-4444-8444-000000000001","effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})");
  auto rec = Remote(testing::kLeedsOfficerToken, {"record", "LCC-DIP-CASMACO-2015", "--file",
                                                  (files.path() / "ext.json").string()});
  ASSERT_EQ(rec.status, 0) << rec.err;
  ExpectContains(rec.out, "recorded LCC-DIP-CASMACO-2015 version 3 sequence 71");
  auto again = Remote(testing::kLeedsOfficerToken, {"record", "LCC-DIP-CASMACO-2015", "--file",
                                                    (files.path() / "ext.json").string()});
  ASSERT_EQ(again.status, 0) << again.err;
  ExpectContains(again.out, "already recorded LCC-DIP-CASMACO-2015 version 3 sequence 71");

  auto follow =
      Remote(testing::kAuditorToken, {"follow", "--after", "62", "--max-events", "3", "--json"});
  ASSERT_EQ(follow.status, 0) << follow.err;
  std::vector<uint64_t> seqs;
  size_t pos = 0;
  while (pos < follow.out.size()) {
    const size_t nl = follow.out.find('\n', pos);
    auto e = ParseJson<v1::HistoryEntry>(follow.out.substr(pos, nl - pos), "line");
    ASSERT_TRUE(e.has_value()) << e.error().ToString();
    seqs.push_back(e->sequence());
    pos = nl + 1;
  }
  EXPECT_EQ(seqs, (std::vector<uint64_t>{63, 64, 65}));
  auto verify = Remote(testing::kAuditorToken, {"verify"});
  EXPECT_EQ(verify.status, 0);
  ExpectContains(verify.out, "ok: 71 events");
}

TEST_F(CliRemoteTest, EveryEventCommandIsRecordedAndRefusedOverHttp) {
  const char* leeds = testing::kLeedsOfficerToken;
  const std::string cri = "LCC-DIP-CRI-2015";
  // award: a value not given stays absent over HTTP too.
  ExpectContains(
      Accepted(leeds, {"award", "LCC-NEW-2016", "--authority", "Leeds City Council", "--title",
                       "Recovery hub", "--supplier", "Forward Leeds", "--start-date", "2016-04-01",
                       "--end-date", "2017-03-31", "--annual-value", "£250,000", "--option-months",
                       "12", "--participant", "Wakefield Council:20%"}),
      "Value           not stated (original not stated; annual £250,000.00)");
  const auto award = Last("LCC-NEW-2016");
  EXPECT_EQ(award.recorded_by(), testing::kLeedsOfficerPrincipal);
  EXPECT_FALSE(award.body().award().has_value_pence());
  EXPECT_EQ(award.body().award().annual_value_pence(), 25000000);
  EXPECT_EQ(award.body().award().participants(0).share_basis_points(), 2000);
  Refused(leeds,
          {"award", cri, "--authority", "Leeds City Council", "--title", "again", "--supplier",
           "CRI", "--start-date", "2015-04-01"},
          "already_awarded");
  // waive
  ExpectContains(
      Accepted(leeds, {"waive", "LCC-WAIVER-2016", "--authority", "Leeds City Council", "--rule",
                       "CPR 8.1", "--justification", "sole provider", "--approved-by", "Director"}),
      "CPR 8.1 waived; approved by Director");
  Refused(leeds,
          {"waive", "LCC-DIP-CRI-OLD", "--rule", "CPR 9.1", "--justification", "late",
           "--approved-by", "Director"},
          "contract_terminated");
  // extend, twice, then no option is left.
  ExpectContains(Accepted(leeds, {"extend", cri, "--effective-date", "2016-03-01", "--new-end-date",
                                  "2016-09-30", "--value-added", "£364,339", "--decision-reference",
                                  "LCC-EXT-1", "--expected-version", "2"}),
                 "1 of 2 used (6 months exercised 2016-03-01, 6 months available)");
  EXPECT_EQ(Last(cri).body().extension().value_pence_added(), 36433900);
  Accepted(leeds,
           {"extend", cri, "--effective-date", "2016-09-01", "--new-end-date", "2017-03-31"});
  auto third = Remote(
      leeds, {"extend", cri, "--effective-date", "2017-03-01", "--new-end-date", "2017-09-30"});
  EXPECT_EQ(third.status, 1);
  EXPECT_EQ(third.err,
            "contrack: refused (no_extension_option): contract LCC-DIP-CRI-2015 has used 2 of 2 "
            "options; current end 2017-03-31\n");
  // decline-option
  Refused(leeds, {"decline-option", "LCC-DIP-DISC-2015", "--option", "2"}, "option_not_next");
  ExpectContains(Accepted(leeds, {"decline-option", "LCC-DIP-DISC-2015", "--reason",
                                  "recommissioned", "--effective-date", "2016-01-15"}),
                 "0 of 2 used, 2 declined");
  // vary: a negative delta; participants replaced, then cleared.
  ExpectContains(Accepted(leeds, {"vary", "LCC-NEW-2016", "--description", "smaller hub",
                                  "--value-delta", "-10,000", "--participants",
                                  "Wakefield Council:25%", "--effective-date", "2016-05-01"}),
                 "Wakefield Council 25.00%");
  EXPECT_EQ(Last("LCC-NEW-2016").body().variation().value_delta_pence(), -1000000);
  Accepted(leeds, {"vary", "LCC-NEW-2016", "--description", "Wakefield withdraws",
                   "--no-participants", "--effective-date", "2016-06-01"});
  EXPECT_TRUE(Last("LCC-NEW-2016").body().variation().has_participants());
  Refused(leeds, {"vary", "LCC-DIP-CRI-OLD", "--description", "late"}, "contract_terminated");
  // novate
  ExpectContains(Accepted(leeds, {"novate", "LCC-DIP-CASMACO-2015", "--supplier", "Casmaco Two",
                                  "--reason", "merger", "--effective-date", "2015-10-01"}),
                 "Supplier        Casmaco Two");
  Refused(leeds, {"novate", "LCC-DIP-CRI-OLD", "--supplier", "X"}, "contract_terminated");
  // fund
  ExpectContains(
      Accepted(leeds, {"fund", "LCC-NEW-2016", "--funder", "Safer Leeds", "--financial-year",
                       "2016/17", "--amount", "250,000.00", "--effective-date", "2016-04-01"}),
      "2016/17  Safer Leeds  £250,000.00");
  EXPECT_EQ(Last("LCC-NEW-2016").body().funding().amount_pence(), 25000000);
  Refused(leeds,
          {"fund", "LCC-NOTHING", "--funder", "F", "--financial-year", "2016/17", "--amount", "1"},
          "first_event_must_be_award_or_waiver");
  // terminate
  Refused(leeds,
          {"terminate", "LCC-NEW-2016", "--termination-date", "2016-01-31", "--reason", "mutual"},
          "termination_before_start");
  ExpectContains(
      Accepted(leeds, {"terminate", "LCC-NEW-2016", "--termination-date", "2016-12-31", "--reason",
                       "breach", "--rule", "clause 14", "--effective-date", "2016-11-01"}),
      "Terminated      2016-12-31 (breach)");
  // correct: retract the termination.
  const std::string termination = Last("LCC-NEW-2016").event_id();
  Refused(leeds,
          {"correct", "LCC-NEW-2016", "--corrects", "11111111-2222-4333-8444-555555555555",
           "--reason", "x"},
          "invalid_correction");
  ExpectContains(Accepted(leeds, {"correct", "LCC-NEW-2016", "--corrects", termination, "--reason",
                                  "entered in error"}),
                 "Retracted       " + termination);
  // expire
  Refused(leeds, {"expire", "LCC-NDTI-AOC-2019", "--effective-date", "2020-01-01"},
          "expiry_before_end");
  ExpectContains(Accepted(leeds, {"expire", "LCC-NDTI-AOC-2019", "--reason", "programme ended",
                                  "--effective-date", "2021-11-01"}),
                 "Status          expired");
  // reassign: an admin's event only.
  Refused(leeds,
          {"reassign", "LCC-WAIVER-2016", "--authority", "Wakefield Council", "--reason", "r"},
          "forbidden");
  ExpectContains(Accepted(testing::kAdminToken,
                          {"reassign", "LCC-WAIVER-2016", "--authority", "Wakefield Council",
                           "--reason", "recorded under the wrong council"}),
                 "Authority       Wakefield Council");
  // Bad flags: refused before any request.
  const std::string before = Head();
  auto bad = Remote(leeds, {"extend", "LCC-DIP-DISC-2015", "--new-end-date", "2016-09-30",
                            "--value-added", "12.345"});
  EXPECT_EQ(bad.status, 2);
  ExpectContains(bad.err, "--value-added: \"12.345\" has more than two decimal places");
  EXPECT_EQ(Head(), before);
}

TEST_F(CliRemoteTest, ListFiltersOfflineEqualTheHttpAnswer) {
  const std::vector<std::vector<std::string>> filters = {
      {},
      {"--authority", "Leeds City Council"},
      {"--authority", "West Northamptonshire Council"},
      {"--authority", "Nobody"},
      {"--supplier", "cri"},
      {"--supplier", "CHANGE grow"},
      {"--status", "terminated"},
      {"--status", "lapsed"},
      {"--as-of", "2016-01-01", "--status", "active"},
      {"--as-of", "2016-01-01", "--authority", "Leeds City Council", "--supplier", "casmaco"},
      {"--as-of", "2016-06-30", "--known-at", "2016-03-01T00:00:00Z"},
  };
  for (const auto& f : filters) {
    for (const char* format : {"--json", ""}) {
      std::vector<std::string> args = {"list"};
      args.insert(args.end(), f.begin(), f.end());
      if (*format) args.push_back(format);
      auto offline = Offline(args);
      auto remote = Remote(testing::kAuditorToken, args);
      std::string shown;
      for (const auto& a : args) shown += a + " ";
      ASSERT_EQ(offline.status, 0) << shown << offline.err;
      ASSERT_EQ(remote.status, 0) << shown << remote.err;
      EXPECT_EQ(offline.out, remote.out) << shown;
    }
  }
  auto leeds = Offline({"list", "--authority", "Leeds City Council", "--json"});
  EXPECT_EQ(ParseJson<v1::ContractList>(leeds.out, "list")->contracts_size(), 8);
}

TEST_F(CliRemoteTest, CsvOfflineEqualsRemoteAndParsesBack) {
  const std::vector<std::vector<std::string>> commands = {
      {"alerts", "--as-of", "2016-01-01", "--within-days", "90", "--csv"},
      {"alerts", "--as-of", "2023-06-01", "--within-days", "365", "--csv"},
      {"history", "LCC-DIP-CRI-2015", "--csv"},
      {"history", "LLR-SMTS-2016", "--csv"},
      {"funding", "--csv"},
      {"funding", "--csv", "--authority", "West Northamptonshire Council"},
  };
  for (const auto& args : commands) {
    auto offline = Offline(args);
    auto remote = Remote(testing::kAuditorToken, args);
    ASSERT_EQ(offline.status, 0) << args[0] << offline.err;
    ASSERT_EQ(remote.status, 0) << args[0] << remote.err;
    EXPECT_EQ(offline.out, remote.out) << args[0];
    auto rows = testing::ParseCsv(remote.out);
    ASSERT_GE(rows.size(), 2u) << remote.out;
    for (const auto& row : rows) EXPECT_EQ(row.size(), rows[0].size()) << remote.out;
  }
}

}  // namespace
}  // namespace contrack

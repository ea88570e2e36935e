// The contrack binary in remote mode against a real contrackd on loopback: the same answers as
// offline mode, refusals with the API's codes, and follow.
#include <gtest/gtest.h>

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
    testing::WriteTokensFile(files_.path() / "tokens.json");
    ASSERT_TRUE(server_.Start(data_.str(), (files_.path() / "tokens.json").string()))
        << server_.Stderr();
    url_ = "http://127.0.0.1:" + std::to_string(server_.port());
  }
  testing::CommandResult Remote(const char* token, std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", url_, "--token", token});
    return RunContrack(args);
  }
  TempDir data_, files_;
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
  ExpectContains(rec.out, "recorded LCC-DIP-CASMACO-2015 version 3 sequence 58");
  auto again = Remote(testing::kLeedsOfficerToken, {"record", "LCC-DIP-CASMACO-2015", "--file",
                                                    (files.path() / "ext.json").string()});
  ASSERT_EQ(again.status, 0) << again.err;
  ExpectContains(again.out, "already recorded LCC-DIP-CASMACO-2015 version 3 sequence 58");

  auto follow =
      Remote(testing::kAuditorToken, {"follow", "--after", "55", "--max-events", "3", "--json"});
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
  EXPECT_EQ(seqs, (std::vector<uint64_t>{56, 57, 58}));
  auto verify = Remote(testing::kAuditorToken, {"verify"});
  EXPECT_EQ(verify.status, 0);
  ExpectContains(verify.out, "ok: 58 events");
}

}  // namespace
}  // namespace contrack

// Issue 4's answers over HTTP against the demo data: bitemporal state, alerts, digests, the
// register and the funding report, each the same from the CLI (offline and remote) and HTTP.
#include <gtest/gtest.h>

#include "domain/codec.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using testing::HttpClient;
using testing::RunContrack;
using testing::TempDir;

class QueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto demo = RunContrack({"--data", data_.str(), "demo"});
    ASSERT_EQ(demo.status, 0) << demo.err;
    testing::WriteTokensFile(files_.path() / "tokens.json");
  }
  void StartServer() {
    ASSERT_TRUE(server_.Start(data_.str(), (files_.path() / "tokens.json").string()))
        << server_.Stderr();
    url_ = "http://127.0.0.1:" + std::to_string(server_.port());
  }
  void StopServer() {
    server_.Signal(SIGTERM);
    ASSERT_EQ(server_.Wait(), 0);
  }
  HttpClient Client(const char* token) {
    HttpClient c("127.0.0.1", server_.port());
    c.set_token(token);
    return c;
  }
  testing::CommandResult Offline(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", data_.str()});
    return RunContrack(args);
  }
  testing::CommandResult Remote(const char* token, std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", url_, "--token", token});
    return RunContrack(args);
  }
  TempDir data_, files_;
  testing::ServerProcess server_;
  std::string url_;
};

template <typename M>
M Parse(const std::string& json) {
  auto m = ParseJson<M>(json, "response");
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().ToString()) << "\n" << json;
  return m.value_or(M{});
}

TEST_F(QueriesTest, WhatNeededADecisionInTheNinetyDaysFrom2016IsTheSameEverywhere) {
  auto offline = Offline({"alerts", "--as-of", "2016-01-01", "--within-days", "90", "--json"});
  ASSERT_EQ(offline.status, 0) << offline.err;
  StartServer();
  auto http = Client(testing::kAuditorToken).Get("/v1/alerts?as_of=2016-01-01&within_days=90");
  ASSERT_EQ(http.status, 200) << http.body;
  auto remote = Remote(testing::kAuditorToken,
                       {"alerts", "--as-of", "2016-01-01", "--within-days", "90", "--json"});
  ASSERT_EQ(remote.status, 0) << remote.err;

  const auto a = Parse<v1::AlertsResponse>(http.body);
  EXPECT_EQ(Parse<v1::AlertsResponse>(offline.out).SerializeAsString(), a.SerializeAsString());
  EXPECT_EQ(Parse<v1::AlertsResponse>(remote.out).SerializeAsString(), a.SerializeAsString());
  ASSERT_EQ(a.alerts_size(), 3);
  const std::string ids[] = {"LCC-DIP-CASMACO-2015", "LCC-DIP-CRI-2015", "LCC-DIP-DISC-2015"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(a.alerts(i).contract_id(), ids[i]);
    EXPECT_EQ(a.alerts(i).action(), "exercise_or_decline_option");
    EXPECT_EQ(a.alerts(i).deadline(), "2016-01-01");
    EXPECT_EQ(a.alerts(i).end_date(), "2016-03-31");
    EXPECT_EQ(a.alerts(i).options_left(), 2);
    EXPECT_EQ(a.alerts(i).authority(), "Leeds City Council");
  }
  // A past date: every contract as it stood then, read from its events.
  EXPECT_EQ(a.index_entries_read(), 0u);
  EXPECT_EQ(a.states_read(), 17u);

  // As known at 1 December 2015: the same three (the demo's 2016 decisions came later).
  auto known = Client(testing::kAuditorToken)
                   .Get("/v1/alerts?as_of=2016-01-01&known_at=2015-12-01T00:00:00Z");
  ASSERT_EQ(known.status, 200) << known.body;
  const auto k = Parse<v1::AlertsResponse>(known.body);
  EXPECT_EQ(k.known_at(), "2015-12-01T00:00:00.000000Z");
  ASSERT_EQ(k.alerts_size(), 3);

  // Today (the default): the index only.
  auto today = Client(testing::kAuditorToken).Get("/v1/alerts");
  ASSERT_EQ(today.status, 200) << today.body;
  EXPECT_EQ(Parse<v1::AlertsResponse>(today.body).states_read(), 0u);

  // An officer of another authority sees none of them; a bad date is refused.
  auto leics = Client(testing::kLeicsOfficerToken).Get("/v1/alerts?as_of=2016-01-01");
  ASSERT_EQ(leics.status, 200);
  EXPECT_EQ(Parse<v1::AlertsResponse>(leics.body).alerts_size(), 0);
  EXPECT_EQ(Client(testing::kAuditorToken).Get("/v1/alerts?as_of=2016-02-30").status, 400);
  EXPECT_EQ(Client(testing::kAuditorToken).Get("/v1/alerts?within_days=9999").status, 400);
  EXPECT_EQ(Client(testing::kAuditorToken).Get("/v1/alerts?months=121").status, 400);
  EXPECT_EQ(Client(testing::kAuditorToken).Get("/v1/alerts?known_at=yesterday").status, 400);
}

// Alerts as of a past date are the contracts as they stood then: on 1 January 2015 the Leeds
// contracts the interim ones replaced were live (and the interim ones not yet awarded); on
// 1 June 2023 CGL's option was still unused.
TEST_F(QueriesTest, AlertsAsOfAPastDateAreTheContractsAsTheyStood) {
  auto before = Offline({"alerts", "--as-of", "2015-01-01", "--json"});
  ASSERT_EQ(before.status, 0) << before.err;
  const auto b = Parse<v1::AlertsResponse>(before.out);
  std::vector<std::string> ids;
  for (const auto& x : b.alerts()) ids.push_back(x.contract_id() + " " + x.action());
  EXPECT_EQ(ids,
            (std::vector<std::string>{"LCC-DIP-CRI-OLD reprocure", "LCC-DIP-DISC-OLD reprocure",
                                      "LCC-MICASE-OLD reprocure"}));

  auto plan = Offline({"alerts", "--as-of", "2023-06-01", "--months", "12", "--json"});
  ASSERT_EQ(plan.status, 0) << plan.err;
  const auto p = Parse<v1::AlertsResponse>(plan.out);
  EXPECT_EQ(p.months(), 12);
  EXPECT_EQ(p.within_days(), 365);  // to 31 May 2024
  bool cgl = false, cgl_notice = false;
  for (const auto& x : p.alerts()) {
    if (x.contract_id() != "NNC-WNC-ADULT-CGL-2018") continue;
    if (x.action() == "publish_award_notice") {
      // PCR 2015 reg. 50: 30 days after the 2018-04-01 award; no notice is recorded.
      cgl_notice = true;
      EXPECT_EQ(x.deadline(), "2018-05-01");
      EXPECT_EQ(x.notice_type(), "contract_award_notice");
      EXPECT_EQ(x.regime(), "pcr2015");
      continue;
    }
    if (x.action().starts_with("publish_")) continue;
    cgl = true;
    EXPECT_EQ(x.action(), "exercise_or_decline_option");
    EXPECT_EQ(x.deadline(), "2024-01-01");
    EXPECT_EQ(x.month(), "2024-01");
    EXPECT_EQ(x.options_left(), 1);
  }
  EXPECT_TRUE(cgl) << plan.out;
  EXPECT_TRUE(cgl_notice) << plan.out;
  // The plan as text: what is overdue, then one section per month.
  auto text = Offline({"alerts", "--as-of", "2023-06-01", "--months", "12"});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("Overdue (deadline before 2023-06-01): 20"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("\n2024-01: 1\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("\n2024-05: 0\n"), std::string::npos) << text.out;

  // The same plan over HTTP and from the remote CLI.
  StartServer();
  auto http = Client(testing::kAuditorToken).Get("/v1/alerts?as_of=2023-06-01&months=12");
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(Parse<v1::AlertsResponse>(http.body).SerializeAsString(), p.SerializeAsString());
  auto remote = Remote(testing::kAuditorToken,
                       {"alerts", "--as-of", "2023-06-01", "--months", "12", "--json"});
  ASSERT_EQ(remote.status, 0) << remote.err;
  EXPECT_EQ(Parse<v1::AlertsResponse>(remote.out).SerializeAsString(), p.SerializeAsString());
}

TEST_F(QueriesTest, BitemporalStateOverHttpAndTheCli) {
  StartServer();
  auto officer = Client(testing::kLeedsOfficerToken);
  auto ext = officer.Post(
      "/v1/contracts/LCC-DIP-CRI-2015/events",
      R"({"expected_version":2,"events":[{"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}}]})");
  ASSERT_EQ(ext.status, 201) << ext.body;
  // As at 30 June 2016, as known before this extension was recorded (it was recorded now).
  auto before =
      officer.Get("/v1/contracts/LCC-DIP-CRI-2015?as_of=2016-06-30&known_at=2016-03-01T00:00:00Z");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(Parse<v1::ContractState>(before.body).current_end_date(), "2016-03-31");
  EXPECT_EQ(Parse<v1::ContractState>(before.body).status(), "lapsed");
  auto now = officer.Get("/v1/contracts/LCC-DIP-CRI-2015?as_of=2016-06-30");
  EXPECT_EQ(Parse<v1::ContractState>(now.body).current_end_date(), "2016-09-30");
  EXPECT_EQ(Parse<v1::ContractState>(now.body).status(), "active");
  auto remote =
      Remote(testing::kLeedsOfficerToken, {"show", "LCC-DIP-CRI-2015", "--as-of", "2016-06-30",
                                           "--known-at", "2016-03-01T00:00:00Z", "--json"});
  ASSERT_EQ(remote.status, 0) << remote.err;
  EXPECT_EQ(Parse<v1::ContractState>(remote.out).SerializeAsString(),
            Parse<v1::ContractState>(before.body).SerializeAsString());
  EXPECT_EQ(officer.Get("/v1/contracts/LCC-DIP-CRI-2015?known_at=2014-01-01T00:00:00Z").status,
            404);
  EXPECT_EQ(officer.Get("/v1/contracts/LCC-DIP-CRI-2015?known_at=yesterday").status, 400);
  // The list answers as of a date too: before 2016 the LLR service (from 1 July 2016) is absent.
  auto list = Client(testing::kAuditorToken).Get("/v1/contracts?as_of=2015-12-31&limit=1000");
  ASSERT_EQ(list.status, 200);
  const auto contracts = Parse<v1::ContractList>(list.body);
  bool llr = false, cri = false;
  for (const auto& c : contracts.contracts()) {
    llr |= c.contract_id() == "LLR-SMTS-2016";
    cri |= c.contract_id() == "LCC-DIP-CRI-2015";
  }
  EXPECT_FALSE(llr);
  EXPECT_TRUE(cri);

  StopServer();
  auto offline = Offline({"show", "LCC-DIP-CRI-2015", "--as-of", "2016-06-30", "--known-at",
                          "2016-03-01T00:00:00Z", "--json"});
  ASSERT_EQ(offline.status, 0) << offline.err;
  EXPECT_EQ(Parse<v1::ContractState>(offline.out).SerializeAsString(),
            Parse<v1::ContractState>(before.body).SerializeAsString());
}

TEST_F(QueriesTest, ADigestTakenEarlierIsStillAPrefix) {
  StartServer();
  auto auditor = Client(testing::kAuditorToken);
  const auto head = Parse<v1::VerifyResponse>(auditor.Get("/v1/verify").body);
  ASSERT_TRUE(head.ok());
  const std::string digest = std::to_string(head.head_sequence()) + ":" + head.head_hash();
  auto ext =
      Client(testing::kLeedsOfficerToken)
          .Post(
              "/v1/contracts/LCC-DIP-DISC-2015/events",
              R"({"events":[{"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}}]})");
  ASSERT_EQ(ext.status, 201);
  auto v = auditor.Get("/v1/verify?digest=" + digest);
  ASSERT_EQ(v.status, 200) << v.body;
  const auto checked = Parse<v1::VerifyResponse>(v.body);
  EXPECT_TRUE(checked.digest_ok());
  EXPECT_EQ(checked.head_sequence(), head.head_sequence() + 1);
  std::string forged = digest;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_FALSE(
      Parse<v1::VerifyResponse>(auditor.Get("/v1/verify?digest=" + forged).body).digest_ok());
  EXPECT_EQ(auditor.Get("/v1/verify?digest=nonsense").status, 400);
  auto cli_ok = Remote(testing::kAuditorToken, {"verify", "--digest", digest});
  EXPECT_EQ(cli_ok.status, 0) << cli_ok.err;
  EXPECT_NE(cli_ok.out.find("digest ok"), std::string::npos);
  auto cli_bad = Remote(testing::kAuditorToken, {"verify", "--digest", forged});
  EXPECT_EQ(cli_bad.status, 1);
  EXPECT_NE(cli_bad.err.find("digest broken"), std::string::npos);
}

TEST_F(QueriesTest, RegisterAndFundingReportsMatchTheCli) {
  auto offline_csv = Offline({"register"});
  auto offline_funding = Offline({"funding", "--json"});
  ASSERT_EQ(offline_csv.status, 0);
  ASSERT_EQ(offline_funding.status, 0);
  StartServer();
  auto auditor = Client(testing::kAuditorToken);
  auto csv = auditor.Get("/v1/reports/register.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.Header("content-type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv.body, offline_csv.out);
  EXPECT_NE(csv.body.find("LEICS-IPS-ITS-2024,Leicestershire County Council,"), std::string::npos);
  EXPECT_NE(csv.body.find(",414000.00,"), std::string::npos);
  // 16 contracts, every one awarded: 17 records.
  size_t records = 0;
  for (size_t p = csv.body.find("\r\n"); p != std::string::npos; p = csv.body.find("\r\n", p + 2)) {
    ++records;
  }
  EXPECT_EQ(records, 18u);
  // An officer sees its own authority only.
  auto leeds = Client(testing::kLeedsOfficerToken).Get("/v1/reports/register.csv");
  EXPECT_EQ(leeds.body.find("Leicestershire"), std::string::npos);
  EXPECT_NE(leeds.body.find("LCC-DIP-CRI-2015"), std::string::npos);
  EXPECT_EQ(Client(testing::kLeedsOfficerToken)
                .Get("/v1/reports/register.csv?authority=Leicestershire%20County%20Council")
                .status,
            403);
  // As of 2015: the Leicestershire and Northamptonshire contracts did not exist yet.
  auto early = auditor.Get("/v1/reports/register.csv?as_of=2015-06-30");
  EXPECT_EQ(early.body.find("LEICS-IPS"), std::string::npos);
  EXPECT_NE(early.body.find("LCC-DIP-CRI-2015"), std::string::npos);

  auto funding = auditor.Get("/v1/reports/funding");
  ASSERT_EQ(funding.status, 200);
  const auto report = Parse<v1::FundingReport>(funding.body);
  EXPECT_EQ(report.SerializeAsString(),
            Parse<v1::FundingReport>(offline_funding.out).SerializeAsString());
  // Seed 002: the OPCC commits £1,789,696 to the LLR service, £447,424 more if extended.
  int64_t opcc = 0, opcc_conditional = 0;
  for (const auto& r : report.rows()) {
    if (r.funder() == "Police and Crime Commissioner for Leicestershire" &&
        r.authority() == "Leicestershire County Council") {
      opcc += r.committed_pence();
      opcc_conditional += r.conditional_pence();
    }
  }
  EXPECT_EQ(opcc, 178969600);
  EXPECT_EQ(opcc_conditional, 44742400);
}

TEST_F(QueriesTest, OcdsPackagesAreTheSameFromTheCliAndHttpAndValid) {
  auto offline = Offline({"ocds", "LCC-DIP-CRI-2015"});
  auto offline_record = Offline({"ocds", "LCC-DIP-CRI-2015", "--record"});
  ASSERT_EQ(offline.status, 0) << offline.err;
  ASSERT_EQ(offline_record.status, 0) << offline_record.err;
  StartServer();
  auto auditor = Client(testing::kAuditorToken);
  auto release = auditor.Get("/v1/ocds/LCC-DIP-CRI-2015");
  ASSERT_EQ(release.status, 200) << release.body;
  EXPECT_EQ(release.body, offline.out);
  auto record = auditor.Get("/v1/ocds/LCC-DIP-CRI-2015?record=true");
  ASSERT_EQ(record.status, 200) << record.body;
  EXPECT_EQ(record.body, offline_record.out);
  EXPECT_NE(record.body.find("\"compiledRelease\""), std::string::npos);
  EXPECT_NE(release.body.find("\"ocid\": \"ocds-contrack-LCC-DIP-CRI-2015\""), std::string::npos);
  EXPECT_EQ(Remote(testing::kAuditorToken, {"ocds", "LCC-DIP-CRI-2015"}).out, release.body);
  EXPECT_EQ(Client(testing::kLeicsOfficerToken).Get("/v1/ocds/LCC-DIP-CRI-2015").status, 403);
  EXPECT_EQ(auditor.Get("/v1/ocds/LCC-DIP-CRI-2015?record=maybe").status, 400);
  EXPECT_EQ(auditor.Get("/v1/ocds/NOPE").status, 404);

  // What HTTP serves is valid against the official schemas.
  testing::WriteFile(files_.path() / "release.json", release.body);
  testing::WriteFile(files_.path() / "record.json", record.body);
  const std::string cmd =
      "/usr/bin/python3 '" + std::string(CONTRACK_SOURCE_DIR) + "/tests/ocds/validate_ocds.py' '" +
      (files_.path() / "release.json").string() + "' '" + (files_.path() / "record.json").string() +
      "' > '" + (files_.path() / "validate.out").string() + "' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << testing::ReadFile(files_.path() / "validate.out");
}

}  // namespace
}  // namespace contrack

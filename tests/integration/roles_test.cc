// contrackd's tokens and roles: who may read and write what, and whose name each event records.
#include "tests/integration/server_fixture.h"

namespace contrack::server_test {
namespace {

TEST_F(ServerTest, TokensAndRolesDecideWhoMayReadAndWrite) {
  CreateCri();
  CreateIps();
  const std::string fund_body = AppendBody({kFunding});

  // No token, an unknown token, a prefix or extension of a real one, another scheme: 401.
  const std::vector<std::optional<std::string>> bad_auth = {
      std::nullopt,
      "Bearer not-a-real-token-0123456789",
      "Bearer " + std::string(kLeedsOfficerToken).substr(0, 20),
      "Bearer " + std::string(kLeedsOfficerToken) + "x",
      "Basic " + std::string(kAdminToken),
      "Bearer",
      std::string(kAdminToken),
  };
  struct Route {
    std::string method, target;
  };
  const std::vector<Route> routes = {{"GET", ContractPath(kCri)},    {"GET", EventsPath(kCri)},
                                     {"GET", "/v1/contracts"},       {"GET", "/v1/feed?after=0"},
                                     {"GET", "/v1/verify"},          {"POST", EventsPath(kCri)},
                                     {"POST", EventsPath("LCC-NEW")}};
  HttpClient anon = Client();
  for (const auto& auth : bad_auth) {
    for (const auto& route : routes) {
      SCOPED_TRACE(route.method + " " + route.target + " with " + auth.value_or("no token"));
      HttpHeaders headers;
      if (auth) headers.emplace_back("Authorization", *auth);
      auto r = anon.Request(route.method, route.target,
                            route.method == "POST" ? AppendBody({kNdtiAward}) : "", headers);
      ASSERT_EQ(r.status, 401) << Describe(r);
      ErrorOf(r);
      EXPECT_FALSE(Contains(r.body, "DIP/IOM")) << "a refusal shows no contract data";
    }
  }

  // The Leicestershire officer may not read or write a Leeds contract, nor create one.
  auto leics = Client(kLeicsOfficerToken);
  for (const auto& target : {ContractPath(kCri), EventsPath(kCri)}) {
    auto r = leics.Get(target);
    EXPECT_EQ(r.status, 403) << target << ": " << Describe(r);
    ErrorOf(r);
    EXPECT_FALSE(Contains(r.body, "DIP/IOM"));
  }
  auto r = leics.Post(EventsPath(kCri), fund_body);
  EXPECT_EQ(r.status, 403) << Describe(r);
  r = leics.Post(EventsPath(kCri), AppendBody({kExt1}, 2));
  EXPECT_EQ(r.status, 403) << Describe(r);
  r = leics.Post(EventsPath(kNdti), AppendBody({kNdtiAward}));
  EXPECT_EQ(r.status, 403) << "a Leeds award by a Leicestershire officer: " << Describe(r);
  r = leics.Get("/v1/feed?after=0");
  EXPECT_EQ(r.status, 403) << Describe(r);
  r = leics.Get("/v1/contracts");
  ASSERT_EQ(r.status, 200) << Describe(r);
  auto listed = Parse<v1::ContractList>(r);
  ASSERT_EQ(listed.contracts_size(), 1) << r.body;
  EXPECT_EQ(listed.contracts(0).contract_id(), kIps);
  EXPECT_EQ(leics.Get(ContractPath(kIps)).status, 200);
  EXPECT_EQ(leics.Get("/v1/verify").status, 200);

  // The Leeds officer: its own contracts only, no feed.
  auto leeds = Client(kLeedsOfficerToken);
  EXPECT_EQ(leeds.Get(ContractPath(kIps)).status, 403);
  EXPECT_EQ(leeds.Post(EventsPath(kIps), fund_body).status, 403);
  EXPECT_EQ(leeds.Get("/v1/feed?after=0").status, 403);
  EXPECT_EQ(leeds.Get(ContractPath(kCri)).status, 200);
  EXPECT_EQ(leeds.Get(EventsPath(kCri)).status, 200);
  EXPECT_EQ(leeds.Get("/v1/verify").status, 200);

  // The auditor reads everything and writes nothing.
  auto auditor = Client(kAuditorToken);
  r = auditor.Post(EventsPath(kCri), fund_body);
  EXPECT_EQ(r.status, 403) << Describe(r);
  ErrorOf(r);
  r = auditor.Post(EventsPath("LCC-AUDITOR-NEW"), AppendBody({kNdtiAward}));
  EXPECT_EQ(r.status, 403) << Describe(r);
  for (const auto& target :
       {ContractPath(kCri), ContractPath(kIps), EventsPath(kCri), EventsPath(kIps),
        std::string("/v1/contracts"), std::string("/v1/feed?after=0"), std::string("/v1/verify")}) {
    auto g = auditor.Get(target);
    EXPECT_EQ(g.status, 200) << target << ": " << Describe(g);
  }
  EXPECT_EQ(Parse<v1::ContractList>(auditor.Get("/v1/contracts")).contracts_size(), 2);

  // Refused writes wrote nothing.
  EXPECT_EQ(Version(kCri), 2u);
  EXPECT_EQ(Version(kIps), 1u);
  EXPECT_EQ(Version(kNdti), 0u);
  EXPECT_EQ(Version("LCC-AUDITOR-NEW"), 0u);
  EXPECT_EQ(Verify().head_sequence(), 3u);

  // The admin does everything.
  auto admin = Client(kAdminToken);
  EXPECT_EQ(admin.Post(EventsPath(kCri), fund_body).status, 201);
  EXPECT_EQ(admin.Post(EventsPath(kIps), fund_body).status, 201);
  for (const auto& target :
       {ContractPath(kCri), ContractPath(kIps), EventsPath(kIps), std::string("/v1/contracts"),
        std::string("/v1/feed?after=0"), std::string("/v1/verify")}) {
    EXPECT_EQ(admin.Get(target).status, 200) << target;
  }
  EXPECT_EQ(Version(kCri), 3u);
  EXPECT_EQ(Version(kIps), 2u);

  // No token is needed for health and metrics.
  EXPECT_EQ(anon.Get("/healthz").status, 200);
  EXPECT_EQ(anon.Get("/metrics").status, 200);
}

// ---------------------------------------------------------------------------------------------
// 3. The recorded principal

TEST_F(ServerTest, HistoryRecordsTheTokensPrincipal) {
  ASSERT_EQ(Append(kLeedsOfficerToken, kCri, {kCriWaiver}, 0).status, 201);
  ASSERT_EQ(Append(kAdminToken, kCri, {kCriAward}, 1).status, 201);
  auto spoof =
      Append(kLeedsOfficerToken, kCri,
             {R"({"recorded_by":")" + std::string(kAdminPrincipal) +
              R"(","effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})"});
  EXPECT_EQ(spoof.status, 400) << Describe(spoof);
  ASSERT_EQ(Append(kLeedsOfficerToken, kCri, {kExt1}, 2).status, 201);
  ASSERT_EQ(Append(kLeicsOfficerToken, kIps, {kIpsAward}).status, 201);

  auto r = Client(kAuditorToken).Get(EventsPath(kCri));
  ASSERT_EQ(r.status, 200) << Describe(r);
  auto h = Parse<v1::HistoryResponse>(r);
  ASSERT_EQ(h.events_size(), 3);
  EXPECT_EQ(h.events(0).recorded_by(), kLeedsOfficerPrincipal);
  EXPECT_EQ(h.events(1).recorded_by(), kAdminPrincipal);
  EXPECT_EQ(h.events(2).recorded_by(), kLeedsOfficerPrincipal);
  auto feed = ReadFeed();
  ASSERT_EQ(feed.size(), 4u);
  EXPECT_EQ(feed[3].contract_id(), kIps);
  EXPECT_EQ(feed[3].recorded_by(), kLeicsOfficerPrincipal);
}

// ---------------------------------------------------------------------------------------------
// 4. Concurrency

}  // namespace
}  // namespace contrack::server_test

// The API's routes and roles, in process: Api::Handle with a real EventLog in a temporary
// directory, no sockets. Each route is asked by no token, officers in and outside the contract's
// authority, an auditor and an admin.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <future>
#include <string>
#include <thread>
#include <utility>  // before any Asio header (Boost 1.74 under C++23)
#include <vector>

#include "domain/codec.h"
#include "proto/contrack.pb.h"
#include "services/api/api.h"
#include "tests/support/test_support.h"

namespace contrack::api {
namespace {

using testing::kCriAward;
using testing::kCriWaiver;

constexpr char kCri[] = "LCC-DIP-CRI-2015";
constexpr char kLeedsOfficer[] = "leeds-officer-token-0001";
constexpr char kLeicsOfficer[] = "leics-officer-token-0001";
constexpr char kAuditor[] = "auditor-token-000000001";
constexpr char kAdmin[] = "admin-token-00000000001";
constexpr char kNoToken[] = "";

struct Answer {
  Response response;
  std::thread::id thread;  // where the answer was given
};

class ApiRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = testing::OpenLog((dir_.path() / "data").string());
    ASSERT_NE(log_, nullptr);
    ASSERT_TRUE(testing::AppendJson(*log_, kCri, kCriWaiver).has_value());
    ASSERT_TRUE(testing::AppendJson(*log_, kCri, kCriAward).has_value());
    const auto tokens = dir_.path() / "tokens.json";
    testing::WriteFile(
        tokens,
        std::string(R"({"tokens":[)") + R"({"token":")" + kLeedsOfficer +
            R"(","principal":"leeds","role":"officer","authorities":["Leeds City Council"]},)" +
            R"({"token":")" + kLeicsOfficer +
            R"(","principal":"leics","role":"officer","authorities":["Leicestershire County Council"]},)" +
            R"({"token":")" + kAuditor + R"(","principal":"audit","role":"auditor"},)" +
            R"({"token":")" + kAdmin + R"(","principal":"root","role":"admin"}]})");
    ASSERT_EQ(::chmod(tokens.c_str(), 0600), 0);
    auto store = TokenStore::Load(tokens.string());
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    tokens_ = std::move(*store);
    hub_ = std::make_unique<FeedHub>(log_->GetHead().sequence);
    api_ = std::make_unique<Api>(*log_, *tokens_, metrics_, *hub_, pool_.get_executor());
  }

  void TearDown() override { pool_.join(); }

  Answer Call(http::verb method, const std::string& target, const std::string& token,
              std::string body = "") {
    Request req;
    req.method = method;
    const auto name = http::to_string(method);
    req.method_text = std::string(name.data(), name.size());
    req.target = target;
    req.body = std::move(body);
    if (!token.empty()) req.authorization = std::string("Bearer ") + token;
    std::promise<Answer> answered;
    api_->Handle(std::move(req), ioc_.get_executor(), [&answered](Response r) {
      answered.set_value({std::move(r), std::this_thread::get_id()});
    });
    auto f = answered.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready) << target;
    return f.get();
  }

  unsigned Status(http::verb method, const std::string& target, const std::string& token,
                  std::string body = "") {
    return Call(method, target, token, std::move(body)).response.status;
  }

  static std::string Code(const Response& r) {
    auto e = ParseJson<v1::ErrorResponse>(r.body, "error");
    return e ? e->error().code() : "(not an error: " + r.body.substr(0, 200) + ")";
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<TokenStore> tokens_;
  Metrics metrics_;
  std::unique_ptr<FeedHub> hub_;
  net::io_context ioc_;
  net::thread_pool pool_{1};
  std::unique_ptr<Api> api_;
};

struct Case {
  http::verb method;
  std::string target;
  std::string route;  // the pattern reported for metrics
  // Statuses for: no token, Leeds officer, Leicestershire officer, auditor, admin.
  std::vector<unsigned> statuses;
};

TEST_F(ApiRoutesTest, EachRouteAnswersEachRoleAsDocumented) {
  const std::string contract = std::string("/v1/contracts/") + kCri;
  const std::vector<Case> cases = {
      {http::verb::get, "/healthz", "/healthz", {200, 200, 200, 200, 200}},
      {http::verb::get, "/metrics", "/metrics", {200, 200, 200, 200, 200}},
      {http::verb::get, "/v1/contracts", "/v1/contracts", {401, 200, 200, 200, 200}},
      {http::verb::get, contract, "/v1/contracts/{id}", {401, 200, 403, 200, 200}},
      {http::verb::get,
       contract + "?as_of=2015-06-01",
       "/v1/contracts/{id}",
       {401, 200, 403, 200, 200}},
      {http::verb::get, "/v1/contracts/NOPE", "/v1/contracts/{id}", {401, 404, 404, 404, 404}},
      {http::verb::get,
       contract + "/events",
       "/v1/contracts/{id}/events",
       {401, 200, 403, 200, 200}},
      {http::verb::get, "/v1/alerts?as_of=2016-01-01", "/v1/alerts", {401, 200, 200, 200, 200}},
      {http::verb::get,
       "/v1/alerts?authority=Leeds%20City%20Council",
       "/v1/alerts",
       {401, 200, 403, 200, 200}},
      {http::verb::get, "/v1/feed", "/v1/feed", {401, 403, 403, 200, 200}},
      {http::verb::get, "/v1/verify", "/v1/verify", {401, 200, 200, 200, 200}},
      {http::verb::get,
       "/v1/reports/register.csv",
       "/v1/reports/register.csv",
       {401, 200, 200, 200, 200}},
      {http::verb::get,
       "/v1/reports/register.csv?authority=Leeds+City+Council",
       "/v1/reports/register.csv",
       {401, 200, 403, 200, 200}},
      {http::verb::get, "/v1/reports/funding", "/v1/reports/funding", {401, 200, 200, 200, 200}},
      {http::verb::get,
       "/v1/reports/funding?authority=Leeds+City+Council",
       "/v1/reports/funding",
       {401, 200, 403, 200, 200}},
      {http::verb::get,
       std::string("/v1/ocds/") + kCri,
       "/v1/ocds/{id}",
       {401, 200, 403, 200, 200}},
      {http::verb::get, "/v1/admin/backup", "/v1/admin/backup", {401, 403, 403, 403, 200}},
      // Unknown routes are 404 for everyone, token or not.
      {http::verb::get, "/v1/nope", "unmatched", {404, 404, 404, 404, 404}},
      // The web interface's files need no token (the sign-in page must load).
      {http::verb::get, "/", "/", {200, 200, 200, 200, 200}},
      {http::verb::get, "/assets/app.css", "/assets/{path}", {200, 200, 200, 200, 200}},
      {http::verb::get, "/assets/nope.js", "/assets/{path}", {404, 404, 404, 404, 404}},
      {http::verb::get,
       "/assets/%2e%2e/%2e%2e/etc/passwd",
       "/assets/{path}",
       {404, 404, 404, 404, 404}},
      {http::verb::get, "/assets", "unmatched", {404, 404, 404, 404, 404}},
      // Sessions: any role exchanges its bearer token; DELETE needs a session cookie.
      {http::verb::post, "/v1/session", "/v1/session", {401, 201, 201, 201, 201}},
      {http::verb::get, "/v1/session", "/v1/session", {401, 200, 200, 200, 200}},
      {http::verb::delete_, "/v1/session", "/v1/session", {401, 400, 400, 400, 400}},
      {http::verb::put, "/v1/session", "/v1/session", {405, 405, 405, 405, 405}},
      // A known path with another method: 405, before any token is looked at.
      {http::verb::delete_, "/v1/contracts", "/v1/contracts", {405, 405, 405, 405, 405}},
      {http::verb::post, "/v1/admin/backup", "/v1/admin/backup", {405, 405, 405, 405, 405}},
      {http::verb::put,
       contract + "/events",
       "/v1/contracts/{id}/events",
       {405, 405, 405, 405, 405}},
  };
  const std::vector<std::string> tokens = {kNoToken, kLeedsOfficer, kLeicsOfficer, kAuditor,
                                           kAdmin};
  const std::vector<std::string> who = {"-", "leeds", "leics", "audit", "root"};
  for (const auto& c : cases) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      SCOPED_TRACE(c.target + " as " + who[i]);
      const Response r = Call(c.method, c.target, tokens[i]).response;
      EXPECT_EQ(r.status, c.statuses[i]) << r.body.substr(0, 300);
      EXPECT_EQ(r.route, c.route);
      if (r.status == 401) {
        EXPECT_EQ(Code(r), "unauthorized");
        EXPECT_EQ(r.principal, "-");
      } else if (c.route != "/healthz" && c.route != "/metrics" && c.route != "/" &&
                 c.route != "/assets/{path}" && r.status != 404 && r.status != 405) {
        EXPECT_EQ(r.principal, who[i]);
      }
      if (r.status == 403) {
        EXPECT_EQ(Code(r), "forbidden");
      }
      if (r.status == 404) {
        EXPECT_EQ(Code(r), "not_found");
      }
      if (r.status == 405) {
        EXPECT_EQ(Code(r), "method_not_allowed");
      }
    }
  }
}

TEST_F(ApiRoutesTest, AppendsAreAuthorisedInTheWritePath) {
  const std::string events = std::string("/v1/contracts/") + kCri + "/events";
  const std::string funding =
      R"({"events":[{"funding":{"funder":"Leeds City Council","financial_year":"2015/16",)"
      R"("amount_pence":100}}]})";
  const uint64_t head = log_->GetHead().sequence;
  EXPECT_EQ(Status(http::verb::post, events, kNoToken, funding), 401u);
  const Response auditor = Call(http::verb::post, events, kAuditor, funding).response;
  EXPECT_EQ(auditor.status, 403u);
  EXPECT_NE(auditor.body.find("auditors never write"), std::string::npos) << auditor.body;
  const Response leics = Call(http::verb::post, events, kLeicsOfficer, funding).response;
  EXPECT_EQ(leics.status, 403u);
  EXPECT_NE(leics.body.find("leics may not write contracts of Leeds City Council"),
            std::string::npos)
      << leics.body;
  EXPECT_EQ(log_->GetHead().sequence, head);
  EXPECT_EQ(Status(http::verb::post, events, kLeedsOfficer, funding), 201u);
  EXPECT_EQ(Status(http::verb::post, events, kAdmin, funding), 201u);
  EXPECT_EQ(log_->GetHead().sequence, head + 2);
}

TEST_F(ApiRoutesTest, A405NamesTheAllowedMethods) {
  const Response r =
      Call(http::verb::put, std::string("/v1/contracts/") + kCri + "/events", kAdmin).response;
  EXPECT_EQ(r.status, 405u);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "GET, POST");
  const Response get_only = Call(http::verb::post, "/v1/verify", kAdmin).response;
  ASSERT_EQ(get_only.headers.size(), 1u);
  EXPECT_EQ(get_only.headers[0].second, "GET");
}

TEST_F(ApiRoutesTest, A401AsksForABearerToken) {
  const Response none = Call(http::verb::get, "/v1/contracts", kNoToken).response;
  ASSERT_EQ(none.headers.size(), 1u);
  EXPECT_EQ(none.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(none.headers[0].second, "Bearer");
  EXPECT_EQ(Status(http::verb::get, "/v1/contracts", "not-a-known-token-at-all"), 401u);
}

TEST_F(ApiRoutesTest, WholeStoreReadsRunOnTheWorkerPool) {
  const auto here = std::this_thread::get_id();
  for (const char* target : {"/v1/contracts", "/v1/verify", "/v1/reports/register.csv",
                             "/v1/reports/funding", "/v1/alerts?as_of=2015-01-01"}) {
    const Answer a = Call(http::verb::get, target, kAuditor);
    EXPECT_EQ(a.response.status, 200u) << target;
    EXPECT_NE(a.thread, here) << target << " was answered on the calling (I/O) thread";
  }
  for (std::string target : {std::string("/v1/contracts/") + kCri, std::string("/healthz")}) {
    const Answer a = Call(http::verb::get, target, kAuditor);
    EXPECT_EQ(a.response.status, 200u) << target;
    EXPECT_EQ(a.thread, here) << target << " should be answered in the call";
  }
}

TEST_F(ApiRoutesTest, WithinDaysIsCheckedByTheLogAndItsErrorSurfaces) {
  const Response r = Call(http::verb::get, "/v1/alerts?within_days=9999", kAuditor).response;
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(Code(r), "invalid_argument");
  EXPECT_NE(r.body.find("within_days is 9999; it must be 0..3650"), std::string::npos) << r.body;
  EXPECT_EQ(Status(http::verb::get, "/v1/alerts?within_days=3650", kAuditor), 200u);
  EXPECT_EQ(Status(http::verb::get, "/v1/alerts?within_days=ninety", kAuditor), 400u);
}

// A joint contract's alerts are read by the officers of each participant, and `authority`
// matches a participant; past dates and known_at answer from the states.
TEST_F(ApiRoutesTest, AParticipantsOfficerSeesAJointContractsAlerts) {
  ASSERT_TRUE(
      testing::AppendJson(
          *log_, "JOINT-1",
          R"({"award":{"authority":"Leeds City Council","title":"joint","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31","participants":[{"authority":"Leicestershire County Council"}]}})")
          .has_value());
  auto alerts = [&](const std::string& target, const char* token) {
    const Response r = Call(http::verb::get, target, token).response;
    EXPECT_EQ(r.status, 200u) << target << " " << r.body;
    auto a = ParseJson<v1::AlertsResponse>(r.body, "alerts");
    EXPECT_TRUE(a.has_value()) << r.body;
    std::vector<std::string> ids;
    const v1::AlertsResponse answer = a.value_or(v1::AlertsResponse{});
    for (const auto& x : answer.alerts()) {
      // The decision alerts (JOINT-1's PCR 2015 award notice is owed too).
      if (!x.action().starts_with("publish_")) ids.push_back(x.contract_id());
    }
    return ids;
  };
  const std::string day = "/v1/alerts?as_of=2016-01-01&within_days=0";
  EXPECT_EQ(alerts(day, kLeicsOfficer), std::vector<std::string>{"JOINT-1"});
  EXPECT_EQ(alerts(day, kLeedsOfficer), (std::vector<std::string>{"JOINT-1", kCri}));
  EXPECT_EQ(alerts(day + "&authority=Leicestershire%20County%20Council", kAuditor),
            std::vector<std::string>{"JOINT-1"});
  // As known before the joint contract was recorded: only the CRI contract.
  EXPECT_EQ(alerts(day + "&known_at=2000-01-01T00:00:00Z", kAuditor), std::vector<std::string>{});
  const Response r = Call(http::verb::get, day + "&months=12", kAuditor).response;
  auto plan = ParseJson<v1::AlertsResponse>(r.body, "alerts");
  ASSERT_TRUE(plan.has_value()) << r.body;
  EXPECT_EQ(plan->months(), 12);
  EXPECT_EQ(plan->within_days(), 365);  // 2016-01-01 to 2016-12-31
  EXPECT_GT(plan->states_read(), 0u);   // a past date
}

TEST_F(ApiRoutesTest, FeedPageIsTheFeedAsHistoryEntries) {
  auto page = api_->FeedPage(0, 10);
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].sequence(), 1u);
  EXPECT_EQ((*page)[1].sequence(), 2u);
  EXPECT_EQ((*page)[1].contract_id(), kCri);
  auto rest = api_->FeedPage(2, 10);
  ASSERT_TRUE(rest.has_value());
  EXPECT_TRUE(rest->empty());
}

}  // namespace
}  // namespace contrack::api

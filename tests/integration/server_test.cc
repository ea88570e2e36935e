// contrackd over HTTP on an ephemeral loopback port: every route and status code, the token and
// role matrix, concurrent appends, the live feed (long-poll and SSE), graceful shutdown under load,
// hostile input, token reloads and start-up refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "services/lifecycle/codec.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::HttpClient;
using testing::HttpHeaders;
using testing::HttpResponse;
using testing::kAdminPrincipal;
using testing::kAdminToken;
using testing::kAuditorToken;
using testing::kCriAward;
using testing::kCriWaiver;
using testing::kLeedsOfficerPrincipal;
using testing::kLeedsOfficerToken;
using testing::kLeicsOfficerPrincipal;
using testing::kLeicsOfficerToken;
using testing::RawConnection;
using testing::ServerProcess;
using testing::SseClient;
using testing::TempDir;

// ---------------------------------------------------------------------------------------------
// Data (the seeds).

constexpr char kCri[] = "LCC-DIP-CRI-2015";
constexpr char kCriWaiverId[] = "11111111-1111-4111-8111-000000000001";
constexpr char kCriAwardId[] = "11111111-1111-4111-8111-000000000002";
constexpr char kIps[] = "LEICS-IPS-ITS-2024";
constexpr char kIpsAward[] =
    R"({"award":{"authority":"Leicestershire County Council","title":"IPS","supplier":{"name":"Intuitive Thinking Skills"},"start_date":"2024-04-01","end_date":"2026-03-31","value_pence":41400000}})";
constexpr char kNdti[] = "LCC-NDTI-AOC-2019";
constexpr char kNdtiAward[] =
    R"({"award":{"authority":"Leeds City Council","title":"Art of Commissioning","supplier":{"name":"National Development Team for Inclusion"},"start_date":"2019-11-01","end_date":"2021-10-31","value_pence":4760000}})";
constexpr char kExt1[] =
    R"({"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})";
constexpr char kExt2[] =
    R"({"effective_date":"2016-09-01","extension":{"new_end_date":"2017-03-31"}})";
constexpr char kExt3[] =
    R"({"effective_date":"2017-03-01","extension":{"new_end_date":"2017-09-30"}})";
constexpr char kFunding[] =
    R"({"funding":{"funder":"Leeds City Council","financial_year":"2015/16","amount_pence":100}})";
constexpr char kLeedsTestAward[] =
    R"({"award":{"authority":"Leeds City Council","title":"Load test contract","supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":1000}})";

const std::string kZeroHash(64, '0');

// A UUID made of two numbers, unique per (a, b).
std::string Uuid(uint32_t a, uint64_t b) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-0000-4000-8000-%012llx", a,
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// A funding event body with a fixed event id.
std::string FundingWithId(const std::string& event_id) {
  return R"({"event_id":")" + event_id +
         R"(","funding":{"funder":"Leeds City Council","financial_year":"2015/16","amount_pence":100}})";
}

// {"expected_version":N?,"events":[...]}
std::string AppendBody(const std::vector<std::string>& events,
                       std::optional<uint64_t> expected = std::nullopt) {
  std::string out = "{";
  if (expected) out += R"("expected_version":)" + std::to_string(*expected) + ",";
  out += R"("events":[)";
  for (size_t i = 0; i < events.size(); ++i) out += (i ? "," : "") + events[i];
  return out + "]}";
}

std::string ContractPath(const std::string& id) { return "/v1/contracts/" + id; }
std::string EventsPath(const std::string& id) { return "/v1/contracts/" + id + "/events"; }

HttpHeaders Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::string Describe(const HttpResponse& r) {
  std::ostringstream s;
  s << "status " << r.status;
  if (!r.error.empty()) s << " (transport: " << r.error << ")";
  s << ", body: " << r.body.substr(0, 2000);
  return s.str();
}

bool IsHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

std::string StripSpaces(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }),
          s.end());
  return s;
}

// Parses a JSON response body as M (protobuf JSON, unknown fields refused).
template <typename M>
M Parse(const HttpResponse& r) {
  auto m = ParseJson<M>(r.body, "response");
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().ToString()) << "\n" << Describe(r);
  return m.value_or(M{});
}

// The error of an error response, checking the one error shape and its content type.
v1::ErrorDetail ErrorOf(const HttpResponse& r) {
  EXPECT_TRUE(r.Header("content-type").starts_with("application/json"))
      << "content-type " << r.Header("content-type") << "; " << Describe(r);
  auto e = Parse<v1::ErrorResponse>(r);
  EXPECT_TRUE(e.has_error()) << Describe(r);
  EXPECT_FALSE(e.error().code().empty()) << Describe(r);
  EXPECT_FALSE(e.error().message().empty()) << Describe(r);
  return e.error();
}

// The sum of every sample of metric `name` (any labels) in Prometheus text, or nullopt.
std::optional<double> MetricSum(const std::string& text, const std::string& name) {
  std::optional<double> sum;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || !line.starts_with(name)) continue;
    size_t pos = name.size();
    if (pos >= line.size() || (line[pos] != ' ' && line[pos] != '{')) continue;
    if (line[pos] == '{') {
      pos = line.find('}', pos);
      if (pos == std::string::npos) continue;
      ++pos;
    }
    char* end = nullptr;
    const double v = std::strtod(line.c_str() + pos, &end);
    if (end == line.c_str() + pos) continue;
    sum = sum.value_or(0) + v;
  }
  return sum;
}

std::set<std::string> SplitAllow(const std::string& allow) {
  std::set<std::string> out;
  std::string item;
  std::istringstream in(allow);
  while (std::getline(in, item, ',')) {
    item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
    if (!item.empty()) out.insert(item);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

// A data directory and a tokens file; the server is started by the test.
class ServerFixture : public ::testing::Test {
 protected:
  ServerFixture() {
    tokens_ = dir_.path() / "contrackd-tokens.json";
    data_ = dir_.path() / "data";
    std::filesystem::create_directories(data_);
    testing::WriteTokensFile(tokens_);
  }

  // Starts (or restarts, on the same data) contrackd with `extra` arguments.
  void StartServer(const std::vector<std::string>& extra = {}) {
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->Start(data_.string(), tokens_.string(), extra))
        << "contrackd did not start.\nstdout:\n"
        << server_->Stdout() << "\nstderr:\n"
        << server_->Stderr();
  }

  uint16_t port() const { return server_->port(); }

  HttpClient Client(const std::string& token = "") {
    HttpClient c("127.0.0.1", port());
    c.set_token(token);
    return c;
  }

  HttpResponse Append(const std::string& token, const std::string& id,
                      const std::vector<std::string>& events,
                      std::optional<uint64_t> expected = std::nullopt) {
    return Client(token).Post(EventsPath(id), AppendBody(events, expected));
  }

  // The contract's version as the admin sees it; 0 when it does not exist.
  uint64_t Version(const std::string& id) {
    auto r = Client(kAdminToken).Get(ContractPath(id));
    if (r.status == 404) return 0;
    EXPECT_EQ(r.status, 200) << Describe(r);
    return Parse<v1::ContractState>(r).version();
  }

  v1::ContractState State(const std::string& id) {
    auto r = Client(kAdminToken).Get(ContractPath(id));
    EXPECT_EQ(r.status, 200) << id << ": " << Describe(r);
    return Parse<v1::ContractState>(r);
  }

  // Records the Leeds CRI waiver and award (versions 1 and 2) as the Leeds officer.
  v1::AppendResponse CreateCri() {
    auto r = Append(kLeedsOfficerToken, kCri, {kCriWaiver, kCriAward}, 0);
    EXPECT_EQ(r.status, 201) << Describe(r);
    return Parse<v1::AppendResponse>(r);
  }

  void CreateIps() {
    auto r = Append(kLeicsOfficerToken, kIps, {kIpsAward}, 0);
    EXPECT_EQ(r.status, 201) << Describe(r);
  }

  // The whole feed after `after`, paged, as the auditor.
  std::vector<v1::HistoryEntry> ReadFeed(uint64_t after = 0, int limit = 200) {
    std::vector<v1::HistoryEntry> out;
    auto c = Client(kAuditorToken);
    for (int page = 0; page < 100000; ++page) {
      auto r = c.Get("/v1/feed?after=" + std::to_string(after) + "&limit=" + std::to_string(limit));
      EXPECT_EQ(r.status, 200) << Describe(r);
      if (r.status != 200) break;
      auto f = Parse<v1::FeedResponse>(r);
      if (f.events_size() == 0) break;
      EXPECT_LE(f.events_size(), limit);
      const uint64_t last = f.events(f.events_size() - 1).sequence();
      EXPECT_EQ(f.next_after(), last) << "next_after of a page is its last sequence";
      for (auto& e : *f.mutable_events()) out.push_back(std::move(e));
      if (last <= after) {
        ADD_FAILURE() << "feed did not advance past " << after;
        break;
      }
      after = last;
    }
    return out;
  }

  v1::VerifyResponse Verify() {
    auto r = Client(kAuditorToken).Get("/v1/verify");
    EXPECT_EQ(r.status, 200) << Describe(r);
    return Parse<v1::VerifyResponse>(r);
  }

  // A normal request on a new connection still succeeds.
  void ExpectHealthy(const std::string& after_what) {
    auto r = Client().Get("/healthz");
    EXPECT_EQ(r.status, 200) << "after " << after_what << ": " << Describe(r);
    ASSERT_TRUE(server_->running()) << "contrackd died after " << after_what << "\n"
                                    << server_->Stderr();
  }

  TempDir dir_;
  std::filesystem::path tokens_;
  std::filesystem::path data_;
  std::unique_ptr<ServerProcess> server_;  // declared last: stopped before dir_ is removed
};

// A server with default options, started for each test.
class ServerTest : public ServerFixture {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer()); }
};

// ---------------------------------------------------------------------------------------------
// 1. Routes and status codes

TEST_F(ServerTest, AppendAnswers201AndAnIdenticalRetryReplaysTheOriginalResult) {
  auto c = Client(kLeedsOfficerToken);
  const std::string body = AppendBody({kCriWaiver, kCriAward}, 0);
  auto r = c.Post(EventsPath(kCri), body);
  ASSERT_EQ(r.status, 201) << Describe(r);
  EXPECT_TRUE(r.Header("content-type").starts_with("application/json")) << r.Header("content-type");
  auto first = Parse<v1::AppendResponse>(r);
  EXPECT_EQ(first.contract_id(), kCri);
  EXPECT_FALSE(first.replayed());
  ASSERT_EQ(first.events_size(), 2);
  EXPECT_EQ(first.events(0).event_id(), kCriWaiverId);
  EXPECT_EQ(first.events(1).event_id(), kCriAwardId);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(first.events(i).version(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(first.events(i).sequence(), static_cast<uint64_t>(i + 1));
    EXPECT_TRUE(IsHex64(first.events(i).hash())) << first.events(i).hash();
  }
  EXPECT_NE(first.events(0).hash(), first.events(1).hash());

  // The same request again (a client retrying after a lost response): 200, the original result.
  auto retry = c.Post(EventsPath(kCri), body);
  ASSERT_EQ(retry.status, 200) << Describe(retry);
  auto again = Parse<v1::AppendResponse>(retry);
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.contract_id(), kCri);
  ASSERT_EQ(again.events_size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(again.events(i).event_id(), first.events(i).event_id());
    EXPECT_EQ(again.events(i).version(), first.events(i).version());
    EXPECT_EQ(again.events(i).sequence(), first.events(i).sequence());
    EXPECT_EQ(again.events(i).hash(), first.events(i).hash());
  }
  EXPECT_EQ(ReadFeed().size(), 2u) << "the retry appended nothing";

  auto get = c.Get(ContractPath(kCri));
  ASSERT_EQ(get.status, 200) << Describe(get);
  EXPECT_TRUE(get.Header("content-type").starts_with("application/json"));
  // Proto3 JSON mapping: 64-bit integers are strings.
  EXPECT_TRUE(Contains(StripSpaces(get.body), R"("version":"2")")) << get.body;
  auto state = Parse<v1::ContractState>(get);
  EXPECT_EQ(state.contract_id(), kCri);
  EXPECT_EQ(state.authority(), "Leeds City Council");
  EXPECT_EQ(state.title(), "DIP/IOM interim contract");
  EXPECT_EQ(state.supplier().name(), "CRI");
  EXPECT_EQ(state.start_date(), "2015-04-01");
  EXPECT_EQ(state.current_end_date(), "2016-03-31");
  EXPECT_EQ(state.options_total(), 2);
  EXPECT_EQ(state.options_used(), 0);
  EXPECT_EQ(state.current_value_pence(), 72867800);
  EXPECT_EQ(state.version(), 2u);
  ASSERT_EQ(state.waivers_size(), 1);
  EXPECT_EQ(state.waivers(0).rules_size(), 2);
}

// The access log is buffered (services/api/access_log.h): a request's line reaches stderr within
// about a second, and the lines still buffered at shutdown are written before contrackd exits.
TEST_F(ServerTest, AccessLogLinesReachStderrWithinASecondAndAtShutdown) {
  auto c = Client(kAuditorToken);
  ASSERT_EQ(c.Get("/v1/contracts/ACCESS-LOG-PROBE-1").status, 404);
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    std::this_thread::sleep_for(50ms);
    seen = Contains(server_->Stderr(), "/v1/contracts/ACCESS-LOG-PROBE-1 404");
  }
  EXPECT_TRUE(seen) << "no access line within 5 s:\n" << server_->Stderr();

  ASSERT_EQ(c.Get("/v1/contracts/ACCESS-LOG-PROBE-2").status, 404);
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->Wait(60s), 0) << server_->Stderr();
  EXPECT_TRUE(Contains(server_->Stderr(), "/v1/contracts/ACCESS-LOG-PROBE-2 404"))
      << server_->Stderr();
}

// GET /v1/contracts/{id} keeps the rendered body by contract and version (StateJsonCache): a
// repeated read answers the same bytes, and a read after an append answers the new version,
// never the kept one; /metrics counts what is kept.
TEST_F(ServerTest, ARepeatedStateReadAnswersTheSameBodyAndAnAppendIsSeenAtOnce) {
  CreateCri();
  auto c = Client(kAuditorToken);
  auto first = c.Get(ContractPath(kCri));
  ASSERT_EQ(first.status, 200) << Describe(first);
  auto again = c.Get(ContractPath(kCri));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(Parse<v1::ContractState>(again).version(), 2u);
  EXPECT_TRUE(Contains(c.Get("/metrics").body, "contrack_state_json_cache_entries 1\n"));

  auto r = Client(kLeedsOfficerToken).Post(EventsPath(kCri), AppendBody({kExt1}, 2));
  ASSERT_EQ(r.status, 201) << Describe(r);
  auto after = c.Get(ContractPath(kCri));
  ASSERT_EQ(after.status, 200);
  const auto state = Parse<v1::ContractState>(after);
  EXPECT_EQ(state.version(), 3u);
  EXPECT_EQ(state.current_end_date(), "2016-09-30");
  EXPECT_EQ(c.Get(ContractPath(kCri)).body, after.body);
  // A read as at an earlier day is rendered afresh: version 2's end date.
  auto before = c.Get(ContractPath(kCri) + "?as_of=2016-01-01");
  ASSERT_EQ(before.status, 200) << Describe(before);
  EXPECT_EQ(Parse<v1::ContractState>(before).current_end_date(), "2016-03-31");
}

TEST_F(ServerTest, ExtensionsUseTheOptionsAndAThirdIsRefusedWith422) {
  CreateCri();
  auto c = Client(kLeedsOfficerToken);
  auto r1 = c.Post(EventsPath(kCri), AppendBody({kExt1}, 2));
  ASSERT_EQ(r1.status, 201) << Describe(r1);
  auto a1 = Parse<v1::AppendResponse>(r1);
  ASSERT_EQ(a1.events_size(), 1);
  EXPECT_EQ(a1.events(0).version(), 3u);
  EXPECT_EQ(a1.events(0).sequence(), 3u);
  EXPECT_EQ(State(kCri).current_end_date(), "2016-09-30");

  auto r2 = c.Post(EventsPath(kCri), AppendBody({kExt2}));
  ASSERT_EQ(r2.status, 201) << Describe(r2);
  EXPECT_EQ(Parse<v1::AppendResponse>(r2).events(0).version(), 4u);

  auto r3 = c.Post(EventsPath(kCri), AppendBody({kExt3}));
  ASSERT_EQ(r3.status, 422) << Describe(r3);
  auto e = ErrorOf(r3);
  EXPECT_EQ(e.code(), "no_extension_option");
  EXPECT_TRUE(Contains(e.message(), "2 of 2")) << e.message();
  EXPECT_TRUE(Contains(e.message(), "2017-03-31")) << e.message();

  auto state = State(kCri);
  EXPECT_EQ(state.version(), 4u) << "a refused append writes nothing";
  EXPECT_EQ(state.current_end_date(), "2017-03-31");
  EXPECT_EQ(state.options_used(), 2);
  EXPECT_EQ(ReadFeed().size(), 4u);
}

TEST_F(ServerTest, AContractMustStartWithAnAwardOrAWaiver) {
  auto r = Append(kAdminToken, "LCC-NO-AWARD", {kExt1});
  ASSERT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(ErrorOf(r).code(), "first_event_must_be_award_or_waiver");
  // An officer's first event names no authority either: refused as a rule (422) or as outside
  // its authorities (403); nothing is written either way.
  auto officer = Append(kLeedsOfficerToken, "LCC-NO-AWARD", {kExt1});
  EXPECT_TRUE(officer.status == 422 || officer.status == 403) << Describe(officer);
  auto get = Client(kAdminToken).Get(ContractPath("LCC-NO-AWARD"));
  EXPECT_EQ(get.status, 404) << Describe(get);
  EXPECT_TRUE(ReadFeed().empty());
}

TEST_F(ServerTest, AStaleExpectedVersionIs409WithTheCurrentVersion) {
  CreateCri();
  for (uint64_t expected : {0u, 1u, 5u}) {
    auto r = Append(kLeedsOfficerToken, kCri, {kFunding}, expected);
    ASSERT_EQ(r.status, 409) << "expected_version " << expected << ": " << Describe(r);
    auto e = ErrorOf(r);
    EXPECT_EQ(e.code(), "version_conflict");
    ASSERT_TRUE(e.has_current_version()) << r.body;
    EXPECT_EQ(e.current_version(), 2u);
  }
  EXPECT_EQ(Version(kCri), 2u);
  auto ok = Append(kLeedsOfficerToken, kCri, {kFunding}, 2);
  EXPECT_EQ(ok.status, 201) << Describe(ok);
  EXPECT_EQ(Version(kCri), 3u);
}

TEST_F(ServerTest, MalformedAppendsAre400AndWriteNothing) {
  CreateCri();
  const std::string fund =
      R"("funding":{"funder":"Leeds","financial_year":"2015/16","amount_pence":1})";
  struct Case {
    std::string name;
    std::string target;
    std::string body;
    std::string needle;  // the error message must contain it
  } cases[] = {
      {"truncated JSON", EventsPath(kCri), R"({"events":[)", ""},
      {"not JSON", EventsPath(kCri), "expected_version=2", ""},
      {"empty body", EventsPath(kCri), "", ""},
      {"array at the top", EventsPath(kCri), "[]", ""},
      {"unknown top-level field", EventsPath(kCri), R"({"colour":"red","events":[{)" + fund + "}]}",
       "colour"},
      {"unknown event field", EventsPath(kCri), R"({"events":[{"colour":"red",)" + fund + "}]}",
       "colour"},
      {"impossible date", EventsPath(kCri),
       R"({"events":[{"effective_date":"2016-02-30",)" + fund + "}]}", "effective_date"},
      {"recorded_by in an event", EventsPath(kCri),
       R"({"events":[{"recorded_by":"someone.else",)" + fund + "}]}", "recorded_by"},
      {"recorded_at in an event", EventsPath(kCri),
       R"({"events":[{"recorded_at":"2015-01-01T00:00:00Z",)" + fund + "}]}", "recorded_at"},
      {"expected_version in an event", EventsPath(kCri),
       R"({"events":[{"expected_version":2,)" + fund + "}]}", "expected_version"},
      {"contract_id in an event differs from the path", EventsPath(kCri),
       R"({"events":[{"contract_id":"LCC-DIP-DISC-2015",)" + fund + "}]}", "contract_id"},
      {"no payload", EventsPath(kCri), R"({"events":[{"note":"nothing decided"}]})", ""},
      {"two payloads", EventsPath(kCri),
       R"({"events":[{"extension":{"new_end_date":"2016-09-30"},)" + fund + "}]}", ""},
      {"amount beyond int64", EventsPath(kCri),
       R"({"events":[{"funding":{"funder":"Leeds","financial_year":"2015/16",)"
       R"("amount_pence":"99999999999999999999"}}]})",
       "amount_pence"},
      {"invalid event id", EventsPath(kCri),
       R"({"events":[{"event_id":"not-a-uuid",)" + fund + "}]}", "event_id"},
      {"expected_version not a number", EventsPath(kCri),
       R"({"expected_version":"two","events":[{)" + fund + "}]}", "expected_version"},
      {"200-character contract id", EventsPath(std::string(200, 'A')),
       R"({"events":[)" + std::string(kIpsAward) + "]}", "contract_id"},
      {"contract id starting with a dash", EventsPath("-LCC"),
       R"({"events":[)" + std::string(kIpsAward) + "]}", "contract_id"},
  };
  auto c = Client(kAdminToken);
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    auto r = c.Post(k.target, k.body, {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 400) << Describe(r);
    auto e = ErrorOf(r);
    if (!k.needle.empty()) {
      EXPECT_TRUE(Contains(e.message(), k.needle)) << e.message();
    }
  }
  EXPECT_EQ(Version(kCri), 2u);
  auto v = Verify();
  EXPECT_EQ(v.head_sequence(), 2u) << "nothing was written";
  // Reading an impossible id is a clear 4xx too.
  for (const auto& target : {ContractPath(std::string(200, 'A')), ContractPath("..%2F..%2Fetc"),
                             ContractPath("LCC%00DIP"), EventsPath("%FF%FE")}) {
    auto get = c.Get(target);
    EXPECT_TRUE(get.status == 400 || get.status == 404) << target << ": " << Describe(get);
  }
}

TEST_F(ServerTest, MalformedQueryParametersAre400) {
  CreateCri();
  auto c = Client(kAdminToken);
  for (const std::string target : {
           "/v1/feed?after=abc",
           "/v1/feed?after=-1",
           "/v1/feed?after=0&limit=ten",
           "/v1/feed?after=0&wait_ms=soon",
           "/v1/feed?after=99999999999999999999999",
           "/v1/contracts/LCC-DIP-CRI-2015/events?after_version=x",
           "/v1/contracts/LCC-DIP-CRI-2015/events?limit=-3",
           "/v1/contracts?limit=many",
           // A page of zero could never advance; the list once indexed element -1 for it.
           "/v1/contracts?limit=0",
           "/v1/contracts/LCC-DIP-CRI-2015/events?limit=0",
           "/v1/feed?after=0&limit=0",
       }) {
    auto r = c.Get(target);
    EXPECT_EQ(r.status, 400) << target << ": " << Describe(r);
    if (r.status == 400) ErrorOf(r);
  }
  // A huge limit is capped, not obeyed into an enormous allocation or refused as a crash.
  auto big = c.Get("/v1/feed?after=0&limit=18446744073709551615");
  EXPECT_TRUE(big.status == 200 || big.status == 400) << Describe(big);
  ExpectHealthy("malformed query parameters");
}

TEST_F(ServerTest, UnknownContractsAndRoutesAre404) {
  auto c = Client(kAdminToken);
  for (const std::string target :
       {"/v1/contracts/LCC-NOPE", "/v1/contracts/LCC-NOPE/events", "/v1/nothing", "/nothing",
        "/v1/contracts/LCC-NOPE/events/extra", "/v2/contracts"}) {
    auto r = c.Get(target);
    EXPECT_EQ(r.status, 404) << target << ": " << Describe(r);
    if (r.status == 404) {
      EXPECT_EQ(ErrorOf(r).code(), "not_found") << target;
    }
  }
}

TEST_F(ServerTest, AWrongMethodIs405WithAnAllowHeader) {
  struct Case {
    std::string method;
    std::string target;
    std::set<std::string> allowed;
  } cases[] = {
      {"POST", "/v1/contracts/LCC-DIP-CRI-2015", {"GET"}},
      {"DELETE", "/v1/contracts/LCC-DIP-CRI-2015", {"GET"}},
      {"DELETE", "/v1/contracts/LCC-DIP-CRI-2015/events", {"GET", "POST"}},
      {"PUT", "/v1/contracts/LCC-DIP-CRI-2015/events", {"GET", "POST"}},
      {"POST", "/v1/contracts", {"GET"}},
      {"POST", "/v1/feed", {"GET"}},
      {"POST", "/v1/verify", {"GET"}},
      {"POST", "/healthz", {"GET"}},
      {"POST", "/metrics", {"GET"}},
  };
  auto c = Client(kAdminToken);
  for (const auto& k : cases) {
    SCOPED_TRACE(k.method + " " + k.target);
    auto r = c.Request(k.method, k.target, k.method == "GET" ? "" : "{}");
    ASSERT_EQ(r.status, 405) << Describe(r);
    ErrorOf(r);
    const auto allow = SplitAllow(r.Header("allow"));
    for (const auto& m : k.allowed) EXPECT_TRUE(allow.count(m)) << "Allow: " << r.Header("allow");
    EXPECT_FALSE(allow.count(k.method)) << "Allow: " << r.Header("allow");
  }
}

TEST_F(ServerTest, HistoryShowsEveryEventWithChainedHashesAndPages) {
  auto created = CreateCri();
  auto ext = Append(kLeedsOfficerToken, kCri, {kExt1});
  ASSERT_EQ(ext.status, 201) << Describe(ext);
  const auto ext_result = Parse<v1::AppendResponse>(ext);

  auto c = Client(kAuditorToken);
  auto r = c.Get(EventsPath(kCri));
  ASSERT_EQ(r.status, 200) << Describe(r);
  auto h = Parse<v1::HistoryResponse>(r);
  EXPECT_EQ(h.contract_id(), kCri);
  ASSERT_EQ(h.events_size(), 3);
  const char* types[] = {"waiver", "award", "extension"};
  const std::string hashes[] = {created.events(0).hash(), created.events(1).hash(),
                                ext_result.events(0).hash()};
  for (int i = 0; i < 3; ++i) {
    const auto& e = h.events(i);
    SCOPED_TRACE("entry " + std::to_string(i));
    EXPECT_EQ(e.contract_id(), kCri);
    EXPECT_EQ(e.version(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(e.sequence(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(e.type(), types[i]);
    EXPECT_EQ(e.hash(), hashes[i]);
    EXPECT_EQ(e.prev_hash(), i == 0 ? kZeroHash : h.events(i - 1).hash());
    EXPECT_EQ(e.recorded_by(), kLeedsOfficerPrincipal);
    EXPECT_TRUE(e.recorded_at().ends_with("Z")) << e.recorded_at();
    EXPECT_FALSE(e.retracted());
  }
  EXPECT_EQ(h.events(0).event_id(), kCriWaiverId);
  EXPECT_EQ(h.events(1).event_id(), kCriAwardId);
  EXPECT_EQ(h.events(1).effective_date(), "2015-04-01") << "an award takes effect at its start";
  EXPECT_EQ(h.events(1).body().award().title(), "DIP/IOM interim contract");
  EXPECT_EQ(h.events(2).effective_date(), "2016-03-01");
  EXPECT_EQ(h.events(2).body().extension().new_end_date(), "2016-09-30");
  EXPECT_TRUE(h.events(2).body().recorded_by().empty()) << "line fields are not in the body";

  // Pages of one, following next_after_version.
  std::vector<uint64_t> versions;
  uint64_t after = 0;
  for (int page = 0; page < 10; ++page) {
    auto p = c.Get(EventsPath(kCri) + "?after_version=" + std::to_string(after) + "&limit=1");
    ASSERT_EQ(p.status, 200) << Describe(p);
    auto ph = Parse<v1::HistoryResponse>(p);
    if (ph.events_size() == 0) break;
    ASSERT_EQ(ph.events_size(), 1);
    versions.push_back(ph.events(0).version());
    EXPECT_EQ(ph.next_after_version(), ph.events(0).version());
    after = ph.events(0).version();
  }
  EXPECT_EQ(versions, (std::vector<uint64_t>{1, 2, 3}));
  auto tail = Parse<v1::HistoryResponse>(c.Get(EventsPath(kCri) + "?after_version=2"));
  ASSERT_EQ(tail.events_size(), 1);
  EXPECT_EQ(tail.events(0).event_id(), ext_result.events(0).event_id());
}

TEST_F(ServerTest, ListFiltersByAuthoritySupplierAndStatusAndPages) {
  CreateCri();
  CreateIps();
  ASSERT_EQ(Append(kLeedsOfficerToken, kNdti, {kNdtiAward}, 0).status, 201);
  auto c = Client(kAuditorToken);
  auto ids = [&](const std::string& query) {
    auto r = c.Get("/v1/contracts" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << Describe(r);
    auto list = Parse<v1::ContractList>(r);
    std::set<std::string> out;
    for (const auto& s : list.contracts()) {
      EXPECT_TRUE(out.insert(s.contract_id()).second) << "duplicate " << s.contract_id();
    }
    return out;
  };
  using Ids = std::set<std::string>;
  EXPECT_EQ(ids(""), (Ids{kCri, kIps, kNdti}));
  EXPECT_EQ(ids("?authority=Leeds%20City%20Council"), (Ids{kCri, kNdti}));
  EXPECT_EQ(ids("?authority=Leicestershire%20County%20Council"), (Ids{kIps}));
  EXPECT_EQ(ids("?supplier=CRI"), (Ids{kCri}));
  EXPECT_EQ(ids("?authority=Nowhere%20Council"), Ids{});
  // Status depends on today's date (the CRI contract has lapsed; IPS ends 2026-03-31): the
  // filter must agree with each contract's own status.
  std::map<std::string, Ids> by_status;
  for (const auto& id : {kCri, kIps, kNdti}) by_status[State(id).status()].insert(id);
  for (const auto& [status, expected] : by_status) {
    EXPECT_EQ(ids("?status=" + status), expected) << status;
  }

  // Pages of one, following next_after, see each contract once.
  Ids seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    auto r = c.Get("/v1/contracts?limit=1" + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(r.status, 200) << Describe(r);
    auto list = Parse<v1::ContractList>(r);
    ASSERT_LE(list.contracts_size(), 1);
    if (list.contracts_size() == 1) {
      EXPECT_TRUE(seen.insert(list.contracts(0).contract_id()).second);
    }
    if (list.next_after().empty()) break;
    after = list.next_after();
  }
  EXPECT_EQ(seen, (Ids{kCri, kIps, kNdti}));
}

TEST_F(ServerTest, VerifyReportsTheChainHead) {
  auto created = CreateCri();
  auto r = Client(kLeedsOfficerToken).Get("/v1/verify");
  ASSERT_EQ(r.status, 200) << Describe(r);
  auto v = Parse<v1::VerifyResponse>(r);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.events_checked(), 2u);
  EXPECT_EQ(v.head_sequence(), 2u);
  EXPECT_EQ(v.head_hash(), created.events(1).hash());
}

TEST_F(ServerTest, HealthzAndMetricsNeedNoTokenAndMetricsCountAppends) {
  auto c = Client();
  auto h = c.Get("/healthz");
  ASSERT_EQ(h.status, 200) << Describe(h);
  EXPECT_TRUE(Contains(StripSpaces(h.body), R"("status":"ok")")) << h.body;

  auto m1 = c.Get("/metrics");
  ASSERT_EQ(m1.status, 200) << Describe(m1);
  EXPECT_TRUE(m1.Header("content-type").starts_with("text/plain")) << m1.Header("content-type");
  for (const std::string name :
       {"contrack_http_requests_total", "contrack_http_request_duration_seconds_bucket",
        "contrack_appends_total", "contrack_log_head_sequence",
        "contrack_events_per_synced_write"}) {
    EXPECT_TRUE(Contains(m1.body, name)) << "metric " << name << " missing from:\n" << m1.body;
  }
  const double appends_before = MetricSum(m1.body, "contrack_appends_total").value_or(-1);
  const double requests_before = MetricSum(m1.body, "contrack_http_requests_total").value_or(-1);

  CreateCri();
  auto m2 = c.Get("/metrics");
  ASSERT_EQ(m2.status, 200) << Describe(m2);
  const auto appends_after = MetricSum(m2.body, "contrack_appends_total");
  ASSERT_TRUE(appends_after.has_value()) << m2.body;
  EXPECT_GT(*appends_after, appends_before);
  EXPECT_GT(MetricSum(m2.body, "contrack_http_requests_total").value_or(-1), requests_before);
  EXPECT_EQ(MetricSum(m2.body, "contrack_log_head_sequence").value_or(-1), 2.0) << m2.body;
  // The appends are in a memtable, and the write path cached the contract's state. The block
  // cache gauge must be present; it may still be 0 before any read reaches an SST file.
  EXPECT_GT(MetricSum(m2.body, "contrack_memtable_bytes").value_or(-1), 0.0) << m2.body;
  EXPECT_EQ(MetricSum(m2.body, "contrack_state_cache_entries").value_or(-1), 1.0) << m2.body;
  EXPECT_GE(MetricSum(m2.body, "contrack_block_cache_bytes").value_or(-1), 0.0) << m2.body;
}

// ---------------------------------------------------------------------------------------------
// 2. Tokens and roles

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

TEST_F(ServerTest, SixtyFourConcurrentClientsLeaveAGaplessFeed) {
  constexpr int kClients = 64;
  constexpr int kAppendsEach = 20;
  constexpr int kShared = 4;
  auto shared_id = [](int k) { return "LCC-SHARED-" + std::to_string(k); };
  auto own_id = [](int t) { return "LCC-OWN-" + std::to_string(t); };
  for (int k = 0; k < kShared; ++k) {
    ASSERT_EQ(Append(kAdminToken, shared_id(k), {kLeedsTestAward}, 0).status, 201);
  }

  struct Acked {
    std::string contract_id;
    std::string event_id;
    uint64_t version;
    uint64_t sequence;
  };
  struct ThreadResult {
    std::vector<Acked> acked;
    std::vector<std::string> failures;
  };
  std::vector<ThreadResult> results(kClients);  // each thread writes only its own slot
  std::latch start(kClients);
  std::vector<std::thread> threads;
  const uint16_t server_port = port();
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      ThreadResult& out = results[t];
      HttpClient c("127.0.0.1", server_port);
      c.set_token(kLeedsOfficerToken);
      const bool own = t < kClients / 2;
      const std::string id = own ? own_id(t) : shared_id(t % kShared);
      start.arrive_and_wait();
      for (int n = 0; n < kAppendsEach; ++n) {
        std::string body;
        if (own) {
          // The owner knows its versions: pass them, exercising expected_version under load.
          body = AppendBody({n == 0 ? kLeedsTestAward : kFunding}, static_cast<uint64_t>(n));
        } else {
          body = AppendBody({kFunding});
        }
        auto r = c.Post(EventsPath(id), body);
        if (r.status != 201) {
          out.failures.push_back(id + " append " + std::to_string(n) + ": " + Describe(r));
          continue;
        }
        auto a = ParseJson<v1::AppendResponse>(r.body, "append");
        if (!a || a->events_size() != 1) {
          out.failures.push_back("bad append response: " + r.body);
          continue;
        }
        out.acked.push_back(
            {id, a->events(0).event_id(), a->events(0).version(), a->events(0).sequence()});
      }
    });
  }
  for (auto& th : threads) th.join();

  size_t acked_total = 0;
  for (int t = 0; t < kClients; ++t) {
    for (const auto& f : results[t].failures) ADD_FAILURE() << "client " << t << ": " << f;
    acked_total += results[t].acked.size();
    // One client's appends are sequential: its versions and sequences increase.
    for (size_t i = 1; i < results[t].acked.size(); ++i) {
      EXPECT_GT(results[t].acked[i].version, results[t].acked[i - 1].version) << "client " << t;
      EXPECT_GT(results[t].acked[i].sequence, results[t].acked[i - 1].sequence) << "client " << t;
    }
  }
  EXPECT_EQ(acked_total, static_cast<size_t>(kClients * kAppendsEach));

  const auto feed = ReadFeed(0, 250);
  ASSERT_EQ(feed.size(), acked_total + kShared);
  std::map<std::string, const v1::HistoryEntry*> by_id;
  std::map<std::string, std::vector<uint64_t>> versions;
  for (size_t i = 0; i < feed.size(); ++i) {
    const auto& e = feed[i];
    ASSERT_EQ(e.sequence(), i + 1) << "the feed is gapless and ordered";
    EXPECT_EQ(e.prev_hash(), i == 0 ? kZeroHash : feed[i - 1].hash()) << "sequence " << i + 1;
    EXPECT_TRUE(by_id.emplace(e.event_id(), &e).second) << "duplicate event id " << e.event_id();
    versions[e.contract_id()].push_back(e.version());
  }
  for (const auto& [id, vs] : versions) {
    for (size_t i = 0; i < vs.size(); ++i) {
      ASSERT_EQ(vs[i], i + 1) << id << ": versions must be 1..k in log order";
    }
  }
  EXPECT_EQ(versions.size(), static_cast<size_t>(kClients / 2 + kShared));
  for (int k = 0; k < kShared; ++k) {
    EXPECT_EQ(versions[shared_id(k)].size(), 1u + (kClients / 2) * kAppendsEach / kShared);
  }
  for (int t = 0; t < kClients; ++t) {
    for (const auto& a : results[t].acked) {
      auto it = by_id.find(a.event_id);
      ASSERT_NE(it, by_id.end()) << "acknowledged event " << a.event_id << " missing";
      EXPECT_EQ(it->second->sequence(), a.sequence);
      EXPECT_EQ(it->second->version(), a.version);
      EXPECT_EQ(it->second->contract_id(), a.contract_id);
    }
  }
  // The views agree with the log.
  for (const auto& [id, vs] : versions) EXPECT_EQ(Version(id), vs.size()) << id;
  auto v = Verify();
  EXPECT_TRUE(v.ok()) << v.message();
  EXPECT_EQ(v.events_checked(), feed.size());
  EXPECT_EQ(v.head_hash(), feed.back().hash());
}

// ---------------------------------------------------------------------------------------------
// 5. The live feed

TEST_F(ServerTest, ALongPollIsAnsweredPromptlyWhenAnEventCommits) {
  CreateCri();
  const std::string ext_id = "11111111-1111-4111-8111-000000000003";
  HttpResponse polled;
  std::chrono::milliseconds waited{};
  const uint16_t server_port = port();
  std::thread poller([&] {
    HttpClient c("127.0.0.1", server_port);
    c.set_token(kAuditorToken);
    const auto t0 = Clock::now();
    polled = c.Get("/v1/feed?after=2&wait_ms=5000");
    waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  });
  std::this_thread::sleep_for(200ms);
  auto r =
      Append(kLeedsOfficerToken, kCri,
             {R"({"event_id":")" + ext_id +
              R"(","effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})"});
  poller.join();
  ASSERT_EQ(r.status, 201) << Describe(r);
  ASSERT_EQ(polled.status, 200) << Describe(polled);
  auto f = Parse<v1::FeedResponse>(polled);
  ASSERT_EQ(f.events_size(), 1) << polled.body;
  EXPECT_EQ(f.events(0).event_id(), ext_id);
  EXPECT_EQ(f.events(0).sequence(), 3u);
  EXPECT_EQ(f.next_after(), 3u);
  EXPECT_GE(waited, 100ms) << "the poll waited for the event";
  EXPECT_LT(waited, 3000ms) << "the poll was answered when the event committed, not at wait_ms";
}

TEST_F(ServerTest, ALongPollWithNothingNewReturnsEmptyAfterWaitMs) {
  CreateCri();
  auto c = Client(kAuditorToken);
  auto t0 = Clock::now();
  auto r = c.Get("/v1/feed?after=2&wait_ms=300");
  const auto waited = Clock::now() - t0;
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(Parse<v1::FeedResponse>(r).events_size(), 0) << r.body;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 3000ms);
  // Without wait_ms the answer is immediate.
  t0 = Clock::now();
  r = c.Get("/v1/feed?after=2");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(Parse<v1::FeedResponse>(r).events_size(), 0);
  EXPECT_LT(Clock::now() - t0, 2000ms);
  // Already-committed events are returned at once, whatever wait_ms says.
  t0 = Clock::now();
  r = c.Get("/v1/feed?after=0&wait_ms=5000");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(Parse<v1::FeedResponse>(r).events_size(), 2);
  EXPECT_LT(Clock::now() - t0, 3000ms) << "committed events are not held for wait_ms";
}

TEST_F(ServerTest, ServerSentEventsDeliverEveryEventOnceInOrder) {
  CreateCri();  // sequences 1 and 2
  constexpr int kWrites = 50;
  SseClient sse("127.0.0.1", port());
  auto head = sse.Open("/v1/feed?after=1", Bearer(kAuditorToken));
  ASSERT_EQ(head.status, 200) << Describe(head);
  EXPECT_TRUE(head.Header("content-type").starts_with("text/event-stream"))
      << head.Header("content-type");

  std::vector<int> write_status(kWrites, 0);  // written by the writer only; read after join
  const uint16_t server_port = port();
  std::thread writer([&] {
    HttpClient c("127.0.0.1", server_port);
    c.set_token(kLeedsOfficerToken);
    for (int i = 0; i < kWrites; ++i) {
      write_status[i] =
          c.Post(EventsPath(kCri), AppendBody({FundingWithId(Uuid(0x55e, i))})).status;
    }
  });

  // Sequence 2 (the award, already stored) and then the 50 live events: 51 in all.
  constexpr size_t kExpected = kWrites + 1;
  std::vector<v1::HistoryEntry> got;
  std::vector<std::string> ids;
  const auto deadline = Clock::now() + 60s;
  while (got.size() < kExpected && Clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto ev = sse.Next(std::max(left, 1ms));
    if (!ev) break;
    auto entry = ParseJson<v1::HistoryEntry>(ev->data, "sse data");
    if (!entry) {
      ADD_FAILURE() << entry.error().ToString() << "\n" << ev->data;
      break;
    }
    ids.push_back(ev->id);
    got.push_back(*entry);
  }
  const std::string stop_reason = sse.error();
  // Nothing more arrives: no event was sent twice.
  auto extra = got.size() == kExpected ? sse.Next(300ms) : std::nullopt;
  EXPECT_FALSE(extra.has_value()) << "unexpected event id " << extra->id;
  sse.Close();
  writer.join();

  for (int i = 0; i < kWrites; ++i) EXPECT_EQ(write_status[i], 201) << "write " << i;
  ASSERT_EQ(got.size(), kExpected) << "stream stopped: " << stop_reason;
  for (size_t i = 0; i < got.size(); ++i) {
    const uint64_t seq = i + 2;
    EXPECT_EQ(got[i].sequence(), seq);
    EXPECT_EQ(ids[i], std::to_string(seq)) << "the SSE id is the sequence";
    EXPECT_EQ(got[i].event_id(), i == 0 ? std::string(kCriAwardId) : Uuid(0x55e, i - 1));
    EXPECT_EQ(got[i].contract_id(), kCri);
    EXPECT_EQ(got[i].version(), seq);
  }

  // The server copes with the departed stream: the next event is written to a closed socket.
  auto r = Append(kLeedsOfficerToken, kCri, {kFunding});
  EXPECT_EQ(r.status, 201) << Describe(r);
  ExpectHealthy("an SSE client disconnected");

  // Officers may not stream the feed either.
  SseClient officer("127.0.0.1", port());
  auto refused = officer.Open("/v1/feed?after=0", Bearer(kLeedsOfficerToken));
  EXPECT_EQ(refused.status, 403) << Describe(refused);
  SseClient anonymous("127.0.0.1", port());
  refused = anonymous.Open("/v1/feed?after=0", {});
  EXPECT_EQ(refused.status, 401) << Describe(refused);
}

// ---------------------------------------------------------------------------------------------
// 6. Graceful shutdown under write load

TEST_F(ServerTest, SigtermFinishesInFlightAppendsAndLosesNothingAcknowledged) {
  constexpr int kWriters = 8;
  for (int t = 0; t < kWriters; ++t) {
    ASSERT_EQ(Append(kAdminToken, "LCC-TERM-" + std::to_string(t), {kLeedsTestAward}, 0).status,
              201);
  }
  struct Ack {
    std::string event_id;
    uint64_t sequence;
  };
  struct WriterResult {
    std::vector<Ack> acks;
    HttpResponse last;  // the response that stopped the writer
  };
  std::vector<WriterResult> results(kWriters);
  std::atomic<bool> stop{false};
  const uint16_t server_port = port();
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      HttpClient c("127.0.0.1", server_port, 10s);
      c.set_token(kLeedsOfficerToken);
      const auto give_up = Clock::now() + 60s;
      for (uint64_t n = 0; !stop.load() && Clock::now() < give_up; ++n) {
        const std::string id = Uuid(0x7e0 + t, n);
        auto r =
            c.Post(EventsPath("LCC-TERM-" + std::to_string(t)), AppendBody({FundingWithId(id)}));
        if (r.status != 201) {
          results[t].last = r;
          return;
        }
        auto a = ParseJson<v1::AppendResponse>(r.body, "append");
        if (!a || a->events_size() != 1 || a->events(0).event_id() != id) {
          results[t].last = r;
          return;
        }
        results[t].acks.push_back({id, a->events(0).sequence()});
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  server_->Signal(SIGTERM);
  const int code = server_->Wait(60s);
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_EQ(code, 0) << "stderr:\n" << server_->Stderr();
  ASSERT_NE(code, -1) << "contrackd did not exit within 60 s of SIGTERM";

  size_t acked = 0;
  for (int t = 0; t < kWriters; ++t) {
    acked += results[t].acks.size();
    // After SIGTERM a writer sees its connection closed or refused (or a 503), never a 5xx for a
    // request the server accepted.
    const int s = results[t].last.status;
    EXPECT_TRUE(s == 0 || s == 503) << "writer " << t << ": " << Describe(results[t].last);
  }
  EXPECT_GT(acked, 0u) << "the writers were appending when SIGTERM came";

  ASSERT_NO_FATAL_FAILURE(StartServer());
  const auto feed = ReadFeed(0, 500);
  ASSERT_GE(feed.size(), acked + kWriters);
  for (size_t i = 0; i < feed.size(); ++i) ASSERT_EQ(feed[i].sequence(), i + 1);
  for (int t = 0; t < kWriters; ++t) {
    for (const auto& a : results[t].acks) {
      ASSERT_GE(a.sequence, 1u);
      ASSERT_LE(a.sequence, feed.size()) << "acknowledged event " << a.event_id << " lost";
      EXPECT_EQ(feed[a.sequence - 1].event_id(), a.event_id)
          << "acknowledged at sequence " << a.sequence;
    }
  }
  std::map<std::string, uint64_t> per_contract;
  for (const auto& e : feed) ++per_contract[e.contract_id()];
  for (const auto& [id, n] : per_contract) EXPECT_EQ(Version(id), n) << id;
  auto v = Verify();
  EXPECT_TRUE(v.ok()) << v.message();
  EXPECT_EQ(v.events_checked(), feed.size());
}

TEST_F(ServerTest, SigintStopsCleanlyAndTheDataReopens) {
  CreateCri();
  server_->Signal(SIGINT);
  EXPECT_EQ(server_->Wait(30s), 0) << server_->Stderr();
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(Version(kCri), 2u);
  EXPECT_TRUE(Verify().ok());
}

// ---------------------------------------------------------------------------------------------
// 7. Hostile input

class HostileTest : public ServerFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartServer(
        {"--body-limit", "4096", "--header-timeout-ms", "500", "--idle-timeout-ms", "1000"}));
  }

  RawConnection Raw() { return RawConnection("127.0.0.1", port()); }

  // The server answered with `status` or closed the connection without answering.
  static void ExpectStatusOrClose(const RawConnection::ReadResult& r, int status) {
    const std::string prefix = "HTTP/1.1 " + std::to_string(status);
    EXPECT_TRUE(r.data.starts_with(prefix) || (r.closed && r.data.empty()))
        << "closed " << r.closed << ", timed out " << r.timed_out << ", error " << r.error
        << ", data: " << r.data.substr(0, 300);
    EXPECT_FALSE(r.timed_out && r.data.empty()) << "the server neither answered nor closed";
  }
};

TEST_F(HostileTest, ABodyOverTheLimitIs413AndWritesNothing) {
  auto c = Client(kAdminToken);
  const std::string big_note = std::string(8000, 'x');
  auto r =
      c.Post(EventsPath("LCC-BIG"),
             AppendBody({R"({"note":")" + big_note + R"(",)" + std::string(kNdtiAward).substr(1)}));
  ASSERT_EQ(r.status, 413) << Describe(r);
  ErrorOf(r);
  EXPECT_EQ(Version("LCC-BIG"), 0u);
  ExpectHealthy("a 413");

  // A body under the limit is accepted: the limit is the configured one, not smaller.
  const std::string note(2500, 'y');
  r = c.Post(EventsPath("LCC-UNDER"),
             AppendBody({R"({"note":")" + note + R"(",)" + std::string(kNdtiAward).substr(1)}));
  EXPECT_EQ(r.status, 201) << Describe(r);

  // A Content-Length over the limit is refused from the header, without the body being sent.
  auto raw = Raw();
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(
      raw.Send("POST /v1/contracts/LCC-HUGE/events HTTP/1.1\r\nHost: t\r\n"
               "Authorization: Bearer " +
               std::string(kAdminToken) +
               "\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"));
  auto huge = raw.ReadResponse(5s);
  EXPECT_EQ(huge.status, 413) << Describe(huge);
  ExpectHealthy("a huge Content-Length");

  // A chunked body that grows past the limit.
  auto chunked = Raw();
  ASSERT_TRUE(chunked.connected());
  std::string req =
      "POST /v1/contracts/LCC-CHUNKED/events HTTP/1.1\r\nHost: t\r\n"
      "Authorization: Bearer " +
      std::string(kAdminToken) + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) req += "1000\r\n" + std::string(4096, ' ') + "\r\n";
  req += "0\r\n\r\n";
  chunked.Send(req);  // the server may close before reading it all
  ExpectStatusOrClose(chunked.ReadUntilClose(5s), 413);
  EXPECT_EQ(Version("LCC-CHUNKED"), 0u);
  ExpectHealthy("an oversized chunked body");
}

TEST_F(HostileTest, SlowHeadersAreCutOffAtTheHeaderTimeout) {
  auto raw = Raw();
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send("GET /healthz HT"));
  const auto t0 = Clock::now();
  auto r = raw.ReadUntilClose(5s);
  const auto waited = Clock::now() - t0;
  EXPECT_TRUE(r.closed) << "timed out " << r.timed_out << ", error " << r.error;
  EXPECT_GE(waited, 250ms) << "closed before the header timeout";
  EXPECT_LT(waited, 4s);
  ExpectHealthy("slow headers");

  // Trickling a byte every 100 ms does not extend the deadline: it covers the whole header.
  // Once the server has closed, the first send draws a reset and a later one fails.
  auto trickle = Raw();
  ASSERT_TRUE(trickle.connected());
  ASSERT_TRUE(trickle.Send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: "));
  const auto t1 = Clock::now();
  bool cut_off = false;
  while (!cut_off && Clock::now() - t1 < 6s) {
    std::this_thread::sleep_for(100ms);
    cut_off = !trickle.Send("x");
  }
  const auto trickled = Clock::now() - t1;
  EXPECT_TRUE(cut_off) << "a header trickled for 6 s was never cut off";
  EXPECT_LT(trickled, 3s) << "the header timeout is 500 ms";
  ExpectHealthy("trickled headers");
}

TEST_F(HostileTest, IdleKeepAliveConnectionsAreClosedAndClientsReconnect) {
  auto raw = Raw();
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto first = raw.ReadResponse();
  ASSERT_EQ(first.status, 200) << Describe(first);
  const auto t0 = Clock::now();
  auto r = raw.ReadUntilClose(6s);
  const auto idle = Clock::now() - t0;
  EXPECT_TRUE(r.closed) << "an idle keep-alive connection stays open past --idle-timeout-ms";
  EXPECT_GE(idle, 250ms);
  EXPECT_LT(idle, 5s);

  // A keep-alive client whose connection the server closed reconnects transparently.
  auto c = Client();
  EXPECT_EQ(c.Get("/healthz").status, 200);
  std::this_thread::sleep_for(1500ms);
  auto again = c.Get("/healthz");
  EXPECT_EQ(again.status, 200) << Describe(again);
}

TEST_F(HostileTest, GarbageAndBrokenRequestLinesAre400OrClose) {
  std::mt19937 rng(20150401);
  std::string random_bytes(4096, '\0');
  for (auto& ch : random_bytes) ch = static_cast<char>(rng());
  const std::string cases[] = {
      std::string("\x00\xff GARBAGE\r\n\r\n", 14),
      "GET /healthz HTTP/9.9\r\nHost: t\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost t\r\n\r\n",
      "GET\r\n\r\n",
      "POST /v1/contracts/LCC-X/events HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n",
      "POST /v1/contracts/LCC-X/events HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
      random_bytes,
  };
  int i = 0;
  for (const auto& bytes : cases) {
    SCOPED_TRACE("case " + std::to_string(i++));
    auto raw = Raw();
    ASSERT_TRUE(raw.connected());
    raw.Send(bytes);
    ExpectStatusOrClose(raw.ReadUntilClose(5s), 400);
    ExpectHealthy("garbage case " + std::to_string(i - 1));
  }
  EXPECT_EQ(Version("LCC-X"), 0u);
}

TEST_F(HostileTest, HeadersOver8KiBAre431OrClose) {
  auto raw = Raw();
  ASSERT_TRUE(raw.connected());
  raw.Send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(16 * 1024, 'a') +
           "\r\n\r\n");
  ExpectStatusOrClose(raw.ReadUntilClose(5s), 431);
  ExpectHealthy("oversized headers");

  // Many small headers add up the same way.
  auto many = Raw();
  ASSERT_TRUE(many.connected());
  std::string req = "GET /healthz HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 1000; ++i) req += "X-H" + std::to_string(i) + ": 0123456789\r\n";
  many.Send(req + "\r\n");
  ExpectStatusOrClose(many.ReadUntilClose(5s), 431);
  ExpectHealthy("many headers");
}

TEST_F(HostileTest, PipelinedRequestsAreAnsweredInOrder) {
  {
    auto c = Client(kLeedsOfficerToken);
    ASSERT_EQ(c.Post(EventsPath(kCri), AppendBody({kCriWaiver, kCriAward}, 0)).status, 201);
  }
  const std::string auth = "Authorization: Bearer " + std::string(kAdminToken) + "\r\n";
  auto raw = Raw();
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(
      raw.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
               "GET /v1/contracts/LCC-DIP-CRI-2015 HTTP/1.1\r\nHost: t\r\n" +
               auth +
               "\r\n"
               "GET /v1/contracts/LCC-NOPE HTTP/1.1\r\nHost: t\r\n" +
               auth + "\r\n"));
  auto r1 = raw.ReadResponse();
  EXPECT_EQ(r1.status, 200) << Describe(r1);
  EXPECT_TRUE(Contains(r1.body, "status")) << r1.body;
  auto r2 = raw.ReadResponse();
  ASSERT_EQ(r2.status, 200) << Describe(r2);
  EXPECT_EQ(Parse<v1::ContractState>(r2).contract_id(), kCri);
  auto r3 = raw.ReadResponse();
  EXPECT_EQ(r3.status, 404) << Describe(r3);
  ExpectHealthy("pipelined GETs");

  // A pipelined append and read: the read is answered after the append and sees it.
  const std::string body = AppendBody({kFunding});
  auto rw = Raw();
  ASSERT_TRUE(rw.connected());
  ASSERT_TRUE(
      rw.Send("POST /v1/contracts/LCC-DIP-CRI-2015/events HTTP/1.1\r\nHost: t\r\n" + auth +
              "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\n\r\n" + body + "GET /v1/contracts/LCC-DIP-CRI-2015 HTTP/1.1\r\nHost: t\r\n" +
              auth + "\r\n"));
  auto w = rw.ReadResponse();
  ASSERT_EQ(w.status, 201) << Describe(w);
  EXPECT_EQ(Parse<v1::AppendResponse>(w).events(0).version(), 3u);
  auto g = rw.ReadResponse();
  ASSERT_EQ(g.status, 200) << Describe(g);
  EXPECT_EQ(Parse<v1::ContractState>(g).version(), 3u) << "the read saw the acknowledged write";
  ExpectHealthy("a pipelined append");
}

// ---------------------------------------------------------------------------------------------
// 8. Tokens file: refusals at start, reload on SIGHUP

class StartupTest : public ServerFixture {
 protected:
  // Starts contrackd expecting it to refuse; returns its exit code.
  int StartExpectingRefusal(const std::string& what) {
    ServerProcess p;
    EXPECT_FALSE(p.Start(data_.string(), tokens_.string())) << what << ": contrackd started";
    const int code = p.Wait(30s);
    EXPECT_NE(code, 0) << what;
    EXPECT_NE(code, -1) << what << ": contrackd did not exit";
    EXPECT_GT(code, 0);
    EXPECT_LT(code, 128) << what << ": killed by a signal, not a clean refusal\n" << p.Stderr();
    EXPECT_FALSE(Contains(p.Stdout(), "listening on")) << what;
    stderr_ = p.Stderr();
    return code;
  }
  std::string stderr_;
};

TEST_F(StartupTest, AWorldReadableTokensFileIsRefused) {
  testing::WriteTokensFile(tokens_, testing::TestTokensJson(), 0644);
  StartExpectingRefusal("mode 0644");
  EXPECT_TRUE(Contains(stderr_, tokens_.filename().string())) << "the message names the file:\n"
                                                              << stderr_;
}

TEST_F(StartupTest, MalformedOrMissingTokensFilesAreRefused) {
  testing::WriteTokensFile(tokens_, R"({"tokens":[{"token":"abc)");
  StartExpectingRefusal("truncated JSON");
  EXPECT_FALSE(stderr_.empty());

  testing::WriteTokensFile(tokens_, R"({"tokens":[{"token":"superuser-token-0123456789",)"
                                    R"("principal":"x","role":"superuser","authorities":["*"]}]})");
  StartExpectingRefusal("unknown role");

  std::filesystem::remove(tokens_);
  StartExpectingRefusal("missing file");
}

TEST_F(StartupTest, SighupReloadsTheTokensFile) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string new_token = "officer-leeds-new-token-0123456789";
  auto fresh = Client(new_token);
  ASSERT_EQ(fresh.Get("/v1/contracts").status, 401);

  // Replace the Leicestershire officer by a new Leeds officer.
  const std::string json =
      std::string(R"({"tokens":[)") + R"({"token":")" + kLeedsOfficerToken +
      R"(","principal":"a","role":"officer","authorities":["Leeds City Council"]},)" +
      R"({"token":")" + new_token +
      R"(","principal":"b","role":"officer","authorities":["Leeds City Council"]},)" +
      R"({"token":")" + kAdminToken + R"(","principal":"c","role":"admin","authorities":["*"]}]})";
  testing::WriteTokensFile(tokens_, json);
  server_->Signal(SIGHUP);
  int status = 0;
  for (auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
    status = fresh.Get("/v1/contracts").status;
    if (status == 200) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(status, 200) << "the new token works after SIGHUP";
  EXPECT_EQ(Client(kLeicsOfficerToken).Get("/v1/contracts").status, 401) << "removed token";
  EXPECT_EQ(Client(kLeedsOfficerToken).Get("/v1/contracts").status, 200);
  auto created = Client(new_token).Post(EventsPath(kCri), AppendBody({kCriWaiver, kCriAward}, 0));
  EXPECT_EQ(created.status, 201) << Describe(created);

  // A broken file on SIGHUP leaves the loaded tokens in force and the server up.
  testing::WriteTokensFile(tokens_, "{not json");
  server_->Signal(SIGHUP);
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(server_->running()) << server_->Stderr();
  EXPECT_EQ(Client(new_token).Get("/v1/contracts").status, 200);
  EXPECT_EQ(Client().Get("/healthz").status, 200);
}

}  // namespace
}  // namespace contrack

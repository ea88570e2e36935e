// The fixture and helpers of the contrackd integration tests that talk to one server: data from
// the seeds, request builders, response parsing, and ServerFixture, which starts the real
// contrackd on an ephemeral loopback port.
#pragma once

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

#include "domain/codec.h"
#include "tests/support/api_test_util.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_support.h"

namespace contrack::server_test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::AppendBody;
using testing::ContractPath;
using testing::Describe;
using testing::EventsPath;
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

inline constexpr char kCri[] = "LCC-DIP-CRI-2015";
inline constexpr char kCriWaiverId[] = "11111111-1111-4111-8111-000000000001";
inline constexpr char kCriAwardId[] = "11111111-1111-4111-8111-000000000002";
inline constexpr char kIps[] = "LEICS-IPS-ITS-2024";
inline constexpr char kIpsAward[] =
    R"({"award":{"authority":"Leicestershire County Council","title":"IPS","supplier":{"name":"Intuitive Thinking Skills"},"start_date":"2024-04-01","end_date":"2026-03-31","value_pence":41400000}})";
inline constexpr char kNdti[] = "LCC-NDTI-AOC-2019";
inline constexpr char kNdtiAward[] =
    R"({"award":{"authority":"Leeds City Council","title":"Art of Commissioning","supplier":{"name":"National Development Team for Inclusion"},"start_date":"2019-11-01","end_date":"2021-10-31","value_pence":4760000}})";
inline constexpr char kExt1[] =
    R"({"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})";
inline constexpr char kExt2[] =
    R"({"effective_date":"2016-09-01","extension":{"new_end_date":"2017-03-31"}})";
inline constexpr char kExt3[] =
    R"({"effective_date":"2017-03-01","extension":{"new_end_date":"2017-09-30"}})";
inline constexpr char kFunding[] =
    R"({"funding":{"funder":"Leeds City Council","financial_year":"2015/16","amount_pence":100}})";
inline constexpr char kLeedsTestAward[] =
    R"({"award":{"authority":"Leeds City Council","title":"Load test contract","supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":1000}})";

inline const std::string kZeroHash(64, '0');

// A UUID made of two numbers, unique per (a, b).
inline std::string Uuid(uint32_t a, uint64_t b) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-0000-4000-8000-%012llx", a,
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// A funding event body with a fixed event id.
inline std::string FundingWithId(const std::string& event_id) {
  return R"({"event_id":")" + event_id +
         R"(","funding":{"funder":"Leeds City Council","financial_year":"2015/16","amount_pence":100}})";
}

inline HttpHeaders Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

inline bool IsHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

inline bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

inline std::string StripSpaces(std::string s) {
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
inline v1::ErrorDetail ErrorOf(const HttpResponse& r) {
  EXPECT_TRUE(r.Header("content-type").starts_with("application/json"))
      << "content-type " << r.Header("content-type") << "; " << Describe(r);
  auto e = Parse<v1::ErrorResponse>(r);
  EXPECT_TRUE(e.has_error()) << Describe(r);
  EXPECT_FALSE(e.error().code().empty()) << Describe(r);
  EXPECT_FALSE(e.error().message().empty()) << Describe(r);
  return e.error();
}

// The sum of every sample of metric `name` (any labels) in Prometheus text, or nullopt.
inline std::optional<double> MetricSum(const std::string& text, const std::string& name) {
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

inline std::set<std::string> SplitAllow(const std::string& allow) {
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

}  // namespace contrack::server_test

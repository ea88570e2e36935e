// Hostile input against the real contrackd, beyond server_test.cc's (body limit, slow and
// oversized headers, idle keep-alive, garbage, pipelining): header counts, contract ids in the
// path, text lengths, event counts, deep JSON nesting, invalid UTF-8, out-of-range dates and
// amounts, sums that overflow, and thousands of idle connections. After each case the server
// still answers /healthz on a new connection, and a refused request wrote nothing (the head
// sequence is unchanged).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api_test_util.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::AppendBody;
using testing::ContractPath;
using testing::Describe;
using testing::ErrorCode;
using testing::EventsPath;
using testing::HttpClient;
using testing::HttpResponse;
using testing::kAdminToken;
using testing::ParseBody;
using testing::RawConnection;
using testing::ServerProcess;
using testing::TempDir;

constexpr char kAward[] =
    R"({"award":{"authority":"Leeds City Council","title":"Hostile input contract",)"
    R"("supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31",)"
    R"("value_pence":1000,"extension_options":[{"months":6}]}})";
constexpr char kFunding[] =
    R"({"funding":{"funder":"Leeds City Council","financial_year":"2015/16","amount_pence":100}})";

// An award body with `field` (JSON text, e.g. "\"note\":\"...\"") added to the envelope.
std::string AwardWith(const std::string& field) { return "{" + field + "," + (kAward + 1); }

// An award body whose award object has `key` set to `value` (JSON text), replacing the default.
std::string AwardField(const std::string& key, const std::string& value) {
  const std::vector<std::pair<std::string, std::string>> defaults = {
      {"authority", R"("Leeds City Council")"},  {"title", R"("Hostile input contract")"},
      {"supplier", R"({"name":"CRI"})"},         {"start_date", R"("2015-04-01")"},
      {"end_date", R"("2016-03-31")"},           {"value_pence", "1000"},
      {"extension_options", R"([{"months":6}])"}};
  std::string out = R"({"award":{)";
  bool replaced = false;
  for (const auto& [k, v] : defaults) {
    out += (out.back() == '{' ? "" : ",") + ("\"" + k + "\":") + (k == key ? value : v);
    replaced = replaced || k == key;
  }
  if (!replaced) out += ",\"" + key + "\":" + value;
  return out + "}}";
}

// The bytes of `s` in hex, for messages.
std::string Hex(const std::string& s) {
  std::string hex;
  for (unsigned char ch : s) {
    char buf[4];
    std::snprintf(buf, sizeof(buf), "%02x", ch);
    hex += buf;
  }
  return hex;
}

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or code points past
// U+10FFFF).
bool WellFormedUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return false;
    }
    i += n + 1;
  }
  return true;
}

class HostileInputTest : public ::testing::Test {
 protected:
  HostileInputTest() {
    tokens_ = dir_.path() / "tokens.json";
    data_ = dir_.path() / "data";
    std::filesystem::create_directories(data_);
    testing::WriteTokensFile(tokens_);
  }

  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer({})); }

  void StartServer(const std::vector<std::string>& extra) {
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->Start(data_.string(), tokens_.string(), extra))
        << "contrackd did not start\n"
        << server_->Stderr();
  }

  HttpClient Admin() {
    HttpClient c("127.0.0.1", server_->port(), 20s);
    c.set_token(kAdminToken);
    return c;
  }

  RawConnection Raw() { return RawConnection("127.0.0.1", server_->port()); }

  // The head sequence /healthz reports on a new connection; fails the test when unhealthy.
  uint64_t Head() {
    HttpClient c("127.0.0.1", server_->port(), 10s);
    auto r = c.Get("/healthz");
    EXPECT_EQ(r.status, 200) << Describe(r);
    auto h = ParseBody<v1::HealthResponse>(r);
    EXPECT_TRUE(h && h->status() == "ok") << Describe(r);
    return h ? h->head_sequence() : 0;
  }

  // The server is up, answers /healthz on a new connection, and its head is `head`.
  void ExpectHealthyAt(uint64_t head, const std::string& after_what) {
    SCOPED_TRACE("after " + after_what);
    ASSERT_TRUE(server_->running()) << "contrackd died\n" << server_->Stderr();
    EXPECT_EQ(Head(), head) << "a refused request wrote something";
  }

  // Posts `body` to `contract`'s events as the admin; expects `status` (and `code` when given)
  // and that nothing was written.
  HttpResponse ExpectRefused(const std::string& contract, const std::string& body, int status,
                             const std::string& code, const std::string& what) {
    SCOPED_TRACE(what);
    const uint64_t head = Head();
    auto c = Admin();
    auto r = c.Post(EventsPath(contract), body);
    EXPECT_EQ(r.status, status) << Describe(r);
    if (!code.empty() && r.status == status) {
      EXPECT_EQ(ErrorCode(r), code) << Describe(r);
    }
    ExpectHealthyAt(head, what);
    return r;
  }

  TempDir dir_;
  std::filesystem::path tokens_, data_;
  std::unique_ptr<ServerProcess> server_;  // declared last: stopped before dir_ is removed
};

TEST_F(HostileInputTest, FiveHundredSmallHeadersUnder8KiBAreAnsweredAndTheServerKeepsServing) {
  // 500 headers of ~14 bytes: ~7 KiB, under the 8 KiB header limit. The server bounds the header
  // block by bytes, not by count: such a request is a normal request (answered 200), and the
  // connection stays usable. Any 4xx or a close would be acceptable too; a 5xx, a hang or a
  // crash is not.
  const uint64_t head = Head();
  std::string req = "GET /healthz HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 500; ++i) {
    char h[32];
    std::snprintf(h, sizeof(h), "X-%03d: abcdefg\r\n", i);
    req += h;
  }
  ASSERT_LT(req.size(), 8192u);
  auto raw = Raw();
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send(req + "\r\n"));
  auto r = raw.ReadResponse(10s);
  std::printf("[hostile] 500 headers (%zu bytes): status %d%s\n", req.size(), r.status,
              r.status == 0 ? " (closed)" : "");
  EXPECT_TRUE(r.status == 200 || (r.status >= 400 && r.status < 500) || !r.error.empty())
      << Describe(r);
  EXPECT_NE(r.status / 100, 5) << Describe(r);
  if (r.status == 200) {
    // The same connection serves the next request.
    ASSERT_TRUE(raw.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
    EXPECT_EQ(raw.ReadResponse(10s).status, 200);
  }
  ExpectHealthyAt(head, "500 headers");

  // The same on an append: the many headers change nothing about what is written.
  const std::string body = AppendBody({kAward}, 0);
  std::string post = "POST /v1/contracts/LCC-MANY-HEADERS/events HTTP/1.1\r\nHost: t\r\n";
  post += "Authorization: Bearer " + std::string(kAdminToken) + "\r\n";
  for (int i = 0; i < 450; ++i) {
    char h[32];
    std::snprintf(h, sizeof(h), "X-%03d: abcdefg\r\n", i);
    post += h;
  }
  post += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n\r\n" + body;
  auto raw2 = Raw();
  ASSERT_TRUE(raw2.connected());
  ASSERT_TRUE(raw2.Send(post));
  auto w = raw2.ReadResponse(10s);
  EXPECT_TRUE(w.status == 201 || (w.status >= 400 && w.status < 500)) << Describe(w);
  ExpectHealthyAt(head + (w.status == 201 ? 1 : 0), "450 headers on an append");
}

TEST_F(HostileInputTest, ContractIdsInThePathAreCheckedForLengthAndCharset) {
  ASSERT_EQ(Admin().Post(EventsPath(std::string(64, 'A')), AppendBody({kAward})).status, 201)
      << "64 characters is the limit, inclusive";
  const uint64_t head = Head();
  const std::string cases[] = {
      std::string(65, 'A'),        // one over the limit
      std::string(5000, 'A'),      // far over
      "LCC%2FX",                   // a slash inside a segment
      "..",                        // dot-dot
      ".hidden",                   // must start with a letter or digit
      "LCC%00X",                   // NUL
      "LCC-%C3%A9",                // é, non-ASCII
      "LCC%20X",                   // space
      "LCC%0D%0AX-Injected:%201",  // CR LF
      "%FF%FE",                    // bytes that are not UTF-8
      "LCC%ZZ",                    // malformed percent-encoding
  };
  for (const auto& id : cases) {
    SCOPED_TRACE("id " + id.substr(0, 80));
    auto c = Admin();
    auto post = c.Post(EventsPath(id), AppendBody({kAward}));
    EXPECT_EQ(post.status, 400) << Describe(post);
    for (const std::string& path : {ContractPath(id), EventsPath(id), "/v1/ocds/" + id}) {
      auto get = c.Get(path);
      EXPECT_TRUE(get.status == 400 || get.status == 404) << path << ": " << Describe(get);
    }
    ExpectHealthyAt(head, "id " + id.substr(0, 80));
  }
  // ".." as a path segment is not resolved: the route does not change.
  auto c = Admin();
  auto dots = c.Post("/v1/contracts/../contracts/LCC-DOTS/events", AppendBody({kAward}));
  EXPECT_TRUE(dots.status == 400 || dots.status == 404 || dots.status == 405) << Describe(dots);
  // Raw non-ASCII and control bytes in the request target: 400 or a close.
  for (const std::string& target :
       {std::string("/v1/contracts/LCC-\xc3\xa9"), std::string("/v1/contracts/LCC\x01X"),
        std::string("/v1/contracts/LCC\x7fX")}) {
    auto raw = Raw();
    ASSERT_TRUE(raw.connected());
    raw.Send("GET " + target +
             " HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer " +
             std::string(kAdminToken) + "\r\n\r\n");
    auto r = raw.ReadUntilClose(5s);
    EXPECT_TRUE(r.data.starts_with("HTTP/1.1 400") || r.data.starts_with("HTTP/1.1 404") ||
                (r.closed && r.data.empty()))
        << r.data.substr(0, 200);
  }
  ExpectHealthyAt(head, "raw bytes in the target");
}

TEST_F(HostileInputTest, TextOverItsLimitIs400NamingTheField) {
  auto r = ExpectRefused("LCC-LONG-NOTE",
                         AppendBody({AwardWith(R"("note":")" + std::string(9000, 'n') + "\"")}),
                         400, "invalid_argument", "a 9000-byte note");
  EXPECT_NE(r.body.find("note"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("8192"), std::string::npos) << "the message gives the limit: " << r.body;
  r = ExpectRefused("LCC-LONG-TITLE",
                    AppendBody({AwardField("title", "\"" + std::string(600, 't') + "\"")}), 400,
                    "invalid_argument", "a 600-byte title");
  EXPECT_NE(r.body.find("award.title"), std::string::npos) << r.body;
  // At the limit is accepted.
  auto ok = Admin().Post(EventsPath("LCC-NOTE-8192"),
                         AppendBody({AwardWith(R"("note":")" + std::string(8192, 'n') + "\"")}));
  EXPECT_EQ(ok.status, 201) << Describe(ok);
}

TEST_F(HostileInputTest, MoreThan1000EventsInOneAppendIs400) {
  std::vector<std::string> events = {kAward};
  while (events.size() < 1001) events.push_back(kFunding);
  auto r = ExpectRefused("LCC-MANY-EVENTS", AppendBody(events, 0), 400, "invalid_argument",
                         "1001 events");
  EXPECT_NE(r.body.find("1000"), std::string::npos) << r.body;
  events.pop_back();
  auto ok = Admin().Post(EventsPath("LCC-MANY-EVENTS"), AppendBody(events, 0));
  ASSERT_EQ(ok.status, 201) << "1000 events is the limit, inclusive: " << Describe(ok);
  auto resp = ParseBody<v1::AppendResponse>(ok);
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->events_size(), 1000);
}

TEST_F(HostileInputTest, DeeplyNestedJsonIs400WithoutExhaustingTheStack) {
  struct Case {
    std::string what;
    std::string body;
  };
  std::vector<Case> cases;
  for (int depth : {10000, 200000}) {
    const std::string d = std::to_string(depth);
    cases.push_back(
        {d + " nested arrays as the body", std::string(depth, '[') + std::string(depth, ']')});
    cases.push_back({d + " nested arrays in events",
                     R"({"events":)" + std::string(depth, '[') + std::string(depth, ']') + "}"});
    cases.push_back(
        {d + " nested arrays in a note",
         R"({"events":[{"note":)" + std::string(depth, '[') + std::string(depth, ']') + "}]}"});
    std::string objects;
    const int object_depth = std::min(depth, 100000);
    for (int i = 0; i < object_depth; ++i) objects += R"({"a":)";
    objects += "1" + std::string(object_depth, '}');
    cases.push_back({d + " nested objects", objects});
    cases.push_back({d + " unclosed arrays", R"({"events":[)" + std::string(depth, '[')});
  }
  for (const auto& c : cases) {
    ASSERT_LT(c.body.size(), 1u << 20) << "under the default body limit";
    ExpectRefused("LCC-DEEP", c.body, 400, "invalid_argument", c.what);
  }
}

// Raw bytes in the JSON text (not \u escapes): a lone continuation byte, a truncated sequence,
// an invalid lead byte, an overlong encoding of '/', an overlong 3-byte NUL, a UTF-16 surrogate,
// a code point past U+10FFFF, and a control character.
const std::string kBadText[] = {
    "\x80",         "abc\xc3",      "\xff\xfe",         "\xc0\xaf",
    "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x01",
};

TEST_F(HostileInputTest, InvalidUtf8InAStringFieldIs400) {
  for (const auto& b : kBadText) {
    ExpectRefused("LCC-UTF8", AppendBody({AwardWith(R"("note":"ok )" + b + "\"")}), 400, "",
                  "note with bytes " + Hex(b));
    ExpectRefused("LCC-UTF8", AppendBody({AwardField("title", "\"x" + b + "\"")}), 400, "",
                  "award.title with bytes " + Hex(b));
  }
  // A lone surrogate as a JSON escape.
  ExpectRefused("LCC-UTF8", AppendBody({AwardWith(R"("note":"\ud800")")}), 400, "invalid_argument",
                "note with a lone surrogate escape");
  // Valid multi-byte text is accepted and reads back unchanged.
  const std::string text = "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9c";
  auto c = Admin();
  auto ok = c.Post(EventsPath("LCC-UTF8-OK"), AppendBody({AwardWith(R"("note":")" + text + "\"")}));
  ASSERT_EQ(ok.status, 201) << Describe(ok);
  auto h = c.Get(EventsPath("LCC-UTF8-OK"));
  ASSERT_EQ(h.status, 200) << Describe(h);
  auto history = ParseBody<v1::HistoryResponse>(h);
  ASSERT_TRUE(history && history->events_size() == 1);
  EXPECT_EQ(history->events(0).body().note(), text);
}

// The 400 for invalid UTF-8 must itself be valid JSON (RFC 8259 requires UTF-8): a client has to
// be able to read the error. Found by this test: protobuf's parse error quotes the input around
// the bad byte, and the API copies that message into the error verbatim.
TEST_F(HostileInputTest, TheErrorForInvalidUtf8IsItselfValidUtf8Json) {
  for (const auto& b : kBadText) {
    SCOPED_TRACE("bytes " + Hex(b));
    auto r =
        Admin().Post(EventsPath("LCC-UTF8"), AppendBody({AwardWith(R"("note":"ok )" + b + "\"")}));
    EXPECT_EQ(r.status, 400) << Describe(r);
    EXPECT_TRUE(WellFormedUtf8(r.body))
        << "the error body holds bytes that are not UTF-8: " << Hex(r.body.substr(0, 400));
    auto e = ParseJson<v1::ErrorResponse>(r.body, "error response");
    EXPECT_TRUE(e.has_value()) << "the error body does not parse as JSON: "
                               << (e ? "" : e.error().ToString());
  }
  // Other messages that quote the request: an unknown path, a query value, and a 64-byte cut of
  // an enumerated value made of two-byte characters (the cut falls inside one).
  auto c = Admin();
  const std::vector<std::pair<std::string, HttpResponse>> answers = {
      {"unknown path", c.Get("/v1/%FF%FE")},
      {"query value", c.Get("/v1/contracts?limit=%FF%FE")},
      {"ocds record flag", c.Get("/v1/ocds/LCC-X?record=%C3")},
      {"cut enumerated value", c.Post(EventsPath("LCC-UTF8"), AppendBody({AwardField(
                                                                  "procedure", "\"x" + [] {
                                                                    std::string s;
                                                                    for (int i = 0; i < 40; ++i)
                                                                      s += "\xc3\xa9";
                                                                    return s;
                                                                  }() + "\"")}))}};
  for (const auto& [what, r] : answers) {
    SCOPED_TRACE(what);
    EXPECT_GE(r.status, 400) << Describe(r);
    EXPECT_TRUE(WellFormedUtf8(r.body))
        << "the error body holds bytes that are not UTF-8: " << Hex(r.body.substr(0, 400));
  }
}

TEST_F(HostileInputTest, DatesOutOfRangeAre400) {
  for (const std::string date :
       {"0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01", "2015-02-29", "2015-13-01",
        "2015-1-01", "+2015-01-01", "2015-01-01T00:00:00Z", "-001-01-01", "２０１５-01-01"}) {
    ExpectRefused("LCC-DATES", AppendBody({AwardField("end_date", "\"" + date + "\"")}), 400,
                  "invalid_argument", "award.end_date " + date);
    ExpectRefused("LCC-DATES", AppendBody({R"({"effective_date":")" + date + "\"," + (kAward + 1)}),
                  400, "invalid_argument", "effective_date " + date);
  }
  // The edges of the range are real dates: a contract ending 2999-12-31 with an option (whose
  // reach is past 2999) is accepted, and every read of it works.
  auto c = Admin();
  auto ok = c.Post(EventsPath("LCC-FAR-END"),
                   AppendBody({R"({"award":{"authority":"Leeds City Council","title":"Far",)"
                               R"("supplier":{"name":"CRI"},"start_date":"1900-01-01",)"
                               R"("end_date":"2999-12-31","value_pence":1,)"
                               R"("extension_options":[{"months":120}]}})"}));
  ASSERT_EQ(ok.status, 201) << Describe(ok);
  const uint64_t head = Head();
  for (const std::string path :
       {"/v1/contracts/LCC-FAR-END", "/v1/contracts/LCC-FAR-END/events", "/v1/contracts",
        "/v1/alerts?as_of=2999-12-31&within_days=3650", "/v1/alerts?as_of=1900-01-01",
        "/v1/reports/register.csv", "/v1/reports/funding", "/v1/ocds/LCC-FAR-END",
        "/v1/ocds/LCC-FAR-END?record=true", "/v1/contracts/LCC-FAR-END?as_of=1900-01-01"}) {
    auto r = c.Get(path);
    EXPECT_EQ(r.status, 200) << path << ": " << Describe(r);
  }
  // An extension to a date past 2999 is refused as a date, not by a crash.
  ExpectRefused(
      "LCC-FAR-END",
      AppendBody({R"({"effective_date":"2999-01-01","extension":{"new_end_date":"3009-12-31"}})"}),
      400, "invalid_argument", "an extension to 3009");
  ExpectHealthyAt(head, "reads of a contract at the edges of the date range");
}

TEST_F(HostileInputTest, AmountsThatOverflowInt64Are400AndSumsThatOverflowAre422) {
  for (const std::string v : {"9223372036854775808", "-9223372036854775809", "18446744073709551616",
                              "1e30", "\"9223372036854775808\"", "1.5", "\"12abc\"", "NaN",
                              "\"Infinity\"", "99999999999999999999999999999999999999"}) {
    ExpectRefused("LCC-AMOUNTS", AppendBody({AwardField("value_pence", v)}), 400,
                  "invalid_argument", "award.value_pence " + v);
  }
  ExpectRefused("LCC-AMOUNTS", AppendBody({AwardField("value_pence", "-1")}), 400,
                "invalid_argument", "a negative award value");

  // INT64_MAX itself is a valid amount; adding to it overflows the contract's total.
  auto c = Admin();
  auto ok = c.Post(EventsPath("LCC-MAX-VALUE"),
                   AppendBody({AwardField("value_pence", "9223372036854775807")}, 0));
  ASSERT_EQ(ok.status, 201) << Describe(ok);
  ExpectRefused("LCC-MAX-VALUE",
                AppendBody({R"({"effective_date":"2016-03-01","extension":)"
                            R"({"new_end_date":"2016-09-30","value_pence_added":1}})"}),
                422, "value_overflow", "an extension adding 1p to INT64_MAX");
  ExpectRefused(
      "LCC-MAX-VALUE",
      AppendBody(
          {R"({"variation":{"description":"more","value_delta_pence":"9223372036854775807"}})"}),
      422, "value_overflow", "a variation doubling INT64_MAX");
  const std::string max_funding = R"({"funding":{"funder":"F","financial_year":"2015/16",)"
                                  R"("amount_pence":"9223372036854775807"}})";
  ASSERT_EQ(c.Post(EventsPath("LCC-MAX-VALUE"), AppendBody({max_funding})).status, 201);
  ExpectRefused("LCC-MAX-VALUE", AppendBody({max_funding}), 422, "value_overflow",
                "funding summing past INT64_MAX");
  // Within one append: the second event overflows, so neither is written.
  ExpectRefused("LCC-MAX-VALUE-2",
                AppendBody({AwardField("value_pence", "9223372036854775807"),
                            R"({"variation":{"description":"v","value_delta_pence":1}})"},
                           0),
                422, "value_overflow", "an award and an overflowing variation in one append");
  EXPECT_EQ(c.Get(ContractPath("LCC-MAX-VALUE-2")).status, 404);
}

// Opens a TCP connection to 127.0.0.1:port that never sends; -1 on failure.
int OpenIdle(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True once the peer has closed `fd` (a read returns 0 or fails), without blocking.
bool PeerClosed(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  char buf[64];
  const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

TEST_F(HostileInputTest, TwoThousandIdleConnectionsDoNotStarveAClientAndAreClosed) {
  constexpr int kWanted = 2000;
  constexpr int kSpareFds = 256;
  // The test process and contrackd (which inherits the limit) each need one fd per connection.
  rlimit lim{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
  const rlim_t need = kWanted + kSpareFds;
  if (lim.rlim_cur < need) {
    lim.rlim_cur = std::min(need, lim.rlim_max);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lim), 0);
  }
  const int n = static_cast<int>(std::min<rlim_t>(kWanted, lim.rlim_cur - kSpareFds));
  ASSERT_GE(n, 500) << "RLIMIT_NOFILE hard limit " << lim.rlim_max << " is too low";
  constexpr auto kIdle = 2000ms;
  server_.reset();
  // Above the default --max-connections (1024), which abuse_test.cc tests.
  ASSERT_NO_FATAL_FAILURE(StartServer(
      {"--idle-timeout-ms", "2000", "--header-timeout-ms", "2000", "--max-connections", "4096"}));
  const uint64_t head = Head();

  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    const int fd = OpenIdle(server_->port());
    ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
    fds.push_back(fd);
  }
  const auto opened = Clock::now();
  std::printf("[hostile] %d idle connections open\n", n);

  // A normal client is served promptly while they hang.
  {
    auto c = Admin();
    const auto t0 = Clock::now();
    auto health = c.Get("/healthz");
    auto created = c.Post(EventsPath("LCC-WHILE-IDLE"), AppendBody({kAward}, 0));
    auto state = c.Get(ContractPath("LCC-WHILE-IDLE"));
    const auto took = Clock::now() - t0;
    EXPECT_EQ(health.status, 200) << Describe(health);
    EXPECT_EQ(created.status, 201) << Describe(created);
    EXPECT_EQ(state.status, 200) << Describe(state);
    EXPECT_LT(took, 1500ms) << "three requests took "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                            << " ms with idle connections open";
  }

  // Then the server closes every idle one, around the idle timeout.
  std::vector<bool> closed(fds.size(), false);
  size_t n_closed = 0;
  while (n_closed < fds.size() && Clock::now() - opened < kIdle + 10s) {
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!closed[i] && PeerClosed(fds[i])) {
        closed[i] = true;
        ++n_closed;
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  const auto waited = Clock::now() - opened;
  for (int fd : fds) ::close(fd);
  EXPECT_EQ(n_closed, fds.size())
      << "idle connections still open "
      << std::chrono::duration_cast<std::chrono::seconds>(waited).count()
      << " s after they were opened (idle timeout 2 s)";
  EXPECT_GE(waited, kIdle - 500ms) << "closed before the idle timeout";
  ExpectHealthyAt(head + 1, "2000 idle connections");
}

}  // namespace
}  // namespace contrack

// Abuse of the real contrackd's HTTP service: running out of file descriptors, the connection and
// stream limits, clients that vanish from a stream, request smuggling shapes (RFC 9112), the
// Authorization header, the feed's cursor at its maximum, the tokens file's mode, and secrets in
// the access log.
#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <functional>
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
using testing::Describe;
using testing::ErrorCode;
using testing::EventsPath;
using testing::HttpClient;
using testing::HttpHeaders;
using testing::HttpResponse;
using testing::kAdminToken;
using testing::kAuditorPrincipal;
using testing::kAuditorToken;
using testing::RawConnection;
using testing::ServerProcess;
using testing::SseClient;
using testing::TempDir;

constexpr char kAward[] =
    R"({"award":{"authority":"Leeds City Council","title":"Abuse test contract",)"
    R"("supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31",)"
    R"("value_pence":1000}})";

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

size_t Count(const std::string& s, const std::string& part) {
  size_t n = 0;
  for (size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}

// Polls `done` every 10 ms until it holds or `timeout` passes; returns its last value.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

HttpHeaders Auth(const std::string& value) { return {{"Authorization", value}}; }

// A TCP connection to 127.0.0.1:port (blocking, close-on-exec); -1 on failure.
int Connect(uint16_t port) {
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

bool SendAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

struct Received {
  std::string data;
  bool closed = false;  // EOF or reset
};

// Reads from `fd` until `enough(data)` holds, the peer closes, or `timeout` passes.
Received ReadFor(int fd, std::chrono::milliseconds timeout,
                 const std::function<bool(const std::string&)>& enough) {
  Received r;
  const auto deadline = Clock::now() + timeout;
  while (!enough(r.data)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      r.closed = true;
      break;
    }
    r.data.append(buf, static_cast<size_t>(n));
  }
  return r;
}

// contrackd's open descriptors.
std::vector<int> OpenFds(pid_t pid) {
  std::vector<int> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') out.push_back(std::atoi(e->d_name));
  }
  ::closedir(d);
  return out;
}

// How many of contrackd's open descriptors are numbered below `limit`.
int OpenFdsBelow(pid_t pid, int limit) {
  const auto fds = OpenFds(pid);
  return static_cast<int>(
      std::count_if(fds.begin(), fds.end(), [&](int fd) { return fd < limit; }));
}

class AbuseTest : public ::testing::Test {
 protected:
  AbuseTest() {
    tokens_ = dir_.path() / "tokens.json";
    data_ = dir_.path() / "data";
    std::filesystem::create_directories(data_);
    testing::WriteTokensFile(tokens_);
  }

  void StartServer(const std::vector<std::string>& extra = {}) {
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->Start(data_.string(), tokens_.string(), extra))
        << "contrackd did not start\n"
        << server_->Stderr();
  }

  HttpClient Client(const std::string& token = "") {
    HttpClient c("127.0.0.1", server_->port(), 10s);
    if (!token.empty()) c.set_token(token);
    return c;
  }

  // GET /healthz on a new connection answers 200.
  void ExpectHealthy(const std::string& after_what) {
    SCOPED_TRACE("after " + after_what);
    ASSERT_TRUE(server_->running()) << "contrackd died\n" << server_->Stderr();
    auto r = Client().Get("/healthz");
    EXPECT_EQ(r.status, 200) << Describe(r);
  }

  TempDir dir_;
  std::filesystem::path tokens_, data_;
  std::unique_ptr<ServerProcess> server_;  // declared last: stopped before dir_ is removed
};

// ---------------------------------------------------------------------------------------------
// Finding 7: descriptors, connections and streams

TEST_F(AbuseTest, OutOfDescriptorsTheAcceptorBacksOffLogsLittleAndRecovers) {
#ifdef CONTRACK_SANITIZED
  // UBSan's vptr check tests whether memory is readable through a pipe(2); with every descriptor
  // in use that fails, and it reports a valid error_category as invalid and aborts contrackd.
  // The normal build runs this test.
  GTEST_SKIP() << "skipped under the sanitizers: their runtime needs free file descriptors";
#endif
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const pid_t pid = server_->pid();
  // Leave contrackd 16 free descriptors: its limit becomes the number below which 16 are free
  // (descriptors it inherited may leave gaps). No connection is open yet.
  const auto fds = OpenFds(pid);
  ASSERT_FALSE(fds.empty());
  int limit = 0;
  while (limit - static_cast<int>(
                     std::count_if(fds.begin(), fds.end(), [&](int fd) { return fd < limit; })) <
         16) {
    ++limit;
  }
  rlimit old{};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, nullptr, &old), 0) << std::strerror(errno);
  rlimit lowered{static_cast<rlim_t>(limit), old.rlim_max};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &lowered, nullptr), 0) << std::strerror(errno);

  // Idle connections, each accepted before the next, until every descriptor is in use.
  std::vector<int> idle;
  while (OpenFdsBelow(pid, limit) < limit) {
    ASSERT_LT(idle.size(), 64u) << "contrackd's descriptors never ran out";
    const int before = OpenFdsBelow(pid, limit);
    const int fd = Connect(server_->port());
    ASSERT_GE(fd, 0) << std::strerror(errno);
    idle.push_back(fd);
    ASSERT_TRUE(WaitFor([&] { return OpenFdsBelow(pid, limit) > before; }, 5s))
        << "contrackd did not accept idle connection " << idle.size();
  }

  // One more client: the kernel completes its handshake, contrackd's accept fails (EMFILE).
  const int probe = Connect(server_->port());
  ASSERT_GE(probe, 0);
  ASSERT_TRUE(SendAll(probe, "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return Contains(server_->Stderr(), "accept failed"); }, 5s))
      << "no accept failure was logged\n"
      << server_->Stderr().substr(0, 4000);
  // While descriptors are exhausted the probe is not answered (it waits in the backlog).
  auto waiting = ReadFor(probe, 700ms, [](const std::string& d) { return !d.empty(); });
  EXPECT_TRUE(waiting.data.empty() && !waiting.closed) << waiting.data;

  // Free one descriptor: the probe is answered within a second.
  ::close(idle.front());
  idle.erase(idle.begin());
  const auto freed = Clock::now();
  auto answer = ReadFor(probe, 3s, [](const std::string& d) { return Contains(d, "\r\n\r\n"); });
  const auto took = Clock::now() - freed;
  ::close(probe);
  EXPECT_TRUE(answer.data.starts_with("HTTP/1.1 200")) << answer.data.substr(0, 300);
  EXPECT_LT(took, 1s) << "answered after "
                      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                      << " ms";

  // Over a second of exhaustion wrote a handful of lines, not one per failed accept.
  const std::string log = server_->Stderr();
  const size_t lines = Count(log, "\n");
  EXPECT_LT(lines, 100u) << "contrackd wrote " << lines << " lines; the first:\n"
                         << log.substr(0, 2000);
  EXPECT_TRUE(Contains(log, "too many open files") || Contains(log, "Too many open files"))
      << log.substr(0, 2000);

  for (int fd : idle) ::close(fd);
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &old, nullptr), 0);
  ExpectHealthy("descriptors were exhausted");
}

TEST_F(AbuseTest, AConnectionOverMaxConnectionsIsAnswered503AndClosed) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--max-connections", "2"}));
  // Two idle connections take both slots (accepted in order, before the third).
  const int a = Connect(server_->port());
  const int b = Connect(server_->port());
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);

  RawConnection third("127.0.0.1", server_->port());
  ASSERT_TRUE(third.connected());
  third.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = third.ReadUntilClose(5s);
  EXPECT_TRUE(r.data.starts_with("HTTP/1.1 503")) << r.data.substr(0, 400);
  EXPECT_TRUE(r.closed) << "the connection stays open: " << r.data.substr(0, 400);
  std::string lower = r.data;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(Contains(lower, "connection: close")) << r.data.substr(0, 400);
  EXPECT_TRUE(Contains(lower, "content-type: application/json")) << r.data.substr(0, 400);
  const size_t body_at = r.data.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos) << r.data;
  HttpResponse parsed;
  parsed.status = 503;
  parsed.body = r.data.substr(body_at + 4);
  EXPECT_EQ(ErrorCode(parsed), "unavailable");
  EXPECT_TRUE(Contains(parsed.body, "--max-connections")) << parsed.body;
  EXPECT_EQ(Count(r.data, "Server: contrackd\r\n"), 1u) << r.data;

  // Closing one idle connection frees its slot.
  ::close(a);
  int status = 0;
  EXPECT_TRUE(WaitFor(
      [&] {
        status = Client().Get("/healthz").status;
        return status == 200;
      },
      5s))
      << "last status " << status;
  ::close(b);
  EXPECT_TRUE(Contains(server_->Stderr(), "--max-connections 2")) << server_->Stderr();
}

TEST_F(AbuseTest, StreamsPerPrincipalAreCappedAndAClosedClientFreesItsSlot) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--max-streams-per-principal", "1"}));
  const HttpHeaders auditor = Auth("Bearer " + std::string(kAuditorToken));
  SseClient first("127.0.0.1", server_->port());
  auto opened = first.Open("/v1/feed?after=0", auditor);
  ASSERT_EQ(opened.status, 200) << Describe(opened);

  SseClient second("127.0.0.1", server_->port());
  auto refused = second.Open("/v1/feed?after=0", auditor);
  EXPECT_EQ(refused.status, 429) << Describe(refused);
  if (refused.status == 429) {
    EXPECT_EQ(ErrorCode(refused), "too_many_requests");
    EXPECT_TRUE(Contains(refused.body, kAuditorPrincipal)) << refused.body;
    EXPECT_TRUE(Contains(refused.body, "--max-streams-per-principal")) << refused.body;
  }

  // The cap is per principal: the admin may still stream.
  SseClient admin("127.0.0.1", server_->port());
  auto admin_opened = admin.Open("/v1/feed?after=0", Auth("Bearer " + std::string(kAdminToken)));
  EXPECT_EQ(admin_opened.status, 200) << Describe(admin_opened);

  // The first client goes: its slot is free again.
  first.Close();
  int status = 0;
  EXPECT_TRUE(WaitFor(
      [&] {
        SseClient again("127.0.0.1", server_->port());
        status = again.Open("/v1/feed?after=0", auditor).status;
        return status == 200;
      },
      5s))
      << "last status " << status;
}

TEST_F(AbuseTest, AStreamWhoseClientHasGoneIsClosedWithoutWaitingForAWrite) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--max-streams-per-principal", "1"}));
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd,
                      "GET /v1/feed?after=0 HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream"
                      "\r\nAuthorization: Bearer " +
                          std::string(kAuditorToken) + "\r\n\r\n"));
  auto head = ReadFor(fd, 5s, [](const std::string& d) { return Contains(d, "\r\n\r\n"); });
  ASSERT_TRUE(head.data.starts_with("HTTP/1.1 200")) << head.data;
  // The client stops sending (half-close). Nothing is written on an idle feed for 15 s (the
  // heartbeat), so only a read can tell the server: it must end the stream now.
  ASSERT_EQ(::shutdown(fd, SHUT_WR), 0);
  const auto t0 = Clock::now();
  auto rest = ReadFor(fd, 5s, [](const std::string&) { return false; });
  ::close(fd);
  EXPECT_TRUE(rest.closed) << "the server kept the stream of a gone client open";
  EXPECT_LT(Clock::now() - t0, 2s);
  // Its slot is free: a new stream of the same principal is accepted (the cap is 1).
  SseClient next("127.0.0.1", server_->port());
  auto r = next.Open("/v1/feed?after=0", Auth("Bearer " + std::string(kAuditorToken)));
  EXPECT_EQ(r.status, 200) << Describe(r);
}

// ---------------------------------------------------------------------------------------------
// Finding 8: request smuggling and request hygiene

class SmugglingTest : public AbuseTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer()); }

  // Sends `bytes` on a new connection; expects exactly one response, with `status`, whose body
  // contains `says`, and then the close.
  void ExpectRefusedAndClosed(const std::string& what, const std::string& bytes, int status,
                              const std::string& says) {
    SCOPED_TRACE(what);
    RawConnection raw("127.0.0.1", server_->port());
    ASSERT_TRUE(raw.connected());
    raw.Send(bytes);
    auto r = raw.ReadUntilClose(5s);
    EXPECT_TRUE(r.data.starts_with("HTTP/1.1 " + std::to_string(status)) ||
                r.data.starts_with("HTTP/1.0 " + std::to_string(status)))
        << r.data.substr(0, 600);
    EXPECT_TRUE(r.closed) << "the connection was kept open";
    EXPECT_EQ(Count(r.data, "Server: contrackd\r\n"), 1u)
        << "the bytes after the header were answered as a second request:\n"
        << r.data.substr(0, 1200);
    EXPECT_TRUE(Contains(r.data, says)) << r.data.substr(0, 600);
    ExpectHealthy(what);
  }

  std::string Post(const std::string& headers, const std::string& body,
                   const std::string& version = "HTTP/1.1") {
    return "POST " + EventsPath("LCC-SMUGGLE") + " " + version + "\r\nHost: t\r\n" +
           "Authorization: Bearer " + kAdminToken + "\r\n" + headers + "\r\n" + body;
  }

  // The request hidden in the body.
  const std::string smuggled_ = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
};

TEST_F(SmugglingTest, ATransferEncodingNotEndingInChunkedIs400AndCloses) {
  for (const std::string te : {"xchunked", "chunked, identity", "identity", "chunked;x=1"}) {
    ExpectRefusedAndClosed("Transfer-Encoding: " + te,
                           Post("Transfer-Encoding: " + te + "\r\n", smuggled_), 400,
                           "Transfer-Encoding");
  }
  // Split over two header lines, the last coding is what counts.
  ExpectRefusedAndClosed("two lines, chunked first",
                         Post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                              "0\r\n\r\n" + smuggled_),
                         400, "Transfer-Encoding");
  // A coding before chunked that the server does not implement: 501, and the close.
  ExpectRefusedAndClosed("gzip, chunked",
                         Post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n" + smuggled_), 501,
                         "gzip");
  EXPECT_EQ(Client(kAdminToken).Get(testing::ContractPath("LCC-SMUGGLE")).status, 404);
}

TEST_F(SmugglingTest, ChunkedOnHttp10AndContentLengthWithTransferEncodingAre400AndClose) {
  ExpectRefusedAndClosed("HTTP/1.0 chunked, kept alive",
                         Post("Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n",
                              "0\r\n\r\n" + smuggled_, "HTTP/1.0"),
                         400, "HTTP/1.0");
  const std::string body = AppendBody({kAward});
  ExpectRefusedAndClosed(
      "Transfer-Encoding then Content-Length",
      Post("Transfer-Encoding: identity\r\nContent-Length: " + std::to_string(body.size()) + "\r\n",
           body + smuggled_),
      400, "Content-Length");
  // The other order is refused by the parser itself; still one answer and the close.
  ExpectRefusedAndClosed(
      "Content-Length then Transfer-Encoding",
      Post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + smuggled_), 400,
      "invalid_argument");
  EXPECT_EQ(Client(kAdminToken).Get(testing::ContractPath("LCC-SMUGGLE")).status, 404)
      << "a refused request wrote";
}

TEST_F(SmugglingTest, HostMustBeThereOnceAndAuthorizationAtMostOnce) {
  ExpectRefusedAndClosed("HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\n\r\n" + smuggled_, 400,
                         "Host");
  ExpectRefusedAndClosed("two Host headers",
                         "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + smuggled_, 400,
                         "Host");
  ExpectRefusedAndClosed("two Authorization headers",
                         "GET /v1/contracts HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                             std::string(kAdminToken) + "\r\nAuthorization: Bearer " +
                             kAuditorToken + "\r\n\r\n" + smuggled_,
                         400, "Authorization");
  // HTTP/1.0 without Host is still a request.
  RawConnection raw("127.0.0.1", server_->port());
  ASSERT_TRUE(raw.connected());
  raw.Send("GET /healthz HTTP/1.0\r\n\r\n");
  auto r = raw.ReadUntilClose(5s);
  EXPECT_TRUE(r.data.starts_with("HTTP/1.0 200")) << r.data.substr(0, 300);
}

TEST_F(SmugglingTest, TheBearerSchemeIsCaseInsensitive) {
  for (const std::string scheme : {"bearer", "BEARER", "Bearer", "bEaReR"}) {
    SCOPED_TRACE(scheme);
    auto r = Client().Get("/v1/contracts", Auth(scheme + " " + kAdminToken));
    EXPECT_EQ(r.status, 200) << Describe(r);
    SseClient sse("127.0.0.1", server_->port());
    auto s = sse.Open("/v1/feed?after=0", Auth(scheme + " " + kAuditorToken));
    EXPECT_EQ(s.status, 200) << Describe(s);
  }
  for (const std::string& bad :
       {"Bearer" + std::string(kAdminToken), "Bearerx " + std::string(kAdminToken),
        "Basic " + std::string(kAdminToken)}) {
    EXPECT_EQ(Client().Get("/v1/contracts", Auth(bad)).status, 401) << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// Finding 9 (part): the feed cursor, the tokens file's mode, secrets in the access log

TEST_F(AbuseTest, AnAfterAtItsMaximumIs400InsteadOfWrappingToTheStart) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto admin = Client(kAdminToken);
  ASSERT_EQ(admin.Post(EventsPath("LCC-WRAP"), AppendBody({kAward})).status, 201);
  auto auditor = Client(kAuditorToken);
  const std::string max = "18446744073709551615";
  auto feed = auditor.Get("/v1/feed?after=" + max);
  EXPECT_EQ(feed.status, 400) << Describe(feed);
  EXPECT_TRUE(Contains(feed.body, "after")) << feed.body;
  auto poll = auditor.Get("/v1/feed?wait_ms=10&after=" + max);
  EXPECT_EQ(poll.status, 400) << Describe(poll);
  auto history = auditor.Get(EventsPath("LCC-WRAP") + "?after_version=" + max);
  EXPECT_EQ(history.status, 400) << Describe(history);
  EXPECT_TRUE(Contains(history.body, "after_version")) << history.body;
  SseClient sse("127.0.0.1", server_->port());
  auto stream = sse.Open("/v1/feed?after=" + max, Auth("Bearer " + std::string(kAuditorToken)));
  EXPECT_EQ(stream.status, 400) << Describe(stream);
  EXPECT_TRUE(Contains(stream.body, "after")) << stream.body;
  // One below is a cursor past the end: no events, and not the start of the log.
  auto end = auditor.Get("/v1/feed?after=18446744073709551614");
  ASSERT_EQ(end.status, 200) << Describe(end);
  auto page = testing::ParseBody<v1::FeedResponse>(end);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->events_size(), 0);
}

TEST_F(AbuseTest, ATokensFileOpenToGroupOrOthersIsRefusedAtStartAndOnReload) {
  for (mode_t mode : {0602, 0620, 0660, 0640, 0601, 0610}) {
    char text[8];
    std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode));
    SCOPED_TRACE(text);
    testing::WriteTokensFile(tokens_, testing::TestTokensJson(), mode);
    ServerProcess p;
    EXPECT_FALSE(p.Start(data_.string(), tokens_.string())) << "contrackd started";
    const int code = p.Wait(30s);
    EXPECT_GT(code, 0);
    EXPECT_LT(code, 128) << p.Stderr();
    EXPECT_TRUE(Contains(p.Stderr(), tokens_.string())) << p.Stderr();
    EXPECT_TRUE(Contains(p.Stderr(), std::string("mode ") + text)) << p.Stderr();
  }

  // Loaded at mode 600, then made group-writable with a token added: SIGHUP keeps the old set.
  testing::WriteTokensFile(tokens_, testing::TestTokensJson(), 0600);
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string added = "officer-added-by-another-user-0123";
  std::string json = testing::TestTokensJson();
  json.insert(json.find('[') + 1, R"({"token":")" + added +
                                      R"(","principal":"intruder","role":"admin",)"
                                      R"("authorities":["*"]},)");
  testing::WriteTokensFile(tokens_, json, 0620);
  server_->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return Contains(server_->Stderr(), "kept the previous tokens"); }, 10s))
      << server_->Stderr();
  const std::string err = server_->Stderr();
  EXPECT_TRUE(Contains(err, tokens_.string()) && Contains(err, "mode 0620")) << err;
  EXPECT_EQ(Client(added).Get("/v1/contracts").status, 401) << "the added token works";
  EXPECT_EQ(Client(kAdminToken).Get("/v1/contracts").status, 200);
}

TEST_F(AbuseTest, TheAccessLogNeverHoldsTokensCookiesOrSecretQueryValues) {
  for (const std::string format : {"text", "json"}) {
    SCOPED_TRACE(format);
    ASSERT_NO_FATAL_FAILURE(StartServer({"--log-format", format}));
    const HttpHeaders headers = {{"Authorization", "Bearer " + std::string(kAdminToken)},
                                 {"Cookie", "session=COOKIE-SECRET-1; other=COOKIE-SECRET-2"}};
    auto r = Client().Get(
        "/v1/contracts?access_token=QUERY-SECRET-1&limit=5&Token=QUERY-SECRET-2&api_key=QUERY-"
        "SECRET-3&client%5Fsecret=QUERY-SECRET-4&password=QUERY-SECRET-5",
        headers);
    EXPECT_EQ(r.status, 200) << Describe(r);
    SseClient sse("127.0.0.1", server_->port());
    auto s = sse.Open("/v1/feed?after=0&access_token=QUERY-SECRET-6", headers);
    EXPECT_EQ(s.status, 200) << Describe(s);
    sse.Close();
    // The access log is written out every second.
    ASSERT_TRUE(WaitFor(
        [&] {
          return Contains(server_->Stderr(), "/v1/contracts?access_token=REDACTED") &&
                 Contains(server_->Stderr(), "/v1/feed?after=0&access_token=REDACTED");
        },
        5s))
        << server_->Stderr();
    server_->Signal(SIGTERM);
    EXPECT_EQ(server_->Wait(), 0);
    const std::string log = server_->Stderr();
    EXPECT_TRUE(Contains(log,
                         "limit=5&Token=REDACTED&api_key=REDACTED&client%5Fsecret=REDACTED"
                         "&password=REDACTED"))
        << "other parameters are kept:\n"
        << log;
    for (const std::string& secret :
         {std::string(kAdminToken), std::string("COOKIE-SECRET"), std::string("QUERY-SECRET")}) {
      EXPECT_FALSE(Contains(log, secret)) << secret << " is in the log:\n" << log;
    }
  }
}

}  // namespace
}  // namespace contrack

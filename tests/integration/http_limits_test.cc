// contrackd's HTTP limits: body size, slow and oversized headers, idle connections, garbage and
// pipelining.
#include "tests/integration/server_fixture.h"

namespace contrack::server_test {
namespace {

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

}  // namespace
}  // namespace contrack::server_test

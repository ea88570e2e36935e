// contrackd's feed: concurrent appends leave a gapless log, long polls and Server-Sent Events.
#include "tests/integration/server_fixture.h"

namespace contrack::server_test {
namespace {

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

}  // namespace
}  // namespace contrack::server_test

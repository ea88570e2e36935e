// contrackd over HTTP: every route and status code, appends and their retries, history, lists,
// verify, health and metrics.
#include "tests/integration/server_fixture.h"

namespace contrack::server_test {
namespace {

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

}  // namespace
}  // namespace contrack::server_test

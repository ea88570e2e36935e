// Notice obligations over HTTP and the CLI (docs/rules.md, "Procurement regime and notice
// obligations"): a pa2023 contract from award to expiry, who may record a notice, who reads the
// obligations, and the answer equal to a brute-force pass over generated contracts.
#include "domain/obligations.h"

#include <map>

#include "domain/lifecycle.h"
#include "domain/regime.h"
#include "tests/integration/server_fixture.h"

namespace contrack::server_test {
namespace {

constexpr char kPa[] = "LCC-PA-2026-1";
constexpr char kPaAwardId[] = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr char kPaVariationId[] = "aaaaaaaa-0000-4000-8000-000000000002";
// Decided and entered into on 10 January 2026 (a procurement under the Act), services worth
// £1,000,000, 1 February to 31 December 2026.
constexpr char kPaAward[] =
    R"({"event_id":"aaaaaaaa-0000-4000-8000-000000000001","decision":{"reference":"LCC-DDN-2026-1","date":"2026-01-10"},"award":{"authority":"Leeds City Council","title":"Advocacy service","supplier":{"name":"S"},"start_date":"2026-02-01","end_date":"2026-12-31","value_pence":100000000}})";
constexpr char kDetailsNotice[] =
    R"({"notice_published":{"notice_type":"contract_details_notice","reference":"https://www.find-tender.service.gov.uk/Notice/000001-2026","published_on":"2026-02-05"}})";
// +12%: over the 10% below which no change notice is needed (s.75(2)).
constexpr char kVariation[] =
    R"({"event_id":"aaaaaaaa-0000-4000-8000-000000000002","effective_date":"2026-06-01","variation":{"description":"more hours","value_delta_pence":12000000,"legal_basis":"Sch. 8 para. 5"}})";
constexpr char kExpiry[] = R"({"effective_date":"2026-12-31","expiry":{"reason":"ran its term"}})";

v1::ObligationsResponse GetObligations(HttpClient& c, const std::string& query) {
  auto r = c.Get("/v1/obligations" + query);
  EXPECT_EQ(r.status, 200) << Describe(r);
  return Parse<v1::ObligationsResponse>(r);
}

// The obligation of `type` on contract `id`, or an empty one.
v1::Obligation Find(const v1::ObligationsResponse& r, const std::string& id,
                    const std::string& type) {
  for (const auto& o : r.obligations()) {
    if (o.contract_id() == id && o.notice_type() == type) return o;
  }
  return {};
}

TEST_F(ServerTest, Pa2023ContractFromAwardToExpiryOwesItsNotices) {
  auto r = Append(kLeedsOfficerToken, kPa, {kPaAward}, 0);
  ASSERT_EQ(r.status, 201) << Describe(r);
  const Micros before_notice = NowMicros();
  auto admin = Client(kAdminToken);
  EXPECT_EQ(State(kPa).procurement_regime(), "pa2023");
  EXPECT_EQ(State(kPa).regime_basis(), "decision_date");
  EXPECT_TRUE(State(kPa).above_threshold());

  // The details notice: 30 days beginning with 10 January, so due 8 February; overdue on the 20th.
  auto o = GetObligations(admin, "?as_of=2026-02-20");
  auto details = Find(o, kPa, "contract_details_notice");
  EXPECT_EQ(details.due_date(), "2026-02-09");
  EXPECT_EQ(details.status(), "overdue");
  EXPECT_EQ(details.created_by_event_id(), kPaAwardId);
  EXPECT_EQ(details.provision(), "PA 2023 s.53(1)");
  EXPECT_EQ(details.days_left(), -11);
  EXPECT_EQ(
      Find(GetObligations(admin, "?as_of=2026-02-20&overdue=true"), kPa, "contract_details_notice")
          .status(),
      "overdue");

  // Published on 5 February (recorded now): met.
  r = Append(kLeedsOfficerToken, kPa, {kDetailsNotice}, 1);
  ASSERT_EQ(r.status, 201) << Describe(r);
  const std::string notice_id = Parse<v1::AppendResponse>(r).events(0).event_id();
  details = Find(GetObligations(admin, "?as_of=2026-02-20"), kPa, "contract_details_notice");
  EXPECT_EQ(details.status(), "met");
  EXPECT_EQ(details.discharged_by_event_id(), notice_id);
  EXPECT_EQ(details.published_on(), "2026-02-05");
  // As known before it was recorded: still overdue.
  details =
      Find(GetObligations(admin, "?as_of=2026-02-20&known_at=" + FormatRfc3339(before_notice)), kPa,
           "contract_details_notice");
  EXPECT_EQ(details.status(), "overdue");
  EXPECT_TRUE(
      Find(GetObligations(admin, "?as_of=2026-02-20&overdue=true"), kPa, "contract_details_notice")
          .notice_type()
          .empty());

  // A variation of 12% with no change notice: accepted, flagged.
  r = Append(kLeedsOfficerToken, kPa, {kVariation}, 2);
  ASSERT_EQ(r.status, 201) << Describe(r);
  const auto state = State(kPa);
  EXPECT_NE(std::find(state.flags().begin(), state.flags().end(),
                      std::string(domain::kFlagModifiedWithoutChangeNotice)),
            state.flags().end());
  auto change = Find(GetObligations(admin, "?as_of=2026-07-01"), kPa, "contract_change_notice");
  EXPECT_EQ(change.created_by_event_id(), kPaVariationId);
  EXPECT_EQ(change.due_date(), "2026-05-31");
  EXPECT_EQ(change.status(), "overdue");
  EXPECT_EQ(change.flag(), "modified_without_change_notice");

  // Expiry: the termination notice falls due 30 days beginning with 31 December.
  r = Append(kLeedsOfficerToken, kPa, {kExpiry}, 3);
  ASSERT_EQ(r.status, 201) << Describe(r);
  auto term = Find(GetObligations(admin, "?as_of=2027-01-05"), kPa, "contract_termination_notice");
  EXPECT_EQ(term.created_by(), "expiry");
  EXPECT_EQ(term.due_date(), "2027-01-30");
  EXPECT_EQ(term.status(), "due");
  EXPECT_EQ(term.days_left(), 25);
  EXPECT_EQ(
      Find(GetObligations(admin, "?as_of=2027-02-01"), kPa, "contract_termination_notice").status(),
      "overdue");
  // A notice may follow the expiry.
  r = Append(
      kLeedsOfficerToken, kPa,
      {R"({"notice_published":{"notice_type":"contract_termination_notice","reference":"n","published_on":"2027-01-20"}})"},
      4);
  ASSERT_EQ(r.status, 201) << Describe(r);
  EXPECT_EQ(
      Find(GetObligations(admin, "?as_of=2027-02-01"), kPa, "contract_termination_notice").status(),
      "met");

  // The register's last column is the regime.
  r = admin.Get("/v1/reports/register.csv");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Contains(r.body, ",Regime\r\n")) << r.body;
  EXPECT_TRUE(Contains(r.body, ",pa2023\r\n")) << r.body;

  // The CLI, remote: a CSV row per obligation.
  auto cli = testing::RunContrack({"--url", "http://127.0.0.1:" + std::to_string(port()), "--token",
                                   kAuditorToken, "obligations", "--as-of", "2027-02-01", "--csv"});
  ASSERT_EQ(cli.status, 0) << cli.err;
  EXPECT_TRUE(Contains(cli.out, std::string(kPa) + ",Leeds City Council,Advocacy service,pa2023,"
                                                   "contract_termination_notice"))
      << cli.out;
  cli = testing::RunContrack({"--url", "http://127.0.0.1:" + std::to_string(port()), "--token",
                              kAuditorToken, "obligations", "--as-of", "2027-02-01", "--overdue"});
  ASSERT_EQ(cli.status, 0) << cli.err;
  EXPECT_TRUE(Contains(cli.out, "contract_change_notice")) << cli.out;
  EXPECT_FALSE(Contains(cli.out, "contract_details_notice")) << cli.out;
}

TEST_F(ServerTest, OnlyTheLeadAuthoritysWritersRecordNoticesAndOfficersReadTheirOwn) {
  ASSERT_EQ(Append(kLeedsOfficerToken, kPa, {kPaAward}, 0).status, 201);
  CreateIps();  // a Leicestershire contract
  // An auditor never writes; another authority's officer may not write Leeds's contract.
  auto r = Client(kAuditorToken).Post(EventsPath(kPa), AppendBody({kDetailsNotice}));
  EXPECT_EQ(r.status, 403) << Describe(r);
  r = Client(kLeicsOfficerToken).Post(EventsPath(kPa), AppendBody({kDetailsNotice}));
  EXPECT_EQ(r.status, 403) << Describe(r);
  EXPECT_EQ(Version(kPa), 1u) << "nothing written";
  // An admin may.
  EXPECT_EQ(Append(kAdminToken, kPa, {kDetailsNotice}).status, 201);
  // A notice type not in the list: refused, naming the allowed ones.
  r = Append(
      kLeedsOfficerToken, kPa,
      {R"({"notice_published":{"notice_type":"award","reference":"n","published_on":"2026-02-05"}})"});
  EXPECT_EQ(r.status, 400) << Describe(r);
  EXPECT_TRUE(Contains(ErrorOf(r).message(), "contract_award_notice, contract_details_notice"))
      << Describe(r);

  // Leicestershire's officer sees none of Leeds's obligations, and may not ask for them.
  auto leics = Client(kLeicsOfficerToken);
  const auto seen_by_leics = GetObligations(leics, "?as_of=2027-01-01");
  for (const auto& o : seen_by_leics.obligations()) {
    EXPECT_EQ(o.authority(), "Leicestershire County Council") << o.contract_id();
  }
  r = leics.Get("/v1/obligations?authority=Leeds%20City%20Council");
  EXPECT_EQ(r.status, 403) << Describe(r);
  auto leeds = Client(kLeedsOfficerToken);
  EXPECT_FALSE(GetObligations(leeds, "?as_of=2027-01-01").obligations().empty());
  EXPECT_EQ(Client().Get("/v1/obligations").status, 401);
  EXPECT_EQ(Client(kAdminToken).Get("/v1/obligations?overdue=maybe").status, 400);
}

// ---------------------------------------------------------------------------------------------
// Brute force: generated contracts under both regimes, the answer for several days and readers
// equal to the domain's obligations of each contract's own events.

struct Generated {
  std::string id;
  std::string authority;
  std::vector<std::string> bodies;  // each with its event id
};

std::string Day(Date d) { return FormatDate(d); }

std::vector<Generated> Generate(uint32_t seed, int n) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const Date base = *ParseDate("2025-03-01", "d");
  std::vector<Generated> out;
  for (int c = 0; c < n; ++c) {
    Generated g;
    char id[32];
    std::snprintf(id, sizeof(id), "GEN-%03d", c);
    g.id = id;
    g.authority = pick(0, 3) == 0 ? "Leicestershire County Council" : "Leeds City Council";
    uint64_t next = 1;
    auto event_id = [&] { return Uuid(static_cast<uint32_t>(c + 1), next++); };
    const Date start = base + std::chrono::days{pick(0, 400)};
    const Date end = start + std::chrono::days{pick(200, 800)};
    const Date decided = start - std::chrono::days{pick(0, 60)};
    static const char* const kValues[] = {
        "", R"(,"value_pence":2000000)", R"(,"value_pence":30000000)",
        R"(,"value_pence":100000000)", R"(,"value_pence":700000000)"};
    static const char* const kCategories[] = {"services", "goods", "works"};
    std::string extra = kValues[pick(0, 4)];
    extra += R"(,"category":")" + std::string(kCategories[pick(0, 2)]) + R"(")";
    if (pick(0, 3) == 0) extra += R"(,"procurement_started_on":"2024-11-01")";
    if (pick(0, 4) == 0) extra += R"(,"light_touch":true)";
    if (pick(0, 2) == 0) extra += R"(,"kpis":true)";
    if (pick(0, 9) == 0) extra += R"(,"regime":"psr2023")";
    const std::string award_id = event_id();
    g.bodies.push_back(R"({"event_id":")" + award_id + R"(","decision":{"date":")" + Day(decided) +
                       R"("},"award":{"authority":")" + g.authority +
                       R"(","title":"t","supplier":{"name":"S"},"start_date":")" + Day(start) +
                       R"(","end_date":")" + Day(end) + R"(")" + extra + "}}");
    std::vector<std::string> variations;
    const int span = static_cast<int>((end - start).count());
    for (int v = pick(0, 3); v > 0; --v) {
      const std::string vid = event_id();
      variations.push_back(vid);
      g.bodies.push_back(R"({"event_id":")" + vid + R"(","effective_date":")" +
                         Day(start + std::chrono::days{pick(1, span - 1)}) +
                         R"(","variation":{"description":"v","value_delta_pence":)" +
                         std::to_string(pick(0, 20) * 1000000) +
                         R"j(,"legal_basis":"reg 72(1)(b)"}})j");
    }
    auto notice = [&](Date from, Date to) {
      const auto type = domain::kNoticeTypes[pick(0, domain::kNoticeTypes.size() - 1)];
      std::string discharges;
      if (domain::NoticeNamesModification(type)) {
        if (variations.empty()) return;
        discharges = R"(,"discharges_event_id":")" +
                     variations[pick(0, static_cast<int>(variations.size()) - 1)] + R"(")";
      } else if (pick(0, 3) == 0) {
        discharges = R"(,"discharges_event_id":")" + award_id + R"(")";
      }
      const int days = static_cast<int>((to - from).count());
      g.bodies.push_back(R"({"event_id":")" + event_id() +
                         R"(","notice_published":{"notice_type":")" + std::string(type) +
                         R"(","reference":"r","published_on":")" +
                         Day(from + std::chrono::days{pick(0, days)}) + R"(")" + discharges + "}}");
    };
    for (int k = pick(0, 4); k > 0; --k) notice(decided - std::chrono::days{30}, end);
    const int ending = pick(0, 2);
    if (ending == 0) {
      g.bodies.push_back(R"({"event_id":")" + event_id() + R"(","effective_date":")" + Day(end) +
                         R"(","expiry":{}})");
    } else if (ending == 1) {
      g.bodies.push_back(
          R"({"event_id":")" + event_id() + R"(","termination":{"termination_date":")" +
          Day(start + std::chrono::days{pick(0, span)}) + R"(","reason":"convenience"}})");
    }
    for (int k = pick(0, 2); k > 0; --k) notice(end, end + std::chrono::days{60});
    out.push_back(std::move(g));
  }
  return out;
}

TEST_F(ServerTest, ObligationsEqualABruteForcePassOverGeneratedContracts) {
  const auto contracts = Generate(20260101, 40);
  std::map<std::string, std::vector<v1::EventRecord>> records;  // by contract id: id order
  for (const auto& g : contracts) {
    auto r = Append(kAdminToken, g.id, g.bodies, 0);
    ASSERT_EQ(r.status, 201) << g.id << ": " << Describe(r);
    for (size_t i = 0; i < g.bodies.size(); ++i) {
      records[g.id].push_back(testing::Record(g.id, i + 1, g.bodies[i]));
    }
  }
  struct Reader {
    const char* token;
    Principal principal;
  };
  const Reader readers[] = {
      {kAuditorToken, {"auditor", Role::kAuditor, {"*"}}},
      {kLeedsOfficerToken, {"leeds", Role::kOfficer, {"Leeds City Council"}}},
  };
  const char* const days[] = {"2025-06-01", "2026-01-01", "2026-09-15", "2027-06-01", "2028-03-01"};
  size_t seen = 0;
  for (const auto& reader : readers) {
    auto client = Client(reader.token);
    for (const char* day : days) {
      for (const bool overdue : {false, true}) {
        const Date as_of = *ParseDate(day, "d");
        std::vector<v1::Obligation> want;
        for (const auto& [id, events] : records) {
          const auto kept = domain::EventsAsOf(events, as_of, std::nullopt);
          if (kept.empty()) continue;
          auto s = domain::Replay(kept, domain::Rules{});
          ASSERT_TRUE(s) << id << ": " << s.error().ToString();
          if (!reader.principal.MayReadContract(*s)) continue;
          for (auto& o : domain::ObligationsOf(kept, *s, as_of)) {
            // The brute force of each status from its dates.
            const Date due = *ParseDate(o.due_date(), "d");
            if (o.published_on().empty()) {
              EXPECT_EQ(o.status(), as_of > due ? "overdue" : "due") << id;
            } else {
              EXPECT_EQ(o.status(), *ParseDate(o.published_on(), "d") <= due ? "met" : "late");
            }
            if (!overdue || o.status() == "overdue") want.push_back(std::move(o));
          }
        }
        std::stable_sort(want.begin(), want.end(), [](const auto& a, const auto& b) {
          return std::tie(a.due_date(), a.contract_id()) < std::tie(b.due_date(), b.contract_id());
        });
        const auto got =
            GetObligations(client, std::string("?as_of=") + day + (overdue ? "&overdue=true" : ""));
        ASSERT_EQ(static_cast<size_t>(got.obligations_size()), want.size())
            << reader.principal.name << " " << day << " overdue=" << overdue;
        for (size_t i = 0; i < want.size(); ++i) {
          EXPECT_EQ(ToJson(got.obligations(static_cast<int>(i))), ToJson(want[i]))
              << reader.principal.name << " " << day << " #" << i;
        }
        seen += want.size();
      }
    }
  }
  EXPECT_GT(seen, 100u) << "the generated contracts should owe many notices";
}

}  // namespace
}  // namespace contrack::server_test

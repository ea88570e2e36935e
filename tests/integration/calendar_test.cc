// The deadlines calendar over HTTP and the CLI (docs/api.md, "Calendar subscription"): the real
// contrackd on a loopback port, contracts recorded through the API, the feed read back with
// python3-icalendar (calendar_check.py) against the alerts and obligations answers, and the
// calendar token's limits: read-only, this route only, never a bearer token in a URL, revoked by
// SIGHUP, never written to the access log.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "domain/alerts.h"
#include "domain/england_time.h"
#include "storage/obligations_query.h"
#include "tests/integration/server_fixture.h"

namespace contrack::server_test {
namespace {

constexpr char kLeedsCalendarToken[] = "calendar-leeds-0123456789abcdef";
constexpr char kLeicsCalendarToken[] = "calendar-leics-0123456789abcdef";
constexpr char kPublicUrl[] = "https://contracts.example.gov.uk/contrack";

constexpr char kPa[] = "LCC-CAL-PA-1";
constexpr char kOptions[] = "LCC-CAL-OPT-1";
constexpr char kLeics[] = "LEICS-CAL-1";
// A title a user typed: it must stay one SUMMARY, never a property or an event of its own.
constexpr char kHostileTitleJson[] = R"(Advocacy; with, \"commas\"\nBEGIN:VEVENT)";
constexpr char kHostileTitle[] = "Advocacy; with, \"commas\"\nBEGIN:VEVENT";

// The tokens file of the other tests, with calendar tokens for both officers.
std::string TokensJson(bool leeds_calendar) {
  auto entry = [](const std::string& token, const std::string& principal, const std::string& role,
                  const std::string& authority, const std::string& calendar) {
    std::string e = R"({"token":")" + token + R"(","principal":")" + principal + R"(","role":")" +
                    role + R"(","authorities":[")" + authority + R"("])";
    if (!calendar.empty()) e += R"(,"calendar_token":")" + calendar + R"(")";
    return e + "}";
  };
  return R"({"tokens":[)" +
         entry(kLeedsOfficerToken, kLeedsOfficerPrincipal, "officer", "Leeds City Council",
               leeds_calendar ? kLeedsCalendarToken : "") +
         "," +
         entry(kLeicsOfficerToken, kLeicsOfficerPrincipal, "officer",
               "Leicestershire County Council", kLeicsCalendarToken) +
         "," + entry(kAuditorToken, "audit", "auditor", "*", "") + "," +
         entry(kAdminToken, kAdminPrincipal, "admin", "*", "") + "]}";
}

std::string Day(int days_from_today) {
  return FormatDate(domain::TodayInEngland() + std::chrono::days{days_from_today});
}

// A pa2023 contract decided five days ago: its contract details notice falls due in 25 days.
std::string PaAward() {
  return R"({"decision":{"reference":"LCC-DDN-CAL-1","date":")" + Day(-5) +
         R"("},"award":{"authority":"Leeds City Council","title":")" + kHostileTitleJson +
         R"(","supplier":{"name":"Advocacy Ltd"},"regime":"pa2023","category":"services","start_date":")" +
         Day(-5) + R"(","end_date":")" + Day(700) + R"(","value_pence":100000000}})";
}

// A contract ending in 100 days with two options and a 90-day notice period: exercise or decline
// an option in 10 days.
std::string OptionsAward(const std::string& authority, const std::string& title, int end_in) {
  return R"({"award":{"authority":")" + authority + R"(","title":")" + title +
         R"(","supplier":{"name":"Supplier, Ltd"},"start_date":")" + Day(-300) +
         R"(","end_date":")" + Day(end_in) +
         R"(","value_pence":5000000,"extension_options":[{"months":6},{"months":6}],"notice_period_days":90}})";
}

// Runs `python3 calendar_check.py expected ics...`; its exit status (77: skipped).
int RunCheck(const std::filesystem::path& expected, const std::vector<std::string>& ics,
             std::string* output) {
  std::string cmd = std::string(CONTRACK_PYTHON) + " " + CONTRACK_SOURCE_DIR +
                    "/tests/integration/calendar_check.py '" + expected.string() + "'";
  for (const auto& f : ics) cmd += " '" + f + "'";
  cmd += " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// JSON string literal (the expected file's titles hold quotes and a line break).
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

class CalendarTest : public ServerFixture {
 protected:
  void SetUp() override {
    testing::WriteTokensFile(tokens_, TokensJson(true));
    ASSERT_NO_FATAL_FAILURE(StartServer({"--public-url", std::string(kPublicUrl) + "/"}));
    ASSERT_EQ(Append(kLeedsOfficerToken, kPa, {PaAward()}, 0).status, 201);
    ASSERT_EQ(Append(kLeedsOfficerToken, kOptions,
                     {OptionsAward("Leeds City Council", "Interpreting", 100)}, 0)
                  .status,
              201);
    ASSERT_EQ(Append(kLeicsOfficerToken, kLeics,
                     {OptionsAward("Leicestershire County Council", "Leics advocacy", 60)}, 0)
                  .status,
              201);
  }

  // The deadlines the API gives `token` for `months`: the alerts less those whose action starts
  // with publish_, and the obligations due or overdue by the window's last day, as the expected
  // file of calendar_check.py.
  std::string Expected(const std::string& token, int months, size_t* count) {
    auto c = Client(token);
    auto r = c.Get("/v1/alerts?months=" + std::to_string(months));
    EXPECT_EQ(r.status, 200) << Describe(r);
    const auto alerts = Parse<v1::AlertsResponse>(r);
    const std::string last =
        FormatDate(*ParseDate(alerts.as_of(), "as_of") + std::chrono::days{alerts.within_days()});
    r = c.Get("/v1/obligations");
    EXPECT_EQ(r.status, 200) << Describe(r);
    const auto obligations = Parse<v1::ObligationsResponse>(r);
    std::string events;
    *count = 0;
    auto add = [&](const std::string& id, const std::string& kind, const std::string& date,
                   const std::string& title) {
      events += std::string(events.empty() ? "" : ",") + R"({"contract_id":)" + Quote(id) +
                R"(,"kind":)" + Quote(kind) + R"(,"date":)" + Quote(date) + R"(,"title":)" +
                Quote(title) + "}";
      ++*count;
    };
    for (const auto& a : alerts.alerts()) {
      if (!a.action().starts_with("publish_"))
        add(a.contract_id(), a.action(), a.deadline(), a.title());
    }
    for (const auto& o : obligations.obligations()) {
      if ((o.status() == "due" || o.status() == "overdue") && o.due_date() <= last) {
        add(o.contract_id(), o.notice_type(), o.due_date(), o.title());
      }
    }
    return R"({"public_url":)" + Quote(kPublicUrl) + R"(,"events":[)" + events + "]}";
  }

  // Checks the calendars in `ics` (file contents) against `expected` with calendar_check.py.
  void Check(const std::string& expected, const std::vector<std::string>& ics) {
    if (std::string(CONTRACK_PYTHON).empty()) GTEST_SKIP() << "no python3 on this machine";
    testing::WriteFile(dir_.path() / "expected.json", expected);
    std::vector<std::string> files;
    for (size_t i = 0; i < ics.size(); ++i) {
      files.push_back((dir_.path() / ("calendar-" + std::to_string(i) + ".ics")).string());
      testing::WriteFile(files.back(), ics[i]);
    }
    std::string output;
    const int status = RunCheck(dir_.path() / "expected.json", files, &output);
    if (status == 77) GTEST_SKIP() << output;
    EXPECT_EQ(status, 0) << output << "\nexpected: " << expected << "\n" << ics[0];
  }

  HttpResponse Calendar(const std::string& query) {
    return Client().Get("/v1/calendar.ics" + query);
  }
};

TEST_F(CalendarTest, FeedHoldsEveryDeadlineOfTheAlertsAndObligationsAndParsesBack) {
  size_t count = 0;
  const std::string expected = Expected(kLeedsOfficerToken, 12, &count);
  // A details notice and an option decision at least (overdue notices of the award may join).
  EXPECT_GE(count, 2u) << expected;
  EXPECT_TRUE(Contains(expected, R"("kind":"contract_details_notice","date":")" + Day(25)))
      << expected;
  EXPECT_TRUE(Contains(expected, R"("kind":"exercise_or_decline_option","date":")" + Day(10)))
      << expected;

  auto by_bearer = Client(kLeedsOfficerToken).Get("/v1/calendar.ics");
  ASSERT_EQ(by_bearer.status, 200) << Describe(by_bearer);
  EXPECT_EQ(by_bearer.Header("content-type"), "text/calendar; charset=utf-8");
  EXPECT_EQ(by_bearer.Header("cache-control"), "private, no-store");
  auto by_calendar = Calendar("?token=" + std::string(kLeedsCalendarToken) + "&months=12");
  ASSERT_EQ(by_calendar.status, 200) << Describe(by_calendar);
  // Leicestershire's contract is not the Leeds officer's to see.
  EXPECT_FALSE(Contains(by_bearer.body, kLeics)) << by_bearer.body;
  EXPECT_FALSE(Contains(by_calendar.body, kLeics)) << by_calendar.body;
  ASSERT_NO_FATAL_FAILURE(Check(expected, {by_bearer.body, by_calendar.body}));

  // Leicestershire's officer, by its own calendar token: its contract only.
  const std::string leics_expected = Expected(kLeicsOfficerToken, 12, &count);
  auto leics = Calendar("?token=" + std::string(kLeicsCalendarToken));
  ASSERT_EQ(leics.status, 200) << Describe(leics);
  EXPECT_FALSE(Contains(leics.body, "LCC-CAL")) << leics.body;
  ASSERT_NO_FATAL_FAILURE(Check(leics_expected, {leics.body}));

  // A narrower window and one authority: the same rules.
  const std::string one_month = Expected(kAdminToken, 1, &count);
  auto admin = Client(kAdminToken).Get("/v1/calendar.ics?months=1");
  ASSERT_EQ(admin.status, 200) << Describe(admin);
  ASSERT_NO_FATAL_FAILURE(Check(one_month, {admin.body}));
  auto leeds_only = Client(kAdminToken).Get("/v1/calendar.ics?authority=Leeds%20City%20Council");
  ASSERT_EQ(leeds_only.status, 200) << Describe(leeds_only);
  EXPECT_TRUE(Contains(leeds_only.body, "X-WR-CALNAME:contrack deadlines: Leeds City Council"));
  EXPECT_FALSE(Contains(leeds_only.body, kLeics));

  // The CLI, remote: the same calendar into a file.
  const auto out = dir_.path() / "remote.ics";
  auto cli = testing::RunContrack({"--url", "http://127.0.0.1:" + std::to_string(port()), "--token",
                                   kLeedsOfficerToken, "calendar", "--months", "12", "--out",
                                   out.string()});
  ASSERT_EQ(cli.status, 0) << cli.err;
  EXPECT_TRUE(cli.out.empty()) << cli.out;
  ASSERT_NO_FATAL_FAILURE(Check(expected, {testing::ReadFile(out)}));
  cli = testing::RunContrack({"--url", "http://127.0.0.1:" + std::to_string(port()), "--token",
                              kLeedsOfficerToken, "calendar", "--public-url", "http://x"});
  EXPECT_EQ(cli.status, 2) << "--public-url is offline only: " << cli.err;
}

TEST_F(CalendarTest, CalendarTokenReadsTheCalendarOnly) {
  // As a bearer token anywhere, the calendar included: 401.
  for (const char* target : {"/v1/contracts", "/v1/alerts", "/v1/calendar.ics", "/v1/session"}) {
    auto r = Client(kLeedsCalendarToken).Get(target);
    EXPECT_EQ(r.status, 401) << target << ": " << Describe(r);
  }
  auto r = Client(kLeedsCalendarToken).Post("/v1/session", "");
  EXPECT_EQ(r.status, 401) << "no session from a calendar token: " << Describe(r);
  r = Client(kLeedsCalendarToken).Post(EventsPath(kOptions), AppendBody({kFunding}));
  EXPECT_EQ(r.status, 401) << Describe(r);
  // In ?token= on any other route: 401, even together with a valid bearer token.
  for (const char* target : {"/v1/alerts", "/v1/contracts", "/v1/obligations", "/v1/verify"}) {
    r = Client().Get(std::string(target) + "?token=" + kLeedsCalendarToken);
    EXPECT_EQ(r.status, 401) << target << ": " << Describe(r);
    r = Client(kLeedsOfficerToken).Get(std::string(target) + "?token=" + kLeedsCalendarToken);
    EXPECT_EQ(r.status, 401) << target << ": " << Describe(r);
  }
  r = Client().Post(EventsPath(kOptions) + "?token=" + kLeedsCalendarToken, AppendBody({kFunding}));
  EXPECT_EQ(r.status, 401) << Describe(r);
  // Read-only: the route answers GET only.
  r = Client().Post("/v1/calendar.ics?token=" + std::string(kLeedsCalendarToken), "");
  EXPECT_EQ(r.status, 405) << Describe(r);
  // A bearer token is never taken from a URL, the officer's own included.
  for (const char* token : {kLeedsOfficerToken, kAdminToken, "not-a-token-at-all-0000"}) {
    r = Calendar("?token=" + std::string(token));
    EXPECT_EQ(r.status, 401) << token << ": " << Describe(r);
    EXPECT_FALSE(Contains(r.body, token)) << "the message never quotes the token: " << r.body;
  }
  // Both a calendar token and an Authorization header: 400, naming token.
  r = Client(kLeedsOfficerToken).Get("/v1/calendar.ics?token=" + std::string(kLeedsCalendarToken));
  EXPECT_EQ(r.status, 400) << Describe(r);
  EXPECT_TRUE(ErrorOf(r).message().starts_with("token")) << Describe(r);
  EXPECT_EQ(Calendar("").status, 401) << "no token";
}

TEST_F(CalendarTest, AuthorityAndMonthsAreCheckedWithClearErrors) {
  const std::string t = "?token=" + std::string(kLeedsCalendarToken);
  auto r = Calendar(t + "&authority=Leicestershire%20County%20Council");
  EXPECT_EQ(r.status, 403) << Describe(r);
  r = Client(kLeedsOfficerToken)
          .Get("/v1/calendar.ics?authority=Leicestershire%20County%20Council");
  EXPECT_EQ(r.status, 403) << Describe(r);
  EXPECT_EQ(Calendar(t + "&authority=Leeds%20City%20Council").status, 200);
  for (const char* months : {"0", "121", "abc", "-1", "", "12.5"}) {
    r = Calendar(t + "&months=" + months);
    EXPECT_EQ(r.status, 400) << months << ": " << Describe(r);
    EXPECT_TRUE(ErrorOf(r).message().starts_with("months")) << months << ": " << Describe(r);
  }
  EXPECT_EQ(Calendar(t + "&months=1").status, 200);
  EXPECT_EQ(Calendar(t + "&months=120").status, 200);
  r = Calendar(t + "&as_of=2026-01-01");
  EXPECT_EQ(r.status, 400) << Describe(r);
  EXPECT_TRUE(Contains(ErrorOf(r).message(), "as_of")) << Describe(r);
}

TEST_F(CalendarTest, RemovedCalendarTokenIsRefusedAfterSighupAndNoTokenIsLogged) {
  const std::string t = "?token=" + std::string(kLeedsCalendarToken);
  ASSERT_EQ(Calendar(t).status, 200);
  EXPECT_EQ(Calendar("?token=" + std::string(kLeedsOfficerToken)).status, 401);
  testing::WriteTokensFile(tokens_, TokensJson(false));
  server_->Signal(SIGHUP);
  int status = 0;
  for (auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
    status = Calendar(t).status;
    if (status == 401) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, 401) << "the removed calendar token is refused";
  EXPECT_EQ(Client(kLeedsOfficerToken).Get("/v1/calendar.ics").status, 200) << "bearer unchanged";
  EXPECT_EQ(Calendar("?token=" + std::string(kLeicsCalendarToken)).status, 200);

  // The access log (stderr, flushed at exit) names the requests, never a token.
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->Wait(), 0);
  const std::string log = server_->Stderr();
  EXPECT_TRUE(Contains(log, "GET /v1/calendar.ics?token=REDACTED")) << log;
  for (const char* token : {kLeedsCalendarToken, kLeicsCalendarToken, kLeedsOfficerToken}) {
    EXPECT_FALSE(Contains(log, token)) << token << " in the log:\n" << log;
  }
}

// A --public-url that is not an http or https base address stops contrackd at start, naming it.
class CalendarStartupTest : public ServerFixture {};

TEST_F(CalendarStartupTest, BadPublicUrlStopsTheServerNamingIt) {
  for (const char* bad : {"ftp://x", "https://x/?q=1", "https://x/#top", "https://user@x",
                          "https://x:0", "https://", "x.example"}) {
    ServerProcess p;
    EXPECT_FALSE(p.Start(data_.string(), tokens_.string(), {"--public-url", bad})) << bad;
    p.Wait();
    EXPECT_TRUE(Contains(p.Stderr(), "--public-url")) << bad << ": " << p.Stderr();
  }
}

// ---------------------------------------------------------------------------------------------
// Offline: `contrack --data DIR calendar`.

TEST(CalendarCliTest, OfflineCalendarParsesBackWithEveryDeadline) {
  testing::TempDir dir;
  const auto data = dir.path() / "data";
  size_t count = 0;
  std::string expected_events;
  {
    auto log = testing::OpenLog(data.string());
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(testing::AppendJson(*log, kPa, PaAward()).has_value());
    ASSERT_TRUE(
        testing::AppendJson(*log, kOptions, OptionsAward("Leeds City Council", "Interpreting", 100))
            .has_value());
    storage::AlertsQuery q;
    q.today = domain::TodayInEngland();
    q.as_of = *q.today;
    q.months = 12;
    auto alerts = log->Alerts(q);
    ASSERT_TRUE(alerts.has_value());
    storage::ObligationsQuery oq;
    oq.as_of = *q.today;
    auto obligations = storage::Obligations(*log, Principal::Operator("t"), oq);
    ASSERT_TRUE(obligations.has_value());
    const std::string last = FormatDate(domain::LastDayOfMonths(*q.today, 12));
    auto add = [&](const std::string& id, const std::string& kind, const std::string& date,
                   const std::string& title) {
      expected_events += std::string(expected_events.empty() ? "" : ",") + R"({"contract_id":)" +
                         Quote(id) + R"(,"kind":)" + Quote(kind) + R"(,"date":)" + Quote(date) +
                         R"(,"title":)" + Quote(title) + "}";
      ++count;
    };
    for (const auto& a : alerts->alerts) {
      if (!a.action().starts_with("publish_"))
        add(a.contract_id(), a.action(), a.deadline(), a.title());
    }
    for (const auto& o : obligations->obligations()) {
      if ((o.status() == "due" || o.status() == "overdue") && o.due_date() <= last) {
        add(o.contract_id(), o.notice_type(), o.due_date(), o.title());
      }
    }
  }
  EXPECT_GE(count, 2u);
  auto cli = testing::RunContrack({"--data", data.string(), "calendar", "--months", "12"});
  ASSERT_EQ(cli.status, 0) << cli.err;
  EXPECT_TRUE(cli.out.starts_with("BEGIN:VCALENDAR\r\n")) << cli.out;
  EXPECT_TRUE(Contains(cli.out, "URL:http://127.0.0.1:8080/#/contracts/LCC-CAL-OPT-1\r\n"))
      << cli.out;
  if (std::string(CONTRACK_PYTHON).empty()) GTEST_SKIP() << "no python3 on this machine";
  testing::WriteFile(
      dir.path() / "expected.json",
      R"({"public_url":"http://127.0.0.1:8080","events":[)" + expected_events + "]}");
  testing::WriteFile(dir.path() / "offline.ics", cli.out);
  std::string output;
  int status =
      RunCheck(dir.path() / "expected.json", {(dir.path() / "offline.ics").string()}, &output);
  if (status == 77) GTEST_SKIP() << output;
  EXPECT_EQ(status, 0) << output;

  // --out FILE and --public-url; bad values are usage errors naming the flag.
  const auto out = dir.path() / "cal.ics";
  cli = testing::RunContrack({"--data", data.string(), "calendar", "--out", out.string(),
                              "--public-url", "https://contracts.example.gov.uk/contrack/"});
  ASSERT_EQ(cli.status, 0) << cli.err;
  EXPECT_TRUE(Contains(testing::ReadFile(out),
                       "URL:https://contracts.example.gov.uk/contrack/#/contracts/LCC-CAL-OPT-1"))
      << testing::ReadFile(out);
  for (const char* bad : {"ftp://x", "https://x/?a=1", "https://x/#f", "contracts.example"}) {
    cli = testing::RunContrack({"--data", data.string(), "calendar", "--public-url", bad});
    EXPECT_EQ(cli.status, 2) << bad;
    EXPECT_TRUE(Contains(cli.err, "--public-url")) << bad << ": " << cli.err;
  }
  for (const char* bad : {"0", "121", "abc"}) {
    cli = testing::RunContrack({"--data", data.string(), "calendar", "--months", bad});
    EXPECT_EQ(cli.status, 2) << bad;
    EXPECT_TRUE(Contains(cli.err, "--months")) << bad << ": " << cli.err;
  }
}

}  // namespace
}  // namespace contrack::server_test

// Bitemporal state, the alerts index and digests, against real RocksDB directories.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <map>
#include <thread>
#include <tuple>

#include "domain/alerts.h"
#include "domain/lifecycle.h"
#include "services/api/wire.h"
#include "storage/event_log.h"
#include "storage/format.h"
#include "storage/log_impl.h"
#include "tests/support/test_support.h"

namespace contrack::storage {
namespace {

using testing::Body;
using testing::DumpCf;
using testing::kCriAward;
using testing::kCriWaiver;
using testing::OpenLog;
using testing::TempDir;

constexpr char kCri[] = "LCC-DIP-CRI-2015";

Micros T(const char* rfc3339) { return *ParseRfc3339(rfc3339, "t"); }
Date D(const char* date) { return *ParseDate(date, "d"); }

Result<v1::AppendResponse> AppendAt(EventLog& log, const std::string& id, const std::string& json,
                                    const char* recorded_at) {
  AppendRequest req;
  req.contract_id = id;
  req.principal = Principal::Operator("test");
  req.recorded_at = T(recorded_at);
  req.events.push_back(Body(json));
  return log.Append(req);
}

// The Leeds CRI interim contract (seed 001): decided and recorded on 23 Feb 2015; its first
// six-month option recorded on 15 Feb 2016, effective 1 Mar 2016.
void SeedCri(EventLog& log) {
  ASSERT_TRUE(AppendAt(log, kCri, kCriWaiver, "2015-02-23T16:00:00Z").has_value());
  ASSERT_TRUE(AppendAt(log, kCri, kCriAward, "2015-02-23T16:00:01Z").has_value());
  ASSERT_TRUE(
      AppendAt(
          log, kCri,
          R"({"event_id":"11111111-1111-4111-8111-000000000003","effective_date":"2016-03-01","decision":{"reference":"LCC-EXT-1"},"extension":{"new_end_date":"2016-09-30","value_pence_added":36433900}})",
          "2016-02-15T10:00:00Z")
          .has_value());
}

TEST(BitemporalTest, LeedsCriAsAtMidYearBeforeAndAfterTheExtensionWasRecorded) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  // As at 30 June 2016, as known on 1 Feb 2016: the extension was not yet recorded.
  auto before = log->GetStateAt(kCri, D("2016-06-30"), T("2016-02-01T00:00:00Z"));
  ASSERT_TRUE(before.has_value()) << before.error().ToString();
  EXPECT_EQ(before->current_end_date(), "2016-03-31");
  EXPECT_EQ(before->options_used(), 0);
  EXPECT_EQ(domain::StatusOn(*before, D("2016-06-30")), "lapsed");
  // The same date as known on 1 March 2016: extended to 30 September.
  auto after = log->GetStateAt(kCri, D("2016-06-30"), T("2016-03-01T00:00:00Z"));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->current_end_date(), "2016-09-30");
  EXPECT_EQ(after->current_value_pence(), 72867800 + 36433900);
  EXPECT_EQ(domain::StatusOn(*after, D("2016-06-30")), "active");
  // As at 1 Feb 2016 (before the extension took effect), as known now.
  auto early = log->GetStateAt(kCri, D("2016-02-01"), std::nullopt);
  EXPECT_EQ(early->current_end_date(), "2016-03-31");
  // Before the award's start date only the waiver was in effect.
  auto pre = log->GetStateAt(kCri, D("2015-03-01"), std::nullopt);
  EXPECT_EQ(pre->status(), "pre_award");
  // Before anything was recorded the contract did not exist.
  EXPECT_EQ(log->GetStateAt(kCri, std::nullopt, T("2015-01-01T00:00:00Z")).error().name(),
            "not_found");
  // With no bound it is the current view, byte for byte.
  EXPECT_EQ(log->GetStateAt(kCri, std::nullopt, std::nullopt)->SerializeAsString(),
            log->GetState(kCri)->SerializeAsString());
}

TEST(BitemporalTest, ARetractedEventCountsUntilTheCorrectionWasRecorded) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  ASSERT_TRUE(
      AppendAt(
          *log, kCri,
          R"({"effective_date":"2016-03-01","correction":{"corrects_event_id":"11111111-1111-4111-8111-000000000003","reason":"option not approved"}})",
          "2016-04-01T09:00:00Z")
          .has_value());
  EXPECT_EQ(log->GetState(kCri)->current_end_date(), "2016-03-31");
  EXPECT_EQ(log->GetStateAt(kCri, D("2016-06-30"), T("2016-03-15T00:00:00Z"))->current_end_date(),
            "2016-09-30");
  auto known_after = log->GetStateAt(kCri, D("2016-06-30"), T("2016-04-02T00:00:00Z"));
  EXPECT_EQ(known_after->current_end_date(), "2016-03-31");
  ASSERT_EQ(known_after->retracted_event_ids_size(), 1);
  // The correction counts from when it was recorded, whatever as_of says.
  EXPECT_EQ(log->GetStateAt(kCri, D("2016-03-02"), std::nullopt)->current_end_date(), "2016-03-31");
}

std::string AwardEnding(const std::string& end, int options, const std::string& extra = "") {
  std::string opts;
  for (int i = 0; i < options; ++i) opts += std::string(i ? "," : "") + R"({"months":6})";
  return R"({"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"S"},"start_date":"2010-01-01","end_date":")" +
         end + R"(","value_pence":100,"extension_options":[)" + opts + "]" + extra + "}}";
}

std::map<std::string, v1::Alert> ById(const AlertsResult& r) {
  std::map<std::string, v1::Alert> out;
  for (const auto& a : r.alerts) out[a.contract_id()] = a;
  return out;
}

// The alerts on `day` when `day` is today: from the index.
Result<AlertsResult> AlertsToday(const EventLog& log, const char* day, int within_days,
                                 const std::string& authority = "") {
  AlertsQuery q;
  q.as_of = D(day);
  q.today = q.as_of;
  q.within_days = within_days;
  q.authority = authority;
  return log.Alerts(q);
}

TEST(AlertsTest, BoundariesOfTheWindow) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  // as_of 2016-01-01, window 30 days. Options remain: deadline = end - 90.
  const std::pair<const char*, const char*> contracts[] = {
      {"DEADLINE-TODAY", "2016-03-31"},      // deadline 2016-01-01
      {"DEADLINE-YESTERDAY", "2016-03-30"},  // deadline 2015-12-31: overdue
      {"WINDOW-EDGE", "2016-04-30"},         // deadline 2016-01-31 = as_of + 30
      {"PAST-WINDOW", "2016-05-01"},         // deadline 2016-02-01: not yet
      {"ENDS-TODAY", "2016-01-01"},          // not lapsed: deadline long overdue
  };
  for (const auto& [id, end] : contracts) {
    ASSERT_TRUE(testing::AppendJson(*log, id, AwardEnding(end, 1)).has_value());
  }
  // No options left: deadline = end - 270 (procurement lead).
  ASSERT_TRUE(testing::AppendJson(*log, "REPROCURE", AwardEnding("2016-09-27", 0)).has_value());
  ASSERT_TRUE(
      testing::AppendJson(*log, "REPROCURE-LATER", AwardEnding("2016-10-28", 0)).has_value());
  // Lapsed: end before as_of, listed until an expiry, termination or extension is recorded.
  ASSERT_TRUE(
      testing::AppendJson(*log, "LAPSED-YESTERDAY", AwardEnding("2015-12-31", 1)).has_value());
  ASSERT_TRUE(
      testing::AppendJson(*log, "LAPSED-LONG-AGO", AwardEnding("2012-12-01", 0)).has_value());
  ASSERT_TRUE(testing::AppendJson(*log, "EXPIRED", AwardEnding("2015-12-01", 0)).has_value());
  ASSERT_TRUE(testing::AppendJson(*log, "EXPIRED", R"({"effective_date":"2015-12-02","expiry":{}})")
                  .has_value());
  // Terminating: listed while the termination date is within the window.
  ASSERT_TRUE(testing::AppendJson(*log, "TERMINATED", AwardEnding("2016-03-31", 1)).has_value());
  ASSERT_TRUE(testing::AppendJson(
                  *log, "TERMINATED",
                  R"({"termination":{"termination_date":"2016-02-29","reason":"convenience"}})")
                  .has_value());
  ASSERT_TRUE(testing::AppendJson(*log, "TERMINATING", AwardEnding("2016-03-31", 1)).has_value());
  ASSERT_TRUE(testing::AppendJson(
                  *log, "TERMINATING",
                  R"({"termination":{"termination_date":"2016-01-20","reason":"convenience"}})")
                  .has_value());
  // A waiver of 2015-02-23 with no award: overdue since 2015-05-24.
  ASSERT_TRUE(testing::AppendJson(*log, "WAIVER-ONLY", kCriWaiver).has_value());

  auto r = AlertsToday(*log, "2016-01-01", 30);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->states_read, 0u);  // today: the index only
  auto by_id = ById(*r);
  EXPECT_EQ(by_id.size(), 9u);
  EXPECT_EQ(by_id["DEADLINE-TODAY"].action(), "exercise_or_decline_option");
  EXPECT_EQ(by_id["DEADLINE-TODAY"].deadline(), "2016-01-01");
  EXPECT_EQ(by_id["DEADLINE-TODAY"].days_left(), 0);
  EXPECT_EQ(by_id["DEADLINE-TODAY"].month(), "2016-01");
  EXPECT_EQ(by_id["DEADLINE-YESTERDAY"].days_left(), -1);
  EXPECT_EQ(by_id["WINDOW-EDGE"].days_left(), 30);
  EXPECT_FALSE(by_id.contains("PAST-WINDOW"));
  EXPECT_EQ(by_id["ENDS-TODAY"].action(), "exercise_or_decline_option");
  EXPECT_EQ(by_id["REPROCURE"].action(), "reprocure");
  EXPECT_EQ(by_id["REPROCURE"].deadline(), "2016-01-01");
  EXPECT_FALSE(by_id.contains("REPROCURE-LATER"));
  EXPECT_EQ(by_id["LAPSED-YESTERDAY"].action(), "lapsed");
  EXPECT_EQ(by_id["LAPSED-YESTERDAY"].deadline(), "2015-12-31");
  EXPECT_EQ(by_id["LAPSED-LONG-AGO"].action(), "lapsed");
  EXPECT_EQ(by_id["LAPSED-LONG-AGO"].days_left(), -1126);
  EXPECT_FALSE(by_id.contains("EXPIRED"));
  EXPECT_FALSE(by_id.contains("TERMINATED"));  // 2016-02-29: beyond the window
  EXPECT_EQ(by_id["TERMINATING"].action(), "terminating");
  EXPECT_EQ(by_id["TERMINATING"].deadline(), "2016-01-20");
  EXPECT_EQ(by_id["WAIVER-ONLY"].action(), "waiver_without_award");
  EXPECT_EQ(by_id["WAIVER-ONLY"].deadline(), "2015-05-24");
  // Ordered by deadline: the overdue first.
  for (size_t i = 1; i < r->alerts.size(); ++i) {
    EXPECT_LE(r->alerts[i - 1].deadline(), r->alerts[i].deadline());
  }
  // Filter by authority.
  EXPECT_TRUE(AlertsToday(*log, "2016-01-01", 30, "Rutland County Council")->alerts.empty());
  EXPECT_EQ(AlertsToday(*log, "2016-01-01", 30, "Leeds City Council")->alerts.size(), 9u);
  EXPECT_EQ(AlertsToday(*log, "2016-01-01", -1).error().name(), "invalid_argument");
  AlertsQuery months;
  months.as_of = D("2016-01-01");
  months.months = 121;
  EXPECT_EQ(log->Alerts(months).error().name(), "invalid_argument");

  // The same day as a past date: each contract as it stood then. The terminations are
  // effective on their (later) termination dates, so on 2016-01-01 both contracts were still
  // running with an option to decide: a past date counts what was effective by then.
  AlertsQuery past;
  past.as_of = D("2016-01-01");
  past.within_days = 30;
  past.today = D("2016-06-01");
  auto then = log->Alerts(past);
  ASSERT_TRUE(then.has_value()) << then.error().ToString();
  EXPECT_EQ(then->index_entries_read, 0u);
  EXPECT_EQ(then->states_read, 13u);
  auto then_by_id = ById(*then);
  EXPECT_EQ(then_by_id["TERMINATED"].action(), "exercise_or_decline_option");
  EXPECT_EQ(then_by_id["TERMINATING"].action(), "exercise_or_decline_option");
  EXPECT_EQ(then_by_id.size(), 10u);
}

TEST(AlertsTest, TheIndexFollowsExtensionsAndTerminations) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  ASSERT_TRUE(testing::AppendJson(*log, kCri, kCriWaiver).has_value());
  ASSERT_TRUE(testing::AppendJson(*log, kCri, kCriAward).has_value());
  auto a = AlertsToday(*log, "2016-01-01", 90);
  ASSERT_EQ(a->alerts.size(), 1u);
  EXPECT_EQ(a->alerts[0].options_left(), 2);
  ASSERT_TRUE(testing::AppendJson(
                  *log, kCri,
                  R"({"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})")
                  .has_value());
  ASSERT_TRUE(testing::AppendJson(
                  *log, kCri,
                  R"({"effective_date":"2016-09-01","extension":{"new_end_date":"2017-03-31"}})")
                  .has_value());
  // One entry only, now for the last option: reprocure 270 days before 31 March 2017.
  EXPECT_EQ(DumpCf(*log, format::kAlertsCf).size(), 1u);
  EXPECT_TRUE(AlertsToday(*log, "2016-01-01", 90)->alerts.empty());
  a = AlertsToday(*log, "2016-06-01", 90);
  ASSERT_EQ(a->alerts.size(), 1u);
  EXPECT_EQ(a->alerts[0].action(), "reprocure");
  EXPECT_EQ(a->alerts[0].deadline(), "2016-07-04");
  ASSERT_TRUE(
      testing::AppendJson(
          *log, kCri,
          R"({"effective_date":"2016-06-01","termination":{"termination_date":"2016-12-31","reason":"superseded"}})")
          .has_value());
  // The expiry entry gives way to the termination's.
  const auto index = DumpCf(*log, format::kAlertsCf);
  ASSERT_EQ(index.size(), 1u);
  EXPECT_EQ(index[0].first[0], static_cast<char>(v1::AlertIndexEntry::TERMINATING));
  a = AlertsToday(*log, "2016-06-01", 3650);
  ASSERT_EQ(a->alerts.size(), 1u);
  EXPECT_EQ(a->alerts[0].action(), "terminating");
  EXPECT_EQ(a->alerts[0].deadline(), "2016-12-31");
  EXPECT_TRUE(AlertsToday(*log, "2017-01-01", 3650)->alerts.empty());
}

// Builds `n` generated contracts: awards with and without options, notice periods and review
// dates, rolling contracts, waivers without an award, joint contracts; then, recorded later
// (after *first_recorded), extensions, declined options, terminations noticed ahead and
// expiries, each effective on its own date.
void Generate(EventLog& log, int n, Micros* first_recorded) {
  auto award = [](int i) {
    const Date start = D("2015-01-01") + std::chrono::days{(i * 7) % 730};
    std::string a =
        R"({"award":{"authority":"Leeds City Council","title":"g","supplier":{"name":"S"},"start_date":")" +
        FormatDate(start) + R"(")";
    if (i % 10 != 0) a += R"(,"end_date":")" + FormatDate(start + std::chrono::days{730}) + R"(")";
    if (i % 3 != 0 && i % 10 != 0) a += R"(,"extension_options":[{"months":12}])";
    if (i % 4 == 0) {
      a += R"(,"review_date":")" + FormatDate(start + std::chrono::days{365}) + R"(")";
    }
    if (i % 7 == 0) a += R"(,"notice_period_days":30)";
    if (i % 2 == 0) a += R"(,"value_pence":)" + std::to_string(1000 + i);
    if (i % 6 == 0) a += R"(,"participants":[{"authority":"Bradford Council"}])";
    return a + "}}";
  };
  auto end_of = [](int i) { return D("2015-01-01") + std::chrono::days{(i * 7) % 730 + 730}; };
  for (int i = 0; i < n; ++i) {
    const std::string id = "GEN-" + std::to_string(i);
    if (i % 11 == 5) {
      const Date w = D("2014-06-01") + std::chrono::days{(i * 13) % 900};
      auto r = testing::AppendJson(
          log, id,
          R"({"effective_date":")" + FormatDate(w) +
              R"(","waiver":{"authority":"Leeds City Council","rules":["CPR 9.1"],)"
              R"("justification":"j","approved_by":"a"}})");
      ASSERT_TRUE(r.has_value()) << r.error().ToString();
      continue;
    }
    auto r = testing::AppendJson(log, id, award(i));
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
  }
  *first_recorded = NowMicros();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  for (int i = 0; i < n; ++i) {
    if (i % 11 == 5 || i % 10 == 0) continue;  // waivers, rolling contracts
    const std::string id = "GEN-" + std::to_string(i);
    const Date end = end_of(i);
    std::string body;
    if (i % 3 == 1) {
      body = R"({"effective_date":")" + FormatDate(end - std::chrono::days{40}) +
             R"(","extension":{"new_end_date":")" + FormatDate(end + std::chrono::days{365}) +
             R"("}})";
    } else if (i % 3 == 2 && i % 5 != 0) {
      body = R"({"effective_date":")" + FormatDate(end - std::chrono::days{200}) +
             R"(","option_declined":{}})";
    } else if (i % 5 == 0) {
      body = R"({"effective_date":")" + FormatDate(end - std::chrono::days{300}) +
             R"(","termination":{"termination_date":")" + FormatDate(end - std::chrono::days{100}) +
             R"(","reason":"convenience"}})";
    } else {
      body =
          R"({"effective_date":")" + FormatDate(end + std::chrono::days{20}) + R"(","expiry":{}})";
    }
    auto r = testing::AppendJson(log, id, body);
    ASSERT_TRUE(r.has_value()) << id << " " << body << ": " << r.error().ToString();
  }
}

// The alerts of `states` by brute force: every entry of every state, through AlertOn.
std::vector<v1::Alert> BruteForce(const std::vector<v1::ContractState>& states,
                                  const AlertsQuery& q) {
  domain::AlertWindow w;
  w.as_of = q.as_of;
  w.last_day = q.months ? domain::LastDayOfMonths(q.as_of, q.months)
                        : q.as_of + std::chrono::days{q.within_days};
  std::vector<v1::Alert> out;
  for (const auto& s : states) {
    for (const auto& e : domain::AlertEntriesFor(s)) {
      if (!q.authority.empty() && !domain::EntryTakesPart(e, q.authority)) continue;
      if (auto a = domain::AlertOn(e, w)) out.push_back(*a);
    }
  }
  std::sort(out.begin(), out.end(), [](const v1::Alert& x, const v1::Alert& y) {
    return std::tie(x.deadline(), x.contract_id()) < std::tie(y.deadline(), y.contract_id());
  });
  return out;
}

std::vector<std::string> Serialized(const std::vector<v1::Alert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.SerializeAsString());
  return out;
}

TEST(AlertsTest, PastAlertsEqualABruteForcePassOverTheStatesAsTheyStood) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  constexpr int kContracts = 500;
  Micros first_recorded = 0;
  Generate(*log, kContracts, &first_recorded);
  const auto current = log->ListContracts("", SIZE_MAX);
  ASSERT_TRUE(current.has_value());
  ASSERT_EQ(current->size(), static_cast<size_t>(kContracts));
  size_t compared = 0;
  for (const char* as_of : {"2014-12-01", "2015-06-01", "2016-03-01", "2017-01-01", "2018-06-01"}) {
    for (std::optional<Micros> known_at :
         {std::optional<Micros>{}, std::optional(first_recorded)}) {
      for (const std::string authority : {"", "Bradford Council"}) {
        for (int months : {0, 12}) {
          AlertsQuery q;
          q.as_of = D(as_of);
          q.today = D("2030-01-01");
          q.within_days = 60;
          q.months = months;
          q.known_at = known_at;
          q.authority = authority;
          auto r = log->Alerts(q);
          ASSERT_TRUE(r.has_value()) << r.error().ToString();
          EXPECT_EQ(r->states_read, static_cast<size_t>(kContracts));
          EXPECT_EQ(r->index_entries_read, 0u);
          std::vector<v1::ContractState> then;
          for (const auto& s : *current) {
            auto at = log->GetStateAt(s.contract_id(), q.as_of, known_at);
            if (!at && at.error().code == kNotFound) continue;
            ASSERT_TRUE(at.has_value()) << at.error().ToString();
            then.push_back(*at);
          }
          const auto expected = BruteForce(then, q);
          EXPECT_EQ(Serialized(r->alerts), Serialized(expected))
              << as_of << " known_at " << known_at.has_value() << " " << authority << " " << months;
          compared += expected.size();
        }
      }
    }
  }
  EXPECT_GT(compared, 1000u);

  // Today (as_of = today, no known_at): the index, over the current states, whatever their
  // events' effective dates; and the same day as known at a time, from the states.
  for (const char* today : {"2016-03-01", "2017-01-01"}) {
    AlertsQuery q;
    q.as_of = D(today);
    q.today = q.as_of;
    q.within_days = 60;
    auto r = log->Alerts(q);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->states_read, 0u);
    EXPECT_EQ(Serialized(r->alerts), Serialized(BruteForce(*current, q))) << today;
    q.known_at = first_recorded;
    r = log->Alerts(q);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->states_read, static_cast<size_t>(kContracts));
    std::vector<v1::ContractState> known;
    for (const auto& s : *current) {
      auto at = log->GetStateAt(s.contract_id(), std::nullopt, first_recorded);
      ASSERT_TRUE(at.has_value());
      known.push_back(*at);
    }
    EXPECT_EQ(Serialized(r->alerts), Serialized(BruteForce(known, q))) << today;
  }
  // Rebuild and verify agree with the write path's index.
  const auto index = DumpCf(*log, format::kAlertsCf);
  auto v = log->Verify(std::nullopt, true);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->views_ok, true) << v->views_message;
  ASSERT_TRUE(log->Rebuild().has_value());
  EXPECT_EQ(DumpCf(*log, format::kAlertsCf), index);
}

TEST(AlertsTest, AQueryReadsOnlyTheEntriesInItsWindow) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  // 4,000 contracts ending on 4,000 consecutive days from 2020-01-01; even ones with an option
  // (lead 90), odd ones without (lead 270), and every 7th with a 30-day notice period.
  constexpr int kContracts = 4000, kThreads = 16;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kContracts; i += kThreads) {
        const std::string end = FormatDate(D("2020-01-01") + std::chrono::days{i});
        const std::string extra = i % 7 == 0 ? R"(,"notice_period_days":30)" : "";
        auto r = testing::AppendJson(*log, "GEN-" + std::to_string(i),
                                     AwardEnding(end, i % 2 == 0 ? 1 : 0, extra));
        ASSERT_TRUE(r.has_value()) << r.error().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();

  auto r = AlertsToday(*log, "2024-06-01", 30);
  ASSERT_TRUE(r.has_value());
  // The same answer by brute force over every state.
  const auto states = log->ListContracts("", SIZE_MAX);
  ASSERT_TRUE(states.has_value());
  AlertsQuery q;
  q.as_of = D("2024-06-01");
  q.within_days = 30;
  EXPECT_EQ(Serialized(r->alerts), Serialized(BruteForce(*states, q)));
  EXPECT_GT(r->alerts.size(), 100u);
  // Three lead times (30, 90, 270): at most two extra reads for each beyond the listed entries.
  EXPECT_LE(r->index_entries_read, r->alerts.size() + 2 * 3);
  RecordProperty("index_entries_read", std::to_string(r->index_entries_read));
  // Rebuild recreates the same index.
  const auto index = DumpCf(*log, format::kAlertsCf);
  EXPECT_EQ(index.size(), static_cast<size_t>(kContracts));
  ASSERT_TRUE(log->Rebuild().has_value());
  EXPECT_EQ(DumpCf(*log, format::kAlertsCf), index);
}

TEST(DigestTest, ADigestStaysAPrefixAsTheLogGrowsAndBreaksWhenRewritten) {
  TempDir dir;
  auto log = OpenLog(dir.str());
  SeedCri(*log);
  const Head digest = log->GetHead();
  ASSERT_EQ(digest.sequence, 3u);
  ASSERT_TRUE(testing::AppendJson(
                  *log, kCri,
                  R"({"effective_date":"2016-09-01","extension":{"new_end_date":"2017-03-31"}})")
                  .has_value());
  ASSERT_TRUE(testing::AppendJson(
                  *log, kCri,
                  R"({"funding":{"funder":"OPCC","financial_year":"2016/17","amount_pence":1}})")
                  .has_value());
  auto v = log->Verify(digest);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ok);
  EXPECT_EQ(v->digest_ok, true);
  EXPECT_EQ(v->head.sequence, 5u);

  auto wrong = digest;
  wrong.hash[0] = wrong.hash[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(log->Verify(wrong)->digest_ok, false);
  EXPECT_EQ(log->Verify(Head{9, digest.hash})->digest_ok, false);
  EXPECT_NE(log->Verify(Head{9, digest.hash})->digest_message.find("ends before sequence 9"),
            std::string::npos);

  // Tamper after the digest: the chain is broken but the digest's prefix holds.
  auto tamper = [&](uint64_t seq) {
    std::string value;
    ASSERT_TRUE(storage::LogInternals::Db(*log)
                    ->Get(rocksdb::ReadOptions(),
                          storage::LogInternals::Cf(*log, format::kEventsCf),
                          format::EncodeBe64(seq), &value)
                    .ok());
    v1::StoredEvent stored;
    ASSERT_TRUE(stored.ParseFromString(value));
    std::string record = stored.record();
    record[record.size() / 2] ^= 1;
    stored.set_record(record);
    ASSERT_TRUE(storage::LogInternals::Db(*log)
                    ->Put(rocksdb::WriteOptions(),
                          storage::LogInternals::Cf(*log, format::kEventsCf),
                          format::EncodeBe64(seq), stored.SerializeAsString())
                    .ok());
  };
  tamper(5);
  v = log->Verify(digest);
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_sequence, 5u);
  EXPECT_EQ(v->digest_ok, true);
  // Tamper inside the digest's prefix: reported at its sequence.
  tamper(2);
  v = log->Verify(digest);
  EXPECT_EQ(v->first_bad_sequence, 2u);
  EXPECT_EQ(v->digest_ok, false);
  EXPECT_NE(v->digest_message.find("breaks at sequence 2"), std::string::npos);
}

TEST(DigestTest, ParseDigestRefusesMalformedText) {
  EXPECT_TRUE(ParseDigest("3:" + std::string(64, 'a')).has_value());
  for (const std::string& bad : std::vector<std::string>{
           "3", "3:abc", ":" + std::string(64, 'a'), "x:" + std::string(64, 'a'),
           "0:" + std::string(64, 'a'), "3:" + std::string(64, 'A')}) {
    EXPECT_EQ(ParseDigest(bad).error().name(), "invalid_argument") << bad;
  }
}

}  // namespace
}  // namespace contrack::storage

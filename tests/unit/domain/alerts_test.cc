// The alerts a state raises: its index entries, the window each is listed in, and the actions.
#include "domain/alerts.h"

#include <gtest/gtest.h>

#include <functional>

#include "domain/lifecycle.h"
#include "domain/obligations.h"
#include "tests/support/test_support.h"

namespace contrack::domain {
namespace {

using testing::kCriAward;
using testing::kCriWaiver;
using testing::Record;

Date D(const char* text) { return *ParseDate(text, "d"); }

// The state after `bodies`, in order.
v1::ContractState StateOf(const std::vector<std::string>& bodies) {
  std::vector<v1::EventRecord> events;
  for (const auto& b : bodies) events.push_back(Record("C-1", events.size() + 1, b));
  auto s = Replay(events, Rules{});
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  return s.value_or(v1::ContractState{});
}

std::string Award(const std::string& extra) {
  return R"({"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"S"},"start_date":"2015-04-01")" +
         extra + "}}";
}

AlertWindow Window(const char* as_of, int within_days) {
  return {D(as_of), D(as_of) + std::chrono::days{within_days}, kDefaultWaiverAwardDays};
}

// The decision entries of `s` (its NOTICE entries are tested on their own, below).
std::vector<v1::AlertIndexEntry> DecisionEntriesFor(const v1::ContractState& s) {
  std::vector<v1::AlertIndexEntry> out;
  for (auto& e : AlertEntriesFor(s)) {
    if (e.kind() != v1::AlertIndexEntry::NOTICE) out.push_back(std::move(e));
  }
  return out;
}

// The decision alerts `s` raises in `w`, in entry order.
std::vector<v1::Alert> AlertsOf(const v1::ContractState& s, const AlertWindow& w) {
  std::vector<v1::Alert> out;
  for (const auto& e : DecisionEntriesFor(s)) {
    if (auto a = AlertOn(e, w)) out.push_back(*a);
  }
  return out;
}

// The notice alerts `s` raises in `w`, in entry order.
std::vector<v1::Alert> NoticeAlertsOf(const v1::ContractState& s, const AlertWindow& w) {
  std::vector<v1::Alert> out;
  for (const auto& e : AlertEntriesFor(s)) {
    if (e.kind() != v1::AlertIndexEntry::NOTICE) continue;
    if (auto a = AlertOn(e, w)) out.push_back(*a);
  }
  return out;
}

using StateChange = std::function<void(v1::ContractState*)>;

// A state's alerts entries as bytes, to compare.
std::string EntriesBytes(const v1::ContractState& x) {
  std::string out;
  for (const auto& e : AlertEntriesFor(x)) out += e.SerializeAsString() + "|";
  return out;
}

// Applies each change to `base` and expects SameAlertEntries to agree, both ways, with comparing
// AlertEntriesFor's entries; returns how many changes altered the entries.
int ExpectSameAlertEntriesAgrees(const v1::ContractState& base,
                                 const std::vector<std::pair<std::string, StateChange>>& changes) {
  int differing = 0;
  for (const auto& [what, change] : changes) {
    v1::ContractState changed = base;
    change(&changed);
    const bool same = EntriesBytes(base) == EntriesBytes(changed);
    differing += !same;
    EXPECT_EQ(SameAlertEntries(base, changed), same) << what;
    EXPECT_EQ(SameAlertEntries(changed, base), same) << what;
  }
  return differing;
}

TEST(AlertsTest, LastDayOfMonthsCountsAsOfsMonthAsTheFirst) {
  EXPECT_EQ(LastDayOfMonths(D("2016-01-15"), 12), D("2016-12-31"));
  EXPECT_EQ(LastDayOfMonths(D("2016-01-31"), 1), D("2016-01-31"));
  EXPECT_EQ(LastDayOfMonths(D("2015-12-01"), 3), D("2016-02-29"));
}

// AlertOn lists an entry exactly when its day is in ListedDays: what lets the index read only
// the entries it lists.
TEST(AlertsTest, AnEntryIsListedExactlyInItsListedDays) {
  const auto w = Window("2016-01-01", 30);
  int listed = 0;
  for (auto kind : {v1::AlertIndexEntry::EXPIRY, v1::AlertIndexEntry::REVIEW,
                    v1::AlertIndexEntry::TERMINATING, v1::AlertIndexEntry::WAIVER}) {
    for (int lead : {0, 30, 270}) {
      const DayRange range = ListedDays(kind, lead, w);
      for (Date day = D("2014-06-01"); day < D("2017-06-01"); day += std::chrono::days{1}) {
        v1::AlertIndexEntry e;
        e.set_kind(kind);
        e.set_lead_days(lead);
        e.set_options_left(1);
        const std::string text = FormatDate(day);
        e.set_end_date(text);
        e.set_review_date(text);
        e.set_termination_date(text);
        e.set_waiver_date(text);
        ASSERT_EQ(AlertDay(e), day);
        const int64_t n = day.time_since_epoch().count();
        const bool in = n >= range.first && n <= range.last;
        const auto a = AlertOn(e, w);
        ASSERT_EQ(a.has_value(), in) << kind << " " << lead << " " << text;
        listed += in;
        if (a) {
          EXPECT_EQ(a->days_left(), (*ParseDate(a->deadline(), "d") - w.as_of).count());
          EXPECT_EQ(a->month(), a->deadline().substr(0, 7));
        }
      }
    }
  }
  EXPECT_GT(listed, 1000);
}

TEST(AlertsTest, ALapsedContractStaysListedUntilADecisionIsRecorded) {
  auto s = StateOf({kCriWaiver, kCriAward});  // ends 2016-03-31, two options
  for (const char* as_of : {"2016-04-01", "2019-01-01"}) {
    auto alerts = AlertsOf(s, Window(as_of, 30));
    ASSERT_EQ(alerts.size(), 1u) << as_of;
    EXPECT_EQ(alerts[0].action(), kActionLapsed);
    EXPECT_EQ(alerts[0].deadline(), "2016-03-31");
    EXPECT_EQ(alerts[0].value_pence(), 72867800);
  }
  // An expiry closes it: no entry.
  auto expired = StateOf({kCriWaiver, kCriAward, R"({"effective_date":"2016-04-02","expiry":{}})"});
  EXPECT_TRUE(AlertEntriesFor(expired).empty());
}

TEST(AlertsTest, ADeclinedOptionTurnsTheOptionAlertIntoReprocurement) {
  auto s = StateOf({kCriWaiver, kCriAward});
  auto before = AlertEntriesFor(s);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].options_left(), 2);
  EXPECT_EQ(before[0].lead_days(), 90);  // the notice period
  auto declined = StateOf(
      {kCriWaiver, kCriAward, R"({"effective_date":"2015-12-01","option_declined":{"option":1}})"});
  EXPECT_FALSE(SameAlertEntries(s, declined));
  auto after = AlertEntriesFor(declined);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].options_left(), 0);
  EXPECT_EQ(after[0].lead_days(), 270);  // the procurement lead time
  auto alerts = AlertsOf(declined, Window("2015-07-05", 0));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].action(), kActionReprocure);
  EXPECT_EQ(alerts[0].deadline(), "2015-07-05");  // 2016-03-31 less 270 days
}

TEST(AlertsTest, ATerminationNoticeForAFutureDateIsTerminatingUntilThatDate) {
  auto s = StateOf(
      {kCriWaiver, kCriAward,
       R"({"effective_date":"2015-10-01","termination":{"termination_date":"2016-01-31","reason":"convenience"}})"});
  EXPECT_EQ(StatusOn(s, D("2016-01-01")), "terminating");
  auto alerts = AlertsOf(s, Window("2016-01-01", 30));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].action(), kActionTerminating);
  EXPECT_EQ(alerts[0].deadline(), "2016-01-31");
  EXPECT_EQ(alerts[0].days_left(), 30);
  EXPECT_TRUE(AlertsOf(s, Window("2016-01-01", 29)).empty());  // not yet in the window
  EXPECT_EQ(AlertsOf(s, Window("2016-01-31", 0)).size(), 1u);  // the day itself
  EXPECT_TRUE(AlertsOf(s, Window("2016-02-01", 90)).empty());  // over
}

TEST(AlertsTest, ARollingContractGetsAReviewAlertAndNoExpiry) {
  auto rolling =
      StateOf({Award(R"(,"review_date":"2016-06-30","notice_period_days":60,"value_pence":5)")});
  auto entries = DecisionEntriesFor(rolling);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind(), v1::AlertIndexEntry::REVIEW);
  auto alerts = AlertsOf(rolling, Window("2016-04-01", 30));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].action(), kActionReview);
  EXPECT_EQ(alerts[0].deadline(), "2016-05-01");  // 60 days before the review
  EXPECT_EQ(alerts[0].end_date(), "");
  // Overdue while the review date is ahead; gone after it.
  EXPECT_EQ(AlertsOf(rolling, Window("2016-06-30", 0)).size(), 1u);
  EXPECT_TRUE(AlertsOf(rolling, Window("2016-07-01", 90)).empty());
  // No review date: no alert at all.
  EXPECT_TRUE(DecisionEntriesFor(StateOf({Award("")})).empty());
  // A contract with an end and a review date has both entries.
  auto both = StateOf({Award(R"(,"end_date":"2018-03-31","review_date":"2016-06-30")")});
  ASSERT_EQ(DecisionEntriesFor(both).size(), 2u);
}

TEST(AlertsTest, AWaiverWithoutAnAwardAlertsAfterTheWaiverAwardDays) {
  auto s = StateOf({R"({"effective_date":"2015-02-23",)" + std::string(kCriWaiver).substr(1)});
  ASSERT_EQ(s.status(), "pre_award");
  AlertWindow w = Window("2015-05-24", 0);  // 2015-02-23 + 90 days
  auto alerts = AlertsOf(s, w);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].action(), kActionWaiverWithoutAward);
  EXPECT_EQ(alerts[0].deadline(), "2015-05-24");
  EXPECT_TRUE(AlertsOf(s, Window("2015-05-23", 0)).empty());
  EXPECT_EQ(AlertsOf(s, Window("2019-01-01", 0)).size(), 1u);  // until an award
  w = Window("2015-03-25", 0);
  w.waiver_award_days = 30;
  EXPECT_EQ(AlertsOf(s, w).size(), 1u);
  // The award ends it.
  EXPECT_EQ(AlertEntriesFor(StateOf({kCriWaiver, kCriAward}))[0].kind(),
            v1::AlertIndexEntry::EXPIRY);
}

TEST(AlertsTest, AnUnknownValueStaysAbsentAndParticipantsTakePart) {
  auto s = StateOf(
      {Award(R"(,"end_date":"2016-03-31","participants":[{"authority":"Bradford Council"}])")});
  auto entries = DecisionEntriesFor(s);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_FALSE(entries[0].has_value_pence());
  EXPECT_TRUE(EntryTakesPart(entries[0], "Leeds City Council"));
  EXPECT_TRUE(EntryTakesPart(entries[0], "Bradford Council"));
  EXPECT_FALSE(EntryTakesPart(entries[0], "Wakefield Council"));
  auto a = AlertOn(entries[0], Window("2016-01-01", 30));
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->has_value_pence());
  ASSERT_EQ(a->participants_size(), 1);
  EXPECT_EQ(a->participants(0), "Bradford Council");
}

// SameAlertEntries decides whether the write path re-encodes a contract's alerts entries: it must
// agree with comparing AlertEntriesFor's entries, for a change to any one field.
TEST(AlertsTest, SameAlertEntriesAgreesWithComparingTheEntries) {
  auto base = StateOf({kCriWaiver, Award(R"(,"end_date":"2016-03-31","review_date":"2015-10-01",)"
                                         R"("value_pence":100,"extension_options":[{"months":6}],)"
                                         R"("participants":[{"authority":"Bradford Council"}])")});
  ASSERT_EQ(AlertEntriesFor(base).size(), 2u);
  const std::vector<std::pair<std::string, StateChange>> changes = {
      {"nothing", [](auto*) {}},
      {"contract_id", [](auto* x) { x->set_contract_id("OTHER"); }},
      {"authority", [](auto* x) { x->set_authority("Other Council"); }},
      {"title", [](auto* x) { x->set_title("Other title"); }},
      {"supplier", [](auto* x) { x->mutable_supplier()->set_name("Other Ltd"); }},
      {"participants", [](auto* x) { x->mutable_participants(0)->set_authority("Wakefield"); }},
      {"no participants", [](auto* x) { x->clear_participants(); }},
      {"current_end_date", [](auto* x) { x->set_current_end_date("2017-03-31"); }},
      {"no end date", [](auto* x) { x->clear_current_end_date(); }},
      {"review_date", [](auto* x) { x->set_review_date("2015-11-01"); }},
      {"no review date", [](auto* x) { x->clear_review_date(); }},
      {"options_used", [](auto* x) { x->set_options_used(1); }},
      {"options_declined", [](auto* x) { x->set_options_declined(1); }},
      {"options_total", [](auto* x) { x->set_options_total(2); }},
      {"notice_period_days", [](auto* x) { x->set_notice_period_days(30); }},
      {"procurement_lead_days", [](auto* x) { x->set_procurement_lead_days(1); }},
      {"current_value_pence", [](auto* x) { x->set_current_value_pence(1); }},
      {"value unknown", [](auto* x) { x->clear_current_value_pence(); }},
      {"status terminated",
       [](auto* x) {
         x->set_status("terminated");
         x->set_termination_date("2016-01-31");
       }},
      {"status expired", [](auto* x) { x->set_status("expired"); }},
      {"description (not in the entries)", [](auto* x) { x->set_description("d"); }},
      {"funding (not in the entries)",
       [](auto* x) { x->set_funding_committed_pence(x->funding_committed_pence() + 1); }},
      {"version (not in the entries)", [](auto* x) { x->set_version(x->version() + 1); }},
  };
  const int differing = ExpectSameAlertEntriesAgrees(base, changes);
  EXPECT_GE(differing, 18);  // procurement_lead_days counts only once no option is left
  // A waiver's entry follows its date; the termination's its date.
  v1::ContractState a = base, b = base;
  a.set_status("terminated");
  a.set_termination_date("2016-01-31");
  b = a;
  b.set_termination_date("2016-02-29");
  EXPECT_FALSE(SameAlertEntries(a, b));
  EXPECT_NE(EntriesBytes(a), EntriesBytes(b));
}

// A pa2023 contract: award 2025-05-12 (procurement begun 2025-03-03), entered into and started
// 2025-06-02, ending 2026-05-31, £480,000.
const char kPaAward[] =
    R"({"effective_date":"2025-06-02","decision":{"reference":"D1","date":"2025-05-12"},"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"S"},"start_date":"2025-06-02","end_date":"2026-05-31","value_pence":48000000,"procurement_started_on":"2025-03-03","entered_into_date":"2025-06-02"}})";

std::vector<std::string> Actions(const std::vector<v1::Alert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.action() + " " + a.deadline());
  return out;
}

TEST(AlertsTest, ANoticeOwedIsAPublishAlertUntilPublished) {
  auto s = StateOf({kPaAward});
  // Ten days after entry: the award notice is overdue (due the 8th working day before entry),
  // the details notice due in 22 days; the termination notice is not owed before the end.
  EXPECT_EQ(Actions(NoticeAlertsOf(s, Window("2025-06-10", 30))),
            (std::vector<std::string>{"publish_award_notice 2025-05-20",
                                      "publish_contract_details_notice 2025-07-02"}));
  EXPECT_EQ(Actions(NoticeAlertsOf(s, Window("2025-06-10", 21))),
            (std::vector<std::string>{"publish_award_notice 2025-05-20"}));
  const auto a = NoticeAlertsOf(s, Window("2025-06-10", 30));
  EXPECT_EQ(a[1].notice_type(), "contract_details_notice");
  EXPECT_EQ(a[1].regime(), "pa2023");
  EXPECT_EQ(a[1].days_left(), 22);
  EXPECT_FALSE(a[1].created_by_event_id().empty());
  EXPECT_EQ(a[1].provision(), "PA 2023 s.53(1)");
  // Published: gone, whatever the day.
  auto published = StateOf(
      {kPaAward,
       R"({"notice_published":{"notice_type":"contract_award_notice","reference":"n1","published_on":"2025-05-13"}})",
       R"({"notice_published":{"notice_type":"contract_details_notice","reference":"n2","published_on":"2025-06-20"}})"});
  EXPECT_EQ(Actions(NoticeAlertsOf(published, Window("2025-06-10", 3650))),
            (std::vector<std::string>{}));
  // After the end with nothing recorded: the termination notice, 30 days after it.
  EXPECT_EQ(Actions(NoticeAlertsOf(published, Window("2026-06-01", 29))),
            (std::vector<std::string>{"publish_termination_notice 2026-06-30"}));
  EXPECT_TRUE(NoticeAlertsOf(published, Window("2026-05-31", 90)).empty());
}

// The publish alerts of a contract on any day are its obligations then that are not published
// and fall due by the window's last day (performance notices aside: the alerts list each one
// due in the window, the obligations the next one still to come).
TEST(AlertsTest, PublishAlertsAreTheUnpublishedObligationsOfTheWindow) {
  const std::vector<std::vector<std::string>> streams = {
      {kPaAward},
      {kPaAward,
       R"({"effective_date":"2025-11-01","variation":{"description":"v","value_delta_pence":7200000}})"},
      {kPaAward,
       R"({"notice_published":{"notice_type":"contract_details_notice","reference":"n","published_on":"2025-10-20"}})",
       R"({"effective_date":"2026-03-01","termination":{"termination_date":"2026-03-31","reason":"convenience"}})"},
      {kPaAward, R"({"effective_date":"2026-05-31","expiry":{"reason":"ended"}})"},
      {kCriWaiver, kCriAward},
      {Award(R"(,"end_date":"2017-03-31","value_pence":30000000)")}};
  for (const auto& bodies : streams) {
    std::vector<v1::EventRecord> events;
    for (const auto& b : bodies) events.push_back(Record("C-1", events.size() + 1, b));
    auto s = Replay(events, Rules{});
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    for (Date day = D("2015-01-01"); day < D("2027-06-01"); day += std::chrono::days{17}) {
      const AlertWindow w{day, day + std::chrono::days{45}, kDefaultWaiverAwardDays};
      std::vector<std::string> want;
      for (const auto& o : ObligationsOf(events, *s, day)) {
        if (o.status() != "due" && o.status() != "overdue") continue;
        if (*ParseDate(o.due_date(), "d") > w.last_day) continue;
        want.push_back(o.action() + " " + o.due_date());
      }
      EXPECT_EQ(Actions(NoticeAlertsOf(*s, w)), want) << bodies.back() << " " << FormatDate(day);
    }
  }
}

// SameAlertEntries over the fields the notice entries read, on a pa2023 contract with a
// variation needing a change notice and a published details notice.
TEST(AlertsTest, SameAlertEntriesAgreesOnTheNoticeFacts) {
  std::vector<v1::EventRecord> events;
  for (
      const char* b :
      {kPaAward,
       R"({"notice_published":{"notice_type":"contract_details_notice","reference":"n","published_on":"2025-06-20"}})",
       R"({"effective_date":"2025-11-01","variation":{"description":"v","value_delta_pence":7200000}})"}) {
    events.push_back(Record("C-1", events.size() + 1, b));
  }
  auto replayed = Replay(events, Rules{});
  ASSERT_TRUE(replayed.has_value()) << replayed.error().ToString();
  const v1::ContractState base = *replayed;
  ASSERT_EQ(base.modifications_size(), 1);
  ASSERT_EQ(base.notices_size(), 1);
  const std::vector<std::pair<std::string, StateChange>> changes = {
      {"regime", [](auto* x) { x->set_procurement_regime("pcr2015"); }},
      {"local", [](auto* x) { x->set_procurement_regime("local"); }},
      {"exemption", [](auto* x) { x->set_exemption("Schedule 2 para 1"); }},
      {"below threshold", [](auto* x) { x->set_above_threshold(false); }},
      {"light_touch", [](auto* x) { x->set_light_touch(true); }},
      {"entered_into_date", [](auto* x) { x->set_entered_into_date("2025-06-09"); }},
      {"kpis over 5m",
       [](auto* x) {
         x->set_kpis(true);
         x->set_whole_life_value_pence(600000000);
       }},
      {"whole life over 5m", [](auto* x) { x->set_whole_life_value_pence(600000000); }},
      {"modification notice", [](auto* x) { x->mutable_modifications(0)->clear_notice_type(); }},
      {"modification date",
       [](auto* x) { x->mutable_modifications(0)->set_effective_date("2025-12-01"); }},
      {"no modification", [](auto* x) { x->clear_modifications(); }},
      {"notice discharges another event",
       [](auto* x) {
         x->mutable_notices(0)->set_discharges_event_id("00000000-0000-4000-8000-000000000003");
       }},
      {"notice type",
       [](auto* x) { x->mutable_notices(0)->set_notice_type("contract_award_notice"); }},
      {"no notice", [](auto* x) { x->clear_notices(); }},
      {"expired",
       [](auto* x) {
         x->set_status("expired");
         x->set_expiry_date("2026-05-31");
       }},
      {"notice reference (not in the entries)",
       [](auto* x) { x->mutable_notices(0)->set_reference("other"); }},
  };
  const int differing = ExpectSameAlertEntriesAgrees(base, changes);
  EXPECT_GE(differing, 12);
}

}  // namespace
}  // namespace contrack::domain

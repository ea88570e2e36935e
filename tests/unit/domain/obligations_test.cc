// The procurement regime and the notice obligations (docs/rules.md, "Procurement regime and
// notice obligations"): each row of the table, with due dates across month ends and bank
// holidays, the cumulative change-notice thresholds, light touch, expiry as termination, and
// the flags they raise.
#include "domain/obligations.h"

#include <gtest/gtest.h>

#include "domain/regime.h"
#include "domain/validate.h"
#include "tests/support/test_support.h"

namespace contrack::domain {
namespace {

using testing::Record;

constexpr char kId[] = "PA-1";

Date D(const char* s) { return *ParseDate(s, "d"); }

// The id Record gives the event at `version` when the body names none.
std::string Id(int version) {
  char id[40];
  std::snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", version);
  return id;
}

struct Stream {
  std::vector<v1::EventRecord> events;
  v1::ContractState state;
  Rules rules;

  void MustAdd(const std::string& json) {
    auto rec = Record(kId, events.size() + 1, json);
    rec.set_recorded_at_us(static_cast<Micros>(events.size() + 1) * 1000000);
    auto next = Next(events.empty() ? nullptr : &state, rec, events, rules);
    ASSERT_TRUE(next.has_value()) << next.error().ToString() << "\n" << json;
    events.push_back(rec);
    state = *next;
  }
  Error Refused(const std::string& json) {
    auto rec = Record(kId, events.size() + 1, json);
    auto next = Next(events.empty() ? nullptr : &state, rec, events, rules);
    EXPECT_FALSE(next.has_value()) << json;
    return next ? Error{} : next.error();
  }
  std::vector<v1::Obligation> On(const char* as_of) const {
    return ObligationsOf(events, state, D(as_of));
  }
  bool HasFlag(const std::string& f) const {
    return std::find(state.flags().begin(), state.flags().end(), f) != state.flags().end();
  }
};

// The obligations of `type`, in due order.
std::vector<v1::Obligation> OfType(const std::vector<v1::Obligation>& all, const char* type) {
  std::vector<v1::Obligation> out;
  for (const auto& o : all) {
    if (o.notice_type() == type) out.push_back(o);
  }
  return out;
}

// A pa2023 award: decided (and entered into) on `decided`, services worth £1,000,000 unless
// `extra` states another value.
std::string PaAward(const std::string& decided, const std::string& extra = "",
                    const std::string& start = "2026-01-01",
                    const std::string& end = "2027-12-31") {
  const std::string value =
      extra.find("value_pence") == std::string::npos ? R"(,"value_pence":100000000)" : "";
  return R"({"decision":{"reference":"D1","date":")" + decided +
         R"("},"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"S"},"start_date":")" +
         start + R"(","end_date":")" + end + R"(")" + value + extra + "}}";
}

std::string Notice(const std::string& type, const std::string& published,
                   const std::string& discharges = "") {
  return R"({"notice_published":{"notice_type":")" + type +
         R"(","reference":"https://www.find-tender.service.gov.uk/Notice/1","published_on":")" +
         published + R"(")" +
         (discharges.empty() ? "" : R"(,"discharges_event_id":")" + discharges + R"(")") + "}}";
}

std::string Vary(const std::string& effective, int64_t delta, const std::string& to = "",
                 const std::string& event_id = "") {
  return "{" + (event_id.empty() ? "" : R"("event_id":")" + event_id + R"(",)") +
         R"("effective_date":")" + effective +
         R"(","variation":{"description":"v","value_delta_pence":)" + std::to_string(delta) +
         (to.empty() ? "" : R"(,"new_end_date":")" + to + R"(")") + R"(,"legal_basis":"Sch. 8"}})";
}

// ---------------------------------------------------------------------------------------------
// The regime and the threshold.

TEST(RegimeTest, DerivedFromTheProcurementStartAgainstTheActsGoLive) {
  v1::Award a;
  a.set_start_date("2025-06-01");
  v1::Decision d;
  d.set_date("2025-03-01");
  a.set_procurement_started_on("2025-02-23");
  EXPECT_EQ(RegimeOf(a, d).regime, kRegimePcr2015);
  EXPECT_EQ(RegimeOf(a, d).basis, "procurement_started_on");
  a.set_procurement_started_on("2025-02-24");
  EXPECT_EQ(RegimeOf(a, d).regime, kRegimePa2023);
  a.clear_procurement_started_on();
  EXPECT_EQ(RegimeOf(a, d).basis, "decision_date");
  EXPECT_EQ(RegimeOf(a, d).procurement_started_on, "2025-03-01");
  d.set_date("2025-02-01");
  EXPECT_EQ(RegimeOf(a, d).regime, kRegimePcr2015);
  EXPECT_EQ(RegimeOf(a, v1::Decision{}).basis, "start_date");
  EXPECT_EQ(RegimeOf(a, v1::Decision{}).regime, kRegimePa2023);
  a.set_regime("psr2023");
  EXPECT_EQ(RegimeOf(a, d).regime, kRegimePsr2023);
  EXPECT_EQ(RegimeOf(a, d).basis, "stated");
  a.set_regime("below_threshold");  // old records: derived from the dates
  EXPECT_EQ(RegimeOf(a, d).regime, kRegimePcr2015);
}

TEST(RegimeTest, ThresholdsInForceAtTheProcurementStart) {
  EXPECT_EQ(ThresholdPence("pa2023", "services", false, D("2025-02-24")), 214904'00);
  EXPECT_EQ(ThresholdPence("pa2023", "goods", false, D("2025-12-31")), 214904'00);
  EXPECT_EQ(ThresholdPence("pa2023", "services", false, D("2026-01-01")), 207720'00);
  EXPECT_EQ(ThresholdPence("pa2023", "works", false, D("2026-01-01")), 5193000'00);
  EXPECT_EQ(ThresholdPence("pa2023", "services", true, D("2026-06-01")), 663540'00);
  EXPECT_EQ(ThresholdPence("pcr2015", "services", false, D("2016-03-01")), 164176'00);
  EXPECT_EQ(ThresholdPence("pcr2015", "works", false, D("2022-01-01")), 5336937'00);
  EXPECT_EQ(ThresholdPence("pcr2015", "services", false, D("2024-06-01")), 214904'00);
  EXPECT_EQ(ThresholdPence("psr2023", "services", false, D("2024-06-01")), std::nullopt);
  EXPECT_EQ(ThresholdPence("local", "services", false, D("2024-06-01")), std::nullopt);
}

TEST(RegimeTest, TheStateShowsTheRegimeAndWhetherAboveTheThreshold) {
  Stream at;  // exactly the threshold: above (a contract is below it when its value is less)
  at.MustAdd(
      R"({"decision":{"date":"2025-03-01"},"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2025-04-01","end_date":"2026-03-31","value_pence":21490400}})");
  EXPECT_EQ(at.state.procurement_regime(), "pa2023");
  EXPECT_EQ(at.state.regime_basis(), "decision_date");
  EXPECT_TRUE(at.state.has_above_threshold());
  EXPECT_TRUE(at.state.above_threshold());
  EXPECT_EQ(at.state.above_threshold_basis(), "derived");
  EXPECT_EQ(at.state.threshold_pence(), 214904'00);
  EXPECT_EQ(at.state.entered_into_date(), "2025-03-01");
  Stream below;
  below.MustAdd(
      R"({"decision":{"date":"2025-03-01"},"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2025-04-01","end_date":"2026-03-31","value_pence":21490399}})");
  EXPECT_FALSE(below.state.above_threshold());
  Stream unknown;  // no value stated: not known
  unknown.MustAdd(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2025-04-01","entered_into_date":"2025-03-20"}})");
  EXPECT_FALSE(unknown.state.has_above_threshold());
  EXPECT_EQ(unknown.state.regime_basis(), "start_date");
  EXPECT_EQ(unknown.state.entered_into_date(), "2025-03-20");
  Stream stated;  // stated wins over the value
  stated.MustAdd(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2025-04-01","value_pence":1,"above_threshold":true,"regime":"pcr2015"}})");
  EXPECT_TRUE(stated.state.above_threshold());
  EXPECT_EQ(stated.state.above_threshold_basis(), "stated");
  EXPECT_EQ(stated.state.procurement_regime(), "pcr2015");
  Stream old;  // an old record's below_threshold: derived regime, below the threshold
  old.MustAdd(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2016-04-01","value_pence":999999999,"regime":"below_threshold"}})");
  EXPECT_EQ(old.state.procurement_regime(), "pcr2015");
  EXPECT_EQ(old.state.regime(), "below_threshold");
  EXPECT_FALSE(old.state.above_threshold());
  EXPECT_EQ(old.state.above_threshold_basis(), "below_threshold");
}

TEST(RegimeTest, ValidationNamesTheAllowedValues) {
  auto r = ValidateBody(testing::Body(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2025-04-01","regime":"pa2024"}})"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("pcr2015, pa2023, psr2023, local, below_threshold"),
            std::string::npos)
      << r.error().message;
  r = ValidateBody(testing::Body(Notice("award_notice", "2026-01-01")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("contract_award_notice, contract_details_notice"),
            std::string::npos)
      << r.error().message;
  r = ValidateBody(testing::Body(Notice("contract_change_notice", "2026-01-01")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("discharges_event_id is required"), std::string::npos);
  r = ValidateBody(testing::Body(
      R"({"effective_date":"2026-01-02","notice_published":{"notice_type":"contract_details_notice","reference":"x","published_on":"2026-01-01"}})"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(ValidateBody(testing::Body(Notice("contract_details_notice", "2026-01-01"))));
}

// ---------------------------------------------------------------------------------------------
// PA 2023.

TEST(Pa2023Test, AwardNoticeDueEightWorkingDaysBeforeEntryAcrossChristmas) {
  // Entered into on Thu 1 Jan 2026: the standstill must end by Wed 31 Dec, so the notice is due
  // Thu 18 Dec 2025 (s.51(2); 25, 26 Dec and 1 Jan are bank holidays).
  Stream s;
  s.MustAdd(PaAward("2025-11-01", R"(,"entered_into_date":"2026-01-01")"));
  auto award = OfType(s.On("2025-12-01"), kNoticeContractAward);
  ASSERT_EQ(award.size(), 1u);
  EXPECT_EQ(award[0].due_date(), "2025-12-18");
  EXPECT_EQ(award[0].status(), "due");
  EXPECT_EQ(award[0].provision(), "PA 2023 s.50(1), s.51");
  EXPECT_EQ(award[0].created_by_event_id(), Id(1));
  EXPECT_EQ(award[0].action(), "publish_award_notice");
  // Published Fri 19 Dec: the standstill runs to Mon 5 Jan 2026 (2 Jan is a Scottish bank
  // holiday), after the entry: late, and flagged.
  s.MustAdd(Notice("contract_award_notice", "2025-12-19"));
  award = OfType(s.On("2026-01-02"), kNoticeContractAward);
  EXPECT_EQ(award[0].status(), "late");
  EXPECT_EQ(award[0].standstill_last_day(), "2026-01-05");
  EXPECT_EQ(award[0].flag(), kFlagEnteredIntoDuringStandstill);
  EXPECT_EQ(award[0].discharged_by_event_id(), Id(2));
  EXPECT_TRUE(s.HasFlag(kFlagEnteredIntoDuringStandstill));
}

TEST(Pa2023Test, AwardNoticeInTimeMeetsItWithoutAFlag) {
  Stream s;
  s.MustAdd(PaAward("2025-11-01", R"(,"entered_into_date":"2026-01-01")"));
  s.MustAdd(Notice("contract_award_notice", "2025-12-18"));
  auto award = OfType(s.On("2026-01-02"), kNoticeContractAward);
  EXPECT_EQ(award[0].status(), "met");
  EXPECT_EQ(award[0].standstill_last_day(), "2025-12-31");
  EXPECT_EQ(award[0].flag(), "");
  EXPECT_FALSE(s.HasFlag(kFlagEnteredIntoDuringStandstill));
}

TEST(Pa2023Test, DetailsNoticeThirtyDaysBeginningWithEntryAcrossAMonthEnd) {
  Stream s;
  s.MustAdd(PaAward("2026-01-31"));
  auto details = OfType(s.On("2026-03-02"), kNoticeContractDetails);
  ASSERT_EQ(details.size(), 1u);
  EXPECT_EQ(details[0].due_date(), "2026-03-02");  // 31 Jan + 30 days; February has 28 days
  EXPECT_EQ(details[0].status(), "due");
  EXPECT_EQ(details[0].days_left(), 0);
  EXPECT_EQ(OfType(s.On("2026-03-03"), kNoticeContractDetails)[0].status(), "overdue");
  EXPECT_EQ(OfType(s.On("2026-03-03"), kNoticeContractDetails)[0].days_left(), -1);
  Stream late = s;
  late.MustAdd(Notice("contract_details_notice", "2026-03-03"));
  EXPECT_EQ(OfType(late.On("2026-04-01"), kNoticeContractDetails)[0].status(), "late");
  s.MustAdd(Notice("contract_details_notice", "2026-03-01"));
  const auto met = OfType(s.On("2026-04-01"), kNoticeContractDetails)[0];
  EXPECT_EQ(met.status(), "met");
  EXPECT_EQ(met.published_on(), "2026-03-01");
  EXPECT_EQ(met.discharged_by_event_id(), Id(2));
}

TEST(Pa2023Test, LightTouchHas120DaysAndNoStandstillOrChangeNotice) {
  Stream s;
  s.MustAdd(PaAward("2026-01-31", R"(,"light_touch":true,"value_pence":70000000)"));
  const auto all = s.On("2026-02-01");
  EXPECT_EQ(OfType(all, kNoticeContractDetails)[0].due_date(), "2026-05-31");
  EXPECT_EQ(OfType(all, kNoticeContractAward)[0].due_date(), "2026-01-31");
  s.MustAdd(Vary("2026-06-01", 50000000));  // +71%: no change notice for light touch
  EXPECT_TRUE(OfType(s.On("2026-07-01"), kNoticeContractChange).empty());
  EXPECT_FALSE(s.HasFlag(kFlagModifiedWithoutChangeNotice));
}

TEST(Pa2023Test, BelowThresholdOrExemptOwesNoActNotices) {
  Stream below;
  below.MustAdd(PaAward("2026-01-31", R"(,"value_pence":100000)"));
  EXPECT_TRUE(below.On("2026-06-01").empty());
  Stream exempt;
  exempt.MustAdd(PaAward("2026-01-31", R"(,"exemption":"Sch. 2 para. 2")"));
  EXPECT_TRUE(exempt.On("2026-06-01").empty());
  EXPECT_EQ(exempt.state.exemption(), "Sch. 2 para. 2");
}

TEST(Pa2023Test, ChangeNoticeThresholdsAreCumulative) {
  Stream s;  // £1,000,000 services: 10% is £100,000
  s.MustAdd(PaAward("2026-01-01"));
  s.MustAdd(Vary("2026-03-01", 60000'00));
  s.MustAdd(Vary("2026-04-01", -40000'00));  // |changes| add up: exactly 10%
  EXPECT_TRUE(OfType(s.On("2026-05-01"), kNoticeContractChange).empty());
  EXPECT_EQ(s.state.modifications(1).cumulative_value_pence(), 100000'00);
  s.MustAdd(Vary("2026-05-01", 1));  // 10% and a penny, cumulatively
  auto change = OfType(s.On("2026-05-01"), kNoticeContractChange);
  ASSERT_EQ(change.size(), 1u);
  EXPECT_EQ(change[0].created_by_event_id(), Id(4));
  EXPECT_EQ(change[0].due_date(), "2026-04-30");
  EXPECT_EQ(change[0].status(), "overdue");
  EXPECT_EQ(change[0].flag(), kFlagModifiedWithoutChangeNotice);
  EXPECT_TRUE(s.HasFlag(kFlagModifiedWithoutChangeNotice));
  // The notified modification resets the count.
  s.MustAdd(Vary("2026-06-01", 50000'00));
  EXPECT_EQ(OfType(s.On("2026-07-01"), kNoticeContractChange).size(), 1u);
}

TEST(Pa2023Test, WorksAllowFifteenPercent) {
  Stream s;
  s.MustAdd(PaAward("2026-01-01", R"(,"category":"works","value_pence":1000000000)"));
  s.MustAdd(Vary("2026-03-01", 150000000));
  EXPECT_TRUE(OfType(s.On("2026-05-01"), kNoticeContractChange).empty());
  s.MustAdd(Vary("2026-04-01", 1));
  EXPECT_EQ(OfType(s.On("2026-05-01"), kNoticeContractChange).size(), 1u);
}

TEST(Pa2023Test, TermChangeOverTenPercentOfTheMaximumTermIncludingOptions) {
  // 1 Jan 2026 to 31 Dec 2026 with a 12-month option: the maximum term is 730 days; 10% is 73.
  Stream s;
  s.MustAdd(
      PaAward("2025-12-01", R"(,"extension_options":[{"months":12}])", "2026-01-01", "2026-12-31"));
  EXPECT_EQ(s.state.award_max_extent_date(), "2027-12-31");
  s.MustAdd(Vary("2026-06-01", 0, "2027-03-14"));  // +73 days
  EXPECT_TRUE(OfType(s.On("2026-07-01"), kNoticeContractChange).empty());
  s.MustAdd(Vary("2026-06-02", 0, "2027-03-15"));  // +1 day: 74 cumulatively
  const auto change = OfType(s.On("2026-07-01"), kNoticeContractChange);
  ASSERT_EQ(change.size(), 1u);
  EXPECT_NE(change[0].note().find("term change of 74 days"), std::string::npos) << change[0].note();
}

TEST(Pa2023Test, ChangeNoticeBeforeTheEffectiveDateClearsTheFlagOnOrAfterIsLate) {
  Stream s;
  s.MustAdd(PaAward("2026-01-01"));
  s.MustAdd(Vary("2026-06-01", 120000'00));  // 12%
  EXPECT_TRUE(s.HasFlag(kFlagModifiedWithoutChangeNotice));
  Stream late = s;
  late.MustAdd(Notice("contract_change_notice", "2026-06-01", Id(2)));
  EXPECT_TRUE(late.HasFlag(kFlagModifiedWithoutChangeNotice));
  auto change = OfType(late.On("2026-07-01"), kNoticeContractChange);
  EXPECT_EQ(change[0].status(), "late");
  EXPECT_EQ(change[0].flag(), kFlagModifiedWithoutChangeNotice);
  s.MustAdd(Notice("contract_change_notice", "2026-05-20", Id(2)));
  EXPECT_FALSE(s.HasFlag(kFlagModifiedWithoutChangeNotice));
  change = OfType(s.On("2026-07-01"), kNoticeContractChange);
  EXPECT_EQ(change[0].status(), "met");
  EXPECT_EQ(change[0].flag(), "");
  // The voluntary standstill (s.76): 8 working days from publication (Mon 25 May is a bank
  // holiday).
  EXPECT_EQ(change[0].standstill_last_day(), "2026-06-01");
  // A notice for another event does not count.
  Stream other;
  other.MustAdd(PaAward("2026-01-01"));
  other.MustAdd(Vary("2026-06-01", 120000'00));
  other.MustAdd(Notice("contract_change_notice", "2026-05-20", Id(1)));
  EXPECT_TRUE(other.HasFlag(kFlagModifiedWithoutChangeNotice));
}

TEST(Pa2023Test, ANoticeRecordedBeforeItsVariationCounts) {
  const std::string v = "aaaaaaaa-0000-4000-8000-000000000001";
  Stream s;
  s.MustAdd(PaAward("2026-01-01"));
  s.MustAdd(Notice("contract_change_notice", "2026-05-20", v));
  s.MustAdd(Vary("2026-06-01", 120000'00, "", v));
  EXPECT_FALSE(s.HasFlag(kFlagModifiedWithoutChangeNotice));
  EXPECT_EQ(OfType(s.On("2026-07-01"), kNoticeContractChange)[0].status(), "met");
}

TEST(Pa2023Test, RetractingTheVariationReDerivesTheObligations) {
  Stream s;
  s.MustAdd(PaAward("2026-01-01"));
  s.MustAdd(Vary("2026-06-01", 120000'00));
  ASSERT_TRUE(s.HasFlag(kFlagModifiedWithoutChangeNotice));
  s.MustAdd(R"({"correction":{"corrects_event_id":")" + Id(2) + R"(","reason":"typo"}})");
  EXPECT_FALSE(s.HasFlag(kFlagModifiedWithoutChangeNotice));
  EXPECT_TRUE(OfType(s.On("2026-07-01"), kNoticeContractChange).empty());
  // Retracting a notice reopens its obligation.
  s.MustAdd(Notice("contract_details_notice", "2026-01-10"));
  EXPECT_EQ(OfType(s.On("2026-07-01"), kNoticeContractDetails)[0].status(), "met");
  s.MustAdd(R"({"correction":{"corrects_event_id":")" + Id(4) + R"(","reason":"wrong"}})");
  EXPECT_EQ(OfType(s.On("2026-07-01"), kNoticeContractDetails)[0].status(), "overdue");
}

TEST(Pa2023Test, TerminationNoticeFromTheEndHoweverItEnded) {
  Stream expiry;  // expiry counts as termination (s.80(3)(b))
  expiry.MustAdd(PaAward("2025-12-01", "", "2026-01-01", "2026-12-31"));
  EXPECT_TRUE(OfType(expiry.On("2026-12-31"), kNoticeContractTermination).empty());
  // The end date passed with nothing recorded.
  auto t = OfType(expiry.On("2027-01-05"), kNoticeContractTermination);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].created_by(), "end_date");
  EXPECT_EQ(t[0].created_by_event_id(), "");
  EXPECT_EQ(t[0].due_date(), "2027-01-30");
  expiry.MustAdd(R"({"effective_date":"2026-12-31","expiry":{}})");
  t = OfType(expiry.On("2027-01-05"), kNoticeContractTermination);
  EXPECT_EQ(t[0].created_by(), "expiry");
  EXPECT_EQ(t[0].created_by_event_id(), Id(2));
  EXPECT_EQ(t[0].due_date(), "2027-01-30");
  EXPECT_EQ(t[0].provision(), "PA 2023 s.80(1), (3)");
  // A notice may follow the expiry; nothing else but funding and corrections.
  expiry.MustAdd(Notice("contract_termination_notice", "2027-01-20"));
  EXPECT_EQ(OfType(expiry.On("2027-02-01"), kNoticeContractTermination)[0].status(), "met");
  const Error e = expiry.Refused(Vary("2027-01-21", 1));
  EXPECT_NE(e.message.find("only funding, notices and corrections"), std::string::npos);

  Stream term;  // terminated on 30 June: due 30 July
  term.MustAdd(PaAward("2025-12-01", "", "2026-01-01", "2026-12-31"));
  term.MustAdd(R"({"termination":{"termination_date":"2026-06-30","reason":"breach"}})");
  t = OfType(term.On("2026-06-01"), kNoticeContractTermination);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].due_date(), "2026-07-30");
  EXPECT_EQ(t[0].status(), "due");
  EXPECT_EQ(t[0].created_by(), "termination");
  EXPECT_EQ(OfType(term.On("2026-07-31"), kNoticeContractTermination)[0].status(), "overdue");
}

TEST(Pa2023Test, OverFiveMillionACopyOfTheContractAndPerformanceNoticesWithKpis) {
  Stream s;
  s.MustAdd(
      PaAward("2026-01-01", R"(,"value_pence":600000000,"kpis":true)", "2026-01-01", "2028-12-31"));
  auto all = s.On("2027-06-01");
  auto copy = OfType(all, kNoticeContractCopy);
  ASSERT_EQ(copy.size(), 1u);
  EXPECT_EQ(copy[0].due_date(), "2026-04-01");  // 1 Jan + 90 days
  EXPECT_TRUE(copy[0].unverified());
  auto perf = OfType(all, kNoticeContractPerformance);
  ASSERT_EQ(perf.size(), 2u);  // the first 12 months, and the next one still to come
  EXPECT_EQ(perf[0].due_date(), "2026-12-31");
  EXPECT_EQ(perf[0].status(), "overdue");
  EXPECT_EQ(perf[1].due_date(), "2027-12-31");
  EXPECT_EQ(perf[1].status(), "due");
  s.MustAdd(Notice("contract_performance_notice", "2026-12-15"));
  s.MustAdd(Notice("contract_performance_notice", "2027-03-01"));  // counts for the second year
  perf = OfType(s.On("2027-06-01"), kNoticeContractPerformance);
  EXPECT_EQ(perf[0].status(), "met");
  EXPECT_EQ(perf[0].discharged_by_event_id(), Id(2));
  EXPECT_EQ(perf[1].status(), "met");
  EXPECT_EQ(perf[1].discharged_by_event_id(), Id(3));
  // On termination, one more.
  s.MustAdd(R"({"termination":{"termination_date":"2027-09-30","reason":"convenience"}})");
  perf = OfType(s.On("2027-10-01"), kNoticeContractPerformance);
  ASSERT_EQ(perf.size(), 2u);
  EXPECT_EQ(perf[1].due_date(), "2027-09-30");
  EXPECT_EQ(perf[1].created_by(), "termination");
  // Without KPIs, none.
  Stream no_kpis;
  no_kpis.MustAdd(PaAward("2026-01-01", R"(,"value_pence":600000000)"));
  EXPECT_TRUE(OfType(no_kpis.On("2027-06-01"), kNoticeContractPerformance).empty());
}

// ---------------------------------------------------------------------------------------------
// PCR 2015, the Provider Selection Regime, local rules.

TEST(Pcr2015Test, AwardNoticeThirtyDaysContractsFinderNinetyModificationThirty) {
  Stream s;  // decided 10 Jan 2024 (a leap year), above the £214,904 threshold
  s.MustAdd(
      R"({"decision":{"date":"2024-01-10"},"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2024-02-01","end_date":"2026-01-31","value_pence":50000000}})");
  EXPECT_EQ(s.state.procurement_regime(), "pcr2015");
  s.MustAdd(
      R"j({"effective_date":"2024-12-20","variation":{"description":"more","value_delta_pence":100,"legal_basis":"PCR 2015 reg 72(1) (b)"}})j");
  s.MustAdd(
      R"j({"effective_date":"2025-01-20","variation":{"description":"less","value_delta_pence":-100,"legal_basis":"reg 72(1)(e)"}})j");
  const auto all = s.On("2025-03-01");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].notice_type(), kNoticeContractAward);
  EXPECT_EQ(all[0].due_date(), "2024-02-09");
  EXPECT_EQ(all[0].provision(), "PCR 2015 reg. 50(1)");
  EXPECT_EQ(all[1].notice_type(), kNoticeContractsFinderAward);
  EXPECT_EQ(all[1].due_date(), "2024-04-09");
  EXPECT_EQ(all[1].provision(), "PCR 2015 reg. 108");
  EXPECT_EQ(all[2].notice_type(), kNoticeModification);
  EXPECT_EQ(all[2].due_date(), "2025-01-19");
  EXPECT_EQ(all[2].created_by_event_id(), Id(2));
  EXPECT_EQ(all[2].action(), "publish_modification_notice");
  EXPECT_EQ(all[2].status(), "overdue");
  EXPECT_FALSE(s.HasFlag(kFlagModifiedWithoutChangeNotice));
}

TEST(Pcr2015Test, BelowThresholdOnlyContractsFinderOverTwentyFiveThousand) {
  Stream s;
  s.MustAdd(
      R"({"decision":{"date":"2024-01-10"},"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2024-02-01","value_pence":3000000}})");
  auto all = s.On("2024-06-01");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].notice_type(), kNoticeContractsFinderAward);
  EXPECT_EQ(all[0].provision(), "PCR 2015 reg. 112");
  Stream small;
  small.MustAdd(
      R"({"decision":{"date":"2024-01-10"},"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2024-02-01","value_pence":2500000}})");
  EXPECT_TRUE(small.On("2024-06-01").empty());
  Stream call_off;  // no award notice per call-off (reg. 50(4))
  call_off.MustAdd(
      R"({"decision":{"date":"2024-01-10"},"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2024-02-01","value_pence":50000000,"procedure":"framework_call_off"}})");
  EXPECT_TRUE(OfType(call_off.On("2024-06-01"), kNoticeContractAward).empty());
}

// PCR 2015 applies to procurements begun from 26 February 2015 (reg. 118(1)); one begun on the
// 25th stays under the 2006 Regulations, whose award notices contrack does not derive; its
// modifications are under reg. 72 all the same.
TEST(Pcr2015Test, ProcurementsBegunBeforeTheRegulationsOweOnlyModificationNotices) {
  auto award = [](const std::string& began) {
    return R"({"decision":{"date":"2015-03-10"},"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":50000000,"procurement_started_on":")" +
           began + "\"}}";
  };
  Stream before;
  before.MustAdd(award("2015-02-25"));
  EXPECT_EQ(before.state.procurement_regime(), "pcr2015");
  EXPECT_TRUE(before.On("2016-01-01").empty());
  // Its modifications fall under reg. 72 all the same (reg. 118(5A)-(5D)).
  before.MustAdd(
      R"j({"effective_date":"2015-06-01","variation":{"description":"more","value_delta_pence":100,"legal_basis":"PCR 2015 reg 72(1)(b)"}})j");
  const auto modified = before.On("2016-01-01");
  ASSERT_EQ(modified.size(), 1u);
  EXPECT_EQ(modified[0].notice_type(), kNoticeModification);
  Stream from;
  from.MustAdd(award("2015-02-26"));
  const auto all = from.On("2016-01-01");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].notice_type(), kNoticeContractAward);
  EXPECT_EQ(all[0].due_date(), "2015-04-09");  // 30 days after the 10 March award
  EXPECT_EQ(all[1].notice_type(), kNoticeContractsFinderAward);
}

TEST(Psr2023Test, IntentionBeforeAndAwardNoticeAfterUnverified) {
  Stream s;
  s.MustAdd(
      R"({"decision":{"date":"2024-05-10"},"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2024-06-01","value_pence":50000000,"regime":"psr2023","procedure":"open"}})");
  const auto all = s.On("2024-06-01");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].notice_type(), kNoticePsrIntention);
  EXPECT_EQ(all[0].due_date(), "2024-05-09");
  EXPECT_EQ(all[1].notice_type(), kNoticePsrAward);
  EXPECT_EQ(all[1].due_date(), "2024-06-09");
  EXPECT_TRUE(all[1].unverified());
  Stream direct;
  direct.MustAdd(
      R"({"decision":{"date":"2024-05-10"},"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2024-06-01","regime":"psr2023","procedure":"direct_award"}})");
  EXPECT_EQ(direct.On("2024-06-01").size(), 1u);
}

TEST(LocalTest, TheAuthoritysOwnRulesOweNoStatutoryNotice) {
  Stream s;
  s.MustAdd(PaAward("2026-01-01", R"(,"regime":"local")"));
  EXPECT_TRUE(s.On("2027-06-01").empty());
}

TEST(ObligationsAtTest, AsOfUsesPublicationDatesAndKnownAtTheRecordedTime) {
  Stream s;
  s.MustAdd(PaAward("2026-01-31"));
  s.MustAdd(Notice("contract_details_notice", "2026-02-10"));  // recorded at t = 2 s
  auto before_publication =
      ObligationsAt(s.events, s.rules, D("2026-02-05"), D("2026-02-05"), std::nullopt);
  ASSERT_TRUE(before_publication);
  EXPECT_EQ(OfType(*before_publication, kNoticeContractDetails)[0].status(), "due");
  auto after = ObligationsAt(s.events, s.rules, D("2026-03-05"), D("2026-03-05"), std::nullopt);
  EXPECT_EQ(OfType(*after, kNoticeContractDetails)[0].status(), "met");
  auto unknown = ObligationsAt(s.events, s.rules, D("2026-03-05"), D("2026-03-05"), 1500000);
  EXPECT_EQ(OfType(*unknown, kNoticeContractDetails)[0].status(), "overdue");
  auto none = ObligationsAt(s.events, s.rules, D("2026-03-05"), std::nullopt, 10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace contrack::domain

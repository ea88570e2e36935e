// The record as the decisions are: values not stated, whole-life values, joint contracts,
// declined options, conditional funding, expiry, notice of termination, term changes, dates
// before the start, retrospective decisions and the flags with their history. Each rule refuses
// with its code and the facts; every stream's incremental fold equals its replay.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "domain/lifecycle.h"
#include "domain/principal.h"
#include "tests/support/test_support.h"

namespace contrack::domain {
namespace {

using testing::kCriAward;
using testing::kCriWaiver;
using testing::Record;

constexpr char kId[] = "LCC-DIP-CRI-2015";

struct Stream {
  std::vector<v1::EventRecord> events;
  std::optional<v1::ContractState> state;
  Rules rules;

  Result<v1::ContractState> Add(const std::string& json) {
    auto rec = Record(kId, events.size() + 1, json);
    auto next = Next(state ? &*state : nullptr, rec, events, rules);
    if (next) {
      events.push_back(rec);
      state = *next;
    }
    return next;
  }
  void MustAdd(const std::string& json) {
    auto r = Add(json);
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
  }
  void ExpectRefused(const std::string& json, const std::string& code,
                     const std::string& fact = "") {
    const size_t before = events.size();
    auto r = Add(json);
    ASSERT_FALSE(r.has_value()) << "accepted: " << json;
    EXPECT_EQ(r.error().name(), code) << r.error().message;
    if (!fact.empty()) {
      EXPECT_NE(r.error().message.find(fact), std::string::npos)
          << "\"" << r.error().message << "\" should name " << fact;
    }
    EXPECT_EQ(events.size(), before);
  }
  bool HasFlag(const std::string& f) const {
    return std::find(state->flags().begin(), state->flags().end(), f) != state->flags().end();
  }
  // The incremental fold and the replay of the whole stream agree.
  void ExpectReplayEqual() const {
    auto replayed = Replay(events, rules);
    ASSERT_TRUE(replayed.has_value()) << replayed.error().ToString();
    std::string diff;
    google::protobuf::util::MessageDifferencer d;
    d.ReportDifferencesToString(&diff);
    EXPECT_TRUE(d.Compare(*state, *replayed)) << diff;
  }
};

std::string Award(const std::string& extra) {
  return R"({"decision":{"reference":"A1","date":"2015-02-23","key_decision":true,"call_in_eligible":true},"award":{"authority":"Leeds City Council","title":"T","supplier":{"name":"CRI"},"start_date":"2015-04-01")" +
         extra + "}}";
}

TEST(DecisionsTest, ValuesNotStatedStayAbsentThroughExtensionsAndVariations) {
  Stream s;
  s.MustAdd(Award(R"(,"end_date":"2016-03-31","extension_options":[{"months":6}])"));
  EXPECT_FALSE(s.state->has_original_value_pence());
  EXPECT_FALSE(s.state->has_current_value_pence());
  EXPECT_FALSE(s.state->has_annual_value_pence());
  EXPECT_FALSE(s.state->has_whole_life_value_pence());
  EXPECT_EQ(s.state->whole_life_value_basis(), "");
  EXPECT_FALSE(s.state->supplier().has_sme());
  s.MustAdd(
      R"({"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30","value_pence_added":100}})");
  EXPECT_FALSE(s.state->has_current_value_pence());
  // An unknown value cannot go below zero: the reduction is recorded in the net variation.
  s.MustAdd(
      R"({"effective_date":"2016-04-01","variation":{"description":"cut","value_delta_pence":-500}})");
  EXPECT_FALSE(s.state->has_current_value_pence());
  EXPECT_EQ(s.state->variation_net_pence(), -500);
  EXPECT_FALSE(s.HasFlag(kFlagVariationOverDeMinimis));  // no original value to measure against
  s.ExpectReplayEqual();
}

TEST(DecisionsTest, StatedZeroIsNotUnknown) {
  Stream s;
  s.MustAdd(
      Award(R"(,"end_date":"2016-03-31","value_pence":0,"supplier":{"name":"X","sme":false})"));
  EXPECT_TRUE(s.state->has_current_value_pence());
  EXPECT_EQ(s.state->current_value_pence(), 0);
  EXPECT_TRUE(s.state->supplier().has_sme());
}

TEST(DecisionsTest, WholeLifeValueDerivedFromTheAnnualValueForEachOptionOrStated) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);                                     // £728,678 a year, two 6-month options
  EXPECT_EQ(s.state->whole_life_value_pence(), 145735600);  // seed 001: £1,457,356
  EXPECT_EQ(s.state->whole_life_value_basis(), "derived");

  Stream stated;
  stated.MustAdd(Award(
      R"(,"end_date":"2016-03-31","value_pence":100,"whole_life_value_pence":999,"extension_options":[{"months":6}])"));
  EXPECT_EQ(stated.state->whole_life_value_pence(), 999);
  EXPECT_EQ(stated.state->whole_life_value_basis(), "stated");

  // Options but no annual value: the whole-life value cannot be derived.
  Stream unknown;
  unknown.MustAdd(
      Award(R"(,"end_date":"2016-03-31","value_pence":100,"extension_options":[{"months":6}])"));
  EXPECT_FALSE(unknown.state->has_whole_life_value_pence());
}

TEST(DecisionsTest, DeclinedOptionEndsTheOptionsAndItsConditionalFunding) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);
  s.MustAdd(
      R"({"funding":{"funder":"OPCC","financial_year":"2016/17","amount_pence":36433900,"conditional_on_option":1}})");
  EXPECT_EQ(s.state->funding_conditional_pence(), 36433900);
  s.ExpectRefused(R"({"option_declined":{"option":2}})", kOptionNotNext, "next option");
  s.MustAdd(R"({"effective_date":"2016-01-15","option_declined":{"reason":"re-procured"}})");
  EXPECT_EQ(s.state->options_declined(), 2);  // options run in sequence: both lapse
  EXPECT_EQ(s.state->options(0).status(), "declined");
  EXPECT_EQ(s.state->options(1).status(), "declined");
  EXPECT_EQ(s.state->funding_conditional_pence(), 0);
  EXPECT_EQ(s.state->funding_declined_pence(), 36433900);
  EXPECT_EQ(s.state->max_extent_date(), "2016-03-31");
  s.ExpectRefused(R"({"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}})",
                  kNoExtensionOption, "declined 2");
  s.ExpectRefused(R"({"option_declined":{}})", kNoExtensionOption, "no option left");
  // Funding recorded later on the declined option is not counted as "if extended".
  s.MustAdd(
      R"({"funding":{"funder":"OPCC","financial_year":"2016/17","amount_pence":5,"conditional_on_option":1}})");
  EXPECT_EQ(s.state->funding_conditional_pence(), 0);
  EXPECT_EQ(s.state->funding_declined_pence(), 36433905);
  s.ExpectReplayEqual();
}

TEST(DecisionsTest, ConditionalFundingBecomesCommittedWhenItsOptionIsExercised) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);
  s.ExpectRefused(
      R"({"funding":{"funder":"Rutland County Council","financial_year":"2016/17","amount_pence":148500,"conditional_on_option":3}})",
      kNoSuchOption, "has 2 options");
  s.MustAdd(
      R"({"funding":{"funder":"Rutland County Council","financial_year":"2016/17","amount_pence":148500,"conditional_on_extension":true}})");
  s.MustAdd(
      R"({"funding":{"funder":"Rutland County Council","financial_year":"2017/18","amount_pence":100,"conditional_on_option":2}})");
  EXPECT_EQ(s.state->funding_conditional_pence(), 148600);
  s.MustAdd(
      R"({"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30","value_pence_added":1}})");
  EXPECT_EQ(s.state->funding_committed_pence(), 148500);  // option 1's funding, now committed
  EXPECT_EQ(s.state->funding_conditional_pence(), 100);   // option 2's, still conditional
  EXPECT_EQ(s.state->options(0).status(), "exercised");
  // Funding recorded after the option was exercised is committed at once.
  s.MustAdd(
      R"({"funding":{"funder":"Rutland County Council","financial_year":"2016/17","amount_pence":1,"conditional_on_option":1}})");
  EXPECT_EQ(s.state->funding_committed_pence(), 148501);
  s.ExpectReplayEqual();
}

TEST(DecisionsTest, ExpiryClosesAContractAtItsEnd) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);
  s.ExpectRefused(R"({"effective_date":"2016-03-30","expiry":{}})", kExpiryBeforeEnd,
                  "current end 2016-03-31");
  s.MustAdd(R"({"effective_date":"2016-04-02","expiry":{"reason":"service re-procured"}})");
  EXPECT_EQ(s.state->status(), "expired");
  EXPECT_EQ(s.state->expiry_date(), "2016-03-31");
  EXPECT_EQ(StatusOn(*s.state, *ParseDate("2030-01-01", "d")), "expired");  // never lapsed
  s.ExpectRefused(R"({"effective_date":"2016-04-03","extension":{"new_end_date":"2016-09-30"}})",
                  kContractExpired, "expired on 2016-03-31");
  s.ExpectRefused(R"({"effective_date":"2016-04-03","variation":{"description":"x"}})",
                  kContractExpired);
  s.ExpectRefused(R"({"termination":{"termination_date":"2016-03-01","reason":"other"}})",
                  kContractExpired);
  s.MustAdd(R"({"funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":5}})");
  s.ExpectReplayEqual();

  Stream rolling;
  rolling.MustAdd(Award(R"(,"value_pence":100)"));
  EXPECT_EQ(rolling.state->current_end_date(), "");
  rolling.ExpectRefused(R"({"effective_date":"2016-04-02","expiry":{}})", kNoEndDate, "rolling");
  rolling.ExpectRefused(
      R"({"effective_date":"2016-04-02","extension":{"new_end_date":"2017-01-01"}})", kNoEndDate);
  EXPECT_EQ(StatusOn(*rolling.state, *ParseDate("2099-01-01", "d")), "active");
}

TEST(DecisionsTest, NoticeOfTerminationForAFutureDateIsTerminatingUntilThen) {
  Stream s;
  s.MustAdd(Award(R"(,"end_date":"2028-03-31","value_pence":100)"));
  s.ExpectRefused(R"({"termination":{"termination_date":"2028-04-30","reason":"convenience"}})",
                  kTerminationAfterEnd, "current end 2028-03-31");
  s.MustAdd(
      R"({"effective_date":"2026-12-04","termination":{"termination_date":"2027-06-30","reason":"convenience"}})");
  EXPECT_EQ(s.state->status(), "terminated");
  EXPECT_EQ(s.state->current_end_date(), "2027-06-30");
  EXPECT_EQ(StatusOn(*s.state, *ParseDate("2026-12-04", "d")), "terminating");
  EXPECT_EQ(StatusOn(*s.state, *ParseDate("2027-06-30", "d")), "terminating");
  EXPECT_EQ(StatusOn(*s.state, *ParseDate("2027-07-01", "d")), "terminated");
}

TEST(DecisionsTest, EventsBeforeTheStartAreRefusedExceptTheWaiverAwardAndFunding) {
  Stream s;
  s.MustAdd(kCriWaiver);  // effective 2015-02-23, before the start: allowed
  s.MustAdd(kCriAward);
  s.ExpectRefused(
      R"({"effective_date":"2014-06-01","variation":{"description":"x","value_delta_pence":1}})",
      kBeforeStart, "2014-06-01 is before the start date 2015-04-01");
  s.ExpectRefused(R"({"effective_date":"2015-03-01","novation":{"supplier":{"name":"Y"}}})",
                  kBeforeStart);
  s.MustAdd(
      R"({"effective_date":"2015-03-01","funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":1}})");
}

TEST(DecisionsTest, RetrospectiveDecisionsAreFlaggedAndWaiversAfterTheAwardMarked) {
  Stream s;
  s.MustAdd(Award(
      R"(,"end_date":"2016-03-31","value_pence":100,"procedure":"direct_award","extension_options":[{"months":6}])"));
  EXPECT_FALSE(s.HasFlag(kFlagRetrospectiveDecision));
  EXPECT_TRUE(s.HasFlag(kFlagDirectAwardWithoutWaiver));
  // Decided 2016-05-15, effective 2016-03-31: accepted, flagged.
  s.MustAdd(
      R"({"effective_date":"2016-03-31","decision":{"reference":"E1","date":"2016-05-15"},"extension":{"new_end_date":"2016-09-30"}})");
  EXPECT_TRUE(s.HasFlag(kFlagRetrospectiveDecision));
  const std::string ext = s.events.back().event_id();
  // A waiver recorded after the award it justifies is marked retrospective.
  s.MustAdd(
      R"({"effective_date":"2016-06-01","waiver":{"rules":["CPR 9.1"],"justification":"j","approved_by":"D"}})");
  EXPECT_TRUE(s.state->waivers(0).retrospective());
  EXPECT_FALSE(s.HasFlag(kFlagDirectAwardWithoutWaiver));
  // The flag's history: raised by the extension, still standing.
  bool found = false;
  for (const auto& f : s.state->flag_history()) {
    if (f.flag() == kFlagRetrospectiveDecision) {
      found = true;
      EXPECT_EQ(f.raised_by_event_id(), ext);
      EXPECT_EQ(f.cleared_by_event_id(), "");
    }
    if (f.flag() == kFlagDirectAwardWithoutWaiver) {
      EXPECT_EQ(f.cleared_by_event_id(), s.events.back().event_id());
    }
  }
  EXPECT_TRUE(found);
  s.ExpectReplayEqual();
}

TEST(DecisionsTest, KeyDecisionAndCallInThresholdsPerAuthority) {
  Rules rules;
  ASSERT_TRUE(LoadAuthorities(
      R"({"authorities":[{"name":"Leeds City Council","key_decision_threshold_pence":50000000,"call_in_threshold_pence":10000000}]})",
      &rules));
  EXPECT_EQ(rules.For("Leeds City Council").key_decision_pence, 50000000);
  EXPECT_EQ(rules.For("Rutland County Council").key_decision_pence, 25000000);
  const std::string award =
      R"({"decision":{"reference":"A1","date":"2015-02-23","key_decision":false,"call_in_eligible":false},"award":{"authority":"Leeds City Council","title":"T","supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":30000000}})";
  Stream leeds;  // £300,000: under Leeds's £500,000 key threshold, over its £100,000 call-in
  leeds.rules = rules;
  leeds.MustAdd(award);
  EXPECT_FALSE(leeds.HasFlag(kFlagKeyDecisionNotMarked));
  EXPECT_TRUE(leeds.HasFlag(kFlagCallInNotMarked));
  Stream defaults;  // the default £250,000 thresholds
  defaults.MustAdd(award);
  EXPECT_TRUE(defaults.HasFlag(kFlagKeyDecisionNotMarked));
  EXPECT_TRUE(defaults.HasFlag(kFlagCallInNotMarked));

  Rules bad;
  auto typo = LoadAuthorities(R"({"authorities":[{"name":"X","key_decision_pence":1}]})", &bad);
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("key_decision_pence"), std::string::npos);
  auto twice = LoadAuthorities(R"({"authorities":[{"name":"X"},{"name":"X"}]})", &bad);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("authorities[1]"), std::string::npos);
  auto unnamed = LoadAuthorities(R"({"authorities":[{"key_decision_threshold_pence":1}]})", &bad);
  ASSERT_FALSE(unnamed);
}

TEST(DecisionsTest, FundingOutsideTheReachableTermIsFlagged) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);  // 2015-04-01 .. 2016-03-31, options reach 2017-03-31
  s.MustAdd(R"({"funding":{"funder":"OPCC","financial_year":"2016/17","amount_pence":1}})");
  EXPECT_FALSE(s.HasFlag(kFlagFundingOutsideTerm));  // within the options' reach
  s.MustAdd(R"({"funding":{"funder":"OPCC","financial_year":"2018/19","amount_pence":1}})");
  EXPECT_TRUE(s.HasFlag(kFlagFundingOutsideTerm));
  s.MustAdd(R"({"funding":{"funder":"OPCC","financial_year":"2014/15","amount_pence":0}})");
  s.ExpectReplayEqual();
}

// Options can take the reachable end past 2999, the last year an input date may hold; the
// engine reads its own computed dates as they are (found by the lifecycle fuzzer).
TEST(DecisionsTest, OptionsReachingBeyondTheYear2999AreReadAsComputed) {
  Stream s;
  s.MustAdd(
      R"({"award":{"authority":"Leeds City Council","title":"T","supplier":{"name":"CRI"},"start_date":"2013-04-23","end_date":"2999-07-04","value_pence":4607500,"extension_options":[{"months":6},{"months":6}]}})");
  EXPECT_EQ(s.state->max_extent_date(), "3000-07-04");
  s.MustAdd(
      R"({"funding":{"funder":"Home Office","financial_year":"2018/19","amount_pence":794900,"conditional_on_option":2}})");
  EXPECT_FALSE(s.HasFlag(kFlagFundingOutsideTerm));
  s.ExpectReplayEqual();
}

TEST(DecisionsTest, VariationOver50PercentStaysInTheFlagHistoryAfterItClears) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);  // £728,678
  s.MustAdd(
      R"({"effective_date":"2015-06-01","decision":{"reference":"V1"},"variation":{"description":"more","value_delta_pence":40000000}})");
  const std::string up = s.events.back().event_id();
  EXPECT_TRUE(s.HasFlag(kFlagVariationOver50Percent));
  s.MustAdd(
      R"({"effective_date":"2015-07-01","decision":{"reference":"V2"},"variation":{"description":"less","value_delta_pence":-35000000}})");
  const std::string down = s.events.back().event_id();
  EXPECT_FALSE(s.HasFlag(kFlagVariationOver50Percent));
  const v1::FlagRecord* record = nullptr;
  for (const auto& f : s.state->flag_history()) {
    if (f.flag() == kFlagVariationOver50Percent) record = &f;
  }
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->raised_by_event_id(), up);
  EXPECT_EQ(record->raised_on(), "2015-06-01");
  EXPECT_EQ(record->cleared_by_event_id(), down);
  EXPECT_EQ(record->cleared_on(), "2015-07-01");
  s.ExpectReplayEqual();
}

TEST(DecisionsTest, JointContractsHaveALeadAndParticipants) {
  Stream s;
  const std::string award =
      R"({"award":{"authority":"West Northamptonshire Council","title":"Adult treatment","supplier":{"name":"Change Grow Live"},"start_date":"2018-04-01","end_date":"2024-03-31","annual_value_pence":539400000,"participants":[{"authority":"North Northamptonshire Council","share_basis_points":4860}]}})";
  s.MustAdd(award);
  ASSERT_EQ(s.state->participants_size(), 1);
  EXPECT_TRUE(TakesPart(*s.state, "North Northamptonshire Council"));
  EXPECT_TRUE(TakesPart(*s.state, "West Northamptonshire Council"));
  EXPECT_FALSE(TakesPart(*s.state, "Leeds City Council"));

  const Principal nnc{"nnc-officer", Role::kOfficer, {"North Northamptonshire Council"}};
  const Principal leeds{"leeds-officer", Role::kOfficer, {"Leeds City Council"}};
  EXPECT_TRUE(nnc.MayReadContract(*s.state));
  EXPECT_FALSE(leeds.MayReadContract(*s.state));
  // Reading is not writing: only the lead's officers write.
  const v1::EventBody body;
  EXPECT_FALSE(AuthorizeAppend(nnc, &*s.state, std::span<const v1::EventBody>(&body, 1)));

  s.ExpectRefused(
      R"({"effective_date":"2019-01-01","variation":{"description":"x","participants":{"participants":[{"authority":"West Northamptonshire Council"}]}}})",
      kParticipantIsLead, "lead authority");
  s.ExpectRefused(
      R"({"effective_date":"2019-01-01","waiver":{"rules":["R"],"justification":"j","approved_by":"a","participants":[{"authority":"Rutland County Council"}]}})",
      "invalid_argument", "variation changes the participants");
  s.MustAdd(
      R"({"effective_date":"2019-01-01","variation":{"description":"NNC leaves","participants":{}}})");
  EXPECT_EQ(s.state->participants_size(), 0);
  EXPECT_FALSE(nnc.MayReadContract(*s.state));
  s.ExpectReplayEqual();
}

}  // namespace
}  // namespace contrack::domain

// Every hard rule refuses with its code and facts; every flag is raised and cleared; replay with
// corrections equals the incremental fold.
#include "domain/lifecycle.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/support/test_support.h"

namespace contrack::domain {
namespace {

using testing::kCriAward;
using testing::kCriWaiver;
using testing::Record;

constexpr char kId[] = "LCC-DIP-CRI";

// Applies bodies in order; returns the final state or the first refusal.
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
    const auto before = state;
    auto r = Add(json);
    ASSERT_FALSE(r.has_value()) << "accepted: " << json;
    EXPECT_EQ(r.error().name(), code) << r.error().message;
    if (!fact.empty()) {
      EXPECT_NE(r.error().message.find(fact), std::string::npos)
          << "\"" << r.error().message << "\" should name " << fact;
    }
    EXPECT_EQ(before.has_value(), state.has_value());
  }
  bool HasFlag(const std::string& f) const {
    for (const auto& x : state->flags()) {
      if (x == f) return true;
    }
    return false;
  }
};

std::string Ext(const std::string& to, const std::string& effective = "2016-03-01") {
  return R"({"effective_date":")" + effective + R"(","extension":{"new_end_date":")" + to +
         R"("}})";
}

std::string Award(const std::string& extra_fields) {
  return R"({"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":100000000)" +
         extra_fields + "}}";
}

TEST(LifecycleTest, LeedsCriTakesTwoSixMonthExtensionsAndRefusesAThird) {
  Stream s;
  s.MustAdd(kCriWaiver);
  EXPECT_EQ(s.state->status(), "pre_award");
  s.MustAdd(kCriAward);
  EXPECT_EQ(s.state->status(), "active");
  EXPECT_EQ(s.state->max_extent_date(), "2017-03-31");
  s.MustAdd(Ext("2016-09-30"));
  s.MustAdd(Ext("2017-03-31", "2016-09-01"));
  EXPECT_EQ(s.state->current_end_date(), "2017-03-31");
  EXPECT_EQ(s.state->options_used(), 2);
  EXPECT_EQ(s.state->version(), 4u);
  s.ExpectRefused(Ext("2017-09-30", "2017-03-01"), kNoExtensionOption,
                  "contract LCC-DIP-CRI has used 2 of 2 options; current end 2017-03-31");
}

TEST(LifecycleTest, FirstEventMustBeAwardOrWaiver) {
  Stream s;
  s.ExpectRefused(Ext("2016-09-30"), kFirstEventMustBeAwardOrWaiver, "extension");
  s.ExpectRefused(R"({"funding":{"funder":"OPCC","financial_year":"2016/17","amount_pence":1}})",
                  kFirstEventMustBeAwardOrWaiver);
  s.ExpectRefused(R"({"waiver":{"rules":["CPR 9.1"],"justification":"j","approved_by":"a"}})",
                  "invalid_argument", "waiver.authority");
}

TEST(LifecycleTest, AuthorityIsFixedByTheFirstEvent) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.ExpectRefused(
      R"({"award":{"authority":"Leicestershire County Council","title":"t","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":1}})",
      kAuthorityMismatch, "Leeds City Council");
  s.ExpectRefused(
      R"({"waiver":{"authority":"Rutland County Council","rules":["CPR 1"],"justification":"j","approved_by":"a"}})",
      kAuthorityMismatch, "Rutland County Council");
}

TEST(LifecycleTest, AwardRules) {
  Stream s;
  s.ExpectRefused(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2016-04-01","end_date":"2016-03-31","value_pence":1}})",
      kEndBeforeStart, "2016-03-31");
  s.ExpectRefused(Award(R"(,"max_end_date":"2016-01-01")"), kEndBeforeStart, "max_end_date");
  s.ExpectRefused(Award(R"(,"waiver_event_id":"99999999-9999-4999-8999-999999999999")"),
                  kUnknownWaiver, "99999999");
  s.MustAdd(Award(""));
  s.ExpectRefused(Award(""), kAlreadyAwarded);
}

TEST(LifecycleTest, ExtensionRules) {
  Stream s;
  s.MustAdd(
      R"({"waiver":{"authority":"Leeds City Council","rules":["CPR 9.1"],"justification":"j","approved_by":"a"}})");
  s.ExpectRefused(Ext("2016-09-30"), kNotAwarded);
  s.MustAdd(
      Award(R"(,"extension_options":[{"months":6},{"months":12}],"max_end_date":"2017-01-31")"));
  s.ExpectRefused(Ext("2016-03-31"), kExtensionNotAfterEnd, "2016-03-31");
  s.ExpectRefused(Ext("2016-10-01"), kExtensionBeyondOption, "2016-09-30");
  s.ExpectRefused(Ext("2016-09-30", "2016-04-01"), kContractLapsed, "2016-03-31");
  s.MustAdd(Ext("2016-09-30"));
  s.ExpectRefused(Ext("2017-09-30", "2016-09-01"), kBeyondMaxEndDate, "2017-01-31");
  s.MustAdd(Ext("2017-01-31", "2016-09-01"));
  s.ExpectRefused(Ext("2017-02-28", "2017-01-01"), kNoExtensionOption, "has used 2 of 2 options");
}

TEST(LifecycleTest, ShorterExtensionThanTheOptionIsAllowed) {
  Stream s;
  s.MustAdd(Award(R"(,"extension_options":[{"months":6}])"));
  s.MustAdd(Ext("2016-06-30"));
  EXPECT_EQ(s.state->current_end_date(), "2016-06-30");
  EXPECT_EQ(s.state->options_total() - s.state->options_used(), 0);
}

TEST(LifecycleTest, TerminationRules) {
  Stream s;
  s.MustAdd(Award(R"(,"extension_options":[{"months":6}])"));
  s.ExpectRefused(
      R"({"termination":{"termination_date":"2015-03-31","reason":"superseded","rule":"CPR 22.1"}})",
      kTerminationBeforeStart, "2015-04-01");
  s.MustAdd(
      R"({"termination":{"termination_date":"2015-09-30","reason":"superseded","rule":"CPR 22.1"}})");
  EXPECT_EQ(s.state->status(), "terminated");
  EXPECT_EQ(s.state->current_end_date(), "2015-09-30");
  s.ExpectRefused(Ext("2016-09-30", "2015-09-01"), kContractTerminated, "2015-09-30");
  s.ExpectRefused(R"({"variation":{"description":"more","value_delta_pence":5}})",
                  kContractTerminated);
  s.ExpectRefused(R"({"novation":{"supplier":{"name":"X"}}})", kContractTerminated);
  s.ExpectRefused(R"({"termination":{"termination_date":"2015-10-30","reason":"other"}})",
                  kContractTerminated);
  // Funding may still be recorded after termination.
  s.MustAdd(R"({"funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":5}})");
}

TEST(LifecycleTest, VariationRules) {
  Stream s;
  s.MustAdd(Award(R"(,"max_end_date":"2018-03-31")"));
  s.ExpectRefused(R"({"variation":{"description":"cut","value_delta_pence":-100000001}})",
                  kNegativeValue, "below zero");
  s.ExpectRefused(
      R"({"effective_date":"2015-06-01","variation":{"description":"x","new_end_date":"2015-01-01"}})",
      kEndBeforeStart);
  s.ExpectRefused(
      R"({"effective_date":"2015-06-01","variation":{"description":"x","new_end_date":"2018-04-01"}})",
      kBeyondMaxEndDate);
  s.ExpectRefused(R"({"variation":{"description":"x","value_delta_pence":9223372036854775807}})",
                  kValueOverflow);
  // A term change is held to the extension rules: not once the contract has ended ...
  s.ExpectRefused(
      R"({"effective_date":"2016-04-01","variation":{"description":"x","new_end_date":"2016-06-30"}})",
      kContractLapsed, "ended on 2016-03-31");
  // ... not before the contract's start ...
  s.ExpectRefused(
      R"({"effective_date":"2014-06-01","variation":{"description":"x","value_delta_pence":5}})",
      kBeforeStart, "before the start date 2015-04-01");
  // ... and beyond the options' reach only with a legal basis, flagged.
  s.ExpectRefused(
      R"({"effective_date":"2015-06-01","variation":{"description":"x","new_end_date":"2016-06-30"}})",
      kTermExtensionWithoutLegalBasis, "2016-03-31");
  s.MustAdd(
      R"j({"effective_date":"2015-06-01","variation":{"description":"align end","new_end_date":"2016-06-30","legal_basis":"PCR 2015 reg 72(1)(b)"}})j");
  EXPECT_EQ(s.state->current_end_date(), "2016-06-30");
  EXPECT_TRUE(s.HasFlag(kFlagTermExtendedWithoutOption));
}

TEST(LifecycleTest, FundingOverflowIsRefused) {
  Stream s;
  s.MustAdd(Award(""));
  s.MustAdd(
      R"({"funding":{"funder":"F","financial_year":"2016/17","amount_pence":9223372036854775807}})");
  s.ExpectRefused(R"({"funding":{"funder":"F","financial_year":"2016/17","amount_pence":1}})",
                  kValueOverflow);
}

TEST(LifecycleTest, CorrectionRules) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);
  s.MustAdd(Ext("2016-09-30"));
  const std::string first_ext = s.events.back().event_id();
  s.MustAdd(Ext("2017-03-31", "2016-09-01"));
  const std::string second_ext = s.events.back().event_id();
  auto correct = [](const std::string& id) {
    return R"({"correction":{"corrects_event_id":")" + id + R"(","reason":"recorded in error"}})";
  };
  s.ExpectRefused(correct("99999999-9999-4999-8999-999999999999"), kInvalidCorrection,
                  "not an event of contract");
  // Without the first extension, the contract lapsed before the second: refused.
  s.ExpectRefused(correct(first_ext), kCorrectionBreaksRules, "contract_lapsed");
  // Without the award, the stream has nothing to extend: refused.
  s.ExpectRefused(correct(s.events[1].event_id()), kCorrectionBreaksRules);
  s.MustAdd(correct(second_ext));
  EXPECT_EQ(s.state->current_end_date(), "2016-09-30");
  EXPECT_EQ(s.state->options_used(), 1);
  EXPECT_EQ(s.state->version(), 5u);
  ASSERT_EQ(s.state->retracted_event_ids_size(), 1);
  EXPECT_EQ(s.state->retracted_event_ids(0), second_ext);
  s.ExpectRefused(correct(second_ext), kInvalidCorrection, "already retracted");
  s.ExpectRefused(correct(s.events.back().event_id()), kInvalidCorrection, "itself a correction");
  // The freed option can be exercised again.
  s.MustAdd(Ext("2017-03-31", "2016-09-01"));
  EXPECT_EQ(s.state->current_end_date(), "2017-03-31");
}

TEST(LifecycleTest, ReplayEqualsIncrementalFold) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);
  s.MustAdd(R"({"funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":61300000}})");
  s.MustAdd(Ext("2016-09-30"));
  s.MustAdd(R"({"variation":{"description":"scope","value_delta_pence":1000}})");
  s.MustAdd(R"({"correction":{"corrects_event_id":")" + s.events.back().event_id() +
            R"(","reason":"duplicate"}})");
  s.MustAdd(R"({"novation":{"supplier":{"name":"Change Grow Live"},"reason":"CRI renamed"}})");
  auto replayed = Replay(s.events, s.rules);
  ASSERT_TRUE(replayed.has_value());
  EXPECT_EQ(replayed->SerializeAsString(), s.state->SerializeAsString());
  EXPECT_EQ(replayed->supplier().name(), "Change Grow Live");
  EXPECT_EQ(replayed->variation_net_pence(), 0);
}

TEST(LifecycleFlagsTest, DirectAwardWithoutWaiverIsRaisedAndClearedByAWaiver) {
  Stream s;
  s.MustAdd(Award(R"(,"procedure":"direct_award")"));
  EXPECT_TRUE(s.HasFlag(kFlagDirectAwardWithoutWaiver));
  s.MustAdd(
      R"({"waiver":{"rules":["CPR 8.1"],"justification":"retrospective","approved_by":"Director"}})");
  EXPECT_FALSE(s.HasFlag(kFlagDirectAwardWithoutWaiver));
}

TEST(LifecycleFlagsTest, KeyDecisionWithoutRecord) {
  Stream s;
  s.MustAdd(Award(""));  // £1,000,000 with no decision reference
  EXPECT_TRUE(s.HasFlag(kFlagKeyDecisionWithoutRecord));
  s.MustAdd(
      R"({"decision":{"reference":"D-42"},"variation":{"description":"x","value_delta_pence":1}})");
  EXPECT_FALSE(s.HasFlag(kFlagKeyDecisionWithoutRecord));

  Stream small;
  small.rules.key_decision_threshold_pence = 200000000;  // £2m: the award is below it
  small.MustAdd(Award(""));
  EXPECT_FALSE(small.HasFlag(kFlagKeyDecisionWithoutRecord));
  Stream cri;
  cri.MustAdd(kCriWaiver);
  cri.MustAdd(kCriAward);  // £728,678 with decision reference
  EXPECT_FALSE(cri.HasFlag(kFlagKeyDecisionWithoutRecord));
}

TEST(LifecycleFlagsTest, VariationThresholds) {
  Stream s;  // original £1,000,000, services: de minimis 10%
  s.MustAdd(Award(R"(,"category":"services")"));
  s.MustAdd(
      R"({"decision":{"reference":"V1"},"variation":{"description":"x","value_delta_pence":10000000}})");
  EXPECT_FALSE(s.HasFlag(kFlagVariationOverDeMinimis));  // exactly 10%: not above
  s.MustAdd(
      R"({"decision":{"reference":"V2"},"variation":{"description":"x","value_delta_pence":1}})");
  EXPECT_TRUE(s.HasFlag(kFlagVariationOverDeMinimis));
  EXPECT_FALSE(s.HasFlag(kFlagVariationOver50Percent));
  s.MustAdd(
      R"({"decision":{"reference":"V3"},"variation":{"description":"x","value_delta_pence":40000000}})");
  EXPECT_TRUE(s.HasFlag(kFlagVariationOver50Percent));
  s.MustAdd(
      R"({"decision":{"reference":"V4"},"variation":{"description":"x","value_delta_pence":-45000001}})");
  EXPECT_FALSE(s.HasFlag(kFlagVariationOver50Percent));
  EXPECT_FALSE(s.HasFlag(kFlagVariationOverDeMinimis));

  Stream works;  // works: 15%
  works.MustAdd(Award(R"(,"category":"works")"));
  works.MustAdd(
      R"({"decision":{"reference":"V1"},"variation":{"description":"x","value_delta_pence":12000000}})");
  EXPECT_FALSE(works.HasFlag(kFlagVariationOverDeMinimis));
  works.MustAdd(
      R"({"decision":{"reference":"V2"},"variation":{"description":"x","value_delta_pence":4000000}})");
  EXPECT_TRUE(works.HasFlag(kFlagVariationOverDeMinimis));
}

TEST(LifecycleFlagsTest, FundingShortfallCountsConditionalAmountsOnlyOnceExtended) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);                            // £728,678
  EXPECT_FALSE(s.HasFlag(kFlagFundingShortfall));  // no funding recorded: no flag
  s.MustAdd(R"({"funding":{"funder":"OPCC","financial_year":"2015/16","amount_pence":61300000}})");
  EXPECT_TRUE(s.HasFlag(kFlagFundingShortfall));
  s.MustAdd(
      R"({"funding":{"funder":"Leeds Public Health","financial_year":"2015/16","amount_pence":11567800}})");
  EXPECT_FALSE(s.HasFlag(kFlagFundingShortfall));
  EXPECT_EQ(s.state->funding_committed_pence(), 72867800);
  // An extension adds value; funding conditional on extension covers it once extended.
  s.MustAdd(
      R"({"funding":{"funder":"OPCC","financial_year":"2016/17","amount_pence":36433900,"conditional_on_extension":true}})");
  s.MustAdd(
      R"({"decision":{"reference":"E1"},"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30","value_pence_added":36433900}})");
  EXPECT_FALSE(s.HasFlag(kFlagFundingShortfall));
  ASSERT_EQ(s.state->funding_size(), 3);
  EXPECT_EQ(s.state->funding(0).financial_year(), "2015/16");
  // Exercising option 1 committed the funding conditional on it.
  EXPECT_EQ(s.state->funding(2).conditional_on_option(), 1);
  EXPECT_EQ(s.state->funding(2).conditional_amount_pence(), 0);
  EXPECT_EQ(s.state->funding(2).amount_pence(), 36433900);
  EXPECT_EQ(s.state->funding_committed_pence(), 72867800 + 36433900);
  EXPECT_EQ(s.state->funding_conditional_pence(), 0);
}

TEST(LifecycleTest, StatusOnDerivesLapsed) {
  Stream s;
  s.MustAdd(kCriWaiver);
  s.MustAdd(kCriAward);
  EXPECT_EQ(StatusOn(*s.state, *ParseDate("2016-03-31", "d")), "active");
  EXPECT_EQ(StatusOn(*s.state, *ParseDate("2016-04-01", "d")), "lapsed");
}

}  // namespace
}  // namespace contrack::domain

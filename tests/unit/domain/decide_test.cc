// One append's decision: records stamped in order, the state folded, refusals named by event.
#include "domain/decide.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace contrack::domain {
namespace {

using testing::Body;
using testing::kCriAward;
using testing::kCriWaiver;

const Principal kOfficer{"jane", Role::kOfficer, {"Leeds City Council"}};

AppendInput Input(const std::vector<v1::EventBody>& bodies,
                  const v1::ContractState* state = nullptr) {
  AppendInput in;
  in.contract_id = "LCC-DIP-CRI";
  in.state = state;
  in.bodies = bodies;
  in.principal = &kOfficer;
  in.recorded_at = 1'450'000'000'000'000;
  in.first_sequence = 40;
  int n = 0;
  in.new_event_id = [n]() mutable {
    return "cccccccc-0000-4000-8000-00000000000" + std::to_string(++n);
  };
  return in;
}

TEST(DecideTest, AWaiverThenItsAwardAreStampedInOrderAndFolded) {
  const std::vector bodies{Body(kCriWaiver), Body(kCriAward)};
  auto d = Decide(Input(bodies), {});
  ASSERT_TRUE(d) << d.error().ToString();
  ASSERT_EQ(d->records.size(), 2u);
  EXPECT_EQ(d->records[0].version(), 1u);
  EXPECT_EQ(d->records[1].version(), 2u);
  EXPECT_EQ(d->records[0].sequence(), 40u);
  EXPECT_EQ(d->records[1].sequence(), 41u);
  EXPECT_EQ(d->records[0].type(), "waiver");
  EXPECT_EQ(d->records[1].recorded_by(), "jane");
  EXPECT_EQ(d->state.version(), 2u);
  EXPECT_EQ(d->state.status(), "active");
  EXPECT_EQ(d->state.authority(), "Leeds City Council");
}

TEST(DecideTest, ABodyWithoutAnIdGetsAGeneratedOneAndADefaultEffectiveDate) {
  const std::vector bodies{Body(
      R"({"waiver":{"authority":"Leeds City Council","rules":["CPR 9.1"],"justification":"j","approved_by":"a"}})")};
  auto d = Decide(Input(bodies), {});
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->records[0].event_id(), "cccccccc-0000-4000-8000-000000000001");
  EXPECT_EQ(d->records[0].effective_date(), "2015-12-13");  // the recorded day
}

TEST(DecideTest, ARefusalNamesTheEventItCameFromAndDecidesNothing) {
  const std::vector bodies{Body(kCriWaiver),
                           Body(R"({"extension":{"new_end_date":"2016-09-30"}})")};
  auto d = Decide(Input(bodies), {});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().name(), kNotAwarded);
  EXPECT_TRUE(d.error().message.starts_with("events[1]: ")) << d.error().message;
}

TEST(DecideTest, OnlyAnAdminRetractsAReassignment) {
  const std::vector first{Body(kCriWaiver), Body(kCriAward),
                          Body(R"({"event_id":"cccccccc-0000-4000-8000-0000000000aa",)"
                               R"("authority_reassignment":{"authority":"Leeds City Council",)"
                               R"("reason":"r"}})")};
  const Principal admin = Principal::Operator("ops");
  auto in = Input(first);
  in.principal = &admin;
  auto d = Decide(in, {});
  ASSERT_TRUE(d) << d.error().ToString();
  const std::vector undo{Body(
      R"({"correction":{"corrects_event_id":"cccccccc-0000-4000-8000-0000000000aa","reason":"r"}})")};
  auto by_officer = Input(undo, &d->state);
  by_officer.prior = d->records;
  auto r = Decide(by_officer, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kForbidden);
  by_officer.principal = &admin;
  auto ok = Decide(by_officer, {});
  EXPECT_TRUE(ok) << ok.error().ToString();
}

}  // namespace
}  // namespace contrack::domain

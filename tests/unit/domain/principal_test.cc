// The write authorisation rule: who may append to a contract, decided against the authority its
// first event fixed; and that no correction or award moves that authority.
#include "domain/principal.h"

#include <gtest/gtest.h>

#include "domain/lifecycle.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using testing::Body;
using testing::Record;

const Principal kLeeds{"jane", Role::kOfficer, {"Leeds City Council"}};
const Principal kAuditor{"audit", Role::kAuditor, {"*"}};
const Principal kAdmin = Principal::Operator("ops");

constexpr char kAward[] =
    R"({"event_id":"bbbbbbbb-0000-4000-8000-000000000001","award":{"authority":"Leeds City Council","title":"T","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31"}})";
constexpr char kLeicsAward[] =
    R"({"event_id":"bbbbbbbb-0000-4000-8000-000000000003","award":{"authority":"Leicestershire County Council","title":"T","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31"}})";
constexpr char kCorrectAward[] =
    R"({"event_id":"bbbbbbbb-0000-4000-8000-000000000002","correction":{"corrects_event_id":"bbbbbbbb-0000-4000-8000-000000000001","reason":"typo"}})";

v1::ContractState StateOf(const std::string& authority) {
  v1::ContractState s;
  s.set_contract_id("C");
  s.set_authority(authority);
  return s;
}

TEST(AuthorizeAppendTest, AnAuditorNeverWrites) {
  const auto s = StateOf("Leeds City Council");
  auto r = AuthorizeAppend(kAuditor, &s, std::vector{Body(R"({"funding":{}})")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kForbidden);
  EXPECT_NE(r.error().message.find("auditors never write"), std::string::npos);
}

TEST(AuthorizeAppendTest, AnOfficerWritesOnlyContractsOfItsAuthorities) {
  const auto leeds = StateOf("Leeds City Council");
  const auto leics = StateOf("Leicestershire County Council");
  const std::vector body{Body(R"({"variation":{"description":"x"}})")};
  EXPECT_TRUE(AuthorizeAppend(kLeeds, &leeds, body));
  auto r = AuthorizeAppend(kLeeds, &leics, body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kForbidden);
  EXPECT_NE(r.error().message.find("Leicestershire County Council"), std::string::npos);
  EXPECT_TRUE(AuthorizeAppend(kAdmin, &leics, body));
}

TEST(AuthorizeAppendTest, TheStoredAuthorityDecidesNotTheRequestsAward) {
  // An existing Leicestershire contract: a Leeds award in the request does not make it Leeds's.
  const auto leics = StateOf("Leicestershire County Council");
  auto r = AuthorizeAppend(kLeeds, &leics, std::vector{Body(kAward)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kForbidden);
}

TEST(AuthorizeAppendTest, ANewContractsFirstEventMustNameACoveredAuthority) {
  EXPECT_TRUE(AuthorizeAppend(kLeeds, nullptr, std::vector{Body(kAward)}));
  auto other = AuthorizeAppend(kLeeds, nullptr, std::vector{Body(kLeicsAward)});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, kForbidden);
  auto none = AuthorizeAppend(
      kAdmin, nullptr,
      std::vector{
          Body(R"({"waiver":{"rules":["CPR 9.1"],"justification":"j","approved_by":"a"}})")});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, kInvalidArgument);
}

TEST(AuthorizeAppendTest, OnlyAnAdminReassignsAnAuthority) {
  const auto leeds = StateOf("Leeds City Council");
  const std::vector body{Body(
      R"({"authority_reassignment":{"authority":"Leicestershire County Council","reason":"r"}})")};
  auto r = AuthorizeAppend(kLeeds, &leeds, body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kForbidden);
  EXPECT_TRUE(AuthorizeAppend(kAdmin, &leeds, body));
}

TEST(AuthorityRuleTest, ReplayKeepsTheFirstEventsAuthorityAfterItIsRetracted) {
  std::vector<v1::EventRecord> events = {Record("C", 1, kAward), Record("C", 2, kCorrectAward)};
  auto s = domain::Replay(events, {});
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(s->authority(), "Leeds City Council");
  // A later award naming another authority is refused, incrementally and on replay.
  auto next = domain::Next(&*s, Record("C", 3, kLeicsAward), events, {});
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().name(), domain::kAuthorityMismatch);
  events.push_back(Record("C", 3, kLeicsAward));
  auto replay = domain::Replay(events, {});
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().name(), domain::kAuthorityMismatch);
}

TEST(AuthorityRuleTest, AReassignmentMovesTheAuthorityAndItsRetractionMovesItBack) {
  std::vector<v1::EventRecord> events = {
      Record("C", 1, kAward),
      Record(
          "C", 2,
          R"({"event_id":"bbbbbbbb-0000-4000-8000-000000000009","authority_reassignment":{"authority":"Leicestershire County Council","reason":"r"}})")};
  auto s = domain::Replay(events, {});
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(s->authority(), "Leicestershire County Council");
  events.push_back(Record(
      "C", 3,
      R"({"correction":{"corrects_event_id":"bbbbbbbb-0000-4000-8000-000000000009","reason":"r"}})"));
  auto back = domain::Replay(events, {});
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->authority(), "Leeds City Council");
}

}  // namespace
}  // namespace contrack

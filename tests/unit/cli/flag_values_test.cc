// The CLI's flag values: pounds to exact pence, shares to basis points, participants, yes/no.
#include "tools/cli/flag_values.h"

#include <gtest/gtest.h>

#include <limits>

namespace contrack::cli {
namespace {

int64_t Pence(std::string_view text, bool allow_negative = false) {
  auto p = ParsePounds(text, allow_negative);
  EXPECT_TRUE(p.has_value()) << text << ": " << p.error().message;
  return p.value_or(-1);
}

std::string Refusal(std::string_view text, bool allow_negative = false) {
  auto p = ParsePounds(text, allow_negative);
  EXPECT_FALSE(p.has_value()) << text << " gave " << *p;
  if (p) return "";
  EXPECT_EQ(p.error().code, kInvalidArgument);
  return p.error().message;
}

void ExpectContains(const std::string& text, const std::string& needle) {
  EXPECT_NE(text.find(needle), std::string::npos) << "missing \"" << needle << "\" in: " << text;
}

TEST(ParsePoundsTest, TakesPoundsAsPeopleWriteThem) {
  EXPECT_EQ(Pence("728678"), 72867800);
  EXPECT_EQ(Pence("728,678.00"), 72867800);
  EXPECT_EQ(Pence("£1,457,356"), 145735600);
  EXPECT_EQ(Pence("£364,339"), 36433900);
  EXPECT_EQ(Pence(" 10800.5 "), 1080050);
  EXPECT_EQ(Pence("0.07"), 7);
  EXPECT_EQ(Pence(".5"), 50);
  EXPECT_EQ(Pence("0"), 0);
  EXPECT_EQ(Pence("1,000,000"), 100000000);
  EXPECT_EQ(Pence("007"), 700);
}

TEST(ParsePoundsTest, NegativesOnlyWhereAllowed) {
  EXPECT_EQ(Pence("-1,500", true), -150000);
  EXPECT_EQ(Pence("-£1,500.25", true), -150025);
  EXPECT_EQ(Pence("£-12", true), -1200);
  ExpectContains(Refusal("-1,500"), "\"-1,500\" is negative");
  ExpectContains(Refusal("-£0.01"), "is negative");
}

TEST(ParsePoundsTest, RefusesMoreThanTwoDecimalsAndMalformedNumbers) {
  ExpectContains(Refusal("1.234"), "\"1.234\" has more than two decimal places");
  ExpectContains(Refusal("1.500"), "more than two decimal places");
  ExpectContains(Refusal("1."), "no digits after the decimal point");
  ExpectContains(Refusal("1,00"), "thousands separators group three digits");
  ExpectContains(Refusal("1,0000"), "thousands separators");
  ExpectContains(Refusal(",100"), "thousands separators");
  ExpectContains(Refusal("1000,"), "thousands separators");
  ExpectContains(Refusal("1,000.5.0"), "is not an amount in pounds");
  ExpectContains(Refusal(""), "is not an amount in pounds");
  ExpectContains(Refusal("£"), "is not an amount in pounds");
  ExpectContains(Refusal("12k"), "is not an amount in pounds");
  ExpectContains(Refusal("1 000"), "is not an amount in pounds");
  ExpectContains(Refusal("$5"), "is not an amount in pounds");
  ExpectContains(Refusal("1e6"), "is not an amount in pounds");
  ExpectContains(Refusal("--5", true), "is not an amount in pounds");
  ExpectContains(Refusal("+5"), "is not an amount in pounds");
}

TEST(ParsePoundsTest, RefusesWhatInt64PenceCannotHold) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Pence("92233720368547758.07"), kMax);
  EXPECT_EQ(Pence("92,233,720,368,547,758.07"), kMax);
  EXPECT_EQ(Pence("-92233720368547758.07", true), -kMax);
  ExpectContains(Refusal("92233720368547758.08"),
                 "is more than the largest amount recorded, £92,233,720,368,547,758.07");
  ExpectContains(Refusal("92233720368547759"), "more than the largest amount");
  ExpectContains(Refusal("99999999999999999999999999999"), "more than the largest amount");
  ExpectContains(Refusal("-92233720368547758.08", true), "more than the largest amount");
  // A bad character after an overflowing prefix is named as such.
  ExpectContains(Refusal("99999999999999999999999x"), "is not an amount in pounds");
}

TEST(ParseSharePercentTest, PercentToBasisPoints) {
  EXPECT_EQ(*ParseSharePercent("48.6%"), 4860);
  EXPECT_EQ(*ParseSharePercent("51.4"), 5140);
  EXPECT_EQ(*ParseSharePercent("100%"), 10000);
  EXPECT_EQ(*ParseSharePercent("0%"), 0);
  EXPECT_EQ(*ParseSharePercent("12.25 %"), 1225);
  EXPECT_FALSE(ParseSharePercent("100.01%").has_value());
  EXPECT_FALSE(ParseSharePercent("12.345%").has_value());
  EXPECT_FALSE(ParseSharePercent("-5%").has_value());
  EXPECT_FALSE(ParseSharePercent("half").has_value());
  EXPECT_FALSE(ParseSharePercent("%").has_value());
}

TEST(ParseParticipantTest, AuthorityShareAndRole) {
  auto p = ParseParticipant("North Northamptonshire Council:48.6%");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->authority(), "North Northamptonshire Council");
  ASSERT_TRUE(p->has_share_basis_points());
  EXPECT_EQ(p->share_basis_points(), 4860);
  EXPECT_TRUE(p->role().empty());

  auto bare = ParseParticipant("Rutland County Council");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->authority(), "Rutland County Council");
  EXPECT_FALSE(bare->has_share_basis_points());  // not stated, not 0

  auto role = ParseParticipant("Rutland County Council::funder");
  ASSERT_TRUE(role.has_value());
  EXPECT_FALSE(role->has_share_basis_points());
  EXPECT_EQ(role->role(), "funder");

  auto all = ParseParticipant("Leicester City Council:0%:partner: data only");
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(all->has_share_basis_points());
  EXPECT_EQ(all->share_basis_points(), 0);
  EXPECT_EQ(all->role(), "partner: data only");

  auto no_authority = ParseParticipant(":50%");
  ASSERT_FALSE(no_authority.has_value());
  ExpectContains(no_authority.error().message, "names no authority");
  auto role_as_share = ParseParticipant("Rutland County Council:funder");
  ASSERT_FALSE(role_as_share.has_value());
  ExpectContains(role_as_share.error().message, "AUTHORITY::ROLE");
  EXPECT_FALSE(ParseParticipant("X:150%").has_value());
}

TEST(ParseYesNoTest, YesNoTrueFalse) {
  EXPECT_TRUE(*ParseYesNo("yes"));
  EXPECT_TRUE(*ParseYesNo("TRUE"));
  EXPECT_FALSE(*ParseYesNo("No"));
  EXPECT_FALSE(*ParseYesNo("false"));
  EXPECT_FALSE(ParseYesNo("maybe").has_value());
  EXPECT_FALSE(ParseYesNo("").has_value());
}

}  // namespace
}  // namespace contrack::cli

// The date in England at the summer time changes, around midnight and across years.
#include "domain/england_time.h"

#include <gtest/gtest.h>

namespace contrack::domain {
namespace {

Micros T(const char* rfc3339) { return *ParseRfc3339(rfc3339, "t"); }
std::string EnglandDay(const char* rfc3339) { return FormatDate(EnglandDate(T(rfc3339))); }

TEST(EnglandTimeTest, SummerTimeBeginsAt0100UtcOnTheLastSundayOfMarch) {
  EXPECT_FALSE(IsBritishSummerTime(T("2025-03-30T00:59:59Z")));
  EXPECT_TRUE(IsBritishSummerTime(T("2025-03-30T01:00:00Z")));
  EXPECT_EQ(EnglandDay("2025-03-30T00:59:59Z"), "2025-03-30");
  EXPECT_EQ(EnglandDay("2025-03-29T23:30:00Z"), "2025-03-29");  // still GMT
  EXPECT_EQ(EnglandDay("2025-03-30T23:30:00Z"), "2025-03-31");  // 00:30 BST
  EXPECT_EQ(EnglandDay("2016-03-30T23:30:00Z"), "2016-03-31");  // BST from 27 March 2016
  EXPECT_EQ(EnglandDay("2016-03-26T23:30:00Z"), "2016-03-26");
}

TEST(EnglandTimeTest, SummerTimeEndsAt0100UtcOnTheLastSundayOfOctober) {
  EXPECT_TRUE(IsBritishSummerTime(T("2025-10-26T00:59:59.999999Z")));
  EXPECT_FALSE(IsBritishSummerTime(T("2025-10-26T01:00:00Z")));
  EXPECT_EQ(EnglandDay("2025-10-25T23:30:00Z"), "2025-10-26");  // 00:30 BST
  EXPECT_EQ(EnglandDay("2025-10-26T00:30:00Z"), "2025-10-26");  // 01:30 BST
  EXPECT_EQ(EnglandDay("2025-10-26T23:30:00Z"), "2025-10-26");  // 23:30 GMT
}

TEST(EnglandTimeTest, MidnightInSummerIs2300Utc) {
  EXPECT_EQ(EnglandDay("2025-06-30T22:59:59Z"), "2025-06-30");
  EXPECT_EQ(EnglandDay("2025-06-30T23:00:00Z"), "2025-07-01");
  EXPECT_EQ(EnglandDay("2025-03-30T23:00:00Z"), "2025-03-31");
  EXPECT_EQ(EnglandUtcOffset(T("2025-06-30T23:00:00Z")), Micros{3'600'000'000});
}

TEST(EnglandTimeTest, WinterIsUtc) {
  EXPECT_EQ(EnglandDay("2025-12-31T23:59:59.999999Z"), "2025-12-31");
  EXPECT_EQ(EnglandDay("2026-01-01T00:00:00Z"), "2026-01-01");
  EXPECT_EQ(EnglandDay("2016-03-31T23:30:00+00:00"), "2016-04-01");  // BST: 00:30 on 1 April
  EXPECT_EQ(EnglandDay("1969-12-31T23:30:00Z"), "1969-12-31");       // before the epoch
  EXPECT_EQ(EnglandUtcOffset(T("2025-01-15T12:00:00Z")), Micros{0});
}

TEST(EnglandTimeTest, EveryChangeFrom2000To2040IsOnASundayAt0100Utc) {
  using namespace std::chrono;
  for (int y = 2000; y <= 2040; ++y) {
    for (month m : {March, October}) {
      const Date sunday = sys_days{year_month_weekday_last{year{y}, m, Sunday[last]}};
      const Micros at = sunday.time_since_epoch().count() * 86'400'000'000LL + 3'600'000'000LL;
      EXPECT_NE(IsBritishSummerTime(at - 1), IsBritishSummerTime(at)) << y;
      EXPECT_EQ(IsBritishSummerTime(at), m == March) << y;
    }
  }
}

TEST(EnglandTimeTest, TodayInEnglandIsTheUtcDayOrTheNext) {
  const Date utc = DayOf(NowMicros());
  const Date england = TodayInEngland();
  EXPECT_TRUE(england == utc || england == utc + std::chrono::days{1});
}

}  // namespace
}  // namespace contrack::domain

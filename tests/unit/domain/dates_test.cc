// Calendar arithmetic: real dates only, option periods, RFC 3339, financial years.
#include "domain/dates.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

namespace contrack {
namespace {

Date D(const char* s) { return *ParseDate(s, "d"); }

TEST(DatesTest, RefusesImpossibleAndMalformedDates) {
  for (const char* bad : {"2015-02-30", "2015-13-01", "2015-00-10", "2015-2-3", "2015/02/03",
                          "20150203", "2015-02-03T00:00", "", "2016-02-30", "2015-02-29"}) {
    auto r = ParseDate(bad, "award.start_date");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().name(), "invalid_argument");
    EXPECT_NE(r.error().message.find("award.start_date"), std::string::npos);
  }
  EXPECT_TRUE(ParseDate("2016-02-29", "d").has_value());
  EXPECT_EQ(FormatDate(D("2016-02-29")), "2016-02-29");
}

TEST(DatesTest, FormatDateIsTheInverseOfParseDateOnEveryDayOf400Years) {
  // Checked against the calendar itself, not against a second formatter.
  Date d = D("1900-01-01");
  int checked = 0;
  for (int y = 1900; y < 2300; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      const auto last = std::chrono::year_month_day_last{
          std::chrono::year{y}, std::chrono::month_day_last{std::chrono::month{m}}};
      for (unsigned day = 1; day <= static_cast<unsigned>(last.day()); ++day) {
        char want[11];
        std::snprintf(want, sizeof(want), "%04d-%02u-%02u", y, m, day);
        ASSERT_EQ(FormatDate(d), want);
        ASSERT_EQ(*ParseDate(want, "d"), d) << want;
        d += std::chrono::days{1};
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 146097);  // one 400-year Gregorian cycle
}

TEST(DatesTest, StoredDatesReadBeyondTheInputRangeAndNeverFail) {
  EXPECT_EQ(FormatDate(StoredDate("3000-07-04")), "3000-07-04");
  EXPECT_EQ(FormatDate(StoredDate("2016-02-29")), "2016-02-29");
  EXPECT_FALSE(ParseDate("3000-07-04", "d").has_value());
  EXPECT_EQ(StoredDate(""), Date{});
  EXPECT_EQ(StoredDate("2015-02-30"), Date{});
  EXPECT_EQ(StoredDate("not a date"), Date{});
}

TEST(DatesTest, OptionPeriodsRunFromTheDayAfterTheEnd) {
  // SPEC: 31 Mar 2016 + 6 months = 30 Sep 2016; 30 Sep 2016 + 6 months = 31 Mar 2017.
  EXPECT_EQ(FormatDate(PeriodEnd(D("2016-03-31"), 6)), "2016-09-30");
  EXPECT_EQ(FormatDate(PeriodEnd(D("2016-09-30"), 6)), "2017-03-31");
  EXPECT_EQ(FormatDate(PeriodEnd(D("2024-03-31"), 24)), "2026-03-31");
  EXPECT_EQ(FormatDate(PeriodEnd(D("2015-12-31"), 12)), "2016-12-31");
  // A period starting on 31 January and lasting one month ends on the last day of February.
  EXPECT_EQ(FormatDate(PeriodEnd(D("2016-01-30"), 1)), "2016-02-29");
}

TEST(DatesTest, Rfc3339RoundTripsAndRefusesGarbage) {
  auto t = ParseRfc3339("2015-02-23T16:00:00Z", "recorded_at");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, 1424707200LL * 1000000);
  EXPECT_EQ(FormatRfc3339(*t), "2015-02-23T16:00:00.000000Z");
  auto f = ParseRfc3339("2015-02-23T17:00:00.123456+01:00", "x");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(*f, *t + 123456);
  EXPECT_EQ(*ParseRfc3339(FormatRfc3339(*f), "x"), *f);
  for (const char* bad : {"2015-02-23", "2015-02-23 16:00:00Z", "2015-02-23T25:00:00Z",
                          "2015-02-30T10:00:00Z", "2015-02-23T16:00:00", "2015-02-23T16:00:00Zx"}) {
    EXPECT_FALSE(ParseRfc3339(bad, "x").has_value()) << bad;
  }
  EXPECT_EQ(FormatDate(DayOf(*t)), "2015-02-23");
}

TEST(DatesTest, FinancialYearsAreConsecutive) {
  EXPECT_EQ(*ParseFinancialYear("2017/18", "fy"), 2017);
  EXPECT_EQ(*ParseFinancialYear("1999/00", "fy"), 1999);
  for (const char* bad : {"2017/19", "2017-18", "17/18", "2017/2018", ""}) {
    EXPECT_FALSE(ParseFinancialYear(bad, "fy").has_value()) << bad;
  }
}

}  // namespace
}  // namespace contrack

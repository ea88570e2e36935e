// Bank holidays against the published lists, working-day arithmetic and standstill periods.
#include "domain/working_days.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace contrack::domain {
namespace {

using std::chrono::days;

Date D(const char* s) { return *ParseDate(s, "d"); }

std::vector<std::string> Format(const std::vector<Date>& ds) {
  std::vector<std::string> out;
  for (Date d : ds) out.push_back(FormatDate(d));
  return out;
}

// England and Wales, as published on gov.uk/bank-holidays (2027: as the rules give).
const std::map<int, std::vector<std::string>> kEnglandAndWales = {
    {2015,
     {"2015-01-01", "2015-04-03", "2015-04-06", "2015-05-04", "2015-05-25", "2015-08-31",
      "2015-12-25", "2015-12-28"}},
    {2016,
     {"2016-01-01", "2016-03-25", "2016-03-28", "2016-05-02", "2016-05-30", "2016-08-29",
      "2016-12-26", "2016-12-27"}},
    {2017,
     {"2017-01-02", "2017-04-14", "2017-04-17", "2017-05-01", "2017-05-29", "2017-08-28",
      "2017-12-25", "2017-12-26"}},
    {2018,
     {"2018-01-01", "2018-03-30", "2018-04-02", "2018-05-07", "2018-05-28", "2018-08-27",
      "2018-12-25", "2018-12-26"}},
    {2019,
     {"2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26",
      "2019-12-25", "2019-12-26"}},
    {2020,
     {"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31",
      "2020-12-25", "2020-12-28"}},
    {2021,
     {"2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30",
      "2021-12-27", "2021-12-28"}},
    {2022,
     {"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03",
      "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"}},
    {2023,
     {"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29",
      "2023-08-28", "2023-12-25", "2023-12-26"}},
    {2024,
     {"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26",
      "2024-12-25", "2024-12-26"}},
    {2025,
     {"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
      "2025-12-25", "2025-12-26"}},
    {2026,
     {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
      "2026-12-25", "2026-12-28"}},
    {2027,
     {"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
      "2027-12-27", "2027-12-28"}},
};

TEST(WorkingDaysTest, EnglandAndWalesBankHolidaysAreThePublishedOnesEveryYear) {
  for (const auto& [year, want] : kEnglandAndWales) {
    EXPECT_EQ(Format(BankHolidays(year)), want) << year;
    for (const std::string& s : want) EXPECT_TRUE(IsBankHoliday(D(s.c_str()))) << s;
  }
}

TEST(WorkingDaysTest, NoOtherDayOf2015To2027IsABankHoliday) {
  int holidays = 0;
  for (Date d = D("2015-01-01"); d <= D("2027-12-31"); d += days{1}) {
    if (IsBankHoliday(d)) ++holidays;
  }
  size_t listed = 0;
  for (const auto& [year, want] : kEnglandAndWales) listed += want.size();
  EXPECT_EQ(static_cast<size_t>(holidays), listed);
}

TEST(WorkingDaysTest, OneOffChangesMoveTheRulesDays) {
  EXPECT_FALSE(IsBankHoliday(D("2020-05-04")));  // early May moved to VE Day, 8 May
  EXPECT_FALSE(IsBankHoliday(D("2022-05-30")));  // spring holiday moved to 2 June
  EXPECT_FALSE(IsBankHoliday(D("2012-05-28")));  // spring holiday moved to 4 June
  EXPECT_EQ(Format(BankHolidays(2012)),
            (std::vector<std::string>{"2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07",
                                      "2012-06-04", "2012-06-05", "2012-08-27", "2012-12-25",
                                      "2012-12-26"}));
  EXPECT_EQ(Format(BankHolidays(2011)),
            (std::vector<std::string>{"2011-01-03", "2011-04-22", "2011-04-25", "2011-04-29",
                                      "2011-05-02", "2011-05-30", "2011-08-29", "2011-12-26",
                                      "2011-12-27"}));
}

TEST(WorkingDaysTest, ChristmasAndBoxingDaySubstitutes) {
  // 25 Dec on a Saturday (2021, 2027): Monday 27 and Tuesday 28.
  EXPECT_TRUE(IsBankHoliday(D("2021-12-27")));
  EXPECT_TRUE(IsBankHoliday(D("2021-12-28")));
  // On a Sunday (2016, 2022): Boxing Day Monday 26, Christmas substitute Tuesday 27.
  EXPECT_TRUE(IsBankHoliday(D("2022-12-26")));
  EXPECT_TRUE(IsBankHoliday(D("2022-12-27")));
  EXPECT_FALSE(IsBankHoliday(D("2022-12-28")));
  // 26 Dec on a Saturday (2015, 2020, 2026): Monday 28.
  EXPECT_TRUE(IsBankHoliday(D("2026-12-28")));
  EXPECT_FALSE(IsBankHoliday(D("2026-12-29")));
}

TEST(WorkingDaysTest, EasterSundayByTheComputus) {
  const std::map<int, const char*> known = {
      {1818, "1818-03-22"}, {1943, "1943-04-25"}, {2000, "2000-04-23"}, {2008, "2008-03-23"},
      {2011, "2011-04-24"}, {2019, "2019-04-21"}, {2024, "2024-03-31"}, {2025, "2025-04-20"},
      {2038, "2038-04-25"}, {2285, "2285-03-22"}};
  for (const auto& [year, want] : known) EXPECT_EQ(FormatDate(EasterSunday(year)), want);
}

TEST(WorkingDaysTest, ScotlandAndNorthernIrelandHaveTheirOwnDays) {
  EXPECT_EQ(Format(BankHolidays(2025, Region::kScotland)),
            (std::vector<std::string>{"2025-01-01", "2025-01-02", "2025-04-18", "2025-05-05",
                                      "2025-05-26", "2025-08-04", "2025-12-01", "2025-12-25",
                                      "2025-12-26"}));
  // 1 January on a Saturday: New Year's Day on Monday 3, 2 January on Tuesday 4.
  EXPECT_EQ(Format(BankHolidays(2022, Region::kScotland)),
            (std::vector<std::string>{"2022-01-03", "2022-01-04", "2022-04-15", "2022-05-02",
                                      "2022-06-02", "2022-06-03", "2022-08-01", "2022-09-19",
                                      "2022-11-30", "2022-12-26", "2022-12-27"}));
  // St Andrew's Day on a Saturday: Monday 2 December.
  EXPECT_EQ(Format(BankHolidays(2024, Region::kScotland)),
            (std::vector<std::string>{"2024-01-01", "2024-01-02", "2024-03-29", "2024-05-06",
                                      "2024-05-27", "2024-08-05", "2024-12-02", "2024-12-25",
                                      "2024-12-26"}));
  // 12 July on a Saturday: Monday 14.
  EXPECT_EQ(Format(BankHolidays(2025, Region::kNorthernIreland)),
            (std::vector<std::string>{"2025-01-01", "2025-03-17", "2025-04-18", "2025-04-21",
                                      "2025-05-05", "2025-05-26", "2025-07-14", "2025-08-25",
                                      "2025-12-25", "2025-12-26"}));
  // 17 March on a Sunday: Monday 18.
  EXPECT_EQ(Format(BankHolidays(2024, Region::kNorthernIreland)),
            (std::vector<std::string>{"2024-01-01", "2024-03-18", "2024-03-29", "2024-04-01",
                                      "2024-05-06", "2024-05-27", "2024-07-12", "2024-08-26",
                                      "2024-12-25", "2024-12-26"}));
}

TEST(WorkingDaysTest, IsWorkingDay) {
  EXPECT_TRUE(IsWorkingDay(D("2025-06-13")));   // Friday
  EXPECT_FALSE(IsWorkingDay(D("2025-06-14")));  // Saturday
  EXPECT_FALSE(IsWorkingDay(D("2025-06-15")));  // Sunday
  EXPECT_FALSE(IsWorkingDay(D("2025-04-18")));  // Good Friday
  EXPECT_TRUE(IsWorkingDay(D("2020-05-04")));   // the early May holiday moved away
  EXPECT_TRUE(IsWorkingDay(D("2022-05-30")));
  // Scottish and Northern Irish bank holidays are working days in England and Wales, but not
  // under the Procurement Act.
  for (const char* s : {"2025-01-02", "2025-08-04", "2025-12-01", "2025-03-17", "2025-07-14"}) {
    EXPECT_TRUE(IsWorkingDay(D(s))) << s;
    EXPECT_FALSE(IsWorkingDay(D(s), WorkingDays::kProcurementAct)) << s;
  }
  EXPECT_TRUE(IsWorkingDay(D("2025-06-13"), WorkingDays::kProcurementAct));
  EXPECT_FALSE(IsWorkingDay(D("2025-12-25"), WorkingDays::kProcurementAct));
}

TEST(WorkingDaysTest, AddWorkingDaysSkipsWeekendsEasterAndChristmas) {
  EXPECT_EQ(AddWorkingDays(D("2025-06-13"), 1), D("2025-06-16"));  // Friday -> Monday
  EXPECT_EQ(AddWorkingDays(D("2025-06-13"), 5), D("2025-06-20"));
  EXPECT_EQ(AddWorkingDays(D("2025-06-14"), 1), D("2025-06-16"));  // from a Saturday
  EXPECT_EQ(AddWorkingDays(D("2025-06-14"), 0), D("2025-06-14"));
  // Easter 2025: Good Friday 18, Easter Monday 21 April.
  EXPECT_EQ(AddWorkingDays(D("2025-04-17"), 1), D("2025-04-22"));
  EXPECT_EQ(AddWorkingDays(D("2025-04-22"), -1), D("2025-04-17"));
  EXPECT_EQ(AddWorkingDays(D("2025-04-16"), 3), D("2025-04-23"));
  // Christmas 2021 (Saturday): 27 and 28 December are holidays.
  EXPECT_EQ(AddWorkingDays(D("2021-12-24"), 1), D("2021-12-29"));
  // Christmas 2022 (Sunday) into 2023 (2 January the New Year substitute).
  EXPECT_EQ(AddWorkingDays(D("2022-12-23"), 1), D("2022-12-28"));
  EXPECT_EQ(AddWorkingDays(D("2022-12-23"), 4), D("2023-01-03"));
  EXPECT_EQ(AddWorkingDays(D("2023-01-03"), -4), D("2022-12-23"));
  // Under the Procurement Act 3 January 2023 is also a holiday (Scotland's New Year substitute).
  EXPECT_EQ(AddWorkingDays(D("2022-12-23"), 4, WorkingDays::kProcurementAct), D("2023-01-04"));
}

TEST(WorkingDaysTest, AddWorkingDaysCountsExactlyNWorkingDays) {
  for (WorkingDays rule : {WorkingDays::kEnglandAndWales, WorkingDays::kProcurementAct}) {
    for (Date start = D("2024-12-01"); start < D("2025-01-15"); start += days{1}) {
      for (int n = 1; n <= 30; ++n) {
        const Date end = AddWorkingDays(start, n, rule);
        ASSERT_TRUE(IsWorkingDay(end, rule)) << FormatDate(start) << " + " << n;
        int counted = 0;
        for (Date d = start + days{1}; d <= end; d += days{1}) counted += IsWorkingDay(d, rule);
        ASSERT_EQ(counted, n) << FormatDate(start) << " + " << n;
        if (IsWorkingDay(start, rule)) {
          ASSERT_EQ(AddWorkingDays(end, -n, rule), start);
        }
      }
    }
  }
}

TEST(WorkingDaysTest, StandstillIsEightProcurementActWorkingDaysBeginningWithPublication) {
  // Published on a working day: that day is day 1.
  EXPECT_EQ(StandstillLastDay(D("2025-06-16")), D("2025-06-25"));
  // Published on a Saturday: the next eight working days.
  EXPECT_EQ(StandstillLastDay(D("2025-06-14")), D("2025-06-25"));
  EXPECT_EQ(StandstillLastDay(D("2025-12-18")), D("2025-12-31"));
  // 19 December 2025: 1 January is a holiday everywhere, Friday 2 January in Scotland.
  EXPECT_EQ(StandstillLastDay(D("2025-12-19")), D("2026-01-05"));
  EXPECT_EQ(AddWorkingDays(D("2025-12-18"), kStandstillWorkingDays), D("2026-01-02"));
  EXPECT_EQ(StandstillLastDay(D("2024-12-24")), D("2025-01-08"));
  // Scotland's summer holiday (Monday 4 August 2025) and Northern Ireland's 12 July (Monday 14).
  EXPECT_EQ(StandstillLastDay(D("2025-07-31")), D("2025-08-12"));
  EXPECT_EQ(StandstillLastDay(D("2025-07-10")), D("2025-07-22"));
}

}  // namespace
}  // namespace contrack::domain

// UK bank holidays from their rules and proclamations; working days and standstill periods.
#include "domain/working_days.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <initializer_list>

namespace contrack::domain {
namespace {

using namespace std::chrono;

// A day that one proclamation made a bank holiday, or stopped being one, in every part of the
// UK. A holiday moved from one day to another is two entries. The published lists
// (gov.uk/bank-holidays) are the source; each entry is checked by working_days_test.cc.
struct OneOff {
  year_month_day day;
  bool holiday;  // true: an extra bank holiday; false: the rules' day is not one this year
};

constexpr std::array<OneOff, 11> kOneOffs = {{
    {2011y / April / 29, true},      // the wedding of Prince William and Catherine Middleton
    {2012y / May / 28, false},       // spring bank holiday moved to 4 June...
    {2012y / June / 4, true},        // ...for the Diamond Jubilee,
    {2012y / June / 5, true},        // and the Diamond Jubilee holiday
    {2020y / May / 4, false},        // early May bank holiday moved to 8 May...
    {2020y / May / 8, true},         // ...for the 75th anniversary of VE Day
    {2022y / May / 30, false},       // spring bank holiday moved to 2 June...
    {2022y / June / 2, true},        // ...for the Platinum Jubilee,
    {2022y / June / 3, true},        // and the Platinum Jubilee bank holiday
    {2022y / September / 19, true},  // the State Funeral of Queen Elizabeth II
    {2023y / May / 8, true},         // the coronation of King Charles III
}};

bool IsWeekend(Date d) {
  const weekday w{d};
  return w == Saturday || w == Sunday;
}

Date FirstMonday(year y, month m) { return sys_days{year_month_weekday{y / m / Monday[1]}}; }

Date LastMonday(year y, month m) { return sys_days{year_month_weekday_last{y, m, Monday[last]}}; }

// Adds the fixed-date holidays `fixed` (in date order) to `out`, moving each one on a weekend to
// the first weekday after it that is not already in `out`. The weekday ones go in first, so a
// substitute never takes a day that is a holiday in its own right (Boxing Day on Monday 26).
void AddWithSubstitutes(std::initializer_list<Date> fixed, std::vector<Date>& out) {
  for (Date d : fixed) {
    if (!IsWeekend(d)) out.push_back(d);
  }
  for (Date d : fixed) {
    if (!IsWeekend(d)) continue;
    Date s = d + days{1};
    while (IsWeekend(s) || std::find(out.begin(), out.end(), s) != out.end()) s += days{1};
    out.push_back(s);
  }
}

// The holidays of `region` in `y` by the rules alone, unsorted.
std::vector<Date> RuleHolidays(year y, Region region) {
  const Date easter = EasterSunday(static_cast<int>(y));
  std::vector<Date> out = {
      easter - days{2},     // Good Friday
      FirstMonday(y, May),  // early May bank holiday
      LastMonday(y, May),   // spring bank holiday
  };
  switch (region) {
    case Region::kEnglandAndWales:
      out.push_back(easter + days{1});       // Easter Monday
      out.push_back(LastMonday(y, August));  // summer bank holiday
      AddWithSubstitutes({sys_days{y / January / 1}}, out);
      break;
    case Region::kScotland:
      out.push_back(FirstMonday(y, August));  // summer bank holiday
      AddWithSubstitutes({sys_days{y / January / 1}, sys_days{y / January / 2}}, out);
      AddWithSubstitutes({sys_days{y / November / 30}}, out);  // St Andrew's Day
      break;
    case Region::kNorthernIreland:
      out.push_back(easter + days{1});
      out.push_back(LastMonday(y, August));
      AddWithSubstitutes({sys_days{y / January / 1}}, out);
      AddWithSubstitutes({sys_days{y / March / 17}}, out);  // St Patrick's Day
      AddWithSubstitutes({sys_days{y / July / 12}}, out);   // Battle of the Boyne
      break;
  }
  AddWithSubstitutes({sys_days{y / December / 25}, sys_days{y / December / 26}}, out);
  return out;
}

// The bank holidays of one year, for repeated look-ups while counting working days.
class YearHolidays {
 public:
  explicit YearHolidays(WorkingDays rule) : rule_(rule) {}

  bool Contains(Date d) {
    const int y = static_cast<int>(year_month_day{d}.year());
    if (y != year_) Load(y);
    return std::binary_search(days_.begin(), days_.end(), d);
  }

 private:
  void Load(int y) {
    year_ = y;
    days_ = BankHolidays(y, Region::kEnglandAndWales);
    if (rule_ == WorkingDays::kProcurementAct) {
      // s.123(1) names Christmas Day and Good Friday besides the bank holidays; both are in
      // every region's list already.
      for (Region r : {Region::kScotland, Region::kNorthernIreland}) {
        const std::vector<Date> more = BankHolidays(y, r);
        days_.insert(days_.end(), more.begin(), more.end());
      }
      std::sort(days_.begin(), days_.end());
      days_.erase(std::unique(days_.begin(), days_.end()), days_.end());
    }
  }

  WorkingDays rule_;
  int year_ = 0;  // 0: nothing loaded (year 0 is never asked for: REQUIRES year >= 1)
  std::vector<Date> days_;
};

}  // namespace

Date EasterSunday(int y) {
  assert(y >= 1);
  // Meeus, "Astronomical Algorithms", ch. 8 (the Meeus/Jones/Butcher algorithm).
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month_n = (h + l - 7 * m + 114) / 31;
  const int day_n = (h + l - 7 * m + 114) % 31 + 1;
  return sys_days{year{y} / month{static_cast<unsigned>(month_n)} /
                  day{static_cast<unsigned>(day_n)}};
}

std::vector<Date> BankHolidays(int y, Region region) {
  std::vector<Date> out = RuleHolidays(year{y}, region);
  for (const OneOff& o : kOneOffs) {
    if (static_cast<int>(o.day.year()) != y) continue;
    const Date d{o.day};
    std::erase(out, d);
    if (o.holiday) out.push_back(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool IsBankHoliday(Date d, Region region) {
  const std::vector<Date> all = BankHolidays(static_cast<int>(year_month_day{d}.year()), region);
  return std::binary_search(all.begin(), all.end(), d);
}

bool IsWorkingDay(Date d, WorkingDays rule) {
  YearHolidays holidays(rule);
  return !IsWeekend(d) && !holidays.Contains(d);
}

Date AddWorkingDays(Date d, int n, WorkingDays rule) {
  YearHolidays holidays(rule);
  const days step{n > 0 ? 1 : -1};
  for (int left = n > 0 ? n : -n; left > 0;) {
    d += step;
    if (!IsWeekend(d) && !holidays.Contains(d)) --left;
  }
  return d;
}

Date StandstillLastDay(Date published) {
  // "Beginning with" the publication day: that day counts when it is a working day, which is
  // the nth working day after the day before it.
  return AddWorkingDays(published - days{1}, kStandstillWorkingDays, WorkingDays::kProcurementAct);
}

}  // namespace contrack::domain

// UK civil time by the summer time rule: BST from the last Sunday of March to the last of October.
#include "domain/england_time.h"

namespace contrack::domain {
namespace {

using namespace std::chrono;

constexpr Micros kMicrosPerHour = 3'600'000'000;
constexpr Micros kMicrosPerDay = 24 * kMicrosPerHour;

// 01:00 UTC on the last Sunday of `m` in `y`, when summer time begins (March) or ends (October).
Micros ChangeInstant(year y, month m) {
  const Date last_sunday = sys_days{year_month_weekday_last{y, m, Sunday[last]}};
  return last_sunday.time_since_epoch().count() * kMicrosPerDay + kMicrosPerHour;
}

}  // namespace

bool IsBritishSummerTime(Micros utc_us) {
  // The UTC year is the year in England too whenever summer time could be in force.
  const year y = year_month_day{DayOf(utc_us)}.year();
  return utc_us >= ChangeInstant(y, March) && utc_us < ChangeInstant(y, October);
}

Micros EnglandUtcOffset(Micros utc_us) { return IsBritishSummerTime(utc_us) ? kMicrosPerHour : 0; }

Date EnglandDate(Micros utc_us) { return DayOf(utc_us + EnglandUtcOffset(utc_us)); }

Date TodayInEngland() { return EnglandDate(NowMicros()); }

}  // namespace contrack::domain

// The civil date in England (Europe/London) from a UTC instant, without a time zone database:
// GMT in winter, British Summer Time (UTC+1) in summer. Pure functions, safe for concurrent use
// (TodayInEngland reads the system clock).
//
// "Today" for a contract is the date in England: a contract ending on 31 March has not lapsed at
// 00:30 BST on 31 March, which is 23:30 UTC on 30 March. DayOf (domain/dates.h) gives the UTC
// date; use EnglandDate wherever the date a person in England would name is meant.
#pragma once

#include "domain/dates.h"

namespace contrack::domain {

// True when `utc_us` is in British Summer Time: from 01:00 UTC on the last Sunday of March until
// (not including) 01:00 UTC on the last Sunday of October. This is the period of summer time
// fixed by the Summer Time Order 2002 (SI 2002/262) under the Summer Time Act 1972, the same
// dates the UK has kept since 1996; instants before 1996 get the same rule, which may differ
// from the clocks of the day.
[[nodiscard]] bool IsBritishSummerTime(Micros utc_us);

// UK civil time minus UTC at `utc_us`, in microseconds: 0 (GMT) or 3,600,000,000 (BST).
[[nodiscard]] Micros EnglandUtcOffset(Micros utc_us);

// The calendar date in England at `utc_us`: DayOf(utc_us + EnglandUtcOffset(utc_us)).
// 2025-03-30T23:30:00Z is 00:30 BST on 2025-03-31.
[[nodiscard]] Date EnglandDate(Micros utc_us);

// EnglandDate(NowMicros()): today's date in England.
[[nodiscard]] Date TodayInEngland();

}  // namespace contrack::domain

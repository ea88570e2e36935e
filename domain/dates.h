// Calendar dates ("YYYY-MM-DD"), RFC 3339 instants and UK financial years, on <chrono>.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace contrack {

using Date = std::chrono::sys_days;

// Parses a strict "YYYY-MM-DD" real calendar date (2015-02-30 is refused). `field` names the
// input in the error message.
[[nodiscard]] Result<Date> ParseDate(std::string_view text, std::string_view field);
std::string FormatDate(Date d);
// A date the engine itself wrote: validated on input, or computed (an end reached through
// options may lie beyond the year 2999 that ParseDate accepts). Any "YYYY-MM-DD" with a year of
// 0000-9999; text that is not one reads as 1970-01-01, never undefined behaviour.
Date StoredDate(std::string_view text);

// The last day of a period of `months` months that starts the day after `end`:
// (end + 1 day) + months - 1 day. When the target month is shorter than the start day, the
// period starts from the last day of that month (31 Mar + 6 months -> 30 Sep; 30 Sep -> 31 Mar).
Date PeriodEnd(Date end, int months);

// Microseconds since the Unix epoch, UTC.
using Micros = int64_t;
Micros NowMicros();
// Parses RFC 3339 ("2015-02-23T16:00:00Z", fractional seconds and +hh:mm offsets allowed).
[[nodiscard]] Result<Micros> ParseRfc3339(std::string_view text, std::string_view field);
// Formats as "2015-02-23T16:00:00.000000Z".
std::string FormatRfc3339(Micros t);
// The UTC calendar day containing `t`.
Date DayOf(Micros t);

// Checks a UK financial year label "2017/18" (consecutive years).
[[nodiscard]] Result<int> ParseFinancialYear(std::string_view text, std::string_view field);

}  // namespace contrack

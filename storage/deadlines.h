// What a principal must act on by a date, from the whole store: the alerts (decisions) it may
// read, and its calendar's deadlines (GET /v1/calendar.ics and `contrack calendar`): decisions and
// notices due. Who reads what is decided here, inside the query, for every caller. Safe for
// concurrent use with appends.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "domain/dates.h"
#include "domain/error.h"
#include "domain/principal.h"
#include "proto/contrack.pb.h"
#include "storage/event_log.h"

namespace contrack::storage {

// EventLog::Alerts as `reader` may see it: forbidden when q.authority is one `reader` may not
// read; otherwise the alerts of contracts whose lead authority `reader` may read, or one of whose
// participants it covers (a joint contract's alerts are read by each party's officers).
[[nodiscard]] Result<AlertsResult> ReadableAlerts(const EventLog& log, const Principal& reader,
                                                  const AlertsQuery& q);

// The calendar's window: `months` calendar months (1..kMaxCalendarMonths) of which today's month
// is the first; `authority`, when not empty, a lead or participating authority.
inline constexpr int kMaxCalendarMonths = 120;
inline constexpr int kDefaultCalendarMonths = 12;
struct DeadlinesQuery {
  Date today;
  int months = kDefaultCalendarMonths;
  std::string authority;
};

struct Deadlines {
  Date first_day;  // today
  Date last_day;   // the last day of the months-th calendar month
  // The alerts due by last_day (overdue ones included), less those whose action starts with
  // "publish_" (notices come from `notices`), by deadline, then contract.
  std::vector<v1::Alert> decisions;
  // The notice obligations due or overdue today whose due date is at most last_day, by due date,
  // then contract.
  std::vector<v1::Obligation> notices;
  // The current supplier of each contract in `notices` (an obligation does not carry it).
  std::map<std::string, std::string> suppliers;
};

// The deadlines `reader` may read (ReadableAlerts, storage::Obligations). Errors: invalid_argument
// naming `months` when it is outside 1..kMaxCalendarMonths; forbidden when q.authority is one
// `reader` may not read; the log's read errors.
[[nodiscard]] Result<Deadlines> DeadlinesFor(const EventLog& log, const Principal& reader,
                                             const DeadlinesQuery& q);

}  // namespace contrack::storage

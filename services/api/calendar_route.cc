// GET /v1/calendar.ics: the deadlines a principal may read as an iCalendar feed (docs/api.md,
// "Calendar subscription").
#include <spdlog/spdlog.h>

#include <climits>

#include "domain/england_time.h"
#include "services/api/api.h"
#include "services/api/api_internal.h"
#include "services/api/params.h"
#include "services/views/calendar.h"
#include "storage/deadlines.h"

namespace contrack::api {

Response Api::Calendar(Ctx& c) {
  // A parameter the calendar does not know is refused, not ignored: an officer asking for
  // as_of=... would otherwise subscribe to something else than asked.
  for (const auto& [key, value] : c.query) {
    if (key != "authority" && key != "months" && key != "token") {
      return ErrorResponse(Error{kInvalidArgument, "unknown parameter \"" + key.substr(0, 32) +
                                                       "\"; the calendar takes authority, months "
                                                       "and token"});
    }
  }
  auto months =
      ParseUint(c.query, "months", storage::kDefaultCalendarMonths, storage::kMaxCalendarMonths);
  if (!months) return ErrorResponse(months.error());
  storage::DeadlinesQuery q;
  q.today = domain::TodayInEngland();
  q.months = static_cast<int>(*months);
  if (auto it = c.query.find("authority"); it != c.query.end()) q.authority = it->second;
  // Who may read what is decided inside the query (forbidden authority, each contract).
  auto deadlines = storage::DeadlinesFor(log_, *c.principal, q);
  if (!deadlines) return ErrorResponse(deadlines.error());
  views::CalendarOptions o;
  o.public_url = public_url_;
  o.authority = q.authority;
  o.now = NowMicros();
  auto ics = views::CalendarIcs(deadlines->decisions, deadlines->notices, deadlines->suppliers, o);
  if (!ics) {
    spdlog::error("calendar for {}: {}", c.principal->name, ics.error().ToString());
    return ErrorResponse(ics.error());
  }
  Response r;
  r.content_type = "text/calendar; charset=utf-8";
  r.body = std::move(*ics);
  // Another user's deadlines must not be kept by a shared cache; a client fetches it again.
  r.headers.emplace_back("Cache-Control", "private, no-store");
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"contrack.ics\"");
  return r;
}

}  // namespace contrack::api

// `contrack calendar`: the deadlines calendar (services/views/calendar.h) as an iCalendar file,
// offline on a data directory or remotely (GET /v1/calendar.ics). Each command writes the .ics
// to `out_file` (replaced whole) or, when it is empty, to `out`; errors to `err`; and returns the
// exit status (0 ok, 1 failed).
#pragma once

#include <iosfwd>
#include <string>

#include "storage/deadlines.h"
#include "tools/cli/remote.h"

namespace contrack::cli {

inline constexpr char kDefaultCalendarPublicUrl[] = "http://127.0.0.1:8080";

// The calendar of every contract (the offline operator reads them all), its links to contract
// pages under `public_url` (views::ParsePublicUrl's form).
int CmdCalendar(const storage::EventLog& log, const storage::DeadlinesQuery& q,
                const std::string& public_url, const std::string& out_file, std::ostream& out,
                std::ostream& err);

// The service's calendar for the token's principal; `authority` when not empty.
int RemoteCalendar(Remote& r, const std::string& authority, int months,
                   const std::string& out_file);

// Writes `text` to `path` through a temporary file renamed over it (a reader never sees half a
// calendar), or to `out` when `path` is empty. Returns 0, or 1 after telling `err` why.
int WriteOutput(const std::string& text, const std::string& path, std::ostream& out,
                std::ostream& err);

}  // namespace contrack::cli

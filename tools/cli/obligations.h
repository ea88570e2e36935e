// `contrack obligations`: every contract's notice obligations (met, due, overdue, late), offline
// on a data directory or remotely (GET /v1/obligations), as a table, CSV or proto JSON. Each
// command writes to `out`, errors to `err`, and returns the exit status (0 ok, 1 failed).
#pragma once

#include <iosfwd>
#include <string>

#include "proto/contrack.pb.h"
#include "storage/obligations_query.h"
#include "tools/cli/remote.h"

namespace contrack::cli {

enum class ObligationsFormat { kTable, kCsv, kJson };

// One line per obligation, by due date, with a count line first.
std::string RenderObligations(const v1::ObligationsResponse& r);

// RFC 4180 CSV (CRLF line ends), one row per obligation, with a header row.
std::string ObligationsCsv(const v1::ObligationsResponse& r);

int CmdObligations(const storage::EventLog& log, const storage::ObligationsQuery& q,
                   ObligationsFormat format, std::ostream& out, std::ostream& err);

// as_of (YYYY-MM-DD) and known_at (RFC 3339) are passed on when non-empty.
int RemoteObligations(Remote& r, const std::string& authority, bool overdue,
                      const std::string& as_of, const std::string& known_at,
                      ObligationsFormat format);

}  // namespace contrack::cli

// The notice obligations of every contract a principal may read (GET /v1/obligations and
// `contrack obligations`), from the contracts' own events (domain/obligations.h). Reads the whole
// store; safe for concurrent use with appends (each contract is read at one moment).
#pragma once

#include <optional>
#include <string>

#include "domain/dates.h"
#include "domain/error.h"
#include "domain/principal.h"
#include "proto/contrack.pb.h"
#include "storage/event_log.h"

namespace contrack::storage {

struct ObligationsQuery {
  Date as_of;                        // statuses (due, overdue) are evaluated on this day
  std::optional<Date> effective_by;  // only events effective (notices: published) by this day
  std::optional<Micros> known_at;    // only events recorded by this time
  std::string authority;             // a lead or participating authority; "" for all
  bool overdue_only = false;         // only obligations overdue on as_of
};

// The obligations of the contracts `reader` may read (Principal::MayReadContract on each
// contract's state as bounded by the query), and that `q.authority` takes part in when given,
// ordered by due date, then contract. Errors: forbidden (q.authority is one `reader` may not
// read), and the log's read errors.
[[nodiscard]] Result<v1::ObligationsResponse> Obligations(const EventLog& log,
                                                          const Principal& reader,
                                                          const ObligationsQuery& q);

}  // namespace contrack::storage

// Wire shapes: the proto messages the HTTP API and the CLI answer with, built from what storage
// returns (storage speaks its own types; the shapes clients see belong to this layer). Pure
// functions, safe for concurrent use.
#pragma once

#include "domain/dates.h"
#include "proto/contrack.pb.h"
#include "storage/event_log.h"

namespace contrack::wire {

// An alerts answer to `q`: the alerts by deadline, the window, and how many index entries and
// contract states were read.
v1::AlertsResponse ToAlertsResponse(const storage::AlertsQuery& q, storage::AlertsResult result);

// A verify answer: the chain's report, and the digest's and the views' when they were checked.
v1::VerifyResponse ToVerifyResponse(const storage::VerifyReport& r);

// The history entry an auditor sees for one stored event.
v1::HistoryEntry ToHistoryEntry(const storage::LoggedEvent& e, bool retracted);

}  // namespace contrack::wire

// Human-readable tables and proto JSON for the CLI's output; shared by offline and remote modes.
#pragma once

#include <iosfwd>
#include <set>
#include <string>
#include <vector>

#include "domain/dates.h"
#include "domain/format_text.h"
#include "proto/contrack.pb.h"
#include "storage/event_log.h"

namespace contrack::cli {

// The state as shown on `today`: status lapsed when the end has passed.
v1::ContractState StateOn(v1::ContractState s, Date today);

// A key/value table of one contract's state.
std::string RenderState(const v1::ContractState& s);

// A table of events: sequence, version, type, effective date, recorded time and principal,
// a one-line summary and the hash prefix.
std::string RenderHistory(const std::vector<v1::HistoryEntry>& events);

// Alerts, one line each, in the order given (by deadline).
std::string RenderAlerts(const v1::AlertsResponse& alerts);

// The funding report as a table.
std::string RenderFunding(const v1::FundingReport& report);

// Verify's answer for people (ok line, or the break), as offline and remote mode print it.
// Returns the exit status: 0 when the chain (and the digest, if given) hold.
int RenderVerify(const v1::VerifyResponse& v, std::ostream& out, std::ostream& err);

// One line per contract: id, status, authority, supplier, end, value.
std::string RenderList(const std::vector<v1::ContractState>& states);

}  // namespace contrack::cli

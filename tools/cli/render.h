// Human-readable tables and proto JSON for the CLI's output; shared by offline and remote modes.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/dates.h"
#include "domain/format_text.h"
#include "proto/contrack.pb.h"
#include "storage/event_log.h"
#include "tools/cli/options.h"

namespace contrack::cli {

// The state as shown on `today`: status lapsed when the end has passed.
v1::ContractState StateOn(v1::ContractState s, Date today);

// A key/value table of one contract's state.
std::string RenderState(const v1::ContractState& s);

// A table of events: sequence, version, type, effective date, recorded time and principal,
// a one-line summary and the hash prefix.
std::string RenderHistory(const std::vector<v1::HistoryEntry>& events);

// A one-line summary of an event's payload ("to 2016-09-30, +£364,339.00").
std::string EventSummary(const v1::EventBody& body);

// Alerts, one line each, in the order given (by deadline).
std::string RenderAlerts(const v1::AlertsResponse& alerts);

// The funding report as a table.
std::string RenderFunding(const v1::FundingReport& report);

// Verify's answer for people (ok line, or the break), as offline and remote mode print it.
// Returns the exit status: 0 when the chain (and the digest, if given) hold.
int RenderVerify(const v1::VerifyResponse& v, std::ostream& out, std::ostream& err);

// Alerts, history and the funding report as `output` asks: the table above, proto JSON (one
// pretty-printed document and a newline) or CSV (csv.h).
std::string RenderAlertsAs(const v1::AlertsResponse& alerts, Output output);
std::string RenderHistoryAs(const v1::HistoryResponse& history, Output output);
std::string RenderFundingAs(const v1::FundingReport& report, Output output);

// What an append recorded, one line per event: "recorded ID version V sequence S event E hash H"
// ("already recorded ..." for a replay).
std::string RenderReceipt(const v1::AppendResponse& r);

// A write refused, as offline and remote mode print it: "contrack: refused (CODE): MESSAGE",
// with " (current version N)" for a version conflict, and a newline. CODE is the rule's name for
// a lifecycle rule's refusal ("no_extension_option"), else the error code.
std::string RefusalLine(std::string_view code, std::string_view message,
                        std::optional<uint64_t> current_version);

// One line per contract: id, status, authority, supplier, end, value.
std::string RenderList(const std::vector<v1::ContractState>& states);

}  // namespace contrack::cli

// CSV (RFC 4180) for the CLI's --csv output: alerts, history and the funding report, the same
// offline and remote. Rows end in CRLF; a field holding a comma, quote, CR or LF is quoted with
// its quotes doubled. Money is plain pounds ("1234.56", FormatPoundsPlain); a value the decision
// does not state is an empty cell, never 0. Pure functions; safe for concurrent use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "proto/contrack.pb.h"

namespace contrack::cli {

// One field, quoted when it must be.
std::string CsvField(std::string_view value);

// One record: the fields joined by commas, then CRLF.
std::string CsvRow(const std::vector<std::string>& fields);

// deadline,days_left,action,contract_id,end_date,options_left,value,authority,title,supplier:
// one row per alert, in the order given. value is empty when not stated.
std::string AlertsCsv(const v1::AlertsResponse& alerts);

// sequence,version,type,event_id,effective_date,recorded_at,recorded_by,decision_reference,
// decision_maker,decision_date,amount,end_date,retracted,summary,hash,prev_hash: one row per
// event. amount is the money the event states (award: value; extension: value added;
// variation: value delta; funding: amount), empty when it states none; end_date is the end it
// sets (award, extension, variation) or the termination date.
std::string HistoryCsv(const std::vector<v1::HistoryEntry>& events);

// funder,authority,financial_year,committed,conditional,contracts: one row per report row.
std::string FundingCsv(const v1::FundingReport& report);

}  // namespace contrack::cli

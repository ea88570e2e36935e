// Reports over contract states: the Local Government Transparency Code 2015 contract register
// (CSV) and committed funding by funder, authority and financial year. Pure functions.
#pragma once

#include <span>
#include <string>

#include "proto/contrack.pb.h"

namespace contrack::views {

// The contract register as RFC 4180 CSV (CRLF line ends, fields with commas, quotes or line
// breaks quoted, quotes doubled), one row per awarded contract in the order given. `states`
// carry the status to show (see domain::StatusOn).
std::string RegisterCsv(std::span<const v1::ContractState> states);

// Funding committed in `states`, summed by (funder, authority, financial year), sorted by those;
// amounts conditional on an extension apart.
v1::FundingReport FundingReportOf(std::span<const v1::ContractState> states);

}  // namespace contrack::views

// Reports over contract states: the Local Government Transparency Code 2015 contract register
// (CSV) and committed funding by funder, authority and financial year. Pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "proto/contrack.pb.h"

namespace contrack::views {

// The contract register as RFC 4180 CSV (CRLF line ends, fields with commas, quotes or line
// breaks quoted, quotes doubled), one row per awarded contract in the order given. `states`
// carry the status to show (see domain::StatusOn). A value, SME or VCSE the decision does not
// state is a blank cell, never 0 or "No". With `authority` (a filter on a lead or participating
// authority), a column gives that authority's share of each contract when it is known. The last
// column is the contract's procurement regime (domain/regime.h).
std::string RegisterCsv(std::span<const v1::ContractState> states, std::string_view authority = {});

// The share of `authority` in `s`, in basis points: a participant's stated share, or the lead's
// remainder when every participant's share is stated; nullopt when not known or not a party.
std::optional<int32_t> ShareOf(const v1::ContractState& s, std::string_view authority);

// Funding committed in `states`, summed by (funder, authority, financial year), sorted by those;
// amounts conditional on an extension apart.
v1::FundingReport FundingReportOf(std::span<const v1::ContractState> states);

}  // namespace contrack::views

// The sections of an OCDS release computed from a contract's state (parties, planning budget,
// tender, award, contract) and the small value and text helpers they share. Internal to
// services/views/ocds*.cc; the mapping is documented in docs/ocds.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/dates.h"
#include "proto/contrack.pb.h"

namespace contrack::views::internal {

using Json = nlohmann::ordered_json;

// 72867800 pence -> {"amount": 728678.0, "currency": "GBP"}.
Json Money(int64_t pence);

// Calendar days as OCDS date-times: a period starts at the beginning of its first day
// ("YYYY-MM-DDT00:00:00Z") and ends at the end of its last day ("YYYY-MM-DDT23:59:59Z").
std::string StartOf(const std::string& day);
std::string EndOf(const std::string& day);

// The day `text` (YYYY-MM-DD) names, or nullopt.
std::optional<Date> Day(const std::string& text);

std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// A stable party id from an organisation's name: "org-leeds-city-council".
std::string OrgId(const std::string& name);
// {"id": OrgId(name), "name": name}.
Json OrgRef(const std::string& name);

// The event's type as people read it ("award", "notice published", ...).
std::string EventType(const v1::EventRecord& ev);

// " (decision LCC-DDN-1, Director of Environment & Housing, 2015-02-23)" or "".
std::string DecisionText(const v1::EventBody& body);

bool Awarded(const v1::ContractState& s);

// Parties: the authority (buyer and procuring entity), the joint contract's participants (payer),
// the current supplier, the funders. One entry per organisation name, with every role it holds.
Json Parties(const v1::ContractState& s);

// The waivers of contract procedure rules, one per line; "" when none.
std::string WaiversText(const v1::ContractState& s);

// planning.budget: the funding committed to the contract so far, by funder and financial year.
// `ev` is the funding event the release records (nullptr when restating).
Json Budget(const v1::ContractState& s, const v1::EventRecord* ev);

// tender, awards[0] (`award_ev` the award event, or nullptr) and contracts[0] as the state has
// them.
Json Tender(const v1::ContractState& s);
Json Award(const v1::ContractState& s, const v1::EventRecord* award_ev);
Json Contract(const v1::ContractState& s);

}  // namespace contrack::views::internal

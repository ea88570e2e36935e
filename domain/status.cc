// The status of a contract on a day, its parties, and the events of a bitemporal query.
#include <algorithm>

#include "domain/lifecycle.h"

namespace contrack::domain {
namespace {

// A date validated by ValidateBody or computed by the engine (may lie beyond 2999).
Date D(const std::string& s) { return StoredDate(s); }

// An active contract with an end date: one that can lapse.
bool Live(const v1::ContractState& s) {
  return s.status() == "active" && !s.current_end_date().empty();
}

}  // namespace

std::string StatusOn(const v1::ContractState& s, Date day) {
  if (Live(s) && D(s.current_end_date()) < day) {
    return "lapsed";
  }
  if (s.status() == "terminated" && !s.termination_date().empty() &&
      D(s.termination_date()) >= day) {
    return "terminating";
  }
  return s.status();
}

bool TakesPart(const v1::ContractState& s, std::string_view authority) {
  if (s.authority() == authority) return true;
  return std::any_of(s.participants().begin(), s.participants().end(),
                     [&](const auto& p) { return p.authority() == authority; });
}

std::vector<v1::EventRecord> EventsAsOf(std::span<const v1::EventRecord> events,
                                        std::optional<Date> as_of, std::optional<Micros> known_at) {
  std::vector<v1::EventRecord> out;
  for (const auto& ev : events) {
    if (known_at && ev.recorded_at_us() > *known_at) continue;
    if (as_of && !ev.body().has_correction() && D(ev.effective_date()) > *as_of) continue;
    out.push_back(ev);
  }
  return out;
}

}  // namespace contrack::domain

// One append's decision, as the write path asks for it once per append: the bodies normalised into
// records and folded onto the contract's newest state by the lifecycle rules. Pure: the caller
// loads what the decision needs (the state; every earlier record when a body is a correction)
// and writes what it returns. Safe for concurrent use.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "domain/dates.h"
#include "domain/error.h"
#include "domain/lifecycle.h"
#include "domain/principal.h"
#include "proto/contrack.pb.h"

namespace contrack::domain {

struct AppendInput {
  std::string contract_id;
  const v1::ContractState* state = nullptr;  // the newest state; nullptr: no event yet
  std::span<const v1::EventBody> bodies;     // as the request gives them (ValidateBody passed)
  const Principal* principal = nullptr;      // who appends: recorded_by, and who may retract what
  Micros recorded_at = 0;
  uint64_t first_sequence = 0;  // the first record's sequence (0: not known yet)
  // Every earlier record of the contract, oldest first. REQUIRES: given when a body is a
  // correction; not read otherwise.
  std::span<const v1::EventRecord> prior;
  std::function<std::string()> new_event_id;  // an id for a body that has none
};

struct Decision {
  std::vector<v1::EventRecord> records;  // versions after the state's; sequences from
                                         // first_sequence; prev_hash not set
  v1::ContractState state;               // the contract after them
};

// Returns the records and the state after them, or the first refusal (its message prefixed with
// "events[i]: " when the append holds several events). Retracting an authority_reassignment is
// an admin's act (forbidden otherwise), as appending one is (AuthorizeAppend).
[[nodiscard]] Result<Decision> Decide(const AppendInput& in, const Rules& rules);

}  // namespace contrack::domain

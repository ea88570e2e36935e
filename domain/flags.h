// Compliance flags (docs/rules.md, Flags): the flags a state implies, the flags one event raises,
// and the flag history. Internal to the lifecycle (domain/lifecycle.cc). Pure.
#pragma once

#include <string>
#include <vector>

#include "domain/lifecycle.h"

namespace contrack::domain {

// The flags `ev` raises by itself (they stand until it is retracted); `before` is the state it
// applies to.
std::vector<std::string> EventFlags(const v1::ContractState& before, const v1::EventRecord& ev,
                                    const Rules& rules);

// Recomputes the contract's flags after `ev` and records in flag_history which were raised and
// which cleared by it.
void UpdateFlags(v1::ContractState* s, const v1::EventRecord& ev,
                 const std::vector<std::string>& raised_by_event);

}  // namespace contrack::domain

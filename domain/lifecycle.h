// The contract state machine: validate an event against a contract's state, apply it, compute
// compliance flags. Pure functions, no I/O; safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/dates.h"
#include "domain/error.h"
#include "proto/contrack.pb.h"

namespace contrack::domain {

// Rule names (stable): a refusal is ErrorCode::kRuleRefused with Error::rule set to one of these,
// and Error::name() on the wire (the HTTP API answers them with 422).
inline constexpr const char kFirstEventMustBeAwardOrWaiver[] =
    "first_event_must_be_award_or_waiver";
inline constexpr const char kAuthorityMismatch[] = "authority_mismatch";
inline constexpr const char kAlreadyAwarded[] = "already_awarded";
inline constexpr const char kNotAwarded[] = "not_awarded";
inline constexpr const char kEndBeforeStart[] = "end_before_start";
inline constexpr const char kNoExtensionOption[] = "no_extension_option";
inline constexpr const char kExtensionNotAfterEnd[] = "extension_not_after_end";
inline constexpr const char kExtensionBeyondOption[] = "extension_beyond_option";
inline constexpr const char kBeyondMaxEndDate[] = "beyond_max_end_date";
inline constexpr const char kContractLapsed[] = "contract_lapsed";
inline constexpr const char kContractTerminated[] = "contract_terminated";
inline constexpr const char kTerminationBeforeStart[] = "termination_before_start";
inline constexpr const char kNegativeValue[] = "negative_value";
inline constexpr const char kValueOverflow[] = "value_overflow";
inline constexpr const char kUnknownWaiver[] = "unknown_waiver";
inline constexpr const char kInvalidCorrection[] = "invalid_correction";
inline constexpr const char kCorrectionBreaksRules[] = "correction_breaks_rules";

// Fail(kNoExtensionOption, message): a refusal by the rule named `rule`, one of the names above.
using contrack::Fail;
inline std::unexpected<Error> Fail(const char* rule, std::string message) {
  return std::unexpected<Error>(Error::RuleRefused(rule, std::move(message)));
}

// Compliance flags, in the order a state lists them.
inline constexpr const char kFlagDirectAwardWithoutWaiver[] = "direct_award_without_waiver";
inline constexpr const char kFlagKeyDecisionWithoutRecord[] =
    "key_decision_without_decision_record";
inline constexpr const char kFlagVariationOverDeMinimis[] = "variation_over_de_minimis";
inline constexpr const char kFlagVariationOver50Percent[] = "variation_over_50_percent";
inline constexpr const char kFlagFundingShortfall[] = "funding_shortfall";

struct Rules {
  int64_t key_decision_threshold_pence = 250000'00;  // £250,000
};

// Returns the state after `ev`, or the rule it breaks. `prev` is the contract's state before the
// event (nullptr for a contract with no events). `prior` must hold every earlier event of the
// contract, oldest first, when `ev` is a correction; it is not read otherwise.
// REQUIRES: ev.body() passed ValidateBody and NormalizeBody; ev.version() == prev version + 1.
[[nodiscard]] Result<v1::ContractState> Next(const v1::ContractState* prev,
                                             const v1::EventRecord& ev,
                                             std::span<const v1::EventRecord> prior,
                                             const Rules& rules);

// Folds a contract's whole stream (oldest first), honouring corrections: the events they retract
// are left out. Returns the state or the first rule the stream breaks.
[[nodiscard]] Result<v1::ContractState> Replay(std::span<const v1::EventRecord> events,
                                               const Rules& rules);

// The status to show on `day`: an active contract whose current end is before `day` is lapsed.
std::string StatusOn(const v1::ContractState& s, Date day);

// Alert actions (SPEC, Views and queries: Alerts).
inline constexpr const char kActionExerciseOrDeclineOption[] = "exercise_or_decline_option";
inline constexpr const char kActionReprocure[] = "reprocure";
inline constexpr const char kActionLapsed[] = "lapsed";

// The alerts index entry of a live contract (awarded, not terminated); nullopt for any other.
// lead_days is the notice period while options remain, else the procurement lead time.
std::optional<v1::AlertIndexEntry> AlertEntryFor(const v1::ContractState& s);

// Whether `a` and `b` have the same alerts index entry (both none, or equal), by comparing only
// the fields AlertEntryFor reads: most events leave them alone, and building and encoding the
// entry again for every append cost several per cent of its drafting.
bool SameAlertEntry(const v1::ContractState& a, const v1::ContractState& b);

// The alert `e` raises on `as_of` for a window of `within_days`, or nullopt:
//  - end before as_of: `lapsed` (deadline = end), listed while the end is at most within_days ago;
//  - otherwise the deadline is end - lead_days, `exercise_or_decline_option` while options
//    remain, else `reprocure`; listed when the deadline is at most within_days ahead (overdue
//    deadlines included).
std::optional<v1::Alert> AlertOn(const v1::AlertIndexEntry& e, Date as_of, int within_days);

// Filters a contract's stream for a bitemporal query: events recorded at or before `known_at`,
// and of those the non-corrections effective on or before `as_of` (corrections count from when
// they were recorded, whatever their effective date).
std::vector<v1::EventRecord> EventsAsOf(std::span<const v1::EventRecord> events,
                                        std::optional<Date> as_of, std::optional<Micros> known_at);

}  // namespace contrack::domain

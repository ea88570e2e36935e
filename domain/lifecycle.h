// The contract state machine: validate an event against a contract's state, apply it, compute
// compliance flags. Pure functions, no I/O; safe for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/alerts.h"  // the alert entries, once declared here
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
inline constexpr const char kContractExpired[] = "contract_expired";
inline constexpr const char kExpiryBeforeEnd[] = "expiry_before_end";
inline constexpr const char kNoEndDate[] = "no_end_date";
inline constexpr const char kNoSuchOption[] = "no_such_option";
inline constexpr const char kOptionNotNext[] = "option_not_next";
inline constexpr const char kTerminationAfterEnd[] = "termination_after_end";
inline constexpr const char kBeforeStart[] = "before_start";
inline constexpr const char kTermExtensionWithoutLegalBasis[] =
    "term_extension_without_legal_basis";
inline constexpr const char kParticipantIsLead[] = "participant_is_lead";

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
inline constexpr const char kFlagFundingOutsideTerm[] = "funding_outside_term";
// Raised by one event and kept until that event is retracted:
inline constexpr const char kFlagKeyDecisionNotMarked[] = "key_decision_not_marked";
inline constexpr const char kFlagCallInNotMarked[] = "call_in_not_marked";
inline constexpr const char kFlagRetrospectiveDecision[] = "retrospective_decision";
inline constexpr const char kFlagTermExtendedWithoutOption[] = "term_extended_without_option";

// The thresholds of one authority's constitution.
struct Thresholds {
  int64_t key_decision_pence = 250000'00;  // £250,000
  int64_t call_in_pence = 250000'00;
};

struct Rules {
  int64_t key_decision_threshold_pence = 250000'00;  // the default for every authority
  int64_t call_in_threshold_pence = 250000'00;
  std::map<std::string, Thresholds, std::less<>> authorities;  // overrides by authority name

  Thresholds For(std::string_view authority) const {
    if (auto it = authorities.find(authority); it != authorities.end()) return it->second;
    return {key_decision_threshold_pence, call_in_threshold_pence};
  }
};

// Parses an authorities file (JSON: {"authorities":[{"name":..., "key_decision_threshold_pence":
// ..., "call_in_threshold_pence": ...}]}) into `rules`, whose defaults fill what an entry leaves
// out. The error names the entry that is wrong.
[[nodiscard]] Result<void> LoadAuthorities(std::string_view json, Rules* rules);

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

// The status to show on `day`: an active contract whose current end is before `day` is lapsed;
// a terminated one whose termination date is `day` or later is terminating.
std::string StatusOn(const v1::ContractState& s, Date day);

// True when `authority` is the contract's lead authority or one of its participants.
bool TakesPart(const v1::ContractState& s, std::string_view authority);

// Filters a contract's stream for a bitemporal query: events recorded at or before `known_at`,
// and of those the non-corrections effective on or before `as_of` (corrections count from when
// they were recorded, whatever their effective date).
std::vector<v1::EventRecord> EventsAsOf(std::span<const v1::EventRecord> events,
                                        std::optional<Date> as_of, std::optional<Micros> known_at);

}  // namespace contrack::domain

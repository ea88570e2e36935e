// The notices a contract owes under its procurement regime, as dated obligations: which notice,
// under which provision, created by which event, due when, and whether (and by which
// notice_published event) it was met. Also the variation and notice records the lifecycle keeps
// for them, and the flags they raise. Pure functions, no I/O; safe for concurrent use.
// The rules and their sources: docs/rules.md, "Procurement regime and notice obligations".
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/dates.h"
#include "domain/error.h"
#include "domain/lifecycle.h"
#include "proto/contrack.pb.h"

namespace contrack::domain {

// Flags (ContractState.flags, derived from the state's modifications and notices):
// a pa2023 variation above the change-notice thresholds with no contract_change_notice naming it
// published before its effective date;
inline constexpr const char kFlagModifiedWithoutChangeNotice[] = "modified_without_change_notice";
// a pa2023 contract entered into before the mandatory standstill after its contract award notice
// ended (s.51), or before that notice was published.
inline constexpr const char kFlagEnteredIntoDuringStandstill[] = "entered_into_during_standstill";
// Both, in the order a state lists them (after the lifecycle's own flags).
inline constexpr const char* kObligationFlags[] = {kFlagModifiedWithoutChangeNotice,
                                                   kFlagEnteredIntoDuringStandstill};

// Obligation statuses.
inline constexpr const char kObligationMet[] = "met";          // published by the due date
inline constexpr const char kObligationDue[] = "due";          // not yet published; not late yet
inline constexpr const char kObligationOverdue[] = "overdue";  // not published; due date passed
inline constexpr const char kObligationLate[] = "late";        // published after the due date

// The due date of a notice due "within `days` days" of `d`: d + days (contrack's rule for every
// regime; the Act's "beginning with the day" wording would end a day sooner, see docs/rules.md).
Date LastDayBeginningWith(Date d, int days);

// How the notice rules see the variation `ev`, applied to a contract whose state before it is
// `before`: its value and term change, the cumulative change since the last modification that
// needed a notice, and the notice it needs (pa2023: a contract_change_notice unless below the
// s.75(2) thresholds; pcr2015: a modification_notice when its legal basis is reg. 72(1)(b) or
// (c)).
// REQUIRES: ev.body().has_variation(); `before` is awarded.
v1::ModificationRecord ModificationOf(const v1::ContractState& before, const v1::EventRecord& ev);

// Records the notice_published event `ev` in s->notices.
// REQUIRES: ev.body().has_notice_published() and it passed ValidateBody and NormalizeBody.
void ApplyNotice(v1::ContractState* s, const v1::EventRecord& ev);

// The flags the state's modifications and notices imply (kFlagModifiedWithoutChangeNotice,
// kFlagEnteredIntoDuringStandstill), in that order.
std::vector<std::string> ObligationFlags(const v1::ContractState& s);

// The notice obligations of the contract whose non-retracted stream is summarised by `state`
// (its replay) and whose events are `events`, evaluated on `as_of`: met, late, due or overdue,
// sorted by due date. Empty for a contract not awarded and for the local regime.
// REQUIRES: state == Replay(events).
std::vector<v1::Obligation> ObligationsOf(std::span<const v1::EventRecord> events,
                                          const v1::ContractState& state, Date as_of);

// ObligationsOf for a bitemporal question: the stream's events recorded by `known_at` and, when
// `effective_by` is given, effective (notices: published) on or before it (EventsAsOf), replayed
// and evaluated on `as_of`. Empty when no event qualifies; the replay's error if it fails.
[[nodiscard]] Result<std::vector<v1::Obligation>> ObligationsAt(
    std::span<const v1::EventRecord> events, const Rules& rules, Date as_of,
    std::optional<Date> effective_by, std::optional<Micros> known_at);

}  // namespace contrack::domain

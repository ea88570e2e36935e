// Alerts: the decisions a contract's state makes due, as alerts index entries, and the alert an
// entry raises in a query's window (docs/queries.md, Alerts). Pure functions, no I/O; safe for
// concurrent use.
//
// A contract's entries (AlertEntriesFor), by its stored status:
//   active, with an end date   EXPIRY       lead = notice period while options remain, else the
//                                           procurement lead time
//   active, with a review date REVIEW       lead = notice period
//   terminated                 TERMINATING  the termination date
//   pre_award (a waiver)       WAIVER       the earliest waiver's effective date
//   awarded, any status        NOTICE       one per notice owed and not published
//                                           (domain/obligations.h): its due date
// Each entry is found by one day (AlertDay) and its lead; AlertOn lists an entry exactly when its
// day lies in ListedDays(kind, lead, window), which is what lets the index answer a window by
// reading only the entries it lists.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/dates.h"
#include "proto/contrack.pb.h"

namespace contrack::domain {

// Alert actions (SPEC, Views and queries: Alerts).
inline constexpr const char kActionExerciseOrDeclineOption[] = "exercise_or_decline_option";
inline constexpr const char kActionReprocure[] = "reprocure";
inline constexpr const char kActionLapsed[] = "lapsed";
inline constexpr const char kActionTerminating[] = "terminating";
inline constexpr const char kActionReview[] = "review";
inline constexpr const char kActionWaiverWithoutAward[] = "waiver_without_award";

// How long a waiver may stand without an award before it is an alert (storage Options,
// contrackd and contrack --waiver-award-days).
inline constexpr int kDefaultWaiverAwardDays = 90;

// The window of an alerts query: the alerts due by `last_day`, seen on `as_of`.
struct AlertWindow {
  Date as_of;
  Date last_day;  // as_of + within_days, or the last day of the months-th calendar month
  int waiver_award_days = kDefaultWaiverAwardDays;
};

// The last day of `months` calendar months of which as_of's month is the first: 2016-01-15 and
// 12 months give 2016-12-31. REQUIRES: months >= 1.
Date LastDayOfMonths(Date as_of, int months);

// The entries of a contract's state, in kind order: at most two decision entries (EXPIRY and
// REVIEW, or TERMINATING, or WAIVER), then the NOTICE entries in due date order.
std::vector<v1::AlertIndexEntry> AlertEntriesFor(const v1::ContractState& s);

// Whether `a` and `b` have the same alerts index entries, by comparing only the fields
// AlertEntriesFor reads: most events leave them alone, and building and encoding the entries
// again for every append cost several per cent of its drafting.
bool SameAlertEntries(const v1::ContractState& a, const v1::ContractState& b);

// The day an entry is found by: the end, review, termination or waiver date.
// REQUIRES: e came from AlertEntriesFor.
Date AlertDay(const v1::AlertIndexEntry& e);

// The days [first, last] whose entries of `kind` and `lead_days` AlertOn lists in `w`.
struct DayRange {
  int64_t first;  // days since 1970-01-01
  int64_t last;
};
DayRange ListedDays(v1::AlertIndexEntry::Kind kind, int lead_days, const AlertWindow& w);

// The alert entry `e` raises in `w`, or nullopt:
//  - EXPIRY: end before as_of: `lapsed` (deadline = end), listed until an expiry, a termination
//    or an extension is recorded; otherwise the deadline is end - lead_days,
//    `exercise_or_decline_option` while options remain, else `reprocure`, listed when the
//    deadline is at most last_day (overdue deadlines included);
//  - REVIEW: `review`, deadline = review date - notice period, listed while the review date is
//    not past and the deadline is at most last_day;
//  - TERMINATING: `terminating`, deadline = termination date, listed while it is in
//    [as_of, last_day];
//  - WAIVER: `waiver_without_award`, deadline = waiver date + waiver_award_days, listed when the
//    deadline is at most last_day, until an award is recorded;
//  - NOTICE: the obligation's publish_* action, deadline = its due date, listed when the deadline
//    is at most last_day (overdue ones included) until the notice is published; one owed only
//    once the end date passed (owed_after) is listed only when as_of is after that date.
// days_left = deadline - as_of; month = the deadline's "YYYY-MM".
std::optional<v1::Alert> AlertOn(const v1::AlertIndexEntry& e, const AlertWindow& w);

// True when `authority` is the entry's lead authority or one of its participants.
bool EntryTakesPart(const v1::AlertIndexEntry& e, std::string_view authority);

}  // namespace contrack::domain

// Alerts: a state's alerts index entries and the alert an entry raises in a window.
#include "domain/alerts.h"

#include <algorithm>
#include <limits>

#include "domain/obligations.h"
#include "domain/regime.h"

namespace contrack::domain {
namespace {

using Kind = v1::AlertIndexEntry::Kind;

// No lower bound: the earliest day any key can hold lies above it.
constexpr int64_t kNoFirstDay = std::numeric_limits<int32_t>::min();

int32_t OptionsLeft(const v1::ContractState& s) {
  return s.options_total() - s.options_used() - s.options_declined();
}

int32_t LeadDays(const v1::ContractState& s) {
  return OptionsLeft(s) > 0 ? s.notice_period_days() : s.procurement_lead_days();
}

int64_t DayNumber(Date d) { return d.time_since_epoch().count(); }

// A date an entry holds; nullopt when it is not one (an entry read from a damaged store).
std::optional<Date> ParseDay(const std::string& text) {
  auto d = ParseDate(text, "date");
  if (!d) return std::nullopt;
  return *d;
}

const std::string& DayText(const v1::AlertIndexEntry& e) {
  switch (e.kind()) {
    case v1::AlertIndexEntry::REVIEW:
      return e.review_date();
    case v1::AlertIndexEntry::TERMINATING:
      return e.termination_date();
    case v1::AlertIndexEntry::WAIVER:
      return e.waiver_date();
    case v1::AlertIndexEntry::NOTICE:
      return e.due_date();
    default:
      return e.end_date();
  }
}

v1::AlertIndexEntry Common(const v1::ContractState& s, Kind kind) {
  v1::AlertIndexEntry e;
  e.set_kind(kind);
  e.set_contract_id(s.contract_id());
  e.set_authority(s.authority());
  e.set_title(s.title());
  e.set_supplier(s.supplier().name());
  for (const auto& p : s.participants()) e.add_participants(p.authority());
  if (s.has_current_value_pence()) e.set_value_pence(s.current_value_pence());
  return e;
}

bool SameParticipants(const v1::ContractState& a, const v1::ContractState& b) {
  return std::equal(a.participants().begin(), a.participants().end(), b.participants().begin(),
                    b.participants().end(),
                    [](const auto& x, const auto& y) { return x.authority() == y.authority(); });
}

// A day by which every obligation a state can owe exists: its end date passed, and every
// performance notice due before it.
constexpr Date kEveryObligation{std::chrono::year{9999} / std::chrono::December / 31};

// One NOTICE entry per notice the state owes and has not published, whatever the day: an
// obligation that exists only once the end date has passed is owed after that date.
void AddNoticeEntries(const v1::ContractState& s, std::vector<v1::AlertIndexEntry>* out) {
  if (s.award_event_id().empty()) return;
  for (auto& o : ObligationsOf({}, s, kEveryObligation)) {
    if (!o.discharged_by_event_id().empty()) continue;
    auto& e = out->emplace_back(Common(s, v1::AlertIndexEntry::NOTICE));
    e.set_end_date(s.current_end_date());
    e.set_due_date(std::move(*o.mutable_due_date()));
    e.set_notice_type(std::move(*o.mutable_notice_type()));
    e.set_notice_action(std::move(*o.mutable_action()));
    e.set_created_by_event_id(std::move(*o.mutable_created_by_event_id()));
    e.set_regime(std::move(*o.mutable_regime()));
    e.set_provision(std::move(*o.mutable_provision()));
    if (o.created_by() == "end_date") e.set_owed_after(s.current_end_date());
  }
}

template <typename T, typename Eq>
bool SameList(const google::protobuf::RepeatedPtrField<T>& a,
              const google::protobuf::RepeatedPtrField<T>& b, Eq eq) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), eq);
}

// Every field the notice obligations read (domain/obligations.cc), beyond SameAlertEntries' own.
bool SameNoticeFacts(const v1::ContractState& a, const v1::ContractState& b) {
  if (a.procurement_regime() != b.procurement_regime()) return false;
  if (a.procurement_regime().empty() || a.procurement_regime() == kRegimeLocal) return true;
  return a.award_event_id() == b.award_event_id() &&
         a.entered_into_date() == b.entered_into_date() && a.exemption() == b.exemption() &&
         a.has_above_threshold() == b.has_above_threshold() &&
         a.above_threshold() == b.above_threshold() && a.light_touch() == b.light_touch() &&
         a.kpis() == b.kpis() && a.procedure() == b.procedure() && a.category() == b.category() &&
         a.start_date() == b.start_date() &&
         a.award_max_extent_date() == b.award_max_extent_date() &&
         a.expiry_date() == b.expiry_date() &&
         a.has_whole_life_value_pence() == b.has_whole_life_value_pence() &&
         a.whole_life_value_pence() == b.whole_life_value_pence() &&
         a.has_original_value_pence() == b.has_original_value_pence() &&
         a.original_value_pence() == b.original_value_pence() &&
         SameList(a.modifications(), b.modifications(),
                  [](const auto& x, const auto& y) {
                    return x.event_id() == y.event_id() && x.notice_type() == y.notice_type() &&
                           x.effective_date() == y.effective_date();
                  }) &&
         SameList(a.notices(), b.notices(), [](const auto& x, const auto& y) {
           return x.event_id() == y.event_id() && x.notice_type() == y.notice_type() &&
                  x.published_on() == y.published_on() &&
                  x.discharges_event_id() == y.discharges_event_id();
         });
}

}  // namespace

Date LastDayOfMonths(Date as_of, int months) {
  const std::chrono::year_month_day ymd{as_of};
  const auto ym = std::chrono::year_month{ymd.year(), ymd.month()} +
                  std::chrono::months{std::max(months, 1) - 1};
  return std::chrono::sys_days{ym / std::chrono::last};
}

std::vector<v1::AlertIndexEntry> AlertEntriesFor(const v1::ContractState& s) {
  std::vector<v1::AlertIndexEntry> out;
  if (s.status() == "active") {
    if (!s.current_end_date().empty()) {
      auto& e = out.emplace_back(Common(s, v1::AlertIndexEntry::EXPIRY));
      e.set_end_date(s.current_end_date());
      e.set_options_left(OptionsLeft(s));
      e.set_lead_days(LeadDays(s));
    }
    if (!s.review_date().empty()) {
      auto& e = out.emplace_back(Common(s, v1::AlertIndexEntry::REVIEW));
      e.set_review_date(s.review_date());
      e.set_notice_period_days(s.notice_period_days());
      e.set_lead_days(s.notice_period_days());
      e.set_end_date(s.current_end_date());
      e.set_options_left(OptionsLeft(s));
    }
  } else if (s.status() == "terminated" && !s.termination_date().empty()) {
    auto& e = out.emplace_back(Common(s, v1::AlertIndexEntry::TERMINATING));
    e.set_termination_date(s.termination_date());
    e.set_end_date(s.current_end_date());
  } else if (s.status() == "pre_award" && s.award_event_id().empty() &&
             !s.waiver_effective_date().empty()) {
    auto& e = out.emplace_back(Common(s, v1::AlertIndexEntry::WAIVER));
    e.set_waiver_date(s.waiver_effective_date());
  }
  AddNoticeEntries(s, &out);
  return out;
}

bool SameAlertEntries(const v1::ContractState& a, const v1::ContractState& b) {
  // Every field AlertEntriesFor reads, in its order.
  return a.status() == b.status() && a.current_end_date() == b.current_end_date() &&
         a.review_date() == b.review_date() && a.termination_date() == b.termination_date() &&
         a.award_event_id().empty() == b.award_event_id().empty() &&
         a.waiver_effective_date() == b.waiver_effective_date() &&
         a.contract_id() == b.contract_id() && a.authority() == b.authority() &&
         a.title() == b.title() && a.supplier().name() == b.supplier().name() &&
         SameParticipants(a, b) && a.has_current_value_pence() == b.has_current_value_pence() &&
         a.current_value_pence() == b.current_value_pence() && OptionsLeft(a) == OptionsLeft(b) &&
         LeadDays(a) == LeadDays(b) && a.notice_period_days() == b.notice_period_days() &&
         SameNoticeFacts(a, b);
}

Date AlertDay(const v1::AlertIndexEntry& e) { return ParseDay(DayText(e)).value_or(Date{}); }

DayRange ListedDays(Kind kind, int lead_days, const AlertWindow& w) {
  const int64_t as_of = DayNumber(w.as_of), last = DayNumber(w.last_day);
  switch (kind) {
    case v1::AlertIndexEntry::REVIEW:
      return {as_of, last + lead_days};
    case v1::AlertIndexEntry::TERMINATING:
      return {as_of, last};
    case v1::AlertIndexEntry::WAIVER:
      return {kNoFirstDay, last - w.waiver_award_days};
    case v1::AlertIndexEntry::NOTICE:  // overdue ones listed until the notice is published
      return {kNoFirstDay, last};
    default:  // EXPIRY: lapsed ones (end before as_of) are listed until a decision is recorded
      return {kNoFirstDay, last + lead_days};
  }
}

std::optional<v1::Alert> AlertOn(const v1::AlertIndexEntry& e, const AlertWindow& w) {
  const auto day = ParseDay(DayText(e));
  if (!day) return std::nullopt;
  const DayRange range = ListedDays(e.kind(), e.lead_days(), w);
  if (DayNumber(*day) < range.first || DayNumber(*day) > range.last) return std::nullopt;
  v1::Alert a;
  Date deadline;
  switch (e.kind()) {
    case v1::AlertIndexEntry::REVIEW:
      a.set_action(kActionReview);
      deadline = *day - std::chrono::days{e.lead_days()};
      break;
    case v1::AlertIndexEntry::TERMINATING:
      a.set_action(kActionTerminating);
      deadline = *day;
      break;
    case v1::AlertIndexEntry::WAIVER:
      a.set_action(kActionWaiverWithoutAward);
      deadline = *day + std::chrono::days{w.waiver_award_days};
      break;
    case v1::AlertIndexEntry::NOTICE:
      if (!e.owed_after().empty()) {
        const auto after = ParseDay(e.owed_after());
        if (!after || w.as_of <= *after) return std::nullopt;
      }
      a.set_action(e.notice_action());
      a.set_notice_type(e.notice_type());
      a.set_regime(e.regime());
      a.set_provision(e.provision());
      a.set_created_by_event_id(e.created_by_event_id());
      deadline = *day;
      break;
    default:
      if (*day < w.as_of) {
        a.set_action(kActionLapsed);
        deadline = *day;
      } else {
        a.set_action(e.options_left() > 0 ? kActionExerciseOrDeclineOption : kActionReprocure);
        deadline = *day - std::chrono::days{e.lead_days()};
      }
      break;
  }
  a.set_contract_id(e.contract_id());
  a.set_deadline(FormatDate(deadline));
  a.set_days_left((deadline - w.as_of).count());
  a.set_month(a.deadline().substr(0, 7));
  a.set_end_date(e.end_date());
  a.set_options_left(e.options_left());
  if (e.has_value_pence()) a.set_value_pence(e.value_pence());
  a.set_authority(e.authority());
  a.set_title(e.title());
  a.set_supplier(e.supplier());
  *a.mutable_participants() = e.participants();
  return a;
}

bool EntryTakesPart(const v1::AlertIndexEntry& e, std::string_view authority) {
  if (e.authority() == authority) return true;
  return std::any_of(e.participants().begin(), e.participants().end(),
                     [&](const std::string& p) { return p == authority; });
}

}  // namespace contrack::domain

// Lifecycle rules (SPEC, Lifecycle rules and Compliance flags).
#include "domain/lifecycle.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "domain/format_text.h"
#include "domain/principal.h"

namespace contrack::domain {
namespace {

// Parses a date already validated by ValidateBody.
Date D(const std::string& s) { return *ParseDate(s, "date"); }

Result<int64_t> Add(int64_t a, int64_t b, const std::string& what) {
  int64_t out;
  if (__builtin_add_overflow(a, b, &out)) {
    return Fail(kValueOverflow, what + " overflows a 64-bit pence total");
  }
  return out;
}

std::string Who(const v1::ContractState& s) { return "contract " + s.contract_id(); }

// The end reachable by exercising every remaining option, capped at max_end_date.
std::string MaxExtent(const v1::ContractState& s) {
  if (s.current_end_date().empty()) return "";
  Date end = D(s.current_end_date());
  for (int i = s.options_used(); i < s.options_total(); ++i) {
    end = PeriodEnd(end, s.extension_options(i).months());
  }
  if (!s.max_end_date().empty() && D(s.max_end_date()) < end) end = D(s.max_end_date());
  return FormatDate(end);
}

void ComputeFlags(v1::ContractState* s) {
  s->clear_flags();
  const bool awarded = !s->award_event_id().empty();
  if (awarded && s->procedure() == "direct_award" && s->waivers_size() == 0) {
    s->add_flags(kFlagDirectAwardWithoutWaiver);
  }
  if (s->last_value_event_lacked_reference()) s->add_flags(kFlagKeyDecisionWithoutRecord);
  const int64_t orig = s->original_value_pence();
  const int64_t net = s->variation_net_pence();
  const __int128 abs_net = net < 0 ? -static_cast<__int128>(net) : net;
  const int de_minimis_percent = s->category() == "works" ? 15 : 10;
  if (awarded && net != 0 && abs_net * 100 > static_cast<__int128>(orig) * de_minimis_percent) {
    s->add_flags(kFlagVariationOverDeMinimis);
  }
  if (awarded && net != 0 && abs_net * 2 > static_cast<__int128>(orig)) {
    s->add_flags(kFlagVariationOver50Percent);
  }
  if (awarded && s->funding_size() > 0) {
    __int128 committed = s->funding_committed_pence();
    if (s->options_used() > 0) committed += s->funding_conditional_pence();
    if (committed < s->current_value_pence()) s->add_flags(kFlagFundingShortfall);
  }
}

// Records whether the event that set the contract's value left a key decision unrecorded.
void NoteValueDecision(v1::ContractState* s, const v1::EventBody& body, const Rules& rules) {
  s->set_last_value_decision_reference(body.decision().reference());
  s->set_last_value_event_lacked_reference(s->current_value_pence() >=
                                               rules.key_decision_threshold_pence &&
                                           body.decision().reference().empty());
}

Result<void> RequireLive(const v1::ContractState& s, const std::string& type) {
  if (s.award_event_id().empty()) {
    return Fail(kNotAwarded, "contract " + s.contract_id() + " has no award yet; a " + type +
                                 " needs an awarded contract");
  }
  if (s.status() == "terminated") {
    return Fail(kContractTerminated, "contract " + s.contract_id() + " was terminated on " +
                                         s.termination_date() + "; a " + type +
                                         " is not allowed after termination");
  }
  return {};
}

Result<void> ApplyAward(v1::ContractState* s, const v1::EventBody& body, const Rules& rules) {
  const auto& a = body.award();
  if (!s->award_event_id().empty()) {
    return Fail(kAlreadyAwarded, Who(*s) + " was already awarded by event " + s->award_event_id());
  }
  if (!s->authority().empty() && s->authority() != a.authority()) {
    return Fail(kAuthorityMismatch,
                Who(*s) + " belongs to " + s->authority() + "; the award names " + a.authority());
  }
  if (D(a.end_date()) < D(a.start_date())) {
    return Fail(kEndBeforeStart,
                "award.end_date " + a.end_date() + " is before start_date " + a.start_date());
  }
  if (!a.max_end_date().empty() && D(a.max_end_date()) < D(a.end_date())) {
    return Fail(kEndBeforeStart,
                "award.max_end_date " + a.max_end_date() + " is before end_date " + a.end_date());
  }
  if (!a.waiver_event_id().empty()) {
    const bool found = std::any_of(s->waivers().begin(), s->waivers().end(), [&](const auto& w) {
      return w.event_id() == a.waiver_event_id();
    });
    if (!found) {
      return Fail(kUnknownWaiver, "award.waiver_event_id " + a.waiver_event_id() +
                                      " is not a waiver of " + Who(*s));
    }
  }
  s->set_status("active");
  s->set_authority(a.authority());
  s->set_title(a.title());
  s->set_description(a.description());
  s->set_department(a.department());
  *s->mutable_supplier() = a.supplier();
  s->set_procedure(a.procedure());
  s->set_regime(a.regime());
  s->set_category(a.category().empty() ? "services" : a.category());
  s->set_light_touch(a.light_touch());
  s->set_start_date(a.start_date());
  s->set_original_end_date(a.end_date());
  s->set_current_end_date(a.end_date());
  s->set_max_end_date(a.max_end_date());
  s->set_review_date(a.review_date());
  *s->mutable_extension_options() = a.extension_options();
  s->set_options_total(a.extension_options_size());
  s->set_options_used(0);
  s->set_notice_period_days(a.has_notice_period_days() ? a.notice_period_days() : 90);
  s->set_procurement_lead_days(a.has_procurement_lead_days() ? a.procurement_lead_days() : 270);
  s->set_original_value_pence(a.value_pence());
  s->set_current_value_pence(a.value_pence());
  s->set_annual_value_pence(a.annual_value_pence());
  s->set_vat_not_recoverable_pence(a.vat_not_recoverable_pence());
  s->set_award_event_id(body.event_id());
  if (body.has_decision()) *s->mutable_award_decision() = body.decision();
  NoteValueDecision(s, body, rules);
  return {};
}

Result<void> ApplyExtension(v1::ContractState* s, const v1::EventBody& body, const Rules& rules) {
  if (auto r = RequireLive(*s, "extension"); !r) return r;
  const auto& e = body.extension();
  const Date end = D(s->current_end_date());
  if (s->options_used() >= s->options_total()) {
    return Fail(kNoExtensionOption, Who(*s) + " has used " + std::to_string(s->options_used()) +
                                        " of " + std::to_string(s->options_total()) +
                                        " options; current end " + s->current_end_date());
  }
  if (D(body.effective_date()) > end) {
    return Fail(kContractLapsed, Who(*s) + " ended on " + s->current_end_date() +
                                     "; an extension effective " + body.effective_date() +
                                     " cannot revive a lapsed contract");
  }
  const Date new_end = D(e.new_end_date());
  if (new_end <= end) {
    return Fail(kExtensionNotAfterEnd, "extension.new_end_date " + e.new_end_date() +
                                           " is not after the current end " +
                                           s->current_end_date() + " of " + Who(*s));
  }
  const int months = s->extension_options(s->options_used()).months();
  const Date reach = PeriodEnd(end, months);
  if (new_end > reach) {
    return Fail(kExtensionBeyondOption,
                "extension.new_end_date " + e.new_end_date() + " is beyond " + FormatDate(reach) +
                    ", the reach of option " + std::to_string(s->options_used() + 1) + " (" +
                    std::to_string(months) + " months from " + s->current_end_date() + ") of " +
                    Who(*s));
  }
  if (!s->max_end_date().empty() && new_end > D(s->max_end_date())) {
    return Fail(kBeyondMaxEndDate, "extension.new_end_date " + e.new_end_date() +
                                       " is beyond the maximum end date " + s->max_end_date() +
                                       " of " + Who(*s));
  }
  auto value = Add(s->current_value_pence(), e.value_pence_added(), "contract value");
  if (!value) return std::unexpected(value.error());
  s->set_options_used(s->options_used() + 1);
  s->set_current_end_date(e.new_end_date());
  s->set_current_value_pence(*value);
  NoteValueDecision(s, body, rules);
  return {};
}

Result<void> ApplyVariation(v1::ContractState* s, const v1::EventBody& body, const Rules& rules) {
  if (auto r = RequireLive(*s, "variation"); !r) return r;
  const auto& v = body.variation();
  auto value = Add(s->current_value_pence(), v.value_delta_pence(), "contract value");
  if (!value) return std::unexpected(value.error());
  if (*value < 0) {
    return Fail(kNegativeValue, "variation.value_delta_pence " +
                                    FormatPounds(v.value_delta_pence()) +
                                    " would take the value of " + Who(*s) + " from " +
                                    FormatPounds(s->current_value_pence()) + " below zero");
  }
  auto net = Add(s->variation_net_pence(), v.value_delta_pence(), "net variation");
  if (!net) return std::unexpected(net.error());
  if (!v.new_end_date().empty()) {
    const Date new_end = D(v.new_end_date());
    if (new_end < D(s->start_date())) {
      return Fail(kEndBeforeStart, "variation.new_end_date " + v.new_end_date() +
                                       " is before the start date " + s->start_date() + " of " +
                                       Who(*s));
    }
    if (!s->max_end_date().empty() && new_end > D(s->max_end_date())) {
      return Fail(kBeyondMaxEndDate, "variation.new_end_date " + v.new_end_date() +
                                         " is beyond the maximum end date " + s->max_end_date() +
                                         " of " + Who(*s));
    }
    s->set_current_end_date(v.new_end_date());
  }
  s->set_current_value_pence(*value);
  s->set_variation_net_pence(*net);
  s->set_variation_percent(s->original_value_pence() > 0
                               ? static_cast<double>(*net) * 100.0 /
                                     static_cast<double>(s->original_value_pence())
                               : 0.0);
  if (v.value_delta_pence() != 0) NoteValueDecision(s, body, rules);
  return {};
}

Result<void> ApplyTermination(v1::ContractState* s, const v1::EventBody& body) {
  if (auto r = RequireLive(*s, "termination"); !r) return r;
  const auto& t = body.termination();
  if (D(t.termination_date()) < D(s->start_date())) {
    return Fail(kTerminationBeforeStart, "termination.termination_date " + t.termination_date() +
                                             " is before the start date " + s->start_date() +
                                             " of " + Who(*s));
  }
  s->set_status("terminated");
  s->set_termination_date(t.termination_date());
  s->set_termination_reason(t.reason());
  if (D(t.termination_date()) < D(s->current_end_date())) {
    s->set_current_end_date(t.termination_date());
  }
  return {};
}

Result<void> ApplyWaiver(v1::ContractState* s, const v1::EventBody& body) {
  const auto& w = body.waiver();
  if (s->status() == "terminated") {
    return Fail(kContractTerminated, Who(*s) + " was terminated on " + s->termination_date() +
                                         "; a waiver is not allowed after termination");
  }
  if (s->authority().empty() && w.authority().empty()) {
    return Fail(kInvalidArgument, "waiver.authority is required on a contract's first event");
  }
  if (!s->authority().empty() && !w.authority().empty() && w.authority() != s->authority()) {
    return Fail(kAuthorityMismatch,
                Who(*s) + " belongs to " + s->authority() + "; the waiver names " + w.authority());
  }
  if (s->authority().empty()) s->set_authority(w.authority());
  if (s->status().empty()) s->set_status("pre_award");
  auto* rec = s->add_waivers();
  rec->set_event_id(body.event_id());
  *rec->mutable_rules() = w.rules();
  rec->set_justification(w.justification());
  rec->set_approved_by(w.approved_by());
  rec->set_decision_reference(body.decision().reference());
  return {};
}

Result<void> ApplyFunding(v1::ContractState* s, const v1::EventBody& body) {
  const auto& f = body.funding();
  v1::FundingLine* line = nullptr;
  for (auto& l : *s->mutable_funding()) {
    if (l.funder() == f.funder() && l.financial_year() == f.financial_year()) line = &l;
  }
  if (line == nullptr) {
    line = s->add_funding();
    line->set_funder(f.funder());
    line->set_financial_year(f.financial_year());
  }
  if (f.conditional_on_extension()) {
    auto a = Add(line->conditional_amount_pence(), f.amount_pence(), "conditional funding");
    if (!a) return std::unexpected(a.error());
    auto t = Add(s->funding_conditional_pence(), f.amount_pence(), "conditional funding");
    if (!t) return std::unexpected(t.error());
    line->set_conditional_amount_pence(*a);
    s->set_funding_conditional_pence(*t);
  } else {
    auto a = Add(line->amount_pence(), f.amount_pence(), "funding");
    if (!a) return std::unexpected(a.error());
    auto t = Add(s->funding_committed_pence(), f.amount_pence(), "funding");
    if (!t) return std::unexpected(t.error());
    line->set_amount_pence(*a);
    s->set_funding_committed_pence(*t);
  }
  // Keep the lines in (financial year, funder) order so a state never depends on arrival order.
  std::sort(
      s->mutable_funding()->begin(), s->mutable_funding()->end(), [](const auto& x, const auto& y) {
        return std::tie(x.financial_year(), x.funder()) < std::tie(y.financial_year(), y.funder());
      });
  return {};
}

// Applies one non-correction event to `s` in place.
Result<void> ApplyPayload(v1::ContractState* s, const v1::EventRecord& ev, const Rules& rules) {
  const auto& body = ev.body();
  const bool first = s->status().empty();
  if (first && !body.has_award() && !body.has_waiver()) {
    return Fail(kFirstEventMustBeAwardOrWaiver, "contract " + ev.contract_id() +
                                                    " has no events; its first event must be an "
                                                    "award or a waiver, not a " +
                                                    ev.type());
  }
  if (s->status() == "terminated" && !body.has_funding() && !body.has_authority_reassignment()) {
    return Fail(kContractTerminated, Who(*s) + " was terminated on " + s->termination_date() +
                                         "; only funding and corrections may follow, not a " +
                                         ev.type());
  }
  switch (body.payload_case()) {
    case v1::EventBody::kAward:
      return ApplyAward(s, body, rules);
    case v1::EventBody::kWaiver:
      return ApplyWaiver(s, body);
    case v1::EventBody::kExtension:
      return ApplyExtension(s, body, rules);
    case v1::EventBody::kVariation:
      return ApplyVariation(s, body, rules);
    case v1::EventBody::kNovation:
      if (auto r = RequireLive(*s, "novation"); !r) return r;
      *s->mutable_supplier() = body.novation().supplier();
      return {};
    case v1::EventBody::kTermination:
      return ApplyTermination(s, body);
    case v1::EventBody::kFunding:
      return ApplyFunding(s, body);
    case v1::EventBody::kAuthorityReassignment:
      s->set_authority(body.authority_reassignment().authority());
      return {};
    case v1::EventBody::kCorrection:
    case v1::EventBody::PAYLOAD_NOT_SET:
      break;
  }
  return Fail(kInvalidArgument, "event " + ev.event_id() + " has no payload to apply");
}

void Stamp(v1::ContractState* s, const v1::EventRecord& ev) {
  s->set_contract_id(ev.contract_id());
  s->set_version(ev.version());
  s->set_last_event_id(ev.event_id());
  s->set_last_sequence(ev.sequence());
  s->set_last_effective_date(ev.effective_date());
}

void Finish(v1::ContractState* s) {
  s->set_max_extent_date(MaxExtent(*s));
  ComputeFlags(s);
}

// What an alerts entry is made of (AlertEntryFor), shared with SameAlertEntry and StatusOn.
bool Live(const v1::ContractState& s) {
  return s.status() == "active" && !s.current_end_date().empty();
}
int32_t OptionsLeft(const v1::ContractState& s) { return s.options_total() - s.options_used(); }
int32_t LeadDays(const v1::ContractState& s) {
  return OptionsLeft(s) > 0 ? s.notice_period_days() : s.procurement_lead_days();
}

}  // namespace

Result<v1::ContractState> Replay(std::span<const v1::EventRecord> events, const Rules& rules) {
  std::unordered_set<std::string> retracted;
  for (const auto& ev : events) {
    if (ev.body().has_correction()) retracted.insert(ev.body().correction().corrects_event_id());
  }
  v1::ContractState s;
  // The authority is the one the first event ever appended named, retracted or not: a correction
  // never moves a contract to another authority (only an authority_reassignment does).
  if (!events.empty()) s.set_authority(FirstEventAuthority(events.front().body()));
  for (const auto& ev : events) {
    if (!ev.body().has_correction() && !retracted.contains(ev.event_id())) {
      s.set_contract_id(ev.contract_id());
      if (auto r = ApplyPayload(&s, ev, rules); !r) return std::unexpected(r.error());
    }
    Stamp(&s, ev);
  }
  for (const auto& ev : events) {
    if (ev.body().has_correction()) {
      s.add_retracted_event_ids(ev.body().correction().corrects_event_id());
    }
  }
  Finish(&s);
  return s;
}

Result<v1::ContractState> Next(const v1::ContractState* prev, const v1::EventRecord& ev,
                               std::span<const v1::EventRecord> prior, const Rules& rules) {
  if (!ev.body().has_correction()) {
    v1::ContractState s = prev ? *prev : v1::ContractState{};
    s.set_contract_id(ev.contract_id());
    if (auto r = ApplyPayload(&s, ev, rules); !r) return std::unexpected(r.error());
    Stamp(&s, ev);
    Finish(&s);
    return s;
  }
  const std::string& target = ev.body().correction().corrects_event_id();
  const v1::EventRecord* found = nullptr;
  for (const auto& p : prior) {
    if (p.event_id() == target) found = &p;
  }
  if (found == nullptr) {
    return Fail(kInvalidCorrection, "correction.corrects_event_id " + target +
                                        " is not an event of contract " + ev.contract_id());
  }
  if (found->body().has_correction()) {
    return Fail(kInvalidCorrection, "event " + target +
                                        " is itself a correction; corrections "
                                        "cannot be retracted");
  }
  for (const auto& p : prior) {
    if (p.body().has_correction() && p.body().correction().corrects_event_id() == target) {
      return Fail(kInvalidCorrection, "event " + target + " of contract " + ev.contract_id() +
                                          " was already retracted by " + p.event_id());
    }
  }
  std::vector<v1::EventRecord> all(prior.begin(), prior.end());
  all.push_back(ev);
  auto s = Replay(all, rules);
  if (!s) {
    return Fail(kCorrectionBreaksRules,
                "retracting " + found->type() + " " + target +
                    " leaves a stream that breaks a rule: " + s.error().ToString());
  }
  return s;
}

std::string StatusOn(const v1::ContractState& s, Date day) {
  if (Live(s) && D(s.current_end_date()) < day) {
    return "lapsed";
  }
  return s.status();
}

std::optional<v1::AlertIndexEntry> AlertEntryFor(const v1::ContractState& s) {
  if (!Live(s)) return std::nullopt;
  v1::AlertIndexEntry e;
  e.set_contract_id(s.contract_id());
  e.set_authority(s.authority());
  e.set_title(s.title());
  e.set_supplier(s.supplier().name());
  e.set_end_date(s.current_end_date());
  e.set_options_left(OptionsLeft(s));
  e.set_lead_days(LeadDays(s));
  e.set_value_pence(s.current_value_pence());
  return e;
}

bool SameAlertEntry(const v1::ContractState& a, const v1::ContractState& b) {
  if (Live(a) != Live(b)) return false;
  if (!Live(a)) return true;
  // The fields AlertEntryFor sets, in its order.
  return a.contract_id() == b.contract_id() && a.authority() == b.authority() &&
         a.title() == b.title() && a.supplier().name() == b.supplier().name() &&
         a.current_end_date() == b.current_end_date() && OptionsLeft(a) == OptionsLeft(b) &&
         LeadDays(a) == LeadDays(b) && a.current_value_pence() == b.current_value_pence();
}

std::optional<v1::Alert> AlertOn(const v1::AlertIndexEntry& e, Date as_of, int within_days) {
  const Date end = D(e.end_date());
  const std::chrono::days window{within_days};
  v1::Alert a;
  Date deadline;
  if (end < as_of) {
    if (end < as_of - window) return std::nullopt;
    a.set_action(kActionLapsed);
    deadline = end;
  } else {
    deadline = end - std::chrono::days{e.lead_days()};
    if (deadline > as_of + window) return std::nullopt;
    a.set_action(e.options_left() > 0 ? kActionExerciseOrDeclineOption : kActionReprocure);
  }
  a.set_contract_id(e.contract_id());
  a.set_deadline(FormatDate(deadline));
  a.set_days_left((deadline - as_of).count());
  a.set_end_date(e.end_date());
  a.set_options_left(e.options_left());
  a.set_value_pence(e.value_pence());
  a.set_authority(e.authority());
  a.set_title(e.title());
  a.set_supplier(e.supplier());
  return a;
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

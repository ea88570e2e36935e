// Lifecycle rules (SPEC, Lifecycle rules and Compliance flags).
#include "domain/lifecycle.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "domain/flags.h"
#include "domain/format_text.h"
#include "domain/obligations.h"
#include "domain/principal.h"
#include "domain/regime.h"

namespace contrack::domain {
namespace {

// A date validated by ValidateBody or computed by the engine (may lie beyond 2999).
Date D(const std::string& s) { return StoredDate(s); }

Result<int64_t> Add(int64_t a, int64_t b, const std::string& what) {
  int64_t out;
  if (__builtin_add_overflow(a, b, &out)) {
    return Fail(kValueOverflow, what + " overflows a 64-bit pence total");
  }
  return out;
}

std::string Who(const v1::ContractState& s) { return "contract " + s.contract_id(); }

int32_t OptionsLeft(const v1::ContractState& s) {
  return s.options_total() - s.options_used() - s.options_declined();
}

// The end reachable by exercising every remaining option, capped at max_end_date.
std::string MaxExtent(const v1::ContractState& s) {
  if (s.current_end_date().empty()) return "";
  if (s.status() == "terminated" || s.status() == "expired") return s.current_end_date();
  Date end = D(s.current_end_date());
  for (int i = s.options_used(); i < s.options_used() + OptionsLeft(s); ++i) {
    end = PeriodEnd(end, s.extension_options(i).months());
  }
  if (!s.max_end_date().empty() && D(s.max_end_date()) < end) end = D(s.max_end_date());
  return FormatDate(end);
}

// Records whether the event that set the contract's value left a key decision unrecorded.
void NoteValueDecision(v1::ContractState* s, const v1::EventBody& body, const Rules& rules) {
  s->set_last_value_decision_reference(body.decision().reference());
  s->set_last_value_event_lacked_reference(s->has_current_value_pence() &&
                                           s->current_value_pence() >=
                                               rules.For(s->authority()).key_decision_pence &&
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
  if (s.status() == "expired") {
    return Fail(kContractExpired, "contract " + s.contract_id() + " expired on " + s.expiry_date() +
                                      "; a " + type + " is not allowed after expiry");
  }
  return {};
}

Result<void> CheckParticipants(const v1::ContractState& s,
                               const google::protobuf::RepeatedPtrField<v1::Participant>& list,
                               const std::string& lead, const std::string& field) {
  for (const auto& p : list) {
    if (p.authority() == lead) {
      return Fail(kParticipantIsLead, field + " names " + p.authority() +
                                          ", the lead authority of " + Who(s) +
                                          "; a participant is another authority");
    }
  }
  return {};
}

void DeriveWholeLife(v1::ContractState* s, const v1::Award& a) {
  s->clear_whole_life_value_pence();
  s->clear_whole_life_value_basis();
  if (a.has_whole_life_value_pence()) {
    s->set_whole_life_value_pence(a.whole_life_value_pence());
    s->set_whole_life_value_basis("stated");
    return;
  }
  if (!a.has_value_pence()) return;
  int64_t option_months = 0;
  for (const auto& o : a.extension_options()) option_months += o.months();
  if (option_months == 0) {
    s->set_whole_life_value_pence(a.value_pence());
    s->set_whole_life_value_basis("derived");
    return;
  }
  if (!a.has_annual_value_pence()) return;
  const __int128 total = static_cast<__int128>(a.value_pence()) +
                         static_cast<__int128>(a.annual_value_pence()) * option_months / 12;
  if (total > INT64_MAX) return;
  s->set_whole_life_value_pence(static_cast<int64_t>(total));
  s->set_whole_life_value_basis("derived");
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
  if (!a.end_date().empty() && D(a.end_date()) < D(a.start_date())) {
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
  if (auto r = CheckParticipants(*s, a.participants(), a.authority(), "award.participants"); !r) {
    return r;
  }
  // Funding recorded before the award may only be conditional on an option it now has.
  for (const auto& l : s->funding()) {
    if (l.conditional_on_option() > a.extension_options_size()) {
      return Fail(kNoSuchOption, "funding for " + l.financial_year() + " from " + l.funder() +
                                     " is conditional on option " +
                                     std::to_string(l.conditional_on_option()) +
                                     "; the award gives " +
                                     std::to_string(a.extension_options_size()) + " options");
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
  s->set_options_declined(0);
  s->clear_options();
  for (int i = 0; i < a.extension_options_size(); ++i) {
    auto* o = s->add_options();
    o->set_number(i + 1);
    o->set_months(a.extension_options(i).months());
    o->set_status("available");
  }
  s->set_notice_period_days(a.has_notice_period_days() ? a.notice_period_days() : 90);
  s->set_procurement_lead_days(a.has_procurement_lead_days() ? a.procurement_lead_days() : 270);
  s->clear_original_value_pence();
  s->clear_current_value_pence();
  if (a.has_value_pence()) {
    s->set_original_value_pence(a.value_pence());
    s->set_current_value_pence(a.value_pence());
  }
  s->clear_annual_value_pence();
  if (a.has_annual_value_pence()) s->set_annual_value_pence(a.annual_value_pence());
  s->clear_vat_not_recoverable_pence();
  if (a.has_vat_not_recoverable_pence()) {
    s->set_vat_not_recoverable_pence(a.vat_not_recoverable_pence());
  }
  DeriveWholeLife(s, a);
  if (a.participants_size() > 0 || s->participants_size() == 0) {
    *s->mutable_participants() = a.participants();
  }
  ApplyProcurementTerms(s, body);
  s->set_award_event_id(body.event_id());
  if (body.has_decision()) *s->mutable_award_decision() = body.decision();
  for (auto& w : *s->mutable_waivers()) {
    if (!w.effective_date().empty() && D(w.effective_date()) > D(a.start_date())) {
      w.set_retrospective(true);
    }
  }
  NoteValueDecision(s, body, rules);
  return {};
}

// Moves the funding conditional on option `number` to committed (exercised) or to declined.
Result<void> SettleConditionalFunding(v1::ContractState* s, int number, bool exercised) {
  for (auto& l : *s->mutable_funding()) {
    if (l.conditional_on_option() != number || l.conditional_amount_pence() == 0) continue;
    const int64_t amount = l.conditional_amount_pence();
    if (exercised) {
      auto line = Add(l.amount_pence(), amount, "funding");
      if (!line) return std::unexpected(line.error());
      auto total = Add(s->funding_committed_pence(), amount, "funding");
      if (!total) return std::unexpected(total.error());
      l.set_amount_pence(*line);
      s->set_funding_committed_pence(*total);
    } else {
      auto line = Add(l.declined_amount_pence(), amount, "declined funding");
      if (!line) return std::unexpected(line.error());
      auto total = Add(s->funding_declined_pence(), amount, "declined funding");
      if (!total) return std::unexpected(total.error());
      l.set_declined_amount_pence(*line);
      s->set_funding_declined_pence(*total);
    }
    l.set_conditional_amount_pence(0);
    s->set_funding_conditional_pence(s->funding_conditional_pence() - amount);
  }
  return {};
}

// Declines every option not yet exercised or declined, and the funding conditional on them.
Result<void> DeclineRemainingOptions(v1::ContractState* s, const v1::EventRecord& ev) {
  for (int n = s->options_used() + s->options_declined() + 1; n <= s->options_total(); ++n) {
    if (auto r = SettleConditionalFunding(s, n, false); !r) return r;
    auto* o = s->mutable_options(n - 1);
    o->set_status("declined");
    o->set_event_id(ev.event_id());
    o->set_date(ev.effective_date());
  }
  s->set_options_declined(s->options_total() - s->options_used());
  return {};
}

Result<void> ApplyExtension(v1::ContractState* s, const v1::EventRecord& ev, const Rules& rules) {
  const auto& body = ev.body();
  if (auto r = RequireLive(*s, "extension"); !r) return r;
  const auto& e = body.extension();
  if (s->current_end_date().empty()) {
    return Fail(kNoEndDate, Who(*s) +
                                " is a rolling contract with no end date; it has no "
                                "options to extend");
  }
  const Date end = D(s->current_end_date());
  if (OptionsLeft(*s) <= 0) {
    std::string msg = Who(*s) + " has used " + std::to_string(s->options_used()) + " of " +
                      std::to_string(s->options_total()) + " options";
    if (s->options_declined() > 0) {
      msg += " and declined " + std::to_string(s->options_declined());
    }
    return Fail(kNoExtensionOption, msg + "; current end " + s->current_end_date());
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
  if (s->has_current_value_pence()) {
    auto value = Add(s->current_value_pence(), e.value_pence_added(), "contract value");
    if (!value) return std::unexpected(value.error());
    s->set_current_value_pence(*value);
  }
  const int number = s->options_used() + 1;
  if (auto r = SettleConditionalFunding(s, number, true); !r) return r;
  auto* o = s->mutable_options(number - 1);
  o->set_status("exercised");
  o->set_event_id(ev.event_id());
  o->set_date(ev.effective_date());
  s->set_options_used(number);
  s->set_current_end_date(e.new_end_date());
  NoteValueDecision(s, body, rules);
  return {};
}

Result<void> ApplyOptionDeclined(v1::ContractState* s, const v1::EventRecord& ev) {
  if (auto r = RequireLive(*s, "option_declined"); !r) return r;
  const auto& d = ev.body().option_declined();
  const int next = s->options_used() + s->options_declined() + 1;
  if (OptionsLeft(*s) <= 0) {
    return Fail(kNoExtensionOption,
                Who(*s) + " has no option left to decline (" + std::to_string(s->options_total()) +
                    " options: " + std::to_string(s->options_used()) + " exercised, " +
                    std::to_string(s->options_declined()) + " declined)");
  }
  if (d.option() != 0 && d.option() != next) {
    return Fail(kOptionNotNext, "option_declined.option is " + std::to_string(d.option()) +
                                    "; the next option of " + Who(*s) + " is " +
                                    std::to_string(next) +
                                    " (options run in sequence: declining one declines the "
                                    "rest)");
  }
  // Options run in sequence: the later ones cannot be exercised either.
  return DeclineRemainingOptions(s, ev);
}

Result<void> ApplyExpiry(v1::ContractState* s, const v1::EventRecord& ev) {
  if (auto r = RequireLive(*s, "expiry"); !r) return r;
  if (s->current_end_date().empty()) {
    return Fail(kNoEndDate, Who(*s) +
                                " is a rolling contract with no end date; it ends by "
                                "termination, not expiry");
  }
  if (D(ev.effective_date()) < D(s->current_end_date())) {
    return Fail(kExpiryBeforeEnd, "an expiry effective " + ev.effective_date() + " is before " +
                                      Who(*s) + "'s current end " + s->current_end_date() +
                                      "; record a termination to end it early, or an "
                                      "option_declined to let it end");
  }
  if (auto r = DeclineRemainingOptions(s, ev); !r) return r;
  s->set_status("expired");
  s->set_expiry_date(s->current_end_date());
  return {};
}

Result<void> ApplyVariation(v1::ContractState* s, const v1::EventRecord& ev, const Rules& rules,
                            std::vector<std::string>* raised) {
  const auto& body = ev.body();
  if (auto r = RequireLive(*s, "variation"); !r) return r;
  v1::ModificationRecord modification = ModificationOf(*s, ev);
  const auto& v = body.variation();
  std::optional<int64_t> value;
  if (s->has_current_value_pence()) {
    auto sum = Add(s->current_value_pence(), v.value_delta_pence(), "contract value");
    if (!sum) return std::unexpected(sum.error());
    if (*sum < 0) {
      return Fail(kNegativeValue, "variation.value_delta_pence " +
                                      FormatPounds(v.value_delta_pence()) +
                                      " would take the value of " + Who(*s) + " from " +
                                      FormatPounds(s->current_value_pence()) + " below zero");
    }
    value = *sum;
  }
  auto net = Add(s->variation_net_pence(), v.value_delta_pence(), "net variation");
  if (!net) return std::unexpected(net.error());
  if (!v.new_end_date().empty()) {
    const Date new_end = D(v.new_end_date());
    if (!s->current_end_date().empty() && D(ev.effective_date()) > D(s->current_end_date())) {
      return Fail(kContractLapsed, Who(*s) + " ended on " + s->current_end_date() +
                                       "; a variation effective " + ev.effective_date() +
                                       " cannot move the end of a lapsed contract");
    }
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
    const std::string reach = MaxExtent(*s);
    if (!reach.empty() && new_end > D(reach)) {
      if (v.legal_basis().empty()) {
        return Fail(kTermExtensionWithoutLegalBasis,
                    "variation.new_end_date " + v.new_end_date() + " is beyond " + reach +
                        ", the furthest end the options of " + Who(*s) +
                        " reach; a term extension beyond the options needs "
                        "variation.legal_basis");
      }
      raised->push_back(kFlagTermExtendedWithoutOption);
    }
    s->set_current_end_date(v.new_end_date());
  }
  if (v.has_participants()) {
    if (auto r = CheckParticipants(*s, v.participants().participants(), s->authority(),
                                   "variation.participants");
        !r) {
      return r;
    }
    *s->mutable_participants() = v.participants().participants();
  }
  if (value) s->set_current_value_pence(*value);
  if (s->has_whole_life_value_pence()) {
    auto wl = Add(s->whole_life_value_pence(), v.value_delta_pence(), "whole-life value");
    if (!wl) return std::unexpected(wl.error());
    s->set_whole_life_value_pence(std::max<int64_t>(*wl, 0));
  }
  s->set_variation_net_pence(*net);
  s->set_variation_percent(s->has_original_value_pence() && s->original_value_pence() > 0
                               ? static_cast<double>(*net) * 100.0 /
                                     static_cast<double>(s->original_value_pence())
                               : 0.0);
  if (v.value_delta_pence() != 0) NoteValueDecision(s, body, rules);
  *s->add_modifications() = std::move(modification);
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
  if (!s->current_end_date().empty() && D(t.termination_date()) > D(s->current_end_date())) {
    return Fail(kTerminationAfterEnd,
                "termination.termination_date " + t.termination_date() + " is after " + Who(*s) +
                    "'s current end " + s->current_end_date() +
                    "; a contract that reached its end is closed by an expiry");
  }
  for (int n = s->options_used() + s->options_declined() + 1; n <= s->options_total(); ++n) {
    if (auto r = SettleConditionalFunding(s, n, false); !r) return r;
  }
  s->set_status("terminated");
  s->set_termination_date(t.termination_date());
  s->set_termination_reason(t.reason());
  s->set_current_end_date(t.termination_date());
  return {};
}

Result<void> ApplyWaiver(v1::ContractState* s, const v1::EventBody& body) {
  const auto& w = body.waiver();
  if (s->status() == "terminated" || s->status() == "expired") {
    return Fail(kContractTerminated,
                Who(*s) + " was " + s->status() + " on " +
                    (s->status() == "expired" ? s->expiry_date() : s->termination_date()) +
                    "; a waiver is not allowed after it ended");
  }
  if (s->authority().empty() && w.authority().empty()) {
    return Fail(kInvalidArgument, "waiver.authority is required on a contract's first event");
  }
  if (!s->authority().empty() && !w.authority().empty() && w.authority() != s->authority()) {
    return Fail(kAuthorityMismatch,
                Who(*s) + " belongs to " + s->authority() + "; the waiver names " + w.authority());
  }
  if (s->authority().empty()) s->set_authority(w.authority());
  if (auto r = CheckParticipants(*s, w.participants(), s->authority(), "waiver.participants"); !r) {
    return r;
  }
  if (w.participants_size() > 0) {
    if (!s->award_event_id().empty() || s->waivers_size() > 0) {
      return Fail(kInvalidArgument,
                  "waiver.participants may be set only on the contract's first "
                  "event; a variation changes the participants of " +
                      Who(*s));
    }
    *s->mutable_participants() = w.participants();
  }
  if (s->status().empty()) s->set_status("pre_award");
  if (s->waiver_effective_date().empty()) s->set_waiver_effective_date(body.effective_date());
  auto* rec = s->add_waivers();
  rec->set_event_id(body.event_id());
  *rec->mutable_rules() = w.rules();
  rec->set_justification(w.justification());
  rec->set_approved_by(w.approved_by());
  rec->set_decision_reference(body.decision().reference());
  rec->set_effective_date(body.effective_date());
  rec->set_retrospective(!s->award_event_id().empty());
  return {};
}

Result<void> ApplyFunding(v1::ContractState* s, const v1::EventBody& body) {
  const auto& f = body.funding();
  const int option = f.conditional_on_option() > 0 ? f.conditional_on_option()
                                                   : (f.conditional_on_extension() ? 1 : 0);
  std::string option_status;
  if (option > 0) {
    if (!s->award_event_id().empty() && option > s->options_total()) {
      return Fail(kNoSuchOption, "funding is conditional on option " + std::to_string(option) +
                                     "; " + Who(*s) + " has " + std::to_string(s->options_total()) +
                                     " options");
    }
    if (!s->award_event_id().empty()) option_status = s->options(option - 1).status();
  }
  v1::FundingLine* line = nullptr;
  for (auto& l : *s->mutable_funding()) {
    if (l.funder() == f.funder() && l.financial_year() == f.financial_year() &&
        l.conditional_on_option() == option) {
      line = &l;
    }
  }
  if (line == nullptr) {
    line = s->add_funding();
    line->set_funder(f.funder());
    line->set_financial_year(f.financial_year());
    line->set_conditional_on_option(option);
  }
  auto add = [&](int64_t line_amount, int64_t total, const char* what,
                 void (v1::FundingLine::*set_line)(int64_t),
                 void (v1::ContractState::*set_total)(int64_t)) -> Result<void> {
    auto a = Add(line_amount, f.amount_pence(), what);
    if (!a) return std::unexpected(a.error());
    auto t = Add(total, f.amount_pence(), what);
    if (!t) return std::unexpected(t.error());
    (line->*set_line)(*a);
    (s->*set_total)(*t);
    return {};
  };
  Result<void> r;
  if (option == 0 || option_status == "exercised") {
    r = add(line->amount_pence(), s->funding_committed_pence(), "funding",
            &v1::FundingLine::set_amount_pence, &v1::ContractState::set_funding_committed_pence);
  } else if (option_status == "declined") {
    r = add(line->declined_amount_pence(), s->funding_declined_pence(), "declined funding",
            &v1::FundingLine::set_declined_amount_pence,
            &v1::ContractState::set_funding_declined_pence);
  } else {
    r = add(line->conditional_amount_pence(), s->funding_conditional_pence(), "conditional funding",
            &v1::FundingLine::set_conditional_amount_pence,
            &v1::ContractState::set_funding_conditional_pence);
  }
  if (!r) return r;
  // Keep the lines in (financial year, funder, option) order so a state never depends on
  // arrival order.
  std::sort(s->mutable_funding()->begin(), s->mutable_funding()->end(),
            [](const auto& x, const auto& y) {
              return std::make_tuple(x.financial_year(), x.funder(), x.conditional_on_option()) <
                     std::make_tuple(y.financial_year(), y.funder(), y.conditional_on_option());
            });
  return {};
}

// Events that may be effective before the contract's start: the waiver and award that create it,
// funding (dated by its financial year), an authority reassignment, a termination (whose own
// rule, termination_before_start, names its date) and a published notice (an award notice comes
// before the contract).
bool MayPrecedeStart(const v1::EventBody& body) {
  return body.has_award() || body.has_waiver() || body.has_funding() ||
         body.has_authority_reassignment() || body.has_termination() || body.has_notice_published();
}

// Applies one non-correction event to `s` in place; `raised` collects the flags it raises.
Result<void> ApplyPayload(v1::ContractState* s, const v1::EventRecord& ev, const Rules& rules,
                          std::vector<std::string>* raised) {
  const auto& body = ev.body();
  const bool first = s->status().empty();
  if (first && !body.has_award() && !body.has_waiver()) {
    return Fail(kFirstEventMustBeAwardOrWaiver, "contract " + ev.contract_id() +
                                                    " has no events; its first event must be an "
                                                    "award or a waiver, not a " +
                                                    ev.type());
  }
  const bool closed = s->status() == "terminated" || s->status() == "expired";
  if (closed && !body.has_funding() && !body.has_authority_reassignment() &&
      !body.has_notice_published()) {
    const bool t = s->status() == "terminated";
    return Fail(t ? kContractTerminated : kContractExpired,
                Who(*s) +
                    (t ? " was terminated on " + s->termination_date()
                       : " expired on " + s->expiry_date()) +
                    "; only funding, notices and corrections may follow, not a " + ev.type());
  }
  if (!s->start_date().empty() && !MayPrecedeStart(body) &&
      D(ev.effective_date()) < D(s->start_date())) {
    return Fail(kBeforeStart, "a " + ev.type() + " effective " + ev.effective_date() +
                                  " is before the start date " + s->start_date() + " of " +
                                  Who(*s));
  }
  *raised = EventFlags(*s, ev, rules);
  switch (body.payload_case()) {
    case v1::EventBody::kAward:
      return ApplyAward(s, body, rules);
    case v1::EventBody::kWaiver:
      return ApplyWaiver(s, body);
    case v1::EventBody::kExtension:
      return ApplyExtension(s, ev, rules);
    case v1::EventBody::kOptionDeclined:
      return ApplyOptionDeclined(s, ev);
    case v1::EventBody::kVariation:
      return ApplyVariation(s, ev, rules, raised);
    case v1::EventBody::kNovation:
      if (auto r = RequireLive(*s, "novation"); !r) return r;
      *s->mutable_supplier() = body.novation().supplier();
      return {};
    case v1::EventBody::kTermination:
      return ApplyTermination(s, body);
    case v1::EventBody::kExpiry:
      return ApplyExpiry(s, ev);
    case v1::EventBody::kFunding:
      return ApplyFunding(s, body);
    case v1::EventBody::kAuthorityReassignment:
      s->set_authority(body.authority_reassignment().authority());
      return {};
    case v1::EventBody::kNoticePublished:
      ApplyNotice(s, ev);
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

void Finish(v1::ContractState* s, const v1::EventRecord& ev,
            const std::vector<std::string>& raised) {
  s->set_max_extent_date(MaxExtent(*s));
  UpdateFlags(s, ev, raised);
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
    std::vector<std::string> raised;
    if (!ev.body().has_correction() && !retracted.contains(ev.event_id())) {
      s.set_contract_id(ev.contract_id());
      if (auto r = ApplyPayload(&s, ev, rules, &raised); !r) return std::unexpected(r.error());
    }
    Stamp(&s, ev);
    Finish(&s, ev, raised);
  }
  for (const auto& ev : events) {
    if (ev.body().has_correction()) {
      s.add_retracted_event_ids(ev.body().correction().corrects_event_id());
    }
  }
  return s;
}

Result<v1::ContractState> Next(const v1::ContractState* prev, const v1::EventRecord& ev,
                               std::span<const v1::EventRecord> prior, const Rules& rules) {
  if (!ev.body().has_correction()) {
    v1::ContractState s = prev ? *prev : v1::ContractState{};
    s.set_contract_id(ev.contract_id());
    std::vector<std::string> raised;
    if (auto r = ApplyPayload(&s, ev, rules, &raised); !r) return std::unexpected(r.error());
    Stamp(&s, ev);
    Finish(&s, ev, raised);
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

}  // namespace contrack::domain

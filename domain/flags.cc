// Compliance flags (docs/rules.md, Flags).
#include "domain/flags.h"

#include <algorithm>
#include <optional>

#include "domain/obligations.h"
#include "domain/principal.h"

namespace contrack::domain {
namespace {

// A date validated by ValidateBody or computed by the engine (may lie beyond 2999).
Date D(const std::string& s) { return StoredDate(s); }

// The flags a state implies, whatever event led to it.
std::vector<std::string> DerivedFlags(const v1::ContractState& s) {
  std::vector<std::string> out;
  const bool awarded = !s.award_event_id().empty();
  if (awarded && s.procedure() == "direct_award" && s.waivers_size() == 0) {
    out.push_back(kFlagDirectAwardWithoutWaiver);
  }
  if (s.last_value_event_lacked_reference()) out.push_back(kFlagKeyDecisionWithoutRecord);
  const int64_t net = s.variation_net_pence();
  if (awarded && net != 0 && s.has_original_value_pence()) {
    const int64_t orig = s.original_value_pence();
    const __int128 abs_net = net < 0 ? -static_cast<__int128>(net) : net;
    const int de_minimis_percent = s.category() == "works" ? 15 : 10;
    if (abs_net * 100 > static_cast<__int128>(orig) * de_minimis_percent) {
      out.push_back(kFlagVariationOverDeMinimis);
    }
    if (abs_net * 2 > static_cast<__int128>(orig)) out.push_back(kFlagVariationOver50Percent);
  }
  for (auto& f : ObligationFlags(s)) out.push_back(std::move(f));
  if (awarded && s.funding_size() > 0 && s.has_current_value_pence() &&
      s.funding_committed_pence() < s.current_value_pence()) {
    out.push_back(kFlagFundingShortfall);
  }
  if (awarded && !s.start_date().empty()) {
    // A financial year "2017/18" runs 1 April 2017 to 31 March 2018; funding counts against
    // the term it could pay for: start to the furthest reachable end (none when rolling).
    const Date start = D(s.start_date());
    const std::string reach = s.max_extent_date();
    for (const auto& l : s.funding()) {
      if (l.amount_pence() == 0 && l.conditional_amount_pence() == 0) continue;
      const int y = std::stoi(l.financial_year().substr(0, 4));
      const Date fy_start = std::chrono::year{y} / std::chrono::April / 1;
      const Date fy_end = std::chrono::year{y + 1} / std::chrono::March / 31;
      if (fy_end < start || (!reach.empty() && fy_start > D(reach))) {
        out.push_back(kFlagFundingOutsideTerm);
        break;
      }
    }
  }
  return out;
}

bool IsEventFlag(const std::string& f) {
  return f == kFlagKeyDecisionNotMarked || f == kFlagCallInNotMarked ||
         f == kFlagRetrospectiveDecision || f == kFlagTermExtendedWithoutOption;
}

}  // namespace

std::vector<std::string> EventFlags(const v1::ContractState& before, const v1::EventRecord& ev,
                                    const Rules& rules) {
  std::vector<std::string> out;
  const auto& body = ev.body();
  const auto& d = body.decision();
  if (body.has_decision() && !d.date().empty() && !body.has_waiver() &&
      D(d.date()) > D(ev.effective_date())) {
    out.push_back(kFlagRetrospectiveDecision);
  }
  // The amount the decision commits: the award's value (or its whole-life value when only that
  // is stated), an extension's added value, a variation's change either way.
  std::optional<int64_t> amount;
  if (body.has_award()) {
    if (body.award().has_value_pence()) {
      amount = body.award().value_pence();
    } else if (body.award().has_whole_life_value_pence()) {
      amount = body.award().whole_life_value_pence();
    }
  } else if (body.has_extension()) {
    amount = body.extension().value_pence_added();
  } else if (body.has_variation()) {
    const int64_t v = body.variation().value_delta_pence();
    amount = v == INT64_MIN ? INT64_MAX : (v < 0 ? -v : v);
  }
  if (amount && body.has_decision() && !d.reference().empty()) {
    // The contract's authority; on its first event, the one the event names.
    const Thresholds t =
        rules.For(before.authority().empty() ? FirstEventAuthority(body) : before.authority());
    // Only a record that says "not a key decision" (or "not open to call-in") is flagged; one
    // that does not say either way is not.
    if (*amount >= t.key_decision_pence && d.has_key_decision() && !d.key_decision()) {
      out.push_back(kFlagKeyDecisionNotMarked);
    }
    if (*amount >= t.call_in_pence && d.has_call_in_eligible() && !d.call_in_eligible()) {
      out.push_back(kFlagCallInNotMarked);
    }
  }
  return out;
}

void UpdateFlags(v1::ContractState* s, const v1::EventRecord& ev,
                 const std::vector<std::string>& raised_by_event) {
  std::vector<std::string> now = DerivedFlags(*s);
  for (const auto& r : s->flag_history()) {
    if (r.cleared_by_event_id().empty() && IsEventFlag(r.flag())) now.push_back(r.flag());
  }
  for (const auto& f : raised_by_event) now.push_back(f);
  static const char* const kOrder[] = {
      kFlagDirectAwardWithoutWaiver,  kFlagKeyDecisionWithoutRecord, kFlagKeyDecisionNotMarked,
      kFlagCallInNotMarked,           kFlagVariationOverDeMinimis,   kFlagVariationOver50Percent,
      kFlagTermExtendedWithoutOption, kFlagRetrospectiveDecision,    kFlagFundingShortfall,
      kFlagFundingOutsideTerm};
  std::vector<std::string> ordered;
  for (const char* f : kOrder) {
    if (std::find(now.begin(), now.end(), f) != now.end()) ordered.push_back(f);
  }
  for (const char* f : kObligationFlags) {
    if (std::find(now.begin(), now.end(), f) != now.end()) ordered.push_back(f);
  }
  // History: an event flag raised again by a later event opens a second record.
  for (auto& r : *s->mutable_flag_history()) {
    if (!r.cleared_by_event_id().empty()) continue;
    if (std::find(ordered.begin(), ordered.end(), r.flag()) == ordered.end()) {
      r.set_cleared_by_event_id(ev.event_id());
      r.set_cleared_on(ev.effective_date());
    }
  }
  for (const auto& f : ordered) {
    const bool by_event =
        std::find(raised_by_event.begin(), raised_by_event.end(), f) != raised_by_event.end();
    const bool open = std::any_of(
        s->flag_history().begin(), s->flag_history().end(),
        [&](const auto& r) { return r.flag() == f && r.cleared_by_event_id().empty(); });
    if (!open || (by_event && IsEventFlag(f))) {
      if (open) continue;  // an event flag already standing: keep its first raising
      auto* r = s->add_flag_history();
      r->set_flag(f);
      r->set_raised_by_event_id(ev.event_id());
      r->set_raised_on(ev.effective_date());
    }
  }
  s->clear_flags();
  for (auto& f : ordered) s->add_flags(std::move(f));
}

}  // namespace contrack::domain

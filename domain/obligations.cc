// Notice obligations (docs/rules.md, "Procurement regime and notice obligations").
#include "domain/obligations.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "domain/regime.h"
#include "domain/working_days.h"

namespace contrack::domain {
namespace {

using std::chrono::days;

Date D(const std::string& s) { return StoredDate(s); }

constexpr int64_t kFiveMillionPence = 5000000'00;
constexpr int64_t kContractsFinderPence = 25000'00;  // sub-central authorities (reg. 112)

// The Procurement Act's notice duties apply: a pa2023 contract not exempted and not known to be
// below the threshold.
bool PaDuties(const v1::ContractState& s) {
  return s.procurement_regime() == kRegimePa2023 && s.exemption().empty() &&
         !(s.has_above_threshold() && !s.above_threshold());
}

// PCR 2015 governs the award: a pcr2015 contract whose procurement began when the Regulations
// were in force (reg. 118(1); a stated regime carries no start date and is taken as said).
bool PcrInForce(const v1::ContractState& s) {
  return s.procurement_regime() == kRegimePcr2015 &&
         (s.procurement_started_on().empty() || D(s.procurement_started_on()) >= kPcr2015InForce);
}

// A pcr2015 contract not known to be below the threshold: its modifications fall under reg. 72
// whenever it was procured (reg. 118(5A)-(5D) bring contracts entered into before 26 February 2015
// under it).
bool PcrModificationDuties(const v1::ContractState& s) {
  return s.procurement_regime() == kRegimePcr2015 &&
         !(s.has_above_threshold() && !s.above_threshold());
}

// PCR 2015 Part 2's award notice duties apply: procured under it, not known to be below the
// threshold.
bool PcrDuties(const v1::ContractState& s) { return PcrInForce(s) && PcrModificationDuties(s); }

std::string Percent(__int128 part, __int128 whole) {
  if (whole <= 0) return "?";
  const __int128 tenths = part * 1000 / whole;
  return std::to_string(static_cast<int64_t>(tenths / 10)) + "." +
         std::to_string(static_cast<int64_t>(tenths % 10)) + "%";
}

// Whether the legal basis text names PCR 2015 reg. 72(1)(b) or (c).
bool NamesReg72bc(const std::string& basis) {
  std::string t;
  for (char c : basis) {
    if (c != ' ') t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return t.find("72(1)(b)") != std::string::npos || t.find("72(1)(c)") != std::string::npos;
}

const char* ActionFor(const std::string& type) {
  if (type == kNoticeContractAward || type == kNoticePsrAward) return "publish_award_notice";
  if (type == kNoticeContractDetails) return "publish_contract_details_notice";
  if (type == kNoticeContractCopy) return "publish_contract_copy";
  if (type == kNoticeContractChange) return "publish_change_notice";
  if (type == kNoticeContractPerformance) return "publish_performance_notice";
  if (type == kNoticeContractTermination) return "publish_termination_notice";
  if (type == kNoticeModification) return "publish_modification_notice";
  if (type == kNoticeContractsFinderAward) return "publish_contracts_finder_award";
  if (type == kNoticePsrIntention) return "publish_intention_notice";
  return "";
}

// An obligation under construction.
struct Draft {
  v1::Obligation o;
  Date due;
};

class Builder {
 public:
  explicit Builder(const v1::ContractState& s) : s_(s) {}

  Draft& Add(const char* type, std::string provision, const std::string& created_by_event_id,
             std::string created_by, Date due, bool unverified, std::string note = "") {
    Draft d;
    d.o.set_contract_id(s_.contract_id());
    d.o.set_authority(s_.authority());
    d.o.set_title(s_.title());
    d.o.set_regime(s_.procurement_regime());
    d.o.set_notice_type(type);
    d.o.set_provision(std::move(provision));
    d.o.set_created_by_event_id(created_by_event_id);
    d.o.set_created_by(std::move(created_by));
    d.o.set_due_date(FormatDate(due));
    d.o.set_unverified(unverified);
    d.o.set_note(std::move(note));
    d.o.set_action(ActionFor(type));
    d.due = due;
    drafts_.push_back(std::move(d));
    return drafts_.back();
  }

  std::vector<Draft>& drafts() { return drafts_; }

 private:
  const v1::ContractState& s_;
  std::vector<Draft> drafts_;
};

// The contract's end, if it has ended (or a termination or expiry is recorded): the day, the
// event that ended it ("" when its end date passed with nothing recorded) and how.
struct End {
  Date day;
  std::string event_id;
  std::string how;  // termination, expiry, end_date
};

std::optional<End> EndOf(std::span<const v1::EventRecord> events, const v1::ContractState& s,
                         Date as_of) {
  const std::set<std::string> retracted(s.retracted_event_ids().begin(),
                                        s.retracted_event_ids().end());
  auto last_of = [&](bool (v1::EventBody::*has)() const) {
    std::string id;
    for (const auto& ev : events) {
      if ((ev.body().*has)() && !retracted.contains(ev.event_id())) id = ev.event_id();
    }
    return id;
  };
  if (s.status() == "terminated") {
    return End{D(s.termination_date()), last_of(&v1::EventBody::has_termination), "termination"};
  }
  if (s.status() == "expired") {
    return End{D(s.expiry_date()), last_of(&v1::EventBody::has_expiry), "expiry"};
  }
  if (s.status() == "active" && !s.current_end_date().empty() && D(s.current_end_date()) < as_of) {
    return End{D(s.current_end_date()), "", "end_date"};
  }
  return std::nullopt;
}

void AddPa2023(Builder& b, const v1::ContractState& s, const std::optional<End>& end, Date as_of) {
  const Date entered = D(s.entered_into_date());
  const std::string& award = s.award_event_id();
  const bool lt = s.light_touch();
  if (lt) {
    b.Add(kNoticeContractAward, "PA 2023 s.50(1)", award, "award", entered, false,
          "before the contract is entered into on " + s.entered_into_date() +
              " (light touch: no mandatory standstill, s.51(3))");
  } else {
    b.Add(kNoticeContractAward, "PA 2023 s.50(1), s.51", award, "award",
          AddWorkingDays(entered, -kStandstillWorkingDays, WorkingDays::kProcurementAct), false,
          "the 8-working-day standstill (s.51(2)) must end before the contract is entered into "
          "on " +
              s.entered_into_date());
  }
  b.Add(kNoticeContractDetails, "PA 2023 s.53(1)", award, "award",
        LastDayBeginningWith(entered, lt ? 120 : 30), true,
        std::string(lt ? "120" : "30") +
            " days beginning with the day the contract was entered "
            "into (" +
            s.entered_into_date() + ")");
  const auto value = EstimatedValue(s);
  if (value && *value > kFiveMillionPence) {
    b.Add(kNoticeContractCopy, "PA 2023 s.53(3), s.94", award, "award",
          LastDayBeginningWith(entered, lt ? 180 : 90), true,
          "a copy of the contract (over £5m); the period is unverified");
  }
  if (!lt) {
    for (const auto& m : s.modifications()) {
      if (m.notice_type() != kNoticeContractChange) continue;
      b.Add(kNoticeContractChange, "PA 2023 s.75(1)", m.event_id(), "variation",
            D(m.effective_date()) - days{1}, false,
            "before the modification takes effect on " + m.effective_date() + ": " + m.reason());
    }
  }
  if (end) {
    b.Add(kNoticeContractTermination, "PA 2023 s.80(1), (3)", end->event_id, end->how,
          LastDayBeginningWith(end->day, 30), false,
          "30 days beginning with the day the contract ended (" + FormatDate(end->day) + ", by " +
              end->how + ")");
  }
  if (s.kpis() && value && *value > kFiveMillionPence) {
    // At least once in every 12 months from entry, and on termination.
    const Date last = end ? end->day : as_of;
    for (int k = 1; k <= 100; ++k) {
      const Date due = PeriodEnd(entered - days{1}, 12 * k);
      if (end && due >= end->day) break;
      b.Add(kNoticeContractPerformance, "PA 2023 s.71(2); PR 2024 reg. 39", award, "award", due,
            true, "assessment against the KPIs for the 12 months ending " + FormatDate(due));
      if (due > last) break;  // the next one still to come
    }
    if (end) {
      b.Add(kNoticeContractPerformance, "PA 2023 s.71(2); PR 2024 reg. 39", end->event_id, end->how,
            end->day, true,
            "assessment on termination (contrack takes the day the contract ended)");
    }
  }
}

void AddPcr2015(Builder& b, const v1::ContractState& s) {
  const Date entered = D(s.entered_into_date());
  const std::string& award = s.award_event_id();
  if (PcrDuties(s) && s.procedure() != "framework_call_off") {
    b.Add(kNoticeContractAward, "PCR 2015 reg. 50(1)", award, "award", entered + days{30}, false,
          "not later than 30 days after the award (" + s.entered_into_date() + ")");
  }
  if (PcrModificationDuties(s)) {
    for (const auto& m : s.modifications()) {
      if (m.notice_type() != kNoticeModification) continue;
      b.Add(kNoticeModification, "PCR 2015 reg. 72(1)(b)/(c), 72(3)", m.event_id(), "variation",
            D(m.effective_date()) + days{30}, true,
            "reg. 72(3) gives no period; contrack allows 30 days after the modification");
    }
  }
  if (!PcrInForce(s)) return;  // procured under the 2006 Regulations: no Contracts Finder duty
  const auto value = EstimatedValue(s);
  if (!value || *value > kContractsFinderPence) {
    const bool below = s.has_above_threshold() && !s.above_threshold();
    b.Add(kNoticeContractsFinderAward, below ? "PCR 2015 reg. 112" : "PCR 2015 reg. 108", award,
          "award", entered + days{90}, true,
          "Contracts Finder award details within 90 days (PPN 07/21, sub-central authorities)");
  }
}

void AddPsr2023(Builder& b, const v1::ContractState& s) {
  const Date entered = D(s.entered_into_date());
  const std::string& award = s.award_event_id();
  if (s.procedure() != "direct_award") {
    b.Add(kNoticePsrIntention, "PSR 2023 regs. 9(3), 10(7), 11(9); reg. 12", award, "award",
          entered - days{1}, false,
          "notice of intention to award, then the standstill (reg. 12) before the contract; "
          "the standstill's end is not computed (the PSR working day is unverified)");
  }
  b.Add(kNoticePsrAward, "PSR 2023 (regulation unverified)", award, "award", entered + days{30},
        true, "award notice: believed within 30 days of the award; unverified");
}

// Matches the notices to the obligations and sets each one's status.
void Settle(std::vector<Draft>& drafts, const v1::ContractState& s, Date as_of) {
  std::vector<const v1::NoticeRecord*> notices;
  for (const auto& n : s.notices()) notices.push_back(&n);
  std::stable_sort(notices.begin(), notices.end(), [](const auto* a, const auto* b) {
    return a->published_on() < b->published_on();
  });
  std::stable_sort(drafts.begin(), drafts.end(),
                   [](const Draft& a, const Draft& b) { return a.due < b.due; });
  auto discharge = [](Draft& d, const v1::NoticeRecord& n) {
    d.o.set_discharged_by_event_id(n.event_id());
    d.o.set_published_on(n.published_on());
  };
  // Performance notices: each obligation, in due order, takes the first unused notice published
  // after the previous one's due date.
  std::optional<Date> window_start;
  std::set<const v1::NoticeRecord*> used;
  for (auto& d : drafts) {
    if (d.o.notice_type() != kNoticeContractPerformance) continue;
    for (const auto* n : notices) {
      if (n->notice_type() != kNoticeContractPerformance || used.contains(n)) continue;
      if (window_start && D(n->published_on()) <= *window_start) continue;
      used.insert(n);
      discharge(d, *n);
      break;
    }
    window_start = d.due;
  }
  // The others: a notice naming an event discharges that event's obligation of its type; one
  // naming none, the earliest due still open of its type.
  for (const auto* n : notices) {
    if (n->notice_type() == kNoticeContractPerformance) continue;
    for (auto& d : drafts) {
      if (d.o.notice_type() != n->notice_type() || !d.o.discharged_by_event_id().empty()) continue;
      if (!n->discharges_event_id().empty() &&
          n->discharges_event_id() != d.o.created_by_event_id()) {
        continue;
      }
      discharge(d, *n);
      break;
    }
  }
  const bool standstill = !s.light_touch();
  for (auto& d : drafts) {
    auto& o = d.o;
    if (o.discharged_by_event_id().empty()) {
      o.set_status(as_of > d.due ? kObligationOverdue : kObligationDue);
      o.set_days_left((d.due - as_of).count());
    } else {
      const Date published = D(o.published_on());
      o.set_status(published <= d.due ? kObligationMet : kObligationLate);
    }
    const bool pa = o.regime() == kRegimePa2023;
    if (pa && o.notice_type() == kNoticeContractChange) {
      if (o.status() != kObligationMet) o.set_flag(kFlagModifiedWithoutChangeNotice);
      if (!o.published_on().empty()) {
        o.set_standstill_last_day(FormatDate(StandstillLastDay(D(o.published_on()))));
      }
    }
    if (pa && o.notice_type() == kNoticeContractAward && standstill) {
      if (!o.published_on().empty()) {
        const Date last = StandstillLastDay(D(o.published_on()));
        o.set_standstill_last_day(FormatDate(last));
        if (last >= D(s.entered_into_date())) o.set_flag(kFlagEnteredIntoDuringStandstill);
      }
    }
  }
  std::stable_sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
    return std::tie(a.due, a.o.notice_type(), a.o.created_by_event_id()) <
           std::tie(b.due, b.o.notice_type(), b.o.created_by_event_id());
  });
}

}  // namespace

Date LastDayBeginningWith(Date d, int n) { return d + days{n}; }

v1::ModificationRecord ModificationOf(const v1::ContractState& before, const v1::EventRecord& ev) {
  const auto& v = ev.body().variation();
  v1::ModificationRecord m;
  m.set_event_id(ev.event_id());
  m.set_effective_date(ev.effective_date());
  m.set_value_delta_pence(v.value_delta_pence());
  int64_t term = 0;
  if (!v.new_end_date().empty() && !before.current_end_date().empty()) {
    term = std::llabs((D(v.new_end_date()) - D(before.current_end_date())).count());
  }
  m.set_term_delta_days(term);
  const int64_t delta = v.value_delta_pence();
  const int64_t abs_delta = delta == INT64_MIN ? INT64_MAX : std::llabs(delta);
  // Cumulative since the last modification that needed a notice (s.75(4)-(5)).
  __int128 cum_value = abs_delta;
  __int128 cum_term = term;
  for (int i = before.modifications_size() - 1; i >= 0; --i) {
    const auto& p = before.modifications(i);
    if (!p.notice_type().empty()) break;
    const int64_t pd = p.value_delta_pence();
    cum_value += pd == INT64_MIN ? static_cast<__int128>(INT64_MAX) : std::llabs(pd);
    cum_term += p.term_delta_days();
  }
  m.set_cumulative_value_pence(cum_value > INT64_MAX ? INT64_MAX : static_cast<int64_t>(cum_value));
  m.set_cumulative_term_days(cum_term > INT64_MAX ? INT64_MAX : static_cast<int64_t>(cum_term));
  if (before.procurement_regime() == kRegimePa2023) {
    if (!PaDuties(before)) {
      m.set_reason("outside the Act's notice duties (exempt or below the threshold)");
      return m;
    }
    if (before.light_touch()) {
      m.set_reason("light touch contract: no change notice (s.75(6))");
      return m;
    }
    const int percent = before.category() == "works" ? 15 : 10;
    std::string why;
    if (cum_value > 0) {
      if (!before.has_original_value_pence() || before.original_value_pence() <= 0) {
        why = "a value change on a contract whose value on award is not stated";
      } else if (cum_value * 100 > static_cast<__int128>(before.original_value_pence()) * percent) {
        why = "value change " + Percent(cum_value, before.original_value_pence()) +
              " of the value on award (cumulative), over " + std::to_string(percent) + "%";
      }
    }
    if (why.empty() && cum_term > 0) {
      const std::string& reach = before.award_max_extent_date();
      if (reach.empty()) {
        why = "a term change on a contract with no maximum term";
      } else {
        const int64_t max_term = (D(reach) - D(before.start_date())).count() + 1;
        if (cum_term * 10 > max_term) {
          why = "term change of " + std::to_string(static_cast<int64_t>(cum_term)) + " days, " +
                Percent(cum_term, max_term) + " of the maximum term (" + std::to_string(max_term) +
                " days), over 10%";
        }
      }
    }
    if (why.empty()) {
      m.set_reason("below the s.75(2) thresholds (cumulative value " +
                   (before.has_original_value_pence()
                        ? Percent(cum_value, before.original_value_pence())
                        : std::string("0")) +
                   ", term " + std::to_string(static_cast<int64_t>(cum_term)) + " days)");
    } else {
      m.set_notice_type(kNoticeContractChange);
      m.set_reason(why);
    }
    return m;
  }
  if (PcrModificationDuties(before) && NamesReg72bc(v.legal_basis())) {
    m.set_notice_type(kNoticeModification);
    m.set_reason("a modification under reg. 72(1)(b) or (c)");
  }
  return m;
}

void ApplyNotice(v1::ContractState* s, const v1::EventRecord& ev) {
  const auto& n = ev.body().notice_published();
  auto* r = s->add_notices();
  r->set_event_id(ev.event_id());
  r->set_notice_type(n.notice_type());
  r->set_reference(n.reference());
  r->set_published_on(n.published_on().empty() ? ev.effective_date() : n.published_on());
  r->set_discharges_event_id(n.discharges_event_id());
}

std::vector<std::string> ObligationFlags(const v1::ContractState& s) {
  std::vector<std::string> out;
  if (s.award_event_id().empty()) return out;
  for (const auto& m : s.modifications()) {
    if (m.notice_type() != kNoticeContractChange) continue;
    const bool timely = std::any_of(s.notices().begin(), s.notices().end(), [&](const auto& n) {
      return n.notice_type() == kNoticeContractChange && n.discharges_event_id() == m.event_id() &&
             n.published_on() < m.effective_date();
    });
    if (!timely) {
      out.push_back(kFlagModifiedWithoutChangeNotice);
      break;
    }
  }
  if (PaDuties(s) && !s.light_touch() && !s.entered_into_date().empty()) {
    std::optional<std::string> first;
    for (const auto& n : s.notices()) {
      if (n.notice_type() != kNoticeContractAward) continue;
      if (!n.discharges_event_id().empty() && n.discharges_event_id() != s.award_event_id()) {
        continue;
      }
      if (!first || n.published_on() < *first) first = n.published_on();
    }
    if (first && StandstillLastDay(D(*first)) >= D(s.entered_into_date())) {
      out.push_back(kFlagEnteredIntoDuringStandstill);
    }
  }
  return out;
}

std::vector<v1::Obligation> ObligationsOf(std::span<const v1::EventRecord> events,
                                          const v1::ContractState& s, Date as_of) {
  std::vector<v1::Obligation> out;
  if (s.award_event_id().empty() || s.entered_into_date().empty()) return out;
  Builder b(s);
  const std::string& regime = s.procurement_regime();
  if (regime == kRegimePa2023) {
    if (PaDuties(s)) AddPa2023(b, s, EndOf(events, s, as_of), as_of);
  } else if (regime == kRegimePcr2015) {
    AddPcr2015(b, s);
  } else if (regime == kRegimePsr2023) {
    AddPsr2023(b, s);
  }
  Settle(b.drafts(), s, as_of);
  out.reserve(b.drafts().size());
  for (auto& d : b.drafts()) out.push_back(std::move(d.o));
  return out;
}

Result<std::vector<v1::Obligation>> ObligationsAt(std::span<const v1::EventRecord> events,
                                                  const Rules& rules, Date as_of,
                                                  std::optional<Date> effective_by,
                                                  std::optional<Micros> known_at) {
  const std::vector<v1::EventRecord> kept = EventsAsOf(events, effective_by, known_at);
  if (kept.empty()) return std::vector<v1::Obligation>{};
  auto s = Replay(kept, rules);
  if (!s) return std::unexpected(s.error());
  return ObligationsOf(kept, *s, as_of);
}

}  // namespace contrack::domain

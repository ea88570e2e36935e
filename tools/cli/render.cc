// Table rendering for people.
#include "tools/cli/render.h"

#include <cstdio>
#include <ostream>
#include <sstream>

#include "domain/codec.h"
#include "domain/format_text.h"
#include "domain/lifecycle.h"
#include "tools/cli/csv.h"

namespace contrack::cli {
namespace {

void Row(std::ostringstream& out, const char* key, const std::string& value) {
  if (value.empty()) return;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%-16s", key);
  out << buf << value << "\n";
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& xs, const char* sep) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : sep) + x;
  return out;
}

// "£1,234.00", or "not stated" when the decision gives no value.
std::string Money(bool has, int64_t pence) {
  return has ? FormatPounds(pence) : std::string("not stated");
}

std::string SupplierText(const v1::Supplier& s) {
  std::string out = s.name();
  if (!s.id().empty()) out += " (" + s.id() + ")";
  out += !s.has_sme() ? " [SME: not stated]" : (s.sme() ? " [SME]" : " [not SME]");
  if (s.has_vcse() && s.vcse()) out += " [VCSE]";
  return out;
}

std::string ParticipantsText(const google::protobuf::RepeatedPtrField<v1::Participant>& ps) {
  std::string out;
  for (const auto& p : ps) {
    std::string one = p.authority();
    if (p.has_share_basis_points()) {
      char pct[32];
      std::snprintf(pct, sizeof(pct), " %d.%02d%%", p.share_basis_points() / 100,
                    p.share_basis_points() % 100);
      one += pct;
    }
    if (!p.role().empty()) one += " (" + p.role() + ")";
    out += (out.empty() ? "" : "; ") + one;
  }
  return out;
}

}  // namespace

std::string EventSummary(const v1::EventBody& b) {
  switch (b.payload_case()) {
    case v1::EventBody::kAward:
      return b.award().supplier().name() + ", " + b.award().start_date() + " to " +
             (b.award().end_date().empty() ? "rolling" : b.award().end_date()) + ", " +
             Money(b.award().has_value_pence(), b.award().value_pence());
    case v1::EventBody::kWaiver:
      return Join(b.waiver().rules(), ", ") + " waived; approved by " + b.waiver().approved_by();
    case v1::EventBody::kExtension:
      return "to " + b.extension().new_end_date() +
             (b.extension().value_pence_added()
                  ? ", +" + FormatPounds(b.extension().value_pence_added())
                  : "");
    case v1::EventBody::kVariation:
      return b.variation().description().substr(0, 60) +
             (b.variation().value_delta_pence()
                  ? ", " + FormatPounds(b.variation().value_delta_pence())
                  : "") +
             (b.variation().new_end_date().empty() ? "" : ", to " + b.variation().new_end_date());
    case v1::EventBody::kNovation:
      return "to " + b.novation().supplier().name();
    case v1::EventBody::kTermination:
      return b.termination().termination_date() + " (" + b.termination().reason() +
             (b.termination().rule().empty() ? "" : ", " + b.termination().rule()) + ")";
    case v1::EventBody::kFunding:
      return b.funding().funder() + " " + b.funding().financial_year() + " " +
             FormatPounds(b.funding().amount_pence()) +
             (b.funding().conditional_on_option() > 0
                  ? " if option " + std::to_string(b.funding().conditional_on_option()) +
                        " is exercised"
                  : (b.funding().conditional_on_extension() ? " if option 1 is exercised" : ""));
    case v1::EventBody::kOptionDeclined:
      return "option " +
             (b.option_declined().option() ? std::to_string(b.option_declined().option())
                                           : std::string("(next)")) +
             " declined" +
             (b.option_declined().reason().empty()
                  ? ""
                  : ": " + b.option_declined().reason().substr(0, 40));
    case v1::EventBody::kExpiry:
      return "expired at its end" +
             (b.expiry().reason().empty() ? "" : ": " + b.expiry().reason().substr(0, 40));
    case v1::EventBody::kCorrection:
      return "retracts " + b.correction().corrects_event_id() + ": " +
             b.correction().reason().substr(0, 40);
    case v1::EventBody::kAuthorityReassignment:
      return "to " + b.authority_reassignment().authority() + ": " +
             b.authority_reassignment().reason().substr(0, 40);
    case v1::EventBody::kNoticePublished:
      return b.notice_published().notice_type() + " " + b.notice_published().published_on() + " " +
             b.notice_published().reference().substr(0, 40);
    case v1::EventBody::PAYLOAD_NOT_SET:
      break;
  }
  return "";
}

v1::ContractState StateOn(v1::ContractState s, Date today) {
  s.set_status(domain::StatusOn(s, today));
  return s;
}

std::string RenderState(const v1::ContractState& s) {
  std::ostringstream out;
  Row(out, "Contract", s.contract_id());
  Row(out, "Status", s.status());
  Row(out, "Authority", s.authority() + (s.participants_size() ? " (lead)" : ""));
  Row(out, "Participants", ParticipantsText(s.participants()));
  Row(out, "Title", s.title());
  Row(out, "Department", s.department());
  Row(out, "Description", s.description());
  if (s.has_supplier()) Row(out, "Supplier", SupplierText(s.supplier()));
  if (!s.procedure().empty() || !s.regime().empty()) {
    Row(out, "Procedure",
        s.procedure() + (s.regime().empty() ? "" : ", " + s.regime()) + ", " + s.category() +
            (s.light_touch() ? ", light touch" : ""));
  }
  if (!s.procurement_regime().empty()) {
    Row(out, "Regime",
        s.procurement_regime() + " (" + s.regime_basis() + ")" +
            (!s.has_above_threshold()
                 ? ", threshold not known"
                 : (s.above_threshold() ? ", above" : ", below") + std::string(" threshold")));
  }
  Row(out, "Start", s.start_date());
  if (s.current_end_date().empty() && !s.start_date().empty()) {
    Row(out, "End", "none: rolling until terminated");
  }
  if (!s.current_end_date().empty()) {
    Row(out, "End",
        s.current_end_date() + " (original " + s.original_end_date() +
            (s.max_extent_date().empty() ? "" : "; reachable " + s.max_extent_date()) +
            (s.max_end_date().empty() ? "" : "; maximum " + s.max_end_date()) + ")");
  }
  Row(out, "Review", s.review_date());
  if (!s.award_event_id().empty()) {
    std::string opts =
        std::to_string(s.options_used()) + " of " + std::to_string(s.options_total()) + " used";
    if (s.options_declined() > 0) opts += ", " + std::to_string(s.options_declined()) + " declined";
    if (s.options_total() > 0) {
      opts += " (";
      for (int i = 0; i < s.options_size(); ++i) {
        const auto& o = s.options(i);
        opts += (i ? ", " : "") + std::to_string(o.months()) + " months " + o.status() +
                (o.date().empty() ? "" : " " + o.date());
      }
      opts += ")";
    }
    Row(out, "Options", opts);
    Row(out, "Notice",
        std::to_string(s.notice_period_days()) + " days; procurement lead " +
            std::to_string(s.procurement_lead_days()) + " days");
    Row(out, "Value",
        Money(s.has_current_value_pence(), s.current_value_pence()) + " (original " +
            Money(s.has_original_value_pence(), s.original_value_pence()) + "; annual " +
            Money(s.has_annual_value_pence(), s.annual_value_pence()) + ")");
    Row(out, "Whole-life",
        Money(s.has_whole_life_value_pence(), s.whole_life_value_pence()) +
            (s.whole_life_value_basis().empty() ? "" : " (" + s.whole_life_value_basis() + ")"));
    Row(out, "VAT not recov.",
        Money(s.has_vat_not_recoverable_pence(), s.vat_not_recoverable_pence()));
    if (s.variation_net_pence() != 0) {
      // A share of the original value only when the award stated one.
      char pct[32] = "";
      if (s.has_original_value_pence()) {
        std::snprintf(pct, sizeof(pct), " (%.1f%%)", s.variation_percent());
      }
      Row(out, "Variation", FormatPounds(s.variation_net_pence()) + pct);
    }
  }
  if (s.has_award_decision()) {
    const auto& d = s.award_decision();
    Row(out, "Award decision",
        d.reference() + (d.maker().empty() ? "" : "; " + d.maker()) +
            (d.date().empty() ? "" : "; " + d.date()) + (d.key_decision() ? "; key decision" : "") +
            (d.call_in_eligible() ? "; call-in eligible" : ""));
  }
  for (const auto& w : s.waivers()) {
    Row(out, "Waiver",
        Join(w.rules(), ", ") + " waived; approved by " + w.approved_by() +
            (w.decision_reference().empty() ? "" : " (" + w.decision_reference() + ")") +
            (w.retrospective() ? " [retrospective]" : ""));
  }
  if (!s.termination_date().empty()) {
    Row(out, "Terminated", s.termination_date() + " (" + s.termination_reason() + ")");
  }
  Row(out, "Expired", s.expiry_date());
  for (const auto& f : s.funding()) {
    std::string line =
        f.financial_year() + "  " + f.funder() + "  " + FormatPounds(f.amount_pence());
    if (f.conditional_amount_pence()) {
      line += " + " + FormatPounds(f.conditional_amount_pence()) + " if option " +
              std::to_string(f.conditional_on_option()) + " is exercised";
    }
    if (f.declined_amount_pence()) {
      line += " (" + FormatPounds(f.declined_amount_pence()) + " lapsed: option " +
              std::to_string(f.conditional_on_option()) + " declined)";
    }
    Row(out, "Funding", line);
  }
  if (s.funding_size() > 0) {
    Row(out, "Funding total",
        FormatPounds(s.funding_committed_pence()) + " committed; " +
            FormatPounds(s.funding_conditional_pence()) + " if extended" +
            (s.funding_declined_pence()
                 ? "; " + FormatPounds(s.funding_declined_pence()) + " lapsed with declined options"
                 : ""));
  }
  Row(out, "Flags", s.flags_size() ? Join(s.flags(), ", ") : std::string("none"));
  for (const auto& f : s.flag_history()) {
    if (f.cleared_by_event_id().empty()) continue;
    Row(out, "Flag history",
        f.flag() + " raised " + f.raised_on() + " by " + f.raised_by_event_id() + ", cleared " +
            f.cleared_on() + " by " + f.cleared_by_event_id());
  }
  if (s.retracted_event_ids_size()) Row(out, "Retracted", Join(s.retracted_event_ids(), ", "));
  Row(out, "Version",
      std::to_string(s.version()) + " (last event " + s.last_event_id() + ", sequence " +
          std::to_string(s.last_sequence()) + ")");
  return out.str();
}

std::string RenderHistory(const std::vector<v1::HistoryEntry>& events) {
  std::ostringstream out;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%-6s %-4s %-12s %-10s %-27s %-14s %-16s %s\n", "SEQ", "VER",
                "TYPE", "EFFECTIVE", "RECORDED", "BY", "HASH", "SUMMARY");
  out << buf;
  for (const auto& e : events) {
    std::snprintf(buf, sizeof(buf), "%-6llu %-4llu %-12s %-10s %-27s %-14s %-16s %s%s\n",
                  static_cast<unsigned long long>(e.sequence()),
                  static_cast<unsigned long long>(e.version()), e.type().c_str(),
                  e.effective_date().c_str(), e.recorded_at().c_str(),
                  e.recorded_by().substr(0, 14).c_str(), e.hash().substr(0, 16).c_str(),
                  e.retracted() ? "[retracted] " : "", EventSummary(e.body()).c_str());
    out << buf;
  }
  return out.str();
}

namespace {

void AlertsHeader(std::ostringstream& out) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%-10s %6s %-30s %-28s %-10s %4s %16s %s\n", "DEADLINE", "DAYS",
                "ACTION", "CONTRACT", "END", "OPTS", "VALUE", "AUTHORITY");
  out << buf;
}

void AlertLine(std::ostringstream& out, const v1::Alert& x) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%-10s %6lld %-30s %-28s %-10s %4d %16s %s\n",
                x.deadline().c_str(), static_cast<long long>(x.days_left()), x.action().c_str(),
                x.contract_id().c_str(), x.end_date().empty() ? "-" : x.end_date().c_str(),
                x.options_left(), Money(x.has_value_pence(), x.value_pence()).c_str(),
                x.authority().c_str());
  out << buf;
}

// The "YYYY-MM" of the month `n` months after the one of `date` ("YYYY-MM-DD").
std::string MonthAfter(const std::string& date, int n) {
  if (date.size() < 7) return "";
  const int months = std::stoi(date.substr(0, 4)) * 12 + std::stoi(date.substr(5, 2)) - 1 + n;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d", months / 12, months % 12 + 1);
  return buf;
}

}  // namespace

std::string RenderAlerts(const v1::AlertsResponse& a) {
  std::ostringstream out;
  out << "Alerts as of " << a.as_of();
  if (a.has_known_at()) out << " as known at " << a.known_at();
  if (a.months() > 0) {
    out << " for " << a.months() << " months (" << a.within_days() << " days)";
  } else {
    out << " within " << a.within_days() << " days";
  }
  out << ": " << a.alerts_size();
  if (a.states_read() > 0) {
    out << " (contract states read: " << a.states_read() << ")\n";
  } else {
    out << " (index entries read: " << a.index_entries_read() << ")\n";
  }
  if (a.months() == 0) {
    if (a.alerts_size() == 0) return out.str();
    AlertsHeader(out);
    for (const auto& x : a.alerts()) AlertLine(out, x);
    return out.str();
  }
  // The plan: what is overdue, then one section per calendar month (alerts are by deadline).
  int i = 0;
  const int n = a.alerts_size();
  auto section = [&](const std::string& title, auto in_section) {
    int count = 0;
    for (int j = i; j < n && in_section(a.alerts(j)); ++j) ++count;
    out << "\n" << title << ": " << count << "\n";
    if (count == 0) return;
    AlertsHeader(out);
    for (; i < n && in_section(a.alerts(i)); ++i) AlertLine(out, a.alerts(i));
  };
  section("Overdue (deadline before " + a.as_of() + ")",
          [&](const v1::Alert& x) { return x.days_left() < 0; });
  for (int m = 0; m < a.months(); ++m) {
    const std::string month = MonthAfter(a.as_of(), m);
    section(month, [&](const v1::Alert& x) { return x.month() == month; });
  }
  return out.str();
}

std::string RenderFunding(const v1::FundingReport& r) {
  std::ostringstream out;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%-48s %-34s %-8s %16s %16s %s\n", "FUNDER", "AUTHORITY", "YEAR",
                "COMMITTED", "IF EXTENDED", "CONTRACTS");
  out << buf;
  for (const auto& x : r.rows()) {
    std::snprintf(buf, sizeof(buf), "%-48s %-34s %-8s %16s %16s %d\n",
                  x.funder().substr(0, 48).c_str(), x.authority().substr(0, 34).c_str(),
                  x.financial_year().c_str(), FormatPounds(x.committed_pence()).c_str(),
                  FormatPounds(x.conditional_pence()).c_str(), x.contracts());
    out << buf;
  }
  std::snprintf(buf, sizeof(buf), "%-48s %-34s %-8s %16s %16s\n", "TOTAL", "", "",
                FormatPounds(r.committed_pence()).c_str(),
                FormatPounds(r.conditional_pence()).c_str());
  out << buf;
  return out.str();
}

int RenderVerify(const v1::VerifyResponse& v, std::ostream& out, std::ostream& err) {
  if (v.ok()) {
    out << "ok: " << v.events_checked() << " events, head " << v.head_sequence() << ":"
        << v.head_hash() << "\n";
  } else {
    err << "contrack: chain broken at sequence " << v.first_bad_sequence() << ": " << v.message()
        << "\n";
  }
  if (v.has_digest_ok()) {
    (v.digest_ok() ? out : err) << (v.digest_ok() ? "digest ok: " : "contrack: digest broken: ")
                                << v.digest_message() << "\n";
  }
  if (v.has_views_ok()) {
    (v.views_ok() ? out : err) << (v.views_ok() ? "views ok: " : "contrack: views differ: ")
                               << v.views_message() << "\n";
  }
  return v.ok() && (!v.has_digest_ok() || v.digest_ok()) && (!v.has_views_ok() || v.views_ok()) ? 0
                                                                                                : 1;
}

// The list's value: the contract's value; when only an annual value is stated, that "a year".
std::string ListValue(const v1::ContractState& s) {
  if (!s.has_current_value_pence() && s.has_annual_value_pence()) {
    return FormatPounds(s.annual_value_pence()) + " a year";
  }
  return Money(s.has_current_value_pence(), s.current_value_pence());
}

std::string RenderList(const std::vector<v1::ContractState>& states) {
  std::ostringstream out;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%-24s %-10s %-34s %-34s %-10s %s\n", "CONTRACT", "STATUS",
                "AUTHORITY", "SUPPLIER", "END", "VALUE");
  out << buf;
  for (const auto& s : states) {
    std::snprintf(buf, sizeof(buf), "%-24s %-10s %-34s %-34s %-10s %s\n", s.contract_id().c_str(),
                  s.status().c_str(), s.authority().substr(0, 34).c_str(),
                  s.supplier().name().substr(0, 34).c_str(),
                  (s.current_end_date().empty() ? "rolling" : s.current_end_date().c_str()),
                  ListValue(s).c_str());
    out << buf;
  }
  return out.str();
}

std::string RenderAlertsAs(const v1::AlertsResponse& alerts, Output output) {
  switch (output) {
    case Output::kTable:
      return RenderAlerts(alerts);
    case Output::kJson:
      return ToJson(alerts, true) + "\n";
    case Output::kCsv:
      return AlertsCsv(alerts);
  }
  return "";
}

std::string RenderHistoryAs(const v1::HistoryResponse& history, Output output) {
  const std::vector<v1::HistoryEntry> events(history.events().begin(), history.events().end());
  switch (output) {
    case Output::kTable:
      return RenderHistory(events);
    case Output::kJson:
      return ToJson(history, true) + "\n";
    case Output::kCsv:
      return HistoryCsv(events);
  }
  return "";
}

std::string RenderFundingAs(const v1::FundingReport& report, Output output) {
  switch (output) {
    case Output::kTable:
      return RenderFunding(report);
    case Output::kJson:
      return ToJson(report, true) + "\n";
    case Output::kCsv:
      return FundingCsv(report);
  }
  return "";
}

std::string RenderReceipt(const v1::AppendResponse& r) {
  std::ostringstream out;
  for (const auto& e : r.events()) {
    out << (r.replayed() ? "already recorded " : "recorded ") << r.contract_id() << " version "
        << e.version() << " sequence " << e.sequence() << " event " << e.event_id() << " hash "
        << e.hash() << "\n";
  }
  return out.str();
}

std::string RefusalLine(std::string_view code, std::string_view message,
                        std::optional<uint64_t> current_version) {
  std::string line = "contrack: refused (" + std::string(code) + "): " + std::string(message);
  if (current_version) line += " (current version " + std::to_string(*current_version) + ")";
  return line + "\n";
}

}  // namespace contrack::cli

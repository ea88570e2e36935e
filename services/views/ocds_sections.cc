// The sections of an OCDS release computed from a contract's state, and their helpers.
#include "services/views/ocds_sections.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "domain/format_text.h"
#include "services/views/ocds.h"

namespace contrack::views::internal {

using v1::ContractState;
using v1::EventBody;
using v1::EventRecord;

namespace {

constexpr char kCurrency[] = "GBP";

// Committed funding: funding conditional on an option counts once that option is exercised (the
// lifecycle moves it to committed then).
int64_t CommittedFunding(const ContractState& s) { return s.funding_committed_pence(); }

// The end reachable from the award's own end date with every option (what was awarded).
std::string AwardMaxExtent(const ContractState& s) {
  auto end = Day(s.original_end_date());
  if (!end) return s.max_extent_date();
  for (const auto& o : s.extension_options()) *end = PeriodEnd(*end, o.months());
  if (auto cap = Day(s.max_end_date()); cap && *cap < *end) end = cap;
  return FormatDate(*end);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Values and text.

// 72867800 -> 728678.0 (a JSON number in pounds).
Json Money(int64_t pence) {
  Json v = Json::object();
  v["amount"] = static_cast<double>(pence) / 100.0;
  v["currency"] = kCurrency;
  return v;
}

// Calendar days as OCDS date-times: a period starts at the beginning of its first day and ends at
// the end of its last day.
std::string StartOf(const std::string& day) { return day + "T00:00:00Z"; }
std::string EndOf(const std::string& day) { return day + "T23:59:59Z"; }

std::optional<Date> Day(const std::string& text) {
  auto d = ParseDate(text, "date");
  if (!d) return std::nullopt;
  return *d;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// A stable party id from an organisation's name: "org-leeds-city-council".
std::string OrgId(const std::string& name) {
  std::string slug;
  for (unsigned char c : name) {
    if (std::isalnum(c) && c < 0x80) {
      slug += static_cast<char>(std::tolower(c));
    } else if (c >= 0x80) {
      slug += Hex(&c, 1);
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return "org-" + (slug.empty() ? std::string("unnamed") : slug);
}

Json OrgRef(const std::string& name) {
  Json r = Json::object();
  r["id"] = OrgId(name);
  r["name"] = name;
  return r;
}

std::string EventType(const EventRecord& ev) {
  if (!ev.type().empty()) return ev.type();
  switch (ev.body().payload_case()) {
    case EventBody::kAward:
      return "award";
    case EventBody::kWaiver:
      return "waiver";
    case EventBody::kExtension:
      return "extension";
    case EventBody::kVariation:
      return "variation";
    case EventBody::kNovation:
      return "novation";
    case EventBody::kTermination:
      return "termination";
    case EventBody::kFunding:
      return "funding";
    case EventBody::kCorrection:
      return "correction";
    case EventBody::kAuthorityReassignment:
      return "authority reassignment";
    case EventBody::kOptionDeclined:
      return "option declined";
    case EventBody::kExpiry:
      return "expiry";
    case EventBody::kNoticePublished:
      return "notice published";
    case EventBody::PAYLOAD_NOT_SET:
      break;
  }
  return "event";
}

// " (decision LCC-DDN-1, Director of Environment & Housing, 2015-02-23)" or "".
std::string DecisionText(const EventBody& body) {
  const auto& d = body.decision();
  std::vector<std::string> parts;
  if (!d.reference().empty()) parts.push_back("decision " + d.reference());
  if (!d.maker().empty()) parts.push_back(d.maker());
  if (!d.date().empty()) parts.push_back(d.date());
  return parts.empty() ? "" : " (" + Join(parts, ", ") + ")";
}

bool Awarded(const ContractState& s) { return !s.award_event_id().empty(); }

// ---------------------------------------------------------------------------------------------
// Release sections, computed from the contract's state after an event.

// Parties: the authority (buyer and procuring entity), the current supplier, the funders. One
// entry per organisation name, with every role it holds.
Json Parties(const ContractState& s) {
  struct Org {
    std::string name;
    std::vector<std::string> roles;
    const v1::Supplier* supplier = nullptr;
  };
  std::vector<Org> orgs;
  auto add = [&](const std::string& name, const char* role, const v1::Supplier* supplier) {
    if (name.empty()) return;
    auto it = std::find_if(orgs.begin(), orgs.end(),
                           [&](const Org& o) { return OrgId(o.name) == OrgId(name); });
    if (it == orgs.end()) it = orgs.insert(orgs.end(), Org{name, {}, nullptr});
    if (std::find(it->roles.begin(), it->roles.end(), role) == it->roles.end()) {
      it->roles.push_back(role);
    }
    if (supplier != nullptr) it->supplier = supplier;
  };
  add(s.authority(), "buyer", nullptr);
  add(s.authority(), "procuringEntity", nullptr);
  // A joint contract's participating authorities pay their share of it.
  for (const auto& p : s.participants()) add(p.authority(), "payer", nullptr);
  if (Awarded(s)) add(s.supplier().name(), "supplier", &s.supplier());
  for (const auto& f : s.funding()) add(f.funder(), "funder", nullptr);

  Json out = Json::array();
  for (const auto& o : orgs) {
    Json p = OrgRef(o.name);
    if (o.supplier != nullptr && !o.supplier->id().empty()) {
      p["identifier"] = {{"id", o.supplier->id()}, {"legalName", o.name}};
    }
    p["roles"] = o.roles;
    // Scale and VCSE only when the decision states them (absent: not known, never "large").
    if (o.supplier != nullptr && (o.supplier->has_sme() || o.supplier->has_vcse())) {
      Json details = Json::object();
      if (o.supplier->has_sme()) details["scale"] = o.supplier->sme() ? "sme" : "large";
      if (o.supplier->has_vcse()) details["vcse"] = o.supplier->vcse();
      p["details"] = std::move(details);
    }
    out.push_back(std::move(p));
  }
  return out;
}

// The waivers of contract procedure rules, one per line; "" when none.
std::string WaiversText(const ContractState& s) {
  std::vector<std::string> lines;
  for (const auto& w : s.waivers()) {
    std::vector<std::string> rules(w.rules().begin(), w.rules().end());
    std::string line = "Waiver of " + (rules.empty() ? std::string("contract procedure rules")
                                                     : Join(rules, ", "));
    if (!w.approved_by().empty()) line += " approved by " + w.approved_by();
    if (!w.decision_reference().empty()) line += " (decision " + w.decision_reference() + ")";
    line += ": " + w.justification();
    lines.push_back(std::move(line));
  }
  return Join(lines, "\n");
}

// planning.budget: the funding committed to the contract so far, by funder and financial year.
// `ev` is the funding event this release records (nullptr when restating).
Json Budget(const ContractState& s, const EventRecord* ev) {
  std::string text;
  if (ev != nullptr) {
    const auto& f = ev->body().funding();
    text =
        f.funder() + " committed " + FormatPounds(f.amount_pence()) + " for financial year " +
        f.financial_year() +
        (f.conditional_on_option() > 0 || f.conditional_on_extension()
             ? ", conditional on extension option " +
                   std::to_string(f.conditional_on_option() > 0 ? f.conditional_on_option() : 1) +
                   " being exercised"
             : "") +
        DecisionText(ev->body()) + ". ";
  }
  std::vector<std::string> lines;
  // project: each funder with its financial years, "OHID 2024/25, 2025/26; Leeds City Council ...".
  std::vector<std::pair<std::string, std::vector<std::string>>> funders;
  for (const auto& l : s.funding()) {
    std::string line =
        l.funder() + " " + l.financial_year() + ": " + FormatPounds(l.amount_pence());
    if (l.conditional_amount_pence() != 0) {
      line += " (+ " + FormatPounds(l.conditional_amount_pence()) + " conditional on option " +
              std::to_string(l.conditional_on_option()) + ")";
    }
    if (l.declined_amount_pence() != 0) {
      line += " (" + FormatPounds(l.declined_amount_pence()) + " not committed: option " +
              std::to_string(l.conditional_on_option()) + " declined)";
    }
    lines.push_back(std::move(line));
    auto it = std::find_if(funders.begin(), funders.end(),
                           [&](const auto& f) { return f.first == l.funder(); });
    if (it == funders.end()) it = funders.insert(funders.end(), {l.funder(), {}});
    it->second.push_back(l.financial_year());
  }
  std::vector<std::string> projects;
  for (const auto& [funder, years] : funders) projects.push_back(funder + " " + Join(years, ", "));
  if (lines.empty()) {
    text += "No funding is recorded for this contract.";
  } else {
    text += "Funding recorded: " + Join(lines, "; ") +
            ". Committed: " + FormatPounds(CommittedFunding(s)) + ".";
  }
  Json b = Json::object();
  b["description"] = text;
  b["amount"] = Money(CommittedFunding(s));
  b["project"] = projects.empty() ? Json() : Json(Join(projects, "; "));
  return b;
}

Json Tender(const ContractState& s) {
  Json t = Json::object();
  t["id"] = s.contract_id();
  t["title"] = s.title();
  t["status"] = "complete";
  t["procuringEntity"] = OrgRef(s.authority());
  if (const std::string method = ProcurementMethod(s.procedure()); !method.empty()) {
    t["procurementMethod"] = method;
  }
  if (!s.procedure().empty()) t["procurementMethodDetails"] = s.procedure();
  if (const std::string w = WaiversText(s); !w.empty()) t["procurementMethodRationale"] = w;
  if (!s.category().empty()) t["mainProcurementCategory"] = s.category();
  return t;
}

Json Award(const ContractState& s, const EventRecord* award_ev) {
  Json a = Json::object();
  a["id"] = s.award_event_id();
  a["title"] = s.title();
  if (!s.description().empty()) a["description"] = s.description();
  a["status"] = "active";
  if (award_ev != nullptr) {
    const auto& d = award_ev->body().decision();
    a["date"] = StartOf(d.date().empty() ? award_ev->effective_date() : d.date());
  }
  if (s.has_original_value_pence()) a["value"] = Money(s.original_value_pence());
  a["suppliers"] = Json::array({OrgRef(s.supplier().name())});
  a["contractPeriod"] = {{"startDate", StartOf(s.start_date())}};
  if (!s.original_end_date().empty()) {
    a["contractPeriod"]["endDate"] = EndOf(s.original_end_date());
    a["contractPeriod"]["maxExtentDate"] = EndOf(AwardMaxExtent(s));
  }
  return a;
}

Json Contract(const ContractState& s) {
  const bool terminated = s.status() == "terminated" || s.status() == "expired";
  Json c = Json::object();
  c["id"] = s.contract_id();
  c["awardID"] = s.award_event_id();
  c["title"] = s.title();
  if (!s.description().empty()) c["description"] = s.description();
  c["status"] = terminated ? "terminated" : "active";
  // A terminated contract cannot be extended: its maximum extent is its end. A rolling contract
  // has no end date.
  c["period"] = {{"startDate", StartOf(s.start_date())}};
  if (!s.current_end_date().empty()) {
    c["period"]["endDate"] = EndOf(s.current_end_date());
    c["period"]["maxExtentDate"] = EndOf(terminated ? s.current_end_date() : s.max_extent_date());
  }
  if (s.has_current_value_pence()) c["value"] = Money(s.current_value_pence());
  return c;
}
}  // namespace contrack::views::internal

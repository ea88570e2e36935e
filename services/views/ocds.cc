// Maps a contract's events to OCDS 1.1 releases, release packages and record packages.
#include "services/views/ocds.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/dates.h"
#include "domain/format_text.h"
#include "domain/lifecycle.h"
#include "services/views/ocds_merge.h"

namespace contrack::views {
namespace {

using Json = nlohmann::ordered_json;
using v1::ContractState;
using v1::EventBody;
using v1::EventRecord;

constexpr char kCurrency[] = "GBP";
constexpr char kOcdsVersion[] = "1.1";

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

// Committed funding: funding conditional on an option counts once that option is exercised (the
// lifecycle moves it to committed then).
int64_t CommittedFunding(const ContractState& s) { return s.funding_committed_pence(); }

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

// The end reachable from the award's own end date with every option (what was awarded).
std::string AwardMaxExtent(const ContractState& s) {
  auto end = Day(s.original_end_date());
  if (!end) return s.max_extent_date();
  for (const auto& o : s.extension_options()) *end = PeriodEnd(*end, o.months());
  if (auto cap = Day(s.max_end_date()); cap && *cap < *end) end = cap;
  return FormatDate(*end);
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

// ---------------------------------------------------------------------------------------------
// Releases.

struct Texts {
  std::string rationale;
  std::string description;
};

class ReleaseBuilder {
 public:
  ReleaseBuilder(std::string ocid, std::span<const EventRecord> events)
      : ocid_(std::move(ocid)), events_(events) {
    for (const auto& ev : events_) by_id_[ev.event_id()] = &ev;
  }

  // Builds the release for events_[i]; `before` and `after` are the states around it.
  Json Build(size_t i, const ContractState& before, const ContractState& after) {
    const EventRecord& ev = events_[i];
    const EventBody& body = ev.body();
    // Releases are dated by recording time, never going backwards, so that merging them in date
    // order replays them in log order.
    std::string date = FormatRfc3339(ev.recorded_at_us());
    if (date < last_date_) date = last_date_;
    last_date_ = date;

    Json r = Json::object();
    r["ocid"] = ocid_;
    r["id"] = ev.event_id();
    r["date"] = date;
    r["tag"] = Json::array();
    r["initiationType"] = "tender";
    r["language"] = "en";
    if (!after.authority().empty()) r["buyer"] = OrgRef(after.authority());
    r["parties"] = Parties(after);

    std::vector<std::string> tags;
    switch (body.payload_case()) {
      case EventBody::kWaiver:
        tags.push_back(PlanningTag());
        SetRationale(r, after);
        if (Awarded(after)) {
          r["tender"] = {{"id", after.contract_id()},
                         {"procurementMethodRationale", WaiversText(after)}};
        }
        break;
      case EventBody::kAward:
        tags = {"award", "contract"};
        r["tender"] = Tender(after);
        r["awards"] = Json::array({Award(after, &ev)});
        r["contracts"] = Json::array({Contract(after)});
        contract_emitted_ = true;
        award_id_ = after.award_event_id();
        break;
      case EventBody::kExtension:
      case EventBody::kVariation:
      case EventBody::kTermination:
      case EventBody::kOptionDeclined:
      case EventBody::kExpiry:
      case EventBody::kNovation: {
        const bool termination = body.has_termination() || body.has_expiry();
        tags.push_back(termination ? "contractTermination" : "contractAmendment");
        if (body.has_novation()) {
          r["awards"] =
              Json::array({{{"id", after.award_event_id()},
                            {"suppliers", Json::array({OrgRef(after.supplier().name())})}}});
        }
        Json c = Contract(after);
        c["amendments"] = Json::array({Amendment(ev, AmendmentTexts(ev, before, after))});
        r["contracts"] = Json::array({std::move(c)});
        break;
      }
      case EventBody::kFunding:
        tags.push_back(PlanningTag());
        r["planning"]["budget"] = Budget(after, &ev);
        budget_emitted_ = true;
        break;
      case EventBody::kCorrection:
        tags = Correction(r, ev, after);
        break;
      case EventBody::kAuthorityReassignment:  // the buyer above is the new authority
      case EventBody::kNoticePublished:        // notices as OCDS documents: not yet
        tags.push_back("contractUpdate");
        break;
      case EventBody::PAYLOAD_NOT_SET:
        tags.push_back("contractUpdate");
        break;
    }
    r["tag"] = tags;
    prev_release_id_ = ev.event_id();
    return r;
  }

 private:
  std::string PlanningTag() {
    const bool first = !planning_tagged_;
    planning_tagged_ = true;
    return first ? "planning" : "planningUpdate";
  }

  // planning.rationale: the waivers; null when a waiver shown before was retracted.
  void SetRationale(Json& r, const ContractState& s) {
    const std::string text = WaiversText(s);
    if (!text.empty()) {
      r["planning"]["rationale"] = text;
      rationale_emitted_ = true;
    } else if (rationale_emitted_) {
      r["planning"]["rationale"] = nullptr;
    }
  }

  Json Amendment(const EventRecord& ev, const Texts& t) {
    Json a = Json::object();
    a["id"] = ev.event_id();
    a["date"] = StartOf(ev.effective_date());
    a["rationale"] = t.rationale;
    a["description"] = t.description;
    if (!prev_release_id_.empty()) a["amendsReleaseID"] = prev_release_id_;
    a["releaseID"] = ev.event_id();
    amendments_[ev.event_id()] = t;
    return a;
  }

  Texts AmendmentTexts(const EventRecord& ev, const ContractState& before,
                       const ContractState& after) {
    const EventBody& body = ev.body();
    const std::string decision = DecisionText(body);
    std::vector<std::string> changes;
    if (before.has_current_value_pence() && after.has_current_value_pence() &&
        before.current_value_pence() != after.current_value_pence()) {
      const int64_t delta = after.current_value_pence() - before.current_value_pence();
      changes.push_back("value " + std::string(delta > 0 ? "increased" : "reduced") + " by " +
                        FormatPounds(delta > 0 ? delta : -delta) + " to " +
                        FormatPounds(after.current_value_pence()));
    }
    if (before.current_end_date() != after.current_end_date()) {
      changes.push_back("end date moved from " + before.current_end_date() + " to " +
                        after.current_end_date());
    }
    Texts t;
    switch (body.payload_case()) {
      case EventBody::kExtension:
        t.rationale = "Extension option " + std::to_string(after.options_used()) + " of " +
                      std::to_string(after.options_total()) + " exercised" + decision;
        break;
      case EventBody::kVariation: {
        const auto& v = body.variation();
        t.rationale =
            (v.legal_basis().empty() ? "Modification" : "Modification under " + v.legal_basis()) +
            decision;
        changes.insert(changes.begin(), v.description());
        break;
      }
      case EventBody::kNovation: {
        const auto& n = body.novation();
        t.rationale = "Novation" + (n.reason().empty() ? "" : ": " + n.reason()) + decision;
        changes.insert(changes.begin(), "supplier changed from " + before.supplier().name() +
                                            " to " + after.supplier().name());
        break;
      }
      case EventBody::kOptionDeclined:
        t.rationale = "Extension option " + std::to_string(after.options_used() + 1) + " of " +
                      std::to_string(after.options_total()) + " declined" + decision;
        changes.insert(changes.begin(), "the contract ends on " + after.current_end_date() +
                                            " with no further extension");
        break;
      case EventBody::kExpiry:
        t.rationale = "Expiry" + decision;
        changes.insert(changes.begin(),
                       "contract expired at its end date " + after.current_end_date());
        break;
      case EventBody::kTermination: {
        const auto& term = body.termination();
        t.rationale = "Termination (" + term.reason() + ")" +
                      (term.rule().empty() ? "" : " under " + term.rule()) + decision;
        changes.insert(changes.begin(),
                       "contract terminated with effect from " + term.termination_date());
        break;
      }
      default:
        t.rationale = EventType(ev) + decision;
        break;
    }
    t.description = Join(changes, "; ");
    if (!t.description.empty()) {
      t.description[0] =
          static_cast<char>(std::toupper(static_cast<unsigned char>(t.description[0])));
      t.description += ".";
    }
    return t;
  }

  // A correction restates every section the retracted event could have changed, so the compiled
  // release shows the contract without it. Returns the tags.
  std::vector<std::string> Correction(Json& r, const EventRecord& ev, const ContractState& after) {
    const auto& corr = ev.body().correction();
    const auto found = by_id_.find(corr.corrects_event_id());
    const EventRecord* retracted = found == by_id_.end() ? nullptr : found->second;
    const std::string type = retracted != nullptr ? EventType(*retracted) : "event";
    std::string note = "Correction: retracts the " + type + " event " + corr.corrects_event_id();
    if (retracted != nullptr) note += " recorded " + FormatRfc3339(retracted->recorded_at_us());
    note += ": " + corr.reason() + DecisionText(ev.body());

    std::vector<std::string> tags;
    const bool planning = type == "waiver" || type == "funding";
    SetRationale(r, after);
    if (after.funding_size() > 0 || budget_emitted_) {
      r["planning"]["budget"] = Budget(after, nullptr);
      budget_emitted_ = true;
    }
    if (Awarded(after)) {
      r["tender"] = Tender(after);
      if (WaiversText(after).empty() && rationale_emitted_) {
        r["tender"]["procurementMethodRationale"] = nullptr;
      }
      auto award_ev = by_id_.find(after.award_event_id());
      r["awards"] =
          Json::array({Award(after, award_ev == by_id_.end() ? nullptr : award_ev->second)});
      r["contracts"] = Json::array({Contract(after)});
      contract_emitted_ = true;
      award_id_ = after.award_event_id();
    } else if (contract_emitted_) {
      // The award itself was retracted.
      r["awards"] = Json::array({{{"id", award_id_}, {"status", "cancelled"}}});
      r["contracts"] = Json::array(
          {{{"id", after.contract_id()}, {"awardID", award_id_}, {"status", "cancelled"}}});
    }
    if (!contract_emitted_) {
      // No contract to amend: the note goes with the planning information.
      const std::string w = WaiversText(after);
      r["planning"]["rationale"] = w.empty() ? note : w + "\n" + note;
      rationale_emitted_ = true;
      return {"planningUpdate"};
    }
    Json& c = r["contracts"][0];
    Texts t;
    t.rationale = note;
    t.description =
        Awarded(after)
            ? "Contract restated without the retracted event: status " + after.status() +
                  ", end date " +
                  (after.current_end_date().empty() ? "none (rolling)" : after.current_end_date()) +
                  ", value " +
                  (after.has_current_value_pence() ? FormatPounds(after.current_value_pence())
                                                   : std::string("not stated")) +
                  "."
            : "Award retracted; the contract is cancelled.";
    c["amendments"] = Json::array({Amendment(ev, t)});
    if (auto old = amendments_.find(corr.corrects_event_id()); old != amendments_.end()) {
      c["amendments"].push_back(
          {{"id", corr.corrects_event_id()},
           {"description", "Retracted by correction " + ev.event_id() + ": " + corr.reason() +
                               ". " + old->second.description}});
    }
    tags.push_back("contractAmendment");
    if (planning) tags.push_back("planningUpdate");
    return tags;
  }

  const std::string ocid_;
  std::span<const EventRecord> events_;
  std::unordered_map<std::string, const EventRecord*> by_id_;
  std::map<std::string, Texts> amendments_;  // by event id, as first published
  std::string prev_release_id_;
  std::string last_date_;
  std::string award_id_;
  bool planning_tagged_ = false;
  bool rationale_emitted_ = false;
  bool budget_emitted_ = false;
  bool contract_emitted_ = false;
};

struct Built {
  std::string ocid;
  std::vector<Json> releases;
};

Result<Built> BuildReleases(const ContractState& state, std::span<const EventRecord> events,
                            const OcdsOptions& options) {
  if (events.empty()) {
    return Fail(kInvalidArgument, "contract " + state.contract_id() + " has no events");
  }
  const std::string id =
      state.contract_id().empty() ? events[0].contract_id() : state.contract_id();
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].contract_id() != id) {
      return Fail(kInvalidArgument, "event " + events[i].event_id() + " belongs to contract " +
                                        events[i].contract_id() + ", not " + id);
    }
    if (i > 0 && events[i].version() <= events[i - 1].version()) {
      return Fail(kInvalidArgument, "the events of contract " + id +
                                        " are not in version order at version " +
                                        std::to_string(events[i].version()));
    }
  }
  Built out;
  out.ocid = options.ocid_prefix + "-" + id;
  ReleaseBuilder builder(out.ocid, events);
  ContractState before;
  for (size_t i = 0; i < events.size(); ++i) {
    auto after = domain::Replay(events.first(i + 1), domain::Rules{});
    if (!after) {
      return Fail(kInvalidArgument, "the events of contract " + id + " do not replay at version " +
                                        std::to_string(events[i].version()) + ": " +
                                        after.error().ToString());
    }
    out.releases.push_back(builder.Build(i, before, *after));
    before = std::move(*after);
  }
  return out;
}

Json PackageHead(const std::string& contract_id, const std::vector<Json>& releases,
                 const OcdsOptions& options) {
  Json p = Json::object();
  p["uri"] = options.uri_base + contract_id;
  p["version"] = kOcdsVersion;
  p["publishedDate"] =
      options.published_date.empty() ? releases.back()["date"] : Json(options.published_date);
  p["publisher"] = {{"name", options.publisher_name}};
  return p;
}

std::string Dump(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

template <typename F>
Result<std::string> Guard(F&& f) {
  try {
    return f();
  } catch (const nlohmann::json::exception& e) {
    return Fail(kInvalidArgument, std::string("cannot build OCDS JSON: ") + e.what());
  }
}

std::string ContractIdOf(const ContractState& state, std::span<const EventRecord> events) {
  return state.contract_id().empty() ? events[0].contract_id() : state.contract_id();
}

}  // namespace

std::string ProcurementMethod(std::string_view procedure) {
  if (procedure == "open") return "open";
  if (procedure == "restricted" || procedure == "competitive_flexible" ||
      procedure == "framework_call_off") {
    return "selective";
  }
  if (procedure == "negotiated") return "limited";
  if (procedure == "direct_award" || procedure == "interim" || procedure == "grant") {
    return "direct";
  }
  return "";
}

Result<std::string> ReleasePackage(const ContractState& state, std::span<const EventRecord> events,
                                   const OcdsOptions& options) {
  return Guard([&]() -> Result<std::string> {
    auto built = BuildReleases(state, events, options);
    if (!built) return std::unexpected(built.error());
    Json p = PackageHead(ContractIdOf(state, events), built->releases, options);
    p["releases"] = std::move(built->releases);
    return Dump(p, options.indent);
  });
}

Result<std::string> RecordPackage(const ContractState& state, std::span<const EventRecord> events,
                                  const OcdsOptions& options) {
  return Guard([&]() -> Result<std::string> {
    auto built = BuildReleases(state, events, options);
    if (!built) return std::unexpected(built.error());
    auto compiled = CompileReleases(built->releases, Ocds115MergeRules());
    if (!compiled) return std::unexpected(compiled.error());
    Json p = PackageHead(ContractIdOf(state, events), built->releases, options);
    Json record = Json::object();
    record["ocid"] = built->ocid;
    record["releases"] = std::move(built->releases);
    record["compiledRelease"] = std::move(*compiled);
    p["records"] = Json::array({std::move(record)});
    return Dump(p, options.indent);
  });
}

}  // namespace contrack::views

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
#include "services/views/ocds_notices.h"
#include "services/views/ocds_sections.h"

namespace contrack::views {
namespace {

using internal::Award;
using internal::Awarded;
using internal::Budget;
using internal::Contract;
using internal::DecisionText;
using internal::EventType;
using internal::Join;
using internal::Json;
using internal::OrgRef;
using internal::Parties;
using internal::StartOf;
using internal::Tender;
using internal::WaiversText;
using v1::ContractState;
using v1::EventBody;
using v1::EventRecord;

constexpr char kOcdsVersion[] = "1.1";
// The UK extension, as Find a Tender declares it (docs/ocds.md).
constexpr char kUkExtension[] =
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json";

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
      case EventBody::kNoticePublished:
        tags.push_back(Notice(r, ev, after));
        break;
      case EventBody::kAuthorityReassignment:  // the buyer above is the new authority
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

  // A published notice: its document on the award, the contract or (before any award) the
  // tender. Returns the tag: awardUpdate, contractUpdate or tenderUpdate.
  std::string Notice(Json& r, const EventRecord& ev, const ContractState& after) {
    auto doc = internal::NoticeDocument(ev, after);
    if (!doc) return Awarded(after) ? "contractUpdate" : "tenderUpdate";  // unknown notice type
    const auto m =
        MapNotice(ev.body().notice_published().notice_type(), after.procurement_regime());
    const NoticeObject object = Awarded(after) ? m->object : NoticeObject::kTender;
    notice_objects_[ev.event_id()] = object;
    DocumentsOf(r, object, after).push_back(std::move(*doc));
    switch (object) {
      case NoticeObject::kAward:
        return "awardUpdate";
      case NoticeObject::kContract:
        return "contractUpdate";
      case NoticeObject::kTender:
        break;
    }
    return "tenderUpdate";
  }

  // The `documents` array of `object` in release `r`, creating the object (with its id) when the
  // release has none.
  Json& DocumentsOf(Json& r, NoticeObject object, const ContractState& s) {
    Json* target = nullptr;
    switch (object) {
      case NoticeObject::kTender:
        if (!r.contains("tender")) r["tender"] = {{"id", s.contract_id()}};
        target = &r["tender"];
        break;
      case NoticeObject::kAward:
        if (!r.contains("awards") || r["awards"].empty()) {
          r["awards"] = Json::array({{{"id", award_id_}}});
        }
        target = &r["awards"][0];
        break;
      case NoticeObject::kContract:
        if (!r.contains("contracts") || r["contracts"].empty()) {
          r["contracts"] = Json::array({{{"id", s.contract_id()}, {"awardID", award_id_}}});
        }
        target = &r["contracts"][0];
        break;
    }
    if (!target->contains("documents")) (*target)["documents"] = Json::array();
    return (*target)["documents"];
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
    // A retracted notice: its document's fields are nulled, so the compiled release drops them.
    bool tender_changed = false;
    if (auto n = notice_objects_.find(corr.corrects_event_id()); n != notice_objects_.end()) {
      DocumentsOf(r, n->second, after)
          .push_back(internal::RetractedNoticeDocument(corr.corrects_event_id(), ev));
      tender_changed = n->second == NoticeObject::kTender;
    }
    if (!contract_emitted_) {
      // No contract to amend: the note goes with the planning information.
      const std::string w = WaiversText(after);
      r["planning"]["rationale"] = w.empty() ? note : w + "\n" + note;
      rationale_emitted_ = true;
      if (tender_changed) return {"planningUpdate", "tenderUpdate"};
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
  std::map<std::string, Texts> amendments_;             // by event id, as first published
  std::map<std::string, NoticeObject> notice_objects_;  // where each notice's document went
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
  // Document.noticeType and the contractTerminationNotice / implementationNotice codes.
  p["extensions"] = Json::array({kUkExtension});
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

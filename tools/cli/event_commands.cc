// The event commands' flags and the event bodies they build.
#include "tools/cli/event_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <vector>

#include "domain/dates.h"
#include "domain/validate.h"
#include "tools/cli/flag_values.h"

namespace contrack::cli {
namespace {

// A flag whose value is text parsed after CLI11 (money, yes/no, a date), and whether it was given.
// The shared flags (--effective-date, ...) are one TextFlag added to every event subcommand.
struct TextFlag {
  std::string text;
  std::vector<CLI::Option*> options;  // one per subcommand it was added to

  bool given() const {
    return std::any_of(options.begin(), options.end(),
                       [](const CLI::Option* o) { return o->count() > 0; });
  }
  std::string name() const { return options.empty() ? "" : options.front()->get_name(); }
};

// Adds `flag` to `cmd`; returns its option there.
CLI::Option* Add(CLI::App* cmd, const std::string& names, TextFlag* flag, const std::string& help) {
  flag->options.push_back(cmd->add_option(names, flag->text, help));
  return flag->options.back();
}

std::unexpected<Error> FlagError(const std::string& flag, const Error& e) {
  return Fail(kInvalidArgument, flag + ": " + e.message);
}

// Pence from a money flag, nullopt when it was not given (a value not stated stays absent).
Result<std::optional<int64_t>> Money(const TextFlag& f, bool allow_negative) {
  if (!f.given()) return std::nullopt;
  auto pence = ParsePounds(f.text, allow_negative);
  if (!pence) return FlagError(f.name(), pence.error());
  return *pence;
}

Result<std::optional<bool>> YesNo(const TextFlag& f) {
  if (!f.given()) return std::nullopt;
  auto b = ParseYesNo(f.text);
  if (!b) return FlagError(f.name(), b.error());
  return *b;
}

// A date flag's value ("" when not given), checked to be a real YYYY-MM-DD date.
Result<std::string> DateText(const TextFlag& f) {
  if (!f.given() || f.text.empty()) return std::string();
  auto d = ParseDate(f.text, f.name());
  if (!d) return std::unexpected(d.error());
  return f.text;
}

Result<std::string> EventId(const TextFlag& f) {
  if (!f.given() || f.text.empty()) return std::string();
  return NormalizeEventId(f.text, f.name());
}

Result<void> AddParticipants(const std::vector<std::string>& texts, const std::string& flag,
                             google::protobuf::RepeatedPtrField<v1::Participant>* out) {
  for (const auto& t : texts) {
    auto p = ParseParticipant(t);
    if (!p) return FlagError(flag, p.error());
    *out->Add() = std::move(*p);
  }
  return {};
}

// CT_TRY(var, expr): var = *expr, or return its error.
#define CT_TRY(var, expr)                                            \
  auto var##_result_ = (expr);                                       \
  if (!var##_result_) return std::unexpected(var##_result_.error()); \
  auto var = std::move(*var##_result_)

constexpr const char* kParticipantHelp =
    "AUTHORITY[:SHARE%[:ROLE]], e.g. \"North Northamptonshire Council:48.6%\"; repeat for each";
constexpr const char* kMoneyHelp = "pounds, e.g. 728678, 728,678.00 or £1,457,356";

// The supplier flags award and novate share.
struct SupplierFlags {
  std::string name, id;
  TextFlag sme, vcse;

  void AddTo(CLI::App* cmd) {
    cmd->add_option("--supplier", name, "supplier name")->required();
    cmd->add_option("--supplier-id", id, "e.g. Companies House or charity number");
    Add(cmd, "--sme", &sme, "yes or no (not given: not stated)");
    Add(cmd, "--vcse", &vcse, "yes or no (not given: not stated)");
  }
  Result<v1::Supplier> Build() const {
    v1::Supplier s;
    s.set_name(name);
    s.set_id(id);
    CT_TRY(is_sme, YesNo(sme));
    if (is_sme) s.set_sme(*is_sme);
    CT_TRY(is_vcse, YesNo(vcse));
    if (is_vcse) s.set_vcse(*is_vcse);
    return s;
  }
};

}  // namespace

struct EventCommands::Flags {
  // The decision and envelope every event command takes. Only one subcommand is parsed, so they
  // share these.
  std::string contract_id, decision_reference, decision_maker, note;
  TextFlag event_id, effective_date, decision_date;
  bool key_decision = false, call_in_eligible = false, json = false;
  std::optional<uint64_t> expected_version;

  CLI::App *award_cmd, *waive_cmd, *extend_cmd, *decline_cmd, *vary_cmd, *novate_cmd,
      *terminate_cmd, *expire_cmd, *fund_cmd, *correct_cmd, *reassign_cmd;

  struct {
    std::string authority, title, description, department, procedure, regime, category;
    SupplierFlags supplier;
    bool light_touch = false;
    TextFlag start_date, end_date, review_date, max_end_date, waiver_event_id;
    TextFlag value, annual_value, vat_not_recoverable, whole_life_value;
    std::vector<int32_t> option_months;
    std::optional<int32_t> notice_period_days, procurement_lead_days;
    std::vector<std::string> participants;
  } award;
  struct {
    std::string authority, justification, approved_by;
    std::vector<std::string> rules, participants;
  } waive;
  struct {
    TextFlag new_end_date, value_added;
  } extend;
  struct {
    int32_t option = 0;
    std::string reason;
  } decline;
  struct {
    std::string description, legal_basis;
    TextFlag value_delta, new_end_date;
    std::vector<std::string> participants;
    bool no_participants = false;
  } vary;
  struct {
    SupplierFlags supplier;
    std::string reason;
  } novate;
  struct {
    TextFlag termination_date;
    std::string reason, rule;
  } terminate;
  struct {
    std::string reason;
  } expire;
  struct {
    std::string funder, financial_year;
    TextFlag amount;
    int32_t conditional_on_option = 0;
    bool conditional_on_extension = false;
  } fund;
  struct {
    TextFlag corrects;
    std::string reason;
  } correct;
  struct {
    std::string authority, reason;
  } reassign;

  // A subcommand with the contract id and the shared flags.
  CLI::App* Command(CLI::App& app, const char* name, const char* help) {
    CLI::App* cmd = app.add_subcommand(name, help);
    cmd->add_option("ID", contract_id, "the contract id")->required();
    Add(cmd, "--event-id", &event_id, "UUID: a retry with the same id and body is a no-op");
    Add(cmd, "--effective-date,--effective", &effective_date,
        "YYYY-MM-DD the decision takes effect (default: the day it is recorded)");
    cmd->add_option("--decision-reference,--decision-ref", decision_reference,
                    "the decision record, e.g. a delegated decision number");
    cmd->add_option("--decision-maker", decision_maker, "who took the decision");
    Add(cmd, "--decision-date", &decision_date, "YYYY-MM-DD the decision was taken");
    cmd->add_flag("--key-decision", key_decision, "the decision was a key decision");
    cmd->add_flag("--call-in-eligible", call_in_eligible, "the decision could be called in");
    cmd->add_option("--note", note, "free text");
    cmd->add_option("--expected-version", expected_version,
                    "refuse unless the contract is at this version (0: a new contract)");
    cmd->add_flag("--json", json, "print the append's answer as proto JSON instead of the state");
    return cmd;
  }

  void AddAll(CLI::App& app) {
    CLI::App* c = award_cmd = Command(app, "award", "record a contract award");
    c->add_option("--authority", award.authority, "the lead authority")->required();
    c->add_option("--title", award.title, "contract title")->required();
    c->add_option("--description", award.description, "what the contract is for");
    c->add_option("--department", award.department, "the department responsible");
    award.supplier.AddTo(c);
    c->add_option("--procedure", award.procedure, "how it was procured")
        ->check(CLI::IsMember({"open", "restricted", "competitive_flexible", "negotiated",
                               "direct_award", "framework_call_off", "interim", "grant", "other"}));
    c->add_option("--regime", award.regime, "procurement regime")
        ->check(CLI::IsMember({"pcr2015", "pa2023", "below_threshold"}));
    c->add_option("--category", award.category, "default services")
        ->check(CLI::IsMember({"services", "goods", "works"}));
    c->add_flag("--light-touch", award.light_touch, "a light-touch regime contract");
    Add(c, "--start-date", &award.start_date, "YYYY-MM-DD")->required();
    Add(c, "--end-date", &award.end_date, "YYYY-MM-DD (not given: rolling until terminated)");
    Add(c, "--value", &award.value,
        std::string("committed value over the initial term, ") + kMoneyHelp +
            " (not given: not stated)");
    Add(c, "--annual-value", &award.annual_value, "annual value in pounds (not given: not stated)");
    Add(c, "--vat-not-recoverable", &award.vat_not_recoverable,
        "irrecoverable VAT in pounds (not given: not stated)");
    Add(c, "--whole-life-value", &award.whole_life_value,
        "the maximum the decision states, options included, in pounds (not given: derived)");
    Add(c, "--review-date", &award.review_date, "YYYY-MM-DD");
    c->add_option("--option-months", award.option_months,
                  "an extension option's length in months; repeat for each, in order")
        ->allow_extra_args(false)
        ->check(CLI::Range(1, 1200));
    Add(c, "--max-end-date", &award.max_end_date, "YYYY-MM-DD the contract may not run beyond");
    c->add_option("--notice-period-days", award.notice_period_days, "default 90")
        ->check(CLI::Range(0, 100000));
    c->add_option("--procurement-lead-days", award.procurement_lead_days, "default 270")
        ->check(CLI::Range(0, 100000));
    Add(c, "--waiver-event-id", &award.waiver_event_id, "the waiver this award relies on (UUID)");
    c->add_option("--participant", award.participants, kParticipantHelp)->allow_extra_args(false);

    c = waive_cmd = Command(app, "waive", "record a waiver of contract procedure rules");
    c->add_option("--authority", waive.authority,
                  "the authority (required when the waiver is the contract's first event)");
    c->add_option("--rule", waive.rules, "a rule waived, e.g. \"CPR 9.1\"; repeat for each")
        ->allow_extra_args(false)
        ->required();
    c->add_option("--justification", waive.justification, "why")->required();
    c->add_option("--approved-by", waive.approved_by, "who approved it")->required();
    c->add_option("--participant", waive.participants,
                  std::string(kParticipantHelp) + " (the contract's first event only)")
        ->allow_extra_args(false);

    c = extend_cmd = Command(app, "extend", "exercise the next extension option");
    Add(c, "--new-end-date,--to", &extend.new_end_date, "YYYY-MM-DD")->required();
    Add(c, "--value-added", &extend.value_added,
        std::string("added to the contract value, ") + kMoneyHelp);

    c = decline_cmd =
        Command(app, "decline-option", "record a decision not to exercise an extension option");
    c->add_option("--option", decline.option, "1-based option number (default: the next one)")
        ->check(CLI::Range(1, 1200));
    c->add_option("--reason", decline.reason, "why");

    c = vary_cmd = Command(app, "vary", "record a variation");
    c->add_option("--description", vary.description, "what changes")->required();
    Add(c, "--value-delta", &vary.value_delta,
        std::string("pounds added (negative, e.g. -1,500: removed); ") + kMoneyHelp);
    Add(c, "--new-end-date,--to", &vary.new_end_date, "YYYY-MM-DD");
    c->add_option("--legal-basis", vary.legal_basis, "e.g. \"PCR 2015 reg 72(1)(b)\"");
    auto* parts =
        c->add_option("--participant,--participants", vary.participants,
                      std::string(kParticipantHelp) + "; replaces the contract's participants")
            ->allow_extra_args(false);
    c->add_flag("--no-participants", vary.no_participants,
                "the contract has no participants from this variation on")
        ->excludes(parts);

    c = novate_cmd = Command(app, "novate", "record a novation to another supplier");
    novate.supplier.AddTo(c);
    c->add_option("--reason", novate.reason, "why");

    c = terminate_cmd = Command(app, "terminate", "record a termination");
    Add(c, "--termination-date,--date", &terminate.termination_date, "YYYY-MM-DD")->required();
    c->add_option("--reason", terminate.reason, "convenience, breach, mutual, superseded, other")
        ->required()
        ->check(CLI::IsMember({"convenience", "breach", "mutual", "superseded", "other"}));
    c->add_option("--rule", terminate.rule, "the rule or clause relied on, e.g. \"CPR 22.1\"");

    c = expire_cmd =
        Command(app, "expire", "record that the contract closed at its end, nothing renewed");
    c->add_option("--reason", expire.reason, "why");

    c = fund_cmd = Command(app, "fund", "record a funding commitment for one financial year");
    c->add_option("--funder", fund.funder, "who funds it")->required();
    c->add_option("--financial-year", fund.financial_year, "UK financial year, e.g. 2023/24")
        ->required();
    Add(c, "--amount", &fund.amount, kMoneyHelp)->required();
    c->add_option("--conditional-on-option", fund.conditional_on_option,
                  "committed only if this option (1-based) is exercised")
        ->check(CLI::Range(1, 1200));
    c->add_flag("--conditional-on-extension", fund.conditional_on_extension,
                "committed only if option 1 is exercised");

    c = correct_cmd = Command(app, "correct", "retract an earlier event of the contract");
    Add(c, "--corrects", &correct.corrects, "the event id retracted (UUID)")->required();
    c->add_option("--reason", correct.reason, "why")->required();

    c = reassign_cmd =
        Command(app, "reassign", "admin: correct the authority the contract was recorded under");
    c->add_option("--authority", reassign.authority, "the contract's authority from now on")
        ->required();
    c->add_option("--reason", reassign.reason, "why")->required();
  }

  Result<void> Envelope(v1::EventBody* b) const {
    CT_TRY(id, EventId(event_id));
    b->set_event_id(id);
    CT_TRY(effective, DateText(effective_date));
    b->set_effective_date(effective);
    CT_TRY(decided, DateText(decision_date));
    if (!decision_reference.empty() || !decision_maker.empty() || !decided.empty() ||
        key_decision || call_in_eligible) {
      auto* d = b->mutable_decision();
      d->set_reference(decision_reference);
      d->set_maker(decision_maker);
      d->set_date(decided);
      d->set_key_decision(key_decision);
      d->set_call_in_eligible(call_in_eligible);
    }
    b->set_note(note);
    return {};
  }

  Result<void> Award(v1::Award* a) const {
    const auto& f = award;
    a->set_authority(f.authority);
    a->set_title(f.title);
    a->set_description(f.description);
    a->set_department(f.department);
    CT_TRY(supplier, f.supplier.Build());
    *a->mutable_supplier() = std::move(supplier);
    a->set_procedure(f.procedure);
    a->set_regime(f.regime);
    a->set_category(f.category);
    a->set_light_touch(f.light_touch);
    CT_TRY(start, DateText(f.start_date));
    a->set_start_date(start);
    CT_TRY(end, DateText(f.end_date));
    a->set_end_date(end);
    CT_TRY(review, DateText(f.review_date));
    a->set_review_date(review);
    CT_TRY(max_end, DateText(f.max_end_date));
    a->set_max_end_date(max_end);
    CT_TRY(value, Money(f.value, false));
    if (value) a->set_value_pence(*value);
    CT_TRY(annual, Money(f.annual_value, false));
    if (annual) a->set_annual_value_pence(*annual);
    CT_TRY(vat, Money(f.vat_not_recoverable, false));
    if (vat) a->set_vat_not_recoverable_pence(*vat);
    CT_TRY(whole_life, Money(f.whole_life_value, false));
    if (whole_life) a->set_whole_life_value_pence(*whole_life);
    for (int32_t months : f.option_months) a->add_extension_options()->set_months(months);
    if (f.notice_period_days) a->set_notice_period_days(*f.notice_period_days);
    if (f.procurement_lead_days) a->set_procurement_lead_days(*f.procurement_lead_days);
    CT_TRY(waiver, EventId(f.waiver_event_id));
    a->set_waiver_event_id(waiver);
    return AddParticipants(f.participants, "--participant", a->mutable_participants());
  }

  Result<void> Payload(v1::EventBody* b) const {
    if (*award_cmd) return Award(b->mutable_award());
    if (*waive_cmd) {
      auto* w = b->mutable_waiver();
      w->set_authority(waive.authority);
      for (const auto& r : waive.rules) w->add_rules(r);
      w->set_justification(waive.justification);
      w->set_approved_by(waive.approved_by);
      return AddParticipants(waive.participants, "--participant", w->mutable_participants());
    }
    if (*extend_cmd) {
      auto* e = b->mutable_extension();
      CT_TRY(end, DateText(extend.new_end_date));
      e->set_new_end_date(end);
      CT_TRY(added, Money(extend.value_added, false));
      if (added) e->set_value_pence_added(*added);
      return {};
    }
    if (*decline_cmd) {
      b->mutable_option_declined()->set_option(decline.option);
      b->mutable_option_declined()->set_reason(decline.reason);
      return {};
    }
    if (*vary_cmd) {
      auto* v = b->mutable_variation();
      v->set_description(vary.description);
      CT_TRY(delta, Money(vary.value_delta, true));
      if (delta) v->set_value_delta_pence(*delta);
      CT_TRY(end, DateText(vary.new_end_date));
      v->set_new_end_date(end);
      v->set_legal_basis(vary.legal_basis);
      if (vary.no_participants) v->mutable_participants();  // present and empty: none from now
      if (!vary.participants.empty()) {
        return AddParticipants(vary.participants, "--participant",
                               v->mutable_participants()->mutable_participants());
      }
      return {};
    }
    if (*novate_cmd) {
      CT_TRY(supplier, novate.supplier.Build());
      *b->mutable_novation()->mutable_supplier() = std::move(supplier);
      b->mutable_novation()->set_reason(novate.reason);
      return {};
    }
    if (*terminate_cmd) {
      auto* t = b->mutable_termination();
      CT_TRY(date, DateText(terminate.termination_date));
      t->set_termination_date(date);
      t->set_reason(terminate.reason);
      t->set_rule(terminate.rule);
      return {};
    }
    if (*expire_cmd) {
      b->mutable_expiry()->set_reason(expire.reason);
      return {};
    }
    if (*fund_cmd) {
      auto* f = b->mutable_funding();
      f->set_funder(fund.funder);
      if (auto fy = ParseFinancialYear(fund.financial_year, "--financial-year"); !fy) {
        return std::unexpected(fy.error());
      }
      f->set_financial_year(fund.financial_year);
      CT_TRY(amount, Money(fund.amount, false));
      if (amount) f->set_amount_pence(*amount);
      f->set_conditional_on_option(fund.conditional_on_option);
      f->set_conditional_on_extension(fund.conditional_on_extension);
      return {};
    }
    if (*correct_cmd) {
      CT_TRY(id, EventId(correct.corrects));
      b->mutable_correction()->set_corrects_event_id(id);
      b->mutable_correction()->set_reason(correct.reason);
      return {};
    }
    // reassign
    b->mutable_authority_reassignment()->set_authority(reassign.authority);
    b->mutable_authority_reassignment()->set_reason(reassign.reason);
    return {};
  }

  const CLI::App* Chosen() const {
    for (const CLI::App* c : {award_cmd, waive_cmd, extend_cmd, decline_cmd, vary_cmd, novate_cmd,
                              terminate_cmd, expire_cmd, fund_cmd, correct_cmd, reassign_cmd}) {
      if (*c) return c;
    }
    return nullptr;
  }
};

EventCommands::EventCommands(CLI::App& app) : flags_(std::make_unique<Flags>()) {
  flags_->AddAll(app);
}

EventCommands::~EventCommands() = default;

Result<std::optional<EventCommand>> EventCommands::Build() const {
  const CLI::App* chosen = flags_->Chosen();
  if (chosen == nullptr) return std::nullopt;
  EventCommand cmd;
  cmd.name = chosen->get_name();
  cmd.contract_id = flags_->contract_id;
  cmd.json = flags_->json;
  v1::EventBody* body = cmd.request.add_events();
  if (auto r = flags_->Envelope(body); !r) return std::unexpected(r.error());
  if (auto r = flags_->Payload(body); !r) return std::unexpected(r.error());
  if (flags_->expected_version) cmd.request.set_expected_version(*flags_->expected_version);
  return cmd;
}

#undef CT_TRY

}  // namespace contrack::cli

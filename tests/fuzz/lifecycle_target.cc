// Fuzz target: one contract's events folded with domain::Next, checked against Replay.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "domain/alerts.h"
#include "domain/codec.h"
#include "domain/dates.h"
#include "domain/lifecycle.h"
#include "domain/validate.h"
#include "proto/contrack.pb.h"
#include "tests/fuzz/targets.h"

namespace contrack::fuzz {
namespace {

constexpr int kMaxEvents = 64;
constexpr char kContract[] = "FUZZ-C-1";

// Reads the input front to back; past the end every read is 0.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t U8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(U8() | U8() << 8); }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | U8();
    return v;
  }
  bool Chance(int in) { return U8() % in == 0; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

const Date kBase = *ParseDate("2015-04-01", "base");
const Date kFirst = *ParseDate("1900-01-01", "first");
const Date kLast = *ParseDate("2999-12-31", "last");

// A date near `anchor`, sometimes at the edges of the valid range, rarely malformed.
std::string DateNear(Reader& in, Date anchor) {
  const uint8_t mode = in.U8() % 16;
  if (mode == 0) return FormatDate(kFirst + std::chrono::days{in.U8()});
  if (mode == 1) return FormatDate(kLast - std::chrono::days{in.U8()});
  if (mode == 2) return "2015-02-29";
  const int offset = static_cast<int16_t>(in.U16()) % 2000;
  Date d = anchor + std::chrono::days{offset};
  if (d < kFirst) d = kFirst;
  if (d > kLast) d = kLast;
  return FormatDate(d);
}

int64_t Amount(Reader& in, bool may_be_negative) {
  const uint8_t mode = in.U8() % 16;
  int64_t v;
  if (mode == 0) {
    v = std::numeric_limits<int64_t>::max() - in.U8();
  } else if (mode == 1) {
    v = static_cast<int64_t>(in.U64() >> 1);
  } else {
    v = static_cast<int64_t>(in.U16()) * 100;
  }
  if (may_be_negative && in.Chance(3)) v = v == std::numeric_limits<int64_t>::min() ? 0 : -v;
  return v;
}

std::string Authority(Reader& in) { return in.Chance(8) ? "Other Council" : "Leeds City Council"; }

Date Anchor(const v1::ContractState* s) {
  if (s != nullptr && !s->current_end_date().empty()) return *ParseDate(s->current_end_date(), "e");
  return kBase;
}

std::string Uuid(uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "f0220000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(n));
  return buf;
}

v1::EventBody MakeBody(Reader& in, const v1::ContractState* state,
                       const std::vector<v1::EventRecord>& accepted) {
  v1::EventBody b;
  const Date anchor = Anchor(state);
  if (!in.Chance(4)) {
    auto* d = b.mutable_decision();
    if (!in.Chance(3)) d->set_reference("DDN-" + std::to_string(in.U8()));
    if (in.Chance(2)) d->set_date(DateNear(in, anchor));
    d->set_key_decision(in.Chance(2));
  }
  if (in.Chance(3)) b.set_effective_date(DateNear(in, anchor));
  uint8_t kind = in.U8() % 10;
  if (state == nullptr && in.Chance(2)) kind = 0;
  switch (kind) {
    case 0: {
      auto* a = b.mutable_award();
      a->set_authority(Authority(in));
      a->set_title("Fuzz contract");
      a->mutable_supplier()->set_name(in.Chance(2) ? "CRI" : "Forward Leeds");
      static const char* kProcedures[] = {"open", "direct_award", "interim", "", "grant"};
      a->set_procedure(kProcedures[in.U8() % 5]);
      a->set_category(in.Chance(3) ? "works" : "");
      const std::string start = DateNear(in, kBase);
      a->set_start_date(start);
      const bool rolling = in.Chance(8);
      if (!rolling) {
        a->set_end_date(
            DateNear(in, ParseDate(start, "s").value_or(kBase) + std::chrono::days{in.U8() * 4}));
      }
      if (!in.Chance(4)) a->set_value_pence(Amount(in, in.Chance(16)));
      if (!in.Chance(3)) a->set_annual_value_pence(Amount(in, false));
      if (in.Chance(4)) a->set_whole_life_value_pence(Amount(in, false));
      if (in.Chance(3)) {
        auto* p = a->add_participants();
        p->set_authority(in.Chance(4) ? "Leeds City Council" : "North Northamptonshire Council");
        if (in.Chance(2)) p->set_share_basis_points(in.U16() % 12000);
      }
      const int options = rolling ? 0 : in.U8() % 4;
      for (int i = 0; i < options; ++i) {
        a->add_extension_options()->set_months(in.Chance(8) ? in.U8() % 130 : 6);
      }
      if (in.Chance(4)) a->set_max_end_date(DateNear(in, anchor));
      if (in.Chance(4)) a->set_notice_period_days(in.U16() % 4000);
      if (in.Chance(4)) a->set_procurement_lead_days(in.U16() % 4000);
      if (in.Chance(3)) {
        std::string waiver = Uuid(0xffff);
        for (const auto& r : accepted) {
          if (r.body().has_waiver() && in.Chance(2)) waiver = r.event_id();
        }
        a->set_waiver_event_id(waiver);
      }
      break;
    }
    case 1: {
      auto* w = b.mutable_waiver();
      if (!in.Chance(4)) w->set_authority(Authority(in));
      w->add_rules("CPR " + std::to_string(in.U8() % 30));
      w->set_justification("continuity");
      w->set_approved_by("Director");
      break;
    }
    case 2: {
      auto* e = b.mutable_extension();
      e->set_new_end_date(DateNear(in, anchor + std::chrono::days{in.U8()}));
      e->set_value_pence_added(Amount(in, in.Chance(16)));
      if (!in.Chance(4)) b.set_effective_date(FormatDate(anchor - std::chrono::days{in.U8()}));
      break;
    }
    case 3: {
      auto* v = b.mutable_variation();
      v->set_description("variation");
      v->set_value_delta_pence(Amount(in, true));
      if (in.Chance(3)) v->set_new_end_date(DateNear(in, anchor));
      if (in.Chance(2)) v->set_legal_basis("reg 72(1)(b)");
      if (in.Chance(6)) {
        v->mutable_participants()->add_participants()->set_authority("Rutland County Council");
      }
      break;
    }
    case 4:
      b.mutable_novation()->mutable_supplier()->set_name("New supplier " + std::to_string(in.U8()));
      break;
    case 5: {
      auto* t = b.mutable_termination();
      t->set_termination_date(DateNear(in, anchor - std::chrono::days{in.U8()}));
      static const char* kReasons[] = {"convenience", "breach", "mutual", "superseded", "bogus"};
      t->set_reason(kReasons[in.U8() % 5]);
      break;
    }
    case 6: {
      auto* f = b.mutable_funding();
      f->set_funder(in.Chance(2) ? "Leeds City Council" : "Home Office");
      const int y = 2010 + in.U8() % 20;
      f->set_financial_year(std::to_string(y) + "/" + std::to_string((y + 1) % 100));
      f->set_amount_pence(Amount(in, in.Chance(16)));
      f->set_conditional_on_extension(in.Chance(3));
      if (in.Chance(3)) f->set_conditional_on_option(in.U8() % 5);
      break;
    }
    case 8:
      b.mutable_option_declined()->set_option(in.Chance(2) ? 0 : in.U8() % 4);
      break;
    case 9:
      b.mutable_expiry()->set_reason("ended");
      break;
    case 7: {
      auto* c = b.mutable_correction();
      if (!accepted.empty() && !in.Chance(8)) {
        c->set_corrects_event_id(accepted[in.U8() % accepted.size()].event_id());
      } else {
        c->set_corrects_event_id(Uuid(0xfffe));
      }
      c->set_reason("entered in error");
      break;
    }
  }
  return b;
}

std::string Bytes(const google::protobuf::Message& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

[[noreturn]] void Broken(const std::string& what, const std::vector<v1::EventRecord>& events,
                         const v1::ContractState& state) {
  std::fprintf(stderr, "lifecycle invariant broken: %s\n", what.c_str());
  for (const auto& e : events) std::fprintf(stderr, "event: %s\n", ToJson(e).c_str());
  std::fprintf(stderr, "state: %s\n", ToJson(state).c_str());
  std::abort();
}

}  // namespace

void Lifecycle(const uint8_t* data, size_t size) {
  Reader in(data, size);
  domain::Rules rules;
  if (in.Chance(4)) rules.key_decision_threshold_pence = Amount(in, false);
  std::vector<v1::EventRecord> accepted;
  std::optional<v1::ContractState> state;
  const Date recorded_day = *ParseDate("2020-01-01", "day");
  for (int n = 0; n < kMaxEvents && !in.empty(); ++n) {
    const v1::EventBody raw = MakeBody(in, state ? &*state : nullptr, accepted);
    if (!ValidateBody(raw)) continue;  // Next requires a valid, normalised body
    auto body = NormalizeBody(raw, Uuid(n), recorded_day);
    if (!body) continue;
    v1::EventRecord rec;
    rec.set_sequence(accepted.size() + 1);
    rec.set_contract_id(kContract);
    rec.set_version(state ? state->version() + 1 : 1);
    rec.set_event_id(body->event_id());
    rec.set_type(EventType(*body));
    rec.set_effective_date(body->effective_date());
    rec.set_recorded_at_us(1'600'000'000'000'000 + n);
    rec.set_recorded_by("fuzz");
    *rec.mutable_body() = std::move(*body);

    auto next = domain::Next(state ? &*state : nullptr, rec, accepted, rules);
    if (!next) {
      if (next.error().name().empty() || next.error().message.empty()) {
        Broken("a refusal without a code or message", accepted,
               state.value_or(v1::ContractState{}));
      }
      continue;
    }
    accepted.push_back(rec);
    const v1::ContractState& s = *next;
    // The write path skips re-encoding the alerts entries when SameAlertEntries says so.
    if (state && domain::SameAlertEntries(*state, s)) {
      std::string a, b;
      for (const auto& e : domain::AlertEntriesFor(*state)) a += e.SerializeAsString() + "|";
      for (const auto& e : domain::AlertEntriesFor(s)) b += e.SerializeAsString() + "|";
      if (a != b) Broken("SameAlertEntries holds but the alerts entries differ", accepted, s);
    }
    if (s.version() != rec.version()) Broken("the version is not the event's", accepted, s);
    if (s.contract_id() != kContract) Broken("the state names another contract", accepted, s);
    if (!s.start_date().empty() && !s.current_end_date().empty() &&
        s.current_end_date() < s.start_date()) {
      Broken("current_end_date is before start_date", accepted, s);
    }
    if (s.options_used() < 0 || s.options_used() > s.options_total()) {
      Broken("options_used is outside 0..options_total", accepted, s);
    }
    if (s.options_declined() < 0 || s.options_used() + s.options_declined() > s.options_total()) {
      Broken("options used and declined exceed options_total", accepted, s);
    }
    if (s.funding_declined_pence() < 0) Broken("declined funding is negative", accepted, s);
    if (state && state->status() == "expired" && !rec.body().has_correction() &&
        s.status() != "expired") {
      Broken("an expired contract came back to life without a correction", accepted, s);
    }
    if (s.options_total() != s.extension_options_size()) {
      Broken("options_total is not the number of options", accepted, s);
    }
    if (s.current_value_pence() < 0) Broken("the value is negative", accepted, s);
    if (s.funding_committed_pence() < 0 || s.funding_conditional_pence() < 0) {
      Broken("committed funding is negative", accepted, s);
    }
    if (state && state->status() == "terminated" && !rec.body().has_correction() &&
        s.status() != "terminated") {
      Broken("a terminated contract came back to life without a correction", accepted, s);
    }
    for (const auto& date : {s.start_date(), s.current_end_date(), s.original_end_date()}) {
      if (!date.empty() && !ParseDate(date, "date")) {
        Broken("the state holds a date outside the valid range: " + date, accepted, s);
      }
    }
    auto replayed = domain::Replay(accepted, rules);
    if (!replayed) {
      Broken("Replay refuses the accepted stream: " + replayed.error().ToString(), accepted, s);
    }
    if (Bytes(*replayed) != Bytes(s)) {
      std::fprintf(stderr, "replayed: %s\n", ToJson(*replayed).c_str());
      Broken("Replay differs from the incremental state", accepted, s);
    }
    state = std::move(*next);
  }
}

}  // namespace contrack::fuzz

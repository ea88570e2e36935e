// Field-level validation of event bodies.
#include "domain/validate.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "domain/regime.h"

namespace contrack {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// True when `s` is valid UTF-8 without control characters other than tab, CR and LF.
bool CleanUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {  // printable ASCII, most of any text: no decoding needed
      ++i;
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return false;
    const size_t n = Utf8SequenceLength(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

Result<void> Text(std::string_view value, std::string_view field, size_t max, bool required) {
  if (required && value.empty()) {
    return Fail(kInvalidArgument, std::string(field) + " is required");
  }
  if (value.size() > max) {
    return Fail(kInvalidArgument, std::string(field) + " is " + std::to_string(value.size()) +
                                      " bytes long; the limit is " + std::to_string(max));
  }
  if (!CleanUtf8(value)) {
    return Fail(kInvalidArgument,
                std::string(field) + " is not valid UTF-8 text (or holds control characters)");
  }
  return {};
}

Result<void> OptionalDate(std::string_view value, std::string_view field) {
  if (value.empty()) return {};
  auto d = ParseDate(value, field);
  if (!d) return std::unexpected(d.error());
  return {};
}

Result<void> RequiredDate(std::string_view value, std::string_view field) {
  if (value.empty()) return Fail(kInvalidArgument, std::string(field) + " is required");
  return OptionalDate(value, field);
}

template <size_t N>
Result<void> OneOf(std::string_view value, std::string_view field,
                   const std::array<std::string_view, N>& allowed, bool required) {
  if (value.empty() && !required) return {};
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return {};
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return Fail(kInvalidArgument, std::string(field) + ": \"" + std::string(value.substr(0, 64)) +
                                    "\" is not one of " + list);
}

Result<void> NonNegative(int64_t value, std::string_view field) {
  if (value < 0) {
    return Fail(kInvalidArgument,
                std::string(field) + " is " + std::to_string(value) + "; it must be >= 0");
  }
  return {};
}

Result<void> OptionalNonNegative(bool present, int64_t value, std::string_view field) {
  return present ? NonNegative(value, field) : Result<void>{};
}

inline constexpr int kMaxParticipants = 32;

Result<void> Participants(const google::protobuf::RepeatedPtrField<v1::Participant>& list,
                          const std::string& field) {
  if (list.size() > kMaxParticipants) {
    return Fail(kInvalidArgument, field + " has " + std::to_string(list.size()) +
                                      " entries; the limit is " + std::to_string(kMaxParticipants));
  }
  int64_t total_bp = 0;
  for (int i = 0; i < list.size(); ++i) {
    const auto& p = list[i];
    const std::string f = field + "[" + std::to_string(i) + "]";
    if (auto r = Text(p.authority(), f + ".authority", kMaxNameLength, true); !r) return r;
    if (auto r = Text(p.role(), f + ".role", kMaxNameLength, false); !r) return r;
    if (p.has_share_basis_points()) {
      if (p.share_basis_points() < 0 || p.share_basis_points() > 10000) {
        return Fail(kInvalidArgument, f + ".share_basis_points is " +
                                          std::to_string(p.share_basis_points()) +
                                          "; it must be 0..10000 (100.00%)");
      }
      total_bp += p.share_basis_points();
    }
    for (int j = 0; j < i; ++j) {
      if (list[j].authority() == p.authority()) {
        return Fail(kInvalidArgument, f + ".authority " + p.authority() + " is listed twice");
      }
    }
  }
  if (total_bp > 10000) {
    return Fail(kInvalidArgument, field + " shares add up to " + std::to_string(total_bp) +
                                      " basis points; they cannot exceed 10000 (100%)");
  }
  return {};
}

Result<void> Supplier(const v1::Supplier& s, std::string_view field) {
  if (auto r = Text(s.name(), std::string(field) + ".name", kMaxNameLength, true); !r) return r;
  return Text(s.id(), std::string(field) + ".id", kMaxNameLength, false);
}

#define CT_CHECK(expr)        \
  do {                        \
    auto ct_r_ = (expr);      \
    if (!ct_r_) return ct_r_; \
  } while (0)

constexpr std::array<std::string_view, 9> kProcedures = {
    "open",       "restricted",   "competitive_flexible",
    "negotiated", "direct_award", "framework_call_off",
    "interim",    "grant",        "other"};
constexpr std::array<std::string_view, 3> kCategories = {"services", "goods", "works"};
constexpr std::array<std::string_view, 5> kTerminationReasons = {"convenience", "breach", "mutual",
                                                                 "superseded", "other"};

Result<void> ValidateAward(const v1::Award& a) {
  CT_CHECK(Text(a.authority(), "award.authority", kMaxNameLength, true));
  CT_CHECK(Text(a.title(), "award.title", kMaxNameLength, true));
  CT_CHECK(Text(a.description(), "award.description", kMaxTextLength, false));
  CT_CHECK(Text(a.department(), "award.department", kMaxNameLength, false));
  if (!a.has_supplier()) return Fail(kInvalidArgument, "award.supplier.name is required");
  CT_CHECK(Supplier(a.supplier(), "award.supplier"));
  CT_CHECK(OneOf(a.procedure(), "award.procedure", kProcedures, false));
  CT_CHECK(OneOf(a.regime(), "award.regime", domain::kAwardRegimes, false));
  CT_CHECK(OptionalDate(a.procurement_started_on(), "award.procurement_started_on"));
  CT_CHECK(OptionalDate(a.entered_into_date(), "award.entered_into_date"));
  CT_CHECK(Text(a.exemption(), "award.exemption", kMaxNameLength, false));
  CT_CHECK(OneOf(a.category(), "award.category", kCategories, false));
  CT_CHECK(RequiredDate(a.start_date(), "award.start_date"));
  CT_CHECK(OptionalDate(a.end_date(), "award.end_date"));
  CT_CHECK(OptionalDate(a.review_date(), "award.review_date"));
  CT_CHECK(OptionalDate(a.max_end_date(), "award.max_end_date"));
  CT_CHECK(OptionalNonNegative(a.has_value_pence(), a.value_pence(), "award.value_pence"));
  CT_CHECK(OptionalNonNegative(a.has_annual_value_pence(), a.annual_value_pence(),
                               "award.annual_value_pence"));
  CT_CHECK(OptionalNonNegative(a.has_vat_not_recoverable_pence(), a.vat_not_recoverable_pence(),
                               "award.vat_not_recoverable_pence"));
  CT_CHECK(OptionalNonNegative(a.has_whole_life_value_pence(), a.whole_life_value_pence(),
                               "award.whole_life_value_pence"));
  CT_CHECK(Participants(a.participants(), "award.participants"));
  if (a.end_date().empty() && (a.extension_options_size() > 0 || !a.max_end_date().empty())) {
    return Fail(kInvalidArgument,
                "award.end_date is required when the award has extension_options or a "
                "max_end_date (a contract without an end date is rolling: it has no options)");
  }
  if (a.extension_options_size() > kMaxExtensionOptions) {
    return Fail(kInvalidArgument,
                "award.extension_options has " + std::to_string(a.extension_options_size()) +
                    " entries; the limit is " + std::to_string(kMaxExtensionOptions));
  }
  for (int i = 0; i < a.extension_options_size(); ++i) {
    const int m = a.extension_options(i).months();
    if (m < 1 || m > kMaxOptionMonths) {
      return Fail(kInvalidArgument, "award.extension_options[" + std::to_string(i) +
                                        "].months is " + std::to_string(m) + "; it must be 1.." +
                                        std::to_string(kMaxOptionMonths));
    }
  }
  if (a.has_notice_period_days() &&
      (a.notice_period_days() < 0 || a.notice_period_days() > kMaxDays)) {
    return Fail(kInvalidArgument, "award.notice_period_days is " +
                                      std::to_string(a.notice_period_days()) + "; it must be 0.." +
                                      std::to_string(kMaxDays));
  }
  if (a.has_procurement_lead_days() &&
      (a.procurement_lead_days() < 0 || a.procurement_lead_days() > kMaxDays)) {
    return Fail(kInvalidArgument, "award.procurement_lead_days is " +
                                      std::to_string(a.procurement_lead_days()) +
                                      "; it must be 0.." + std::to_string(kMaxDays));
  }
  if (!a.waiver_event_id().empty()) {
    auto id = NormalizeEventId(a.waiver_event_id(), "award.waiver_event_id");
    if (!id) return std::unexpected(id.error());
  }
  return {};
}

Result<void> ValidatePayload(const v1::EventBody& body) {
  switch (body.payload_case()) {
    case v1::EventBody::kAward:
      return ValidateAward(body.award());
    case v1::EventBody::kWaiver: {
      const auto& w = body.waiver();
      CT_CHECK(Text(w.authority(), "waiver.authority", kMaxNameLength, false));
      if (w.rules_size() == 0) return Fail(kInvalidArgument, "waiver.rules is required");
      if (w.rules_size() > 64) return Fail(kInvalidArgument, "waiver.rules has over 64 entries");
      for (const auto& r : w.rules()) CT_CHECK(Text(r, "waiver.rules[]", kMaxNameLength, true));
      CT_CHECK(Text(w.justification(), "waiver.justification", kMaxTextLength, true));
      CT_CHECK(Participants(w.participants(), "waiver.participants"));
      return Text(w.approved_by(), "waiver.approved_by", kMaxNameLength, true);
    }
    case v1::EventBody::kExtension:
      CT_CHECK(RequiredDate(body.extension().new_end_date(), "extension.new_end_date"));
      return NonNegative(body.extension().value_pence_added(), "extension.value_pence_added");
    case v1::EventBody::kVariation: {
      const auto& v = body.variation();
      CT_CHECK(Text(v.description(), "variation.description", kMaxTextLength, true));
      CT_CHECK(OptionalDate(v.new_end_date(), "variation.new_end_date"));
      if (v.has_participants()) {
        CT_CHECK(Participants(v.participants().participants(), "variation.participants"));
      }
      return Text(v.legal_basis(), "variation.legal_basis", kMaxNameLength, false);
    }
    case v1::EventBody::kNovation:
      if (!body.novation().has_supplier()) {
        return Fail(kInvalidArgument, "novation.supplier.name is required");
      }
      CT_CHECK(Supplier(body.novation().supplier(), "novation.supplier"));
      return Text(body.novation().reason(), "novation.reason", kMaxTextLength, false);
    case v1::EventBody::kTermination: {
      const auto& t = body.termination();
      CT_CHECK(RequiredDate(t.termination_date(), "termination.termination_date"));
      CT_CHECK(OneOf(t.reason(), "termination.reason", kTerminationReasons, true));
      return Text(t.rule(), "termination.rule", kMaxNameLength, false);
    }
    case v1::EventBody::kFunding: {
      const auto& f = body.funding();
      CT_CHECK(Text(f.funder(), "funding.funder", kMaxNameLength, true));
      if (f.financial_year().empty()) {
        return Fail(kInvalidArgument, "funding.financial_year is required");
      }
      if (auto fy = ParseFinancialYear(f.financial_year(), "funding.financial_year"); !fy) {
        return std::unexpected(fy.error());
      }
      if (f.conditional_on_option() < 0 || f.conditional_on_option() > kMaxExtensionOptions) {
        return Fail(kInvalidArgument,
                    "funding.conditional_on_option is " +
                        std::to_string(f.conditional_on_option()) + "; it must be 1.." +
                        std::to_string(kMaxExtensionOptions) + " (or 0: unconditional)");
      }
      return NonNegative(f.amount_pence(), "funding.amount_pence");
    }
    case v1::EventBody::kOptionDeclined: {
      const auto& o = body.option_declined();
      if (o.option() < 0 || o.option() > kMaxExtensionOptions) {
        return Fail(kInvalidArgument,
                    "option_declined.option is " + std::to_string(o.option()) + "; it must be 1.." +
                        std::to_string(kMaxExtensionOptions) + " (or 0: the next option)");
      }
      return Text(o.reason(), "option_declined.reason", kMaxTextLength, false);
    }
    case v1::EventBody::kExpiry:
      return Text(body.expiry().reason(), "expiry.reason", kMaxTextLength, false);
    case v1::EventBody::kCorrection: {
      const auto& c = body.correction();
      if (c.corrects_event_id().empty()) {
        return Fail(kInvalidArgument, "correction.corrects_event_id is required");
      }
      auto id = NormalizeEventId(c.corrects_event_id(), "correction.corrects_event_id");
      if (!id) return std::unexpected(id.error());
      return Text(c.reason(), "correction.reason", kMaxTextLength, true);
    }
    case v1::EventBody::kAuthorityReassignment: {
      const auto& a = body.authority_reassignment();
      CT_CHECK(Text(a.authority(), "authority_reassignment.authority", kMaxNameLength, true));
      return Text(a.reason(), "authority_reassignment.reason", kMaxTextLength, true);
    }
    case v1::EventBody::kNoticePublished: {
      const auto& n = body.notice_published();
      CT_CHECK(OneOf(n.notice_type(), "notice_published.notice_type", domain::kNoticeTypes, true));
      CT_CHECK(Text(n.reference(), "notice_published.reference", kMaxNameLength, true));
      CT_CHECK(RequiredDate(n.published_on(), "notice_published.published_on"));
      if (!body.effective_date().empty() && body.effective_date() != n.published_on()) {
        return Fail(kInvalidArgument,
                    "a notice_published event is effective on its published_on (" +
                        n.published_on() + "); effective_date " + body.effective_date() +
                        " differs: leave it out");
      }
      if (n.discharges_event_id().empty()) {
        if (domain::NoticeNamesModification(n.notice_type())) {
          return Fail(kInvalidArgument, "notice_published.discharges_event_id is required for a " +
                                            n.notice_type() +
                                            ": the id of the variation it publishes");
        }
        return {};
      }
      auto id = NormalizeEventId(n.discharges_event_id(), "notice_published.discharges_event_id");
      if (!id) return std::unexpected(id.error());
      return {};
    }
    case v1::EventBody::PAYLOAD_NOT_SET:
      break;
  }
  return Fail(kInvalidArgument,
              "event has no payload: give exactly one of award, waiver, extension, variation, "
              "novation, termination, funding, correction, authority_reassignment");
}

}  // namespace

size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c == 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c == 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = Utf8SequenceLength(s.substr(i));
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

Result<void> ValidateContractId(std::string_view id) {
  if (id.empty()) return Fail(kInvalidArgument, "contract_id is required");
  if (id.size() > kMaxContractIdLength) {
    return Fail(kInvalidArgument, "contract_id is " + std::to_string(id.size()) +
                                      " characters long; the limit is " +
                                      std::to_string(kMaxContractIdLength));
  }
  if (!std::isalnum(static_cast<unsigned char>(id[0]))) {
    return Fail(kInvalidArgument, "contract_id must start with a letter or digit");
  }
  for (char c : id) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!ok) {
      std::string shown = (c >= 0x20 && c < 0x7f) ? std::string(1, c) : "a control/non-ASCII byte";
      return Fail(kInvalidArgument,
                  "contract_id may hold only letters, digits, '-', '_' and '.'; "
                  "found '" +
                      shown + "'");
    }
  }
  return {};
}

Result<std::string> NormalizeEventId(std::string_view id, std::string_view field) {
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  bool ok = id.size() == 36;
  size_t pos = 0;
  for (int g = 0; ok && g < 5; ++g) {
    for (int i = 0; i < kGroups[g]; ++i, ++pos) ok = ok && IsHex(id[pos]);
    if (g < 4) ok = ok && id[pos++] == '-';
  }
  if (!ok) {
    return Fail(kInvalidArgument, std::string(field) + ": \"" + std::string(id.substr(0, 64)) +
                                      "\" is not a UUID (8-4-4-4-12 hex digits)");
  }
  std::string out(id);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string EventType(const v1::EventBody& body) {
  switch (body.payload_case()) {
    case v1::EventBody::kAward:
      return "award";
    case v1::EventBody::kWaiver:
      return "waiver";
    case v1::EventBody::kExtension:
      return "extension";
    case v1::EventBody::kVariation:
      return "variation";
    case v1::EventBody::kNovation:
      return "novation";
    case v1::EventBody::kTermination:
      return "termination";
    case v1::EventBody::kFunding:
      return "funding";
    case v1::EventBody::kCorrection:
      return "correction";
    case v1::EventBody::kAuthorityReassignment:
      return "authority_reassignment";
    case v1::EventBody::kOptionDeclined:
      return "option_declined";
    case v1::EventBody::kExpiry:
      return "expiry";
    case v1::EventBody::kNoticePublished:
      return "notice_published";
    case v1::EventBody::PAYLOAD_NOT_SET:
      break;
  }
  return "";
}

Result<void> ValidateBody(const v1::EventBody& body) {
  if (!body.event_id().empty()) {
    auto id = NormalizeEventId(body.event_id(), "event_id");
    if (!id) return std::unexpected(id.error());
  }
  CT_CHECK(OptionalDate(body.effective_date(), "effective_date"));
  CT_CHECK(Text(body.note(), "note", kMaxTextLength, false));
  if (body.has_decision()) {
    const auto& d = body.decision();
    CT_CHECK(Text(d.reference(), "decision.reference", kMaxNameLength, false));
    CT_CHECK(Text(d.maker(), "decision.maker", kMaxNameLength, false));
    CT_CHECK(OptionalDate(d.date(), "decision.date"));
  }
  return ValidatePayload(body);
}

Result<v1::EventBody> NormalizeBody(const v1::EventBody& body, const std::string& generated_id,
                                    Date recorded_day) {
  v1::EventBody out = body;
  out.clear_contract_id();
  out.clear_expected_version();
  out.clear_recorded_at();
  out.clear_recorded_by();
  if (out.event_id().empty()) {
    out.set_event_id(generated_id);
  }
  auto id = NormalizeEventId(out.event_id(), "event_id");
  if (!id) return std::unexpected(id.error());
  out.set_event_id(*id);
  if (out.has_award() && !out.award().waiver_event_id().empty()) {
    auto wid = NormalizeEventId(out.award().waiver_event_id(), "award.waiver_event_id");
    if (!wid) return std::unexpected(wid.error());
    out.mutable_award()->set_waiver_event_id(*wid);
  }
  if (out.has_notice_published() && !out.notice_published().discharges_event_id().empty()) {
    auto did = NormalizeEventId(out.notice_published().discharges_event_id(),
                                "notice_published.discharges_event_id");
    if (!did) return std::unexpected(did.error());
    out.mutable_notice_published()->set_discharges_event_id(*did);
  }
  if (out.has_correction()) {
    auto cid =
        NormalizeEventId(out.correction().corrects_event_id(), "correction.corrects_event_id");
    if (!cid) return std::unexpected(cid.error());
    out.mutable_correction()->set_corrects_event_id(*cid);
  }
  if (out.effective_date().empty()) {
    if (out.has_award()) {
      out.set_effective_date(out.award().start_date());
    } else if (out.has_termination()) {
      out.set_effective_date(out.termination().termination_date());
    } else if (out.has_notice_published()) {
      out.set_effective_date(out.notice_published().published_on());
    } else if (out.has_decision() && !out.decision().date().empty()) {
      out.set_effective_date(out.decision().date());
    } else {
      out.set_effective_date(FormatDate(recorded_day));
    }
  }
  return out;
}

}  // namespace contrack

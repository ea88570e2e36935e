// The procurement regime of a contract and its threshold (docs/rules.md, "Procurement regime and
// notice obligations"; the figures: docs/legal-sources.md).
#include "domain/regime.h"

#include <algorithm>
#include <cctype>

namespace contrack::domain {
namespace {

using std::chrono::January;
using std::chrono::year;

Date D(const std::string& s) { return StoredDate(s); }

// One row of thresholds, in force for procurements begun on or after `from` (pence).
struct ThresholdRow {
  Date from;
  int64_t goods_services;  // sub-central authority
  int64_t works;
  int64_t light_touch;
};

// PA 2023 Sch. 1 as amended (SI 2025/163, SI 2025/1200): rows 12, 10 and 8.
constexpr ThresholdRow kPa2023[] = {
    {kPa2023InForce, 214904'00, 5372609'00, 663540'00},
    {year{2026} / January / 1, 207720'00, 5193000'00, 663540'00},
};

// PCR 2015 reg. 5 as revised every two years (sub-central, works, light touch); VAT inclusive
// from 1 January 2022. The 2018 and 2020 rows are unverified (docs/legal-sources.md).
constexpr ThresholdRow kPcr2015[] = {
    {year{2015} / January / 1, 172514'00, 4322012'00, 625050'00},
    {year{2016} / January / 1, 164176'00, 4104394'00, 589148'00},
    {year{2018} / January / 1, 181302'00, 4551413'00, 615278'00},
    {year{2020} / January / 1, 189330'00, 4733252'00, 663540'00},
    {year{2022} / January / 1, 213477'00, 5336937'00, 663540'00},
    {year{2024} / January / 1, 214904'00, 5372609'00, 663540'00},
};

template <size_t N>
const ThresholdRow& RowOn(const ThresholdRow (&rows)[N], Date d) {
  const ThresholdRow* row = &rows[0];
  for (const auto& r : rows) {
    if (r.from <= d) row = &r;
  }
  return *row;
}

// The end the award's options reach, capped at its max_end_date; "" for a rolling contract.
std::string AwardMaxExtent(const v1::Award& a) {
  if (a.end_date().empty()) return "";
  Date end = D(a.end_date());
  for (const auto& o : a.extension_options()) end = PeriodEnd(end, o.months());
  if (!a.max_end_date().empty() && D(a.max_end_date()) < end) end = D(a.max_end_date());
  return FormatDate(end);
}

}  // namespace

bool NoticeNamesModification(std::string_view notice_type) {
  return notice_type == kNoticeContractChange || notice_type == kNoticeModification;
}

bool NoticeReferenceIsUrl(std::string_view reference) {
  auto starts_with = [&](std::string_view prefix) {
    if (reference.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(reference[i])) != prefix[i]) return false;
    }
    return true;
  };
  size_t host = 0;
  if (starts_with("https://")) {
    host = 8;
  } else if (starts_with("http://")) {
    host = 7;
  } else {
    return false;
  }
  if (host >= reference.size() || reference[host] == '/' || reference[host] == '?' ||
      reference[host] == '#') {
    return false;
  }
  constexpr std::string_view kExcluded = "\"<>\\^`{|}";
  for (const char c : reference) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || kExcluded.find(c) != std::string_view::npos) return false;
  }
  return true;
}

RegimeDecision RegimeOf(const v1::Award& a, const v1::Decision& decision) {
  const std::string& stated = a.regime();
  if (!stated.empty() && stated != kRegimeBelowThreshold) return {stated, "stated", ""};
  RegimeDecision out;
  if (!a.procurement_started_on().empty()) {
    out.basis = "procurement_started_on";
    out.procurement_started_on = a.procurement_started_on();
  } else if (!decision.date().empty()) {
    out.basis = "decision_date";
    out.procurement_started_on = decision.date();
  } else {
    out.basis = "start_date";
    out.procurement_started_on = a.start_date();
  }
  out.regime = D(out.procurement_started_on) < kPa2023InForce ? kRegimePcr2015 : kRegimePa2023;
  return out;
}

std::optional<int64_t> ThresholdPence(std::string_view regime, std::string_view category,
                                      bool light_touch, Date procurement_start) {
  const ThresholdRow* row = nullptr;
  if (regime == kRegimePa2023) {
    row = &RowOn(kPa2023, procurement_start);
  } else if (regime == kRegimePcr2015) {
    row = &RowOn(kPcr2015, procurement_start);
  } else {
    return std::nullopt;
  }
  if (light_touch) return row->light_touch;
  return category == "works" ? row->works : row->goods_services;
}

std::optional<int64_t> EstimatedValue(const v1::ContractState& s) {
  if (s.has_whole_life_value_pence()) return s.whole_life_value_pence();
  if (s.has_current_value_pence()) return s.current_value_pence();
  return std::nullopt;
}

void ApplyProcurementTerms(v1::ContractState* s, const v1::EventBody& body) {
  const v1::Award& a = body.award();
  const RegimeDecision r = RegimeOf(a, body.decision());
  s->set_procurement_regime(r.regime);
  s->set_regime_basis(r.basis);
  s->set_procurement_started_on(r.procurement_started_on);
  s->clear_above_threshold();
  s->clear_threshold_pence();
  s->clear_above_threshold_basis();
  if (a.has_above_threshold()) {
    s->set_above_threshold(a.above_threshold());
    s->set_above_threshold_basis("stated");
  } else if (a.regime() == kRegimeBelowThreshold) {
    s->set_above_threshold(false);
    s->set_above_threshold_basis(kRegimeBelowThreshold);
  } else {
    const Date start =
        r.procurement_started_on.empty() ? D(a.start_date()) : D(r.procurement_started_on);
    const auto threshold = ThresholdPence(r.regime, s->category(), a.light_touch(), start);
    const auto value = EstimatedValue(*s);
    if (threshold) s->set_threshold_pence(*threshold);
    if (threshold && value) {
      s->set_above_threshold(*value >= *threshold);
      s->set_above_threshold_basis("derived");
    }
  }
  s->set_exemption(a.exemption());
  s->set_kpis(a.kpis());
  if (!a.entered_into_date().empty()) {
    s->set_entered_into_date(a.entered_into_date());
  } else if (!body.decision().date().empty()) {
    s->set_entered_into_date(body.decision().date());
  } else {
    s->set_entered_into_date(a.start_date());
  }
  s->set_award_max_extent_date(AwardMaxExtent(a));
}

}  // namespace contrack::domain

// CSV output.
#include "tools/cli/csv.h"

#include "domain/format_text.h"
#include "tools/cli/render.h"

namespace contrack::cli {
namespace {

std::string Pounds(bool stated, int64_t pence) {
  return stated ? FormatPoundsPlain(pence) : std::string();
}

// The money an event states, or "" when it states none. Extension and variation amounts are
// plain int64 fields in the schema: 0 there means nothing stated.
std::string Amount(const v1::EventBody& b) {
  switch (b.payload_case()) {
    case v1::EventBody::kAward:
      return Pounds(b.award().has_value_pence(), b.award().value_pence());
    case v1::EventBody::kExtension:
      return Pounds(b.extension().value_pence_added() != 0, b.extension().value_pence_added());
    case v1::EventBody::kVariation:
      return Pounds(b.variation().value_delta_pence() != 0, b.variation().value_delta_pence());
    case v1::EventBody::kFunding:
      return FormatPoundsPlain(b.funding().amount_pence());
    default:
      return "";
  }
}

std::string EndDate(const v1::EventBody& b) {
  switch (b.payload_case()) {
    case v1::EventBody::kAward:
      return b.award().end_date();
    case v1::EventBody::kExtension:
      return b.extension().new_end_date();
    case v1::EventBody::kVariation:
      return b.variation().new_end_date();
    case v1::EventBody::kTermination:
      return b.termination().termination_date();
    default:
      return "";
  }
}

}  // namespace

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvRow(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += CsvField(fields[i]);
  }
  return out + "\r\n";
}

std::string AlertsCsv(const v1::AlertsResponse& alerts) {
  std::string out = CsvRow({"deadline", "days_left", "action", "contract_id", "end_date",
                            "options_left", "value", "authority", "title", "supplier"});
  for (const auto& a : alerts.alerts()) {
    out += CsvRow({a.deadline(), std::to_string(a.days_left()), a.action(), a.contract_id(),
                   a.end_date(), std::to_string(a.options_left()),
                   Pounds(a.has_value_pence(), a.value_pence()), a.authority(), a.title(),
                   a.supplier()});
  }
  return out;
}

std::string HistoryCsv(const std::vector<v1::HistoryEntry>& events) {
  std::string out =
      CsvRow({"sequence", "version", "type", "event_id", "effective_date", "recorded_at",
              "recorded_by", "decision_reference", "decision_maker", "decision_date", "amount",
              "end_date", "retracted", "summary", "hash", "prev_hash"});
  for (const auto& e : events) {
    const auto& b = e.body();
    out +=
        CsvRow({std::to_string(e.sequence()), std::to_string(e.version()), e.type(), e.event_id(),
                e.effective_date(), e.recorded_at(), e.recorded_by(), b.decision().reference(),
                b.decision().maker(), b.decision().date(), Amount(b), EndDate(b),
                e.retracted() ? "true" : "false", EventSummary(b), e.hash(), e.prev_hash()});
  }
  return out;
}

std::string FundingCsv(const v1::FundingReport& report) {
  std::string out =
      CsvRow({"funder", "authority", "financial_year", "committed", "conditional", "contracts"});
  for (const auto& r : report.rows()) {
    out += CsvRow({r.funder(), r.authority(), r.financial_year(),
                   FormatPoundsPlain(r.committed_pence()), FormatPoundsPlain(r.conditional_pence()),
                   std::to_string(r.contracts())});
  }
  return out;
}

}  // namespace contrack::cli

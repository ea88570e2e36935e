// Contract register and funding report.
#include "services/views/reports.h"

#include <cstdio>
#include <map>
#include <tuple>

#include "domain/format_text.h"

namespace contrack::views {
namespace {

std::string Field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

const char* YesNo(bool b) { return b ? "Yes" : "No"; }

}  // namespace

std::string RegisterCsv(std::span<const v1::ContractState> states) {
  static constexpr const char* kHeader[] = {"Reference",
                                            "Authority",
                                            "Title",
                                            "Department",
                                            "Description",
                                            "Supplier",
                                            "Supplier registration number",
                                            "SME",
                                            "VCSE",
                                            "Total value (GBP)",
                                            "VAT not recoverable (GBP)",
                                            "Start date",
                                            "End date",
                                            "Review date",
                                            "Procedure",
                                            "Status"};
  std::string out;
  for (size_t i = 0; i < std::size(kHeader); ++i) out += (i ? "," : "") + std::string(kHeader[i]);
  out += "\r\n";
  for (const auto& s : states) {
    if (s.award_event_id().empty()) continue;  // waived but not yet awarded: not a contract
    const std::string row[] = {s.contract_id(),
                               s.authority(),
                               s.title(),
                               s.department(),
                               s.description(),
                               s.supplier().name(),
                               s.supplier().id(),
                               YesNo(s.supplier().sme()),
                               YesNo(s.supplier().vcse()),
                               FormatPoundsPlain(s.current_value_pence()),
                               FormatPoundsPlain(s.vat_not_recoverable_pence()),
                               s.start_date(),
                               s.current_end_date(),
                               s.review_date(),
                               s.procedure(),
                               s.status()};
    for (size_t i = 0; i < std::size(row); ++i) out += (i ? "," : "") + Field(row[i]);
    out += "\r\n";
  }
  return out;
}

v1::FundingReport FundingReportOf(std::span<const v1::ContractState> states) {
  std::map<std::tuple<std::string, std::string, std::string>, v1::FundingRow> rows;
  v1::FundingReport report;
  for (const auto& s : states) {
    for (const auto& f : s.funding()) {
      auto& row = rows[{f.funder(), s.authority(), f.financial_year()}];
      row.set_funder(f.funder());
      row.set_authority(s.authority());
      row.set_financial_year(f.financial_year());
      // Totals cannot overflow: each state's funding totals already fit int64, and a report
      // spanning many contracts saturates rather than wraps.
      int64_t sum;
      if (__builtin_add_overflow(row.committed_pence(), f.amount_pence(), &sum)) sum = INT64_MAX;
      row.set_committed_pence(sum);
      if (__builtin_add_overflow(row.conditional_pence(), f.conditional_amount_pence(), &sum)) {
        sum = INT64_MAX;
      }
      row.set_conditional_pence(sum);
      row.set_contracts(row.contracts() + 1);
    }
  }
  for (auto& [key, row] : rows) {
    int64_t sum;
    if (__builtin_add_overflow(report.committed_pence(), row.committed_pence(), &sum))
      sum = INT64_MAX;
    report.set_committed_pence(sum);
    if (__builtin_add_overflow(report.conditional_pence(), row.conditional_pence(), &sum)) {
      sum = INT64_MAX;
    }
    report.set_conditional_pence(sum);
    *report.add_rows() = std::move(row);
  }
  return report;
}

}  // namespace contrack::views

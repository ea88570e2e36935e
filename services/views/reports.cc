// Contract register and funding report.
#include "services/views/reports.h"

#include <cstdio>
#include <map>
#include <optional>
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

// "Yes", "No", or blank when the decision does not say.
std::string YesNo(bool has, bool b) { return has ? (b ? "Yes" : "No") : ""; }

// Pounds, or blank when the value is not stated (never 0.00).
std::string Pounds(bool has, int64_t pence) { return has ? FormatPoundsPlain(pence) : ""; }

// 4860 -> "48.6".
std::string Percent(int32_t basis_points) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%d.%02d", basis_points / 100, basis_points % 100);
  std::string out = buf;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

std::string ParticipantsText(const v1::ContractState& s) {
  std::string out;
  for (const auto& p : s.participants()) {
    out += (out.empty() ? "" : "; ") + p.authority();
    if (p.has_share_basis_points()) out += " " + Percent(p.share_basis_points()) + "%";
  }
  return out;
}

}  // namespace

std::optional<int32_t> ShareOf(const v1::ContractState& s, std::string_view authority) {
  int32_t others = 0;
  for (const auto& p : s.participants()) {
    if (p.authority() == authority) {
      if (!p.has_share_basis_points()) return std::nullopt;
      return p.share_basis_points();
    }
    if (!p.has_share_basis_points()) {
      if (s.authority() == authority) return std::nullopt;  // the lead's remainder is unknown
      continue;
    }
    others += p.share_basis_points();
  }
  if (s.authority() == authority) return 10000 - others;
  return std::nullopt;
}

std::string RegisterCsv(std::span<const v1::ContractState> states, std::string_view authority) {
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
                                            "Annual value (GBP)",
                                            "Whole-life value including options (GBP)",
                                            "VAT not recoverable (GBP)",
                                            "Start date",
                                            "End date",
                                            "Review date",
                                            "Procedure",
                                            "Status",
                                            "Participating authorities"};
  std::string out;
  for (size_t i = 0; i < std::size(kHeader); ++i) out += (i ? "," : "") + std::string(kHeader[i]);
  if (!authority.empty()) out += "," + Field("Share of " + std::string(authority) + " (%)");
  out += ",Regime\r\n";
  for (const auto& s : states) {
    if (s.award_event_id().empty()) continue;  // waived but not yet awarded: not a contract
    const std::string row[] = {
        s.contract_id(),
        s.authority(),
        s.title(),
        s.department(),
        s.description(),
        s.supplier().name(),
        s.supplier().id(),
        YesNo(s.supplier().has_sme(), s.supplier().sme()),
        YesNo(s.supplier().has_vcse(), s.supplier().vcse()),
        Pounds(s.has_current_value_pence(), s.current_value_pence()),
        Pounds(s.has_annual_value_pence(), s.annual_value_pence()),
        Pounds(s.has_whole_life_value_pence(), s.whole_life_value_pence()),
        Pounds(s.has_vat_not_recoverable_pence(), s.vat_not_recoverable_pence()),
        s.start_date(),
        s.current_end_date(),
        s.review_date(),
        s.procedure(),
        s.status(),
        ParticipantsText(s)};
    for (size_t i = 0; i < std::size(row); ++i) out += (i ? "," : "") + Field(row[i]);
    if (!authority.empty()) {
      const auto share = ShareOf(s, authority);
      out += "," + (share ? Percent(*share) : std::string());
    }
    out += "," + Field(s.procurement_regime()) + "\r\n";
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

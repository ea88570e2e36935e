// The contract register CSV (RFC 4180) and the funding report.
#include "services/views/reports.h"

#include <gtest/gtest.h>

namespace contrack::views {
namespace {

v1::ContractState Contract(const std::string& id, const std::string& title) {
  v1::ContractState s;
  s.set_contract_id(id);
  s.set_status("active");
  s.set_authority("Leeds City Council");
  s.set_title(title);
  s.mutable_supplier()->set_name("National Development Team for Inclusion");
  s.mutable_supplier()->set_vcse(true);
  s.set_award_event_id("e");
  s.set_current_value_pence(4760000);
  s.set_start_date("2019-11-01");
  s.set_current_end_date("2021-10-31");
  s.set_procedure("direct_award");
  return s;
}

TEST(RegisterCsvTest, EscapesCommasQuotesAndLineBreaks) {
  std::vector<v1::ContractState> states = {
      Contract("LCC-NDTI", "The \"Art of Commissioning\", programme\nphase 1"),
      Contract("PLAIN", "Plain title"),
  };
  v1::ContractState waiver_only;
  waiver_only.set_contract_id("WAIVED");
  waiver_only.set_status("pre_award");
  states.push_back(waiver_only);
  const std::string csv = RegisterCsv(states);
  const std::string header =
      "Reference,Authority,Title,Department,Description,Supplier,Supplier registration number,"
      "SME,VCSE,Total value (GBP),Annual value (GBP),Whole-life value including options (GBP),"
      "VAT not recoverable (GBP),Start date,End date,Review date,Procedure,Status,"
      "Participating authorities,Regime\r\n";
  ASSERT_EQ(csv.substr(0, header.size()), header);
  // SME, annual and whole-life values and VAT are not stated: blank, never "No" or 0.00.
  EXPECT_NE(csv.find("LCC-NDTI,Leeds City Council,\"The \"\"Art of Commissioning\"\", "
                     "programme\nphase 1\",,,National Development Team for Inclusion,,,Yes,"
                     "47600.00,,,,2019-11-01,2021-10-31,,direct_award,active,,\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\r\nPLAIN,Leeds City Council,Plain title,"), std::string::npos);
  EXPECT_EQ(csv.find("WAIVED"), std::string::npos);  // not awarded: not in the register
  // Three records: header, two contracts; the embedded newline is inside quotes.
  size_t crlf = 0;
  for (size_t p = csv.find("\r\n"); p != std::string::npos; p = csv.find("\r\n", p + 2)) ++crlf;
  EXPECT_EQ(crlf, 3u);
}

TEST(RegisterCsvTest, StatedValuesAndZeroesShowAndTheFilteredAuthoritysShareIsALastColumn) {
  v1::ContractState s = Contract("NNC-WNC-CGL", "Adult treatment");
  s.set_authority("West Northamptonshire Council");
  s.mutable_supplier()->set_sme(false);
  s.set_annual_value_pence(539400000);
  s.set_vat_not_recoverable_pence(0);  // stated as nil: 0.00
  auto* p = s.add_participants();
  p->set_authority("North Northamptonshire Council");
  p->set_share_basis_points(4860);
  const std::vector<v1::ContractState> states = {s};
  const std::string nnc = RegisterCsv(states, "North Northamptonshire Council");
  EXPECT_NE(nnc.find(",Share of North Northamptonshire Council (%),Regime\r\n"), std::string::npos);
  EXPECT_NE(nnc.find(",No,Yes,47600.00,5394000.00,,0.00,"), std::string::npos) << nnc;
  EXPECT_NE(nnc.find(",North Northamptonshire Council 48.6%,48.6,\r\n"), std::string::npos) << nnc;
  // The lead's share is the remainder when every participant's share is stated.
  const std::string wnc = RegisterCsv(states, "West Northamptonshire Council");
  EXPECT_NE(wnc.find(",51.4,\r\n"), std::string::npos) << wnc;
  EXPECT_EQ(ShareOf(s, "Leeds City Council"), std::nullopt);
  p->clear_share_basis_points();
  EXPECT_EQ(ShareOf(s, "West Northamptonshire Council"), std::nullopt);
}

TEST(FundingReportTest, SumsByFunderAuthorityAndYearWithConditionalApart) {
  v1::ContractState a = Contract("A", "a");
  auto* f = a.add_funding();
  f->set_funder("Police and Crime Commissioner for Leicestershire");
  f->set_financial_year("2020/21");
  f->set_amount_pence(11185600);
  f->set_conditional_amount_pence(33556800);
  v1::ContractState b = Contract("B", "b");
  f = b.add_funding();
  f->set_funder("Police and Crime Commissioner for Leicestershire");
  f->set_financial_year("2020/21");
  f->set_amount_pence(37100);
  f = b.add_funding();
  f->set_funder("Office for Health Improvement and Disparities");
  f->set_financial_year("2024/25");
  f->set_amount_pence(20700000);
  const auto report = FundingReportOf(std::vector<v1::ContractState>{a, b});
  ASSERT_EQ(report.rows_size(), 2);
  EXPECT_EQ(report.rows(0).funder(), "Office for Health Improvement and Disparities");
  EXPECT_EQ(report.rows(1).committed_pence(), 11185600 + 37100);
  EXPECT_EQ(report.rows(1).conditional_pence(), 33556800);
  EXPECT_EQ(report.rows(1).contracts(), 2);
  EXPECT_EQ(report.committed_pence(), 11185600 + 37100 + 20700000);
  EXPECT_EQ(report.conditional_pence(), 33556800);
}

}  // namespace
}  // namespace contrack::views

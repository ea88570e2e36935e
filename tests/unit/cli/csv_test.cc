// The CLI's CSV: RFC 4180 quoting, plain pounds, blank cells for values not stated.
#include "tools/cli/csv.h"

#include <gtest/gtest.h>

namespace contrack::cli {
namespace {

TEST(CsvTest, QuotesOnlyWhatMustBeQuoted) {
  EXPECT_EQ(CsvField("Leeds City Council"), "Leeds City Council");
  EXPECT_EQ(CsvField("Forward Leeds, CRI"), "\"Forward Leeds, CRI\"");
  EXPECT_EQ(CsvField("the \"IOM\" service"), "\"the \"\"IOM\"\" service\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvRow({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

TEST(CsvTest, AlertValueIsPlainPoundsOrBlank) {
  v1::AlertsResponse r;
  auto* stated = r.add_alerts();
  stated->set_contract_id("A");
  stated->set_value_pence(72867800);
  auto* zero = r.add_alerts();
  zero->set_contract_id("B");
  zero->set_value_pence(0);
  auto* unstated = r.add_alerts();
  unstated->set_contract_id("C");
  const std::string csv = AlertsCsv(r);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "deadline,days_left,action,contract_id,end_date,options_left,value,authority,title,"
            "supplier");
  EXPECT_NE(csv.find(",A,,0,728678.00,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",B,,0,0.00,"), std::string::npos) << csv;  // stated as 0
  EXPECT_NE(csv.find(",C,,0,,"), std::string::npos) << csv;      // not stated
}

TEST(CsvTest, HistoryAmountIsBlankWhenTheEventStatesNone) {
  v1::HistoryEntry award;
  award.set_type("award");
  award.mutable_body()->mutable_award()->set_title("no value stated");
  v1::HistoryEntry ext;
  ext.set_type("extension");
  ext.mutable_body()->mutable_extension()->set_new_end_date("2016-09-30");
  ext.mutable_body()->mutable_extension()->set_value_pence_added(36433900);
  v1::HistoryEntry cut;
  cut.set_type("variation");
  cut.mutable_body()->mutable_variation()->set_value_delta_pence(-150025);
  const std::string csv = HistoryCsv({award, ext, cut});
  EXPECT_NE(csv.find(",award,,,,,,,,,,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",364339.00,2016-09-30,false,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",-1500.25,,false,"), std::string::npos) << csv;
}

}  // namespace
}  // namespace contrack::cli

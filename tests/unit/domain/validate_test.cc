// Shape validation: ids, required fields, JSON decoding.
#include "domain/validate.h"

#include <gtest/gtest.h>

#include "domain/codec.h"

namespace contrack {
namespace {

Result<void> Check(const std::string& json) {
  auto body = ParseJson<v1::EventBody>(json, "body");
  if (!body) return std::unexpected(body.error());
  return ValidateBody(*body);
}

void ExpectRefused(const std::string& json, const std::string& mention) {
  auto r = Check(json);
  ASSERT_FALSE(r.has_value()) << json;
  EXPECT_EQ(r.error().name(), "invalid_argument");
  EXPECT_NE(r.error().message.find(mention), std::string::npos)
      << "message \"" << r.error().message << "\" should mention " << mention;
}

constexpr char kAward[] =
    R"({"award":{"authority":"Leeds City Council","title":"t","supplier":{"name":"CRI"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":100}})";

TEST(ValidateTest, ContractIds) {
  EXPECT_TRUE(ValidateContractId("LCC-DIP-CRI-2015").has_value());
  EXPECT_TRUE(ValidateContractId("a.b_c-1").has_value());
  EXPECT_FALSE(ValidateContractId("").has_value());
  EXPECT_FALSE(ValidateContractId("LCC/DIP").has_value());
  EXPECT_FALSE(ValidateContractId("-leading").has_value());
  EXPECT_FALSE(ValidateContractId("has space").has_value());
  EXPECT_FALSE(ValidateContractId(std::string("a\0b", 3)).has_value());
  auto long_id = ValidateContractId(std::string(200, 'A'));
  ASSERT_FALSE(long_id.has_value());
  EXPECT_NE(long_id.error().message.find("200"), std::string::npos);
  EXPECT_TRUE(ValidateContractId(std::string(64, 'A')).has_value());
}

TEST(ValidateTest, EventIds) {
  EXPECT_EQ(*NormalizeEventId("8CB06D44-71B4-40A7-B108-FB9C20949EF2", "event_id"),
            "8cb06d44-71b4-40a7-b108-fb9c20949ef2");
  EXPECT_FALSE(NormalizeEventId("8cb06d44-71b4-40a7-b108-fb9c20949ef", "event_id").has_value());
  EXPECT_FALSE(NormalizeEventId("8cb06d4471b440a7b108fb9c20949ef2xxxx", "event_id").has_value());
  EXPECT_FALSE(NormalizeEventId("g cb06d44-71b4-40a7-b108-fb9c20949ef2", "e").has_value());
}

TEST(ValidateTest, AcceptsAMinimalAward) { EXPECT_TRUE(Check(kAward).has_value()); }

TEST(ValidateTest, RefusesMalformedBodies) {
  ExpectRefused(R"({"note":"no payload"})", "no payload");
  ExpectRefused(R"({"award":{"title":"t"}})", "award.authority is required");
  ExpectRefused(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2015-02-30","end_date":"2016-03-31","value_pence":1}})",
      "award.start_date");
  ExpectRefused(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":-5}})",
      "award.value_pence is -5");
  ExpectRefused(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":1,"procedure":"secret"}})",
      "award.procedure");
  ExpectRefused(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":1,"extension_options":[{"months":0}]}})",
      "extension_options[0].months");
  ExpectRefused(R"({"extension":{}})", "extension.new_end_date is required");
  ExpectRefused(R"({"termination":{"termination_date":"2016-01-01","reason":"bored"}})",
                "termination.reason");
  ExpectRefused(R"({"funding":{"funder":"OPCC","financial_year":"2017/19","amount_pence":1}})",
                "financial_year");
  ExpectRefused(R"({"correction":{"corrects_event_id":"nope","reason":"r"}})", "corrects_event_id");
  ExpectRefused(R"({"event_id":"x","funding":{"funder":"F","financial_year":"2017/18"}})",
                "event_id");
  ExpectRefused(R"({"waiver":{"rules":["CPR 9.1"],"approved_by":"x"}})",
                "waiver.justification is required");
  ExpectRefused(
      R"({"note":")" + std::string(9000, 'x') + R"(","extension":{"new_end_date":"2016-09-30"}})",
      "note is 9000 bytes");
}

// Text fields are checked in the body itself, whatever decoded it (the CLI's import, a
// client of the library): bytes that are not UTF-8 or are control characters are refused
// wherever they stand in the text, and printable ASCII, tab, CR, LF and multi-byte
// characters pass.
TEST(ValidateTest, TextMustBeUtf8WithoutControlCharacters) {
  auto body = ParseJson<v1::EventBody>(kAward, "body");
  ASSERT_TRUE(body.has_value());
  const std::string bad[] = {"\x80",         "abc\xc3",      "\xff\xfe",          "\xc0\xaf",
                             "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",  "\x01",
                             "\x7f",         "\x1b[0m",      std::string(1, '\0')};
  for (const auto& b : bad) {
    for (const std::string& text : {b, "Support services " + b, b + " lot 12"}) {
      v1::EventBody x = *body;
      x.mutable_award()->set_title(text);
      auto r = ValidateBody(x);
      ASSERT_FALSE(r.has_value()) << "title of " << text.size() << " bytes";
      EXPECT_NE(r.error().message.find("award.title"), std::string::npos) << r.error().message;
    }
  }
  for (const std::string good :
       {"Drug Intervention Programme 2016/17 (lot 2)", "line one\r\nline two\tend",
        "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9c", "~ and space"}) {
    v1::EventBody x = *body;
    x.mutable_award()->set_title(good);
    EXPECT_TRUE(ValidateBody(x).has_value()) << good;
  }
}

TEST(ValidateTest, JsonDecodingNamesTheField) {
  // Unknown field.
  ExpectRefused(R"({"colour":"red","extension":{"new_end_date":"2016-09-30"}})", "colour");
  // Wrong type.
  ExpectRefused(R"({"extension":{"new_end_date":20160930}})", "new_end_date");
  // int64 overflow.
  ExpectRefused(
      R"({"award":{"authority":"A","title":"t","supplier":{"name":"S"},"start_date":"2015-04-01","end_date":"2016-03-31","value_pence":9223372036854775808}})",
      "value_pence");
  // Not JSON at all.
  EXPECT_FALSE(Check("{not json").has_value());
}

TEST(ValidateTest, NormalizeResolvesTheEffectiveDate) {
  const Date today = *ParseDate("2020-05-05", "d");
  auto award = ParseJson<v1::EventBody>(kAward, "b");
  auto n = NormalizeBody(*award, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", today);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->effective_date(), "2015-04-01");
  EXPECT_EQ(n->event_id(), "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");

  auto ext = ParseJson<v1::EventBody>(
      R"({"decision":{"date":"2016-02-01"},"extension":{"new_end_date":"2016-09-30"},"contract_id":"X","recorded_by":"mallory"})",
      "b");
  n = NormalizeBody(*ext, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", today);
  EXPECT_EQ(n->effective_date(), "2016-02-01");
  EXPECT_TRUE(n->contract_id().empty());
  EXPECT_TRUE(n->recorded_by().empty());

  auto bare = ParseJson<v1::EventBody>(R"({"extension":{"new_end_date":"2016-09-30"}})", "b");
  EXPECT_EQ(NormalizeBody(*bare, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", today)->effective_date(),
            "2020-05-05");
}

}  // namespace
}  // namespace contrack

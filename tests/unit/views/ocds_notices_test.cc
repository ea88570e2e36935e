// OCDS output of published notices and contract changes: a Procurement Act 2023 contract's
// notices become documents with the UK extension's notice types, its variation an amendment, a
// retracted notice leaves the compiled record, hostile references stay data; the packages pass
// the vendored OCDS 1.1.5 schemas, codelists and the UK extension's documentType codes.
#include "services/views/ocds_notices.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

#include "domain/regime.h"
#include "services/views/ocds.h"
#include "tests/unit/views/ocds_test_util.h"

namespace contrack::views {
namespace {

constexpr char kId[] = "LCC-PA23-NOTICES";
constexpr char kAward[] = "33333333-3333-4333-8333-000000000001";
constexpr char kAwardNotice[] = "33333333-3333-4333-8333-000000000002";
constexpr char kCfNotice[] = "33333333-3333-4333-8333-000000000003";
constexpr char kDetails[] = "33333333-3333-4333-8333-000000000004";
constexpr char kCopy[] = "33333333-3333-4333-8333-000000000005";
constexpr char kCorrection[] = "33333333-3333-4333-8333-000000000006";
constexpr char kVariation[] = "33333333-3333-4333-8333-000000000007";
constexpr char kChange[] = "33333333-3333-4333-8333-000000000008";
constexpr char kPerformance[] = "33333333-3333-4333-8333-000000000009";
constexpr char kTermination[] = "33333333-3333-4333-8333-000000000010";
constexpr char kTerminationNotice[] = "33333333-3333-4333-8333-000000000011";

// A reference that is markup, quotes and a line break: carried as JSON-escaped data.
constexpr char kHostileRef[] = "<script>alert(\"x\")</script>\n'quoted' \"ref\"";

std::string Notice(const std::string& id, const std::string& type, const std::string& reference,
                   const std::string& published, const std::string& discharges = "") {
  json n = {{"notice_type", type}, {"reference", reference}, {"published_on", published}};
  if (!discharges.empty()) n["discharges_event_id"] = discharges;
  return json{{"event_id", id}, {"notice_published", n}}.dump();
}

// The pa2023 contract: award (procurement begun 2025-03-01, entered into 2025-05-20), its award
// notice (UK6), a Contracts Finder award notice recorded by mistake and retracted, the contract
// details notice (UK7), the copy of the contract (a javascript: reference), a variation with its
// change notice (UK10), a performance notice (a hostile reference), a termination and its
// termination notice (UK11, a notice number).
std::string Pa2023Contract() {
  const std::string award =
      R"({"event_id":")" + std::string(kAward) +
      R"(","decision":{"reference":"LCC-D-2025-41","maker":"Director of Resources","date":"2025-05-01"},"award":{"authority":"Leeds City Council","title":"Highways maintenance","supplier":{"name":"Roadworks Ltd","id":"09876543"},"procedure":"open","category":"works","start_date":"2025-06-01","end_date":"2027-05-31","value_pence":600000000,"regime":"pa2023","procurement_started_on":"2025-03-01","entered_into_date":"2025-05-20"}})";
  const std::string variation =
      R"({"event_id":")" + std::string(kVariation) +
      R"(","effective_date":"2026-01-15","decision":{"reference":"LCC-D-2026-02","date":"2026-01-12"},"variation":{"description":"two further depots","value_delta_pence":90000000,"new_end_date":"2027-11-30","legal_basis":"PA 2023 Schedule 8 para 5"}})";
  const std::string correction =
      R"({"event_id":")" + std::string(kCorrection) + R"(","correction":{"corrects_event_id":")" +
      kCfNotice + R"(","reason":"published on Find a Tender, not Contracts Finder"}})";
  const std::string termination =
      R"({"event_id":")" + std::string(kTermination) +
      R"(","effective_date":"2026-09-30","termination":{"termination_date":"2026-09-30","reason":"breach","rule":"clause 40.1"}})";
  return Line(kId, "2025-05-01T10:00:00Z", award) +
         Line(kId, "2025-05-02T10:00:00Z",
              Notice(kAwardNotice, "contract_award_notice",
                     "https://www.find-tender.service.gov.uk/Notice/012345-2025", "2025-05-02")) +
         Line(kId, "2025-05-03T10:00:00Z",
              Notice(kCfNotice, "contracts_finder_award", "CF-0001", "2025-05-03")) +
         Line(kId, "2025-06-10T10:00:00Z",
              Notice(kDetails, "contract_details_notice",
                     "https://www.find-tender.service.gov.uk/Notice/023456-2025", "2025-06-10")) +
         Line(kId, "2025-06-15T10:00:00Z",
              Notice(kCopy, "contract_copy", "javascript:alert(1)", "2025-06-15")) +
         Line(kId, "2025-06-16T10:00:00Z", correction) +
         Line(kId, "2026-01-15T10:00:00Z", variation) +
         Line(kId, "2026-01-20T10:00:00Z",
              Notice(kChange, "contract_change_notice",
                     "https://www.find-tender.service.gov.uk/Notice/003456-2026", "2026-01-20",
                     kVariation)) +
         Line(kId, "2026-03-01T10:00:00Z",
              Notice(kPerformance, "contract_performance_notice", kHostileRef, "2026-03-01")) +
         Line(kId, "2026-09-01T10:00:00Z", termination) +
         Line(kId, "2026-10-01T10:00:00Z",
              Notice(kTerminationNotice, "contract_termination_notice", "FTS 045678-2026",
                     "2026-10-01"));
}

// The document with `id` in `docs`, or null.
json DocumentById(const json& docs, const std::string& id) {
  for (const auto& d : docs) {
    if (d.value("id", "") == id) return d;
  }
  return json();
}

// The codes of a codelist CSV under tests/ocds/: the column headed "Code".
std::set<std::string> CodeColumn(const fs::path& csv) {
  std::istringstream in(ReadFile(csv));
  std::string line;
  std::getline(in, line);
  size_t column = 0;
  for (size_t pos = 0, i = 0;; ++i) {
    const size_t comma = line.find(',', pos);
    if (line.substr(pos, comma - pos) == "Code") column = i;
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::set<std::string> out;
  while (std::getline(in, line)) {
    std::string cell;
    std::istringstream cells(line);
    for (size_t i = 0; i <= column && std::getline(cells, cell, ',');) {
      if (!cell.empty() && cell.front() == '"') {  // a quoted cell may hold commas
        while (cell.size() < 2 || cell.back() != '"') {
          std::string more;
          if (!std::getline(cells, more, ',')) break;
          cell += "," + more;
        }
      }
      if (i++ == column) out.insert(cell);
    }
  }
  return out;
}

TEST(OcdsNoticesTest, EveryNoticeTypeMapsToACodelistDocumentType) {
  auto codes = CodeColumn(OcdsDir() / "documentType.csv");
  ASSERT_TRUE(codes.contains("awardNotice"));
  const auto uk = CodeColumn(OcdsDir() / "uk_extension" / "codelists" / "+documentType.csv");
  ASSERT_TRUE(uk.contains("contractTerminationNotice"));
  ASSERT_TRUE(uk.contains("implementationNotice"));
  codes.insert(uk.begin(), uk.end());
  // noticeType is a field of the vendored UK extension.
  const json ext = json::parse(ReadFile(OcdsDir() / "uk_extension" / "release-schema.json"));
  EXPECT_TRUE(ext["definitions"]["Document"]["properties"].contains("noticeType"));
  for (const auto type : domain::kNoticeTypes) {
    const auto m = MapNotice(type, domain::kRegimePa2023);
    ASSERT_TRUE(m.has_value()) << type;
    EXPECT_TRUE(codes.contains(std::string(m->document_type))) << type;
  }
  EXPECT_EQ(MapNotice("contract_termination_notice", "pa2023")->uk_notice_type, "UK11");
  EXPECT_EQ(MapNotice("contract_award_notice", "pa2023")->uk_notice_type, "UK6");
  EXPECT_EQ(MapNotice("contract_award_notice", "pcr2015")->uk_notice_type, "");
  EXPECT_EQ(MapNotice("modification_notice", "pcr2015")->object, NoticeObject::kContract);
  EXPECT_EQ(MapNotice("psr_intention_notice", "psr2023")->object, NoticeObject::kAward);
  EXPECT_FALSE(MapNotice("tender_notice", "pa2023").has_value());
}

TEST(OcdsNoticesTest, OnlyHttpAndHttpsReferencesAreLinks) {
  EXPECT_TRUE(domain::NoticeReferenceIsUrl("https://www.find-tender.service.gov.uk/Notice/1"));
  EXPECT_TRUE(domain::NoticeReferenceIsUrl("HTTP://example.org/a?b=c#d"));
  for (const char* text : {"javascript:alert(1)", "JavaScript://%0aalert(1)", "data:text/html,x",
                           "ftp://example.org/x", "FTS 045678-2026", "https://", "https:///x",
                           "https://a.example/<script>", "https://a.example/\"x", "http://a b",
                           "https://a.example/\n", "//example.org/x", ""}) {
    EXPECT_FALSE(domain::NoticeReferenceIsUrl(text)) << text;
  }
}

TEST(OcdsNoticesTest, Pa2023NoticesAndChangesAsReleases) {
  TempDir dir;
  const Contract c = Load(dir, Pa2023Contract(), kId);
  ASSERT_EQ(c.events.size(), 11u);
  ASSERT_EQ(c.state.procurement_regime(), "pa2023");
  OcdsOptions options;
  options.ocid_prefix = "ocds-h6vhtk";
  const json pkg = Package(c, /*record=*/false, options);
  EXPECT_EQ(
      pkg["extensions"][0],
      "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json");
  const json& rel = pkg["releases"];
  ASSERT_EQ(rel.size(), 11u);
  EXPECT_EQ(rel[0]["ocid"], std::string("ocds-h6vhtk-") + kId);
  using Tagv = std::vector<std::string>;

  // The contract award notice (UK6) on the award.
  EXPECT_EQ(Tags(rel[1]), Tagv{"awardUpdate"});
  const json& award_doc = rel[1]["awards"][0]["documents"][0];
  EXPECT_EQ(rel[1]["awards"][0]["id"], kAward);
  EXPECT_EQ(award_doc["id"], kAwardNotice);
  EXPECT_EQ(award_doc["documentType"], "awardNotice");
  EXPECT_EQ(award_doc["noticeType"], "UK6");
  EXPECT_EQ(award_doc["url"], "https://www.find-tender.service.gov.uk/Notice/012345-2025");
  EXPECT_EQ(award_doc["datePublished"], "2025-05-02T00:00:00Z");

  // The contract details notice (UK7) and the copy of the contract on the contract.
  EXPECT_EQ(Tags(rel[3]), Tagv{"contractUpdate"});
  const json& details = rel[3]["contracts"][0];
  EXPECT_EQ(details["id"], kId);
  EXPECT_EQ(details["awardID"], kAward);
  EXPECT_EQ(details["documents"][0]["documentType"], "contractNotice");
  EXPECT_EQ(details["documents"][0]["noticeType"], "UK7");
  EXPECT_EQ(details["documents"][0]["datePublished"], "2025-06-10T00:00:00Z");
  const json& copy = rel[4]["contracts"][0]["documents"][0];
  EXPECT_EQ(copy["documentType"], "contractSigned");
  EXPECT_FALSE(copy.contains("noticeType"));
  // Not an http(s) URL: never a link, the reference is text in the description.
  EXPECT_FALSE(copy.contains("url"));
  EXPECT_NE(copy["description"].get<std::string>().find("Reference: javascript:alert(1)."),
            std::string::npos);

  // The variation: an amendment in the release that records it, with the changes.
  EXPECT_EQ(Tags(rel[6]), Tagv{"contractAmendment"});
  const json& amendment = rel[6]["contracts"][0]["amendments"][0];
  EXPECT_EQ(amendment["id"], kVariation);
  EXPECT_EQ(amendment["date"], "2026-01-15T00:00:00Z");
  EXPECT_EQ(amendment["rationale"],
            "Modification under PA 2023 Schedule 8 para 5 (decision LCC-D-2026-02, 2026-01-12)");
  EXPECT_EQ(amendment["description"],
            "Two further depots; value increased by £900,000.00 to £6,900,000.00; end date moved "
            "from 2027-05-31 to 2027-11-30.");
  EXPECT_EQ(amendment["releaseID"], kVariation);
  EXPECT_EQ(amendment["amendsReleaseID"], kCorrection);

  // The change notice (UK10) names the variation it publishes.
  const json& change = rel[7]["contracts"][0]["documents"][0];
  EXPECT_EQ(change["documentType"], "contractNotice");
  EXPECT_EQ(change["noticeType"], "UK10");
  EXPECT_NE(change["description"].get<std::string>().find(kVariation), std::string::npos);

  // The performance notice (UK9): the hostile reference is data, escaped in the JSON text.
  const json& perf = rel[8]["contracts"][0]["documents"][0];
  EXPECT_EQ(perf["documentType"], "implementationNotice");
  EXPECT_EQ(perf["noticeType"], "UK9");
  EXPECT_FALSE(perf.contains("url"));
  EXPECT_NE(perf["description"].get<std::string>().find(kHostileRef), std::string::npos);
  auto text = ReleasePackage(c.state, c.events, options);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->find("<script>alert(\"x\")"), std::string::npos);
  EXPECT_NE(text->find(R"(<script>alert(\"x\")</script>\n'quoted' \"ref\")"), std::string::npos);

  // Termination, then its notice (UK11; a notice number, so no url).
  EXPECT_EQ(Tags(rel[9]), Tagv{"contractTermination"});
  EXPECT_EQ(Tags(rel[10]), Tagv{"contractUpdate"});
  const json& term = rel[10]["contracts"][0]["documents"][0];
  EXPECT_EQ(term["id"], kTerminationNotice);
  EXPECT_EQ(term["documentType"], "contractTerminationNotice");
  EXPECT_EQ(term["noticeType"], "UK11");
  EXPECT_EQ(term["title"], "Contract termination notice (UK11)");
  EXPECT_EQ(term["datePublished"], "2026-10-01T00:00:00Z");
  EXPECT_FALSE(term.contains("url"));
  EXPECT_NE(term["description"].get<std::string>().find("Reference: FTS 045678-2026."),
            std::string::npos);
}

TEST(OcdsNoticesTest, Pa2023CompiledRecordMatchesTheContract) {
  TempDir dir;
  const Contract c = Load(dir, Pa2023Contract(), kId);
  ASSERT_EQ(c.events.size(), 11u);
  const json pkg = Package(c, /*record=*/true);
  const json& compiled = pkg["records"][0]["compiledRelease"];
  const json& contract = compiled["contracts"][0];
  EXPECT_EQ(contract["status"], "terminated");
  EXPECT_EQ(contract["period"]["endDate"], "2026-09-30T23:59:59Z");

  // Every notice on its object, and the retracted one gone: only its id and the correction's
  // description remain (identifier merge keeps array entries).
  const json& award_docs = compiled["awards"][0]["documents"];
  EXPECT_EQ(DocumentById(award_docs, kAwardNotice)["noticeType"], "UK6");
  const json retracted = DocumentById(award_docs, kCfNotice);
  ASSERT_TRUE(retracted.is_object());
  EXPECT_EQ(retracted.size(), 2u) << retracted.dump();
  EXPECT_FALSE(retracted.contains("documentType"));
  EXPECT_FALSE(retracted.contains("datePublished"));
  EXPECT_NE(retracted["description"].get<std::string>().find(kCorrection), std::string::npos);
  const json& docs = contract["documents"];
  std::vector<std::string> types;
  for (const auto& d : docs) types.push_back(d.value("noticeType", d["documentType"]));
  EXPECT_EQ(types, (std::vector<std::string>{"UK7", "contractSigned", "UK10", "UK9", "UK11"}));
  EXPECT_EQ(DocumentById(docs, kTerminationNotice)["documentType"], "contractTerminationNotice");
  EXPECT_EQ(DocumentById(docs, kDetails)["datePublished"], "2025-06-10T00:00:00Z");

  // Every amendment of the contract: the correction, the variation, the termination.
  std::vector<std::string> ids;
  for (const auto& a : contract["amendments"]) ids.push_back(a["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{kCorrection, kVariation, kTermination}));
  EXPECT_EQ(DocumentById(contract["amendments"], kVariation)["date"], "2026-01-15T00:00:00Z");
}

TEST(OcdsNoticesTest, Pa2023PackagesAreValid) {
  TempDir dir;
  const Contract c = Load(dir, Pa2023Contract(), kId);
  ASSERT_EQ(c.events.size(), 11u);
  OcdsOptions options;
  options.ocid_prefix = "ocds-h6vhtk";
  WriteFile(dir.path() / "releases.json", Package(c, false, options).dump(2));
  WriteFile(dir.path() / "record.json", Package(c, true, options).dump(2));
  EXPECT_EQ(ValidateWithPython({dir.path() / "releases.json", dir.path() / "record.json"}, dir),
            "");
  // CONTRACK_OCDS_OUT=DIR keeps a copy of the packages for inspection.
  if (const char* keep = std::getenv("CONTRACK_OCDS_OUT"); keep != nullptr && *keep != '\0') {
    fs::create_directories(keep);
    for (const char* f : {"releases.json", "record.json"}) {
      fs::copy_file(dir.path() / f, fs::path(keep) / (std::string(kId) + "-" + f),
                    fs::copy_options::overwrite_existing);
    }
  }

  // The validator checks the document types: an unknown one, or the UK extension's codes and
  // noticeType without the extension declared, fail.
  json bad = Package(c, false, options);
  bad["releases"][1]["awards"][0]["documents"][0]["documentType"] = "x_award";
  WriteFile(dir.path() / "bad-type.json", bad.dump());
  std::string out = ValidateWithPython({dir.path() / "bad-type.json"}, dir);
  EXPECT_NE(out.find("documentType 'x_award'"), std::string::npos) << out;
  bad = Package(c, false, options);
  bad.erase("extensions");
  WriteFile(dir.path() / "no-extension.json", bad.dump());
  out = ValidateWithPython({dir.path() / "no-extension.json"}, dir);
  EXPECT_NE(out.find("contractTerminationNotice"), std::string::npos) << out;
  EXPECT_NE(out.find("noticeType needs the UK extension"), std::string::npos) << out;
}

// A notice before any award goes on the tender; a PCR 2015 award notice has no UK form.
TEST(OcdsNoticesTest, NoticeBeforeTheAwardAndUnderPcr2015) {
  constexpr char kPcr[] = "LCC-PCR-NOTICE";
  const std::string waiver =
      R"({"event_id":"44444444-4444-4444-8444-000000000001","decision":{"reference":"W-1"},"waiver":{"authority":"Leeds City Council","rules":["CPR 9.1"],"justification":"sole supplier","approved_by":"Director"}})";
  const std::string award =
      R"({"event_id":"44444444-4444-4444-8444-000000000003","decision":{"reference":"D-1","date":"2024-06-01"},"award":{"authority":"Leeds City Council","title":"Software","supplier":{"name":"Soft Ltd"},"procedure":"direct_award","category":"goods","start_date":"2024-07-01","end_date":"2025-06-30","value_pence":20000000}})";
  const std::string jsonl =
      Line(kPcr, "2024-05-01T10:00:00Z", waiver) +
      Line(kPcr, "2024-05-02T10:00:00Z",
           Notice("44444444-4444-4444-8444-000000000002", "psr_intention_notice",
                  "https://www.find-tender.service.gov.uk/Notice/000001-2024", "2024-05-02")) +
      Line(kPcr, "2024-06-01T10:00:00Z", award) +
      Line(kPcr, "2024-06-10T10:00:00Z",
           Notice("44444444-4444-4444-8444-000000000004", "contract_award_notice", "F03-123",
                  "2024-06-10"));
  TempDir dir;
  const Contract c = Load(dir, jsonl, kPcr);
  ASSERT_EQ(c.events.size(), 4u);
  const json pkg = Package(c, /*record=*/false);
  const json& rel = pkg["releases"];
  EXPECT_EQ(Tags(rel[1]), std::vector<std::string>{"tenderUpdate"});
  EXPECT_EQ(rel[1]["tender"]["documents"][0]["documentType"], "awardNotice");
  EXPECT_EQ(Tags(rel[3]), std::vector<std::string>{"awardUpdate"});
  const json& award_doc = rel[3]["awards"][0]["documents"][0];
  EXPECT_EQ(award_doc["documentType"], "awardNotice");
  EXPECT_FALSE(award_doc.contains("noticeType"));
  WriteFile(dir.path() / "releases.json", pkg.dump());
  WriteFile(dir.path() / "record.json", Package(c, /*record=*/true).dump());
  EXPECT_EQ(ValidateWithPython({dir.path() / "releases.json", dir.path() / "record.json"}, dir),
            "");
}

}  // namespace
}  // namespace contrack::views

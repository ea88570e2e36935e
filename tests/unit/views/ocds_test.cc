// OCDS output: the merge routine reproduces every ocds-merge fixture; contrack events map to the
// right releases; every demo contract's release and record packages pass the official schemas.
#include "services/views/ocds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "services/views/ocds_merge.h"
#include "tests/support/test_support.h"
#include "tests/unit/views/ocds_test_util.h"

namespace contrack::cli {
extern const std::string_view kDemoJsonl;  // demo/demo.jsonl, embedded at build time
}  // namespace contrack::cli

namespace contrack::views {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// ---------------------------------------------------------------------------------------------
// The OCDS 1.1.5 schemas, codelists and ocds-merge fixtures are vendored in tests/ocds/ (its
// README.md gives their provenance and licences); nothing outside the repository is read.

fs::path FixturesDir() { return OcdsDir() / "ocds-merge-fixtures"; }

json ReadJson(const fs::path& p) { return json::parse(ReadFile(p)); }

std::vector<json> ReadReleases(const fs::path& p) {
  const json list = ReadJson(p);
  return std::vector<json>(list.begin(), list.end());
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The codes of an OCDS codelist CSV (first column, header skipped).
std::set<std::string> Codes(const std::string& csv) {
  std::set<std::string> out;
  std::istringstream in(ReadFile(OcdsDir() / csv));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (!line.empty()) out.insert(line.substr(0, line.find(',')));
  }
  return out;
}

TEST(OcdsVendoredTest, SchemasAndFixturesAreInTheRepository) {
  ASSERT_TRUE(fs::exists(OcdsDir() / "release-schema.json")) << OcdsDir() << " has no OCDS schemas";
  EXPECT_TRUE(fs::exists(OcdsDir() / "release-package-schema.json"));
  EXPECT_TRUE(fs::exists(FixturesDir() / "1.1" / "simple-compiled.json"));
}

// ---------------------------------------------------------------------------------------------
// The merge routine against the ocds-merge fixtures. The 1.1/ fixtures are merged with the OCDS
// release schema (tests/ocds/release-schema.json), the schema/ fixtures with their own
// schema.json, as ocds-merge's own tests do.

struct Fixture {
  std::string folder;  // "1.1" or "schema"
  std::string name;    // "simple"
  std::string kind;    // "compiled" or "versioned"
};

std::vector<Fixture> ListFixtures() {
  std::vector<Fixture> out;
  const fs::path root = FixturesDir();
  if (!fs::exists(root)) return out;
  for (const std::string folder : {"1.1", "schema"}) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(root / folder)) {
      const std::string file = e.path().filename().string();
      for (const std::string kind : {"compiled", "versioned"}) {
        const std::string suffix = "-" + kind + ".json";
        if (EndsWith(file, suffix)) {
          const std::string name = file.substr(0, file.size() - suffix.size());
          if (fs::exists(root / folder / (name + ".json"))) out.push_back({folder, name, kind});
        }
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) {
    return std::tie(a.folder, a.name, a.kind) < std::tie(b.folder, b.name, b.kind);
  });
  return out;
}

const json& SchemaFor(const std::string& folder) {
  static const json release_schema = ReadJson(OcdsDir() / "release-schema.json");
  static const json fixture_schema = ReadJson(FixturesDir() / "schema.json");
  return folder == "1.1" ? release_schema : fixture_schema;
}

class MergeFixtureTest : public ::testing::TestWithParam<Fixture> {};

TEST_P(MergeFixtureTest, ReproducesTheFixture) {
  const Fixture& f = GetParam();
  const fs::path dir = FixturesDir() / f.folder;
  const auto releases = ReadReleases(dir / (f.name + ".json"));
  const json expected = ReadJson(dir / (f.name + "-" + f.kind + ".json"));
  auto rules = MergeRulesFromSchema(SchemaFor(f.folder));
  ASSERT_TRUE(rules.has_value()) << rules.error().ToString();
  auto got =
      f.kind == "compiled" ? CompileReleases(releases, *rules) : VersionReleases(releases, *rules);
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  EXPECT_EQ(*got, expected) << "got:\n" << got->dump(2) << "\nwant:\n" << expected.dump(2);
}

INSTANTIATE_TEST_SUITE_P(OcdsMerge, MergeFixtureTest, ::testing::ValuesIn(ListFixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& info) {
                           std::string n =
                               info.param.folder + "_" + info.param.name + "_" + info.param.kind;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

TEST(OcdsMergeTest, EveryCompiledFixtureIsCovered) {
  // 17 compiled fixtures in 1.1/ and 13 in schema/ at ocds-merge commit a124df3f.
  int compiled_11 = 0;
  int compiled_schema = 0;
  for (const auto& f : ListFixtures()) {
    if (f.kind != "compiled") continue;
    (f.folder == "1.1" ? compiled_11 : compiled_schema)++;
  }
  EXPECT_EQ(compiled_11, 17);
  EXPECT_EQ(compiled_schema, 13);
}

TEST(OcdsMergeTest, RuleOverridesAppendAndMergeByPosition) {
  const fs::path dir = FixturesDir() / "schema";
  auto rules = MergeRulesFromSchema(SchemaFor("schema"));
  ASSERT_TRUE(rules.has_value()) << rules.error().ToString();
  auto twice = [](std::vector<json> r) {
    auto copy = r;
    r.insert(r.end(), copy.begin(), copy.end());
    return r;
  };
  const auto dup = twice(ReadReleases(dir / "identifier-merge-duplicate-id.json"));
  MergeRules append = *rules;
  append.append.insert({"nested", "array"});
  EXPECT_EQ(CompileReleases(dup, append).value(),
            ReadJson(dir / "identifier-merge-duplicate-id-append.json"));
  MergeRules by_position = *rules;
  by_position.by_position.insert({"nested", "array"});
  EXPECT_EQ(CompileReleases(dup, by_position).value(),
            ReadJson(dir / "identifier-merge-duplicate-id-by-position.json"));
  const auto no_id = twice(ReadReleases(dir / "identifier-merge-no-id.json"));
  EXPECT_EQ(CompileReleases(no_id, append).value(),
            ReadJson(dir / "identifier-merge-no-id-append.json"));
}

TEST(OcdsMergeTest, BuiltInRulesAreThoseOfTheOcds115ReleaseSchema) {
  auto rules = MergeRulesFromSchema(ReadJson(OcdsDir() / "release-schema.json"));
  ASSERT_TRUE(rules.has_value()) << rules.error().ToString();
  EXPECT_EQ(*rules, Ocds115MergeRules());
  EXPECT_TRUE(rules->whole_list.contains({"parties", "roles"}));
  EXPECT_TRUE(rules->omit.contains({"tag"}));
}

TEST(OcdsMergeTest, RefusesReleasesWithoutDateOrOcid) {
  EXPECT_EQ(CompileReleases(std::vector<json>{}, Ocds115MergeRules()).error().code,
            kInvalidArgument);
  EXPECT_EQ(
      CompileReleases(std::vector<json>{json{{"ocid", "a"}}}, Ocds115MergeRules()).error().code,
      kInvalidArgument);
  EXPECT_EQ(CompileReleases(std::vector<json>{json{{"date", "2020-01-01T00:00:00Z"}}},
                            Ocds115MergeRules())
                .error()
                .code,
            kInvalidArgument);
  EXPECT_EQ(CompileReleases(std::vector<json>{json::array()}, Ocds115MergeRules()).error().code,
            kInvalidArgument);
  // One field an object in one release and a string in the next: an error, not a crash.
  const std::vector<json> clash = {
      json::parse(R"({"ocid":"o","id":"1","date":"2020-01-01T00:00:00Z","tender":{"id":"t"}})"),
      json::parse(R"({"ocid":"o","id":"2","date":"2020-01-02T00:00:00Z","tender":"x"})"),
      json::parse(R"({"ocid":"o","id":"3","date":"2020-01-03T00:00:00Z","tender":{"id":"u"}})")};
  auto r = CompileReleases(clash, Ocds115MergeRules());
  if (r) {
    EXPECT_TRUE(r->is_object());
  }
  EXPECT_EQ(MergeRulesFromSchema(json::parse(R"({"properties":{"a":{"$ref":"#/nowhere"}}})"))
                .error()
                .code,
            kInvalidArgument);
  EXPECT_EQ(MergeRulesFromSchema(json::parse(R"({"properties":{"a":{"$ref":"#/properties/a"}}})"))
                .error()
                .code,
            kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Contracts in a real event log.

constexpr char kCri[] = "LCC-DIP-CRI-2015";
constexpr char kExt1[] = "11111111-1111-4111-8111-000000000003";
constexpr char kExt2[] = "11111111-1111-4111-8111-000000000004";
constexpr char kTerm[] = "11111111-1111-4111-8111-000000000005";

// The Leeds CRI interim contract: waiver, award with two 6-month options, extension to
// 2016-09-30, extension to 2017-03-31, termination on 2017-01-31.
std::string LeedsCri() {
  return Line(kCri, "2015-02-23T16:00:00Z", testing::kCriWaiver) +
         Line(kCri, "2015-02-23T16:00:01Z", testing::kCriAward) +
         Line(
             kCri, "2016-03-01T09:00:00Z",
             R"({"event_id":")" + std::string(kExt1) +
                 R"(","effective_date":"2016-03-01","decision":{"reference":"LCC-EXT-1"},"extension":{"new_end_date":"2016-09-30","value_pence_added":36433900}})") +
         Line(
             kCri, "2016-09-01T09:00:00Z",
             R"({"event_id":")" + std::string(kExt2) +
                 R"(","effective_date":"2016-09-01","decision":{"reference":"LCC-EXT-2"},"extension":{"new_end_date":"2017-03-31","value_pence_added":36433900}})") +
         Line(
             kCri, "2017-01-10T09:00:00Z",
             R"({"event_id":")" + std::string(kTerm) +
                 R"(","termination":{"termination_date":"2017-01-31","reason":"superseded","rule":"CPR 22.1"}})");
}

TEST(OcdsReleasesTest, LeedsCriInterimContract) {
  TempDir dir;
  const Contract c = Load(dir, LeedsCri(), kCri);
  ASSERT_EQ(c.events.size(), 5u);
  json pkg = Package(c, /*record=*/false);
  json& rel = pkg.at("releases");
  ASSERT_EQ(rel.size(), 5u);
  EXPECT_EQ(pkg["uri"], "https://contrack.invalid/ocds/LCC-DIP-CRI-2015");
  EXPECT_EQ(pkg["version"], "1.1");
  EXPECT_EQ(pkg["publishedDate"], rel[4]["date"]);

  using Tagv = std::vector<std::string>;
  EXPECT_EQ(Tags(rel[0]), Tagv{"planning"});
  EXPECT_EQ(Tags(rel[1]), (Tagv{"award", "contract"}));
  EXPECT_EQ(Tags(rel[2]), Tagv{"contractAmendment"});
  EXPECT_EQ(Tags(rel[3]), Tagv{"contractAmendment"});
  EXPECT_EQ(Tags(rel[4]), Tagv{"contractTermination"});
  for (size_t i = 0; i < rel.size(); ++i) {
    EXPECT_EQ(rel[i]["ocid"], "ocds-contrack-LCC-DIP-CRI-2015");
    EXPECT_EQ(rel[i]["id"], c.events[i].event_id());
    EXPECT_EQ(rel[i]["initiationType"], "tender");
    EXPECT_EQ(rel[i]["language"], "en");
    EXPECT_EQ(rel[i]["buyer"]["name"], "Leeds City Council");
    EXPECT_EQ(rel[i]["buyer"]["id"], "org-leeds-city-council");
  }
  EXPECT_EQ(rel[0]["date"], "2015-02-23T16:00:00.000000Z");

  // The waiver, in planning and as the rationale for the direct award.
  const std::string rationale = rel[0]["planning"]["rationale"];
  EXPECT_NE(rationale.find("CPR 9.1, CPR 9.2"), std::string::npos) << rationale;
  EXPECT_NE(rationale.find("Director of Environment & Housing"), std::string::npos);

  // The award.
  const json& award = rel[1]["awards"][0];
  EXPECT_EQ(award["status"], "active");
  EXPECT_EQ(award["value"], (json{{"amount", 728678.0}, {"currency", "GBP"}}));
  EXPECT_EQ(award["suppliers"][0]["name"], "CRI");
  EXPECT_EQ(award["date"], "2015-02-23T00:00:00Z");
  EXPECT_EQ(rel[1]["tender"]["procurementMethod"], "direct");
  EXPECT_EQ(rel[1]["tender"]["procurementMethodDetails"], "interim");
  EXPECT_EQ(rel[1]["tender"]["procurementMethodRationale"], rationale);
  const json& contract = rel[1]["contracts"][0];
  EXPECT_EQ(contract["awardID"], award["id"]);
  EXPECT_EQ(contract["status"], "active");
  EXPECT_EQ(contract["period"]["startDate"], "2015-04-01T00:00:00Z");
  EXPECT_EQ(contract["period"]["endDate"], "2016-03-31T23:59:59Z");
  EXPECT_EQ(contract["period"]["maxExtentDate"], "2017-03-31T23:59:59Z");
  const json& parties = rel[1]["parties"];
  ASSERT_EQ(parties.size(), 2u);
  EXPECT_EQ(parties[0]["roles"], (json{"buyer", "procuringEntity"}));
  EXPECT_EQ(parties[1]["id"], "org-cri");
  EXPECT_EQ(parties[1]["roles"], json{"supplier"});

  // The extensions and the termination: amendments chained release to release.
  const char* ends[] = {"2016-09-30T23:59:59Z", "2017-03-31T23:59:59Z", "2017-01-31T23:59:59Z"};
  const double values[] = {1093017.0, 1457356.0, 1457356.0};
  for (size_t i = 2; i < 5; ++i) {
    const json& k = rel[i]["contracts"][0];
    EXPECT_EQ(k["period"]["endDate"], ends[i - 2]) << i;
    EXPECT_EQ(k["value"]["amount"], values[i - 2]) << i;
    ASSERT_EQ(k["amendments"].size(), 1u);
    const json& a = k["amendments"][0];
    EXPECT_EQ(a["id"], c.events[i].event_id());
    EXPECT_EQ(a["releaseID"], rel[i]["id"]);
    EXPECT_EQ(a["amendsReleaseID"], rel[i - 1]["id"]);
    EXPECT_FALSE(a["rationale"].get<std::string>().empty());
    EXPECT_FALSE(a["description"].get<std::string>().empty());
  }
  EXPECT_EQ(rel[2]["contracts"][0]["period"]["maxExtentDate"], "2017-03-31T23:59:59Z");
  EXPECT_EQ(rel[3]["contracts"][0]["period"]["maxExtentDate"], "2017-03-31T23:59:59Z");
  EXPECT_EQ(rel[2]["contracts"][0]["amendments"][0]["date"], "2016-03-01T00:00:00Z");
  EXPECT_NE(
      rel[2]["contracts"][0]["amendments"][0]["rationale"].get<std::string>().find("option 1 of 2"),
      std::string::npos);
  EXPECT_EQ(rel[4]["contracts"][0]["status"], "terminated");
  EXPECT_NE(
      rel[4]["contracts"][0]["amendments"][0]["rationale"].get<std::string>().find("CPR 22.1"),
      std::string::npos);

  // The record: the compiled release is the contract as it ended.
  json rec_pkg = Package(c, /*record=*/true);
  ASSERT_EQ(rec_pkg["records"].size(), 1u);
  json& record = rec_pkg["records"][0];
  EXPECT_EQ(record["ocid"], "ocds-contrack-LCC-DIP-CRI-2015");
  EXPECT_EQ(record["releases"], rel);
  json& compiled = record["compiledRelease"];
  EXPECT_EQ(compiled["tag"], json{"compiled"});
  EXPECT_EQ(compiled["id"], "ocds-contrack-LCC-DIP-CRI-2015-" + rel[4]["date"].get<std::string>());
  const json& k = compiled["contracts"][0];
  EXPECT_EQ(compiled["contracts"].size(), 1u);
  EXPECT_EQ(k["status"], "terminated");
  EXPECT_EQ(k["period"]["startDate"], "2015-04-01T00:00:00Z");
  EXPECT_EQ(k["period"]["endDate"], "2017-01-31T23:59:59Z");
  EXPECT_EQ(k["period"]["maxExtentDate"], "2017-01-31T23:59:59Z");
  EXPECT_EQ(k["value"]["amount"], 1457356.0);
  ASSERT_EQ(k["amendments"].size(), 3u);
  EXPECT_EQ(k["amendments"][0]["id"], kExt1);
  EXPECT_EQ(k["amendments"][1]["id"], kExt2);
  EXPECT_EQ(k["amendments"][2]["id"], kTerm);
  EXPECT_EQ(k["amendments"][1]["amendsReleaseID"], kExt1);
  EXPECT_EQ(compiled["awards"][0]["value"]["amount"], 728678.0);
  EXPECT_EQ(compiled["planning"]["rationale"], rationale);
  EXPECT_EQ(compiled["parties"].size(), 2u);

  // Both packages pass the official schemas.
  WriteFile(dir.path() / "releases.json", pkg.dump(2));
  WriteFile(dir.path() / "record.json", rec_pkg.dump(2));
  EXPECT_EQ(ValidateWithPython({dir.path() / "releases.json", dir.path() / "record.json"}, dir),
            "");
}

TEST(OcdsReleasesTest, OptionsSetOcidPublisherUriAndDate) {
  TempDir dir;
  const Contract c = Load(dir, LeedsCri(), kCri);
  OcdsOptions o;
  o.ocid_prefix = "ocds-abc123";
  o.publisher_name = "Leeds City Council";
  o.published_date = "2024-05-01T12:00:00Z";
  o.uri_base = "https://example.org/ocds/";
  o.indent = -1;
  auto text = ReleasePackage(c.state, c.events, o);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->find('\n'), std::string::npos);
  json pkg = json::parse(*text);
  EXPECT_EQ(pkg["uri"], "https://example.org/ocds/LCC-DIP-CRI-2015");
  EXPECT_EQ(pkg["publisher"]["name"], "Leeds City Council");
  EXPECT_EQ(pkg["publishedDate"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(pkg["releases"][0]["ocid"], "ocds-abc123-LCC-DIP-CRI-2015");
}

TEST(OcdsReleasesTest, RefusesNoEventsAndForeignEvents) {
  TempDir dir;
  Contract c = Load(dir, LeedsCri(), kCri);
  EXPECT_EQ(ReleasePackage(c.state, {}, {}).error().code, kInvalidArgument);
  c.events[1].set_contract_id("OTHER");
  EXPECT_EQ(RecordPackage(c.state, c.events, {}).error().code, kInvalidArgument);
  std::swap(c.events[0], c.events[2]);
  c.events[1].set_contract_id(kCri);
  EXPECT_EQ(ReleasePackage(c.state, c.events, {}).error().code, kInvalidArgument);
}

TEST(OcdsReleasesTest, ProcurementMethodMapping) {
  EXPECT_EQ(ProcurementMethod("open"), "open");
  EXPECT_EQ(ProcurementMethod("restricted"), "selective");
  EXPECT_EQ(ProcurementMethod("competitive_flexible"), "selective");
  EXPECT_EQ(ProcurementMethod("framework_call_off"), "selective");
  EXPECT_EQ(ProcurementMethod("negotiated"), "limited");
  EXPECT_EQ(ProcurementMethod("direct_award"), "direct");
  EXPECT_EQ(ProcurementMethod("interim"), "direct");
  EXPECT_EQ(ProcurementMethod("grant"), "direct");
  EXPECT_EQ(ProcurementMethod("other"), "");
  EXPECT_EQ(ProcurementMethod(""), "");
  const auto methods = Codes("method.csv");
  for (const char* p : {"open", "restricted", "competitive_flexible", "negotiated", "direct_award",
                        "framework_call_off", "interim", "grant"}) {
    EXPECT_TRUE(methods.contains(ProcurementMethod(p))) << p;
  }
}

// Variation, novation, funding and corrections on one contract.
TEST(OcdsReleasesTest, VariationNovationFundingAndCorrections) {
  constexpr char kId[] = "TEST-ALL-2020";
  const std::string award =
      R"({"event_id":"22222222-2222-4222-8222-000000000001","decision":{"reference":"D-1","date":"2020-01-10"},"award":{"authority":"Test Borough Council","title":"Cleaning","supplier":{"name":"Clean Co Ltd","id":"01234567","sme":true},"procedure":"open","category":"services","start_date":"2020-04-01","end_date":"2022-03-31","value_pence":10000000,"extension_options":[{"months":12}]}})";
  const std::string funding1 =
      R"({"event_id":"22222222-2222-4222-8222-000000000002","effective_date":"2020-04-01","funding":{"funder":"Test Borough Council","financial_year":"2020/21","amount_pence":5000000}})";
  const std::string funding2 =
      R"({"event_id":"22222222-2222-4222-8222-000000000003","effective_date":"2020-04-01","funding":{"funder":"NHS Test ICB","financial_year":"2021/22","amount_pence":2500000,"conditional_on_extension":true}})";
  const std::string variation =
      R"j({"event_id":"22222222-2222-4222-8222-000000000004","effective_date":"2020-10-01","decision":{"reference":"D-2"},"variation":{"description":"additional sites","value_delta_pence":1500000,"legal_basis":"PCR 2015 reg 72(1)(b)"}})j";
  const std::string novation =
      R"({"event_id":"22222222-2222-4222-8222-000000000005","effective_date":"2021-01-01","novation":{"supplier":{"name":"Sparkle Holdings plc","id":"07654321"},"reason":"acquisition"}})";
  const std::string correction =
      R"({"event_id":"22222222-2222-4222-8222-000000000006","effective_date":"2021-02-01","correction":{"corrects_event_id":"22222222-2222-4222-8222-000000000004","reason":"variation recorded against the wrong contract"}})";
  const std::string correction2 =
      R"({"event_id":"22222222-2222-4222-8222-000000000007","effective_date":"2021-02-02","correction":{"corrects_event_id":"22222222-2222-4222-8222-000000000003","reason":"ICB funding withdrawn"}})";
  const std::string jsonl =
      Line(kId, "2020-01-10T10:00:00Z", award) + Line(kId, "2020-03-01T10:00:00Z", funding1) +
      Line(kId, "2020-03-02T10:00:00Z", funding2) + Line(kId, "2020-10-01T10:00:00Z", variation) +
      Line(kId, "2021-01-01T10:00:00Z", novation) + Line(kId, "2021-02-01T10:00:00Z", correction) +
      Line(kId, "2021-02-02T10:00:00Z", correction2);
  TempDir dir;
  const Contract c = Load(dir, jsonl, kId);
  ASSERT_EQ(c.events.size(), 7u);
  json pkg = Package(c, /*record=*/false);
  json& rel = pkg["releases"];
  using Tagv = std::vector<std::string>;
  EXPECT_EQ(Tags(rel[0]), (Tagv{"award", "contract"}));
  EXPECT_EQ(Tags(rel[1]), Tagv{"planning"});
  EXPECT_EQ(Tags(rel[2]), Tagv{"planningUpdate"});
  EXPECT_EQ(Tags(rel[3]), Tagv{"contractAmendment"});
  EXPECT_EQ(Tags(rel[4]), Tagv{"contractAmendment"});
  EXPECT_EQ(Tags(rel[5]), Tagv{"contractAmendment"});
  EXPECT_EQ(Tags(rel[6]), (Tagv{"contractAmendment", "planningUpdate"}));

  EXPECT_EQ(rel[0]["tender"]["procurementMethod"], "open");
  EXPECT_EQ(rel[0]["tender"]["mainProcurementCategory"], "services");
  // The buyer is also a funder: one party with both roles.
  const json& p1 = rel[1]["parties"];
  EXPECT_EQ(p1[0]["roles"], (json{"buyer", "procuringEntity", "funder"}));
  EXPECT_EQ(p1[1]["identifier"]["id"], "01234567");
  EXPECT_EQ(p1[1]["details"]["scale"], "sme");
  const json& budget = rel[1]["planning"]["budget"];
  EXPECT_EQ(budget["amount"], (json{{"amount", 50000.0}, {"currency", "GBP"}}));
  EXPECT_EQ(budget["project"], "Test Borough Council 2020/21");
  // Conditional funding does not count until an option is exercised.
  EXPECT_EQ(rel[2]["planning"]["budget"]["amount"]["amount"], 50000.0);
  EXPECT_NE(rel[2]["planning"]["budget"]["description"].get<std::string>().find("conditional"),
            std::string::npos);

  const json& var = rel[3]["contracts"][0];
  EXPECT_EQ(var["value"]["amount"], 115000.0);
  EXPECT_NE(var["amendments"][0]["rationale"].get<std::string>().find("PCR 2015 reg 72(1)(b)"),
            std::string::npos);
  EXPECT_NE(var["amendments"][0]["description"].get<std::string>().find("£15,000.00"),
            std::string::npos);

  EXPECT_EQ(rel[4]["awards"][0]["suppliers"][0]["name"], "Sparkle Holdings plc");
  EXPECT_EQ(rel[4]["parties"][1]["name"], "Sparkle Holdings plc");
  EXPECT_NE(rel[4]["contracts"][0]["amendments"][0]["description"].get<std::string>().find(
                "from Clean Co Ltd to Sparkle Holdings plc"),
            std::string::npos);

  // The correction restates the contract without the variation.
  const json& corr = rel[5]["contracts"][0];
  EXPECT_EQ(corr["value"]["amount"], 100000.0);
  ASSERT_EQ(corr["amendments"].size(), 2u);
  EXPECT_EQ(corr["amendments"][0]["id"], rel[5]["id"]);
  EXPECT_NE(corr["amendments"][0]["rationale"].get<std::string>().find(
                "22222222-2222-4222-8222-000000000004"),
            std::string::npos);
  EXPECT_NE(corr["amendments"][0]["rationale"].get<std::string>().find("wrong contract"),
            std::string::npos);
  EXPECT_EQ(corr["amendments"][1]["id"], "22222222-2222-4222-8222-000000000004");

  json rec = Package(c, /*record=*/true);
  json& compiled = rec["records"][0]["compiledRelease"];
  EXPECT_EQ(compiled["contracts"][0]["value"]["amount"], 100000.0);
  EXPECT_EQ(compiled["contracts"][0]["amendments"].size(), 4u);
  EXPECT_NE(compiled["contracts"][0]["amendments"][0]["description"].get<std::string>().find(
                "Retracted by correction"),
            std::string::npos);
  EXPECT_EQ(compiled["planning"]["budget"]["project"], "Test Borough Council 2020/21");
  EXPECT_EQ(compiled["planning"]["budget"]["amount"]["amount"], 50000.0);
  EXPECT_EQ(compiled["awards"][0]["suppliers"].back()["name"], "Sparkle Holdings plc");

  WriteFile(dir.path() / "releases.json", pkg.dump(2));
  WriteFile(dir.path() / "record.json", rec.dump(2));
  EXPECT_EQ(ValidateWithPython({dir.path() / "releases.json", dir.path() / "record.json"}, dir),
            "");
}

// A waiver retracted before any award: there is no contract to amend.
TEST(OcdsReleasesTest, CorrectionBeforeAward) {
  constexpr char kId[] = "TEST-WAIVER";
  const std::string waiver =
      R"({"event_id":"33333333-3333-4333-8333-000000000001","waiver":{"authority":"Test Borough Council","rules":["CPR 1"],"justification":"urgency","approved_by":"Chief Executive"}})";
  const std::string waiver2 =
      R"({"event_id":"33333333-3333-4333-8333-000000000002","waiver":{"rules":["CPR 2"],"justification":"sole supplier","approved_by":"Chief Executive"}})";
  const std::string correction =
      R"({"event_id":"33333333-3333-4333-8333-000000000003","correction":{"corrects_event_id":"33333333-3333-4333-8333-000000000002","reason":"duplicate"}})";
  TempDir dir;
  const Contract c =
      Load(dir,
           Line(kId, "2020-01-01T00:00:00Z", waiver) + Line(kId, "2020-01-02T00:00:00Z", waiver2) +
               Line(kId, "2020-01-03T00:00:00Z", correction),
           kId);
  json rec = Package(c, /*record=*/true);
  json& rel = rec["records"][0]["releases"];
  EXPECT_EQ(Tags(rel[0]), std::vector<std::string>{"planning"});
  EXPECT_EQ(Tags(rel[1]), std::vector<std::string>{"planningUpdate"});
  EXPECT_EQ(Tags(rel[2]), std::vector<std::string>{"planningUpdate"});
  const std::string rationale = rec["records"][0]["compiledRelease"]["planning"]["rationale"];
  EXPECT_NE(rationale.find("Waiver of CPR 1 "), std::string::npos) << rationale;
  EXPECT_EQ(rationale.find("Waiver of CPR 2 "), std::string::npos) << rationale;
  EXPECT_NE(rationale.find("duplicate"), std::string::npos) << rationale;
  WriteFile(dir.path() / "record.json", rec.dump(2));
  EXPECT_EQ(ValidateWithPython({dir.path() / "record.json"}, dir), "");
}

// The validator is not vacuous: a package with a bad date, tag and method fails.
TEST(OcdsSchemaTest, ValidatorRejectsAnInvalidPackage) {
  TempDir dir;
  const Contract c = Load(dir, LeedsCri(), kCri);
  json pkg = Package(c, /*record=*/false);
  pkg["releases"][1]["date"] = "2015-02-23";
  WriteFile(dir.path() / "bad-date.json", pkg.dump());
  EXPECT_NE(ValidateWithPython({dir.path() / "bad-date.json"}, dir), "");
  pkg = Package(c, /*record=*/false);
  pkg["releases"][1]["tender"]["procurementMethod"] = "negotiated";
  WriteFile(dir.path() / "bad-method.json", pkg.dump());
  const std::string out = ValidateWithPython({dir.path() / "bad-method.json"}, dir);
  EXPECT_NE(out.find("method"), std::string::npos) << out;
  pkg = Package(c, /*record=*/false);
  pkg["releases"][0].erase("initiationType");
  WriteFile(dir.path() / "no-initiation.json", pkg.dump());
  EXPECT_NE(ValidateWithPython({dir.path() / "no-initiation.json"}, dir), "");
}

// Every contract of the demo data set: both packages are valid, tags and methods come from the
// codelists, and the compiled release agrees with the contract state.
TEST(OcdsSchemaTest, EveryDemoContractIsValid) {
  TempDir dir;
  auto log = testing::OpenLog((dir.path() / "db").string());
  ASSERT_NE(log, nullptr);
  auto stats = testing::ImportLines(*log, cli::kDemoJsonl);
  ASSERT_TRUE(stats.has_value()) << stats.error().ToString();
  auto contracts = log->ListContracts("", SIZE_MAX);
  ASSERT_TRUE(contracts.has_value());
  ASSERT_GE(contracts->size(), 16u);
  const auto tags = Codes("releaseTag.csv");
  const auto methods = Codes("method.csv");
  const auto statuses = Codes("contractStatus.csv");
  std::vector<fs::path> files;
  for (const auto& state : *contracts) {
    const std::string& id = state.contract_id();
    auto events = log->ReadContract(id);
    ASSERT_TRUE(events.has_value());
    std::vector<v1::EventRecord> records;
    for (const auto& e : *events) records.push_back(e.record);
    auto releases = ReleasePackage(state, records, {});
    ASSERT_TRUE(releases.has_value()) << id << ": " << releases.error().ToString();
    auto record = RecordPackage(state, records, {});
    ASSERT_TRUE(record.has_value()) << id << ": " << record.error().ToString();
    files.push_back(dir.path() / (id + "-releases.json"));
    WriteFile(files.back(), *releases);
    files.push_back(dir.path() / (id + "-record.json"));
    WriteFile(files.back(), *record);

    json pkg = json::parse(*releases);
    ASSERT_EQ(pkg["releases"].size(), records.size()) << id;
    for (const auto& r : pkg["releases"]) {
      for (const auto& t : r["tag"])
        EXPECT_TRUE(tags.contains(t.get<std::string>())) << id << " tag " << t;
      if (r.contains("tender") && r["tender"].contains("procurementMethod")) {
        EXPECT_TRUE(methods.contains(r["tender"]["procurementMethod"].get<std::string>())) << id;
      }
    }
    json compiled = json::parse(*record)["records"][0]["compiledRelease"];
    if (!state.award_event_id().empty()) {
      const json& k = compiled["contracts"][0];
      EXPECT_TRUE(statuses.contains(k["status"].get<std::string>())) << id;
      EXPECT_EQ(k["status"], state.status() == "terminated" ? "terminated" : "active") << id;
      EXPECT_EQ(k["period"]["endDate"], state.current_end_date() + "T23:59:59Z") << id;
      if (state.has_current_value_pence()) {
        EXPECT_EQ(k["value"]["amount"], static_cast<double>(state.current_value_pence()) / 100.0)
            << id;
      } else {
        EXPECT_FALSE(k.contains("value")) << id;  // not stated: no value, never 0
      }
      if (state.status() != "terminated") {
        EXPECT_EQ(k["period"]["maxExtentDate"], state.max_extent_date() + "T23:59:59Z") << id;
      }
    }
  }
  EXPECT_EQ(ValidateWithPython(files, dir), "");
  // CONTRACK_OCDS_OUT=DIR keeps a copy of the packages for inspection.
  if (const char* out = std::getenv("CONTRACK_OCDS_OUT"); out != nullptr && *out != '\0') {
    fs::create_directories(out);
    for (const auto& f : files)
      fs::copy_file(f, fs::path(out) / f.filename(), fs::copy_options::overwrite_existing);
  }
}

}  // namespace
}  // namespace contrack::views

// Joint contracts and values not stated, over HTTP: a participating authority's officer reads the
// contract, lists it, sees it in the register (with its share) and the funding report, and may
// not write; unknown values are blank in the register and absent in JSON.
#include "tests/integration/server_fixture.h"

namespace contrack::server_test {
namespace {

// A Leeds contract that Leicestershire takes part in (30%); its value is not stated.
constexpr char kJoint[] = "LCC-JOINT-2016";
constexpr char kJointAward[] =
    R"({"award":{"authority":"Leeds City Council","title":"Joint treatment service","supplier":{"name":"CRI"},"start_date":"2016-07-01","end_date":"2020-06-30","extension_options":[{"months":12}],"participants":[{"authority":"Leicestershire County Council","share_basis_points":3000,"role":"funder"}]}})";
constexpr char kLeicsFunding[] =
    R"({"funding":{"funder":"Leicestershire County Council","financial_year":"2016/17","amount_pence":33556800}})";
constexpr char kLeicsConditional[] =
    R"({"funding":{"funder":"Leicestershire County Council","financial_year":"2020/21","amount_pence":11185600,"conditional_on_option":1}})";

std::vector<std::string> CsvLines(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

TEST_F(ServerTest, ParticipantOfficerReadsAJointContractButMayNotWrite) {
  auto r = Append(kLeedsOfficerToken, kJoint, {kJointAward, kLeicsFunding, kLeicsConditional}, 0);
  ASSERT_EQ(r.status, 201) << Describe(r);
  CreateCri();  // a Leeds contract Leicestershire has no part in

  auto leics = Client(kLeicsOfficerToken);
  r = leics.Get(ContractPath(kJoint));
  ASSERT_EQ(r.status, 200) << Describe(r);
  const auto state = Parse<v1::ContractState>(r);
  EXPECT_EQ(state.authority(), "Leeds City Council");
  ASSERT_EQ(state.participants_size(), 1);
  EXPECT_EQ(state.participants(0).share_basis_points(), 3000);
  // Not stated: absent in JSON, never 0.
  EXPECT_FALSE(state.has_current_value_pence());
  EXPECT_FALSE(Contains(r.body, "current_value_pence")) << r.body;
  EXPECT_EQ(leics.Get(EventsPath(kJoint)).status, 200);
  EXPECT_EQ(leics.Get("/v1/ocds/" + std::string(kJoint)).status, 200);
  EXPECT_EQ(leics.Get(ContractPath(kCri)).status, 403) << "not a party to the CRI contract";

  // Its list and the authority filter include the contract it takes part in.
  r = leics.Get("/v1/contracts?authority=Leicestershire%20County%20Council");
  ASSERT_EQ(r.status, 200) << Describe(r);
  auto list = Parse<v1::ContractList>(r);
  std::set<std::string> ids;
  for (const auto& s : list.contracts()) ids.insert(s.contract_id());
  EXPECT_EQ(ids, std::set<std::string>{kJoint});

  // The register: blank cells for what is not stated, and Leicestershire's share.
  r = leics.Get("/v1/reports/register.csv?authority=Leicestershire%20County%20Council");
  ASSERT_EQ(r.status, 200) << Describe(r);
  const auto lines = CsvLines(r.body);
  ASSERT_EQ(lines.size(), 2u) << r.body;
  EXPECT_TRUE(Contains(lines[0], "Share of Leicestershire County Council (%)")) << lines[0];
  EXPECT_TRUE(Contains(lines[1], "Leicestershire County Council 30%")) << lines[1];
  EXPECT_TRUE(lines[1].ends_with(",30,pcr2015")) << lines[1];  // the share, then the regime
  EXPECT_TRUE(Contains(lines[1], ",CRI,,,,,,,,2016-07-01,")) << "supplier id, SME, VCSE, values "
                                                                "blank: "
                                                             << lines[1];
  EXPECT_FALSE(Contains(lines[1], "0.00")) << lines[1];

  // The funding report for Leicestershire: its commitment, and the conditional year apart.
  r = leics.Get("/v1/reports/funding?authority=Leicestershire%20County%20Council");
  ASSERT_EQ(r.status, 200) << Describe(r);
  const auto funding = Parse<v1::FundingReport>(r);
  EXPECT_EQ(funding.committed_pence(), 33556800);
  EXPECT_EQ(funding.conditional_pence(), 11185600);

  // Reading is not writing: the participant's officer may not append; nothing is written.
  const uint64_t before = Version(kJoint);
  r = leics.Post(EventsPath(kJoint), AppendBody({kLeicsFunding}));
  EXPECT_EQ(r.status, 403) << Describe(r);
  r = leics.Post(
      EventsPath(kJoint),
      AppendBody({R"({"effective_date":"2020-06-01","extension":{"new_end_date":"2021-06-30"}})"}));
  EXPECT_EQ(r.status, 403) << Describe(r);
  EXPECT_EQ(Version(kJoint), before);

  // The lead exercises the option: the conditional funding becomes committed.
  r = Append(kLeedsOfficerToken, kJoint,
             {R"({"effective_date":"2020-06-01","extension":{"new_end_date":"2021-06-30"}})"});
  ASSERT_EQ(r.status, 201) << Describe(r);
  r = leics.Get("/v1/reports/funding?authority=Leicestershire%20County%20Council");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(Parse<v1::FundingReport>(r).committed_pence(), 33556800 + 11185600);
  EXPECT_EQ(Parse<v1::FundingReport>(r).conditional_pence(), 0);

  // When a variation removes Leicestershire, its officer no longer reads the contract.
  r = Append(
      kLeedsOfficerToken, kJoint,
      {R"({"effective_date":"2020-07-01","variation":{"description":"Leicestershire leaves","participants":{}}})"});
  ASSERT_EQ(r.status, 201) << Describe(r);
  EXPECT_EQ(leics.Get(ContractPath(kJoint)).status, 403);
}

// option_declined, expiry and a termination for a future date, through the API as an officer
// records them: each shows in the state as it should, and the rules refuse with their facts.
TEST_F(ServerTest, DeclinedOptionExpiryAndNoticeOfTerminationThroughTheApi) {
  CreateCri();  // ends 2016-03-31, two 6-month options
  auto r = Append(
      kLeedsOfficerToken, kCri,
      {R"({"funding":{"funder":"OPCC","financial_year":"2016/17","amount_pence":100,"conditional_on_option":1}})",
       R"({"effective_date":"2016-01-15","option_declined":{"reason":"re-procured"}})"});
  ASSERT_EQ(r.status, 201) << Describe(r);
  auto s = State(kCri);
  EXPECT_EQ(s.options_declined(), 2);
  EXPECT_EQ(s.options(0).status(), "declined");
  EXPECT_EQ(s.funding_conditional_pence(), 0);
  EXPECT_EQ(s.funding_declined_pence(), 100);
  r = Append(kLeedsOfficerToken, kCri, {kExt1});
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(ErrorOf(r).code(), "no_extension_option");
  EXPECT_TRUE(Contains(ErrorOf(r).message(), "declined 2")) << Describe(r);

  // Expiry: not before the end; then expired, and nothing but funding may follow.
  r = Append(kLeedsOfficerToken, kCri, {R"({"effective_date":"2016-03-30","expiry":{}})"});
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(ErrorOf(r).code(), "expiry_before_end");
  r = Append(kLeedsOfficerToken, kCri, {R"({"effective_date":"2016-04-01","expiry":{}})"});
  ASSERT_EQ(r.status, 201) << Describe(r);
  s = State(kCri);
  EXPECT_EQ(s.status(), "expired");
  EXPECT_EQ(s.expiry_date(), "2016-03-31");
  r = Append(kLeedsOfficerToken, kCri,
             {R"({"effective_date":"2016-04-02","variation":{"description":"late change"}})"});
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(ErrorOf(r).code(), "contract_expired");
  EXPECT_EQ(Append(kLeedsOfficerToken, kCri, {kFunding}).status, 201);

  // Notice of termination for a date ahead: terminating until then, terminated after.
  r = Append(
      kLeedsOfficerToken, kNdti,
      {R"({"award":{"authority":"Leeds City Council","title":"AoC","supplier":{"name":"NDTI"},"start_date":"2019-11-01","end_date":"2099-10-31"}})",
       R"({"effective_date":"2026-01-05","termination":{"termination_date":"2098-06-30","reason":"convenience"}})"},
      0);
  ASSERT_EQ(r.status, 201) << Describe(r);
  auto c = Client(kLeedsOfficerToken);
  r = c.Get(ContractPath(kNdti));
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(Parse<v1::ContractState>(r).status(), "terminating");
  EXPECT_EQ(Parse<v1::ContractState>(r).current_end_date(), "2098-06-30");
  r = c.Get(ContractPath(kNdti) + "?as_of=2098-07-01");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(Parse<v1::ContractState>(r).status(), "terminated");
  // A termination dated after the end is refused with the end it passes.
  r = Append(
      kLeedsOfficerToken, kIps,
      {R"({"award":{"authority":"Leeds City Council","title":"x","supplier":{"name":"y"},"start_date":"2024-04-01","end_date":"2026-03-31"}})",
       R"({"termination":{"termination_date":"2026-06-30","reason":"other"}})"},
      0);
  EXPECT_EQ(r.status, 422) << Describe(r);
  EXPECT_EQ(ErrorOf(r).code(), "termination_after_end");
  EXPECT_TRUE(Contains(ErrorOf(r).message(), "2026-03-31")) << Describe(r);
  EXPECT_EQ(Version(kIps), 0u) << "nothing of the refused batch is written";
}

}  // namespace
}  // namespace contrack::server_test

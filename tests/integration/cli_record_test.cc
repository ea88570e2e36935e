// The contrack binary's event commands offline, on copies of the demo data: for each of award,
// waive, extend, decline-option, vary, novate, terminate, expire, fund, correct and reassign an
// accepted decision (the printed state, the stored body) and a refused one (the rule's code, the
// exit status, nothing written); flags refused before anything is written; list's filters; the
// --csv outputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "domain/codec.h"
#include "domain/format_text.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using testing::RunContrack;
using testing::TempDir;

void ExpectContains(const std::string& text, const std::string& needle) {
  EXPECT_NE(text.find(needle), std::string::npos) << "missing \"" << needle << "\" in:\n" << text;
}

class CliRecordTest : public ::testing::Test {
 protected:
  // The demo data is loaded once; each test works on its own copy.
  static void SetUpTestSuite() {
    demo_ = new TempDir;
    auto r = RunContrack({"--data", demo_->str(), "demo"});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete demo_;
    demo_ = nullptr;
  }
  void SetUp() override {
    std::filesystem::copy(demo_->path(), data_.path(),
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
  }

  testing::CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", data_.str()});
    return RunContrack(args);
  }
  // Runs an event command that must be accepted; returns its output.
  std::string Accepted(const std::vector<std::string>& args) {
    auto r = Run(args);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    ExpectContains(r.out, "recorded " + args[1] + " version ");
    return r.out;
  }
  // Runs an event command that must be refused by `code`: exit 1, the code and message on
  // stderr, nothing on stdout, the log unchanged. Returns stderr.
  std::string Refused(const std::vector<std::string>& args, const std::string& code) {
    const std::string before = Head();
    auto r = Run(args);
    EXPECT_EQ(r.status, 1) << r.out;
    ExpectContains(r.err, "contrack: refused (" + code + "): ");
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(Head(), before) << "a refused command wrote";
    return r.err;
  }
  // A command refused before anything is written (usage): exit 2, the log unchanged.
  std::string UsageError(const std::vector<std::string>& args) {
    const std::string before = Head();
    auto r = Run(args);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(Head(), before) << "a refused command wrote";
    return r.err;
  }
  // The log's event count and head hash.
  std::string Head() { return Run({"verify"}).out; }
  v1::ContractState State(const std::string& id) {
    auto r = Run({"show", id, "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    auto s = ParseJson<v1::ContractState>(r.out, "show");
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    return s.value_or(v1::ContractState());
  }
  // The body of the contract's last event, as stored.
  v1::HistoryEntry Last(const std::string& id) {
    auto r = Run({"history", id, "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    auto h = ParseJson<v1::HistoryResponse>(r.out, "history");
    EXPECT_TRUE(h.has_value() && h->events_size() > 0);
    return h && h->events_size() ? h->events(h->events_size() - 1) : v1::HistoryEntry();
  }

  static TempDir* demo_;
  TempDir data_;
};

TempDir* CliRecordTest::demo_ = nullptr;

const std::string kCri = "LCC-DIP-CRI-2015";

TEST_F(CliRecordTest, AwardRecordsEveryFlagAndLeavesUnstatedValuesAbsent) {
  const std::string out = Accepted({"award",
                                    "NNC-JOINT-2024",
                                    "--authority",
                                    "West Northamptonshire Council",
                                    "--title",
                                    "Joint substance misuse service",
                                    "--description",
                                    "adults and young people",
                                    "--department",
                                    "Public Health",
                                    "--supplier",
                                    "Change Grow Live",
                                    "--supplier-id",
                                    "01999999",
                                    "--sme",
                                    "no",
                                    "--vcse",
                                    "yes",
                                    "--procedure",
                                    "direct_award",
                                    "--regime",
                                    "pcr2015",
                                    "--category",
                                    "services",
                                    "--light-touch",
                                    "--start-date",
                                    "2024-04-01",
                                    "--end-date",
                                    "2026-03-31",
                                    "--annual-value",
                                    "1,000,000",
                                    "--review-date",
                                    "2025-04-01",
                                    "--option-months",
                                    "12",
                                    "--option-months",
                                    "6",
                                    "--max-end-date",
                                    "2027-09-30",
                                    "--notice-period-days",
                                    "120",
                                    "--procurement-lead-days",
                                    "300",
                                    "--participant",
                                    "North Northamptonshire Council:48.6%",
                                    "--participant",
                                    "Northamptonshire Police::funder",
                                    "--effective-date",
                                    "2024-03-01",
                                    "--decision-reference",
                                    "WNC-EX-2024-03",
                                    "--decision-maker",
                                    "Executive",
                                    "--decision-date",
                                    "2024-02-20",
                                    "--key-decision",
                                    "--call-in-eligible",
                                    "--note",
                                    "joint commissioning",
                                    "--expected-version",
                                    "0"});
  ExpectContains(out, "recorded NNC-JOINT-2024 version 1");
  ExpectContains(out, "Authority       West Northamptonshire Council (lead)");
  ExpectContains(out, "North Northamptonshire Council 48.60%; Northamptonshire Police (funder)");
  ExpectContains(out, "Change Grow Live (01999999) [not SME] [VCSE]");
  ExpectContains(out, "Value           not stated (original not stated; annual £1,000,000.00)");
  ExpectContains(out, "0 of 2 used (12 months available, 6 months available)");

  const auto e = Last("NNC-JOINT-2024");
  EXPECT_EQ(e.type(), "award");
  EXPECT_EQ(e.effective_date(), "2024-03-01");
  EXPECT_EQ(e.recorded_by(), "offline-operator");
  const auto& b = e.body();
  EXPECT_EQ(b.decision().reference(), "WNC-EX-2024-03");
  EXPECT_EQ(b.decision().maker(), "Executive");
  EXPECT_EQ(b.decision().date(), "2024-02-20");
  EXPECT_TRUE(b.decision().key_decision());
  EXPECT_TRUE(b.decision().call_in_eligible());
  EXPECT_EQ(b.note(), "joint commissioning");
  const auto& a = b.award();
  EXPECT_EQ(a.authority(), "West Northamptonshire Council");
  EXPECT_EQ(a.title(), "Joint substance misuse service");
  EXPECT_EQ(a.description(), "adults and young people");
  EXPECT_EQ(a.department(), "Public Health");
  EXPECT_EQ(a.supplier().name(), "Change Grow Live");
  EXPECT_EQ(a.supplier().id(), "01999999");
  ASSERT_TRUE(a.supplier().has_sme());
  EXPECT_FALSE(a.supplier().sme());
  ASSERT_TRUE(a.supplier().has_vcse());
  EXPECT_TRUE(a.supplier().vcse());
  EXPECT_EQ(a.procedure(), "direct_award");
  EXPECT_EQ(a.regime(), "pcr2015");
  EXPECT_EQ(a.category(), "services");
  EXPECT_TRUE(a.light_touch());
  EXPECT_EQ(a.start_date(), "2024-04-01");
  EXPECT_EQ(a.end_date(), "2026-03-31");
  EXPECT_EQ(a.review_date(), "2025-04-01");
  EXPECT_EQ(a.max_end_date(), "2027-09-30");
  ASSERT_EQ(a.extension_options_size(), 2);
  EXPECT_EQ(a.extension_options(0).months(), 12);
  EXPECT_EQ(a.extension_options(1).months(), 6);
  EXPECT_EQ(a.notice_period_days(), 120);
  EXPECT_EQ(a.procurement_lead_days(), 300);
  ASSERT_TRUE(a.has_annual_value_pence());
  EXPECT_EQ(a.annual_value_pence(), 100000000);
  // Not given: absent, never 0.
  EXPECT_FALSE(a.has_value_pence());
  EXPECT_FALSE(a.has_vat_not_recoverable_pence());
  EXPECT_FALSE(a.has_whole_life_value_pence());
  ASSERT_EQ(a.participants_size(), 2);
  EXPECT_EQ(a.participants(0).authority(), "North Northamptonshire Council");
  EXPECT_EQ(a.participants(0).share_basis_points(), 4860);
  EXPECT_FALSE(a.participants(1).has_share_basis_points());
  EXPECT_EQ(a.participants(1).role(), "funder");
  const auto s = State("NNC-JOINT-2024");
  EXPECT_FALSE(s.has_current_value_pence());
  EXPECT_FALSE(s.has_original_value_pence());
  auto json = Run({"history", "NNC-JOINT-2024", "--json"});
  EXPECT_EQ(json.out.find("\"value_pence\""), std::string::npos) << json.out;

  Refused({"award", kCri, "--authority", "Leeds City Council", "--title", "again", "--supplier",
           "CRI", "--start-date", "2015-04-01", "--value", "728,678"},
          "already_awarded");
}

TEST_F(CliRecordTest, AwardMoneyFlagsConvertExactlyToPence) {
  Accepted({"award",
            "MONEY-1",
            "--authority",
            "Leeds City Council",
            "--title",
            "t",
            "--supplier",
            "s",
            "--start-date",
            "2020-04-01",
            "--end-date",
            "2021-03-31",
            "--value",
            "£1,457,356",
            "--annual-value",
            "728678",
            "--vat-not-recoverable",
            "0.07",
            "--whole-life-value",
            "2,185,034.01"});
  const auto a = Last("MONEY-1").body().award();
  EXPECT_EQ(a.value_pence(), 145735600);
  EXPECT_EQ(a.annual_value_pence(), 72867800);
  EXPECT_EQ(a.vat_not_recoverable_pence(), 7);
  EXPECT_EQ(a.whole_life_value_pence(), 218503401);
}

TEST_F(CliRecordTest, WaiveRecordsRulesAndParticipants) {
  const std::string out =
      Accepted({"waive", "LCC-JOINT-2025", "--authority", "Leeds City Council", "--rule", "CPR 9.1",
                "--rule", "CPR 9.2", "--justification", "continuity of care", "--approved-by",
                "Director of Public Health", "--participant", "Wakefield Council:25%:partner",
                "--effective-date", "2025-01-15"});
  ExpectContains(out, "Status          pre_award");
  ExpectContains(out, "CPR 9.1, CPR 9.2 waived; approved by Director of Public Health");
  ExpectContains(out, "Wakefield Council 25.00% (partner)");
  const auto w = Last("LCC-JOINT-2025").body().waiver();
  EXPECT_EQ(w.rules_size(), 2);
  EXPECT_EQ(w.justification(), "continuity of care");
  EXPECT_EQ(w.participants(0).share_basis_points(), 2500);

  Refused({"waive", "LCC-DIP-CRI-OLD", "--rule", "CPR 9.1", "--justification", "late",
           "--approved-by", "Director"},
          "contract_terminated");
}

TEST_F(CliRecordTest, ExtendTwiceThenTheThirdIsRefused) {
  const std::string out =
      Accepted({"extend", kCri, "--effective-date", "2016-03-01", "--new-end-date", "2016-09-30",
                "--value-added", "£364,339", "--decision-reference", "LCC-EXT-1",
                "--decision-maker", "Director of Environment & Housing", "--decision-date",
                "2016-03-01", "--key-decision", "--call-in-eligible", "--expected-version", "2"});
  ExpectContains(out, "recorded LCC-DIP-CRI-2015 version 3");
  ExpectContains(out, "End             2016-09-30 (original 2016-03-31");
  ExpectContains(out, "1 of 2 used (6 months exercised 2016-03-01, 6 months available)");
  ExpectContains(out, "Value           £1,093,017.00 (original £728,678.00");
  const auto e = Last(kCri);
  EXPECT_EQ(e.type(), "extension");
  EXPECT_EQ(e.body().extension().new_end_date(), "2016-09-30");
  EXPECT_EQ(e.body().extension().value_pence_added(), 36433900);
  EXPECT_EQ(e.body().decision().reference(), "LCC-EXT-1");

  Accepted({"extend", kCri, "--effective-date", "2016-09-01", "--new-end-date", "2017-03-31"});
  EXPECT_EQ(Last(kCri).body().extension().value_pence_added(), 0);  // none stated: none added
  const std::string err =
      Refused({"extend", kCri, "--effective-date", "2017-03-01", "--new-end-date", "2017-09-30"},
              "no_extension_option");
  EXPECT_EQ(err,
            "contrack: refused (no_extension_option): contract LCC-DIP-CRI-2015 has used 2 of 2 "
            "options; current end 2017-03-31\n");
}

TEST_F(CliRecordTest, DeclineOptionDeclinesTheNextAndTheRest) {
  Refused({"decline-option", kCri, "--option", "2", "--effective-date", "2016-01-15"},
          "option_not_next");
  const std::string out = Accepted({"decline-option", kCri, "--reason", "service recommissioned",
                                    "--effective-date", "2016-01-15"});
  ExpectContains(out, "0 of 2 used, 2 declined");
  const auto d = Last(kCri).body().option_declined();
  EXPECT_EQ(d.option(), 0);  // the next one
  EXPECT_EQ(d.reason(), "service recommissioned");
  EXPECT_EQ(State(kCri).options_declined(), 2);
}

TEST_F(CliRecordTest, VaryTakesANegativeDeltaAndReplacesOrClearsParticipants) {
  const std::string out =
      Accepted({"vary", kCri, "--description", "reduced IOM caseload", "--value-delta",
                "-12,500.50", "--legal-basis", "PCR 2015 reg 72(1)(e)", "--participants",
                "Wakefield Council:10%", "--effective-date", "2015-10-01"});
  ExpectContains(out, "Participants    Wakefield Council 10.00%");
  ExpectContains(out, "Variation       -£12,500.50");
  const auto v = Last(kCri).body().variation();
  EXPECT_EQ(v.value_delta_pence(), -1250050);
  EXPECT_EQ(v.legal_basis(), "PCR 2015 reg 72(1)(e)");
  ASSERT_TRUE(v.has_participants());
  EXPECT_EQ(v.participants().participants_size(), 1);

  const std::string cleared = Accepted({"vary", kCri, "--description", "Wakefield withdraws",
                                        "--no-participants", "--effective-date", "2015-11-01"});
  EXPECT_EQ(cleared.find("Participants"), std::string::npos) << cleared;
  const auto none = Last(kCri).body().variation();
  EXPECT_TRUE(none.has_participants());  // present and empty: the list is cleared
  EXPECT_EQ(none.participants().participants_size(), 0);
  EXPECT_EQ(State(kCri).participants_size(), 0);

  // Without --participant or --no-participants the list is left as it is.
  Accepted({"vary", kCri, "--description", "scope note", "--effective-date", "2015-11-02"});
  EXPECT_FALSE(Last(kCri).body().variation().has_participants());

  Refused({"vary", "LCC-DIP-CRI-OLD", "--description", "late", "--effective-date", "2015-06-01"},
          "contract_terminated");
}

TEST_F(CliRecordTest, NovateRecordsTheNewSupplier) {
  const std::string out = Accepted({"novate", "LCC-DIP-DISC-2015", "--supplier", "Forward Leeds",
                                    "--supplier-id", "07777777", "--sme", "no", "--reason",
                                    "transfer of undertaking", "--effective-date", "2015-10-01"});
  ExpectContains(out, "Supplier        Forward Leeds (07777777) [not SME]");
  const auto n = Last("LCC-DIP-DISC-2015").body().novation();
  EXPECT_EQ(n.supplier().name(), "Forward Leeds");
  EXPECT_FALSE(n.supplier().has_vcse());  // not stated
  EXPECT_EQ(n.reason(), "transfer of undertaking");
  Refused({"novate", "LCC-DIP-CRI-OLD", "--supplier", "X", "--effective-date", "2015-06-01"},
          "contract_terminated");
}

TEST_F(CliRecordTest, TerminateRecordsDateReasonAndRule) {
  Refused({"terminate", kCri, "--termination-date", "2015-01-31", "--reason", "mutual",
           "--effective-date", "2015-01-01"},
          "termination_before_start");
  const std::string out =
      Accepted({"terminate", kCri, "--termination-date", "2016-01-31", "--reason", "convenience",
                "--rule", "CPR 22.1", "--effective-date", "2015-12-01"});
  ExpectContains(out, "Terminated      2016-01-31 (convenience)");
  const auto t = Last(kCri).body().termination();
  EXPECT_EQ(t.termination_date(), "2016-01-31");
  EXPECT_EQ(t.reason(), "convenience");
  EXPECT_EQ(t.rule(), "CPR 22.1");
}

TEST_F(CliRecordTest, ExpireClosesAContractAtItsEnd) {
  Refused({"expire", kCri, "--effective-date", "2016-01-01"}, "expiry_before_end");
  const std::string out = Accepted({"expire", "LCC-DIP-CASMACO-2015", "--reason",
                                    "options not taken up", "--effective-date", "2016-04-01"});
  ExpectContains(out, "Status          expired");
  ExpectContains(out, "Expired         2016-03-31");
  EXPECT_EQ(Last("LCC-DIP-CASMACO-2015").body().expiry().reason(), "options not taken up");
}

TEST_F(CliRecordTest, FundRecordsAConditionalCommitment) {
  const std::string out =
      Accepted({"fund", kCri, "--funder", "Safer Leeds", "--financial-year", "2016/17", "--amount",
                "£364,339", "--conditional-on-option", "1", "--effective-date", "2015-04-01"});
  ExpectContains(out, "2016/17  Safer Leeds  £0.00 + £364,339.00 if option 1 is exercised");
  const auto f = Last(kCri).body().funding();
  EXPECT_EQ(f.funder(), "Safer Leeds");
  EXPECT_EQ(f.financial_year(), "2016/17");
  EXPECT_EQ(f.amount_pence(), 36433900);
  EXPECT_EQ(f.conditional_on_option(), 1);
  EXPECT_EQ(State(kCri).funding_conditional_pence(), 36433900);
  Refused({"fund", "NEW-FUNDING", "--funder", "F", "--financial-year", "2024/25", "--amount", "1"},
          "first_event_must_be_award_or_waiver");
}

TEST_F(CliRecordTest, CorrectRetractsAnEventOfTheContract) {
  Accepted({"extend", kCri, "--effective-date", "2016-03-01", "--new-end-date", "2016-09-30"});
  const std::string wrong = Last(kCri).event_id();
  Refused({"correct", kCri, "--corrects", "11111111-2222-4333-8444-555555555555", "--reason", "x"},
          "invalid_correction");
  const std::string out =
      Accepted({"correct", kCri, "--corrects", wrong, "--reason", "entered in error"});
  ExpectContains(out, "Retracted       " + wrong);
  ExpectContains(out, "End             2016-03-31");
  const auto c = Last(kCri).body().correction();
  EXPECT_EQ(c.corrects_event_id(), wrong);
  EXPECT_EQ(c.reason(), "entered in error");
}

TEST_F(CliRecordTest, ReassignChangesTheAuthority) {
  Refused({"reassign", "NEW-REASSIGN", "--authority", "Leeds City Council", "--reason", "r"},
          "first_event_must_be_award_or_waiver");
  const std::string out =
      Accepted({"reassign", "LCC-NDTI-AOC-2019", "--authority", "Wakefield Council", "--reason",
                "recorded under the wrong council"});
  ExpectContains(out, "Authority       Wakefield Council");
  EXPECT_EQ(Last("LCC-NDTI-AOC-2019").body().authority_reassignment().authority(),
            "Wakefield Council");
}

TEST_F(CliRecordTest, AStaleExpectedVersionIsRefusedWithTheCurrentOne) {
  const std::string err = Refused({"extend", kCri, "--effective-date", "2016-03-01",
                                   "--new-end-date", "2016-09-30", "--expected-version", "1"},
                                  "version_conflict");
  ExpectContains(err, "(current version 2)");
}

TEST_F(CliRecordTest, AnEventIdMakesARetryANoOp) {
  const std::vector<std::string> args = {
      "extend",         kCri,         "--event-id",  "44444444-4444-4444-8444-000000000009",
      "--new-end-date", "2016-09-30", "--effective", "2016-03-01"};
  Accepted(args);
  const std::string head = Head();
  auto again = Run(args);
  ASSERT_EQ(again.status, 0) << again.err;
  ExpectContains(again.out, "already recorded LCC-DIP-CRI-2015 version 3");
  EXPECT_EQ(Head(), head);
}

TEST_F(CliRecordTest, BadFlagsAreRefusedBeforeAnythingIsWritten) {
  ExpectContains(UsageError({"extend", kCri, "--new-end-date", "2016-09-30", "--colour", "red"}),
                 "not expected: red --colour");
  ExpectContains(
      UsageError({"extend", kCri, "--new-end-date", "2016-09-30", "--value-added", "1.234"}),
      "contrack: --value-added: \"1.234\" has more than two decimal places");
  ExpectContains(
      UsageError({"extend", kCri, "--new-end-date", "2016-09-30", "--value-added", "-5"}),
      "contrack: --value-added: \"-5\" is negative");
  ExpectContains(UsageError({"fund", kCri, "--funder", "F", "--financial-year", "2016/17",
                             "--amount", "92233720368547758.08"}),
                 "contrack: --amount: \"92233720368547758.08\" is more than the largest amount");
  ExpectContains(UsageError({"extend", kCri, "--new-end-date", "2016-02-30"}),
                 "--new-end-date: \"2016-02-30\" is not a real calendar date");
  ExpectContains(UsageError({"extend", kCri}), "--new-end-date is required");
  ExpectContains(
      UsageError({"terminate", kCri, "--termination-date", "2016-01-31", "--reason", "whim"}),
      "--reason: whim not in {convenience,breach,mutual,superseded,other}");
  ExpectContains(UsageError({"award", "X-1", "--authority", "A", "--title", "T", "--supplier", "S",
                             "--start-date", "2020-01-01", "--sme", "perhaps"}),
                 "--sme: \"perhaps\" is not yes or no");
  ExpectContains(UsageError({"award", "X-1", "--authority", "A", "--title", "T", "--supplier", "S",
                             "--start-date", "2020-01-01", "--participant", "B:120%"}),
                 "--participant: participant \"B:120%\": \"120%\" is more than 100%");
  ExpectContains(
      UsageError({"vary", kCri, "--description", "d", "--no-participants", "--participant", "B"}),
      "excludes");
  ExpectContains(UsageError({"correct", kCri, "--corrects", "not-a-uuid", "--reason", "r"}),
                 "--corrects: \"not-a-uuid\" is not a UUID");
  ExpectContains(
      UsageError({"fund", kCri, "--funder", "F", "--financial-year", "2016/18", "--amount", "1"}),
      "--financial-year");
  ExpectContains(UsageError({"extend", kCri, "--new-end-date", "2016-09-30", "--value-added", "1",
                             "--value-added", "2"}),
                 "--value-added");
}

TEST_F(CliRecordTest, ListFiltersByAuthorityOrParticipantSupplierAndStatus) {
  auto ids = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "list");
    args.push_back("--json");
    auto r = Run(args);
    EXPECT_EQ(r.status, 0) << r.err;
    auto l = ParseJson<v1::ContractList>(r.out, "list");
    EXPECT_TRUE(l.has_value()) << r.out;
    std::vector<std::string> out;
    for (const auto& c : l->contracts()) out.push_back(c.contract_id());
    return out;
  };
  EXPECT_EQ(ids({"--authority", "Leicestershire County Council"}),
            (std::vector<std::string>{"LEICS-IPS-ITS-2024", "LLR-SMTS-2016"}));
  EXPECT_EQ(ids({"--supplier", "change GROW"}),
            (std::vector<std::string>{"NNC-WNC-ADULT-CGL-2018"}));
  EXPECT_EQ(ids({"--status", "terminated"}),
            (std::vector<std::string>{"LCC-DIP-CRI-OLD", "LCC-DIP-DISC-OLD", "LCC-MICASE-OLD"}));
  EXPECT_EQ(
      ids({"--as-of", "2016-01-01", "--status", "active", "--authority", "Leeds City Council"}),
      (std::vector<std::string>{"LCC-DIP-CASMACO-2015", "LCC-DIP-CRI-2015", "LCC-DIP-DISC-2015"}));
  // A participant's contracts are listed under its name as well as the lead's.
  Accepted({"waive", "NNC-JOINT-2024", "--authority", "West Northamptonshire Council", "--rule",
            "CPR 4.1", "--justification", "sole provider", "--approved-by", "Director",
            "--participant", "North Northamptonshire Council:48.6%"});
  EXPECT_EQ(ids({"--authority", "North Northamptonshire Council"}),
            (std::vector<std::string>{"NNC-JOINT-2024", "NNC-WNC-ADULT-CGL-2018",
                                      "NNC-WNC-CMS-ILLY-2018", "NNC-WNC-CYP-AQUARIUS-2018",
                                      "NNC-WNC-FAMILY-FSL-2018", "NNC-WNC-RECOVERY-BRIDGE-2018",
                                      "NNC-WNC-WFT-AQUARIUS-2018", "NNC-WNC-YOS-SLA-2023"}));
  auto table = Run({"list", "--authority", "North Northamptonshire Council"});
  ExpectContains(table.out, "NNC-JOINT-2024");
  UsageError({"list", "--status", "alive"});
}

// Every row has the header's fields; returns the rows after the header.
std::vector<std::map<std::string, std::string>> Records(const std::string& csv,
                                                        const std::string& header) {
  auto rows = testing::ParseCsv(csv);
  std::vector<std::map<std::string, std::string>> out;
  EXPECT_FALSE(rows.empty());
  if (rows.empty()) return out;
  std::string joined;
  for (const auto& f : rows[0]) joined += (joined.empty() ? "" : ",") + f;
  EXPECT_EQ(joined, header);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].size(), rows[0].size()) << "row " << i;
    std::map<std::string, std::string> m;
    for (size_t j = 0; j < rows[i].size() && j < rows[0].size(); ++j) m[rows[0][j]] = rows[i][j];
    out.push_back(std::move(m));
  }
  return out;
}

TEST_F(CliRecordTest, CsvOutputsParseBackWithBlankCellsForUnstatedValues) {
  Accepted({"award", "NO-VALUE-2016", "--authority", "Leeds City Council", "--title",
            "Value, \"to be agreed\"", "--supplier", "Acme, Ltd", "--start-date", "2015-04-01",
            "--end-date", "2016-03-31", "--option-months", "6"});
  auto alerts = Run({"alerts", "--as-of", "2016-01-01", "--within-days", "90", "--csv"});
  ASSERT_EQ(alerts.status, 0) << alerts.err;
  auto a = Records(alerts.out,
                   "deadline,days_left,action,contract_id,end_date,options_left,value,authority,"
                   "title,supplier");
  std::map<std::string, std::map<std::string, std::string>> by_id;
  for (auto& r : a) by_id[r["contract_id"]] = r;
  ASSERT_TRUE(by_id.contains(kCri)) << alerts.out;
  EXPECT_EQ(by_id[kCri]["value"], "728678.00");
  EXPECT_EQ(by_id[kCri]["authority"], "Leeds City Council");
  ASSERT_TRUE(by_id.contains("NO-VALUE-2016")) << alerts.out;
  // Each value cell is the alert's value in plain pounds, blank exactly when the alert carries
  // none (the alerts index decides whether an award's unstated value reaches its alert).
  auto json = Run({"alerts", "--as-of", "2016-01-01", "--within-days", "90", "--json"});
  auto parsed = ParseJson<v1::AlertsResponse>(json.out, "alerts");
  ASSERT_TRUE(parsed.has_value()) << json.out;
  ASSERT_EQ(static_cast<size_t>(parsed->alerts_size()), a.size());
  for (int i = 0; i < parsed->alerts_size(); ++i) {
    const auto& x = parsed->alerts(i);
    EXPECT_EQ(a[i]["contract_id"], x.contract_id());
    EXPECT_EQ(a[i]["value"], x.has_value_pence() ? FormatPoundsPlain(x.value_pence()) : "");
  }
  EXPECT_EQ(by_id["NO-VALUE-2016"]["title"], "Value, \"to be agreed\"");
  EXPECT_EQ(by_id["NO-VALUE-2016"]["supplier"], "Acme, Ltd");

  auto history = Run({"history", "NO-VALUE-2016", "--csv"});
  ASSERT_EQ(history.status, 0) << history.err;
  auto h = Records(history.out,
                   "sequence,version,type,event_id,effective_date,recorded_at,recorded_by,"
                   "decision_reference,decision_maker,decision_date,amount,end_date,retracted,"
                   "summary,hash,prev_hash");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]["type"], "award");
  EXPECT_EQ(h[0]["amount"], "");
  EXPECT_EQ(h[0]["end_date"], "2016-03-31");
  EXPECT_EQ(h[0]["retracted"], "false");
  auto cri = Records(Run({"history", kCri, "--csv"}).out,
                     "sequence,version,type,event_id,effective_date,recorded_at,recorded_by,"
                     "decision_reference,decision_maker,decision_date,amount,end_date,retracted,"
                     "summary,hash,prev_hash");
  ASSERT_EQ(cri.size(), 2u);
  EXPECT_EQ(cri[0]["type"], "waiver");
  EXPECT_EQ(cri[0]["amount"], "");
  EXPECT_EQ(cri[1]["amount"], "728678.00");

  auto funding = Run({"funding", "--csv", "--authority", "Leicestershire County Council"});
  ASSERT_EQ(funding.status, 0) << funding.err;
  auto f = Records(funding.out, "funder,authority,financial_year,committed,conditional,contracts");
  ASSERT_FALSE(f.empty());
  bool found = false;
  for (auto& r : f) {
    if (r["financial_year"] == "2017/18" &&
        r["funder"] == "Police and Crime Commissioner for Leicestershire") {
      EXPECT_EQ(r["committed"], "447424.00");
      found = true;
    }
  }
  EXPECT_TRUE(found) << funding.out;
  UsageError({"alerts", "--csv", "--json"});
}

}  // namespace
}  // namespace contrack

// The deadlines calendar builder (services/views/calendar.h): UIDs, dates, escaping of user text,
// line folding, links and the public URL's validation. Each calendar is parsed back with libical.
#include "services/views/calendar.h"

#include <gtest/gtest.h>
#include <libical/ical.h>

#include <memory>
#include <string>
#include <vector>

namespace contrack::views {
namespace {

constexpr char kUrl[] = "https://contracts.example.gov.uk/contrack";
// 2026-03-01T10:20:30Z
constexpr Micros kNow = 1772360430LL * 1000000;

v1::Alert Decision(const std::string& id, const std::string& action, const std::string& deadline) {
  v1::Alert a;
  a.set_contract_id(id);
  a.set_action(action);
  a.set_deadline(deadline);
  a.set_days_left(10);
  a.set_authority("Leeds City Council");
  a.set_title("Interpreting");
  a.set_supplier("Words Ltd");
  a.set_end_date("2026-12-31");
  a.set_options_left(2);
  return a;
}

v1::Obligation Notice(const std::string& id, const std::string& type, const std::string& due,
                      const std::string& created_by_event_id) {
  v1::Obligation o;
  o.set_contract_id(id);
  o.set_authority("Leeds City Council");
  o.set_title("Advocacy");
  o.set_regime("pa2023");
  o.set_notice_type(type);
  o.set_provision("PA 2023 s.53(1)");
  o.set_created_by("award");
  o.set_created_by_event_id(created_by_event_id);
  o.set_due_date(due);
  o.set_status("overdue");
  o.set_action("publish_" + type);
  return o;
}

CalendarOptions Options() {
  CalendarOptions o;
  o.public_url = kUrl;
  o.now = kNow;
  return o;
}

std::string Ics(const std::vector<v1::Alert>& decisions, const std::vector<v1::Obligation>& notices,
                const std::map<std::string, std::string>& suppliers = {}) {
  auto r = CalendarIcs(decisions, notices, suppliers, Options());
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
  return r.value_or("");
}

// RFC 5545 unfolding: a CRLF followed by one space or tab is removed.
std::string Unfold(const std::string& ics) {
  std::string out;
  for (size_t i = 0; i < ics.size(); ++i) {
    if (ics.compare(i, 3, "\r\n ") == 0 || ics.compare(i, 3, "\r\n\t") == 0) {
      i += 2;
      continue;
    }
    out += ics[i];
  }
  return out;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

struct ComponentFree {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Parsed = std::unique_ptr<icalcomponent, ComponentFree>;

Parsed Parse(const std::string& ics) {
  Parsed c(icalparser_parse_string(ics.c_str()));
  EXPECT_NE(c, nullptr) << ics;
  return c;
}

// The SUMMARY of each VEVENT, as libical reads it back (escapes undone).
std::vector<std::string> Summaries(const std::string& ics) {
  std::vector<std::string> out;
  auto c = Parse(ics);
  if (!c) return out;
  for (icalcomponent* e = icalcomponent_get_first_component(c.get(), ICAL_VEVENT_COMPONENT);
       e != nullptr; e = icalcomponent_get_next_component(c.get(), ICAL_VEVENT_COMPONENT)) {
    out.emplace_back(icalcomponent_get_summary(e));
  }
  icalmemory_free_ring();
  return out;
}

TEST(CalendarTest, CalendarHasItsHeaderAndCrlfLines) {
  const std::string ics = Ics({}, {});
  EXPECT_EQ(ics,
            "BEGIN:VCALENDAR\r\n"
            "PRODID:-//contrack//deadlines calendar//EN\r\n"
            "VERSION:2.0\r\n"
            "CALSCALE:GREGORIAN\r\n"
            "METHOD:PUBLISH\r\n"
            "X-WR-CALNAME:contrack deadlines\r\n"
            "X-WR-CALDESC:Decisions and notices due on the contracts recorded in \r\n"
            " contrack (https://contracts.example.gov.uk/contrack)\r\n"
            "X-PUBLISHED-TTL:PT1H\r\n"
            "END:VCALENDAR\r\n");
  CalendarOptions o = Options();
  o.authority = "Leeds City Council";
  auto named = CalendarIcs({}, {}, {}, o);
  ASSERT_TRUE(named.has_value());
  EXPECT_NE(named->find("X-WR-CALNAME:contrack deadlines: Leeds City Council\r\n"),
            std::string::npos);
  // The authority is the caller's text: its control characters become spaces.
  o.authority = "Leeds\r\nBEGIN:VEVENT";
  named = CalendarIcs({}, {}, {}, o);
  ASSERT_TRUE(named.has_value());
  EXPECT_NE(named->find("X-WR-CALNAME:contrack deadlines: Leeds  BEGIN:VEVENT\r\n"),
            std::string::npos)
      << *named;
  EXPECT_EQ(Count(*named, "BEGIN:VEVENT\r\n"), 1u) << *named;
}

// libical 3.0 folds a 77-octet UID line between its CR and LF; the builder repairs that, so every
// line ends CRLF and no line holds a stray CR.
TEST(CalendarTest, EveryLineEndsWithCrlf) {
  const std::string ics = Ics({Decision("LCC-1", "review", "2026-05-01")}, {});
  EXPECT_EQ(Count(ics, "\n"), Count(ics, "\r\n")) << ics;
  EXPECT_EQ(Count(ics, "\r"), Count(ics, "\r\n")) << ics;
  EXPECT_NE(
      ics.find("\r\nUID:\r\n " + DecisionUid(Decision("LCC-1", "review", "")) + "\r\nDTSTAMP:"),
      std::string::npos)
      << ics;
}

TEST(CalendarTest, EventsAreAllDayWithTheirLinkAndStamp) {
  const std::string ics =
      Unfold(Ics({Decision("LCC/1 A", "exercise_or_decline_option", "2026-12-31")},
                 {Notice("LCC-2", "contract_details_notice", "2026-02-09",
                         "aaaaaaaa-0000-4000-8000-000000000001")},
                 {{"LCC-2", "Advocacy Ltd"}}));
  // By date: the notice first.
  const size_t notice = ics.find("DTSTART;VALUE=DATE:20260209\r\n");
  const size_t decision = ics.find("DTSTART;VALUE=DATE:20261231\r\n");
  ASSERT_NE(notice, std::string::npos) << ics;
  ASSERT_NE(decision, std::string::npos) << ics;
  EXPECT_LT(notice, decision);
  EXPECT_NE(ics.find("DTEND;VALUE=DATE:20260210\r\n"), std::string::npos) << ics;
  EXPECT_NE(ics.find("DTEND;VALUE=DATE:20270101\r\n"), std::string::npos) << "over a year end";
  EXPECT_EQ(Count(ics, "DTSTAMP:20260301T102030Z\r\n"), 2u) << ics;
  EXPECT_NE(ics.find("URL:https://contracts.example.gov.uk/contrack/#/contracts/LCC%2F1%20A\r\n"),
            std::string::npos)
      << ics;
  EXPECT_NE(ics.find("SUMMARY:Exercise or decline option: Interpreting (LCC/1 A)\r\n"),
            std::string::npos)
      << ics;
  EXPECT_NE(ics.find("SUMMARY:Publish contract details notice: Advocacy (LCC-2)\r\n"),
            std::string::npos)
      << ics;
  EXPECT_NE(ics.find("CATEGORIES:Notice\r\n"), std::string::npos);
  EXPECT_EQ(Count(ics, "TRANSP:TRANSPARENT\r\n"), 2u);
  // The description names what is due, when, for whom and under which rule.
  for (const char* part :
       {"DESCRIPTION:Notice: contract_details_notice\\nAction: publish_contract_details_notice\\n"
        "Due: 2026-02-09\\nStatus: overdue\\nRegime: pa2023\\nProvision: PA 2023 s.53(1)\\n"
        "Created by: award (event aaaaaaaa-0000-4000-8000-000000000001)\\n",
        "Authority: Leeds City Council\\nSupplier: Advocacy Ltd\\n",
        "Contract page: https://contracts.example.gov.uk/contrack/#/contracts/LCC-2\r\n",
        "DESCRIPTION:Decision: exercise_or_decline_option\\nDue: 2026-12-31\\nStatus: due\\n",
        "Supplier: Words Ltd\\nEnd date: 2026-12-31\\nOptions left: 2\\n"}) {
    EXPECT_NE(ics.find(part), std::string::npos) << part << "\n" << ics;
  }
}

TEST(CalendarTest, UidIsStableAndIgnoresTheDate) {
  const auto a = Decision("LCC-1", "exercise_or_decline_option", "2026-05-01");
  const std::string uid = DecisionUid(a);
  ASSERT_EQ(uid.size(), 64u + 9u);
  EXPECT_TRUE(uid.ends_with("@contrack"));
  EXPECT_EQ(uid.find_first_not_of("0123456789abcdef"), 64u);
  EXPECT_EQ(DecisionUid(Decision("LCC-1", "exercise_or_decline_option", "2027-01-31")), uid)
      << "a moved deadline keeps its event";
  EXPECT_NE(DecisionUid(Decision("LCC-1", "review", "2026-05-01")), uid);
  EXPECT_NE(DecisionUid(Decision("LCC-2", "exercise_or_decline_option", "2026-05-01")), uid);
  // sha256("LCC-1/exercise_or_decline_option"): the scheme is fixed, not just self-consistent.
  EXPECT_EQ(uid, "c85d66c8960f4f2bee4db0ce6acad4b44d07ad3d1a1d8ddc12a59a4ba4ccd92b@contrack")
      << "if this changed on purpose, every subscribed calendar duplicates its events";

  const auto n = Notice("LCC-1", "contract_change_notice", "2026-05-31", "event-1");
  EXPECT_EQ(NoticeUid(Notice("LCC-1", "contract_change_notice", "2026-07-31", "event-1")),
            NoticeUid(n));
  EXPECT_NE(NoticeUid(Notice("LCC-1", "contract_change_notice", "2026-05-31", "event-2")),
            NoticeUid(n))
      << "each variation's notice is its own event";
  EXPECT_NE(NoticeUid(Notice("LCC-1", "contract_details_notice", "2026-05-31", "event-1")),
            NoticeUid(n));
  auto by_end = Notice("LCC-1", "contract_termination_notice", "2026-05-31", "");
  by_end.set_created_by("end_date");
  EXPECT_NE(NoticeUid(by_end),
            NoticeUid(Notice("LCC-1", "contract_termination_notice", "2026-05-31", "")));
  // The same in two calendars made at different times.
  const std::string first = Ics({a}, {n});
  auto later = Options();
  later.now = kNow + 3600LL * 1000000;
  auto second = CalendarIcs(std::vector{a}, std::vector{n}, {}, later);
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(first, *second);
  EXPECT_NE(Unfold(*second).find("UID:" + uid + "\r\n"), std::string::npos) << *second;
  EXPECT_NE(Unfold(first).find("UID:" + uid + "\r\n"), std::string::npos) << first;
}

TEST(CalendarTest, TwoDeadlinesWithOneUidAreRefused) {
  const auto a = Decision("LCC-1", "review", "2026-05-01");
  auto r = CalendarIcs(std::vector{a, a}, std::vector<v1::Obligation>{}, {}, Options());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST(CalendarTest, HostileTitleStaysOneEscapedProperty) {
  const std::string title = "Title; with, \"commas\"\nBEGIN:VEVENT\r\nEND:VCALENDAR\\";
  auto a = Decision("LCC-1", "review", "2026-05-01");
  a.set_title(title);
  auto n = Notice("LCC-2", "contract_details_notice", "2026-05-02", "e");
  n.set_title(title);
  const std::string ics = Ics({a}, {n});
  const std::string unfolded = Unfold(ics);
  EXPECT_EQ(Count(ics, "\r\nBEGIN:VEVENT\r\n"), 2u) << ics;
  EXPECT_EQ(Count(ics, "\r\nEND:VCALENDAR\r\n"), 1u) << ics;
  EXPECT_EQ(Count(ics, "\n"), Count(ics, "\r\n")) << "no bare line feed";
  EXPECT_NE(unfolded.find("SUMMARY:Review: Title\\; with\\, \"commas\"\\nBEGIN:VEVENT\\n"
                          "END:VCALENDAR\\\\ (LCC-1)\r\n"),
            std::string::npos)
      << unfolded;
  // Read back, the text is the title as typed (a CR LF pair reads back as a line feed).
  std::string read_title = title;
  read_title.erase(read_title.find('\r'), 1);
  const auto summaries = Summaries(ics);
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[0], "Review: " + read_title + " (LCC-1)");
  EXPECT_EQ(summaries[1], "Publish contract details notice: " + read_title + " (LCC-2)");
}

TEST(CalendarTest, LongLinesAreFoldedAtSeventyFiveOctets) {
  auto a = Decision("LCC-1", "review", "2026-05-01");
  std::string title;
  for (int i = 0; i < 40; ++i) title += "Gwasanaeth eiriolaeth £ café ";
  title += std::string(200, 'x');
  a.set_title(title);
  const std::string ics = Ics({a}, {});
  size_t start = 0, longest = 0;
  while (start < ics.size()) {
    const size_t end = ics.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    longest = std::max(longest, end - start);
    start = end + 2;
  }
  EXPECT_LE(longest, 75u) << ics;
  EXPECT_GT(Count(ics, "\r\n "), 10u) << "folded";
  const auto summaries = Summaries(ics);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0], "Review: " + title + " (LCC-1)") << "unfolds to the same text";
}

TEST(CalendarTest, ContractPageUrlIsTheWebInterfacesHashRoute) {
  EXPECT_EQ(ContractPageUrl("http://127.0.0.1:8080", "LCC-DIP-CRI-2015"),
            "http://127.0.0.1:8080/#/contracts/LCC-DIP-CRI-2015");
  EXPECT_EQ(ContractPageUrl("https://x/a", "a/b c#d?é"),
            "https://x/a/#/contracts/a%2Fb%20c%23d%3F%C3%A9");
}

TEST(CalendarTest, PublicUrlMustBeAnHttpBaseAddress) {
  for (const auto& [in, want] : std::vector<std::pair<std::string, std::string>>{
           {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
           {"HTTPS://Contracts.example.gov.uk/", "https://Contracts.example.gov.uk"},
           {"https://x.example/contrack///", "https://x.example/contrack"},
           {"http://[::1]:8443/a", "http://[::1]:8443/a"},
           {"https://x.example:65535", "https://x.example:65535"}}) {
    auto r = ParsePublicUrl(in, "--public-url");
    ASSERT_TRUE(r.has_value()) << in << ": " << r.error().ToString();
    EXPECT_EQ(*r, want) << in;
  }
  for (const char* bad : {"", "ftp://x", "x.example", "//x", "https://", "https:///path",
                          "https://x/?a=1", "https://x/#top", "https://u:p@x", "https://x:0",
                          "https://x:65536", "https://x:8a", "https://x:", "https://:80",
                          "https://x y", "https://x/\n", "https://x/é", "javascript:alert(1)"}) {
    auto r = ParsePublicUrl(bad, "--public-url");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_TRUE(r.error().message.starts_with("--public-url ")) << r.error().message;
  }
}

}  // namespace
}  // namespace contrack::views

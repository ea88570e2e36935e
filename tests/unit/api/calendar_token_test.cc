// Calendar tokens in the tokens file (services/api/auth.h): loaded beside the bearer tokens, never
// equal to any of them, found only by FindCalendar, and gone after a reload without them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "services/api/auth.h"
#include "tests/support/test_support.h"

namespace contrack::api {
namespace {

constexpr char kBearer[] = "leeds-officer-token-0001";
constexpr char kCalendar[] = "leeds-calendar-token-0001";

std::string Entry(const std::string& token, const std::string& principal,
                  const std::string& calendar) {
  return R"({"token":")" + token + R"(","principal":")" + principal +
         R"(","role":"officer","authorities":["Leeds City Council"])" +
         (calendar.empty() ? "" : R"(,"calendar_token":")" + calendar + R"(")") + "}";
}

class CalendarTokenTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& entries) {
    const auto path = dir_.path() / "tokens.json";
    testing::WriteFile(path, R"({"tokens":[)" + entries + "]}");
    EXPECT_EQ(::chmod(path.c_str(), 0600), 0);
    return path.string();
  }

  // The load error for `entries`, or "" when it loads.
  std::string LoadError(const std::string& entries) {
    auto s = TokenStore::Load(Write(entries));
    return s ? "" : s.error().message;
  }

  testing::TempDir dir_;
};

TEST_F(CalendarTokenTest, FoundOnlyAsACalendarToken) {
  auto store = TokenStore::Load(
      Write(Entry(kBearer, "jane", kCalendar) + "," + Entry("other-officer-token-01", "sam", "")));
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  auto& s = **store;
  auto p = s.FindCalendar(kCalendar);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->name, "jane");
  EXPECT_EQ(p->role, Role::kOfficer);
  EXPECT_EQ(p->authorities, std::vector<std::string>{"Leeds City Council"});
  EXPECT_FALSE(s.Find(kCalendar).has_value()) << "a calendar token is no bearer token";
  EXPECT_FALSE(s.FindDigest(TokenStore::Digest(kCalendar)).has_value());
  EXPECT_FALSE(s.FindCalendar(kBearer).has_value()) << "a bearer token is no calendar token";
  EXPECT_FALSE(s.FindCalendar("other-officer-token-01").has_value());
  EXPECT_FALSE(s.FindCalendar("").has_value()) << "an entry without one matches nothing";
  EXPECT_TRUE(s.Find(kBearer).has_value());
}

TEST_F(CalendarTokenTest, ReloadWithoutItRevokesIt) {
  const std::string path = Write(Entry(kBearer, "jane", kCalendar));
  auto store = TokenStore::Load(path);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE((*store)->FindCalendar(kCalendar).has_value());
  Write(Entry(kBearer, "jane", ""));
  ASSERT_TRUE((*store)->Reload().has_value());
  EXPECT_FALSE((*store)->FindCalendar(kCalendar).has_value());
  EXPECT_TRUE((*store)->Find(kBearer).has_value());
}

TEST_F(CalendarTokenTest, LengthAndDuplicatesAreCheckedLikeTokens) {
  EXPECT_EQ(LoadError(Entry(kBearer, "jane", "short")),
            "tokens file " + (dir_.path() / "tokens.json").string() +
                ": tokens[0].calendar_token is under 16 characters");
  // Equal to its own bearer token, another's, or another calendar token: refused, naming it.
  for (const std::string& entries :
       {Entry(kBearer, "jane", kBearer),
        Entry(kBearer, "jane", kCalendar) + "," + Entry(kCalendar, "sam", ""),
        Entry("sams-bearer-token-0001", "sam", "") + "," +
            Entry(kBearer, "jane", "sams-bearer-token-0001"),
        Entry(kBearer, "jane", kCalendar) + "," +
            Entry("sams-bearer-token-0001", "sam", kCalendar)}) {
    const std::string e = LoadError(entries);
    EXPECT_NE(e.find("is repeated (as a token or a calendar_token)"), std::string::npos)
        << entries << ": " << e;
    EXPECT_EQ(e.find(kCalendar), std::string::npos) << "never quoted: " << e;
    EXPECT_EQ(e.find(kBearer), std::string::npos) << "never quoted: " << e;
  }
}

}  // namespace
}  // namespace contrack::api

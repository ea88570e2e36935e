// Browser sessions and the web files' lookups, in process: the cookie parser, ETag matching,
// constant-time comparison, the session store's lifetimes and cap, and the embedded file table.
#include "services/api/web_sessions.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "services/api/web_assets.h"

namespace contrack::api {
namespace {

using namespace std::chrono_literals;

TEST(CookieValueTest, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(CookieValue("contrack_session=abc", "contrack_session"), "abc");
  EXPECT_EQ(CookieValue("a=1; contrack_session=abc; b=2", "contrack_session"), "abc");
  EXPECT_EQ(CookieValue("a=1;contrack_session=\"abc\"", "contrack_session"), "abc");
  EXPECT_EQ(CookieValue("contrack_session=first; contrack_session=second", "contrack_session"),
            "first");
  EXPECT_EQ(CookieValue("xcontrack_session=abc", "contrack_session"), std::nullopt);
  EXPECT_EQ(CookieValue("contrack_sessionx=abc", "contrack_session"), std::nullopt);
  EXPECT_EQ(CookieValue("contrack_session", "contrack_session"), std::nullopt);
  EXPECT_EQ(CookieValue("", "contrack_session"), std::nullopt);
  EXPECT_EQ(CookieValue(";;; ;", "contrack_session"), std::nullopt);
  EXPECT_EQ(CookieValue("contrack_session=", "contrack_session"), "");
}

TEST(EtagMatchesTest, ListsWeakTagsAndStar) {
  EXPECT_TRUE(EtagMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("*", "\"abc\""));
  EXPECT_FALSE(EtagMatches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(EtagMatches("abc", "\"abc\""));
  EXPECT_FALSE(EtagMatches("", "\"abc\""));
}

TEST(ConstantTimeEqualsTest, EqualOnlyForTheSameNonEmptyBytes) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", ""));  // an empty CSRF header never matches
}

TEST(SessionStoreTest, SessionsAreRandomAndFoundByTheirId) {
  SessionStore store(SessionOptions{});
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto s = store.Create("p" + std::to_string(i), "digest");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->id.size(), 64u);
    EXPECT_EQ(s->csrf_token.size(), 64u);
    EXPECT_NE(s->id, s->csrf_token);
    EXPECT_TRUE(ids.insert(s->id).second);
    auto found = store.Touch(s->id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->csrf_token, s->csrf_token);
  }
  EXPECT_FALSE(store.Touch(std::string(64, '0')).has_value());
  EXPECT_FALSE(store.Touch("").has_value());
}

TEST(SessionStoreTest, IdleAndAbsoluteLifetimes) {
  SessionStore idle({.idle = 1s, .absolute = 60s, .per_principal = 8});
  auto s = idle.Create("p", "d");
  ASSERT_TRUE(s.has_value());
  std::this_thread::sleep_for(1100ms);
  EXPECT_FALSE(idle.Touch(s->id).has_value());
  EXPECT_EQ(idle.size(), 0u) << "an expired session is dropped when found";

  SessionStore absolute({.idle = 60s, .absolute = 1s, .per_principal = 8});
  auto t = absolute.Create("p", "d");
  ASSERT_TRUE(t.has_value());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(absolute.Touch(t->id).has_value());
    std::this_thread::sleep_for(200ms);
  }
  std::this_thread::sleep_for(600ms);
  EXPECT_FALSE(absolute.Touch(t->id).has_value());
}

TEST(SessionStoreTest, TheCapEndsThePrincipalsLeastRecentlyUsed) {
  SessionStore store({.idle = 60s, .absolute = 60s, .per_principal = 2});
  auto a = store.Create("p", "d");
  std::this_thread::sleep_for(5ms);
  auto b = store.Create("p", "d");
  auto other = store.Create("q", "d");
  std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(store.Touch(a->id).has_value());
  std::this_thread::sleep_for(5ms);
  auto c = store.Create("p", "d");
  EXPECT_FALSE(store.Touch(b->id).has_value());
  EXPECT_TRUE(store.Touch(a->id).has_value());
  EXPECT_TRUE(store.Touch(c->id).has_value());
  EXPECT_TRUE(store.Touch(other->id).has_value());
  EXPECT_TRUE(store.Remove(a->id));
  EXPECT_FALSE(store.Remove(a->id));
  EXPECT_FALSE(store.Touch(a->id).has_value());
}

TEST(WebAssetsTest, TheTableHoldsThePageAndRefusesOtherSpellings) {
  const WebAsset* index = FindWebAsset("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(FindWebAsset("/assets/js/app.js"), nullptr);
  EXPECT_NE(FindWebAsset("/assets/js/events.js"), nullptr);
  for (const char* p : {"/index.html", "/assets/../index.html", "/assets/js/../js/app.js",
                        "/assets//js/app.js", "/assets/./js/app.js", "/assets\\js\\app.js", "",
                        "/assets/", "/assets/vendor/govuk-frontend/README.md",
                        "/assets/vendor/govuk-frontend/contrack-govuk.scss"}) {
    EXPECT_EQ(FindWebAsset(p), nullptr) << p;
  }
  std::set<std::string_view> paths;
  for (const WebAsset& a : WebAssets()) {
    EXPECT_TRUE(paths.insert(a.path).second) << a.path;
    EXPECT_FALSE(a.body.empty()) << a.path;
    EXPECT_EQ(a.etag.size(), 22u) << a.path;
    // No file of the page may use innerHTML or eval with data, or load another origin.
    if (a.content_type.starts_with("text/javascript")) {
      EXPECT_EQ(a.body.find("innerHTML ="), std::string_view::npos) << a.path;
      EXPECT_EQ(a.body.find("eval("), std::string_view::npos) << a.path;
      EXPECT_EQ(a.body.find("localStorage"), std::string_view::npos) << a.path;
      EXPECT_EQ(a.body.find("https://"), std::string_view::npos) << a.path;
    }
    if (a.content_type.starts_with("text/css")) {
      EXPECT_EQ(a.body.find("GDS Transport"), std::string_view::npos) << a.path;
      EXPECT_EQ(a.body.find("@font-face"), std::string_view::npos) << a.path;
    }
  }
}

}  // namespace
}  // namespace contrack::api

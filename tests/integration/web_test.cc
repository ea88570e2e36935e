// The web interface's server side against the real contrackd on loopback: browser sessions
// (sign-in, cookie attributes, sign-out, idle and absolute expiry, the per-principal cap, a token
// removed by SIGHUP), CSRF, the embedded files (headers, ETag/304, content types, path
// traversal), the session on the event stream, and that no token or session id reaches the log.
#include <thread>

#include "tests/integration/server_fixture.h"

namespace contrack::server_test {
namespace {

// The session of one sign-in: its cookie ("name=value") and CSRF token.
struct SignedIn {
  HttpResponse response;
  std::string cookie;  // "contrack_session=…", as a browser sends it back
  std::string id;      // the cookie's value
  std::string csrf;
};

std::string JsonField(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  const auto at = body.find(key);
  if (at == std::string::npos) return "";
  const auto end = body.find('"', at + key.size());
  return body.substr(at + key.size(), end - at - key.size());
}

class WebTest : public ServerFixture {
 protected:
  SignedIn SignIn(const std::string& token) {
    SignedIn s;
    s.response = Client(token).Post("/v1/session", "");
    const std::string set = s.response.Header("set-cookie");
    const auto semi = set.find(';');
    s.cookie = set.substr(0, semi);
    const auto eq = s.cookie.find('=');
    if (eq != std::string::npos) s.id = s.cookie.substr(eq + 1);
    s.csrf = JsonField(s.response.body, "csrf_token");
    return s;
  }

  HttpResponse WithCookie(const SignedIn& s, std::string_view method, const std::string& target,
                          const std::string& body = "", const std::string& csrf = "") {
    HttpHeaders h = {{"Cookie", s.cookie}};
    if (!csrf.empty()) h.emplace_back("X-CSRF-Token", csrf);
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return Client().Request(method, target, body, h);
  }

  void LoadCri() {
    auto r = Append(kLeedsOfficerToken, kCri, {kCriWaiver, kCriAward}, 0);
    ASSERT_EQ(r.status, 201) << Describe(r);
  }
};

class WebServerTest : public WebTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer()); }
};

TEST_F(WebServerTest, SignInSetsAnHttpOnlyStrictCookieAndReturnsTheCsrfToken) {
  auto s = SignIn(kLeedsOfficerToken);
  ASSERT_EQ(s.response.status, 201) << Describe(s.response);
  const std::string set = s.response.Header("set-cookie");
  EXPECT_TRUE(set.starts_with("contrack_session=")) << set;
  EXPECT_EQ(s.id.size(), 64u) << set;
  EXPECT_TRUE(Contains(set, "; HttpOnly")) << set;
  EXPECT_TRUE(Contains(set, "; SameSite=Strict")) << set;
  EXPECT_TRUE(Contains(set, "; Path=/")) << set;
  EXPECT_TRUE(Contains(set, "; Max-Age=43200")) << set;
  EXPECT_FALSE(Contains(set, "Secure")) << "plain HTTP: " << set;
  EXPECT_FALSE(Contains(set, "Domain")) << set;
  EXPECT_EQ(s.csrf.size(), 64u) << s.response.body;
  EXPECT_NE(s.csrf, s.id);
  EXPECT_TRUE(Contains(s.response.body, kLeedsOfficerPrincipal)) << s.response.body;
  EXPECT_TRUE(Contains(s.response.body, "\"role\":\"officer\"")) << s.response.body;
  EXPECT_EQ(s.response.Header("cache-control"), "no-store");
  // The body never carries the token or the session id.
  EXPECT_FALSE(Contains(s.response.body, kLeedsOfficerToken));
  EXPECT_FALSE(Contains(s.response.body, s.id));
  // Two sign-ins: two different random sessions.
  auto t = SignIn(kLeedsOfficerToken);
  EXPECT_NE(s.id, t.id);
  EXPECT_NE(s.csrf, t.csrf);
}

TEST_F(WebServerTest, TheCookieReadsAsTheTokenWouldAndGetSessionReturnsTheCsrfToken) {
  LoadCri();
  auto s = SignIn(kLeedsOfficerToken);
  auto r = WithCookie(s, "GET", ContractPath(kCri));
  EXPECT_EQ(r.status, 200) << Describe(r);
  r = WithCookie(s, "GET", "/v1/session");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(JsonField(r.body, "csrf_token"), s.csrf);
  // Officer scoping holds for a session as for its token.
  CreateIps();
  r = WithCookie(s, "GET", ContractPath(kIps));
  EXPECT_EQ(r.status, 403) << Describe(r);
  // A bearer GET /v1/session names the principal but has no session, so no CSRF token.
  r = Client(kAuditorToken).Get("/v1/session");
  EXPECT_EQ(r.status, 200) << Describe(r);
  EXPECT_FALSE(Contains(r.body, "csrf_token")) << r.body;
}

TEST_F(WebServerTest, AStateChangingRequestWithTheCookieNeedsItsCsrfToken) {
  LoadCri();
  auto s = SignIn(kLeedsOfficerToken);
  auto other = SignIn(kAdminToken);
  const std::string body = AppendBody({kFunding});
  auto r = WithCookie(s, "POST", EventsPath(kCri), body);
  EXPECT_EQ(r.status, 403) << Describe(r);
  EXPECT_EQ(ErrorOf(r).code(), "forbidden");
  EXPECT_TRUE(Contains(ErrorOf(r).message(), "X-CSRF-Token")) << r.body;
  r = WithCookie(s, "POST", EventsPath(kCri), body, std::string(64, '0'));
  EXPECT_EQ(r.status, 403) << Describe(r);
  r = WithCookie(s, "POST", EventsPath(kCri), body, s.csrf.substr(0, 63));
  EXPECT_EQ(r.status, 403) << "a prefix of the token: " << Describe(r);
  r = WithCookie(s, "POST", EventsPath(kCri), body, other.csrf);
  EXPECT_EQ(r.status, 403) << "another session's token: " << Describe(r);
  EXPECT_EQ(Version(kCri), 2u) << "a refused request wrote";
  r = WithCookie(s, "POST", EventsPath(kCri), body, s.csrf);
  EXPECT_EQ(r.status, 201) << Describe(r);
  EXPECT_EQ(Version(kCri), 3u);
  // DELETE is state-changing too.
  r = WithCookie(s, "DELETE", "/v1/session");
  EXPECT_EQ(r.status, 403) << Describe(r);
  // An auditor's session is refused writing as its token is.
  auto a = SignIn(kAuditorToken);
  r = WithCookie(a, "POST", EventsPath(kCri), body, a.csrf);
  EXPECT_EQ(r.status, 403) << Describe(r);
  EXPECT_TRUE(Contains(ErrorOf(r).message(), "auditor")) << r.body;
}

TEST_F(WebServerTest, SignOutEndsTheSession) {
  auto s = SignIn(kLeedsOfficerToken);
  auto r = WithCookie(s, "DELETE", "/v1/session", "", s.csrf);
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_TRUE(Contains(r.Header("set-cookie"), "Max-Age=0")) << r.Header("set-cookie");
  r = WithCookie(s, "GET", "/v1/contracts");
  EXPECT_EQ(r.status, 401) << Describe(r);
  EXPECT_TRUE(Contains(r.Header("set-cookie"), "Max-Age=0")) << "a dead cookie is cleared";
  // Signing out twice: the session is gone.
  r = WithCookie(s, "DELETE", "/v1/session", "", s.csrf);
  EXPECT_EQ(r.status, 401) << Describe(r);
  // A bearer DELETE has no session to end.
  r = Client(kLeedsOfficerToken).Request("DELETE", "/v1/session");
  EXPECT_EQ(r.status, 400) << Describe(r);
}

TEST_F(WebServerTest, HostileSessionRequestsAreRefused) {
  // No token, a bad token, a cookie only, an unknown or malformed session id.
  EXPECT_EQ(Client().Post("/v1/session", "").status, 401);
  auto r = Client("not-a-token-but-long-enough").Post("/v1/session", "");
  EXPECT_EQ(r.status, 401) << Describe(r);
  EXPECT_TRUE(r.Header("set-cookie").empty()) << "no session for a bad token";
  r = Client().Request("POST", "/v1/session", "", {{"Authorization", "Basic dXNlcjpwYXNz"}});
  EXPECT_EQ(r.status, 401) << Describe(r);
  auto s = SignIn(kLeedsOfficerToken);
  r = Client().Request("POST", "/v1/session", "", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}});
  EXPECT_EQ(r.status, 400) << "a session cannot make sessions: " << Describe(r);
  for (const std::string& cookie : std::vector<std::string>{
           "contrack_session=" + std::string(64, 'a'), std::string("contrack_session="),
           std::string("contrack_session=../../etc/passwd"),
           "contrack_session=" + std::string(4000, 'x'),
           "other=1; contrack_session=\"" + std::string(64, 'b') + "\"",
           // The TLS name is not accepted over plain HTTP.
           "__Host-contrack_session=" + s.id}) {
    r = Client().Request("GET", "/v1/contracts", "", {{"Cookie", cookie}});
    EXPECT_EQ(r.status, 401) << cookie.substr(0, 80) << ": " << Describe(r);
  }
  // The Authorization header wins over a valid cookie: a bad header is 401.
  r = Client("not-a-token-but-long-enough")
          .Request("GET", "/v1/contracts", "", {{"Cookie", s.cookie}});
  EXPECT_EQ(r.status, 401) << Describe(r);
  // A header block too large for the cookie is 431, and the server stays up.
  r = Client().Request("GET", "/v1/contracts", "",
                       {{"Cookie", "contrack_session=" + std::string(9000, 'c')}});
  EXPECT_EQ(r.status, 431) << Describe(r);
  // Other methods on the session route.
  r = Client(kLeedsOfficerToken).Request("PUT", "/v1/session", "{}");
  EXPECT_EQ(r.status, 405) << Describe(r);
  ExpectHealthy("hostile session requests");
}

TEST_F(WebServerTest, TheEventStreamAcceptsTheSessionCookie) {
  LoadCri();
  auto a = SignIn(kAuditorToken);
  RawConnection c("127.0.0.1", port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(
      c.Send("GET /v1/feed?after=0 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
             "Cookie: " +
             a.cookie + "\r\n\r\n"));
  auto got = c.ReadUntilClose(1500ms);
  EXPECT_TRUE(Contains(got.data, "200 OK")) << got.data.substr(0, 300);
  EXPECT_TRUE(Contains(got.data, "text/event-stream")) << got.data.substr(0, 300);
  EXPECT_TRUE(Contains(got.data, "id: 1")) << got.data.substr(0, 600);
  // An officer's session may not read the feed, as its token may not.
  auto o = SignIn(kLeedsOfficerToken);
  RawConnection d("127.0.0.1", port());
  ASSERT_TRUE(d.Send("GET /v1/feed HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nCookie: " +
                     o.cookie + "\r\n\r\n"));
  auto r = d.ReadResponse();
  EXPECT_EQ(r.status, 403) << Describe(r);
}

TEST_F(WebServerTest, FilesCarryTheSecurityHeadersAnETagAndTheirContentType) {
  auto r = Client().Get("/");
  ASSERT_EQ(r.status, 200) << Describe(r);
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_TRUE(Contains(r.body, "<script type=\"module\" src=\"/assets/js/app.js\">"));
  EXPECT_FALSE(Contains(r.body, "<script>")) << "no inline script";
  const std::string csp = r.Header("content-security-policy");
  for (const char* part :
       {"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
        "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"}) {
    EXPECT_TRUE(Contains(csp, part)) << part << " missing from " << csp;
  }
  EXPECT_FALSE(Contains(csp, "unsafe-inline")) << csp;
  EXPECT_FALSE(Contains(csp, "unsafe-eval")) << csp;
  EXPECT_FALSE(Contains(csp, "http")) << "no other origin: " << csp;
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
  EXPECT_EQ(r.Header("x-frame-options"), "DENY");
  EXPECT_TRUE(r.Header("strict-transport-security").empty()) << "not over plain HTTP";
  const std::string etag = r.Header("etag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  auto again = Client().Get("/", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304) << Describe(again);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.Header("etag"), etag);
  again = Client().Get("/", {{"If-None-Match", "\"other\", W/" + etag}});
  EXPECT_EQ(again.status, 304) << "a weak tag in a list: " << Describe(again);
  again = Client().Get("/", {{"If-None-Match", "\"other\""}});
  EXPECT_EQ(again.status, 200) << Describe(again);

  const std::vector<std::pair<std::string, std::string>> types = {
      {"/assets/js/app.js", "text/javascript; charset=utf-8"},
      {"/assets/js/events.js", "text/javascript; charset=utf-8"},
      {"/assets/app.css", "text/css; charset=utf-8"},
      {"/assets/vendor/govuk-frontend/govuk-frontend.min.css", "text/css; charset=utf-8"},
      {"/assets/vendor/govuk-frontend/LICENSE", "text/plain; charset=utf-8"},
  };
  for (const auto& [path, type] : types) {
    auto f = Client().Get(path);
    EXPECT_EQ(f.status, 200) << path << ": " << Describe(f);
    EXPECT_EQ(f.Header("content-type"), type) << path;
    EXPECT_EQ(f.Header("x-content-type-options"), "nosniff") << path;
    EXPECT_FALSE(f.Header("etag").empty()) << path;
    EXPECT_NE(f.Header("etag"), etag) << path << " has the page's ETag";
  }
  // The restricted GOV.UK font is not referenced; no source or note is served.
  EXPECT_FALSE(Contains(Client().Get("/assets/vendor/govuk-frontend/govuk-frontend.min.css").body,
                        "GDS Transport"));
  EXPECT_EQ(Client().Get("/assets/vendor/govuk-frontend/contrack-govuk.scss").status, 404);
  EXPECT_EQ(Client().Get("/assets/vendor/govuk-frontend/README.md").status, 404);
  EXPECT_EQ(Client().Get("/index.html").status, 404);
  // API answers carry the same headers.
  auto api = Client(kAuditorToken).Get("/v1/verify");
  EXPECT_EQ(api.Header("x-content-type-options"), "nosniff");
  EXPECT_TRUE(Contains(api.Header("content-security-policy"), "frame-ancestors 'none'"));
}

TEST_F(WebServerTest, PathTraversalOnTheFilesIsRefused) {
  for (const std::string& target : std::vector<std::string>{
           "/assets/../../../../etc/passwd", "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
           "/assets/js/..%2f..%2f..%2fetc%2fpasswd", "/assets/js%2f..%2f..%2f..%2fetc/passwd",
           "/assets/..%5c..%5c..%5cetc%5cpasswd", "/assets/js/app.js%00.png", "/assets/js/./app.js",
           "/assets//js/app.js", "/assets/js/app.js/", "/assets/%2fetc/passwd", "/assets/%",
           "/assets/js/APP.JS", "/assets/" + std::string(3000, 'a')}) {
    auto r = Client().Get(target);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << target << ": " << Describe(r);
    EXPECT_FALSE(Contains(r.body, "root:")) << target;
    EXPECT_TRUE(r.Header("content-type").starts_with("application/json")) << target;
  }
  // Raw bytes the client library might normalise.
  RawConnection c("127.0.0.1", port());
  ASSERT_TRUE(c.Send("GET /assets/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.ReadResponse();
  EXPECT_EQ(r.status, 404) << Describe(r);
  ExpectHealthy("path traversal");
}

TEST_F(WebServerTest, NoTokenSessionIdOrCsrfTokenReachesTheLog) {
  LoadCri();
  auto s = SignIn(kLeedsOfficerToken);
  ASSERT_EQ(s.response.status, 201);
  WithCookie(s, "GET", ContractPath(kCri));
  WithCookie(s, "POST", EventsPath(kCri), AppendBody({kFunding}), s.csrf);
  WithCookie(s, "POST", EventsPath(kCri), AppendBody({kFunding}));  // refused: no CSRF
  Client().Get("/v1/contracts?access_token=" + std::string(kLeedsOfficerToken));
  WithCookie(s, "DELETE", "/v1/session", "", s.csrf);
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->Wait(), 0);
  const std::string log = server_->Stderr();
  EXPECT_TRUE(Contains(log, "POST /v1/session 201")) << log;
  EXPECT_FALSE(Contains(log, kLeedsOfficerToken)) << log;
  EXPECT_FALSE(Contains(log, s.id)) << log;
  EXPECT_FALSE(Contains(log, s.csrf)) << log;
  EXPECT_TRUE(Contains(log, kLeedsOfficerPrincipal)) << "the access log names the principal";
}

TEST_F(WebTest, AnIdleSessionEnds) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--session-idle-seconds", "1"}));
  auto s = SignIn(kLeedsOfficerToken);
  ASSERT_EQ(s.response.status, 201);
  EXPECT_EQ(WithCookie(s, "GET", "/v1/session").status, 200);
  std::this_thread::sleep_for(1300ms);
  auto r = WithCookie(s, "GET", "/v1/session");
  EXPECT_EQ(r.status, 401) << Describe(r);
  EXPECT_TRUE(Contains(ErrorOf(r).message(), "sign in again")) << r.body;
}

TEST_F(WebTest, ASessionEndsAtItsAbsoluteLifetimeHoweverUsed) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer({"--session-idle-seconds", "60", "--session-max-seconds", "2"}));
  auto s = SignIn(kLeedsOfficerToken);
  ASSERT_EQ(s.response.status, 201);
  EXPECT_TRUE(Contains(s.response.Header("set-cookie"), "Max-Age=2"));
  const auto start = Clock::now();
  int ok = 0;
  while (Clock::now() - start < 1500ms) {
    ok += WithCookie(s, "GET", "/v1/session").status == 200;
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_GE(ok, 4);
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(WithCookie(s, "GET", "/v1/session").status, 401);
}

TEST_F(WebTest, APrincipalHoldsAtMostTheCapAndTheLeastRecentlyUsedEnds) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--sessions-per-principal", "2"}));
  auto a = SignIn(kLeedsOfficerToken);
  std::this_thread::sleep_for(20ms);
  auto b = SignIn(kLeedsOfficerToken);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(WithCookie(a, "GET", "/v1/session").status, 200);  // a is now the more recent
  std::this_thread::sleep_for(20ms);
  auto c = SignIn(kLeedsOfficerToken);
  EXPECT_EQ(WithCookie(b, "GET", "/v1/session").status, 401) << "b was least recently used";
  EXPECT_EQ(WithCookie(a, "GET", "/v1/session").status, 200);
  EXPECT_EQ(WithCookie(c, "GET", "/v1/session").status, 200);
  // Another principal's sessions are not counted against this one.
  auto d = SignIn(kAuditorToken);
  auto e = SignIn(kAuditorToken);
  EXPECT_EQ(WithCookie(a, "GET", "/v1/session").status, 200);
  EXPECT_EQ(WithCookie(d, "GET", "/v1/session").status, 200);
  EXPECT_EQ(WithCookie(e, "GET", "/v1/session").status, 200);
}

TEST_F(WebTest, ATokenRemovedBySighupEndsItsSessionsAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto officer = SignIn(kLeedsOfficerToken);
  auto auditor = SignIn(kAuditorToken);
  ASSERT_EQ(WithCookie(officer, "GET", "/v1/contracts").status, 200);
  // The same file without the Leeds officer's token.
  const std::string json = testing::TestTokensJson();
  const auto from = json.find(R"({"token":")" + std::string(kLeedsOfficerToken));
  const auto to = json.find("},", from) + 2;
  testing::WriteTokensFile(tokens_, json.substr(0, from) + json.substr(to));
  server_->Signal(SIGHUP);
  const auto deadline = Clock::now() + 10s;
  while (Client(kLeedsOfficerToken).Get("/v1/contracts").status != 401 && Clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(Client(kLeedsOfficerToken).Get("/v1/contracts").status, 401) << server_->Stderr();
  auto r = WithCookie(officer, "GET", "/v1/contracts");
  EXPECT_EQ(r.status, 401) << Describe(r);
  EXPECT_TRUE(Contains(ErrorOf(r).message(), "no longer valid")) << r.body;
  EXPECT_EQ(WithCookie(auditor, "GET", "/v1/contracts").status, 200) << "other sessions live";
}

}  // namespace
}  // namespace contrack::server_test

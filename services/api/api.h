// The HTTP API's routes: authentication, authorisation, JSON in and out, error mapping. Knows
// nothing of sockets; the server (server.h) feeds it parsed requests. Safe for concurrent use.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "services/api/auth.h"
#include "services/api/feed_hub.h"
#include "services/api/metrics.h"
#include "services/api/net.h"
#include "services/api/state_json_cache.h"
#include "services/api/web_sessions.h"
#include "services/views/ocds.h"
#include "storage/event_log.h"

namespace contrack::api {

struct Request {
  http::verb method = http::verb::get;
  std::string method_text;
  std::string target;
  std::string body;
  std::string authorization;
  std::string accept;
  std::string cookie;         // the Cookie header: a signed-in browser session (web_sessions.h)
  std::string csrf_token;     // the X-CSRF-Token header
  std::string if_none_match;  // the If-None-Match header (the web interface's files)
  bool secure = false;        // the connection is TLS: session cookies are Secure
};

// A response body produced piece by piece after the header is sent (a streamed backup): its
// length is known up front (sent as Content-Length), its pieces are read off the I/O threads.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual uint64_t size() const = 0;
  // Produces the next piece and passes it to `done`, possibly on another thread; an empty piece
  // once the body is complete. An error ends the response early (the connection is closed, so
  // the client sees fewer bytes than the Content-Length). One call at a time.
  using PieceDone = std::function<void(Result<std::string>)>;
  virtual void Next(PieceDone done) = 0;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string route = "unmatched";     // the route pattern, for metrics
  std::string principal = "-";         // for the access log
  std::shared_ptr<BodyStream> stream;  // when set, the body (`body` is then empty)
};

// The HTTP status for an error code: the one place codes become statuses (docs/api.md lists
// them).
unsigned HttpStatusFor(ErrorCode code);
// {"error":{"code":e.name(),"message":…}} with the status HttpStatusFor(e.code).
Response ErrorResponse(const Error& e);

// The security headers every answer carries (docs/web.md): a strict Content-Security-Policy (no
// inline script, no other origin, no framing), nosniff, no referrer; over TLS
// Strict-Transport-Security too.
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders(bool tls);

// A validated request to stream the feed as Server-Sent Events.
struct StreamStart {
  uint64_t after = 0;
  std::string principal;
};

class Api {
 public:
  using Done = std::function<void(Response)>;

  // All references must outlive the Api. `blocking` encodes append answers (the log calls back
  // once an append is durable), takes backups and reads them out, off the I/O threads.
  Api(storage::EventLog& log, const TokenStore& tokens, Metrics& metrics, FeedHub& hub,
      net::any_io_executor blocking);

  // Answers `req`. `done` is called exactly once, possibly on another thread. Long-poll timers
  // run on `executor`.
  void Handle(Request req, net::any_io_executor executor, Done done);

  // When `req` asks for the feed as text/event-stream: the validated start, or the error to send.
  // Returns nullopt for every other request.
  std::optional<std::variant<StreamStart, Response>> MatchStream(const Request& req);

  // The web interface's base address, as views::ParsePublicUrl returns it (contrackd
  // --public-url): the calendar's links to contract pages; set before serving.
  void set_public_url(std::string url) { public_url_ = std::move(url); }
  static constexpr char kDefaultPublicUrl[] = "http://127.0.0.1:8080";

  // The OCDS ocid prefix and publisher; set before serving.
  void set_ocds_options(views::OcdsOptions o) { ocds_ = std::move(o); }
  // How many contracts' rendered state bodies GET /v1/contracts/{id} keeps (StateJsonCache;
  // 0: none); set before serving.
  void set_state_json_cache_entries(size_t n) { state_json_ = std::make_unique<StateJsonCache>(n); }
  static constexpr size_t kDefaultStateJsonCacheEntries = 16384;
  // The browser sessions' lifetimes and cap (POST /v1/session); set before serving.
  void set_session_options(const SessionOptions& o) {
    sessions_ = std::make_unique<SessionStore>(o);
  }
  SessionStore& sessions() { return *sessions_; }

  // The session cookie's name: "__Host-contrack_session" over TLS (the browser then keeps it
  // only when it is Secure, for this host, on Path=/), "contrack_session" over plain HTTP.
  static std::string SessionCookieName(bool secure);

  // The committed events after sequence `after`, at most `limit` of them, oldest first, as the
  // feed shows them (GET /v1/feed and its event stream).
  [[nodiscard]] Result<std::vector<v1::HistoryEntry>> FeedPage(uint64_t after, size_t limit);

  FeedHub& hub() { return hub_; }
  Metrics& metrics() { return metrics_; }

 private:
  struct Ctx;
  // The route table (api.cc): method, path pattern, minimum role, where it runs, handler.
  struct Route;
  static const std::vector<Route>& Routes();
  // The principal of the request's bearer token or, with no Authorization header, of its session
  // cookie (`*session` is then set; a state-changing request must carry the session's CSRF
  // token), when it may call `route`; or the 401 or 403 to answer. A `token` query parameter is
  // a calendar token, taken only by the routes that accept one (GET /v1/calendar.ics) and
  // refused (401) by every other.
  std::variant<Principal, Response> Admit(const Route& route, const Request& req,
                                          const std::map<std::string, std::string>& query,
                                          std::optional<WebSession>* session) const;
  void Dispatch(std::shared_ptr<Ctx> c, Done done);
  void Append(Ctx& c, const std::string& id, Done done);
  Response GetContract(Ctx& c, const std::string& id);
  Response GetHistory(Ctx& c, const std::string& id);
  Response ListContracts(Ctx& c);
  void Feed(Ctx& c, net::any_io_executor executor, Done done);
  Response Verify(Ctx& c);
  Response Alerts(Ctx& c);
  Response Register(Ctx& c);
  Response Funding(Ctx& c);
  Response Ocds(Ctx& c, const std::string& id);
  // GET /v1/obligations (obligations_route.cc): authority, overdue, as_of, known_at.
  Response Obligations(const Principal& p, const std::map<std::string, std::string>& query);
  // GET /v1/calendar.ics (calendar_route.cc): authority, months; an iCalendar feed.
  Response Calendar(Ctx& c);
  void Backup(Ctx& c, Done done);
  // The states a report covers: `authority` filter, officer scoping, as_of replay.
  Result<std::vector<v1::ContractState>> ReportStates(Ctx& c, std::optional<Date> as_of);
  Response Health();
  Response CreateSession(Ctx& c);
  Response GetSession(Ctx& c);
  Response DeleteSession(Ctx& c);
  Response StaticFile(Ctx& c);

  storage::EventLog& log_;
  const TokenStore& tokens_;
  Metrics& metrics_;
  FeedHub& hub_;
  net::any_io_executor blocking_;
  views::OcdsOptions ocds_;
  std::string public_url_ = kDefaultPublicUrl;
  std::unique_ptr<StateJsonCache> state_json_ =
      std::make_unique<StateJsonCache>(kDefaultStateJsonCacheEntries);
  std::unique_ptr<SessionStore> sessions_ = std::make_unique<SessionStore>(SessionOptions{});
};

}  // namespace contrack::api

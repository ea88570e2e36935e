// HTTP routes (SPEC, HTTP API).
#include "services/api/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <map>
#include <set>

#include "domain/codec.h"
#include "domain/england_time.h"
#include "domain/lifecycle.h"
#include "domain/validate.h"
#include "services/api/api_internal.h"
#include "services/api/params.h"
#include "services/api/wire.h"
#include "services/views/reports.h"
#include "storage/deadlines.h"

namespace contrack::api {
namespace {

constexpr int64_t kMaxWaitMs = 60000;
// The largest `after` / `after_version`: reading starts at the next one, which must exist.
constexpr uint64_t kMaxAfter = UINT64_MAX - 1;

Response Json(unsigned status, const google::protobuf::Message& m) {
  Response r;
  r.status = status;
  r.body = ToJson(m);
  return r;
}

// The answer for an error: its status is HttpStatusFor(code).
Response Error(ErrorCode code, std::string message) {
  return ErrorResponse(contrack::Error{code, std::move(message), std::nullopt});
}

// The refusal of a read of `authority`'s contracts by `p`.
contrack::Error ReadForbidden(const Principal& p, const std::string& authority) {
  return {kForbidden, p.name + " may not read contracts of " + authority};
}

// Methods that may change state: made with a session cookie, they must carry its CSRF token.
bool ChangesState(http::verb m) {
  return m != http::verb::get && m != http::verb::head && m != http::verb::options;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

unsigned HttpStatusFor(ErrorCode code) {
  // No default: a code added without a status does not compile (-Wswitch).
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kVersionConflict:
    case ErrorCode::kEventIdConflict:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kRuleRefused:
    case ErrorCode::kRecordedAtBeforeHead:
      return 422;  // wrong state for the request: precondition failed
    case ErrorCode::kTooManyRequests:
      return 429;
    case ErrorCode::kCorruption:
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kNotImplemented:
      return 501;
    case ErrorCode::kIoError:
    case ErrorCode::kReadOnly:
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kStorageFull:
      return 507;
  }
  return 500;  // not reached: the switch names every code
}

Response ErrorResponse(const contrack::Error& e) {
  v1::ErrorResponse body;
  body.mutable_error()->set_code(e.name());
  // Messages may quote untrusted bytes (a path, protobuf's parse error): keep the body JSON.
  body.mutable_error()->set_message(ToValidUtf8(e.message));
  if (e.current_version) body.mutable_error()->set_current_version(*e.current_version);
  Response r = Json(HttpStatusFor(e.code), body);
  return r;
}

Api::Api(storage::EventLog& log, const TokenStore& tokens, Metrics& metrics, FeedHub& hub,
         net::any_io_executor blocking)
    : log_(log), tokens_(tokens), metrics_(metrics), hub_(hub), blocking_(std::move(blocking)) {}

// Where a route's handler runs.
enum class RunOn {
  kIoThread,    // reads one contract or an index: quick
  kWorkerPool,  // reads the whole store: off the I/O threads
};

// One route: requests with `method` whose path matches `pattern` ("{id}" matches any one
// segment). `minimum`: the least role that may call it (officer < auditor < admin), nullopt when
// no token is needed; `refusal` is the 403 message for a principal below it.
struct Api::Route {
  http::verb method;
  std::string_view pattern;
  std::optional<Role> minimum;
  RunOn run_on;
  void (*handler)(Api& api, Ctx& c, Done done);
  std::string (*refusal)(const Principal& p) = nullptr;
  // Also admits a calendar token in the `token` query parameter (read-only routes only).
  bool calendar_token = false;
};

namespace {

int Rank(Role r) {
  switch (r) {
    case Role::kOfficer:
      return 0;
    case Role::kAuditor:
      return 1;
    case Role::kAdmin:
      return 2;
  }
  return 0;
}

// Whether the path `segments` match `pattern`: "{id}" matches any one segment, a final "{path}"
// one or more.
bool Matches(std::string_view pattern, const std::vector<std::string>& segments) {
  size_t i = 0;
  pattern.remove_prefix(1);  // the leading '/'
  while (!pattern.empty()) {
    const size_t slash = pattern.find('/');
    const std::string_view want = pattern.substr(0, slash);
    pattern = slash == std::string_view::npos ? std::string_view() : pattern.substr(slash + 1);
    if (want == "{path}") return i < segments.size();  // the rest: one or more segments
    if (i == segments.size() || (want != "{id}" && want != segments[i])) return false;
    ++i;
  }
  return i == segments.size();
}

}  // namespace

const std::vector<Api::Route>& Api::Routes() {
  using V = http::verb;
  static const std::vector<Route> kRoutes = {
      {V::get, "/healthz", std::nullopt, RunOn::kIoThread,
       [](Api& a, Ctx&, Done done) { done(a.Health()); }},
      {V::get, "/metrics", std::nullopt, RunOn::kIoThread,
       [](Api& a, Ctx&, Done done) {
         Response r;
         r.content_type = "text/plain; version=0.0.4";
         r.body = a.metrics_.Render(a.log_, a.state_json_->size());
         done(std::move(r));
       }},
      // The web interface's files (web/, embedded): no token, so the sign-in page loads.
      {V::get, "/", std::nullopt, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { done(a.StaticFile(c)); }},
      {V::get, "/assets/{path}", std::nullopt, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { done(a.StaticFile(c)); }},
      // Browser sessions: a bearer token exchanged for a cookie, read, and signed out.
      {V::post, "/v1/session", Role::kOfficer, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { done(a.CreateSession(c)); }},
      {V::get, "/v1/session", Role::kOfficer, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { done(a.GetSession(c)); }},
      {V::delete_, "/v1/session", Role::kOfficer, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { done(a.DeleteSession(c)); }},
      {V::get, "/v1/contracts", Role::kOfficer, RunOn::kWorkerPool,
       [](Api& a, Ctx& c, Done done) { done(a.ListContracts(c)); }},
      {V::get, "/v1/contracts/{id}", Role::kOfficer, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { done(a.GetContract(c, c.segments[2])); }},
      {V::get, "/v1/contracts/{id}/events", Role::kOfficer, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { done(a.GetHistory(c, c.segments[2])); }},
      // Who may write is decided by the log, in the step that drafts the append (Append).
      {V::post, "/v1/contracts/{id}/events", Role::kOfficer, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { a.Append(c, c.segments[2], std::move(done)); }},
      // A past date reads every contract; today's may list many lapsed ones: off the I/O threads.
      {V::get, "/v1/alerts", Role::kOfficer, RunOn::kWorkerPool,
       [](Api& a, Ctx& c, Done done) { done(a.Alerts(c)); }},
      {V::get, "/v1/feed", Role::kAuditor, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { a.Feed(c, c.executor, std::move(done)); },
       [](const Principal&) -> std::string {
         return "the feed spans every authority; officers may not read it";
       }},
      {V::get, "/v1/verify", Role::kOfficer, RunOn::kWorkerPool,
       [](Api& a, Ctx& c, Done done) { done(a.Verify(c)); }},
      {V::get, "/v1/reports/register.csv", Role::kOfficer, RunOn::kWorkerPool,
       [](Api& a, Ctx& c, Done done) { done(a.Register(c)); }},
      {V::get, "/v1/reports/funding", Role::kOfficer, RunOn::kWorkerPool,
       [](Api& a, Ctx& c, Done done) { done(a.Funding(c)); }},
      {V::get, "/v1/obligations", Role::kOfficer, RunOn::kWorkerPool,
       [](Api& a, Ctx& c, Done done) { done(a.Obligations(*c.principal, c.query)); }},
      // Calendar clients cannot send headers: a calendar token in ?token= is admitted here only.
      {V::get, "/v1/calendar.ics", Role::kOfficer, RunOn::kWorkerPool,
       [](Api& a, Ctx& c, Done done) { done(a.Calendar(c)); }, nullptr, true},
      {V::get, "/v1/ocds/{id}", Role::kOfficer, RunOn::kIoThread,
       [](Api& a, Ctx& c, Done done) { done(a.Ocds(c, c.segments[2])); }},
      {V::get, "/v1/admin/backup", Role::kAdmin, RunOn::kIoThread,  // Backup posts to the pool
       [](Api& a, Ctx& c, Done done) { a.Backup(c, std::move(done)); },
       [](const Principal& p) {
         return p.name + " has the role " + RoleName(p.role) + "; backups need an admin";
       }},
  };
  return kRoutes;
}

std::string Api::SessionCookieName(bool secure) {
  return secure ? "__Host-contrack_session" : "contrack_session";
}

std::variant<Principal, Response> Api::Admit(const Route& route, const Request& req,
                                             const std::map<std::string, std::string>& query,
                                             std::optional<WebSession>* session) const {
  auto unauthorized = [&req](std::string message, bool clear_cookie) {
    Response r = Error(ErrorCode::kUnauthorized, std::move(message));
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    if (clear_cookie) r.headers.emplace_back("Set-Cookie", ClearSessionCookie(req.secure));
    return r;
  };
  // A token in the URL is a calendar token, for the calendar only: URLs are kept in histories,
  // proxies' logs and calendar settings, so no bearer token is ever taken from one. Messages
  // never quote the token.
  std::optional<Principal> p;
  const auto t = query.find("token");
  if (t != query.end()) {
    if (!route.calendar_token) {
      return unauthorized(
          "a token in the URL (?token=) is accepted only by GET /v1/calendar.ics, and only a "
          "calendar token; send the bearer token in the Authorization header",
          false);
    }
    if (!req.authorization.empty()) {
      return Error(kInvalidArgument,
                   "token: give a calendar token in the URL or a bearer token in the "
                   "Authorization header, not both");
    }
    p = tokens_.FindCalendar(t->second);
    if (!p) {
      return unauthorized(
          "token: not a valid calendar token (removed, mistyped, or a bearer token, which is "
          "never accepted in a URL)",
          false);
    }
  }
  std::optional<std::string> sid;
  // The Authorization header wins: a cookie is looked at only without one (and neither with a
  // calendar token, which the role check below still applies to).
  if (!p && req.authorization.empty()) {
    sid = CookieValue(req.cookie, SessionCookieName(req.secure));
  }
  if (!p && !req.authorization.empty()) {
    if (auto token = BearerToken(req.authorization)) p = tokens_.Find(*token);
  } else if (sid) {
    auto s = sessions_->Touch(*sid);
    if (!s) {
      return unauthorized(
          "the session has ended (signed out, unused for too long, or older than its lifetime); "
          "sign in again",
          true);
    }
    // The principal is resolved again on every request: a token removed from the tokens file
    // (SIGHUP) ends its sessions at once.
    p = tokens_.FindDigest(s->token_digest);
    if (!p) {
      sessions_->Remove(*sid);
      return unauthorized(
          "the token this session was signed in with is no longer valid; sign in again", true);
    }
    if (ChangesState(req.method) && !ConstantTimeEquals(req.csrf_token, s->csrf_token)) {
      Response r = Error(kForbidden, req.csrf_token.empty()
                                         ? "a state-changing request made with the session "
                                           "cookie must carry the session's X-CSRF-Token header"
                                         : "the X-CSRF-Token header is not this session's");
      r.principal = p->name;
      return r;
    }
    *session = std::move(s);
  }
  if (!p) {
    return unauthorized(
        req.authorization.empty() ? "a bearer token is required" : "the bearer token is not valid",
        false);
  }
  if (route.minimum && Rank(p->role) < Rank(*route.minimum)) {
    Response r = Error(kForbidden, route.refusal != nullptr
                                       ? route.refusal(*p)
                                       : p->name + " has the role " + RoleName(p->role));
    r.principal = p->name;
    return r;
  }
  return *std::move(p);
}

std::optional<std::variant<StreamStart, Response>> Api::MatchStream(const Request& req) {
  if (req.method != http::verb::get || req.accept.find("text/event-stream") == std::string::npos) {
    return std::nullopt;
  }
  std::string path;
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  if (!ParseTarget(req.target, &path, &segments, &query)) return std::nullopt;
  const Route* feed = nullptr;
  for (const Route& r : Routes()) {
    if (r.method == http::verb::get && r.pattern == "/v1/feed") feed = &r;
  }
  if (!Matches(feed->pattern, segments)) return std::nullopt;
  auto finish = [](Response r) {
    r.route = "/v1/feed";
    return std::variant<StreamStart, Response>(std::move(r));
  };
  std::optional<WebSession> session;
  auto who = Admit(*feed, req, query, &session);
  if (auto* refused = std::get_if<Response>(&who)) return finish(std::move(*refused));
  const Principal& p = std::get<Principal>(who);
  auto after = ParseUint(query, "after", 0, kMaxAfter);
  if (!after) return finish(ErrorResponse(after.error()));
  return std::variant<StreamStart, Response>(StreamStart{*after, p.name});
}

void Api::Handle(Request req, net::any_io_executor executor, Done done) {
  auto c = std::make_shared<Ctx>();
  c->req = std::move(req);
  c->executor = std::move(executor);
  if (auto parsed = ParseTarget(c->req.target, &c->path, &c->segments, &c->query); !parsed) {
    return done(ErrorResponse(parsed.error()));
  }
  Dispatch(c, std::move(done));
}

void Api::Dispatch(std::shared_ptr<Ctx> cp, Done done) {
  Ctx& c = *cp;
  // Copies of `reply` may outlive this call (appends, long polls): it owns what it reads.
  auto reply = [cp, done = std::move(done)](Response r) {
    r.route = cp->route;
    if (cp->principal) r.principal = cp->principal->name;
    done(std::move(r));
  };
  // Match the route before authenticating, so unknown routes are 404 for everyone.
  const Route* route = nullptr;
  std::string allow;
  for (const Route& r : Routes()) {
    if (!Matches(r.pattern, c.segments)) continue;
    c.route = std::string(r.pattern);
    const auto name = http::to_string(r.method);
    allow += (allow.empty() ? "" : ", ") + std::string(name.data(), name.size());
    if (r.method == c.req.method) route = &r;
  }
  if (allow.empty()) return reply(Error(kNotFound, "no route " + c.path));
  if (route == nullptr) {
    Response r = Error(ErrorCode::kMethodNotAllowed,
                       c.req.method_text + " is not allowed on " + c.path + "; allowed: " + allow);
    r.headers.emplace_back("Allow", allow);
    return reply(std::move(r));
  }
  if (route->minimum) {
    auto who = Admit(*route, c.req, c.query, &c.session);
    if (auto* refused = std::get_if<Response>(&who)) return reply(std::move(*refused));
    c.principal = std::get<Principal>(std::move(who));
  }
  if (route->run_on == RunOn::kWorkerPool) {
    return net::post(blocking_, [this, cp, handler = route->handler, reply = std::move(reply)] {
      handler(*this, *cp, reply);
    });
  }
  route->handler(*this, c, std::move(reply));
}

void Api::Append(Ctx& c, const std::string& id, Done done) {
  // Who may write is decided by the log, against the contract's stored authority, in the step
  // that drafts the append (lifecycle/principal.h): nothing is checked here that could go stale.
  const Principal& p = *c.principal;
  if (auto r = ValidateContractId(id); !r) return done(ErrorResponse(r.error()));
  auto body = ParseJson<v1::AppendRequest>(c.req.body, "body");
  if (!body) return done(ErrorResponse(body.error()));
  storage::AppendRequest req;
  req.contract_id = id;
  req.principal = p;
  if (body->has_expected_version()) req.expected_version = body->expected_version();
  for (int i = 0; i < body->events_size(); ++i) {
    auto& e = *body->mutable_events(i);
    const std::string where = "events[" + std::to_string(i) + "].";
    if (!e.recorded_by().empty() || !e.recorded_at().empty()) {
      return done(
          Error(kInvalidArgument, where + "recorded_by and recorded_at are set by the server"));
    }
    if (e.has_expected_version()) {
      return done(Error(kInvalidArgument,
                        where + "expected_version belongs on the request, not on an event"));
    }
    if (!e.contract_id().empty() && e.contract_id() != id) {
      return done(Error(kInvalidArgument, where + "contract_id " + e.contract_id().substr(0, 64) +
                                              " differs from the path's " + id));
    }
    e.clear_contract_id();
    req.events.push_back(std::move(e));
  }
  // No thread waits for the sync: the log calls back on its write thread once the append is
  // durable, and the answer is encoded on the worker pool, off the write thread and the I/O
  // threads.
  // The tracked executor counts as work on the pool until the callback is gone, so the pool's
  // join() at shutdown waits for appends still in the log.
  auto work = net::prefer(blocking_, net::execution::outstanding_work.tracked);
  log_.AppendAsync(std::move(req), [this, work = std::move(work),
                                    done = std::move(done)](Result<v1::AppendResponse> r) mutable {
    net::post(work, [this, r = std::move(r), done = std::move(done)]() mutable {
      if (!r) return done(ErrorResponse(r.error()));
      if (!r->replayed()) hub_.Notify(r->events(r->events_size() - 1).sequence());
      done(Json(r->replayed() ? 200 : 201, *r));
    });
  });
}

Response Api::GetContract(Ctx& c, const std::string& id) {
  auto bounds = ParseBounds(c.query);
  if (!bounds) return ErrorResponse(bounds.error());
  // Authorise on the current state: a contract's authority never changes.
  auto current = log_.GetState(id);
  if (!current) return ErrorResponse(current.error());
  if (!c.principal->MayReadContract(*current)) {
    return ErrorResponse(ReadForbidden(*c.principal, current->authority()));
  }
  // Without bounds the current state is the answer: do not read it twice.
  const bool now = !bounds->as_of && !bounds->known_at;
  auto s = now ? std::move(current) : log_.GetStateAt(id, bounds->as_of, bounds->known_at);
  if (!s) return ErrorResponse(s.error());
  s->set_status(domain::StatusOn(*s, bounds->as_of.value_or(domain::TodayInEngland())));
  if (!now) return Json(200, *s);
  // The current state at this version, with today's status, renders as it did before.
  if (auto body = state_json_->Find(id, s->version(), s->status())) {
    Response r;
    r.body = std::move(*body);
    return r;
  }
  Response r = Json(200, *s);
  state_json_->Insert(id, s->version(), s->status(), r.body);
  return r;
}

Response Api::Alerts(Ctx& c) {
  auto bounds = ParseBounds(c.query);
  if (!bounds) return ErrorResponse(bounds.error());
  // Their ranges are the log's to check (EventLog::Alerts); here only that they are numbers.
  auto within = ParseUint(c.query, "within_days", 90, INT_MAX);
  if (!within) return ErrorResponse(within.error());
  auto months = ParseUint(c.query, "months", 0, INT_MAX);
  if (!months) return ErrorResponse(months.error());
  storage::AlertsQuery q;
  q.today = domain::TodayInEngland();
  q.as_of = bounds->as_of.value_or(*q.today);
  q.within_days = static_cast<int>(*within);
  q.months = static_cast<int>(*months);
  q.authority = c.query.contains("authority") ? c.query["authority"] : "";
  q.known_at = bounds->known_at;
  // The authority and each alert are checked against the principal inside the query.
  auto r = storage::ReadableAlerts(log_, *c.principal, q);
  if (!r) return ErrorResponse(r.error());
  return Json(200, wire::ToAlertsResponse(q, std::move(*r)));
}

Result<std::vector<v1::ContractState>> Api::ReportStates(Ctx& c, std::optional<Date> as_of) {
  const std::string authority = c.query.contains("authority") ? c.query["authority"] : "";
  if (!authority.empty() && !c.principal->MayRead(authority)) {
    return std::unexpected(ReadForbidden(*c.principal, authority));
  }
  const Date day = as_of.value_or(domain::TodayInEngland());
  std::vector<v1::ContractState> out;
  std::string after;
  for (;;) {
    auto page = log_.ListContractsAt(after, 256, as_of, std::nullopt);
    if (!page) return std::unexpected(page.error());
    for (auto& s : *page) {
      after = s.contract_id();
      if (!c.principal->MayReadContract(s)) continue;
      if (!authority.empty() && !domain::TakesPart(s, authority)) continue;
      s.set_status(domain::StatusOn(s, day));
      out.push_back(std::move(s));
    }
    if (page->size() < 256) break;
  }
  return out;
}

Response Api::Register(Ctx& c) {
  auto bounds = ParseBounds(c.query);
  if (!bounds) return ErrorResponse(bounds.error());
  auto states = ReportStates(c, bounds->as_of);
  if (!states) return ErrorResponse(states.error());
  Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"register.csv\"");
  r.body = views::RegisterCsv(*states, c.query.contains("authority") ? c.query["authority"] : "");
  return r;
}

Response Api::Ocds(Ctx& c, const std::string& id) {
  const std::string record = c.query.contains("record") ? c.query["record"] : "false";
  if (record != "true" && record != "false") {
    return Error(kInvalidArgument, "record must be true or false, not " + record.substr(0, 16));
  }
  auto state = log_.GetState(id);
  if (!state) return ErrorResponse(state.error());
  if (!c.principal->MayReadContract(*state)) {
    return ErrorResponse(ReadForbidden(*c.principal, state->authority()));
  }
  auto events = log_.ReadContract(id);
  if (!events) return ErrorResponse(events.error());
  std::vector<v1::EventRecord> records;
  for (auto& e : *events) records.push_back(std::move(e.record));
  auto package = record == "true" ? views::RecordPackage(*state, records, ocds_)
                                  : views::ReleasePackage(*state, records, ocds_);
  if (!package) return ErrorResponse(package.error());
  Response r;
  r.body = std::move(*package);
  return r;
}

Response Api::Funding(Ctx& c) {
  auto bounds = ParseBounds(c.query);
  if (!bounds) return ErrorResponse(bounds.error());
  auto states = ReportStates(c, bounds->as_of);
  if (!states) return ErrorResponse(states.error());
  return Json(200, views::FundingReportOf(*states));
}

Response Api::GetHistory(Ctx& c, const std::string& id) {
  auto after = ParseUint(c.query, "after_version", 0, kMaxAfter);
  if (!after) return ErrorResponse(after.error());
  auto limit = ParseLimit(c.query);
  if (!limit) return ErrorResponse(limit.error());
  auto s = log_.GetState(id);
  if (!s) return ErrorResponse(s.error());
  if (!c.principal->MayReadContract(*s)) {
    return ErrorResponse(ReadForbidden(*c.principal, s->authority()));
  }
  auto events = log_.ReadContract(id, *after, *limit);
  if (!events) return ErrorResponse(events.error());
  const std::set<std::string> retracted(s->retracted_event_ids().begin(),
                                        s->retracted_event_ids().end());
  v1::HistoryResponse resp;
  resp.set_contract_id(id);
  for (const auto& e : *events) {
    *resp.add_events() = wire::ToHistoryEntry(e, retracted.contains(e.record.event_id()));
  }
  if (events->size() == *limit && !events->empty()) {
    resp.set_next_after_version(events->back().record.version());
  }
  return Json(200, resp);
}

Response Api::ListContracts(Ctx& c) {
  auto limit = ParseLimit(c.query);
  if (!limit) return ErrorResponse(limit.error());
  auto bounds = ParseBounds(c.query);
  if (!bounds) return ErrorResponse(bounds.error());
  const std::string authority = c.query.contains("authority") ? c.query["authority"] : "";
  const std::string supplier = Lower(c.query.contains("supplier") ? c.query["supplier"] : "");
  const std::string status = c.query.contains("status") ? c.query["status"] : "";
  const Date today = bounds->as_of.value_or(domain::TodayInEngland());
  std::string after = c.query.contains("after") ? c.query["after"] : "";
  v1::ContractList list;
  for (;;) {
    auto page = log_.ListContractsAt(after, 256, bounds->as_of, bounds->known_at);
    if (!page) return ErrorResponse(page.error());
    for (auto& s : *page) {
      after = s.contract_id();
      if (static_cast<size_t>(list.contracts_size()) == *limit) break;
      if (!c.principal->MayReadContract(s)) continue;
      if (!authority.empty() && !domain::TakesPart(s, authority)) continue;
      if (!supplier.empty() && Lower(s.supplier().name()).find(supplier) == std::string::npos) {
        continue;
      }
      s.set_status(domain::StatusOn(s, today));
      if (!status.empty() && s.status() != status) continue;
      *list.add_contracts() = std::move(s);
    }
    if (static_cast<size_t>(list.contracts_size()) == *limit) {
      list.set_next_after(list.contracts(list.contracts_size() - 1).contract_id());
      break;
    }
    if (page->size() < 256) break;
  }
  return Json(200, list);
}

void Api::Feed(Ctx& c, net::any_io_executor executor, Done done) {
  auto after = ParseUint(c.query, "after", 0, kMaxAfter);
  if (!after) return done(ErrorResponse(after.error()));
  auto limit = ParseLimit(c.query);
  if (!limit) return done(ErrorResponse(limit.error()));
  auto wait_ms = ParseUint(c.query, "wait_ms", 0, kMaxWaitMs);
  if (!wait_ms) return done(ErrorResponse(wait_ms.error()));
  auto answer = [this, after = *after, limit = *limit]() -> Response {
    auto events = FeedPage(after, limit);
    if (!events) return ErrorResponse(events.error());
    v1::FeedResponse resp;
    resp.set_next_after(events->empty() ? after : events->back().sequence());
    for (auto& e : *events) *resp.add_events() = std::move(e);
    return Json(200, resp);
  };
  if (*wait_ms == 0 || log_.GetHead().sequence > *after) return done(answer());
  hub_.Wait(*after, executor, std::chrono::milliseconds(*wait_ms),
            [answer, done = std::move(done)]() mutable { done(answer()); });
}

Result<std::vector<v1::HistoryEntry>> Api::FeedPage(uint64_t after, size_t limit) {
  auto events = log_.ReadLog(after, limit);
  if (!events) return std::unexpected(events.error());
  std::vector<v1::HistoryEntry> out;
  out.reserve(events->size());
  for (const auto& e : *events) out.push_back(wire::ToHistoryEntry(e, false));
  return out;
}

Response Api::Verify(Ctx& c) {
  std::optional<storage::Head> digest;
  if (auto it = c.query.find("digest"); it != c.query.end()) {
    auto d = storage::ParseDigest(it->second);
    if (!d) return ErrorResponse(d.error());
    digest = *d;
  }
  bool views = false;
  if (auto it = c.query.find("views"); it != c.query.end()) {
    if (it->second != "true" && it->second != "false") {
      return Error(kInvalidArgument, "views must be true or false");
    }
    views = it->second == "true";
  }
  auto r = log_.Verify(digest, views);
  if (!r) return ErrorResponse(r.error());
  return Json(200, wire::ToVerifyResponse(*r));
}

Response Api::Health() {
  v1::HealthResponse h;
  h.set_head_sequence(log_.GetHead().sequence);
  if (auto e = log_.WriteError()) {
    h.set_status("degraded");
    h.set_message("writes refused: " + e->ToString());
  } else {
    h.set_status("ok");
  }
  return Json(200, h);
}

}  // namespace contrack::api

// The web interface's routes: its embedded files, and browser sessions (sign in with a bearer
// token, read the session, sign out). docs/web.md describes the model.
#include <cstdio>
#include <string>

#include "domain/validate.h"
#include "services/api/api.h"
#include "services/api/api_internal.h"
#include "services/api/web_assets.h"

namespace contrack::api {
namespace {

Response Refuse(ErrorCode code, std::string message) {
  return ErrorResponse(contrack::Error{code, std::move(message), std::nullopt});
}

// The Set-Cookie value of a new session: HttpOnly (no script reads it), SameSite=Strict (no other
// site's page sends it), Path=/, Max-Age the absolute lifetime, Secure over TLS.
std::string SessionCookie(bool secure, const std::string& id, std::chrono::seconds max_age) {
  return Api::SessionCookieName(secure) + "=" + id +
         "; Path=/; Max-Age=" + std::to_string(max_age.count()) + "; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

// {"principal":…,"role":…,"authorities":[…],"csrf_token":…,…}: who is signed in, and the CSRF
// token when the request came with the session (the page keeps it in memory only).
std::string SessionJson(const Principal& p, const WebSession* s, const SessionOptions& o) {
  std::string out = "{\"principal\":" + JsonString(p.name) +
                    ",\"role\":" + JsonString(RoleName(p.role)) + ",\"authorities\":[";
  for (size_t i = 0; i < p.authorities.size(); ++i) {
    out += (i ? "," : "") + JsonString(p.authorities[i]);
  }
  out += "]";
  if (s != nullptr) {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - s->created);
    out += ",\"csrf_token\":" + JsonString(s->csrf_token) +
           ",\"idle_timeout_seconds\":" + std::to_string(o.idle.count()) +
           ",\"expires_in_seconds\":" + std::to_string((o.absolute - age).count());
  }
  return out + "}";
}

Response NoStore(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

std::string JsonString(std::string_view in) {
  const std::string s = ToValidUtf8(in);
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string ClearSessionCookie(bool secure) {
  return Api::SessionCookieName(secure) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

namespace {

std::vector<std::pair<std::string, std::string>> MakeSecurityHeaders(bool tls) {
  std::vector<std::pair<std::string, std::string>> h = {
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
  };
  if (tls) h.emplace_back("Strict-Transport-Security", "max-age=31536000");
  return h;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders(bool tls) {
  // Built once: every answer carries them.
  static const auto plain = MakeSecurityHeaders(false);
  static const auto secure = MakeSecurityHeaders(true);
  return tls ? secure : plain;
}

Response Api::StaticFile(Ctx& c) {
  // Only the exact paths of the embedded table exist; nothing is read from disk, so "..", an
  // encoded slash or a backslash can name nothing else (FindWebAsset refuses them anyway).
  std::string path = c.segments.empty() ? "/" : "";
  for (const std::string& seg : c.segments) {
    if (seg.empty() || seg == "." || seg == ".." ||
        seg.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
      return Refuse(kNotFound, "no file " + c.path.substr(0, 128));
    }
    path += "/" + seg;
  }
  // Only the canonical spelling: no trailing slash, no percent-encoding of a plain path.
  if (path != c.path) return Refuse(kNotFound, "no file " + c.path.substr(0, 128));
  const WebAsset* asset = FindWebAsset(path);
  if (asset == nullptr) return Refuse(kNotFound, "no file " + c.path.substr(0, 128));
  Response r;
  r.content_type = std::string(asset->content_type);
  r.headers.emplace_back("ETag", std::string(asset->etag));
  // Revalidated on every use (a 304 when unchanged), so a new binary's files are seen at once.
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (!c.req.if_none_match.empty() && EtagMatches(c.req.if_none_match, asset->etag)) {
    r.status = 304;
    return r;
  }
  r.body = std::string(asset->body);
  return r;
}

Response Api::CreateSession(Ctx& c) {
  if (c.session) {
    return Refuse(kInvalidArgument,
                  "POST /v1/session exchanges a bearer token (Authorization: Bearer …) for a "
                  "session; this request carried only a session cookie");
  }
  const auto token = BearerToken(c.req.authorization);  // Admit found it valid
  if (!token) return Refuse(ErrorCode::kUnauthorized, "a bearer token is required");
  auto s = sessions_->Create(c.principal->name, TokenStore::Digest(*token));
  if (!s) return ErrorResponse(s.error());
  Response r = NoStore(201, SessionJson(*c.principal, &*s, sessions_->options()));
  r.headers.emplace_back("Set-Cookie",
                         SessionCookie(c.req.secure, s->id, sessions_->options().absolute));
  return r;
}

Response Api::GetSession(Ctx& c) {
  return NoStore(
      200, SessionJson(*c.principal, c.session ? &*c.session : nullptr, sessions_->options()));
}

Response Api::DeleteSession(Ctx& c) {
  // Admitted with the cookie, a DELETE carried the session's CSRF token (Admit).
  if (!c.session) {
    return Refuse(kInvalidArgument,
                  "DELETE /v1/session signs out the session of the request's cookie; this "
                  "request carried none (a bearer token has no session to end)");
  }
  sessions_->Remove(c.session->id);
  Response r = NoStore(200, "{\"signed_out\":true}");
  r.headers.emplace_back("Set-Cookie", ClearSessionCookie(c.req.secure));
  return r;
}

}  // namespace contrack::api

// Signed-in browser sessions (POST /v1/session): a random session id carried by an HttpOnly
// cookie and a CSRF token per session, kept in this process's memory only, with an idle and an
// absolute lifetime and a cap per principal. A SessionStore is safe for concurrent use.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace contrack::api {

struct SessionOptions {
  std::chrono::seconds idle{30 * 60};           // unused this long, a session ends
  std::chrono::seconds absolute{12 * 60 * 60};  // whatever its use, a session ends this long after
  size_t per_principal = 8;  // sessions one principal holds; one more ends its least recently used
};

// One session. `id` is secret: it is the cookie's value and only the store and the browser hold
// it (the store keys its map by the id's SHA-256 digest).
struct WebSession {
  std::string id;            // 64 hex digits from the OpenSSL CSPRNG
  std::string csrf_token;    // 64 hex digits; state-changing requests made with the cookie carry it
  std::string token_digest;  // SHA-256 of the bearer token it was made from (TokenStore::Digest)
  std::string principal;     // the principal's name when it was made, for the cap
  std::chrono::steady_clock::time_point created, last_used;
};

class SessionStore {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SessionStore(SessionOptions options) : options_(options) {}
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // Makes a session for `principal`, signed in with the token whose digest is `token_digest`.
  // When the principal already holds `per_principal` sessions, the least recently used ends.
  // Expired sessions of every principal are dropped first. Fails (internal) only when the
  // random generator does.
  [[nodiscard]] Result<WebSession> Create(const std::string& principal,
                                          const std::string& token_digest);

  // The live session whose id is `id`, its last use set to now; nullopt when there is none, or
  // it was idle longer than `idle` or made longer ago than `absolute` (it is then removed).
  std::optional<WebSession> Touch(std::string_view id);

  // Ends session `id`; false when there was none.
  bool Remove(std::string_view id);

  // Sessions held (expired ones not yet dropped included).
  size_t size() const;
  const SessionOptions& options() const { return options_; }

 private:
  bool Expired(const WebSession& s, Clock::time_point now) const;

  const SessionOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, WebSession> sessions_;  // by SHA-256 of the id; guarded by mu_
};

// Whether `a` and `b` are equal, in time that depends only on their lengths (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The value of cookie `name` in a Cookie header (RFC 6265 section 5.4: "a=1; b=2"); nullopt when
// absent. The first of repeated names wins.
std::optional<std::string> CookieValue(std::string_view cookie_header, std::string_view name);

}  // namespace contrack::api

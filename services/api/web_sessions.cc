// Browser sessions: random ids, lifetimes, the per-principal cap.
#include "services/api/web_sessions.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace contrack::api {
namespace {

// 32 random bytes as 64 lower-case hex digits; nullopt when the generator fails.
std::optional<std::string> RandomHex() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string Key(std::string_view id) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(id.data(), id.size(), d, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(d), n);
}

}  // namespace

bool SessionStore::Expired(const WebSession& s, Clock::time_point now) const {
  return now - s.last_used >= options_.idle || now - s.created >= options_.absolute;
}

Result<WebSession> SessionStore::Create(const std::string& principal,
                                        const std::string& token_digest) {
  auto id = RandomHex();
  auto csrf = RandomHex();
  if (!id || !csrf) return Fail(ErrorCode::kInternal, "the random number generator failed");
  WebSession s;
  s.id = std::move(*id);
  s.csrf_token = std::move(*csrf);
  s.token_digest = token_digest;
  s.principal = principal;
  s.created = s.last_used = Clock::now();
  std::lock_guard l(mu_);
  std::erase_if(sessions_, [&](const auto& kv) { return Expired(kv.second, s.created); });
  // The cap: end the principal's least recently used sessions until one more fits.
  for (;;) {
    size_t held = 0;
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.principal != principal) continue;
      ++held;
      if (oldest == sessions_.end() || it->second.last_used < oldest->second.last_used) {
        oldest = it;
      }
    }
    if (held < options_.per_principal || oldest == sessions_.end()) break;
    sessions_.erase(oldest);
  }
  sessions_.emplace(Key(s.id), s);
  return s;
}

std::optional<WebSession> SessionStore::Touch(std::string_view id) {
  const std::string key = Key(id);
  const auto now = Clock::now();
  std::lock_guard l(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (Expired(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second;
}

bool SessionStore::Remove(std::string_view id) {
  const std::string key = Key(id);
  std::lock_guard l(mu_);
  return sessions_.erase(key) > 0;
}

size_t SessionStore::size() const {
  std::lock_guard l(mu_);
  return sessions_.size();
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

}  // namespace contrack::api

// Bearer tokens, principals and roles. A TokenStore is safe for concurrent use: lookups and
// reloads (SIGHUP) may race.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "domain/principal.h"

namespace contrack::api {

// The principal a token resolves to; defined with the write authorisation rule in the domain.
using contrack::Principal;
using contrack::Role;
using contrack::RoleName;

// The token of an "Authorization: Bearer <token>" value: the scheme in any case (RFC 7235
// section 2.1), then one or more spaces. nullopt for another scheme or no token.
std::optional<std::string> BearerToken(std::string_view authorization);

class TokenStore {
 public:
  // Loads `path`. Fails when the file is missing, grants any permission to group or others
  // (mode & 077: a writable file lets another user add a token), malformed, or holds a token or
  // calendar_token shorter than 16 characters, an unknown role, or a token or calendar_token
  // equal to any other token or calendar_token in the file.
  [[nodiscard]] static Result<std::unique_ptr<TokenStore>> Load(const std::string& path);

  // Re-reads the file; on failure keeps the tokens already loaded and returns the error.
  [[nodiscard]] Result<size_t> Reload();

  // The principal holding the bearer token `token`, compared in constant time; nullopt when
  // unknown. A calendar token is not a bearer token: it is never found here.
  std::optional<Principal> Find(const std::string& token) const;

  // The principal holding the calendar token `token` (a tokens file entry's calendar_token), which
  // reads only GET /v1/calendar.ics; compared in constant time; nullopt when unknown (a bearer
  // token included, or one removed from the file and reloaded).
  std::optional<Principal> FindCalendar(const std::string& token) const;

  // The principal of the token whose SHA-256 digest (Digest) is `digest`, compared in constant
  // time; nullopt when no loaded token has it (e.g. it was removed and the file reloaded).
  // Sessions keep the digest of the token they were made from, never the token.
  std::optional<Principal> FindDigest(const std::string& digest) const;

  // The SHA-256 digest of `token` (32 bytes), as FindDigest takes it.
  static std::string Digest(const std::string& token);

 private:
  struct Entry {
    std::string digest;           // SHA-256 of the token: equal-length constant-time comparison
    std::string calendar_digest;  // SHA-256 of the calendar token; empty when it has none
    Principal principal;
  };
  explicit TokenStore(std::string path) : path_(std::move(path)) {}
  [[nodiscard]] static Result<std::vector<Entry>> Read(const std::string& path);
  // The principal of the entry whose digest (calendar_digest when `calendar`) is `digest`.
  std::optional<Principal> Match(const std::string& digest, bool calendar) const;

  const std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<Entry>> entries_;  // guarded by mu_
};

}  // namespace contrack::api

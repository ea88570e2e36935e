// Bearer tokens, principals and roles. A TokenStore is safe for concurrent use: lookups and
// reloads (SIGHUP) may race.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/lifecycle/error.h"
#include "services/lifecycle/principal.h"

namespace contrack::api {

// The principal a token resolves to; defined with the write authorisation rule in the domain.
using contrack::Principal;
using contrack::Role;
using contrack::RoleName;

class TokenStore {
 public:
  // Loads `path`. Fails when the file is missing, readable by others (mode & 0004), malformed,
  // or holds a token shorter than 16 characters, an unknown role or a duplicate token.
  [[nodiscard]] static Result<std::unique_ptr<TokenStore>> Load(const std::string& path);

  // Re-reads the file; on failure keeps the tokens already loaded and returns the error.
  [[nodiscard]] Result<size_t> Reload();

  // The principal holding `token`, compared in constant time; nullopt when unknown.
  std::optional<Principal> Find(const std::string& token) const;

 private:
  struct Entry {
    std::string digest;  // SHA-256 of the token: equal-length constant-time comparison
    Principal principal;
  };
  explicit TokenStore(std::string path) : path_(std::move(path)) {}
  [[nodiscard]] static Result<std::vector<Entry>> Read(const std::string& path);

  const std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<Entry>> entries_;  // guarded by mu_
};

}  // namespace contrack::api

// Token file loading and constant-time lookup.
#include "services/api/auth.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "domain/codec.h"
#include "proto/contrack.pb.h"

namespace contrack::api {
namespace {

constexpr size_t kMinTokenLength = 16;

std::string Sha256(const std::string& s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), d, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(d), n);
}

}  // namespace

std::optional<std::string> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
      return std::nullopt;
    }
  }
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty()) return std::nullopt;
  return std::string(rest);
}

Result<std::vector<TokenStore::Entry>> TokenStore::Read(const std::string& path) {
  // The mode is checked on the descriptor that is read, so the file cannot be swapped between.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Fail(kInvalidArgument,
                "tokens file " + path + " cannot be read: " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Fail(kInvalidArgument, "tokens file " + path + " is not a regular file");
  }
  if (st.st_mode & 077) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(kInvalidArgument, "tokens file " + path + " has mode " + mode +
                                      ": group and other users must have no access (another "
                                      "user could read the tokens or add one); run: chmod 600 " +
                                      path);
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Fail(kInvalidArgument,
                  "tokens file " + path + " cannot be read: " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  auto file = ParseJson<v1::TokensFile>(text, "tokens file " + path);
  if (!file) return std::unexpected(file.error());
  std::vector<Entry> out;
  std::set<std::string> seen;
  for (int i = 0; i < file->tokens_size(); ++i) {
    const auto& t = file->tokens(i);
    const std::string where = "tokens file " + path + ": tokens[" + std::to_string(i) + "]";
    if (t.token().size() < kMinTokenLength)
      return Fail(kInvalidArgument, where + ".token is under 16 characters");
    if (t.principal().empty()) return Fail(kInvalidArgument, where + ".principal is required");
    // One set for both kinds: a calendar token never equals a bearer token, so it can never be
    // taken for one, nor one principal's for another's.
    if (!seen.insert(t.token()).second) {
      return Fail(kInvalidArgument, where + ".token is repeated (as a token or a calendar_token)");
    }
    Entry e;
    if (!t.calendar_token().empty()) {
      if (t.calendar_token().size() < kMinTokenLength) {
        return Fail(kInvalidArgument, where + ".calendar_token is under 16 characters");
      }
      if (!seen.insert(t.calendar_token()).second) {
        return Fail(kInvalidArgument,
                    where + ".calendar_token is repeated (as a token or a calendar_token)");
      }
      e.calendar_digest = Sha256(t.calendar_token());
    }
    e.digest = Sha256(t.token());
    e.principal.name = t.principal();
    if (t.role() == "officer") {
      e.principal.role = Role::kOfficer;
      if (t.authorities_size() == 0) {
        return Fail(kInvalidArgument, where + ": an officer needs at least one authority");
      }
    } else if (t.role() == "auditor") {
      e.principal.role = Role::kAuditor;
    } else if (t.role() == "admin") {
      e.principal.role = Role::kAdmin;
    } else {
      return Fail(kInvalidArgument,
                  where + ".role \"" + t.role() + "\" is not one of officer, auditor, admin");
    }
    e.principal.authorities.assign(t.authorities().begin(), t.authorities().end());
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::unique_ptr<TokenStore>> TokenStore::Load(const std::string& path) {
  std::unique_ptr<TokenStore> store(new TokenStore(path));
  auto r = store->Reload();
  if (!r) return std::unexpected(r.error());
  return store;
}

Result<size_t> TokenStore::Reload() {
  auto entries = Read(path_);
  if (!entries) return std::unexpected(entries.error());
  const size_t n = entries->size();
  auto shared = std::make_shared<const std::vector<Entry>>(std::move(*entries));
  std::lock_guard l(mu_);
  entries_ = std::move(shared);
  return n;
}

std::string TokenStore::Digest(const std::string& token) { return Sha256(token); }

std::optional<Principal> TokenStore::Find(const std::string& token) const {
  return FindDigest(Sha256(token));
}

std::optional<Principal> TokenStore::FindDigest(const std::string& digest) const {
  return Match(digest, false);
}

std::optional<Principal> TokenStore::FindCalendar(const std::string& token) const {
  return Match(Sha256(token), true);
}

std::optional<Principal> TokenStore::Match(const std::string& digest, bool calendar) const {
  std::shared_ptr<const std::vector<Entry>> entries;
  {
    std::lock_guard l(mu_);
    entries = entries_;
  }
  if (digest.size() != SHA256_DIGEST_LENGTH) return std::nullopt;
  std::optional<Principal> found;
  // Compare against every entry so the time taken does not depend on which one matches. An entry
  // without a calendar token is compared against zeros, which no SHA-256 digest is known to be.
  static const std::string kNone(SHA256_DIGEST_LENGTH, '\0');
  for (const auto& e : *entries) {
    const std::string& mine =
        calendar ? (e.calendar_digest.empty() ? kNone : e.calendar_digest) : e.digest;
    if (CRYPTO_memcmp(mine.data(), digest.data(), digest.size()) == 0) found = e.principal;
  }
  return found;
}

}  // namespace contrack::api

// The hash chain: SHA-256 links, hex, digests.
#include "storage/chain.h"

#include <openssl/evp.h>

#include <charconv>
#include <memory>

#include "storage/event_log.h"
#include "storage/format.h"

namespace contrack::storage {
// Decodes 64 hex digits; false when malformed.
bool Unhex(std::string_view hex, unsigned char out[format::kHashSize]) {
  if (hex.size() != 2 * format::kHashSize) return false;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < format::kHashSize; ++i) {
    const int hi = val(hex[2 * i]), lo = val(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}

const std::string& ZeroHash() {
  static const std::string kZero(2 * format::kHashSize, '0');
  return kZero;
}

// SHA-256(raw prev_hash || record), hex. REQUIRES: prev_hex is 64 hex digits.
std::string ChainHash(const std::string& prev_hex, const std::string& record) {
  unsigned char prev[format::kHashSize];
  Unhex(prev_hex, prev);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // One context per thread, reused: creating one per event cost as much as the hashing.
  static thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                  &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), prev, sizeof(prev));
  EVP_DigestUpdate(ctx.get(), record.data(), record.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  return Hex(digest, len);
}

Result<Head> ParseDigest(const std::string& text) {
  const size_t colon = text.find(':');
  uint64_t seq = 0;
  const char* end = text.data() + (colon == std::string::npos ? 0 : colon);
  auto [p, ec] = std::from_chars(text.data(), end, seq);
  if (colon == std::string::npos || ec != std::errc() || p != end || seq == 0 ||
      text.size() - colon - 1 != 64 ||
      text.find_first_not_of("0123456789abcdef", colon + 1) != std::string::npos) {
    return Fail(kInvalidArgument, "digest: \"" + text.substr(0, 100) +
                                      "\" is not SEQUENCE:HASH (a sequence and 64 lower-case hex "
                                      "digits, as verify reports them)");
  }
  return Head{seq, text.substr(colon + 1)};
}

}  // namespace contrack::storage

// The on-disk layout of a contrack store. See docs/storage-format.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace contrack::storage::format {

// Bumped when the layout changes incompatibly; a store of another version is refused at open.
inline constexpr std::string_view kFormatVersion = "1";
inline constexpr std::string_view kFormatVersionKey = "format_version";  // in kDefaultCf

// Column families.
inline constexpr std::string_view kDefaultCf = "default";     // meta keys
inline constexpr std::string_view kEventsCf = "events";       // be64(seq) -> StoredEvent
inline constexpr std::string_view kStreamsCf = "streams";     // id '\0' be64(version) -> be64(seq)
inline constexpr std::string_view kEventIdsCf = "event_ids";  // event_id -> be64(seq)
inline constexpr std::string_view kStateCf = "state";         // contract id -> ContractState

// The chain starts from 32 zero bytes.
inline constexpr size_t kHashSize = 32;

inline std::string EncodeBe64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

// REQUIRES: s.size() >= 8.
inline uint64_t DecodeBe64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

inline std::string StreamPrefix(std::string_view contract_id) {
  std::string k(contract_id);
  k.push_back('\0');
  return k;
}

inline std::string StreamKey(std::string_view contract_id, uint64_t version) {
  return StreamPrefix(contract_id) + EncodeBe64(version);
}

}  // namespace contrack::storage::format

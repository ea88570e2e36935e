// The on-disk layout of a contrack store. See docs/storage-format.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace contrack::storage::format {

// Bumped when the layout changes incompatibly; a store of another version is refused at open.
// 2: the alerts index. 3: a contract's `state` may trail it by a few versions, which readers
// complete from `streams`; a format-2 store (every state current) opens and is marked 3.
// 4: alerts keys lead with their kind (expiry, review, terminating, waiver). 5: the alerts index
// also holds the notices each contract owes (kind NOTICE). A format-2, -3 or -4 store opened for
// writing gets its alerts index rebuilt from its states and is marked 5.
inline constexpr std::string_view kFormatVersion = "5";
inline constexpr std::string_view kFormatVersionCurrentStates = "2";
inline constexpr std::string_view kFormatVersionExpiryAlerts = "3";
inline constexpr std::string_view kFormatVersionKindAlerts = "4";
inline constexpr std::string_view kFormatVersionKey = "format_version";  // in kDefaultCf

// Column families.
inline constexpr std::string_view kDefaultCf = "default";     // meta keys
inline constexpr std::string_view kEventsCf = "events";       // be64(seq) -> StoredEvent
inline constexpr std::string_view kStreamsCf = "streams";     // id '\0' be64(version) -> be64(seq)
inline constexpr std::string_view kEventIdsCf = "event_ids";  // event_id -> be64(seq)
inline constexpr std::string_view kStateCf = "state";         // contract id -> ContractState
// u8 kind, be16(lead days), be32(day + kDayOffset), contract id [NOTICE: '\0' notice type '\0'
// created-by event id] -> AlertIndexEntry: a contract's entries (domain/alerts.h; the kind is
// AlertIndexEntry::Kind, the day its end, review, termination, waiver or notice due date). A query
// reads, per (kind, lead), the days its window lists (domain::ListedDays): exactly the entries it
// lists.
inline constexpr std::string_view kAlertsCf = "alerts";
inline constexpr size_t kAlertKeyHeader = 7;    // kind, lead, day: the contract id follows
inline constexpr int64_t kDayOffset = 1 << 20;  // days since 1970 + offset > 0 for years >= 1900

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

inline std::string EncodeBe32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

inline uint32_t DecodeBe32(std::string_view s) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

inline std::string AlertPrefix(uint8_t kind, uint16_t lead_days) {
  return std::string{static_cast<char>(kind), static_cast<char>(lead_days >> 8),
                     static_cast<char>(lead_days & 0xff)};
}

// REQUIRES: day + kDayOffset fits in 32 bits (years 1900 - 9999 do).
inline std::string AlertKey(uint8_t kind, uint16_t lead_days, int64_t day,
                            std::string_view contract_id) {
  return AlertPrefix(kind, lead_days) + EncodeBe32(static_cast<uint32_t>(day + kDayOffset)) +
         std::string(contract_id);
}

}  // namespace contrack::storage::format

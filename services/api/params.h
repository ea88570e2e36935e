// Request targets and query parameters: percent-decoding, path segments, integers, page sizes,
// and the bitemporal bounds. Every refusal is invalid_argument naming the parameter. Pure; safe
// for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/dates.h"
#include "domain/error.h"

namespace contrack::api {

inline constexpr size_t kDefaultPage = 100;
inline constexpr size_t kMaxPage = 1000;

// Percent-decodes `s` ('+' is a space when plus_is_space, as in queries); nullopt when malformed.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);

// Splits a request target into its path, its decoded segments and its decoded query parameters.
[[nodiscard]] Result<void> ParseTarget(const std::string& target, std::string* path,
                                       std::vector<std::string>* segments,
                                       std::map<std::string, std::string>* query);

// q[key] as an integer 0..max; `fallback` when absent.
[[nodiscard]] Result<uint64_t> ParseUint(const std::map<std::string, std::string>& q,
                                         const std::string& key, uint64_t fallback, uint64_t max);

// The page size `limit`: 1..kMaxPage, default kDefaultPage (0 would never advance).
[[nodiscard]] Result<uint64_t> ParseLimit(const std::map<std::string, std::string>& q);

struct TimeBounds {
  std::optional<Date> as_of;
  std::optional<Micros> known_at;
};

// `as_of` (YYYY-MM-DD) and `known_at` (RFC 3339), each optional.
[[nodiscard]] Result<TimeBounds> ParseBounds(const std::map<std::string, std::string>& q);

}  // namespace contrack::api

// Error values returned across every contrack library API (no exceptions cross an API).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <utility>

namespace contrack {

// A stable machine-readable code ("no_extension_option", "version_conflict", "invalid_argument",
// "not_found", "io_error", ...) and a message that names the facts.
struct Error {
  std::string code;
  std::string message;
  std::optional<uint64_t> current_version;  // set for version_conflict

  std::string ToString() const { return code + ": " + message; }
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> Fail(std::string code, std::string message) {
  return std::unexpected<Error>(Error{std::move(code), std::move(message), std::nullopt});
}

// Error codes shared by the layers. Lifecycle rule codes live in lifecycle.h.
inline constexpr const char kInvalidArgument[] = "invalid_argument";
inline constexpr const char kNotFound[] = "not_found";
inline constexpr const char kVersionConflict[] = "version_conflict";
inline constexpr const char kEventIdConflict[] = "event_id_conflict";
inline constexpr const char kIoError[] = "io_error";
inline constexpr const char kStorageFull[] = "storage_full";
inline constexpr const char kCorruption[] = "corruption";
inline constexpr const char kReadOnly[] = "read_only";
inline constexpr const char kRecordedAtBeforeHead[] = "recorded_at_before_head";

}  // namespace contrack

// Error values returned across every contrack library API (no exceptions cross an API).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace contrack {

// What went wrong, as a stable code the compiler checks in every switch. The HTTP layer maps each
// code to one status (services/api, HttpStatusFor); the wire carries Error::name().
// Adding a code: name it in ErrorCodeName and kAllErrorCodes (below), give it a status in
// HttpStatusFor and document it in docs/api.md; the switches do not compile until it is handled.
enum class ErrorCode {
  kInvalidArgument,
  kUnauthorized,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kVersionConflict,
  kEventIdConflict,
  kPayloadTooLarge,
  kRuleRefused,  // a lifecycle rule refused the event: Error::rule names it
  kRecordedAtBeforeHead,
  kIoError,
  kStorageFull,
  kCorruption,
  kReadOnly,
  kNotImplemented,
  kUnavailable,
  kTooManyRequests,
  kInternal,
};

// Every code, in declaration order.
inline constexpr ErrorCode kAllErrorCodes[] = {
    ErrorCode::kInvalidArgument,  ErrorCode::kUnauthorized,
    ErrorCode::kForbidden,        ErrorCode::kNotFound,
    ErrorCode::kMethodNotAllowed, ErrorCode::kVersionConflict,
    ErrorCode::kEventIdConflict,  ErrorCode::kPayloadTooLarge,
    ErrorCode::kRuleRefused,      ErrorCode::kRecordedAtBeforeHead,
    ErrorCode::kIoError,          ErrorCode::kStorageFull,
    ErrorCode::kCorruption,       ErrorCode::kReadOnly,
    ErrorCode::kNotImplemented,   ErrorCode::kUnavailable,
    ErrorCode::kTooManyRequests,  ErrorCode::kInternal,
};

// The code's snake_case name ("invalid_argument", "version_conflict", ...).
constexpr std::string_view ErrorCodeName(ErrorCode c) {
  switch (c) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kVersionConflict:
      return "version_conflict";
    case ErrorCode::kEventIdConflict:
      return "event_id_conflict";
    case ErrorCode::kPayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::kRuleRefused:
      return "rule_refused";
    case ErrorCode::kRecordedAtBeforeHead:
      return "recorded_at_before_head";
    case ErrorCode::kIoError:
      return "io_error";
    case ErrorCode::kStorageFull:
      return "storage_full";
    case ErrorCode::kCorruption:
      return "corruption";
    case ErrorCode::kReadOnly:
      return "read_only";
    case ErrorCode::kNotImplemented:
      return "not_implemented";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kTooManyRequests:
      return "too_many_requests";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";  // not reached: the switch names every code
}

// The code named `name`, or nullopt (a lifecycle rule's name, or no code at all).
constexpr std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  for (ErrorCode c : kAllErrorCodes) {
    if (ErrorCodeName(c) == name) return c;
  }
  return std::nullopt;
}

// A code, a message that names the facts, and for a rule refusal the rule's name.
struct Error {
  Error() = default;
  Error(ErrorCode code, std::string message, std::optional<uint64_t> current_version = std::nullopt)
      : code(code), message(std::move(message)), current_version(current_version) {}

  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::optional<uint64_t> current_version;  // set for version_conflict
  std::string rule;  // set for kRuleRefused: the lifecycle rule ("no_extension_option", ...)

  // The stable wire code: the rule's name for a rule refusal, else ErrorCodeName(code).
  std::string name() const {
    return code == ErrorCode::kRuleRefused ? rule : std::string(ErrorCodeName(code));
  }
  std::string ToString() const { return name() + ": " + message; }

  // A refusal by the lifecycle rule `rule`.
  static Error RuleRefused(std::string rule, std::string message) {
    Error e(ErrorCode::kRuleRefused, std::move(message));
    e.rule = std::move(rule);
    return e;
  }
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}

// `e` with another message: the same code, rule and current version.
inline std::unexpected<Error> Fail(Error e, std::string message) {
  e.message = std::move(message);
  return std::unexpected<Error>(std::move(e));
}

// Shorthands for the codes the layers use most.
inline constexpr ErrorCode kInvalidArgument = ErrorCode::kInvalidArgument;
inline constexpr ErrorCode kForbidden = ErrorCode::kForbidden;
inline constexpr ErrorCode kNotFound = ErrorCode::kNotFound;
inline constexpr ErrorCode kVersionConflict = ErrorCode::kVersionConflict;
inline constexpr ErrorCode kEventIdConflict = ErrorCode::kEventIdConflict;
inline constexpr ErrorCode kIoError = ErrorCode::kIoError;
inline constexpr ErrorCode kStorageFull = ErrorCode::kStorageFull;
inline constexpr ErrorCode kCorruption = ErrorCode::kCorruption;
inline constexpr ErrorCode kReadOnly = ErrorCode::kReadOnly;
inline constexpr ErrorCode kRecordedAtBeforeHead = ErrorCode::kRecordedAtBeforeHead;

}  // namespace contrack

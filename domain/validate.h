// Shape checks on identifiers and event bodies, before any rule that needs a contract's state.
#pragma once

#include <string>
#include <string_view>

#include "domain/dates.h"
#include "domain/error.h"
#include "proto/contrack.pb.h"

namespace contrack {

inline constexpr size_t kMaxContractIdLength = 64;
inline constexpr size_t kMaxTextLength = 8192;  // description, justification, note
inline constexpr size_t kMaxNameLength = 512;   // titles, names, references
inline constexpr int kMaxExtensionOptions = 32;
inline constexpr int kMaxOptionMonths = 120;
inline constexpr int kMaxDays = 3650;

// The length of the valid UTF-8 sequence at the start of `s` (1..4), or 0 when it is not one
// (strict: no overlong forms, no surrogates, nothing past U+10FFFF).
size_t Utf8SequenceLength(std::string_view s);

// `s` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD, so that
// text quoting untrusted input (an error message) can always be sent as JSON.
std::string ToValidUtf8(std::string_view s);

// A contract id is 1..64 characters of [A-Za-z0-9._-], starting with a letter or digit.
[[nodiscard]] Result<void> ValidateContractId(std::string_view id);

// An event id is a UUID in 8-4-4-4-12 hex form. Returns it lower-cased.
[[nodiscard]] Result<std::string> NormalizeEventId(std::string_view id, std::string_view field);

// The payload key of `body` ("award", ...), or "" when it has none.
std::string EventType(const v1::EventBody& body);

// Checks that `body` has exactly one payload with its required fields, real dates, enumerated
// values spelled as SPEC gives them, totals >= 0 and text within limits. Does not look at the
// contract's state. The error names the field.
[[nodiscard]] Result<void> ValidateBody(const v1::EventBody& body);

// Returns the body as it is stored: event id lower-cased (or `generated_id` when absent),
// effective_date resolved (SPEC: an award's start_date, a termination's termination_date, else the
// decision's date, else `recorded_day`), and the line-level fields (contract_id, expected_version,
// recorded_at, recorded_by) cleared.
// REQUIRES: ValidateBody(body) succeeded.
[[nodiscard]] Result<v1::EventBody> NormalizeBody(const v1::EventBody& body,
                                                  const std::string& generated_id,
                                                  Date recorded_day);

}  // namespace contrack

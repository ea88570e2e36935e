// Values of the CLI's flags as people write them: money in pounds, shares in percent, the
// participants of a joint contract, yes/no. Pure functions; safe for concurrent use.
//
// Each returns invalid_argument with a message that names the value and what is wrong with it,
// but not the flag: the caller prefixes the flag's name ("--value: ...").
#pragma once

#include <cstdint>
#include <string_view>

#include "domain/error.h"
#include "proto/contrack.pb.h"

namespace contrack::cli {

// Pounds as people write them, to integer pence: "728678", "728678.5", "728,678.00",
// "£1,457,356", " £1,457,356.07 ", and with `allow_negative` "-1,500" or "-£1,500.00".
// Thousands separators must group by three ("1,00" is refused: it may be a decimal comma).
// Refused: more than two decimal places ("1.234"), a point without digits after it ("1."),
// a negative amount where `allow_negative` is false, anything beyond int64 pence
// (£92,233,720,368,547,758.07), and any other character.
[[nodiscard]] Result<int64_t> ParsePounds(std::string_view text, bool allow_negative);

// A share in percent, to basis points: "48.6%" -> 4860, "100%" -> 10000, "12.25" -> 1225.
// Refused: more than two decimal places, above 100%, negative, anything else.
[[nodiscard]] Result<int32_t> ParseSharePercent(std::string_view text);

// A participant of a joint contract: "AUTHORITY", "AUTHORITY:SHARE" or "AUTHORITY:SHARE:ROLE",
// split at the first two colons (an authority's name holds no colon; a role may). SHARE is a
// percent (ParseSharePercent) or empty: not stated. E.g. "North Northamptonshire Council:48.6%",
// "Rutland County Council::funder". An empty authority is refused.
[[nodiscard]] Result<v1::Participant> ParseParticipant(std::string_view text);

// "yes", "no", "true", "false" (any case).
[[nodiscard]] Result<bool> ParseYesNo(std::string_view text);

}  // namespace contrack::cli

// Money and bytes as text, one way each, for every layer that shows them. Pure; safe for
// concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace contrack {

// 72867800 -> "£728,678.00"; -150 -> "-£1.50". For people: the CLI, rule messages, OCDS notes.
std::string FormatPounds(int64_t pence);

// 72867800 -> "728678.00"; -150 -> "-1.50". For machines: the register CSV.
std::string FormatPoundsPlain(int64_t pence);

// RFC 3986 percent-encoding of everything but the unreserved characters (letters, digits and
// "-._~"), in upper-case hex: a path segment or query value.
std::string PercentEncode(std::string_view s);

// Lower-case hex of n bytes.
std::string Hex(const unsigned char* p, size_t n);

}  // namespace contrack

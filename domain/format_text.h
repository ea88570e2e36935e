// Money and bytes as text, one way each, for every layer that shows them. Pure; safe for
// concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace contrack {

// 72867800 -> "£728,678.00"; -150 -> "-£1.50". For people: the CLI, rule messages, OCDS notes.
std::string FormatPounds(int64_t pence);

// 72867800 -> "728678.00"; -150 -> "-1.50". For machines: the register CSV.
std::string FormatPoundsPlain(int64_t pence);

// Lower-case hex of n bytes.
std::string Hex(const unsigned char* p, size_t n);

}  // namespace contrack

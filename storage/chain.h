// The hash chain's arithmetic: each event's hash is SHA-256(raw prev_hash || its serialized
// record), hex-encoded; the chain starts from 32 zero bytes (docs/storage-format.md). Pure
// functions, safe for concurrent use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "domain/format_text.h"  // Hex
#include "storage/format.h"

namespace contrack::storage {

// Decodes 64 hex digits into out; false when malformed.
bool Unhex(std::string_view hex, unsigned char out[format::kHashSize]);
// The hash before the first event: 64 zeros.
const std::string& ZeroHash();
// SHA-256(raw prev_hash || record), hex. REQUIRES: prev_hex is 64 hex digits.
std::string ChainHash(const std::string& prev_hex, const std::string& record);

}  // namespace contrack::storage

// The fuzz targets as plain functions: the libFuzzer entry points (*_fuzzer.cc, built with clang
// when CONTRACK_FUZZ is ON) call them, and fuzz_regression_test runs every seed and every saved
// crashing input through them in the normal (GCC) suites. A broken invariant aborts the process
// after printing what broke. None of them is safe for concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>

namespace contrack::fuzz {

// The bytes as JSON: an API append body (AppendRequest) and an import line (EventBody). Each
// event that parses goes through ValidateBody; a valid one through NormalizeBody, which must
// succeed, keep it valid, be idempotent, and round-trip through JSON and the binary encoding.
void EventJson(const uint8_t* data, size_t size);

// The bytes as a script of at most 64 small events for one contract (award, waiver, extension,
// variation, novation, termination, funding, correction with random dates and amounts), folded
// with domain::Next. After each accepted event: current_end >= start, options_used <=
// options_total, value >= 0, the version is the previous one + 1, a terminated contract stays
// terminated unless a correction came, and domain::Replay over the accepted events equals the
// incremental state byte for byte.
void Lifecycle(const uint8_t* data, size_t size);

// The bytes as raw HTTP/1.1: parsed with Beast's request_parser under the server's limits, each
// complete request (at most 8, pipelined) answered by api::Api::Handle against a real EventLog in
// a temporary directory (kept for the process's life). `done` must be called exactly once, with a
// status the API documents; an error answer must be the one error shape; a refused request must
// write nothing.
void HttpRequest(const uint8_t* data, size_t size);

// The bearer tokens the HTTP target's token file holds (seed corpora use them).
inline constexpr char kFuzzOfficerToken[] = "fuzz-officer-leeds-0123456789";
inline constexpr char kFuzzAuditorToken[] = "fuzz-auditor-token-0123456789";
inline constexpr char kFuzzAdminToken[] = "fuzz-admin-token-0123456789ab";

}  // namespace contrack::fuzz

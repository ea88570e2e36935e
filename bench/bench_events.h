// The event shapes every benchmark uses (contrack, raw RocksDB and the peers): one realistic
// ~350-byte funding decision, and awards for the contracts it is appended to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/contrack.pb.h"

namespace contrack::bench {

// The contract id of bench contract `i` ("BENCH-0000042").
std::string ContractId(uint64_t i);

// The funding decision appended by every append benchmark, as the JSON body an HTTP client sends
// (no event id: the store generates one). The same bytes are the peers' payload.
const std::string& FundingJson();
v1::EventBody FundingBody();

// The award that opens bench contract `i`. Dates, values, options and authorities vary with `i`
// so the alerts index holds a realistic spread: starts over ten years from 2016, terms of 1 to 5
// years, 0 to 2 twelve-month options, 400 authorities.
v1::EventBody AwardBody(uint64_t i);
std::string AwardJson(uint64_t i);

// The p-th percentile (0..100) of `v` (sorted in place), nearest rank; 0 when empty.
double Percentile(std::vector<uint32_t>& v, double p);

}  // namespace contrack::bench

// Plain options the CLI's offline and remote commands share.
#pragma once

#include <string>

namespace contrack::cli {

// How a command prints its answer: a table for people, proto JSON, or CSV (RFC 4180; alerts,
// history and funding only).
enum class Output { kTable, kJson, kCsv };

// The filters of `list`, offline and remote alike (GET /v1/contracts?authority=&supplier=&status=).
struct ListFilter {
  std::string authority;  // the lead authority or a participant (domain::TakesPart); "" any
  std::string supplier;   // a case-insensitive substring of the supplier's name; "" any
  std::string status;     // the status on the day (domain::StatusOn); "" any
};

}  // namespace contrack::cli

// JSON in and out through protobuf's JSON mapping, with the .proto field names.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <string>
#include <string_view>

#include "domain/error.h"

namespace contrack {

// Parses `json` into `out`. Unknown fields and wrong types are refused with invalid_argument and
// protobuf's message, which names the field. `what` prefixes the message ("line 3", "body").
[[nodiscard]] Result<void> ParseJsonInto(std::string_view json, google::protobuf::Message* out,
                                         std::string_view what);

template <typename M>
[[nodiscard]] Result<M> ParseJson(std::string_view json, std::string_view what) {
  M m;
  auto r = ParseJsonInto(json, &m, what);
  if (!r) return std::unexpected(r.error());
  return m;
}

// Compact (one line) or pretty JSON with the .proto field names; default values omitted.
std::string ToJson(const google::protobuf::Message& m, bool pretty = false);

}  // namespace contrack

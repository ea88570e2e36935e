// The authorities file: each authority's thresholds (docs/rules.md, Thresholds per authority).
#include <google/protobuf/util/json_util.h>

#include "domain/lifecycle.h"

namespace contrack::domain {

Result<void> LoadAuthorities(std::string_view json, Rules* rules) {
  v1::AuthoritiesFile file;
  google::protobuf::util::JsonParseOptions opts;  // unknown fields refused: a typo is an error
  const auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &file, opts);
  if (!st.ok()) {
    return Fail(kInvalidArgument, "authorities file: " + std::string(st.message()));
  }
  for (int i = 0; i < file.authorities_size(); ++i) {
    const auto& a = file.authorities(i);
    const std::string where = "authorities[" + std::to_string(i) + "]";
    if (a.name().empty()) return Fail(kInvalidArgument, where + ".name is required");
    if (rules->authorities.contains(a.name())) {
      return Fail(kInvalidArgument, where + ".name " + a.name() + " is listed twice");
    }
    Thresholds t{rules->key_decision_threshold_pence, rules->call_in_threshold_pence};
    if (a.has_key_decision_threshold_pence())
      t.key_decision_pence = a.key_decision_threshold_pence();
    if (a.has_call_in_threshold_pence()) t.call_in_pence = a.call_in_threshold_pence();
    if (t.key_decision_pence < 0 || t.call_in_pence < 0) {
      return Fail(kInvalidArgument, where + " (" + a.name() + ") has a negative threshold");
    }
    rules->authorities.emplace(a.name(), t);
  }
  return {};
}

}  // namespace contrack::domain

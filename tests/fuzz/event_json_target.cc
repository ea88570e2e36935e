// Fuzz target: event JSON decoding, ValidateBody and NormalizeBody.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "domain/codec.h"
#include "domain/dates.h"
#include "domain/validate.h"
#include "proto/contrack.pb.h"
#include "tests/fuzz/targets.h"

namespace contrack::fuzz {
namespace {

[[noreturn]] void Broken(const std::string& what, const google::protobuf::Message& m) {
  std::fprintf(stderr, "event_json invariant broken: %s\nbody: %s\n", what.c_str(),
               m.ShortDebugString().c_str());
  std::abort();
}

std::string Bytes(const google::protobuf::Message& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

void CheckBody(const v1::EventBody& body) {
  (void)EventType(body);
  if (!body.contract_id().empty()) (void)ValidateContractId(body.contract_id());
  auto valid = ValidateBody(body);
  if (!valid) {
    if (valid.error().code != kInvalidArgument || valid.error().message.empty()) {
      Broken(
          "a refused body must be invalid_argument with a message, got " + valid.error().ToString(),
          body);
    }
    return;
  }
  const Date day = *ParseDate("2020-01-01", "day");
  auto normal = NormalizeBody(body, "0000000a-0000-4000-8000-000000000001", day);
  if (!normal) Broken("NormalizeBody refused a valid body: " + normal.error().ToString(), body);
  if (normal->event_id().size() != 36 || normal->effective_date().size() != 10) {
    Broken("a normalised body lacks its event id or effective date", *normal);
  }
  if (!normal->contract_id().empty() || normal->has_expected_version() ||
      !normal->recorded_at().empty() || !normal->recorded_by().empty()) {
    Broken("a normalised body keeps a line-level field", *normal);
  }
  if (auto again = ValidateBody(*normal); !again) {
    Broken("a normalised body is no longer valid: " + again.error().ToString(), *normal);
  }
  const std::string bytes = Bytes(*normal);
  auto twice = NormalizeBody(*normal, "0000000b-0000-4000-8000-000000000002",
                             *ParseDate("2021-06-30", "day"));
  if (!twice || Bytes(*twice) != bytes) Broken("NormalizeBody is not idempotent", *normal);
  // What storage does: the binary encoding must parse back to the same body.
  v1::EventBody decoded;
  if (!decoded.ParseFromString(bytes) || Bytes(decoded) != bytes) {
    Broken("the stored (binary) body does not decode to itself", *normal);
  }
  // What export and the API do: JSON out, JSON back in.
  const std::string json = ToJson(*normal);
  auto back = ParseJson<v1::EventBody>(json, "round trip");
  if (!back) Broken("the body's own JSON does not parse: " + back.error().ToString(), *normal);
  if (Bytes(*back) != bytes) Broken("the JSON round trip changes the body", *normal);
}

}  // namespace

void EventJson(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto req = ParseJson<v1::AppendRequest>(text, "body")) {
    for (const auto& e : req->events()) CheckBody(e);
  } else if (req.error().code != kInvalidArgument) {
    std::fprintf(stderr, "a parse failure must be invalid_argument: %s\n",
                 req.error().ToString().c_str());
    std::abort();
  }
  if (auto body = ParseJson<v1::EventBody>(text, "line")) CheckBody(*body);
}

}  // namespace contrack::fuzz

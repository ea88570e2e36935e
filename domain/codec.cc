// protobuf JSON mapping with contrack's conventions.
#include "domain/codec.h"

namespace contrack {

Result<void> ParseJsonInto(std::string_view json, google::protobuf::Message* out,
                           std::string_view what) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // unknown fields are an error (SPEC, Events)
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), out, options);
  if (!status.ok()) {
    return Fail(kInvalidArgument, std::string(what) + ": " + std::string(status.message()));
  }
  return {};
}

std::string ToJson(const google::protobuf::Message& m, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = pretty;
  std::string out;
  // Cannot fail for a well-formed message of a generated type.
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

}  // namespace contrack

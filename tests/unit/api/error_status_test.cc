// Every error code's wire name and HTTP status, as docs/api.md documents them.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "domain/codec.h"
#include "domain/error.h"
#include "domain/lifecycle.h"
#include "proto/contrack.pb.h"
#include "services/api/api.h"

namespace contrack::api {
namespace {

// The documented name and status of each code. No default: a new code does not compile here
// until its documented status is written down.
std::pair<std::string, unsigned> Documented(ErrorCode c) {
  switch (c) {
    case ErrorCode::kInvalidArgument:
      return {"invalid_argument", 400};
    case ErrorCode::kUnauthorized:
      return {"unauthorized", 401};
    case ErrorCode::kForbidden:
      return {"forbidden", 403};
    case ErrorCode::kNotFound:
      return {"not_found", 404};
    case ErrorCode::kMethodNotAllowed:
      return {"method_not_allowed", 405};
    case ErrorCode::kVersionConflict:
      return {"version_conflict", 409};
    case ErrorCode::kEventIdConflict:
      return {"event_id_conflict", 409};
    case ErrorCode::kPayloadTooLarge:
      return {"payload_too_large", 413};
    case ErrorCode::kRuleRefused:
      return {"rule_refused", 422};
    case ErrorCode::kRecordedAtBeforeHead:
      return {"recorded_at_before_head", 422};
    case ErrorCode::kTooManyRequests:
      return {"too_many_requests", 429};
    case ErrorCode::kCorruption:
      return {"corruption", 500};
    case ErrorCode::kInternal:
      return {"internal", 500};
    case ErrorCode::kNotImplemented:
      return {"not_implemented", 501};
    case ErrorCode::kIoError:
      return {"io_error", 503};
    case ErrorCode::kReadOnly:
      return {"read_only", 503};
    case ErrorCode::kUnavailable:
      return {"unavailable", 503};
    case ErrorCode::kStorageFull:
      return {"storage_full", 507};
  }
  return {"", 0};
}

TEST(ErrorStatusTest, EveryCodeHasItsDocumentedNameAndStatus) {
  // kAllErrorCodes lists each enumerator once, in order (kInternal is the last).
  ASSERT_EQ(std::size(kAllErrorCodes), static_cast<size_t>(ErrorCode::kInternal) + 1);
  std::set<std::string> names;
  for (size_t i = 0; i < std::size(kAllErrorCodes); ++i) {
    const ErrorCode c = kAllErrorCodes[i];
    EXPECT_EQ(static_cast<size_t>(c), i);
    const auto [name, status] = Documented(c);
    EXPECT_EQ(ErrorCodeName(c), name);
    EXPECT_EQ(HttpStatusFor(c), status) << name;
    EXPECT_EQ(ErrorCodeFromName(name), c) << name;
    EXPECT_TRUE(names.insert(name).second) << name << " names two codes";
    if (c == ErrorCode::kRuleRefused) continue;
    // The JSON error shape carries the name, with the status from the one mapping.
    const Response r = ErrorResponse({c, "because", std::nullopt});
    EXPECT_EQ(r.status, status) << name;
    auto body = ParseJson<v1::ErrorResponse>(r.body, "error");
    ASSERT_TRUE(body.has_value()) << r.body;
    EXPECT_EQ(body->error().code(), name);
    EXPECT_EQ(body->error().message(), "because");
  }
}

TEST(ErrorStatusTest, ARuleRefusalIsNamedByItsRuleAndAnswered422) {
  auto e = domain::Fail(domain::kNoExtensionOption, "no option left").error();
  EXPECT_EQ(e.code, ErrorCode::kRuleRefused);
  EXPECT_EQ(e.rule, "no_extension_option");
  EXPECT_EQ(e.name(), "no_extension_option");
  EXPECT_EQ(e.ToString(), "no_extension_option: no option left");
  const Response r = ErrorResponse(e);
  EXPECT_EQ(r.status, 422u);
  auto body = ParseJson<v1::ErrorResponse>(r.body, "error");
  ASSERT_TRUE(body.has_value()) << r.body;
  EXPECT_EQ(body->error().code(), "no_extension_option");
  // A rule's name is no code's name.
  EXPECT_FALSE(ErrorCodeFromName(domain::kNoExtensionOption).has_value());
}

TEST(ErrorStatusTest, AVersionConflictCarriesTheCurrentVersion) {
  const Response r = ErrorResponse({kVersionConflict, "stale", 7});
  EXPECT_EQ(r.status, 409u);
  auto body = ParseJson<v1::ErrorResponse>(r.body, "error");
  ASSERT_TRUE(body.has_value()) << r.body;
  EXPECT_EQ(body->error().code(), "version_conflict");
  EXPECT_EQ(body->error().current_version(), 7u);
}

}  // namespace
}  // namespace contrack::api

// Test helpers that need no storage.
#include "tests/support/domain_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "domain/codec.h"
#include "domain/validate.h"

namespace contrack::testing {

TempDir::TempDir() {
  const auto base = std::filesystem::path(CONTRACK_BINARY_DIR) / "test-tmp";
  std::filesystem::create_directories(base);
  std::random_device rd;
  for (;;) {
    path_ = base / ("t" + std::to_string(rd()) + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

v1::EventBody Body(const std::string& json) {
  auto b = ParseJson<v1::EventBody>(json, "test body");
  EXPECT_TRUE(b.has_value()) << (b ? "" : b.error().ToString());
  return b.value_or(v1::EventBody{});
}

v1::EventRecord Record(const std::string& contract_id, uint64_t version, const std::string& json) {
  const auto raw = Body(json);
  EXPECT_TRUE(ValidateBody(raw).has_value()) << ValidateBody(raw).error().ToString();
  char id[40];
  std::snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012llu",
                static_cast<unsigned long long>(version));
  auto body = NormalizeBody(raw, id, *ParseDate("2020-01-01", "d"));
  EXPECT_TRUE(body.has_value());
  v1::EventRecord r;
  r.set_sequence(version);
  r.set_contract_id(contract_id);
  r.set_version(version);
  r.set_event_id(body->event_id());
  r.set_type(EventType(*body));
  r.set_effective_date(body->effective_date());
  *r.mutable_body() = *body;
  return r;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

}  // namespace contrack::testing

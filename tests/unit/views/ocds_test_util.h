// Helpers shared by the OCDS tests (tests/unit/views/ocds*_test.cc): contracts loaded into a real
// event log, their packages, and the vendored validator tests/ocds/validate_ocds.py.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "services/views/ocds.h"
#include "tests/support/test_support.h"

namespace contrack::views {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// tests/ocds/: the vendored OCDS 1.1.5 schemas and codelists, the UK extension and the validator.
inline fs::path OcdsDir() { return fs::path(CONTRACK_SOURCE_DIR) / "tests" / "ocds"; }

struct Contract {
  v1::ContractState state;
  std::vector<v1::EventRecord> events;
};

// Imports JSON lines into a fresh log in `dir` and reads back one contract.
inline Contract Load(const TempDir& dir, const std::string& jsonl, const std::string& id) {
  auto log = testing::OpenLog(dir.str());
  EXPECT_NE(log, nullptr);
  if (log == nullptr) return {};
  auto stats = testing::ImportLines(*log, jsonl);
  EXPECT_TRUE(stats.has_value()) << stats.error().ToString();
  Contract c;
  auto state = log->GetState(id);
  EXPECT_TRUE(state.has_value()) << state.error().ToString();
  if (state) c.state = *state;
  auto events = log->ReadContract(id);
  EXPECT_TRUE(events.has_value());
  if (events) {
    for (const auto& e : *events) c.events.push_back(e.record);
  }
  return c;
}

// One import line: `body` (an event body's JSON object) with contract_id and recorded_at.
inline std::string Line(const std::string& id, const std::string& recorded_at,
                        const std::string& body) {
  return R"({"contract_id":")" + id + R"(","recorded_at":")" + recorded_at + R"(",)" +
         body.substr(1) + "\n";
}

inline json Package(const Contract& c, bool record, const OcdsOptions& options = {}) {
  auto text = record ? RecordPackage(c.state, c.events, options)
                     : ReleasePackage(c.state, c.events, options);
  EXPECT_TRUE(text.has_value()) << text.error().ToString();
  return text ? json::parse(*text) : json();
}

inline std::vector<std::string> Tags(const json& release) {
  return release.at("tag").get<std::vector<std::string>>();
}

// Runs tests/ocds/validate_ocds.py on `files`; returns "" when every file is valid, else its
// output.
inline std::string ValidateWithPython(const std::vector<fs::path>& files, const TempDir& dir) {
  const fs::path out = dir.path() / "validate.out";
  std::string cmd = "/usr/bin/python3 '" + std::string(CONTRACK_SOURCE_DIR) +
                    "/tests/ocds/validate_ocds.py' --schema-dir '" + OcdsDir().string() + "'";
  for (const auto& f : files) cmd += " '" + f.string() + "'";
  cmd += " > '" + out.string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  const std::string text = ReadFile(out);
  return status == 0 ? "" : "exit status " + std::to_string(status) + ":\n" + text;
}

}  // namespace contrack::views

// Test helpers.
#include "tests/support/test_support.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "services/lifecycle/codec.h"
#include "services/lifecycle/validate.h"
#include "storage/format.h"
#include "storage/log_impl.h"

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

std::unique_ptr<storage::EventLog> OpenLog(const std::string& dir) {
  storage::Options o;
  o.path = dir;
  auto log = storage::EventLog::Open(o);
  EXPECT_TRUE(log.has_value()) << (log ? "" : log.error().ToString());
  return log ? std::move(*log) : nullptr;
}

Result<v1::AppendResponse> AppendJson(storage::EventLog& log, const std::string& contract_id,
                                      const std::string& json, std::optional<uint64_t> expected) {
  storage::AppendRequest req;
  req.contract_id = contract_id;
  req.expected_version = expected;
  req.principal = Principal::Operator("test");
  req.events.push_back(Body(json));
  return log.Append(req);
}

std::vector<std::pair<std::string, std::string>> DumpCf(const storage::EventLog& log,
                                                        std::string_view cf) {
  std::vector<std::pair<std::string, std::string>> out;
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // every key, also in a column family read by prefix (streams)
  std::unique_ptr<rocksdb::Iterator> it(
      storage::LogInternals::Db(log)->NewIterator(ro, storage::LogInternals::Cf(log, cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  EXPECT_TRUE(it->status().ok());
  return out;
}

std::vector<std::pair<std::string, std::string>> AllStates(const storage::EventLog& log) {
  std::vector<std::pair<std::string, std::string>> out;
  auto states = log.ListContracts("", SIZE_MAX);
  EXPECT_TRUE(states.has_value()) << states.error().ToString();
  if (!states) return out;
  for (const auto& s : *states) out.emplace_back(s.contract_id(), s.SerializeAsString());
  return out;
}

size_t TrailingStates(const storage::EventLog& log) {
  size_t n = 0;
  for (const auto& [id, bytes] : DumpCf(log, storage::format::kStateCf)) {
    v1::ContractState stored;
    EXPECT_TRUE(stored.ParseFromString(bytes)) << id;
    auto current = log.GetState(id);
    EXPECT_TRUE(current.has_value()) << id;
    if (current && stored.version() < current->version()) ++n;
  }
  return n;
}

namespace {
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}
}  // namespace

CommandResult RunContrack(const std::vector<std::string>& args, const std::string& stdin_text) {
  TempDir io;
  const auto out_path = io.path() / "out", err_path = io.path() / "err", in_path = io.path() / "in";
  WriteFile(in_path, stdin_text);
  std::string cmd = Quote(std::string(CONTRACK_BINARY_DIR) + "/contrack");
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += " <" + Quote(in_path.string()) + " >" + Quote(out_path.string()) + " 2>" +
         Quote(err_path.string());
  const int raw = std::system(cmd.c_str());
  CommandResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
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

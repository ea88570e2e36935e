// Test helpers.
#include "tests/support/test_support.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "domain/codec.h"
#include "domain/validate.h"
#include "storage/format.h"
#include "storage/log_impl.h"

namespace contrack::testing {

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

Result<uint64_t> ImportLines(storage::EventLog& log, std::string_view jsonl) {
  uint64_t appended = 0, line_no = 0;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    size_t nl = jsonl.find('\n', pos);
    if (nl == std::string_view::npos) nl = jsonl.size();
    const std::string_view line = jsonl.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto fail = [&](const Error& e) {
      return Fail(e.code, "line " + std::to_string(line_no) + ": " + e.message);
    };
    auto body = ParseJson<v1::EventBody>(line, "line");
    if (!body) return fail(body.error());
    storage::AppendRequest req;
    req.contract_id = body->contract_id();
    req.principal = Principal::Operator(body->recorded_by().empty() ? "test" : body->recorded_by());
    if (body->has_expected_version()) req.expected_version = body->expected_version();
    if (!body->recorded_at().empty()) {
      auto at = ParseRfc3339(body->recorded_at(), "recorded_at");
      if (!at) return fail(at.error());
      req.recorded_at = *at;
    }
    req.events.push_back(std::move(*body));
    auto r = log.Append(req);
    if (!r) return fail(r.error());
    if (!r->replayed()) appended += static_cast<uint64_t>(r->events_size());
  }
  return appended;
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

std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
        EXPECT_TRUE(i + 1 == text.size() || text[i + 1] == ',' || text[i + 1] == '\r' ||
                    text[i + 1] == '\n')
            << "text after a closing quote at byte " << i;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      EXPECT_FALSE(field_started) << "a quote inside an unquoted field at byte " << i;
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;  // the LF ends the row
    } else if (c == '\n') {
      row.push_back(std::move(field));
      rows.push_back(std::move(row));
      field.clear();
      row.clear();
      field_started = false;
    } else {
      field += c;
      field_started = true;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted field";
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
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

}  // namespace contrack::testing

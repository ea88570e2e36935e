// Test helpers for storage and above: stores in temporary directories, appends, column family
// dumps, running the built binaries. The storage-free helpers are in domain_support.h.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "proto/contrack.pb.h"
#include "storage/event_log.h"
#include "tests/support/domain_support.h"

namespace contrack::testing {

std::unique_ptr<storage::EventLog> OpenLog(const std::string& dir);

// Appends one event body (JSON) to `contract_id`.
Result<v1::AppendResponse> AppendJson(storage::EventLog& log, const std::string& contract_id,
                                      const std::string& json,
                                      std::optional<uint64_t> expected = std::nullopt);

// Appends JSON lines as the CLI's import does with --keep-record-times (an EventBody with
// contract_id, expected_version, recorded_at, recorded_by), one append per line, as an operator
// principal named by each line's recorded_by (default "test"). Returns the events appended, or
// the first refusal with its line number in the message.
Result<uint64_t> ImportLines(storage::EventLog& log, std::string_view jsonl);

// Every key and value of one column family, in order.
std::vector<std::pair<std::string, std::string>> DumpCf(const storage::EventLog& log,
                                                        std::string_view cf);

// Every contract's current state (ListContracts: the `state` view completed from its events),
// serialized, in id order.
std::vector<std::pair<std::string, std::string>> AllStates(const storage::EventLog& log);

// How many contracts' stored `state` is older than their current state (see
// storage::Options::state_every).
size_t TrailingStates(const storage::EventLog& log);

struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
};

// Parses RFC 4180 CSV (quoted fields with doubled quotes, CRLF or LF row ends) into rows of
// fields; fails the test on a malformed quote.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text);

// Runs the built `contrack` binary with `args` (shell-quoted here), capturing output.
CommandResult RunContrack(const std::vector<std::string>& args, const std::string& stdin_text = "");

}  // namespace contrack::testing

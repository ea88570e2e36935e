// The CLI's offline commands on a data directory (the service stopped): import, export, show,
// history, verify, rebuild, demo. Each writes its output to `out` and errors to `err` and returns
// the process exit status (0 ok, 1 refused or failed).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "services/views/ocds.h"
#include "storage/event_log.h"
#include "tools/cli/options.h"

namespace contrack::cli {

extern const std::string_view kDemoJsonl;  // demo/demo.jsonl, embedded at build time

struct ImportStats {
  uint64_t lines = 0;           // event lines read (blank lines skipped)
  uint64_t appended = 0;        // events newly appended
  uint64_t replayed = 0;        // events already stored (idempotent re-import)
  uint64_t times_replaced = 0;  // lines whose recorded_at or recorded_by the log replaced
};

struct ImportOptions {
  // Who appends: authorised by the log like any writer, and recorded as recorded_by.
  Principal as = Principal::Operator("offline-operator");
  // Keep each line's recorded_at and recorded_by (a migration into an empty store). Refused
  // (recorded_at_before_head) where a kept time is earlier than the log head's. Without it the
  // log assigns the record time and the line's recorded_at and recorded_by are ignored.
  bool keep_record_times = false;
};

// Appends JSON lines (an EventBody with contract_id, optional expected_version, recorded_at and
// recorded_by) one append per line. Stops at the first refused line and sets *failed_line to its
// number (1-based, blank lines counted). Lines before it stay committed.
[[nodiscard]] Result<ImportStats> ImportJsonLines(storage::EventLog& log, std::string_view text,
                                                  const ImportOptions& options,
                                                  uint64_t* failed_line);

// Writes the log after sequence `after` as JSON lines that ImportJsonLines accepts.
[[nodiscard]] Result<uint64_t> ExportJsonLines(const storage::EventLog& log, uint64_t after,
                                               std::ostream& out);

int CmdImport(storage::EventLog& log, const std::string& file, const ImportOptions& options,
              std::ostream& out, std::ostream& err);
int CmdDemo(storage::EventLog& log, std::ostream& out, std::ostream& err);
int CmdExport(const storage::EventLog& log, uint64_t after, std::ostream& out, std::ostream& err);
// The state now, or as_of / known_at (bitemporal) when given.
int CmdShow(const storage::EventLog& log, const std::string& id, std::optional<Date> as_of,
            std::optional<Micros> known_at, bool json, std::ostream& out, std::ostream& err);
// The alerts of `q` (storage::EventLog::Alerts): one table, or one section per calendar month
// when q.months is set; or JSON or CSV.
int CmdAlerts(const storage::EventLog& log, const storage::AlertsQuery& q, Output output,
              std::ostream& out, std::ostream& err);
// The contract register CSV (all authorities, or one), as of a date when given.
int CmdRegister(const storage::EventLog& log, const std::string& authority,
                std::optional<Date> as_of, std::ostream& out, std::ostream& err);
// The contract's OCDS release package, or its record package when `record`.
int CmdOcds(const storage::EventLog& log, const std::string& id, bool record,
            const views::OcdsOptions& options, std::ostream& out, std::ostream& err);
int CmdBackup(const storage::EventLog& log, const std::string& dir, std::ostream& out,
              std::ostream& err);
int CmdRestore(const std::string& backup_dir, const std::string& data_dir, std::ostream& out,
               std::ostream& err);
int CmdFunding(const storage::EventLog& log, const std::string& authority,
               std::optional<Date> as_of, Output output, std::ostream& out, std::ostream& err);
int CmdHistory(const storage::EventLog& log, const std::string& id, Output output,
               std::ostream& out, std::ostream& err);
// The contracts that match `filter`, as of a date and as known at a time when given (their status
// is the one on that date, or today), as GET /v1/contracts answers them.
int CmdList(const storage::EventLog& log, const ListFilter& filter, std::optional<Date> as_of,
            std::optional<Micros> known_at, bool json, std::ostream& out, std::ostream& err);
int CmdVerify(const storage::EventLog& log, const std::string& digest, bool views, bool json,
              std::ostream& out, std::ostream& err);
int CmdRebuild(storage::EventLog& log, std::ostream& out, std::ostream& err);
// Appends `request` to contract `id` as principal `as` (storage::EventLog::Append, as import
// does), then prints what was recorded and the contract's state after it, or with `json` the
// AppendResponse. A refusal prints "contrack: refused (CODE): MESSAGE" to `err` and returns 1.
int CmdRecord(storage::EventLog& log, const std::string& id, const v1::AppendRequest& request,
              const Principal& as, bool json, std::ostream& out, std::ostream& err);

}  // namespace contrack::cli

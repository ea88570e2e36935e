// The durable, hash-chained event log and the views derived from it, in one RocksDB database.
//
// An EventLog is safe for concurrent use from multiple threads without external synchronisation.
// Appends are group-committed: concurrent callers queue, a prepare thread chains them into the
// open group's WriteBatch, and a write thread writes each group, synced, as soon as the previous
// one is durable; each caller returns (or, with AppendAsync, is called back) only after the write
// carrying its events is durable. A caller that finds nothing queued or in flight prepares and
// writes its own append. Views are written in the same batch as the events they derive from.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/dates.h"
#include "domain/error.h"
#include "domain/principal.h"
#include "proto/contrack.pb.h"
#include "storage/options.h"

namespace contrack::storage {

class LogImpl;

struct AppendRequest {
  std::string contract_id;
  std::optional<uint64_t> expected_version;  // 0: the contract must not exist; absent: any
  std::vector<v1::EventBody> events;         // appended all-or-nothing, in order
  // Who appends: recorded as recorded_by, and authorised by the write path against the
  // contract's authority (lifecycle/principal.h). A default Principal may write nothing.
  Principal principal;
  // Default: now, never earlier than the log head's. An import keeping its record times gives
  // them; one earlier than the head's is refused (recorded_at_before_head).
  std::optional<Micros> recorded_at;
};

// One stored event with its hash.
struct LoggedEvent {
  v1::EventRecord record;
  std::string hash;  // hex
};

struct Head {
  uint64_t sequence = 0;  // 0 for an empty log
  std::string hash;       // hex; 64 zeros for an empty log
};

struct VerifyReport {
  bool ok = true;
  uint64_t events_checked = 0;
  Head head;
  std::optional<uint64_t> first_bad_sequence;
  std::string message;
  std::optional<bool> digest_ok;  // set when a digest was given
  std::string digest_message;
  // Set when the views were checked: every contract replayed from its events equals the state
  // the views answer (completed), and the alerts index holds exactly the replayed entries.
  std::optional<bool> views_ok;
  uint64_t contracts_checked = 0;
  std::string first_bad_contract;  // the first contract (in id order) whose views differ
  std::string views_message;
};

// An alerts query (docs/queries.md, Alerts).
struct AlertsQuery {
  Date as_of;
  int within_days = 90;            // 0..3650: deadlines up to as_of + within_days
  int months = 0;                  // 1..120 instead: up to the end of the months-th calendar month
                                   // (as_of's month is the first); 0: within_days
  std::string authority;           // non-empty: contracts it leads or takes part in
  std::optional<Micros> known_at;  // only what was recorded by then
  std::optional<Date> today;       // the current day; default domain::TodayInEngland()
};

struct AlertsResult {
  std::vector<v1::Alert> alerts;  // ordered by deadline, then contract id
  int within_days = 0;            // the window in days (months turned into days)
  uint64_t index_entries_read = 0;
  uint64_t states_read = 0;  // contracts replayed (as_of before today, or known_at)
};

// Counters for metrics and benchmarks.
struct Stats {
  uint64_t appends = 0;        // append calls that committed events
  uint64_t events = 0;         // events committed
  uint64_t synced_writes = 0;  // synced WriteBatches
};

// Memory held by the store's caches and buffers, each bounded by an Options field.
struct MemoryUsage {
  uint64_t memtable_bytes = 0;       // all column families' memtables (write_buffer_bytes)
  uint64_t block_cache_bytes = 0;    // data, index and filter blocks (block_cache_bytes)
  uint64_t state_cache_entries = 0;  // the write path's decoded states (state_cache_entries)
};

// Copies the backup at `backup_dir` into `data_dir` (which must not exist or be empty), opens it
// and verifies the chain. Returns the verified head; on failure removes what it copied.
[[nodiscard]] Result<Head> Restore(const std::string& backup_dir, const std::string& data_dir);

// Parses a digest "SEQUENCE:HASH" (as verify reports the head) for Verify.
[[nodiscard]] Result<Head> ParseDigest(const std::string& text);

class EventLog {
 public:
  // Opens (creating when missing) the store at options.path. Fails with io_error when the
  // directory is locked by another process or unreadable, corruption when its format is unknown.
  [[nodiscard]] static Result<std::unique_ptr<EventLog>> Open(const Options& options);

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  ~EventLog();

  // Appends req.events to one contract, all or nothing, and returns their versions, sequences
  // and hashes once durable. Errors: invalid_argument (malformed input, nothing written),
  // forbidden (the principal may not write this contract: decided against the authority fixed
  // by the contract's first event, in the same step that drafts the append),
  // version_conflict (with current_version), event_id_conflict (an id stored for another contract
  // or with another body), recorded_at_before_head, a lifecycle rule code, io_error
  // or storage_full (the store then refuses writes until reopened). When every event id of the
  // request is already stored for this contract, returns the original result with replayed set.
  [[nodiscard]] Result<v1::AppendResponse> Append(const AppendRequest& req);

  // Append without waiting: returns at once, and `done` gets what Append would have returned once
  // the append is durable or refused. `done` runs on the log's write thread (or in this call, when
  // the request's shape is refused), one append after another: it must be quick, so hand the
  // result to another thread (post it to an executor) rather than work or block in it.
  // REQUIRES: not called while the log is being destroyed.
  using AppendCallback = std::function<void(Result<v1::AppendResponse>)>;
  void AppendAsync(AppendRequest req, AppendCallback done);

  // The current state view of a contract, or not_found.
  [[nodiscard]] Result<v1::ContractState> GetState(const std::string& contract_id) const;

  // The state replayed from the contract's own events: those recorded at or before `known_at`
  // and, of those, effective on or before `as_of` (see domain::EventsAsOf). not_found when no
  // event qualifies. With neither bound, equals GetState.
  [[nodiscard]] Result<v1::ContractState> GetStateAt(const std::string& contract_id,
                                                     std::optional<Date> as_of,
                                                     std::optional<Micros> known_at) const;

  // The alerts of `q` (domain/alerts.h, docs/queries.md). With as_of today or later and no
  // known_at, from the alerts index over the current states: reads only the entries it lists
  // (plus at most two per kind and lead time). Otherwise from each contract's state as it stood
  // on as_of, as known at known_at: every contract's events are read and replayed
  // (domain::EventsAsOf; states_read counts them). Errors: invalid_argument (window out of
  // range), corruption, io_error, a rule a contract's stream as of then breaks.
  [[nodiscard]] Result<AlertsResult> Alerts(const AlertsQuery& q) const;

  // A contract's events with version > after_version, oldest first, at most `limit`.
  [[nodiscard]] Result<std::vector<LoggedEvent>> ReadContract(const std::string& contract_id,
                                                              uint64_t after_version = 0,
                                                              size_t limit = SIZE_MAX) const;

  // The global log after sequence `after`, at most `limit` events.
  [[nodiscard]] Result<std::vector<LoggedEvent>> ReadLog(uint64_t after, size_t limit) const;

  // Contract states in id order, starting after `after_id`, at most `limit`.
  [[nodiscard]] Result<std::vector<v1::ContractState>> ListContracts(const std::string& after_id,
                                                                     size_t limit) const;

  // Like ListContracts, but each state as GetStateAt gives it; contracts with no qualifying event
  // are left out. Reads each listed contract's events when a bound is given.
  [[nodiscard]] Result<std::vector<v1::ContractState>> ListContractsAt(
      const std::string& after_id, size_t limit, std::optional<Date> as_of,
      std::optional<Micros> known_at) const;

  Head GetHead() const;
  // The database directory (Options::path).
  const std::string& path() const;
  Stats GetStats() const;
  MemoryUsage GetMemory() const;
  // The error that stopped writes (a failed synced write), if any.
  std::optional<Error> WriteError() const;

  // Recomputes the chain from the first event: gapless sequence, prev_hash links, hashes. With a
  // digest (a sequence and the hash the log had there), also reports whether the log still
  // holds that prefix.
  // With `views`, also replays every contract from the log and compares it with what the views
  // answer (VerifyReport::views_ok); Rebuild repairs views that differ. Reads the whole store.
  [[nodiscard]] Result<VerifyReport> Verify(std::optional<Head> digest = std::nullopt,
                                            bool views = false) const;

  // Writes a consistent, openable copy of the store to `dir` (a RocksDB checkpoint: hard links
  // where possible) while appends go on, and returns the head it holds. `dir` must be absolute
  // and must not exist. Errors: invalid_argument, io_error, storage_full.
  [[nodiscard]] Result<Head> Backup(const std::string& dir) const;

  // Drops every view and index and recreates them from the log.
  // REQUIRES: no concurrent Append.
  [[nodiscard]] Result<void> Rebuild();

 private:
  friend class LogInternals;
  explicit EventLog(std::unique_ptr<LogImpl> impl);
  std::unique_ptr<LogImpl> impl_;  // storage/log_impl.h
};

}  // namespace contrack::storage

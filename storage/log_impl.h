// The event log's machinery behind storage/event_log.h: the group-commit queue and its threads, the
// write path's state cache and in-flight ids, the RocksDB handles. Internal to storage/ (and to
// tests and tools that inspect the layout through LogInternals); the public contract is
// EventLog. Its methods are defined by concern:
//   storage/db_open.cc      RocksDB options, column families, the format version, the head
//   storage/write_queue.cc  callers queue, the prepare and write threads, group commit, acks
//   storage/drafter.cc      one append: shape checks, authorisation, the lifecycle decision,
//                           the records, chain and views it adds to its group's batch
//   storage/state_view.cc   the state cache and the state view completed from its events
//   storage/queries.cc      reads: state (now and bitemporal), history, log, lists
//   storage/alerts_query.cc alerts: from the index, or from the states as they stood
//   storage/verify.cc       the chain recomputed; the views compared with a replay
//   storage/rebuild.cc      every view recreated from the log; the alerts index from states
//   storage/backup.cc       checkpoints and restore
// A LogImpl is safe for concurrent use as EventLog documents; the comments below say which
// thread owns what.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/alerts_index.h"
#include "storage/event_log.h"
#include "storage/format.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class Iterator;
class WriteBatch;
}  // namespace rocksdb

namespace spdlog {
class logger;
}

namespace contrack::storage {

// The column families, in format order (kCfNames).
inline constexpr size_t kEventsIdx = 1, kStreamsIdx = 2, kEventIdsIdx = 3, kStateIdx = 4,
                        kAlertsIdx = 5;
inline constexpr std::string_view kCfNames[] = {format::kDefaultCf, format::kEventsCf,
                                                format::kStreamsCf, format::kEventIdsCf,
                                                format::kStateCf,   format::kAlertsCf};

// The "storage" logger.
const std::shared_ptr<spdlog::logger>& Log();
// The one place a rocksdb::Status becomes an Error.
Error FromStatus(const rocksdb::Status& s, std::string_view what);
// Turns off RocksDB's per-thread perf counters for the calling thread (once).
void DisablePerfCounters();
// A new UUIDv7 event id for an event recorded at `recorded_at`.
std::string NewEventId(Micros recorded_at);
std::string Serialize(const google::protobuf::MessageLite& m);
// Decodes a stored `events` value; corruption when it does not parse.
Result<LoggedEvent> DecodeStored(uint64_t seq, const rocksdb::Slice& value);
// Whether an append retracts an earlier event: it then needs its contract's whole history.
bool HasCorrection(const AppendRequest& req);

class LogImpl {
 public:
  // The public operations, as EventLog documents them (storage/event_log.h).

  [[nodiscard]] Result<v1::AppendResponse> Append(const AppendRequest& req);

  using AppendCallback = std::function<void(Result<v1::AppendResponse>)>;
  void AppendAsync(AppendRequest req, AppendCallback done);

  [[nodiscard]] Result<v1::ContractState> GetState(const std::string& contract_id) const;

  [[nodiscard]] Result<v1::ContractState> GetStateAt(const std::string& contract_id,
                                                     std::optional<Date> as_of,
                                                     std::optional<Micros> known_at) const;

  [[nodiscard]] Result<AlertsResult> Alerts(const AlertsQuery& q) const;

  [[nodiscard]] Result<std::vector<LoggedEvent>> ReadContract(const std::string& contract_id,
                                                              uint64_t after_version = 0,
                                                              size_t limit = SIZE_MAX) const;

  [[nodiscard]] Result<std::vector<LoggedEvent>> ReadLog(uint64_t after, size_t limit) const;

  [[nodiscard]] Result<std::vector<v1::ContractState>> ListContracts(const std::string& after_id,
                                                                     size_t limit) const;

  [[nodiscard]] Result<std::vector<v1::ContractState>> ListContractsAt(
      const std::string& after_id, size_t limit, std::optional<Date> as_of,
      std::optional<Micros> known_at) const;

  Head GetHead() const;
  const std::string& path() const { return options_.path; }
  Stats GetStats() const;
  MemoryUsage GetMemory() const;
  std::optional<Error> WriteError() const;

  [[nodiscard]] Result<VerifyReport> Verify(std::optional<Head> digest = std::nullopt,
                                            bool views = false) const;

  [[nodiscard]] Result<Head> Backup(const std::string& dir) const;

  [[nodiscard]] Result<void> Rebuild();

  // ---- machinery (see the file comment for where each part is defined)

  struct Writer;
  struct Group;
  struct Draft;
  struct CachedState;
  using StatePtr = std::shared_ptr<const CachedState>;

  explicit LogImpl(const Options& options);
  LogImpl(const LogImpl&) = delete;
  LogImpl& operator=(const LogImpl&) = delete;
  ~LogImpl();
  // Opens the store and, unless read-only, starts the prepare and write threads.
  [[nodiscard]] static Result<std::unique_ptr<LogImpl>> Open(const Options& options);
  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(std::string_view name) const;
  // Append's checks that need no state; true when the request names event ids of its own.
  Result<bool> CheckShape(const AppendRequest& req) const;
  Result<void> OpenDb();
  // The caller's share of an append, done before it queues: normalise the bodies and apply them
  // to the newest state the write path knows. The prepare thread keeps the result when that state
  // is still the newest when it prepares the append.
  void MakeDraft(const AppendRequest& req, Draft* d) const;
  // Applies req's bodies to `base`; records get their sequence when `first_seq` is known.
  Result<void> Compute(const AppendRequest& req, const CachedState* base, Micros recorded_at,
                       std::optional<uint64_t> first_seq, Group* g, Draft* d) const;
  Result<v1::AppendResponse> Prepare(Writer& w, Group* g);
  // The newest state for the write path: the cache, or the store (then cached). Only the
  // preparing thread calls it.
  Result<StatePtr> StateForWrite(const std::string& id, uint64_t committed_seq);
  void CacheState(const std::string& id, StatePtr s, uint64_t committed_seq);
  StatePtr CachedStateOf(const std::string& id) const;
  // The contract's newest durable state: the `state` view's, completed from `streams`.
  // `stored_version`, when given, gets the version the view itself holds (0: none).
  Result<std::optional<v1::ContractState>> LoadState(const std::string& id,
                                                     uint64_t* stored_version = nullptr) const;
  // Folds the contract's events after s->version() into *s, read through `streams` (an
  // iterator over the `streams` column family, reused across calls in key order).
  Result<void> CompleteState(rocksdb::Iterator* streams, const std::string& id,
                             v1::ContractState* s) const;
  // The cached state of `id` when it is durable (and so the newest durable one), else null.
  StatePtr DurableCachedState(const std::string& id) const;
  Result<std::vector<v1::EventRecord>> LoadRecords(const std::string& id, const Group* g) const;
  Result<LoggedEvent> ReadEvent(uint64_t seq) const;
  // Verify's check of the views against a replay of the log's contracts `ids` (every contract
  // id the verified chain holds, in id order). REQUIRES: report->ok.
  Result<void> VerifyViews(const std::set<std::string>& ids, VerifyReport* report) const;
  // Drops the alerts index and fills it again from every contract's newest state (LoadState),
  // in synced batches. Rebuild and the format upgrade at open. REQUIRES: no concurrent Append.
  Result<void> RebuildAlertsIndex();
  // Fills the (empty) alerts index from every contract's newest state; `states_current`: the
  // `state` view holds every contract's newest state (after Rebuild), read without completing.
  Result<void> FillAlertsIndex(bool states_current);
  // The two ways Alerts answers (alerts_query.cc): from the index, over the current states; or
  // from each contract's events, replayed as of `effective_by` (nullopt: every effective date)
  // and known at q.known_at.
  Result<void> AlertsFromIndex(const AlertsQuery& q, const domain::AlertWindow& w,
                               AlertsResult* out) const;
  Result<void> AlertsFromStates(const AlertsQuery& q, std::optional<Date> effective_by,
                                const domain::AlertWindow& w, AlertsResult* out) const;
  // Waits until groups up to `ticket` are written (or writes have failed).
  void WaitWritten(uint64_t ticket) const;

  const Options options_;
  std::unique_ptr<rocksdb::Env> env_;  // the prefilled-log file system, when used; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // in format order; owned, freed in dtor

  // Appends go through two stages, each on its own thread, so neither waits for a thread to be
  // woken while there is work: callers queue (writers_) after drafting; the prepare thread takes
  // queued appends one by one into the open group (sequences, hashes, views into its
  // WriteBatch); the write thread, whenever it is free, takes the open group as it stands and
  // writes it, synced, then acknowledges its appends. A group therefore holds every append
  // prepared while the previous group was being written. A caller that finds both threads idle
  // and nothing queued prepares and writes its own append (inline_preparing_, inline_writing_).
  void PrepareLoop();
  void WriteLoop();
  // Prepares `x` into the open group. REQUIRES: open_mu_ held, on the preparing thread; for a
  // correction, every earlier group written and the open group either absent or one a
  // correction started (PrepareLoop arranges both).
  void PrepareOne(Writer* x, uint64_t committed_seq, const std::optional<Error>& bg);
  // Hands the open group to the write thread. REQUIRES: open_mu_ held (mu_ not held).
  void CloseOpenGroup();
  // Writes a prepared group, synced unless `err` (an earlier failure), and acknowledges its
  // appends. On the write thread, or inline.
  void CommitGroup(Group& g, std::optional<Error> err);
  // Releases the group's Append callers and calls its AppendAsync callbacks; their writers go
  // to acked_.
  void Acknowledge(Group& g);
  // Frees the writers of acknowledged AppendAsync calls. In AppendAsync's caller.
  void FreeAcknowledged();
  // A caller waits for its group's acknowledgement, then passes it on (Writer::relay).
  static void AwaitAck(Writer& w);
  static void Release(Writer* x);
  // Drops the in-flight event ids of groups up to `written_ticket`. On the preparing thread.
  void ForgetWrittenIds(uint64_t written_ticket);

  mutable std::mutex mu_;                      // lock order: open_mu_ before mu_
  std::deque<Writer*> writers_;                // guarded by mu_: drafted, waiting to be prepared
  std::deque<std::unique_ptr<Group>> closed_;  // guarded by mu_: prepared, in ticket order
  bool open_ready_ = false;             // guarded by mu_: the open group holds at least one append
  bool write_idle_ = false;             // guarded by mu_: the write thread waits for a group
  bool prepare_idle_ = false;           // guarded by mu_: the prepare thread waits for appends
  bool inline_preparing_ = false;       // guarded by mu_: a caller prepares its own append
  bool inline_writing_ = false;         // guarded by mu_: a caller writes its own group
  bool stop_ = false;                   // guarded by mu_: the destructor stops the threads
  bool prepare_done_ = false;           // guarded by mu_: the prepare thread has exited
  std::condition_variable prepare_cv_;  // wakes the prepare thread
  std::condition_variable write_cv_;    // wakes the write thread
  uint64_t written_ticket_ = 0;         // guarded by mu_: groups up to this one are written
  mutable std::condition_variable written_cv_;  // signalled when written_ticket_ moves
  std::optional<Error> bg_error_;               // guarded by mu_: a failed write stops all writes
  Head head_;                                   // guarded by mu_: the last durable event
  std::atomic<uint64_t> durable_seq_{0};        // head_.sequence, for readers that take no lock
  Stats stats_;                                 // guarded by mu_

  // The group being prepared; the write thread takes it between two appends.
  std::mutex open_mu_;
  std::unique_ptr<Group> open_;  // guarded by open_mu_
  // Owned by the prepare thread, or by an inline caller while it prepares (the prepare thread then
  // waits): the chain's end after the last prepared event, tickets, recorded times.
  Head prepared_head_;
  uint64_t next_ticket_ = 0;
  Micros last_recorded_at_ = 0;
  std::thread prepare_thread_, write_thread_;

  // The newest state of recently written contracts, including those of groups still being
  // written (so the next group builds on them). Written only by the preparing thread; an entry
  // is evicted only once its events are durable.
  mutable std::mutex cache_mu_;
  std::unordered_map<std::string, StatePtr> cache_;  // guarded by cache_mu_

  // Event ids of prepared groups not yet known to be written (the store has the rest), for
  // idempotency and id collisions. Only the preparing thread touches these.
  struct InflightId {
    v1::AppendedEvent event;
    std::string contract_id;
    uint64_t ticket = 0;
    v1::EventBody body;  // as stored, for a retry's comparison
    Micros recorded_at = 0;
  };
  std::unordered_map<std::string, InflightId> inflight_ids_;
  std::deque<std::pair<uint64_t, std::vector<std::string>>> inflight_by_ticket_;

  // AppendAsync writers whose callbacks have run, waiting for a caller to free them; freed by
  // the write thread itself when more than kMaxAcknowledgedKept wait (a few KiB each: the
  // request, its records and the state it replaced), so an idle log holds little.
  static constexpr size_t kMaxAcknowledgedKept = 256;
  std::mutex acked_mu_;
  std::vector<std::unique_ptr<Writer>> acked_;  // guarded by acked_mu_
};

// Access to the store's RocksDB handles for tests and tools that inspect the layout (see
// storage/format.h). Not for the service or the CLI.
class LogInternals {
 public:
  static rocksdb::DB* Db(const EventLog& log) { return log.impl_->db(); }
  static rocksdb::ColumnFamilyHandle* Cf(const EventLog& log, std::string_view name) {
    return log.impl_->cf(name);
  }
  static LogImpl& Impl(EventLog& log) { return *log.impl_; }
};

// The write path's newest state of a contract, with its alerts index rows.
struct LogImpl::CachedState {
  v1::ContractState state;
  AlertRows alerts;             // empty when the contract raises no alert
  uint64_t stored_version = 0;  // the version the `state` view holds (0: none yet)
};

// An append computed on one version of its contract: by the caller before it queues, or by the
// prepare thread when that version is no longer the newest (or the append holds a correction).
struct LogImpl::Draft {
  bool drafted = false;      // the fields below hold a computation
  bool leader_only = false;  // a correction, or the caller could not read the state: only the
                             // preparing thread computes it
  uint64_t base_version = 0;
  Micros recorded_at = 0;
  std::optional<Error> error;            // the rules refused the events on that version
  std::vector<v1::EventRecord> records;  // sequence and prev_hash set when prepared
  std::shared_ptr<CachedState> next;     // the state after the events
};

// An append in the write queue: its caller waits in Append, or AppendAsync left a callback.
struct LogImpl::Writer {
  const AppendRequest* req = nullptr;
  AppendRequest owned;  // AppendAsync: the request, owned here
  AppendCallback done;  // AppendAsync: called with the result, then dropped (acked_)
  bool has_client_ids = false;
  Draft draft;
  Result<v1::AppendResponse> result = Fail(kIoError, "not written");
  // Acknowledgement. Waking a group's callers one by one took half of the write thread's time
  // (futex wake-ups), so the acknowledging thread sets every writer's result, links the group's
  // writers into a binary tree (relay) and releases only the first; each released writer
  // releases its two relays before it returns. Released under ack_mu, so a writer cannot return
  // (and free these) while the thread releasing it still touches them.
  std::mutex ack_mu;
  std::condition_variable ack_cv;
  bool released = false;                  // guarded by ack_mu
  Writer* relay[2] = {nullptr, nullptr};  // set before this writer is released
  // The contract's state this append replaced: freed with the Writer, in the caller's thread,
  // not by the prepare thread (destroying a ContractState was 3% of its serial work).
  StatePtr retired;
};

// One group commit: prepared on the prepare thread, then written and acknowledged on the write
// thread.
struct LogImpl::Group {
  uint64_t ticket = 0;         // groups are written in ticket order
  uint64_t committed_seq = 0;  // the durable head when the latest append was prepared
  uint64_t next_seq = 0;       // the chain's end after the appends prepared so far
  std::string head_hash;
  bool keep_pending = false;  // a correction in the group reads the group's earlier records
  std::unordered_map<std::string, std::vector<v1::EventRecord>> pending;  // by contract
  rocksdb::WriteBatch batch;
  std::vector<Writer*> writers;
  size_t bytes = 0;                  // the appends' payload
  uint64_t appends = 0, events = 0;  // committed by this group
};

}  // namespace contrack::storage

// Event log: group commit, hash chain, views in the same batch, verify and rebuild.
#include "storage/event_log.h"

#include <google/protobuf/util/message_differencer.h>
#include <openssl/evp.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "services/lifecycle/validate.h"
#include "storage/format.h"
#include "storage/wal_file.h"

namespace contrack::storage {
namespace {

namespace fmt_ = format;

constexpr size_t kEventsIdx = 1, kStreamsIdx = 2, kEventIdsIdx = 3, kStateIdx = 4, kAlertsIdx = 5;
const std::string_view kCfNames[] = {fmt_::kDefaultCf,  fmt_::kEventsCf, fmt_::kStreamsCf,
                                     fmt_::kEventIdsCf, fmt_::kStateCf,  fmt_::kAlertsCf};

// The alerts index key of a state, or nullopt when the contract is not live.
std::optional<std::string> AlertKeyOf(const v1::ContractState& s) {
  auto e = lifecycle::AlertEntryFor(s);
  if (!e) return std::nullopt;
  const Date end = *ParseDate(e->end_date(), "end_date");
  return fmt_::AlertKey(static_cast<uint16_t>(e->lead_days()), end.time_since_epoch().count(),
                        e->contract_id());
}

// The alerts index key and entry bytes of a state; both empty when the contract is not live.
void SetAlert(const v1::ContractState& s, std::string* key, std::string* value) {
  key->clear();
  value->clear();
  auto e = lifecycle::AlertEntryFor(s);
  if (!e) return;
  const Date end = *ParseDate(e->end_date(), "end_date");
  *key = fmt_::AlertKey(static_cast<uint16_t>(e->lead_days()), end.time_since_epoch().count(),
                        e->contract_id());
  e->SerializeToString(value);
}

// Replaces `before`'s alerts entry with `after`'s in `batch`.
void UpdateAlertIndex(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                      const v1::ContractState* before, const v1::ContractState& after) {
  const auto old_key = before ? AlertKeyOf(*before) : std::nullopt;
  const auto new_key = AlertKeyOf(after);
  if (old_key && old_key != new_key) batch->Delete(cf, *old_key);
  if (new_key) batch->Put(cf, *new_key, lifecycle::AlertEntryFor(after)->SerializeAsString());
}

// The "storage" logger (a clone of the default logger's sinks).
const std::shared_ptr<spdlog::logger>& Log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::get("storage");
    return l ? l : spdlog::default_logger()->clone("storage");
  }();
  return logger;
}

// RocksDB's info log, sent to the "storage" logger instead of a LOG file in the data directory:
// a file logger writes to disk after a failed write (ENOSPC), which the assert-enabled Debian
// build of RocksDB 7.8 turns into an abort.
class RocksLogger : public rocksdb::Logger {
 public:
  explicit RocksLogger(rocksdb::InfoLogLevel level) : rocksdb::Logger(level) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char buf[1024];
    std::vsnprintf(buf, sizeof(buf), format, ap);
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      Log()->error("rocksdb: {}", buf);
    } else if (level >= rocksdb::InfoLogLevel::WARN_LEVEL) {
      Log()->warn("rocksdb: {}", buf);
    } else {
      Log()->debug("rocksdb: {}", buf);
    }
  }
};

// The contract part of a `streams` key (contract id '\0' be64(version)): a contract's entries
// share it, so the memtable can bucket them by contract (below) and reads stay within one.
class StreamPrefixTransform : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "contrack.StreamPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() > 8; }
};

// The whole key, for the `state` memtable's insert hints: one per contract (see OpenDb).
class WholeKeyTransform : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "contrack.WholeKey"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return key; }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

// Whether an append retracts an earlier event: it then needs its contract's whole history.
// True when `body`, as a request gives it, is the body stored for its event id at `stored_at`:
// normalised as it would have been then, it equals the stored one field for field.
bool SameBody(const v1::EventBody& body, const v1::EventBody& stored, Micros stored_at) {
  auto normal = NormalizeBody(body, stored.event_id(), DayOf(stored_at));
  return normal && google::protobuf::util::MessageDifferencer::Equals(*normal, stored);
}

bool HasCorrection(const AppendRequest& req) {
  return std::any_of(req.events.begin(), req.events.end(),
                     [](const v1::EventBody& e) { return e.has_correction(); });
}

// The one place a rocksdb::Status becomes an Error.
Error FromStatus(const rocksdb::Status& s, std::string_view what) {
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNoSpace() || s.subcode() == rocksdb::Status::kNoSpace) return {kStorageFull, msg, {}};
  if (s.IsCorruption()) return {kCorruption, msg, {}};
  return {kIoError, msg, {}};
}

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

// RocksDB counts every key comparison into a thread-local PerfContext unless the thread's perf
// level is kDisable; from the shared library each count is a __tls_get_addr call, about a tenth of
// an append's instructions. contrack reads no perf counters.
void DisablePerfCounters() {
  thread_local const bool done = [] {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    return true;
  }();
  (void)done;
}

// A UUIDv7 (RFC 9562) for an event that came without an id: the recorded time's Unix
// milliseconds in the first 48 bits, the rest random (Boost's generator, which also sets the
// variant). Ids made later sort later, so the event_ids index takes each new one near its end
// instead of at a random place, which costs the memtable a fraction of the comparisons.
std::string NewEventId(Micros recorded_at) {
  // A Mersenne Twister seeded once per thread from the OS: Boost's default generator asks the
  // kernel (getrandom) for every id, a system call per event.
  static thread_local boost::uuids::random_generator_mt19937 random;
  boost::uuids::uuid u = random();
  const uint64_t ms = recorded_at > 0 ? static_cast<uint64_t>(recorded_at) / 1000 : 0;
  for (int i = 0; i < 6; ++i) u.data[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  u.data[6] = static_cast<uint8_t>(0x70 | (u.data[6] & 0x0f));  // version 7
  return boost::uuids::to_string(u);
}

// Decodes 64 hex digits; false when malformed.
bool Unhex(std::string_view hex, unsigned char out[fmt_::kHashSize]) {
  if (hex.size() != 2 * fmt_::kHashSize) return false;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < fmt_::kHashSize; ++i) {
    const int hi = val(hex[2 * i]), lo = val(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}

const std::string& ZeroHash() {
  static const std::string kZero(2 * fmt_::kHashSize, '0');
  return kZero;
}

// SHA-256(raw prev_hash || record), hex. REQUIRES: prev_hex is 64 hex digits.
std::string ChainHash(const std::string& prev_hex, const std::string& record) {
  unsigned char prev[fmt_::kHashSize];
  Unhex(prev_hex, prev);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // One context per thread, reused: creating one per event cost as much as the hashing.
  static thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                  &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), prev, sizeof(prev));
  EVP_DigestUpdate(ctx.get(), record.data(), record.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  return Hex(digest, len);
}

std::string Serialize(const google::protobuf::MessageLite& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

Result<LoggedEvent> DecodeStored(uint64_t seq, const rocksdb::Slice& value) {
  v1::StoredEvent stored;
  LoggedEvent out;
  if (!stored.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      !out.record.ParseFromString(stored.record())) {
    return Fail(kCorruption, "event at sequence " + std::to_string(seq) + " cannot be decoded");
  }
  out.hash = stored.hash();
  return out;
}

}  // namespace

// The write path's newest state of a contract, with its alerts index entry.
struct EventLog::CachedState {
  v1::ContractState state;
  std::string alert_key;        // empty when the contract is not live
  std::string alert_value;      // the entry's bytes
  uint64_t stored_version = 0;  // the version the `state` view holds (0: none yet)
};

// An append computed on one version of its contract: by the caller before it queues, or by the
// prepare thread when that version is no longer the newest (or the append holds a correction).
struct EventLog::Draft {
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
struct EventLog::Writer {
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
struct EventLog::Group {
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

EventLog::EventLog(const Options& options) : options_(options) {}

EventLog::~EventLog() {
  if (prepare_thread_.joinable()) {
    {
      std::lock_guard l(mu_);
      stop_ = true;
    }
    prepare_cv_.notify_all();
    prepare_thread_.join();  // prepares what is queued, then lets the write thread finish
  }
  if (write_thread_.joinable()) write_thread_.join();
  if (db_) {
    for (auto* h : handles_) {
      if (h != nullptr && h != db_->DefaultColumnFamily()) db_->DestroyColumnFamilyHandle(h);
    }
    db_->Close();
  }
}

rocksdb::ColumnFamilyHandle* EventLog::cf(std::string_view name) const {
  for (size_t i = 0; i < std::size(kCfNames); ++i) {
    if (kCfNames[i] == name) return handles_[i];
  }
  return nullptr;
}

Result<std::unique_ptr<EventLog>> EventLog::Open(const Options& options) {
  std::unique_ptr<EventLog> log(new EventLog(options));
  if (auto r = log->OpenDb(); !r) return std::unexpected(r.error());
  if (!options.read_only) {
    log->prepare_thread_ = std::thread([p = log.get()] { p->PrepareLoop(); });
    log->write_thread_ = std::thread([p = log.get()] { p->WriteLoop(); });
  }
  return log;
}

Result<void> EventLog::OpenDb() {
  if (options_.state_every == 0) return Fail(kInvalidArgument, "state_every must be at least 1");
  if (!options_.read_only) {
    std::error_code ec;
    std::filesystem::create_directories(options_.path, ec);
    if (ec) return Fail(kIoError, "creating " + options_.path + ": " + ec.message());
  }
  rocksdb::Options db_opts;
  db_opts.create_if_missing = !options_.read_only;
  db_opts.create_missing_column_families = !options_.read_only;
  db_opts.max_total_wal_size = 256u << 20;
  if (options_.wal_prefill_bytes > 0 && !options_.read_only) {
    env_ = NewPrefilledWalEnv(options_.wal_prefill_bytes);
    db_opts.env = env_.get();
  }
  db_opts.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_opts.info_log = std::make_shared<RocksLogger>(rocksdb::InfoLogLevel::WARN_LEVEL);

  // Memtables of every column family together stay within write_buffer_bytes (the largest is
  // flushed first).
  db_opts.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options_.write_buffer_bytes);

  // Index and filter blocks live in the block cache, not beside it, where they would grow with
  // the log. They are partitioned (4 KiB pieces under a small pinned top level) so a cache miss
  // reads one piece, not a file's whole index, and they take the cache's high-priority half.
  rocksdb::LRUCacheOptions cache_opts;
  cache_opts.capacity = options_.block_cache_bytes;
  cache_opts.high_pri_pool_ratio = 0.5;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(cache_opts);
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // No one memtable may take more than half the budget (at most 64 MiB); its arena grows in
  // eighths of that, so six column families' empty memtables hold under half the budget.
  const size_t cf_buffer =
      std::clamp<size_t>(options_.write_buffer_bytes / 2, 256u << 10, 64u << 20);
  rocksdb::ColumnFamilyOptions log_cf;
  log_cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  log_cf.write_buffer_size = cf_buffer;
  rocksdb::BlockBasedTableOptions point_table = table;
  point_table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions point_cf;
  point_cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(point_table));
  point_cf.write_buffer_size = cf_buffer;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (size_t i = 0; i < std::size(kCfNames); ++i) {
    const bool point = i == kEventIdsIdx || i == kStateIdx;
    cfs.emplace_back(std::string(kCfNames[i]), point ? point_cf : log_cf);
  }
  // Each append adds a `streams` key at a random place (its contract): searched for from the
  // top of a skip list over the whole memtable, that insert was a cache miss at every level.
  // RocksDB keeps, per key prefix, where the last insert went (an insert hint): the contract's
  // next version goes right after its previous one, found without a search. Event ids made here
  // (UUIDv7, ordered by time) land near the previous one too, so one hint serves them all; a
  // client's own ids only miss it (an ordinary search). A contract's new `state` (same key,
  // newer sequence) sorts right before its previous one, so a hint per contract serves it too.
  // Hints work while one thread at a time writes the memtable, as contrack's write thread does.
  // (Hashed memtables for streams and event_ids took a fifth fewer instructions under callgrind
  // but were no faster on this machine: docs/performance.md.)
  db_opts.allow_concurrent_memtable_write = false;
  cfs[kStreamsIdx].options.prefix_extractor = std::make_shared<StreamPrefixTransform>();
  cfs[kStreamsIdx].options.memtable_insert_with_hint_prefix_extractor =
      cfs[kStreamsIdx].options.prefix_extractor;
  cfs[kEventIdsIdx].options.memtable_insert_with_hint_prefix_extractor.reset(
      rocksdb::NewFixedPrefixTransform(0));
  cfs[kStateIdx].options.memtable_insert_with_hint_prefix_extractor =
      std::make_shared<WholeKeyTransform>();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options_.read_only) {
    s = rocksdb::DB::OpenForReadOnly(db_opts, options_.path, cfs, &handles_, &raw);
  } else {
    s = rocksdb::DB::Open(db_opts, options_.path, cfs, &handles_, &raw);
  }
  if (!s.ok()) return std::unexpected(FromStatus(s, "opening store " + options_.path));
  db_.reset(raw);

  std::string version;
  s = db_->Get(rocksdb::ReadOptions(), handles_[0], fmt_::kFormatVersionKey, &version);
  if (s.IsNotFound() && options_.read_only) {
    return Fail(kCorruption, options_.path + " is not a contrack store");
  }
  if (!s.ok() && !s.IsNotFound()) return std::unexpected(FromStatus(s, "reading format version"));
  // A format-2 store's states are all current, which format 3 reads as states trailing by
  // nothing; once written here they may trail, so the store is marked 3 for older builds to
  // refuse.
  const bool upgrade = s.ok() && version == fmt_::kFormatVersionCurrentStates;
  if (s.IsNotFound() || (upgrade && !options_.read_only)) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db_->Put(wo, handles_[0], fmt_::kFormatVersionKey, fmt_::kFormatVersion);
    if (!s.ok()) return std::unexpected(FromStatus(s, "writing format version"));
  } else if (!upgrade && version != fmt_::kFormatVersion) {
    return Fail(kCorruption, options_.path + " has store format " + version +
                                 "; this build reads " + std::string(fmt_::kFormatVersion));
  }

  // The head is the last event of the log.
  head_ = Head{0, ZeroHash()};
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEventsIdx]));
  it->SeekToLast();
  if (it->Valid()) {
    const uint64_t seq = fmt_::DecodeBe64(it->key().ToStringView());
    auto ev = DecodeStored(seq, it->value());
    if (!ev) return std::unexpected(ev.error());
    head_ = Head{seq, ev->hash};
    last_recorded_at_ = ev->record.recorded_at_us();  // record times never go back (Prepare)
  } else if (!it->status().ok()) {
    return std::unexpected(FromStatus(it->status(), "reading the log head"));
  }
  prepared_head_ = head_;
  durable_seq_.store(head_.sequence, std::memory_order_release);
  Log()->info("opened {} at sequence {}", options_.path, head_.sequence);
  return {};
}

Head EventLog::GetHead() const {
  std::lock_guard l(mu_);
  return head_;
}

std::optional<Error> EventLog::WriteError() const {
  std::lock_guard l(mu_);
  return bg_error_;
}

Stats EventLog::GetStats() const {
  std::lock_guard l(mu_);
  return stats_;
}

MemoryUsage EventLog::GetMemory() const {
  MemoryUsage m;
  uint64_t v = 0;
  if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &v)) {
    m.memtable_bytes = v;
  }
  if (db_->GetIntProperty(handles_[kEventsIdx], rocksdb::DB::Properties::kBlockCacheUsage, &v)) {
    m.block_cache_bytes = v;  // one cache, shared by every column family
  }
  std::lock_guard l(cache_mu_);
  m.state_cache_entries = cache_.size();
  return m;
}

Result<bool> EventLog::CheckShape(const AppendRequest& req) const {
  if (options_.read_only) return Fail(kReadOnly, "the store was opened read-only");
  if (auto r = ValidateContractId(req.contract_id); !r) return std::unexpected(r.error());
  if (req.events.empty()) return Fail(kInvalidArgument, "events: at least one event is required");
  if (req.events.size() > options_.max_events_per_append) {
    return Fail(kInvalidArgument, "events: " + std::to_string(req.events.size()) +
                                      " events in one append; the limit is " +
                                      std::to_string(options_.max_events_per_append));
  }
  std::unordered_set<std::string> ids;
  for (size_t i = 0; i < req.events.size(); ++i) {
    if (auto r = ValidateBody(req.events[i]); !r) {
      Error e = r.error();
      if (req.events.size() > 1) e.message = "events[" + std::to_string(i) + "]." + e.message;
      return std::unexpected(e);
    }
    if (!req.events[i].event_id().empty()) {
      auto id = NormalizeEventId(req.events[i].event_id(), "event_id");
      if (!ids.insert(*id).second) {
        return Fail(kInvalidArgument, "event_id " + *id + " appears twice in one append");
      }
    }
  }
  return !ids.empty();
}

Result<v1::AppendResponse> EventLog::Append(const AppendRequest& req) {
  // Shape checks need no state: do them before queueing.
  auto client_ids = CheckShape(req);
  if (!client_ids) return std::unexpected(client_ids.error());
  DisablePerfCounters();
  Writer w;
  w.req = &req;
  w.has_client_ids = *client_ids;
  MakeDraft(req, &w.draft);  // in this thread, in parallel with other callers

  std::unique_lock l(mu_);
  if (writers_.empty() && closed_.empty() && !open_ready_ && prepare_idle_ && write_idle_ &&
      !inline_preparing_ && !inline_writing_) {
    // Nothing else is queued, prepared or being written: prepare and write this append in this
    // thread rather than wake two others (a lone writer's append costs one sync, no hand-offs).
    // Both threads stand aside while it prepares; appends arriving meanwhile are prepared into
    // the next group while it writes, and the write thread writes that group after this one.
    inline_preparing_ = inline_writing_ = true;
    const uint64_t committed = head_.sequence, written = written_ticket_;
    const std::optional<Error> bg = bg_error_;
    l.unlock();
    ForgetWrittenIds(written);
    std::unique_ptr<Group> g;
    {
      std::lock_guard o(open_mu_);
      PrepareOne(&w, committed, bg);
      g = std::move(open_);
    }
    l.lock();
    inline_preparing_ = false;
    const bool queued = !writers_.empty();
    l.unlock();
    if (queued) prepare_cv_.notify_one();
    CommitGroup(*g, bg);
    l.lock();
    inline_writing_ = false;
    l.unlock();
    AwaitAck(w);  // released by CommitGroup: only relays the group's other writers, if any
    return std::move(w.result);
  }
  writers_.push_back(&w);
  const bool wake = prepare_idle_;
  l.unlock();
  if (wake) prepare_cv_.notify_one();  // unlocked, so the woken thread finds mu_ free
  AwaitAck(w);
  return std::move(w.result);
}

void EventLog::AppendAsync(AppendRequest req, AppendCallback done) {
  auto client_ids = CheckShape(req);
  if (!client_ids) return done(std::unexpected(client_ids.error()));
  DisablePerfCounters();
  FreeAcknowledged();
  auto w = std::make_unique<Writer>();
  w->owned = std::move(req);
  w->req = &w->owned;
  w->has_client_ids = *client_ids;
  w->done = std::move(done);
  MakeDraft(*w->req, &w->draft);
  // Never inline: the caller must not wait for the sync. Acknowledge runs `done`; a later
  // caller frees w.
  bool wake = false;
  {
    std::lock_guard l(mu_);
    writers_.push_back(w.release());
    wake = prepare_idle_;
  }
  // Unlocked: notified under mu_, the prepare thread woke only to wait for mu_ again (a third
  // of its context switches).
  if (wake) prepare_cv_.notify_one();
}

void EventLog::FreeAcknowledged() {
  std::vector<std::unique_ptr<Writer>> dead;
  {
    std::lock_guard l(acked_mu_);
    dead.swap(acked_);
  }
}  // freed here, in the caller's thread

void EventLog::Release(Writer* x) {
  std::lock_guard l(x->ack_mu);
  x->released = true;
  x->ack_cv.notify_one();
}

void EventLog::AwaitAck(Writer& w) {
  {
    std::unique_lock l(w.ack_mu);
    while (!w.released) w.ack_cv.wait(l);
  }
  for (Writer* r : w.relay) {
    if (r != nullptr) Release(r);
  }
}

void EventLog::ForgetWrittenIds(uint64_t written_ticket) {
  while (!inflight_by_ticket_.empty() && inflight_by_ticket_.front().first <= written_ticket) {
    for (const auto& id : inflight_by_ticket_.front().second) inflight_ids_.erase(id);
    inflight_by_ticket_.pop_front();
  }
}

void EventLog::PrepareLoop() {
  DisablePerfCounters();
  std::vector<Writer*> taken;
  for (;;) {
    uint64_t committed = 0, written = 0;
    std::optional<Error> bg;
    {
      std::unique_lock l(mu_);
      while ((writers_.empty() || inline_preparing_) && !stop_) {
        prepare_idle_ = true;
        prepare_cv_.wait(l);
        prepare_idle_ = false;
      }
      if (writers_.empty()) {  // stopping, and everything queued is prepared
        prepare_done_ = true;
        write_cv_.notify_one();
        return;
      }
      taken.assign(writers_.begin(), writers_.end());
      writers_.clear();
      committed = head_.sequence;
      written = written_ticket_;
      bg = bg_error_;
    }
    ForgetWrittenIds(written);
    for (Writer* x : taken) {
      if (HasCorrection(*x->req)) {
        // A correction reads its contract's earlier records: those of earlier groups from the
        // store, once written, and those of its own group from `pending`, kept only in a group
        // it starts. So close the open group unless it keeps them, and wait for every earlier
        // group without holding open_mu_, which the write thread may need to take the group
        // before it.
        uint64_t earlier = 0;
        {
          std::lock_guard o(open_mu_);
          if (open_ && !open_->keep_pending) CloseOpenGroup();
          earlier = open_ ? open_->ticket - 1 : next_ticket_;
        }
        WaitWritten(earlier);
      }
      bool wake = false;
      {
        std::lock_guard o(open_mu_);
        PrepareOne(x, committed, bg);
        std::lock_guard l(mu_);
        open_ready_ = true;  // open_ holds x
        wake = write_idle_;
        committed = head_.sequence;
        bg = bg_error_;
      }
      if (wake) write_cv_.notify_one();  // with open_mu_ free for the write thread to take
    }
    taken.clear();
  }
}

void EventLog::PrepareOne(Writer* x, uint64_t committed_seq, const std::optional<Error>& bg) {
  const AppendRequest& req = *x->req;
  size_t bytes = 0;
  for (const auto& e : req.events) bytes += e.ByteSizeLong();
  if (open_ && open_->bytes + bytes > options_.max_group_bytes) CloseOpenGroup();
  if (!open_) {
    open_ = std::make_unique<Group>();
    open_->ticket = ++next_ticket_;
    open_->next_seq = prepared_head_.sequence + 1;
    open_->head_hash = prepared_head_.hash;
    open_->keep_pending = HasCorrection(req);
  }
  Group* g = open_.get();
  g->committed_seq = committed_seq;
  if (bg) {
    x->result = std::unexpected(*bg);
  } else {
    x->result = Prepare(*x, g);
    if (x->result && !x->result->replayed()) {
      ++g->appends;
      g->events += static_cast<uint64_t>(x->result->events_size());
    }
  }
  g->writers.push_back(x);
  g->bytes += bytes;
  prepared_head_ = Head{g->next_seq - 1, g->head_hash};
}

void EventLog::CloseOpenGroup() {
  bool wake = false;
  {
    std::lock_guard l(mu_);
    closed_.push_back(std::move(open_));
    open_ready_ = false;
    wake = write_idle_;
  }
  if (wake) write_cv_.notify_one();
}

void EventLog::WriteLoop() {
  DisablePerfCounters();
  for (;;) {
    std::unique_ptr<Group> g;
    {
      std::unique_lock l(mu_);
      while ((closed_.empty() && !open_ready_) || inline_preparing_) {
        if (prepare_done_ && !inline_preparing_) return;
        write_idle_ = true;
        write_cv_.wait(l);
        write_idle_ = false;
      }
      // The oldest group first: a closed one. The prepare thread may hold open_mu_ while it
      // waits for closed groups to be written (a correction), so take those without it.
      if (!closed_.empty()) {
        g = std::move(closed_.front());
        closed_.pop_front();
      }
    }
    if (!g) {
      // The open group as it stands, between two appends.
      std::lock_guard o(open_mu_);
      std::lock_guard l(mu_);
      if (!closed_.empty()) {  // closed meanwhile: it is older than open_
        g = std::move(closed_.front());
        closed_.pop_front();
      } else {
        g = std::move(open_);
        open_ready_ = false;
      }
    }
    if (!g) continue;
    std::optional<Error> err;
    {
      // A caller writing its own group inline goes first: groups are written in ticket order.
      std::unique_lock l(mu_);
      while (written_ticket_ + 1 < g->ticket && !bg_error_) written_cv_.wait(l);
      err = bg_error_;  // an earlier group failed: this one builds on it
    }
    CommitGroup(*g, std::move(err));
  }
}

void EventLog::CommitGroup(Group& g, std::optional<Error> err) {
  rocksdb::Status s;
  if (!err && g.batch.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db_->Write(wo, &g.batch);
  }

  std::unique_lock l(mu_);
  if (!s.ok()) {
    err = FromStatus(s, "synced write of " + std::to_string(g.events) + " events");
    Log()->error("{}; refusing writes until reopened", err->ToString());
    bg_error_ = err;
  }
  if (err) {
    // Nothing of this group is durable, and a replayed answer may point into a failed group.
    for (Writer* x : g.writers) {
      if (x->result) x->result = std::unexpected(*err);
    }
  } else if (g.batch.Count() > 0) {
    head_ = Head{g.next_seq - 1, g.head_hash};
    durable_seq_.store(head_.sequence, std::memory_order_release);
    stats_.appends += g.appends;
    stats_.events += g.events;
    ++stats_.synced_writes;
  }
  written_ticket_ = g.ticket;
  l.unlock();
  written_cv_.notify_all();
  Acknowledge(g);
}

void EventLog::Acknowledge(Group& g) {
  // Callers of Append wait in AwaitAck until released: results and relays set here are theirs
  // then. Those of AppendAsync get their callbacks, here.
  std::vector<Writer*> waiting;
  std::vector<std::unique_ptr<Writer>> called;
  called.reserve(g.writers.size());
  for (Writer* x : g.writers) {
    if (x->done) {
      called.emplace_back(x);
    } else {
      waiting.push_back(x);
    }
  }
  const size_t n = waiting.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < 2; ++k) {
      const size_t c = 2 * i + 1 + k;
      waiting[i]->relay[k] = c < n ? waiting[c] : nullptr;
    }
  }
  if (n > 0) Release(waiting[0]);
  if (called.empty()) return;
  for (auto& x : called) {
    x->done(std::move(x->result));
    x->done = nullptr;  // what the callback holds goes now (the server's pool waits for it)
  }
  // Freeing an append's request, draft and replaced state was a sixth of this thread's work,
  // which is the one that limits throughput: the next AppendAsync caller frees them instead.
  // Unless nobody has called for a while: then they are freed here.
  std::vector<std::unique_ptr<Writer>> dead;
  {
    std::lock_guard l(acked_mu_);
    if (acked_.size() > kMaxAcknowledgedKept) dead.swap(acked_);
    for (auto& x : called) acked_.push_back(std::move(x));
  }
}

void EventLog::WaitWritten(uint64_t ticket) const {
  std::unique_lock l(mu_);
  while (written_ticket_ < ticket && !bg_error_) written_cv_.wait(l);
}

EventLog::StatePtr EventLog::CachedStateOf(const std::string& id) const {
  std::lock_guard l(cache_mu_);
  auto it = cache_.find(id);
  return it == cache_.end() ? nullptr : it->second;
}

void EventLog::CacheState(const std::string& id, StatePtr s, uint64_t committed_seq) {
  std::lock_guard l(cache_mu_);
  cache_[id] = std::move(s);
  const size_t cap = options_.state_cache_entries;
  if (cache_.size() <= cap) return;
  // Evict down to 7/8 of the bound. States of groups not yet written stay: the next group
  // builds on them and the store does not have them.
  const size_t target = cap - cap / 8;
  for (auto it = cache_.begin(); it != cache_.end() && cache_.size() > target;) {
    if (it->second->state.last_sequence() <= committed_seq) {
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<EventLog::StatePtr> EventLog::StateForWrite(const std::string& id, uint64_t committed_seq) {
  if (auto s = CachedStateOf(id)) return s;
  // Not cached, so no group in flight touched it: the store has its newest state.
  uint64_t stored = 0;
  auto loaded = LoadState(id, &stored);
  if (!loaded) return std::unexpected(loaded.error());
  if (!*loaded) return StatePtr{};
  auto cs = std::make_shared<CachedState>();
  cs->state = std::move(**loaded);
  cs->stored_version = stored;
  SetAlert(cs->state, &cs->alert_key, &cs->alert_value);
  StatePtr out = cs;
  CacheState(id, out, committed_seq);
  return out;
}

Result<std::optional<v1::ContractState>> EventLog::LoadState(const std::string& id,
                                                             uint64_t* stored_version) const {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), handles_[kStateIdx], id, &value);
  if (s.IsNotFound()) return std::optional<v1::ContractState>{};
  if (!s.ok()) return std::unexpected(FromStatus(s, "reading state of " + id));
  v1::ContractState state;
  if (!state.ParseFromString(value)) return Fail(kCorruption, "state of " + id + " is unreadable");
  if (stored_version != nullptr) *stored_version = state.version();
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;  // the contract's entries only (see the streams memtable)
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kStreamsIdx]));
  if (auto r = CompleteState(it.get(), id, &state); !r) return std::unexpected(r.error());
  return state;
}

Result<void> EventLog::CompleteState(rocksdb::Iterator* streams, const std::string& id,
                                     v1::ContractState* s) const {
  const std::string prefix = fmt_::StreamPrefix(id);
  for (streams->Seek(fmt_::StreamKey(id, s->version() + 1));
       streams->Valid() && streams->key().starts_with(prefix); streams->Next()) {
    auto ev = ReadEvent(fmt_::DecodeBe64(streams->value().ToStringView()));
    if (!ev) return std::unexpected(ev.error());
    const v1::EventRecord& rec = ev->record;
    if (rec.contract_id() != id || rec.version() != s->version() + 1) {
      return Fail(kCorruption, "state of " + id + " at version " + std::to_string(s->version()) +
                                   " is followed by event " + std::to_string(rec.sequence()) +
                                   " (" + rec.contract_id() + " version " +
                                   std::to_string(rec.version()) + ")");
    }
    std::vector<v1::EventRecord> prior;  // a correction replays the records before it
    if (rec.body().has_correction()) {
      auto earlier = ReadContract(id, 0, rec.version() - 1);
      if (!earlier) return std::unexpected(earlier.error());
      for (auto& e : *earlier) prior.push_back(std::move(e.record));
    }
    auto next = lifecycle::Next(s, rec, prior, options_.rules);
    if (!next) {
      return Fail(kCorruption, "state of " + id + " cannot be completed: event " +
                                   std::to_string(rec.sequence()) +
                                   " no longer applies: " + next.error().message);
    }
    *s = std::move(*next);
  }
  if (!streams->status().ok()) {
    return std::unexpected(FromStatus(streams->status(), "reading events of " + id));
  }
  return {};
}

EventLog::StatePtr EventLog::DurableCachedState(const std::string& id) const {
  StatePtr c = CachedStateOf(id);
  // The cache holds the newest prepared state of a contract: once durable, it is the newest
  // durable one.
  if (c && c->state.last_sequence() <= durable_seq_.load(std::memory_order_acquire)) return c;
  return nullptr;
}

Result<std::vector<v1::EventRecord>> EventLog::LoadRecords(const std::string& id,
                                                           const Group* g) const {
  auto events = ReadContract(id);
  if (!events) return std::unexpected(events.error());
  std::vector<v1::EventRecord> out;
  out.reserve(events->size());
  for (auto& e : *events) out.push_back(std::move(e.record));
  if (g != nullptr) {
    if (auto it = g->pending.find(id); it != g->pending.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
  }
  return out;
}

Result<LoggedEvent> EventLog::ReadEvent(uint64_t seq) const {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), handles_[kEventsIdx], fmt_::EncodeBe64(seq), &value);
  if (!s.ok()) return std::unexpected(FromStatus(s, "reading event " + std::to_string(seq)));
  return DecodeStored(seq, value);
}

void EventLog::MakeDraft(const AppendRequest& req, Draft* d) const {
  if (HasCorrection(req)) {
    d->leader_only = true;  // replays the contract's events: prepared when all are known
    return;
  }
  StatePtr base = CachedStateOf(req.contract_id);
  if (!base) {
    auto loaded = LoadState(req.contract_id);
    if (!loaded) {
      d->leader_only = true;  // read again when prepared, which reports the error
      return;
    }
    if (*loaded) {
      auto cs = std::make_shared<CachedState>();
      cs->state = std::move(**loaded);
      SetAlert(cs->state, &cs->alert_key, &cs->alert_value);
      base = std::move(cs);
    }
  }
  // Taken after reading the state, so later than the recorded times of the events behind it.
  const Micros at = req.recorded_at.value_or(NowMicros());
  if (auto r = Compute(req, base.get(), at, std::nullopt, nullptr, d); !r) d->error = r.error();
  d->drafted = true;
}

Result<void> EventLog::Compute(const AppendRequest& req, const CachedState* base,
                               Micros recorded_at, std::optional<uint64_t> first_seq, Group* g,
                               Draft* d) const {
  d->base_version = base ? base->state.version() : 0;
  d->recorded_at = recorded_at;
  d->records.clear();
  d->error.reset();
  d->next.reset();
  const Date recorded_day = DayOf(recorded_at);
  const v1::ContractState* state = base ? &base->state : nullptr;
  v1::ContractState current;                          // the state after the events so far
  std::optional<std::vector<v1::EventRecord>> prior;  // loaded for corrections only
  for (size_t i = 0; i < req.events.size(); ++i) {
    auto fail = [&](Error e) -> Result<void> {
      if (req.events.size() > 1) e.message = "events[" + std::to_string(i) + "]: " + e.message;
      return std::unexpected(std::move(e));
    };
    auto body = NormalizeBody(req.events[i], NewEventId(recorded_at), recorded_day);
    if (!body) return fail(body.error());
    v1::EventRecord rec;
    rec.set_sequence(first_seq ? *first_seq + i : 0);
    rec.set_contract_id(req.contract_id);
    rec.set_version(d->base_version + i + 1);
    rec.set_event_id(body->event_id());
    rec.set_type(EventType(*body));
    rec.set_effective_date(body->effective_date());
    rec.set_recorded_at_us(recorded_at);
    rec.set_recorded_by(req.principal.name);
    *rec.mutable_body() = std::move(*body);

    std::vector<v1::EventRecord> with_batch;
    if (rec.body().has_correction()) {
      if (g == nullptr) return fail({kIoError, "a correction is prepared by the write path", {}});
      if (!prior) {
        // Earlier groups are written (PrepareLoop waited for them; an inline append finds none
        // in flight), so the store and the group's `pending` hold every earlier record.
        auto p = LoadRecords(req.contract_id, g);
        if (!p) return fail(p.error());
        prior = std::move(*p);
      }
      with_batch = *prior;
      with_batch.insert(with_batch.end(), d->records.begin(), d->records.end());
      // Retracting a reassignment moves the authority back: an admin's act, like the reassignment.
      const std::string& target = rec.body().correction().corrects_event_id();
      for (const auto& p : with_batch) {
        if (p.event_id() == target && p.body().has_authority_reassignment() &&
            req.principal.role != Role::kAdmin) {
          return fail({kForbidden,
                       req.principal.name + " has the role " + RoleName(req.principal.role) +
                           "; only an admin may retract an authority reassignment",
                       {}});
        }
      }
    }
    auto next = lifecycle::Next(state, rec, with_batch, options_.rules);
    if (!next) return fail(next.error());
    current = std::move(*next);
    state = &current;
    d->records.push_back(std::move(rec));
  }
  auto cs = std::make_shared<CachedState>();
  cs->state = std::move(current);
  if (base != nullptr && lifecycle::SameAlertEntry(base->state, cs->state)) {
    cs->alert_key = base->alert_key;
    cs->alert_value = base->alert_value;
  } else {
    SetAlert(cs->state, &cs->alert_key, &cs->alert_value);
  }
  d->next = std::move(cs);
  return {};
}

Result<v1::AppendResponse> EventLog::Prepare(Writer& w, Group* g) {
  rocksdb::WriteBatch* batch = &g->batch;
  const AppendRequest& req = *w.req;
  Draft& d = w.draft;
  v1::AppendResponse resp;
  resp.set_contract_id(req.contract_id);

  // The contract's newest state, and the decision whether this principal may write to it, in
  // the step that drafts the append: no other append to the contract is prepared in between.
  auto base_or = StateForWrite(req.contract_id, g->committed_seq);
  if (!base_or) return std::unexpected(base_or.error());
  StatePtr base = std::move(*base_or);
  if (auto r = AuthorizeAppend(req.principal, base ? &base->state : nullptr, req.events); !r) {
    return std::unexpected(r.error());
  }

  // Idempotency: an append whose event ids are all stored, each with the same body, returns the
  // original result; an id stored with another body (or for another contract) is a conflict.
  if (w.has_client_ids) {
    size_t known = 0;
    for (const auto& body : req.events) {
      if (body.event_id().empty()) continue;
      const std::string id = *NormalizeEventId(body.event_id(), "event_id");
      v1::AppendedEvent original;
      std::string contract;
      const v1::EventBody* stored_body = nullptr;
      Micros stored_at = 0;
      LoggedEvent ev;
      if (auto it = inflight_ids_.find(id); it != inflight_ids_.end()) {
        original = it->second.event;
        contract = it->second.contract_id;
        stored_body = &it->second.body;
        stored_at = it->second.recorded_at;
      } else {
        std::string value;
        auto s = db_->Get(rocksdb::ReadOptions(), handles_[kEventIdsIdx], id, &value);
        if (s.IsNotFound()) continue;
        if (!s.ok()) return std::unexpected(FromStatus(s, "looking up event id " + id));
        auto read = ReadEvent(fmt_::DecodeBe64(value));
        if (!read) return std::unexpected(read.error());
        ev = std::move(*read);
        original.set_event_id(id);
        original.set_version(ev.record.version());
        original.set_sequence(ev.record.sequence());
        original.set_hash(ev.hash);
        contract = ev.record.contract_id();
        stored_body = &ev.record.body();
        stored_at = ev.record.recorded_at_us();
      }
      if (contract != req.contract_id) {
        // Not named: the other contract may belong to an authority the principal cannot read.
        return Fail(kEventIdConflict, "event_id " + id + " is already stored for another contract");
      }
      if (!SameBody(body, *stored_body, stored_at)) {
        return Fail(kEventIdConflict, "event_id " + id +
                                          " is already stored with a different "
                                          "body; only a byte-identical retry is idempotent");
      }
      ++known;
      *resp.add_events() = original;
    }
    if (known > 0) {
      if (known != req.events.size()) {
        return Fail(kEventIdConflict, std::to_string(known) + " of the " +
                                          std::to_string(req.events.size()) +
                                          " event ids are already stored; a retried append must "
                                          "repeat exactly the same events");
      }
      resp.set_replayed(true);
      return resp;
    }
  }

  const uint64_t current = base ? base->state.version() : 0;
  if (req.expected_version && *req.expected_version != current) {
    Error e{kVersionConflict,
            "contract " + req.contract_id + " is at version " + std::to_string(current) +
                "; the append expected version " + std::to_string(*req.expected_version),
            current};
    return std::unexpected(e);
  }
  // Record times never go back along the log: a time the log assigns is clamped to the head's
  // (below); a time the caller supplies (an import keeping its record times) must not be earlier.
  if (req.recorded_at && *req.recorded_at < last_recorded_at_) {
    return Fail(kRecordedAtBeforeHead, "recorded_at " + FormatRfc3339(*req.recorded_at) +
                                           " is earlier than the log head's " +
                                           FormatRfc3339(last_recorded_at_) +
                                           "; the log's record times never go back");
  }

  // The caller's draft stands when it was computed on this version; recorded times stay in
  // sequence order unless that would move them to another day.
  bool use_draft = d.drafted && d.base_version == current;
  Micros recorded_at = d.recorded_at;
  if (use_draft && !req.recorded_at && recorded_at < last_recorded_at_) {
    recorded_at = last_recorded_at_;
    use_draft = DayOf(recorded_at) == DayOf(d.recorded_at);
  }
  if (!use_draft) {
    recorded_at = req.recorded_at.value_or(std::max(NowMicros(), last_recorded_at_));
    if (auto r = Compute(req, base.get(), recorded_at, g->next_seq, g, &d); !r) {
      return std::unexpected(r.error());
    }
  } else if (d.error) {
    return std::unexpected(*d.error);
  }
  for (const auto& rec : d.records) {
    if (inflight_ids_.contains(rec.event_id())) {
      return Fail(kEventIdConflict, "event_id " + rec.event_id() + " is already used");
    }
  }

  // Every event passed: chain them and add them, their indexes and the new state to the batch.
  uint64_t seq = g->next_seq;
  for (auto& rec : d.records) {
    rec.set_sequence(seq);
    rec.set_recorded_at_us(recorded_at);
    rec.set_prev_hash(g->head_hash);
    v1::StoredEvent stored;
    std::string* bytes = stored.mutable_record();
    rec.SerializeToString(bytes);
    g->head_hash = ChainHash(g->head_hash, *bytes);
    stored.set_hash(g->head_hash);
    const std::string seq_key = fmt_::EncodeBe64(seq);
    batch->Put(handles_[kEventsIdx], seq_key, Serialize(stored));
    batch->Put(handles_[kStreamsIdx], fmt_::StreamKey(rec.contract_id(), rec.version()), seq_key);
    batch->Put(handles_[kEventIdsIdx], rec.event_id(), seq_key);
    auto* out = resp.add_events();
    out->set_event_id(rec.event_id());
    out->set_version(rec.version());
    out->set_sequence(seq);
    out->set_hash(g->head_hash);
    inflight_ids_[rec.event_id()] =
        InflightId{*out, req.contract_id, g->ticket, rec.body(), rec.recorded_at_us()};
    if (inflight_by_ticket_.empty() || inflight_by_ticket_.back().first != g->ticket) {
      inflight_by_ticket_.emplace_back(g->ticket, std::vector<std::string>{});
    }
    inflight_by_ticket_.back().second.push_back(rec.event_id());
    ++seq;
  }
  CachedState& next = *d.next;
  next.state.set_last_sequence(seq - 1);
  // The state is stored at a contract's first append, at corrections (so a reader's completion
  // never replays one) and state_every versions after the stored one; in between readers
  // complete it from the events (LoadState).
  const uint64_t stored = base ? base->stored_version : 0;
  if (stored == 0 || next.state.version() >= stored + options_.state_every || HasCorrection(req)) {
    batch->Put(handles_[kStateIdx], req.contract_id, Serialize(next.state));
    next.stored_version = next.state.version();
  } else {
    next.stored_version = stored;
  }
  const std::string no_key;
  const std::string& old_key = base ? base->alert_key : no_key;
  if (!old_key.empty() && old_key != next.alert_key) batch->Delete(handles_[kAlertsIdx], old_key);
  if (!next.alert_key.empty() &&
      (old_key != next.alert_key || base->alert_value != next.alert_value)) {
    batch->Put(handles_[kAlertsIdx], next.alert_key, next.alert_value);
  }
  if (g->keep_pending) {
    auto& pending = g->pending[req.contract_id];
    pending.insert(pending.end(), d.records.begin(), d.records.end());
  }
  CacheState(req.contract_id, std::move(d.next), g->committed_seq);
  w.retired = std::move(base);
  last_recorded_at_ = std::max(last_recorded_at_, recorded_at);
  g->next_seq = seq;
  return resp;
}

Result<v1::ContractState> EventLog::GetState(const std::string& contract_id) const {
  DisablePerfCounters();
  if (auto r = ValidateContractId(contract_id); !r) return std::unexpected(r.error());
  if (StatePtr c = DurableCachedState(contract_id)) return c->state;
  auto s = LoadState(contract_id);
  if (!s) return std::unexpected(s.error());
  if (!*s) return Fail(kNotFound, "no contract " + contract_id);
  return std::move(**s);
}

Result<std::vector<LoggedEvent>> EventLog::ReadContract(const std::string& contract_id,
                                                        uint64_t after_version,
                                                        size_t limit) const {
  std::vector<LoggedEvent> out;
  const std::string prefix = fmt_::StreamPrefix(contract_id);
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;  // the contract's entries only (see the streams memtable)
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kStreamsIdx]));
  for (it->Seek(fmt_::StreamKey(contract_id, after_version + 1));
       it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    auto ev = ReadEvent(fmt_::DecodeBe64(it->value().ToStringView()));
    if (!ev) return std::unexpected(ev.error());
    out.push_back(std::move(*ev));
  }
  if (!it->status().ok())
    return std::unexpected(FromStatus(it->status(), "reading " + contract_id));
  return out;
}

Result<std::vector<LoggedEvent>> EventLog::ReadLog(uint64_t after, size_t limit) const {
  std::vector<LoggedEvent> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEventsIdx]));
  for (it->Seek(fmt_::EncodeBe64(after + 1)); it->Valid() && out.size() < limit; it->Next()) {
    auto ev = DecodeStored(fmt_::DecodeBe64(it->key().ToStringView()), it->value());
    if (!ev) return std::unexpected(ev.error());
    out.push_back(std::move(*ev));
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading the log"));
  return out;
}

Result<std::vector<v1::ContractState>> EventLog::ListContracts(const std::string& after_id,
                                                               size_t limit) const {
  std::vector<v1::ContractState> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kStateIdx]));
  // Completions seek forward through `streams` in the same (contract id) order.
  rocksdb::ReadOptions sro;
  sro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> streams(db_->NewIterator(sro, handles_[kStreamsIdx]));
  it->Seek(after_id);
  if (it->Valid() && !after_id.empty() && it->key() == after_id) it->Next();
  for (; it->Valid() && out.size() < limit; it->Next()) {
    const std::string id = it->key().ToString();
    if (StatePtr c = DurableCachedState(id)) {
      out.push_back(c->state);
      continue;
    }
    v1::ContractState s;
    if (!s.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Fail(kCorruption, "state of " + id + " is unreadable");
    }
    if (auto r = CompleteState(streams.get(), id, &s); !r) return std::unexpected(r.error());
    out.push_back(std::move(s));
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "listing contracts"));
  return out;
}

Result<Head> EventLog::Backup(const std::string& dir) const {
  if (dir.empty() || dir[0] != '/') {
    return Fail(kInvalidArgument,
                "backup path must be absolute, not \"" + dir.substr(0, 200) + "\"");
  }
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return Fail(kInvalidArgument, "backup path " + dir + " already exists");
  }
  rocksdb::Checkpoint* raw = nullptr;
  auto s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return std::unexpected(FromStatus(s, "starting a checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // The head first: the checkpoint holds at least this much (appends may add more).
  const Head at_least = GetHead();
  s = checkpoint->CreateCheckpoint(dir);
  if (!s.ok()) {
    std::filesystem::remove_all(dir, ec);
    return std::unexpected(FromStatus(s, "writing checkpoint " + dir));
  }
  // Report what the backup itself holds.
  Options o = options_;
  o.path = dir;
  o.read_only = true;
  auto copy = EventLog::Open(o);
  if (!copy) return std::unexpected(copy.error());
  const Head head = (*copy)->GetHead();
  if (head.sequence < at_least.sequence) {
    return Fail(kCorruption, "checkpoint " + dir + " ends at " + std::to_string(head.sequence) +
                                 ", before the head " + std::to_string(at_least.sequence));
  }
  return head;
}

Result<Head> Restore(const std::string& backup_dir, const std::string& data_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(backup_dir, ec)) {
    return Fail(kNotFound, "backup " + backup_dir + " is not a directory");
  }
  if (std::filesystem::exists(data_dir, ec) && !std::filesystem::is_empty(data_dir, ec)) {
    return Fail(kInvalidArgument, "restore target " + data_dir + " exists and is not empty");
  }
  std::filesystem::create_directories(data_dir, ec);
  std::filesystem::copy(backup_dir, data_dir, std::filesystem::copy_options::recursive, ec);
  auto cleanup = [&](Error e) -> Result<Head> {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir, ignored);
    return std::unexpected(std::move(e));
  };
  if (ec)
    return cleanup(
        {kIoError, "copying " + backup_dir + " to " + data_dir + ": " + ec.message(), {}});
  Options o;
  o.path = data_dir;
  auto log = EventLog::Open(o);
  if (!log) return cleanup(log.error());
  auto v = (*log)->Verify();
  if (!v) return cleanup(v.error());
  if (!v->ok) return cleanup({kCorruption, "restored store fails verify: " + v->message, {}});
  return v->head;
}

Result<std::vector<v1::ContractState>> EventLog::ListContractsAt(
    const std::string& after_id, size_t limit, std::optional<Date> as_of,
    std::optional<Micros> known_at) const {
  if (!as_of && !known_at) return ListContracts(after_id, limit);
  std::vector<v1::ContractState> out;
  std::string after = after_id;
  while (out.size() < limit) {
    auto page = ListContracts(after, 256);
    if (!page) return std::unexpected(page.error());
    for (const auto& current : *page) {
      after = current.contract_id();
      if (out.size() == limit) break;
      auto s = GetStateAt(current.contract_id(), as_of, known_at);
      if (!s) {
        if (s.error().code == kNotFound) continue;
        return std::unexpected(s.error());
      }
      out.push_back(std::move(*s));
    }
    if (page->size() < 256) break;
  }
  return out;
}

Result<VerifyReport> EventLog::Verify(std::optional<Head> digest, bool views) const {
  VerifyReport report;
  if (digest) {
    report.digest_ok = false;
    report.digest_message = "the log ends before sequence " + std::to_string(digest->sequence);
  }
  report.head = Head{0, ZeroHash()};
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEventsIdx]));
  std::string prev = ZeroHash();
  uint64_t expect = 1;
  Micros prev_recorded_at = 0;
  auto bad = [&](uint64_t seq, std::string why) {
    report.ok = false;
    report.first_bad_sequence = seq;
    report.message = "sequence " + std::to_string(seq) + ": " + why;
    if (digest && seq <= digest->sequence) {
      report.digest_ok = false;
      report.digest_message = "the chain breaks at sequence " + std::to_string(seq) +
                              ", inside the digest's prefix (up to " +
                              std::to_string(digest->sequence) + ")";
    }
    return report;
  };
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    if (it->key().size() != 8) return bad(expect, "malformed key");
    const uint64_t seq = fmt_::DecodeBe64(it->key().ToStringView());
    if (seq != expect) {
      return bad(expect, "missing; the next stored event is " + std::to_string(seq));
    }
    v1::StoredEvent stored;
    v1::EventRecord rec;
    if (!stored.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) ||
        !rec.ParseFromString(stored.record())) {
      return bad(seq, "stored bytes cannot be decoded");
    }
    if (rec.sequence() != seq)
      return bad(seq, "record claims sequence " + std::to_string(rec.sequence()));
    if (rec.prev_hash() != prev)
      return bad(seq, "prev_hash does not match the previous event's hash");
    const std::string h = ChainHash(prev, stored.record());
    if (h != stored.hash())
      return bad(seq, "hash mismatch: stored " + stored.hash() + ", computed " + h);
    if (rec.recorded_at_us() < prev_recorded_at) {
      return bad(seq, "recorded_at " + FormatRfc3339(rec.recorded_at_us()) +
                          " is earlier than the previous event's " +
                          FormatRfc3339(prev_recorded_at) + ": record times never go back");
    }
    prev_recorded_at = rec.recorded_at_us();
    prev = h;
    report.events_checked++;
    report.head = Head{seq, h};
    if (digest && seq == digest->sequence) {
      report.digest_ok = h == digest->hash;
      report.digest_message = *report.digest_ok
                                  ? "digest " + std::to_string(seq) + ":" +
                                        digest->hash.substr(0, 16) + "... is a prefix of the log"
                                  : "sequence " + std::to_string(seq) + " now hashes to " + h +
                                        ", not the digest's " + digest->hash +
                                        ": the log was rewritten at or before it";
    }
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading the log"));
  report.message = "chain intact: " + std::to_string(report.events_checked) + " events";
  if (views) {
    if (auto r = VerifyViews(&report); !r) return std::unexpected(r.error());
  }
  return report;
}

Result<void> EventLog::VerifyViews(VerifyReport* report) const {
  report->views_ok = true;
  auto differ = [&](const std::string& id, std::string why) -> Result<void> {
    report->views_ok = false;
    report->first_bad_contract = id;
    report->views_message = "contract " + id + ": " + why;
    return {};
  };
  // The contracts the log holds, in id order.
  std::set<std::string> ids;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kEventsIdx]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto ev = DecodeStored(fmt_::DecodeBe64(it->key().ToStringView()), it->value());
      if (!ev) return std::unexpected(ev.error());
      ids.insert(ev->record.contract_id());
    }
    if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading the log"));
  }
  // Every state the view holds belongs to a contract of the log.
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kStateIdx]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!ids.contains(it->key().ToString())) {
        return differ(it->key().ToString(), "the state view holds it; the log has no event of it");
      }
    }
    if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading states"));
  }
  // Each contract: its state as the views answer it, replayed from its events, and its alerts
  // entry. Appends may go on meanwhile: the state is read first, the events after it (replayed
  // up to the state's version), and a contract that moved while it was checked is checked again.
  auto check = [&](const std::string& id, std::string* alert_key) -> Result<std::string> {
    std::string why;
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto viewed = LoadState(id);
      if (!viewed) return "its state cannot be read: " + viewed.error().message;
      if (!*viewed) return std::string("the state view has no entry for it");
      auto read = ReadContract(id);
      if (!read) return std::unexpected(read.error());
      std::vector<v1::EventRecord> records;
      why.clear();
      for (auto& e : *read) {
        if (e.record.version() > (*viewed)->version()) break;
        if (e.record.version() != records.size() + 1) {
          why = "the streams index lists version " + std::to_string(e.record.version()) +
                " where version " + std::to_string(records.size() + 1) + " belongs";
          break;
        }
        std::string seq;
        auto st =
            db_->Get(rocksdb::ReadOptions(), handles_[kEventIdsIdx], e.record.event_id(), &seq);
        if (!st.ok() || seq.size() != 8 || fmt_::DecodeBe64(seq) != e.record.sequence()) {
          why = "the event id index does not lead to event " + e.record.event_id() +
                " at sequence " + std::to_string(e.record.sequence());
          break;
        }
        records.push_back(std::move(e.record));
      }
      if (!why.empty()) return why;
      auto replayed = lifecycle::Replay(records, options_.rules);
      if (!replayed) return "its events no longer replay: " + replayed.error().message;
      std::string key, value, stored;
      SetAlert(*replayed, &key, &value);
      if (!google::protobuf::util::MessageDifferencer::Equals(*replayed, **viewed)) {
        google::protobuf::util::MessageDifferencer d;
        d.ReportDifferencesToString(&why);
        d.Compare(*replayed, **viewed);
        if (why.size() > 300) why.resize(300);
        why = "the state view differs from a replay of its events: " + why;
      } else if (!key.empty()) {
        auto st = db_->Get(rocksdb::ReadOptions(), handles_[kAlertsIdx], key, &stored);
        if (!st.ok() || stored != value) why = "its alerts index entry differs from a replay";
      }
      auto now = LoadState(id);
      const bool moved = now && *now && (*now)->version() != (*viewed)->version();
      if (why.empty() || !moved) {
        *alert_key = key;
        return why;
      }
    }
    return why;
  };
  std::set<std::string> alert_keys;
  for (const auto& id : ids) {
    std::string key;
    auto why = check(id, &key);
    if (!why) return std::unexpected(why.error());
    if (!why->empty()) return differ(id, *why);
    if (!key.empty()) alert_keys.insert(key);
    report->contracts_checked++;
  }
  // No alerts entry beyond those: a contract whose entry is not the one checked is checked again
  // (it may have moved since).
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kAlertsIdx]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (alert_keys.contains(key)) continue;
    const std::string id = key.size() > 6 ? key.substr(6) : key;
    std::string now_key;
    auto why = check(id, &now_key);
    if (!why) return std::unexpected(why.error());
    if (!why->empty()) return differ(id, *why);
    std::string still;
    if (now_key != key &&
        db_->Get(rocksdb::ReadOptions(), handles_[kAlertsIdx], key, &still).ok()) {
      return differ(id, "the alerts index holds an entry a replay does not give");
    }
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading alerts"));
  report->views_message =
      "views agree with the log: " + std::to_string(report->contracts_checked) + " contracts";
  return {};
}

Result<void> EventLog::Rebuild() {
  DisablePerfCounters();
  std::lock_guard l(mu_);
  {
    std::lock_guard c(cache_mu_);
    cache_.clear();
  }
  // Drop and recreate every derived column family.
  for (size_t idx : {kStreamsIdx, kEventIdsIdx, kStateIdx, kAlertsIdx}) {
    rocksdb::ColumnFamilyDescriptor desc;  // the family's options: memtable, prefix, filters
    auto s = handles_[idx]->GetDescriptor(&desc);
    if (!s.ok()) return std::unexpected(FromStatus(s, "describing a view"));
    s = db_->DropColumnFamily(handles_[idx]);
    if (!s.ok()) return std::unexpected(FromStatus(s, "dropping a view"));
    db_->DestroyColumnFamilyHandle(handles_[idx]);
    handles_[idx] = nullptr;
    s = db_->CreateColumnFamily(desc.options, desc.name, &handles_[idx]);
    if (!s.ok()) return std::unexpected(FromStatus(s, "recreating view " + desc.name));
  }

  constexpr size_t kChunk = 16384;
  std::unordered_map<std::string, v1::ContractState> states;  // touched in this chunk
  rocksdb::WriteBatch batch;
  auto flush = [&]() -> Result<void> {
    for (const auto& [id, st] : states) batch.Put(handles_[kStateIdx], id, Serialize(st));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    auto s = db_->Write(wo, &batch);
    if (!s.ok()) return std::unexpected(FromStatus(s, "writing rebuilt views"));
    batch.Clear();
    states.clear();
    return {};
  };

  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEventsIdx]));
  size_t in_chunk = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t seq = fmt_::DecodeBe64(it->key().ToStringView());
    auto ev = DecodeStored(seq, it->value());
    if (!ev) return std::unexpected(ev.error());
    const auto& rec = ev->record;
    const std::string seq_key = it->key().ToString();
    if (rec.body().has_correction()) {
      // A correction replays its contract: its earlier events must be readable from the views.
      if (auto r = flush(); !r) return r;
      in_chunk = 0;
    }
    auto it_state = states.find(rec.contract_id());
    std::optional<v1::ContractState> prev;
    if (it_state != states.end()) {
      prev = it_state->second;
    } else {
      auto loaded = LoadState(rec.contract_id());
      if (!loaded) return std::unexpected(loaded.error());
      prev = std::move(*loaded);
    }
    std::vector<v1::EventRecord> prior;
    if (rec.body().has_correction()) {
      auto p = LoadRecords(rec.contract_id(), nullptr);
      if (!p) return std::unexpected(p.error());
      prior = std::move(*p);
    }
    auto next = lifecycle::Next(prev ? &*prev : nullptr, rec, prior, options_.rules);
    if (!next) {
      return Fail(next.error().code, "rebuild: event " + std::to_string(seq) +
                                         " no longer applies: " + next.error().message);
    }
    states[rec.contract_id()] = std::move(*next);
    batch.Put(handles_[kStreamsIdx], fmt_::StreamKey(rec.contract_id(), rec.version()), seq_key);
    batch.Put(handles_[kEventIdsIdx], rec.event_id(), seq_key);
    if (++in_chunk == kChunk) {
      if (auto r = flush(); !r) return r;
      in_chunk = 0;
    }
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading the log"));
  if (auto r = flush(); !r) return r;

  // The alerts index, from the final states.
  std::unique_ptr<rocksdb::Iterator> st(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kStateIdx]));
  for (st->SeekToFirst(); st->Valid(); st->Next()) {
    v1::ContractState state;
    if (!state.ParseFromArray(st->value().data(), static_cast<int>(st->value().size()))) {
      return Fail(kCorruption, "state of " + st->key().ToString() + " is unreadable");
    }
    UpdateAlertIndex(&batch, handles_[kAlertsIdx], nullptr, state);
    if (batch.Count() >= kChunk) {
      if (auto r = flush(); !r) return r;
    }
  }
  if (!st->status().ok()) return std::unexpected(FromStatus(st->status(), "reading states"));
  return flush();
}

Result<v1::ContractState> EventLog::GetStateAt(const std::string& contract_id,
                                               std::optional<Date> as_of,
                                               std::optional<Micros> known_at) const {
  if (!as_of && !known_at) return GetState(contract_id);
  if (auto r = ValidateContractId(contract_id); !r) return std::unexpected(r.error());
  auto records = LoadRecords(contract_id, nullptr);
  if (!records) return std::unexpected(records.error());
  if (records->empty()) return Fail(kNotFound, "no contract " + contract_id);
  const auto events = lifecycle::EventsAsOf(*records, as_of, known_at);
  if (events.empty()) {
    return Fail(kNotFound, "contract " + contract_id + " had no events" +
                               (as_of ? " effective by " + FormatDate(*as_of) : "") +
                               (known_at ? " recorded by " + FormatRfc3339(*known_at) : ""));
  }
  auto state = lifecycle::Replay(events, options_.rules);
  if (!state) {
    return Fail(state.error().code, "the state of " + contract_id +
                                        " at that time breaks a rule: " + state.error().message);
  }
  return state;
}

Result<AlertsResult> EventLog::Alerts(Date as_of, int within_days,
                                      const std::string& authority) const {
  if (within_days < 0 || within_days > 3650) {
    return Fail(kInvalidArgument,
                "within_days is " + std::to_string(within_days) + "; it must be 0..3650");
  }
  AlertsResult out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kAlertsIdx]));
  const int64_t a = as_of.time_since_epoch().count();
  // Every position the iterator lands on is one entry read. Per lead time L the entries listed
  // are exactly those with end in [a - within_days, a + within_days + L]; reaching them costs
  // one seek, leaving them one more read.
  for (it->SeekToFirst(); it->Valid();) {
    ++out.index_entries_read;
    const auto key = it->key().ToStringView();
    if (key.size() < 6) return Fail(kCorruption, "malformed alerts index key");
    const uint16_t lead =
        static_cast<uint16_t>(static_cast<uint8_t>(key[0]) << 8 | static_cast<uint8_t>(key[1]));
    const int64_t end = static_cast<int64_t>(fmt_::DecodeBe32(key.substr(2))) - fmt_::kDayOffset;
    const int64_t lo = a - within_days, hi = a + within_days + lead;
    if (end < lo) {
      it->Seek(fmt_::AlertKey(lead, lo, ""));
      continue;
    }
    if (end > hi) {
      if (lead == 0xffff) break;
      it->Seek(fmt_::AlertPrefix(static_cast<uint16_t>(lead + 1)));
      continue;
    }
    v1::AlertIndexEntry entry;
    if (!entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Fail(kCorruption,
                  "alerts index entry for " + std::string(key.substr(6)) + " is unreadable");
    }
    if (authority.empty() || entry.authority() == authority) {
      if (auto alert = lifecycle::AlertOn(entry, as_of, within_days)) {
        out.alerts.push_back(std::move(*alert));
      }
    }
    it->Next();
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading alerts"));
  // Sort small keys, then move each alert once. Deadlines are FormatDate output (years 1900 -
  // 2999 less a lead time: always YYYY-MM-DD), compared as the number YYYYMMDD.
  struct SortKey {
    int32_t deadline;
    std::string_view contract_id;
    size_t index;
  };
  auto day_number = [](std::string_view d) {
    int32_t n = 0;
    for (char c : d) {
      if (c >= '0' && c <= '9') n = n * 10 + (c - '0');
    }
    return n;
  };
  std::vector<SortKey> keys;
  keys.reserve(out.alerts.size());
  for (size_t i = 0; i < out.alerts.size(); ++i) {
    keys.push_back({day_number(out.alerts[i].deadline()), out.alerts[i].contract_id(), i});
  }
  std::sort(keys.begin(), keys.end(), [](const SortKey& x, const SortKey& y) {
    if (x.deadline != y.deadline) return x.deadline < y.deadline;
    return x.contract_id < y.contract_id;
  });
  std::vector<v1::Alert> sorted;
  sorted.reserve(out.alerts.size());
  for (const auto& k : keys) sorted.push_back(std::move(out.alerts[k.index]));
  out.alerts = std::move(sorted);
  return out;
}

Result<Head> ParseDigest(const std::string& text) {
  const size_t colon = text.find(':');
  uint64_t seq = 0;
  const char* end = text.data() + (colon == std::string::npos ? 0 : colon);
  auto [p, ec] = std::from_chars(text.data(), end, seq);
  if (colon == std::string::npos || ec != std::errc() || p != end || seq == 0 ||
      text.size() - colon - 1 != 64 ||
      text.find_first_not_of("0123456789abcdef", colon + 1) != std::string::npos) {
    return Fail(kInvalidArgument, "digest: \"" + text.substr(0, 100) +
                                      "\" is not SEQUENCE:HASH (a sequence and 64 lower-case hex "
                                      "digits, as verify reports them)");
  }
  return Head{seq, text.substr(colon + 1)};
}

v1::AlertsResponse ToAlertsResponse(Date as_of, int within_days, AlertsResult result) {
  v1::AlertsResponse resp;
  resp.set_as_of(FormatDate(as_of));
  resp.set_within_days(within_days);
  resp.set_index_entries_read(result.index_entries_read);
  for (auto& a : result.alerts) *resp.add_alerts() = std::move(a);
  return resp;
}

v1::VerifyResponse ToVerifyResponse(const VerifyReport& r) {
  v1::VerifyResponse v;
  v.set_ok(r.ok);
  v.set_events_checked(r.events_checked);
  v.set_head_sequence(r.head.sequence);
  v.set_head_hash(r.head.hash);
  if (r.first_bad_sequence) v.set_first_bad_sequence(*r.first_bad_sequence);
  v.set_message(r.message);
  if (r.digest_ok) {
    v.set_digest_ok(*r.digest_ok);
    v.set_digest_message(r.digest_message);
  }
  if (r.views_ok) {
    v.set_views_ok(*r.views_ok);
    v.set_contracts_checked(r.contracts_checked);
    v.set_first_bad_contract(r.first_bad_contract);
    v.set_views_message(r.views_message);
  }
  return v;
}

v1::HistoryEntry ToHistoryEntry(const LoggedEvent& e, bool retracted) {
  v1::HistoryEntry h;
  const auto& r = e.record;
  h.set_sequence(r.sequence());
  h.set_contract_id(r.contract_id());
  h.set_version(r.version());
  h.set_event_id(r.event_id());
  h.set_type(r.type());
  h.set_effective_date(r.effective_date());
  h.set_recorded_at(FormatRfc3339(r.recorded_at_us()));
  h.set_recorded_by(r.recorded_by());
  h.set_prev_hash(r.prev_hash());
  h.set_hash(e.hash);
  h.set_retracted(retracted);
  *h.mutable_body() = r.body();
  return h;
}

}  // namespace contrack::storage

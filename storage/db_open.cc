// Opening a store: RocksDB options, column families, the format version, the head.
#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <filesystem>

#include "storage/chain.h"
#include "storage/log_impl.h"
#include "storage/wal_file.h"

namespace contrack::storage {
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

Result<void> LogImpl::OpenDb() {
  if (options_.state_every == 0) return Fail(kInvalidArgument, "state_every must be at least 1");
  if (options_.waiver_award_days < 0 || options_.waiver_award_days > 3650) {
    return Fail(kInvalidArgument, "waiver_award_days is " +
                                      std::to_string(options_.waiver_award_days) +
                                      "; it must be 0..3650");
  }
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
  s = db_->Get(rocksdb::ReadOptions(), handles_[0], format::kFormatVersionKey, &version);
  if (s.IsNotFound() && options_.read_only) {
    return Fail(kCorruption, options_.path + " is not a contrack store");
  }
  if (!s.ok() && !s.IsNotFound()) return std::unexpected(FromStatus(s, "reading format version"));
  // Formats 2, 3 and 4 differ from 5 in their alerts index alone (keys without a kind, expiries
  // only, no notices): opened for writing, the index is rebuilt from the states and the store
  // marked 5, so older builds refuse it. A format-2 store's states are all current, which format 3
  // and later read as states trailing by nothing. Opened read-only, such a store cannot be upgraded
  // and is refused with what to do.
  const bool upgrade = s.ok() && (version == format::kFormatVersionCurrentStates ||
                                  version == format::kFormatVersionExpiryAlerts ||
                                  version == format::kFormatVersionKindAlerts);
  if (upgrade && options_.read_only) {
    return Fail(kCorruption, options_.path + " has store format " + version +
                                 ", whose alerts index this build does not read; open it once "
                                 "for writing (contrack --data DIR rebuild, or contrackd) to "
                                 "rebuild the index and bring it to format " +
                                 std::string(format::kFormatVersion));
  }
  if (upgrade) {
    Log()->info("{}: store format {}: rebuilding the alerts index for format {}", options_.path,
                version, format::kFormatVersion);
    if (auto r = RebuildAlertsIndex(); !r) return r;
  }
  if (s.IsNotFound() || upgrade) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db_->Put(wo, handles_[0], format::kFormatVersionKey, format::kFormatVersion);
    if (!s.ok()) return std::unexpected(FromStatus(s, "writing format version"));
  } else if (version != format::kFormatVersion) {
    return Fail(kCorruption, options_.path + " has store format " + version +
                                 "; this build reads " + std::string(format::kFormatVersion));
  }

  // The head is the last event of the log.
  head_ = Head{0, ZeroHash()};
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEventsIdx]));
  it->SeekToLast();
  if (it->Valid()) {
    const uint64_t seq = format::DecodeBe64(it->key().ToStringView());
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

}  // namespace contrack::storage

// The options a store is opened with: its directory, the lifecycle rules, and the bounds on its
// memory and write groups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "domain/lifecycle.h"

namespace contrack::storage {

struct Options {
  std::string path;  // the database directory; created when missing
  domain::Rules rules;
  // Memory is bounded by these three, whatever the log's size: the block cache (data, index and
  // filter blocks), the memtables of all column families together, and the state cache.
  size_t block_cache_bytes = 64u << 20;
  size_t write_buffer_bytes = 128u << 20;
  size_t max_group_bytes = 4u << 20;  // a group commit stops growing past this much payload
  size_t max_events_per_append = 1000;
  bool read_only = false;  // open without taking writes (offline readers)
  // Decoded contract states the write path keeps in memory, so an append to a recently
  // written contract reads no state from the store.
  size_t state_cache_entries = 32768;
  // The `state` view is rewritten when an append takes a contract this many versions past the
  // state stored for it (and at its first append and at corrections), so it may trail the
  // contract by up to state_every - 1 versions; readers fold those newer events into it from
  // `streams` (docs/storage-format.md). 1: every append rewrites the state. The state put was a
  // fifth of an append's CPU (docs/performance.md). Any value reads any store.
  uint32_t state_every = 4;
  // A waiver this many days old with no award raises a waiver_without_award alert
  // (domain/alerts.h). Read by the alerts query only: the index keys the waiver's date, so any
  // value reads any store.
  int waiver_award_days = domain::kDefaultWaiverAwardDays;
  // The write-ahead log grows this many bytes at a time into zeros written ahead of its data, so
  // a synced append overwrites space the file already has and its fdatasync writes no metadata
  // (storage/wal_file.h). 0: RocksDB's own log files, which grow with every append.
  uint64_t wal_prefill_bytes = 1u << 20;
};

// Reads an authorities file (domain::LoadAuthorities) into `rules`. Errors: io_error when the
// file cannot be read, invalid_argument naming what is wrong in it.
[[nodiscard]] Result<void> LoadAuthoritiesFile(const std::string& path, domain::Rules* rules);

}  // namespace contrack::storage

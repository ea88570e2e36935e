// Write-ahead log files that grow into space already written with zeros, so that a synced append
// is a data-only fdatasync.
//
// RocksDB appends each group of events to the end of its write-ahead log and then calls
// fdatasync. Because every append extends the file, each fdatasync must also commit the file's
// new size and block allocation (on ext4, a journal commit): about three device writes per sync
// and twice the latency of overwriting blocks the file already has. The file system returned
// here hands RocksDB write-ahead log files (`NNNNNN.log`) that extend themselves `chunk_bytes`
// at a time by writing zeros past the data, and write RocksDB's appends over those zeros: the
// size and the allocation change once per chunk, not once per sync. RocksDB's log reader takes
// zeros after the last record as the end of the log (they read as zero-length padding records,
// which it skips without reporting), so a log left with its zero tail by a crash recovers like
// one that ends at its data. A cleanly closed log is cut back to its data. Every other file goes
// to `base` untouched. See docs/storage-format.md ("The write-ahead log").
//
// The FileSystem is safe for concurrent use; each file it opens is used by one RocksDB writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

namespace rocksdb {
class Env;
class FileSystem;
}  // namespace rocksdb

namespace contrack::storage {

// Returns a FileSystem that writes RocksDB's write-ahead logs as described above and passes
// everything else to `base`. REQUIRES: chunk_bytes > 0.
std::shared_ptr<rocksdb::FileSystem> NewPrefilledWalFileSystem(
    std::shared_ptr<rocksdb::FileSystem> base, uint64_t chunk_bytes);

// An Env for rocksdb::Options::env: the default Env's threads and clock over
// NewPrefilledWalFileSystem(FileSystem::Default(), chunk_bytes). Must outlive the DB.
// REQUIRES: chunk_bytes > 0.
std::unique_ptr<rocksdb::Env> NewPrefilledWalEnv(uint64_t chunk_bytes);

// True for the name of a RocksDB write-ahead log file: digits, then ".log" (any directory).
bool IsWalFileName(std::string_view path);

}  // namespace contrack::storage

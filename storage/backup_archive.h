// Streamed backups: a consistent checkpoint of a running store, staged inside its own data
// directory and read back as a POSIX ustar archive (BackupArchive); and the extraction of such an
// archive into a new directory, refusing any entry that would land outside it (TarExtractor).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"
#include "storage/event_log.h"

namespace contrack::storage {

inline constexpr size_t kTarBlock = 512;
// The largest file a ustar entry can hold: 11 octal digits of size.
inline constexpr uint64_t kTarMaxFileBytes = (uint64_t{1} << 33) - 1;

// The 512-byte ustar header of a regular file `name` (relative, at most 100 bytes) of `size`
// bytes, with mode `mode` and modification time `mtime` (seconds since the epoch).
[[nodiscard]] Result<std::string> TarFileHeader(std::string_view name, uint64_t size, uint32_t mode,
                                                int64_t mtime);

// The directory, inside the data directory, where a running store stages streamed backups
// (`<data>/.backups`; RocksDB ignores names it did not write). Each backup is a `tmp-XXXXXX`
// directory in it, removed once sent.
std::string BackupStagingDir(const std::string& data_dir);

// Removes the staging directories an earlier process left (it stopped while sending a backup).
// Returns how many it removed.
[[nodiscard]] Result<size_t> RemoveBackupLeftovers(const std::string& data_dir);

// A consistent checkpoint of `log`, taken while appends go on, read back as a tar archive of its
// files (names relative, mode 0600). The checkpoint's directory is created 0700 under
// BackupStagingDir and removed by the destructor. Not safe for concurrent use; Read may be called
// from any one thread at a time.
class BackupArchive {
 public:
  // Errors (io_error, storage_full, ...) name server paths: log them, do not send them.
  [[nodiscard]] static Result<std::unique_ptr<BackupArchive>> Create(const EventLog& log);
  ~BackupArchive();
  BackupArchive(const BackupArchive&) = delete;
  BackupArchive& operator=(const BackupArchive&) = delete;

  // The head the checkpoint holds.
  const Head& head() const { return head_; }
  // The archive's length in bytes.
  uint64_t size() const { return size_; }
  // Appends the next bytes of the archive, at most `max`, to *out; appends nothing at the end.
  [[nodiscard]] Result<void> Read(size_t max, std::string* out);
  bool done() const { return offset_ == size_; }

 private:
  struct Entry {
    std::string name;
    uint64_t size = 0;
  };
  BackupArchive() = default;

  std::string staging_;     // the tmp-XXXXXX directory, removed by the destructor
  std::string checkpoint_;  // staging_/checkpoint
  Head head_;
  std::vector<Entry> entries_;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;        // bytes read so far
  size_t entry_ = 0;           // the entry being read
  uint64_t entry_offset_ = 0;  // bytes of entries_[entry_] (header, data, padding) read
  int fd_ = -1;                // entries_[entry_]'s file while its data is read
};

// Writes the entries of a ustar archive, fed in pieces of any size, into a directory: regular
// files (0600) and directories (0700) only. Refuses an absolute name, a `..` component, a link or
// device entry, a bad checksum and a name given twice.
class TarExtractor {
 public:
  // `dir` must not exist (it is created 0700) or be an empty directory.
  [[nodiscard]] static Result<std::unique_ptr<TarExtractor>> Create(const std::string& dir);
  ~TarExtractor();
  TarExtractor(const TarExtractor&) = delete;
  TarExtractor& operator=(const TarExtractor&) = delete;

  [[nodiscard]] Result<void> Write(std::string_view bytes);
  // Checks the archive ended (its end-of-archive block arrived) and syncs the directory.
  [[nodiscard]] Result<void> Finish();
  // Removes what this extractor wrote (and `dir` itself when it created it).
  void Discard();

  uint64_t files() const { return files_; }
  uint64_t bytes() const { return bytes_; }

 private:
  explicit TarExtractor(std::string dir) : dir_(std::move(dir)) {}
  Result<void> StartEntry(const char* header);
  Result<void> CloseFile();

  std::string dir_;
  bool created_dir_ = false;
  std::vector<std::string> written_;  // relative names of created files and directories
  std::string header_;                // a header block being gathered
  uint64_t data_left_ = 0;            // bytes of the current file still to come
  uint64_t pad_left_ = 0;             // padding after it
  std::string current_;               // the current file's relative name
  int fd_ = -1;
  bool ended_ = false;  // the end-of-archive block arrived
  uint64_t files_ = 0;
  uint64_t bytes_ = 0;  // archive bytes taken
};

}  // namespace contrack::storage

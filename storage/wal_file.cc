// Write-ahead log files that grow into zeros (see wal_file.h).
#include "storage/wal_file.h"

#include <fcntl.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace contrack::storage {
namespace {

using rocksdb::FileOptions;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

IOStatus ErrnoStatus(const std::string& context, int err) {
  if (err == ENOSPC) return IOStatus::NoSpace(context, std::strerror(err));
  return IOStatus::IOError(context, std::strerror(err));
}

// Writes all of [data, data + n) at `offset`; 0 or an errno.
int PwriteAll(int fd, const char* data, size_t n, uint64_t offset) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return 0;
}

// The logs open for writing and the length of their data, so that the file system reports a
// log's data, not its zeros, to RocksDB (a checkpoint copies a live log up to the size it is
// told). Safe for concurrent use.
class OpenLogs {
 public:
  void Add(const std::string& path, const std::atomic<uint64_t>* size) {
    std::lock_guard l(mu_);
    sizes_[path] = size;
  }
  void Remove(const std::string& path, const std::atomic<uint64_t>* size) {
    std::lock_guard l(mu_);
    auto it = sizes_.find(path);
    if (it != sizes_.end() && it->second == size) sizes_.erase(it);
  }
  // The data length of `path` if it is open for writing here.
  std::optional<uint64_t> Size(const std::string& path) const {
    std::lock_guard l(mu_);
    auto it = sizes_.find(path);
    if (it == sizes_.end()) return std::nullopt;
    return it->second->load(std::memory_order_acquire);
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, const std::atomic<uint64_t>*> sizes_;  // guarded by mu_
};

// A write-ahead log file. RocksDB's data goes at `size_`; the file is physically `allocated_`
// bytes long, and [size_, allocated_) holds zeros. Used by one RocksDB log writer at a time;
// Sync may also come from the thread that syncs the log (IsSyncThreadSafe).
class PrefilledWalFile : public FSWritableFile {
 public:
  PrefilledWalFile(std::string path, int fd, uint64_t chunk_bytes, const FileOptions& options,
                   std::shared_ptr<OpenLogs> open_logs)
      : FSWritableFile(options),
        path_(std::move(path)),
        fd_(fd),
        chunk_(chunk_bytes),
        open_logs_(std::move(open_logs)) {
    open_logs_->Add(path_, &size_);
  }
  ~PrefilledWalFile() override {
    if (fd_ >= 0) (void)CloseFile();
    open_logs_->Remove(path_, &size_);
  }
  PrefilledWalFile(const PrefilledWalFile&) = delete;
  PrefilledWalFile& operator=(const PrefilledWalFile&) = delete;

  using FSWritableFile::Append;
  IOStatus Append(const Slice& data, const IOOptions&, IODebugContext*) override {
    const uint64_t at = size_.load(std::memory_order_relaxed);
    if (at + data.size() > allocated_) Extend(at + data.size());
    if (int err = PwriteAll(fd_, data.data(), data.size(), at)) {
      return ErrnoStatus("While appending to " + path_, err);
    }
    size_.store(at + data.size(), std::memory_order_release);
    allocated_ = std::max(allocated_, at + data.size());
    return IOStatus::OK();
  }

  IOStatus Truncate(uint64_t size, const IOOptions&, IODebugContext*) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return ErrnoStatus("While truncating " + path_, errno);
    }
    size_.store(size, std::memory_order_release);
    allocated_ = size;
    return IOStatus::OK();
  }

  IOStatus Close(const IOOptions&, IODebugContext*) override { return CloseFile(); }

  // Nothing is buffered here: RocksDB's WritableFileWriter buffers above this file.
  IOStatus Flush(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }

  IOStatus Sync(const IOOptions&, IODebugContext*) override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("While fdatasync " + path_, errno);
    return IOStatus::OK();
  }

  IOStatus Fsync(const IOOptions&, IODebugContext*) override {
    if (::fsync(fd_) != 0) return ErrnoStatus("While fsync " + path_, errno);
    return IOStatus::OK();
  }

  bool IsSyncThreadSafe() const override { return true; }

  uint64_t GetFileSize(const IOOptions&, IODebugContext*) override {
    return size_.load(std::memory_order_relaxed);
  }

 private:
  // Writes zeros from allocated_ up to `need` rounded up to a whole chunk. A failure (a full
  // disk) is not an error here: the file stays as it was and the append writes past its end,
  // as an ordinary file would, and reports that write's own error.
  void Extend(uint64_t need) {
    static const char kZeros[1 << 16] = {};
    const uint64_t target = (need + chunk_ - 1) / chunk_ * chunk_;
    uint64_t at = allocated_;
    while (at < target) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof(kZeros), target - at));
      if (PwriteAll(fd_, kZeros, n, at) != 0) {
        (void)::ftruncate(fd_, static_cast<off_t>(allocated_));
        return;
      }
      at += n;
    }
    allocated_ = target;
  }

  // Cuts the zeros off: a log closed cleanly ends at its data.
  IOStatus CloseFile() {
    IOStatus s;
    const uint64_t size = size_.load(std::memory_order_relaxed);
    if (allocated_ > size && ::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      s = ErrnoStatus("While truncating " + path_, errno);
    }
    if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus("While closing " + path_, errno);
    fd_ = -1;
    return s;
  }

  const std::string path_;
  int fd_;
  const uint64_t chunk_;
  const std::shared_ptr<OpenLogs> open_logs_;
  std::atomic<uint64_t> size_ = 0;  // RocksDB's bytes; read by OpenLogs::Size
  uint64_t allocated_ = 0;          // the file's length: RocksDB's bytes, then zeros
};

class PrefilledWalFileSystem : public rocksdb::FileSystemWrapper {
 public:
  PrefilledWalFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base, uint64_t chunk_bytes)
      : FileSystemWrapper(base), chunk_(chunk_bytes) {}

  const char* Name() const override { return "ContrackPrefilledWalFileSystem"; }

  IOStatus NewWritableFile(const std::string& f, const FileOptions& options,
                           std::unique_ptr<FSWritableFile>* r, IODebugContext* dbg) override {
    if (!IsWalFileName(f) || options.use_direct_writes || options.use_mmap_writes) {
      return target()->NewWritableFile(f, options, r, dbg);
    }
    const int fd = ::open(f.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("While open a file for appending: " + f, errno);
    *r = std::make_unique<PrefilledWalFile>(f, fd, chunk_, options, open_logs_);
    return IOStatus::OK();
  }

  // A log open for writing is as long as its data (RocksDB sizes the copy of a live log in a
  // checkpoint by this).
  IOStatus GetFileSize(const std::string& f, const IOOptions& options, uint64_t* size,
                       IODebugContext* dbg) override {
    if (IsWalFileName(f)) {
      if (auto n = open_logs_->Size(f)) {
        *size = *n;
        return IOStatus::OK();
      }
    }
    return target()->GetFileSize(f, options, size, dbg);
  }

  IOStatus GetChildrenFileAttributes(const std::string& dir, const IOOptions& options,
                                     std::vector<rocksdb::FileAttributes>* result,
                                     IODebugContext* dbg) override {
    IOStatus s = target()->GetChildrenFileAttributes(dir, options, result, dbg);
    if (!s.ok()) return s;
    for (auto& a : *result) {
      if (!IsWalFileName(a.name)) continue;
      if (auto n = open_logs_->Size(dir + "/" + a.name)) a.size_bytes = *n;
    }
    return s;
  }

 private:
  const uint64_t chunk_;
  const std::shared_ptr<OpenLogs> open_logs_ = std::make_shared<OpenLogs>();
};

}  // namespace

bool IsWalFileName(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  constexpr std::string_view kSuffix = ".log";
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return false;
  const std::string_view stem = name.substr(0, name.size() - kSuffix.size());
  return std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::shared_ptr<rocksdb::FileSystem> NewPrefilledWalFileSystem(
    std::shared_ptr<rocksdb::FileSystem> base, uint64_t chunk_bytes) {
  return std::make_shared<PrefilledWalFileSystem>(base, chunk_bytes);
}

std::unique_ptr<rocksdb::Env> NewPrefilledWalEnv(uint64_t chunk_bytes) {
  return rocksdb::NewCompositeEnv(
      NewPrefilledWalFileSystem(rocksdb::FileSystem::Default(), chunk_bytes));
}

}  // namespace contrack::storage

// Backup (a RocksDB checkpoint) and restore.
#include <rocksdb/utilities/checkpoint.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "storage/log_impl.h"

namespace contrack::storage {
Result<Head> LogImpl::Backup(const std::string& dir) const {
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
  auto copy = LogImpl::Open(o);
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
  auto log = LogImpl::Open(o);
  if (!log) return cleanup(log.error());
  auto v = (*log)->Verify();
  if (!v) return cleanup(v.error());
  if (!v->ok) return cleanup({kCorruption, "restored store fails verify: " + v->message, {}});
  return v->head;
}

}  // namespace contrack::storage

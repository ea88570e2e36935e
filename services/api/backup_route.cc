// GET /v1/admin/backup: a consistent checkpoint of the store streamed as a tar archive
// (docs/api.md).
#include <spdlog/spdlog.h>

#include "services/api/api.h"
#include "services/api/api_internal.h"
#include "storage/backup_archive.h"

namespace contrack::api {

namespace {

constexpr size_t kBackupPieceBytes = 256u << 10;

// A BackupArchive read out on the worker pool, one piece per Next.
class ArchiveStream : public BodyStream, public std::enable_shared_from_this<ArchiveStream> {
 public:
  ArchiveStream(std::unique_ptr<storage::BackupArchive> archive, net::any_io_executor blocking)
      : archive_(std::move(archive)), blocking_(std::move(blocking)) {}

  uint64_t size() const override { return archive_->size(); }

  void Next(PieceDone done) override {
    auto work = net::prefer(blocking_, net::execution::outstanding_work.tracked);
    net::post(work, [self = shared_from_this(), done = std::move(done)] {
      std::string piece;
      auto r = self->archive_->Read(kBackupPieceBytes, &piece);
      if (!r) {
        spdlog::error("backup: reading the checkpoint failed: {}", r.error().message);
        return done(std::unexpected(r.error()));
      }
      done(std::move(piece));
    });
  }

 private:
  std::unique_ptr<storage::BackupArchive> archive_;
  net::any_io_executor blocking_;
};

}  // namespace

void Api::Backup(Ctx& c, Done done) {
  net::post(blocking_, [this, who = c.principal->name, done = std::move(done)]() mutable {
    auto archive = storage::BackupArchive::Create(log_);
    if (!archive) {
      // The details name server paths: they go to the log, not to the client.
      spdlog::error("backup for {} failed: {}", who, archive.error().ToString());
      const bool full = archive.error().code == kStorageFull;
      return done(ErrorResponse(
          contrack::Error{full ? kStorageFull : kIoError,
                          full ? "the backup could not be written: no space left on the server"
                               : "the backup could not be written: a storage error on the "
                                 "server (its log has the details)"}));
    }
    const storage::Head head = (*archive)->head();
    spdlog::info("backup for {}: streaming {} bytes holding the head {}:{}", who,
                 (*archive)->size(), head.sequence, head.hash);
    Response r;
    r.content_type = "application/x-tar";
    r.headers.emplace_back("X-Contrack-Head", std::to_string(head.sequence) + ":" + head.hash);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"contrack-backup-" +
                                                      std::to_string(head.sequence) + ".tar\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    r.stream = std::make_shared<ArchiveStream>(std::move(*archive), blocking_);
    done(std::move(r));
  });
}

}  // namespace contrack::api

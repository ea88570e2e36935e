// Streamed backups: staging a checkpoint, writing and extracting ustar archives.
#include "storage/backup_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <system_error>

namespace contrack::storage {
namespace {

namespace fs = std::filesystem;

constexpr char kStagingName[] = ".backups";
constexpr char kStagingPrefix[] = "tmp-";

std::string Errno(int err) { return std::error_code(err, std::generic_category()).message(); }

Error IoFailure(const std::string& what, int err) {
  return {err == ENOSPC || err == EDQUOT ? kStorageFull : kIoError, what + ": " + Errno(err), {}};
}

// Writes `v` as `width - 1` octal digits and a NUL into field[0, width).
bool PutOctal(char* field, size_t width, uint64_t v) {
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (v & 7));
    v >>= 3;
  }
  field[width - 1] = '\0';
  return v == 0;
}

// Parses an octal field (digits, optionally led by spaces and ended by NULs or spaces).
std::optional<uint64_t> GetOctal(const char* field, size_t width) {
  size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  uint64_t v = 0;
  bool any = false;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (v >> 60) return std::nullopt;
    v = v << 3 | static_cast<uint64_t>(field[i] - '0');
    any = true;
  }
  for (; i < width; ++i) {
    if (field[i] != '\0' && field[i] != ' ') return std::nullopt;
  }
  if (!any) return std::nullopt;
  return v;
}

// The header's checksum: its bytes summed with the checksum field read as spaces.
uint64_t Checksum(const char* h, bool as_signed) {
  uint64_t sum = 0;
  for (size_t i = 0; i < kTarBlock; ++i) {
    const bool in_field = i >= 148 && i < 156;
    const char c = in_field ? ' ' : h[i];
    sum += as_signed ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<signed char>(c)))
                     : static_cast<unsigned char>(c);
  }
  return sum;
}

uint64_t Padding(uint64_t size) { return (kTarBlock - size % kTarBlock) % kTarBlock; }

std::string Field(const char* p, size_t width) { return std::string(p, strnlen(p, width)); }

// A printable form of an untrusted name for messages.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 120)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return out + (s.size() > 120 ? "...\"" : "\"");
}

// The components of a relative name, without "." components; an error for an absolute name or
// a ".." component.
Result<std::vector<std::string>> SafeComponents(const std::string& name) {
  if (name.empty()) return Fail(kInvalidArgument, "the archive has an entry with no name");
  if (name[0] == '/') {
    return Fail(kInvalidArgument,
                "the archive entry " + Quote(name) + " is an absolute path; refused");
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    std::string part = name.substr(start, slash - start);
    if (part == "..") {
      return Fail(kInvalidArgument,
                  "the archive entry " + Quote(name) + " has a \"..\" component; refused");
    }
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = slash + 1;
  }
  if (parts.empty()) {
    return Fail(kInvalidArgument, "the archive entry " + Quote(name) + " names no file");
  }
  return parts;
}

}  // namespace

Result<std::string> TarFileHeader(std::string_view name, uint64_t size, uint32_t mode,
                                  int64_t mtime) {
  if (name.empty() || name.size() > 100 || name[0] == '/') {
    return Fail(kInvalidArgument, "tar entry name " + Quote(name) + " is not 1-100 bytes relative");
  }
  if (size > kTarMaxFileBytes) {
    return Fail(kInvalidArgument,
                "file " + Quote(name) + " is larger than a tar entry can hold (8 GiB)");
  }
  std::string h(kTarBlock, '\0');
  std::memcpy(h.data(), name.data(), name.size());
  PutOctal(&h[100], 8, mode & 07777);
  PutOctal(&h[108], 8, 0);  // uid
  PutOctal(&h[116], 8, 0);  // gid
  PutOctal(&h[124], 12, size);
  PutOctal(&h[136], 12, static_cast<uint64_t>(std::max<int64_t>(mtime, 0)));
  h[156] = '0';
  std::memcpy(&h[257], "ustar", 6);  // magic, NUL-terminated
  std::memcpy(&h[263], "00", 2);
  PutOctal(&h[148], 7, Checksum(h.data(), false));  // six digits and a NUL, then a space
  h[155] = ' ';
  return h;
}

std::string BackupStagingDir(const std::string& data_dir) {
  return (fs::path(data_dir) / kStagingName).string();
}

Result<size_t> RemoveBackupLeftovers(const std::string& data_dir) {
  const fs::path staging = BackupStagingDir(data_dir);
  std::error_code ec;
  if (!fs::is_directory(staging, ec)) return 0;
  size_t removed = 0;
  for (fs::directory_iterator it(staging, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->path().filename().string().starts_with(kStagingPrefix)) continue;
    std::error_code rm;
    fs::remove_all(it->path(), rm);
    if (rm) {
      return Fail(kIoError,
                  "removing the backup leftover " + it->path().string() + ": " + rm.message());
    }
    ++removed;
  }
  if (ec) return Fail(kIoError, "listing " + staging.string() + ": " + ec.message());
  return removed;
}

// ---------------------------------------------------------------------------------------------
// BackupArchive

Result<std::unique_ptr<BackupArchive>> BackupArchive::Create(const EventLog& log) {
  std::error_code ec;
  const fs::path data = fs::absolute(log.path(), ec);
  if (ec) return Fail(kIoError, "resolving the data directory " + log.path() + ": " + ec.message());
  const std::string staging = BackupStagingDir(data.string());
  if (::mkdir(staging.c_str(), 0700) != 0 && errno != EEXIST) {
    return std::unexpected(IoFailure("creating " + staging, errno));
  }
  std::string tmpl = staging + "/" + kStagingPrefix + "XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {  // mode 0700
    return std::unexpected(IoFailure("creating a directory in " + staging, errno));
  }
  std::unique_ptr<BackupArchive> a(new BackupArchive());
  a->staging_ = tmpl;
  a->checkpoint_ = tmpl + "/checkpoint";
  auto head = log.Backup(a->checkpoint_);
  if (!head) return std::unexpected(head.error());
  a->head_ = *head;
  std::vector<Entry> entries;
  for (fs::directory_iterator it(a->checkpoint_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // RocksDB's info logs are diagnostics that name server paths: not part of a backup.
    if (name == "LOG" || name.starts_with("LOG.old")) continue;
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) {
      return std::unexpected(IoFailure("reading " + it->path().string(), errno));
    }
    if (!S_ISREG(st.st_mode)) {
      return Fail(kIoError, "checkpoint entry " + it->path().string() + " is not a regular file");
    }
    entries.push_back({name, static_cast<uint64_t>(st.st_size)});
  }
  if (ec) return Fail(kIoError, "listing " + a->checkpoint_ + ": " + ec.message());
  std::sort(entries.begin(), entries.end(),
            [](const Entry& x, const Entry& y) { return x.name < y.name; });
  for (const auto& e : entries) {
    if (e.name.size() > 100 || e.size > kTarMaxFileBytes) {
      return Fail(kIoError, "checkpoint file " + e.name + " does not fit a ustar entry");
    }
    a->size_ += kTarBlock + e.size + Padding(e.size);
  }
  a->size_ += 2 * kTarBlock;  // the end-of-archive marker
  a->entries_ = std::move(entries);
  return a;
}

BackupArchive::~BackupArchive() {
  if (fd_ >= 0) ::close(fd_);
  if (!staging_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

Result<void> BackupArchive::Read(size_t max, std::string* out) {
  const size_t limit = out->size() + max;
  while (out->size() < limit && offset_ < size_) {
    if (entry_ == entries_.size()) {  // the end-of-archive marker
      const uint64_t n = std::min<uint64_t>(size_ - offset_, limit - out->size());
      out->append(n, '\0');
      offset_ += n;
      continue;
    }
    const Entry& e = entries_[entry_];
    const std::string path = checkpoint_ + "/" + e.name;
    if (entry_offset_ == 0) {
      auto h = TarFileHeader(e.name, e.size, 0600, ::time(nullptr));
      if (!h) return std::unexpected(h.error());
      // A header goes out whole, so `max` bounds the data, not the headers.
      out->append(*h);
      offset_ += kTarBlock;
      entry_offset_ = kTarBlock;
      fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd_ < 0) return std::unexpected(IoFailure("opening " + path, errno));
      continue;
    }
    const uint64_t data_end = kTarBlock + e.size;
    if (entry_offset_ < data_end) {
      const size_t want =
          static_cast<size_t>(std::min<uint64_t>(data_end - entry_offset_, limit - out->size()));
      const size_t at = out->size();
      out->resize(at + want);
      const ssize_t n = ::read(fd_, out->data() + at, want);
      if (n < 0) {
        const int err = errno;
        out->resize(at);
        if (err == EINTR) continue;
        return std::unexpected(IoFailure("reading " + path, err));
      }
      out->resize(at + static_cast<size_t>(n));
      if (n == 0) return Fail(kIoError, "checkpoint file " + path + " ended early");
      offset_ += static_cast<uint64_t>(n);
      entry_offset_ += static_cast<uint64_t>(n);
      continue;
    }
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    const uint64_t entry_end = data_end + Padding(e.size);
    const uint64_t n = std::min<uint64_t>(entry_end - entry_offset_, limit - out->size());
    out->append(n, '\0');
    offset_ += n;
    entry_offset_ += n;
    if (entry_offset_ == entry_end) {
      ++entry_;
      entry_offset_ = 0;
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// TarExtractor

Result<std::unique_ptr<TarExtractor>> TarExtractor::Create(const std::string& dir) {
  if (dir.empty()) return Fail(kInvalidArgument, "the backup directory name is empty");
  std::unique_ptr<TarExtractor> x(new TarExtractor(dir));
  if (::mkdir(dir.c_str(), 0700) == 0) {
    x->created_dir_ = true;
    return x;
  }
  if (errno != EEXIST) return std::unexpected(IoFailure("creating " + dir, errno));
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Fail(kInvalidArgument, dir + " exists and is not a directory");
  }
  if (!fs::is_empty(dir, ec) || ec) {
    return Fail(kInvalidArgument, dir + " is not empty; give a new or empty directory");
  }
  return x;
}

TarExtractor::~TarExtractor() {
  if (fd_ >= 0) ::close(fd_);
}

void TarExtractor::Discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  std::error_code ec;
  if (created_dir_) {
    fs::remove_all(dir_, ec);
  } else {
    for (auto it = written_.rbegin(); it != written_.rend(); ++it)
      fs::remove_all(dir_ + "/" + *it, ec);
  }
  written_.clear();
}

Result<void> TarExtractor::CloseFile() {
  if (fd_ < 0) return {};
  const int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return std::unexpected(IoFailure("syncing " + dir_ + "/" + current_, err));
  }
  if (::close(fd) != 0)
    return std::unexpected(IoFailure("closing " + dir_ + "/" + current_, errno));
  return {};
}

Result<void> TarExtractor::StartEntry(const char* h) {
  if (std::all_of(h, h + kTarBlock, [](char c) { return c == '\0'; })) {
    ended_ = true;
    return {};
  }
  if (std::memcmp(&h[257], "ustar", 5) != 0) {
    return Fail(kInvalidArgument, "the archive is not a ustar tar (no \"ustar\" magic at byte " +
                                      std::to_string(bytes_) + ")");
  }
  const auto sum = GetOctal(&h[148], 8);
  if (!sum || (*sum != Checksum(h, false) && *sum != Checksum(h, true))) {
    return Fail(kInvalidArgument,
                "the tar header at byte " + std::to_string(bytes_) + " has a bad checksum");
  }
  std::string name = Field(&h[0], 100);
  const std::string prefix = Field(&h[345], 155);
  if (!prefix.empty()) name = prefix + "/" + name;
  const auto size = GetOctal(&h[124], 12);
  if (!size) return Fail(kInvalidArgument, "the archive entry " + Quote(name) + " has a bad size");
  auto parts = SafeComponents(name);
  if (!parts) return std::unexpected(parts.error());
  const char type = h[156];
  const bool is_dir = type == '5';
  if (type != '0' && type != '\0' && !is_dir) {
    return Fail(kInvalidArgument, "the archive entry " + Quote(name) + " has type '" +
                                      std::string(1, type) +
                                      "'; only regular files and directories are accepted");
  }
  // Create the parent directories, then the entry itself.
  std::string rel;
  for (size_t i = 0; i < parts->size(); ++i) {
    rel += (i ? "/" : "") + (*parts)[i];
    const std::string path = dir_ + "/" + rel;
    const bool last = i + 1 == parts->size();
    if (!last || is_dir) {
      if (::mkdir(path.c_str(), 0700) == 0) {
        written_.push_back(rel);
        continue;
      }
      const int err = errno;
      struct stat st;
      if (err == EEXIST && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
      return std::unexpected(IoFailure("creating the directory " + path, err));
    }
  }
  if (is_dir) {
    if (*size != 0) {
      return Fail(kInvalidArgument, "the directory entry " + Quote(name) + " has a size");
    }
    return {};
  }
  const std::string path = dir_ + "/" + rel;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    const int err = errno;
    if (err == EEXIST) {
      return Fail(kInvalidArgument, "the archive names " + Quote(name) + " twice; refused");
    }
    return std::unexpected(IoFailure("creating " + path, err));
  }
  written_.push_back(rel);
  current_ = rel;
  data_left_ = *size;
  pad_left_ = Padding(*size);
  ++files_;
  return {};
}

Result<void> TarExtractor::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    if (ended_) {  // what follows the end-of-archive block is padding
      bytes_ += bytes.size();
      return {};
    }
    if (data_left_ > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(data_left_, bytes.size()));
      for (size_t done = 0; done < n;) {
        const ssize_t w = ::write(fd_, bytes.data() + done, n - done);
        if (w < 0) {
          if (errno == EINTR) continue;
          return std::unexpected(IoFailure("writing " + dir_ + "/" + current_, errno));
        }
        done += static_cast<size_t>(w);
      }
      data_left_ -= n;
      bytes_ += n;
      bytes.remove_prefix(n);
      if (data_left_ == 0 && pad_left_ == 0) {
        if (auto r = CloseFile(); !r) return r;
      }
      continue;
    }
    if (pad_left_ > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(pad_left_, bytes.size()));
      pad_left_ -= n;
      bytes_ += n;
      bytes.remove_prefix(n);
      if (pad_left_ == 0) {
        if (auto r = CloseFile(); !r) return r;
      }
      continue;
    }
    if (auto r = CloseFile(); !r) return r;
    const size_t n = std::min(kTarBlock - header_.size(), bytes.size());
    header_.append(bytes.data(), n);
    bytes_ += n;
    bytes.remove_prefix(n);
    if (header_.size() < kTarBlock) continue;
    const std::string h = std::move(header_);
    header_.clear();
    if (auto r = StartEntry(h.data()); !r) return r;
  }
  return {};
}

Result<void> TarExtractor::Finish() {
  if (!ended_) {
    return Fail(kInvalidArgument, "the archive is truncated: it ended after " +
                                      std::to_string(bytes_) +
                                      " bytes, before its end-of-archive block");
  }
  if (auto r = CloseFile(); !r) return r;
  const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return std::unexpected(IoFailure("opening " + dir_, errno));
  const int rc = ::fsync(dfd);
  const int err = errno;
  ::close(dfd);
  if (rc != 0) return std::unexpected(IoFailure("syncing " + dir_, err));
  return {};
}

}  // namespace contrack::storage

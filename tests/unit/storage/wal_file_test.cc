// The prefilled write-ahead log files (storage/wal_file.h): how a log file grows and ends, the
// sizes RocksDB is told, and a store reopened after its process died with the log's zero tail.
#include "storage/wal_file.h"

#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "storage/event_log.h"
#include "tests/support/test_support.h"

namespace contrack::storage {
namespace {

using testing::TempDir;

constexpr uint64_t kChunk = 64 << 10;
constexpr char kAward[] =
    R"({"award":{"authority":"Rutland County Council","title":"Drug and alcohol service",)"
    R"("supplier":{"name":"Change Grow Live"},"start_date":"2016-07-01","end_date":"2020-06-30",)"
    R"("value_pence":594000}})";

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::unique_ptr<rocksdb::FSWritableFile> NewFile(rocksdb::FileSystem& fs, const std::string& p) {
  std::unique_ptr<rocksdb::FSWritableFile> f;
  rocksdb::IOStatus s = fs.NewWritableFile(p, rocksdb::FileOptions(), &f, nullptr);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return f;
}

TEST(WalFileTest, NamesOfWriteAheadLogs) {
  EXPECT_TRUE(IsWalFileName("/data/000012.log"));
  EXPECT_TRUE(IsWalFileName("7.log"));
  EXPECT_FALSE(IsWalFileName("/data/LOG"));
  EXPECT_FALSE(IsWalFileName("/data/LOG.old.1670000000"));
  EXPECT_FALSE(IsWalFileName("/data/MANIFEST-000005"));
  EXPECT_FALSE(IsWalFileName("/data/000012.sst"));
  EXPECT_FALSE(IsWalFileName("/data/.log"));
  EXPECT_FALSE(IsWalFileName("/data/access.log"));
}

TEST(WalFileTest, ALogGrowsByWholeChunksOfZerosAndIsCutBackToItsDataWhenClosed) {
  TempDir dir;
  auto fs = NewPrefilledWalFileSystem(rocksdb::FileSystem::Default(), kChunk);
  const auto path = dir.path() / "000009.log";
  auto f = NewFile(*fs, path.string());
  ASSERT_TRUE(f);
  const std::string a(1000, 'a'), b(kChunk, 'b');
  ASSERT_TRUE(f->Append(a, rocksdb::IOOptions(), nullptr).ok());
  ASSERT_TRUE(f->Sync(rocksdb::IOOptions(), nullptr).ok());
  // On disk: the data, then zeros to the end of the first chunk.
  EXPECT_EQ(std::filesystem::file_size(path), kChunk);
  EXPECT_EQ(ReadAll(path), a + std::string(kChunk - a.size(), '\0'));
  // RocksDB is told the data's length, by the file and by the file system.
  EXPECT_EQ(f->GetFileSize(rocksdb::IOOptions(), nullptr), a.size());
  uint64_t size = 0;
  ASSERT_TRUE(fs->GetFileSize(path.string(), rocksdb::IOOptions(), &size, nullptr).ok());
  EXPECT_EQ(size, a.size());
  std::vector<rocksdb::FileAttributes> attrs;
  ASSERT_TRUE(fs->GetChildrenFileAttributes(dir.str(), rocksdb::IOOptions(), &attrs, nullptr).ok());
  ASSERT_EQ(attrs.size(), 1u);
  EXPECT_EQ(attrs[0].size_bytes, a.size());

  // An append past the chunk grows the file to the next whole chunk.
  ASSERT_TRUE(f->Append(b, rocksdb::IOOptions(), nullptr).ok());
  EXPECT_EQ(std::filesystem::file_size(path), 2 * kChunk);
  EXPECT_EQ(f->GetFileSize(rocksdb::IOOptions(), nullptr), a.size() + b.size());

  ASSERT_TRUE(f->Close(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_EQ(ReadAll(path), a + b);
  f.reset();
  // Closed, the file system reports the file as it is.
  ASSERT_TRUE(fs->GetFileSize(path.string(), rocksdb::IOOptions(), &size, nullptr).ok());
  EXPECT_EQ(size, a.size() + b.size());
}

TEST(WalFileTest, OtherFilesAreWrittenAsTheyCome) {
  TempDir dir;
  auto fs = NewPrefilledWalFileSystem(rocksdb::FileSystem::Default(), kChunk);
  const auto path = dir.path() / "MANIFEST-000001";
  auto f = NewFile(*fs, path.string());
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->Append(std::string(100, 'm'), rocksdb::IOOptions(), nullptr).ok());
  ASSERT_TRUE(f->Flush(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_EQ(std::filesystem::file_size(path), 100u);
  ASSERT_TRUE(f->Close(rocksdb::IOOptions(), nullptr).ok());
}

// Runs `appends` awards in a child process that then exits without closing the store, so its
// log keeps the zeros after its last record. Returns the newest log file.
std::filesystem::path AppendAndDie(const TempDir& dir, int appends) {
  const pid_t child = ::fork();
  if (child == 0) {
    Options o;
    o.path = dir.str();
    o.wal_prefill_bytes = kChunk;
    auto log = EventLog::Open(o);
    if (!log) ::_exit(2);
    for (int i = 0; i < appends; ++i) {
      if (!testing::AppendJson(**log, "DIED-" + std::to_string(i), kAward, 0)) ::_exit(3);
    }
    ::_exit(0);  // no destructor: the log is never closed
  }
  int status = 0;
  EXPECT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  std::vector<std::filesystem::path> logs;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (IsWalFileName(e.path().string())) logs.push_back(e.path());
  }
  EXPECT_FALSE(logs.empty());
  return logs.empty() ? std::filesystem::path() : *std::max_element(logs.begin(), logs.end());
}

// The log of a store whose process died (no close, so the zeros stay after the last record) is
// read to its last record: every acknowledged event is there, the chain verifies, and appends go
// on from the head.
TEST(WalFileTest, AStoreWhoseProcessDiedWithTheLogsZeroTailReopensWithEveryAcknowledgedEvent) {
  TempDir dir;
  constexpr int kAppends = 40;
  const auto wal = AppendAndDie(dir, kAppends);
  ASSERT_FALSE(wal.empty());
  // The log the child left ends in zeros: its length is a whole number of chunks.
  const std::string bytes = ReadAll(wal);
  ASSERT_EQ(bytes.size() % kChunk, 0u);
  ASSERT_EQ(bytes.back(), '\0');
  ASSERT_NE(bytes.find_first_not_of('\0'), std::string::npos);

  auto log = testing::OpenLog(dir.str());
  EXPECT_EQ(log->GetHead().sequence, static_cast<uint64_t>(kAppends));
  for (int i = 0; i < kAppends; ++i) {
    auto events = log->ReadContract("DIED-" + std::to_string(i));
    ASSERT_TRUE(events.has_value());
    EXPECT_EQ(events->size(), 1u) << "DIED-" << i;
  }
  auto v = log->Verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ok) << v->message;
  auto more = testing::AppendJson(*log, "AFTER", kAward, 0);
  ASSERT_TRUE(more.has_value()) << more.error().ToString();
  EXPECT_EQ(more->events(0).sequence(), static_cast<uint64_t>(kAppends) + 1);
}

// A record whose end never reached the disk (a torn write: here its last 100 bytes are zeros, as
// the space after it) ends the log: the appends before it are kept, the store opens, and the
// chain goes on from the last whole record.
TEST(WalFileTest, ARecordTornBeforeTheZerosEndsTheLogAtTheRecordBeforeIt) {
  TempDir dir;
  constexpr int kAppends = 10;
  const auto wal = AppendAndDie(dir, kAppends);
  ASSERT_FALSE(wal.empty());
  std::string bytes = ReadAll(wal);
  const size_t end = bytes.find_last_not_of('\0');
  ASSERT_NE(end, std::string::npos);
  ASSERT_GT(end, 100u);
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(end - 99),
            bytes.begin() + static_cast<std::ptrdiff_t>(end + 1), '\0');
  {
    std::ofstream out(wal, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  auto log = testing::OpenLog(dir.str());
  EXPECT_EQ(log->GetHead().sequence, static_cast<uint64_t>(kAppends - 1));
  auto kept = log->ReadContract("DIED-" + std::to_string(kAppends - 2));
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->size(), 1u);
  auto torn = log->ReadContract("DIED-" + std::to_string(kAppends - 1));
  ASSERT_TRUE(torn.has_value());
  EXPECT_TRUE(torn->empty());
  auto v = log->Verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ok) << v->message;
  auto more = testing::AppendJson(*log, "AFTER", kAward, 0);
  ASSERT_TRUE(more.has_value()) << more.error().ToString();
  EXPECT_EQ(more->events(0).sequence(), static_cast<uint64_t>(kAppends));
}

}  // namespace
}  // namespace contrack::storage

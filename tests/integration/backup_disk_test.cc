// Backup and restore while the service writes, and a full disk: refused writes with a clear
// code, reads and health still answered, nothing acknowledged lost, writes resume with space.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <atomic>
#include <map>
#include <thread>

#include "services/lifecycle/codec.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using testing::HttpClient;
using testing::RunContrack;
using testing::TempDir;

template <typename M>
M Parse(const std::string& json) {
  auto m = ParseJson<M>(json, "response");
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().ToString()) << "\n" << json.substr(0, 500);
  return m.value_or(M{});
}

std::string Award(int i, size_t description_bytes = 0) {
  return R"({"events":[{"event_id":"55555555-5555-4555-8555-)" +
         [&] {
           char buf[16];
           std::snprintf(buf, sizeof(buf), "%012d", i);
           return std::string(buf);
         }() +
         R"(","award":{"authority":"Leeds City Council","title":"Generated contract","description":")" +
         std::string(description_bytes, 'd') +
         R"(","supplier":{"name":"CRI"},"start_date":"2016-04-01","end_date":"2017-03-31","value_pence":72867800}}]})";
}

TEST(BackupTest, ABackupTakenWhileWritingRestoresVerifiesAndMatchesTheLog) {
  TempDir data, files, backups;
  ASSERT_EQ(RunContrack({"--data", data.str(), "demo"}).status, 0);
  testing::WriteTokensFile(files.path() / "tokens.json");
  testing::ServerProcess server;
  ASSERT_TRUE(server.Start(data.str(), (files.path() / "tokens.json").string()));
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());

  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      HttpClient c("127.0.0.1", server.port());
      c.set_token(testing::kAdminToken);
      for (int i = 0; i < 150 && !stop; ++i) {
        const int n = t * 1000 + i;
        auto r = c.Post("/v1/contracts/GEN-" + std::to_string(n) + "/events", Award(n));
        if (r.status == 201) acknowledged++;
      }
    });
  }
  while (acknowledged < 50) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string backup = (backups.path() / "b1").string();
  auto b = RunContrack({"--url", url, "--token", testing::kAdminToken, "backup", backup});
  ASSERT_EQ(b.status, 0) << b.err;
  for (auto& w : writers) w.join();

  // The backup's head is a prefix of the live log: its digest verifies against the service.
  const size_t at = b.out.find(", head ");
  ASSERT_NE(at, std::string::npos) << b.out;
  const std::string digest = b.out.substr(at + 7, b.out.find('\n', at) - at - 7);
  HttpClient auditor("127.0.0.1", server.port());
  auditor.set_token(testing::kAuditorToken);
  const auto live = Parse<v1::VerifyResponse>(auditor.Get("/v1/verify?digest=" + digest).body);
  EXPECT_TRUE(live.ok());
  EXPECT_TRUE(live.digest_ok()) << live.digest_message();
  EXPECT_GT(live.head_sequence(), 57u);

  // Restore into a new directory: it verifies and serves the same states.
  const std::string restored = (backups.path() / "restored").string();
  auto r = RunContrack({"--data", restored, "restore", backup});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("head " + digest), std::string::npos) << r.out;
  for (const char* id : {"LCC-DIP-CRI-2015", "LLR-SMTS-2016", "LEICS-IPS-ITS-2024"}) {
    auto offline = RunContrack({"--data", restored, "show", id, "--json"});
    ASSERT_EQ(offline.status, 0) << offline.err;
    auto served = auditor.Get(std::string("/v1/contracts/") + id);
    EXPECT_EQ(Parse<v1::ContractState>(offline.out).SerializeAsString(),
              Parse<v1::ContractState>(served.body).SerializeAsString())
        << id;
  }
  // Every event of the backup is the live log's event at the same sequence.
  auto exported = RunContrack({"--data", restored, "export"});
  ASSERT_EQ(exported.status, 0);
  const auto feed = Parse<v1::FeedResponse>(auditor.Get("/v1/feed?after=0&limit=1000").body);
  size_t lines = 0, pos = 0;
  while ((pos = exported.out.find('\n', pos)) != std::string::npos) ++lines, ++pos;
  ASSERT_LE(lines, static_cast<size_t>(feed.events_size()));
  EXPECT_EQ(lines, std::stoul(digest.substr(0, digest.find(':'))));

  // Refusals: not absolute, existing path, not an admin, restore onto a non-empty directory.
  EXPECT_EQ(RunContrack({"--url", url, "--token", testing::kAdminToken, "backup", "rel"}).status,
            1);
  EXPECT_EQ(RunContrack({"--url", url, "--token", testing::kAdminToken, "backup", backup}).status,
            1);
  EXPECT_EQ(RunContrack({"--url", url, "--token", testing::kAuditorToken, "backup",
                         (backups.path() / "b2").string()})
                .status,
            1);
  EXPECT_EQ(RunContrack({"--data", data.str(), "restore", backup}).status, 1);
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(), 0);
}

// A size-limited tmpfs the test mounts itself; unmounted on destruction.
class SmallDisk {
 public:
  explicit SmallDisk(const std::filesystem::path& dir) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=4m") == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  bool Grow() { return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0; }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
};

TEST(DiskFullTest, WritesAreRefusedReadsGoOnAndNothingAcknowledgedIsLost) {
  TempDir root, files;
  SmallDisk disk(root.path() / "disk");
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root (CI runs as root)";
  const std::string data = (root.path() / "disk" / "data").string();
  testing::WriteTokensFile(files.path() / "tokens.json");
  testing::ServerProcess server;
  ASSERT_TRUE(server.Start(data, (files.path() / "tokens.json").string()));
  HttpClient admin("127.0.0.1", server.port());
  admin.set_token(testing::kAdminToken);

  // Fill the disk: 8 KiB descriptions until the store refuses.
  std::vector<int> acked;
  testing::HttpResponse refused;
  int n = 0;
  for (; n < 3000; ++n) {
    auto r = admin.Post("/v1/contracts/FILL-" + std::to_string(n) + "/events", Award(n, 8000));
    if (r.status == 201) {
      acked.push_back(n);
      continue;
    }
    refused = r;
    break;
  }
  ASSERT_LT(n, 3000) << "the disk never filled";
  ASSERT_FALSE(acked.empty());
  EXPECT_EQ(refused.status, 507) << refused.body;
  EXPECT_NE(refused.body.find("storage_full"), std::string::npos) << refused.body;
  // Later writes are refused the same way; the process stays up and reads still work.
  auto again = admin.Post("/v1/contracts/AFTER/events", Award(9999));
  EXPECT_EQ(again.status, 507) << again.body;
  auto state = admin.Get("/v1/contracts/FILL-" + std::to_string(acked.back()));
  EXPECT_EQ(state.status, 200) << state.body;
  auto health = admin.Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(Parse<v1::HealthResponse>(health.body).status(), "degraded");
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(), 0) << server.Stderr();

  // Space returns; after a restart writes resume and the chain is intact.
  ASSERT_TRUE(disk.Grow());
  testing::ServerProcess again_server;
  ASSERT_TRUE(again_server.Start(data, (files.path() / "tokens.json").string()))
      << again_server.Stderr();
  HttpClient c("127.0.0.1", again_server.port());
  c.set_token(testing::kAdminToken);
  EXPECT_EQ(Parse<v1::HealthResponse>(c.Get("/healthz").body).status(), "ok");
  auto resumed = c.Post("/v1/contracts/AFTER/events", Award(9999));
  EXPECT_EQ(resumed.status, 201) << resumed.body;
  for (int i : acked) {
    auto s = c.Get("/v1/contracts/FILL-" + std::to_string(i));
    ASSERT_EQ(s.status, 200) << "acknowledged FILL-" << i << " lost";
  }
  const auto v = Parse<v1::VerifyResponse>(c.Get("/v1/verify").body);
  EXPECT_TRUE(v.ok()) << v.message();
  EXPECT_GE(v.head_sequence(), acked.size() + 1);
  again_server.Signal(SIGTERM);
  EXPECT_EQ(again_server.Wait(), 0);
}

}  // namespace
}  // namespace contrack

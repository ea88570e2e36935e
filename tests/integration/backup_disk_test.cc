// Streamed backups (taken while the service writes, extracted and verified by the CLI, admin
// only, hostile streams refused) and restore; and a full disk: refused writes with a clear
// code, reads and health still answered, nothing acknowledged lost, writes resume with space.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "domain/codec.h"
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

mode_t Mode(const std::filesystem::path& p) {
  struct stat st;
  if (::lstat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Waits until `done` holds or `timeout` passes; returns whether it held.
template <typename F>
bool WaitFor(F done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Every file under `dir` is 0600 and every directory 0700 (`dir` included).
void ExpectPrivate(const std::filesystem::path& dir) {
  EXPECT_EQ(Mode(dir), 0700u) << dir;
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    EXPECT_EQ(Mode(e.path()), e.is_directory() ? 0700u : 0600u) << e.path();
    files += e.is_regular_file();
  }
  EXPECT_GT(files, 0u) << dir;
}

// The digest "SEQ:HASH" after ", head " in a backup or restore line.
std::string DigestIn(const std::string& out) {
  const size_t at = out.find(", head ");
  if (at == std::string::npos) return "";
  const size_t end = out.find_first_of(" \n", at + 7);
  return out.substr(at + 7, end - at - 7);
}

struct Ack {
  uint64_t sequence;
  std::string event_id;
};

TEST(BackupTest, AStreamedBackupTakenWhileWritingHoldsEveryAcknowledgedEventAndRestores) {
  TempDir root, files, backups;
  const std::filesystem::path data = root.path() / "store";  // contrackd creates it
  testing::WriteTokensFile(files.path() / "tokens.json");
  testing::ServerProcess server;
  ASSERT_TRUE(server.Start(data.string(), (files.path() / "tokens.json").string()));
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());

  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0}, refused{0};
  std::mutex mu;
  std::vector<Ack> acks;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      HttpClient c("127.0.0.1", server.port());
      c.set_token(testing::kAdminToken);
      for (int i = 0; i < 400 && !stop; ++i) {
        const int n = t * 1000 + i;
        auto r = c.Post("/v1/contracts/GEN-" + std::to_string(n) + "/events", Award(n));
        if (r.status != 201) {
          refused++;
          continue;
        }
        auto resp = ParseJson<v1::AppendResponse>(r.body, "response");
        if (!resp || resp->events_size() != 1) {
          refused++;
          continue;
        }
        std::lock_guard lock(mu);
        acks.push_back({resp->events(0).sequence(), resp->events(0).event_id()});
        acknowledged++;
      }
    });
  }
  ASSERT_TRUE(WaitFor([&] { return acknowledged >= 50; }));
  std::vector<Ack> before;
  {
    std::lock_guard lock(mu);
    before = acks;
  }
  const std::filesystem::path b1 = backups.path() / "b1";
  auto b = RunContrack({"--url", url, "--token", testing::kAdminToken, "backup", b1.string()});
  const int acked_after_backup = acknowledged;
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(refused, 0);
  EXPECT_GE(acked_after_backup, static_cast<int>(before.size()));
  EXPECT_NE(b.out.find("chain verified"), std::string::npos) << b.out;
  const std::string digest = DigestIn(b.out);
  ASSERT_FALSE(digest.empty()) << b.out;
  const uint64_t head = std::stoull(digest.substr(0, digest.find(':')));
  // Everything acknowledged before the backup was asked for is in it.
  for (const auto& a : before) EXPECT_LE(a.sequence, head);

  // The data directory contrackd created, the extracted backup: 0700 directories, 0600 files.
  ExpectPrivate(data);
  ExpectPrivate(b1);
  // The staged checkpoint is removed once sent.
  EXPECT_TRUE(WaitFor([&] { return std::filesystem::is_empty(data / ".backups"); }))
      << "staging left behind in " << (data / ".backups");

  // The backup's head is a prefix of the live log.
  HttpClient auditor("127.0.0.1", server.port());
  auditor.set_token(testing::kAuditorToken);
  const auto live = Parse<v1::VerifyResponse>(auditor.Get("/v1/verify?digest=" + digest).body);
  EXPECT_TRUE(live.ok());
  EXPECT_TRUE(live.digest_ok()) << live.digest_message();

  // Restore (offline) into a new directory: it verifies with the backup's head.
  const std::filesystem::path restored = backups.path() / "restored";
  auto r = RunContrack({"--data", restored.string(), "restore", b1.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(DigestIn(r.out), digest) << r.out;
  ExpectPrivate(restored);
  {
    // Every acknowledged event up to the head is in the restored store, at its sequence.
    auto log = testing::OpenLog(restored.string());
    ASSERT_NE(log, nullptr);
    auto events = log->ReadLog(0, head + 100);
    ASSERT_TRUE(events.has_value());
    ASSERT_EQ(events->size(), head);
    size_t checked = 0;
    for (const auto& a : acks) {
      if (a.sequence > head) continue;
      ASSERT_GE(a.sequence, 1u);
      EXPECT_EQ((*events)[a.sequence - 1].record.event_id(), a.event_id) << a.sequence;
      ++checked;
    }
    EXPECT_EQ(checked, head);  // every event of the backup was acknowledged to a writer
  }
  // The offline backup of a stopped store still works, and is private too.
  const std::filesystem::path offline = backups.path() / "offline";
  auto ob = RunContrack({"--data", restored.string(), "backup", offline.string()});
  ASSERT_EQ(ob.status, 0) << ob.err;
  EXPECT_EQ(DigestIn(ob.out), digest) << ob.out;
  ExpectPrivate(offline);
  server.Signal(SIGTERM);
  ASSERT_EQ(server.Wait(), 0);

  // A restart removes checkpoints a stopped process left staged, and backups still work.
  std::filesystem::create_directories(data / ".backups" / "tmp-stale");
  testing::WriteFile(data / ".backups" / "tmp-stale" / "000001.sst", "left over");
  testing::ServerProcess again;
  ASSERT_TRUE(again.Start(data.string(), (files.path() / "tokens.json").string()));
  EXPECT_FALSE(std::filesystem::exists(data / ".backups" / "tmp-stale"));
  const std::filesystem::path b2 = backups.path() / "b2";
  std::filesystem::create_directory(b2);  // an empty directory is accepted
  auto b2r = RunContrack({"--url", "http://127.0.0.1:" + std::to_string(again.port()), "--token",
                          testing::kAdminToken, "backup", b2.string()});
  ASSERT_EQ(b2r.status, 0) << b2r.err;
  const std::string digest2 = DigestIn(b2r.out);
  EXPECT_EQ(digest2.substr(0, digest2.find(':')), std::to_string(acks.size())) << b2r.out;
  // A non-empty target is refused before anything is downloaded.
  auto full = RunContrack({"--url", "http://127.0.0.1:" + std::to_string(again.port()), "--token",
                           testing::kAdminToken, "backup", b2.string()});
  EXPECT_EQ(full.status, 1);
  EXPECT_NE(full.err.find("not empty"), std::string::npos) << full.err;
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(), 0);
}

TEST(BackupTest, OnlyAnAdminMayStreamABackupAndNoPathTheClientNamesIsWritten) {
  TempDir root, files, elsewhere;
  const std::filesystem::path data = root.path() / "store";
  testing::WriteTokensFile(files.path() / "tokens.json");
  testing::ServerProcess server;
  ASSERT_TRUE(server.Start(data.string(), (files.path() / "tokens.json").string()));
  HttpClient c("127.0.0.1", server.port());

  auto as = [&](const char* token) {
    HttpClient client("127.0.0.1", server.port());
    if (token != nullptr) client.set_token(token);
    return client.Get("/v1/admin/backup");
  };
  auto auditor = as(testing::kAuditorToken);
  EXPECT_EQ(auditor.status, 403) << auditor.body;
  EXPECT_NE(auditor.body.find("backups need an admin"), std::string::npos) << auditor.body;
  EXPECT_EQ(as(testing::kLeedsOfficerToken).status, 403);
  EXPECT_EQ(as(nullptr).status, 401);
  EXPECT_EQ(as("not-a-token-at-all-0123456789").status, 401);

  // The old route wrote a checkpoint wherever the body said: gone, and nothing is written.
  c.set_token(testing::kAdminToken);
  const std::filesystem::path target = elsewhere.path() / "x";
  const bool etc_existed = std::filesystem::exists("/etc/x");
  for (const std::string& path : {target.string(), std::string("/etc/x")}) {
    auto post = c.Post("/v1/admin/backup", R"({"path":")" + path + R"("})",
                       {{"Content-Type", "application/json"}});
    EXPECT_EQ(post.status, 405) << post.body;
    EXPECT_EQ(post.Header("Allow"), "GET");
  }
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_FALSE(std::filesystem::exists(target.string() + ".tmp"));
  if (!etc_existed) {
    EXPECT_FALSE(std::filesystem::exists("/etc/x"));
  }

  // The admin gets a ustar stream of relative names, with the head it holds.
  std::string tar;
  auto got = c.Download("/v1/admin/backup", [&](std::string_view piece) -> Result<void> {
    tar.append(piece);
    return {};
  });
  ASSERT_EQ(got.status, 200) << got.body << got.error;
  EXPECT_EQ(got.error, "");
  EXPECT_EQ(got.Header("Content-Type"), "application/x-tar");
  EXPECT_EQ(got.Header("X-Contrack-Head"), "0:" + std::string(64, '0'));
  EXPECT_EQ(std::to_string(tar.size()), got.Header("Content-Length"));
  ASSERT_EQ(tar.size() % 512, 0u);
  std::vector<std::string> names;
  for (size_t at = 0; at + 512 <= tar.size();) {
    const std::string name(tar.data() + at, strnlen(tar.data() + at, 100));
    if (name.empty()) break;
    EXPECT_EQ(tar.substr(at + 257, 5), "ustar");
    const uint64_t size = std::stoull(tar.substr(at + 124, 11), nullptr, 8);
    names.push_back(name);
    at += 512 + (size + 511) / 512 * 512;
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "CURRENT"), names.end());
  for (const auto& n : names) {
    EXPECT_NE(n[0], '/') << n;
    EXPECT_EQ(n.find(".."), std::string::npos) << n;
  }
  // The archive does not name where the server keeps its data.
  EXPECT_EQ(tar.find(std::filesystem::absolute(data).string()), std::string::npos);

  // A failing backup says what failed without naming server paths (the log has them).
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::is_empty(data / ".backups"); }));
  std::filesystem::remove(data / ".backups");
  testing::WriteFile(data / ".backups", "not a directory");
  auto failed = c.Get("/v1/admin/backup");
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_NE(failed.body.find("the backup could not be written"), std::string::npos) << failed.body;
  EXPECT_EQ(failed.body.find(root.str()), std::string::npos) << failed.body;
  EXPECT_TRUE(WaitFor([&] { return server.Stderr().find(root.str()) != std::string::npos; }))
      << server.Stderr();
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(), 0);
}

// A ustar header for `name` built here, independently of storage/backup_archive.cc.
std::string RawHeader(const std::string& name, size_t size, char type = '0') {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(&h[100], 8, "%07o", 0600);
  std::snprintf(&h[108], 8, "%07o", 0);
  std::snprintf(&h[116], 8, "%07o", 0);
  std::snprintf(&h[124], 12, "%011zo", size);
  std::snprintf(&h[136], 12, "%011o", 0);
  h[156] = type;
  std::memcpy(&h[257], "ustar", 6);
  std::memcpy(&h[263], "00", 2);
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (unsigned char ch : h) sum += ch;
  std::snprintf(&h[148], 8, "%06o", sum);
  return h;
}

std::string RawFile(const std::string& name, const std::string& content, char type = '0') {
  std::string out = RawHeader(name, content.size(), type) + content;
  out.append((512 - content.size() % 512) % 512, '\0');
  return out;
}

// A server on a loopback port that answers one connection's request with `response` (bytes
// sent as given, then the connection closes).
class OneShotServer {
 public:
  explicit OneShotServer(std::string response) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 1) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len)) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, response = std::move(response)] {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20000) != 1) return;
      const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        pollfd q{conn, POLLIN, 0};
        if (::poll(&q, 1, 20000) != 1) break;
        const ssize_t n = ::read(conn, buf, sizeof(buf));
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      request_ = request;
      for (size_t sent = 0; sent < response.size();) {
        const ssize_t n =
            ::send(conn, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      ::shutdown(conn, SHUT_WR);
      ::close(conn);
    });
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The request received; valid after the client finished.
  std::string request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::string request_;
};

std::string TarResponse(const std::string& tar, const std::string& head,
                        size_t send_bytes = SIZE_MAX) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nContent-Length: " +
         std::to_string(tar.size()) + "\r\nX-Contrack-Head: " + head +
         "\r\nConnection: close\r\n\r\n" + tar.substr(0, send_bytes);
}

TEST(BackupTest, TheCliRefusesHostileTruncatedOrUnverifiableBackupStreams) {
  TempDir work, files;
  // A real backup stream to replay, from a store with events.
  const std::filesystem::path data = work.path() / "store";
  testing::WriteTokensFile(files.path() / "tokens.json");
  std::string tar, head;
  {
    testing::ServerProcess server;
    ASSERT_TRUE(server.Start(data.string(), (files.path() / "tokens.json").string()));
    HttpClient c("127.0.0.1", server.port());
    c.set_token(testing::kAdminToken);
    for (int i = 0; i < 20; ++i) {
      ASSERT_EQ(c.Post("/v1/contracts/GEN-" + std::to_string(i) + "/events", Award(i)).status, 201);
    }
    auto got = c.Download("/v1/admin/backup", [&](std::string_view piece) -> Result<void> {
      tar.append(piece);
      return {};
    });
    ASSERT_EQ(got.status, 200) << got.body;
    head = got.Header("X-Contrack-Head");
    ASSERT_TRUE(head.starts_with("20:")) << head;
    server.Signal(SIGTERM);
    ASSERT_EQ(server.Wait(), 0);
  }
  const std::string end_blocks(1024, '\0');
  int round = 0;
  // Runs the CLI's backup against a server answering `response`; the target must be gone after a
  // refusal.
  auto backup = [&](const std::string& response) {
    OneShotServer fake(response);
    const std::filesystem::path dir = work.path() / ("dl" + std::to_string(++round));
    auto r =
        RunContrack({"--url", fake.url(), "--token", testing::kAdminToken, "backup", dir.string()});
    EXPECT_NE(fake.request().find("GET /v1/admin/backup "), std::string::npos);
    if (r.status != 0) {
      EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
    }
    return r;
  };

  // The replayed stream itself is accepted: the fake server is faithful.
  auto ok = backup(TarResponse(tar, head));
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("head " + head), std::string::npos) << ok.out;

  // An entry climbing out of the target with "..": refused, nothing written outside it.
  auto up = backup(TarResponse(RawFile("../escaped", "owned") + end_blocks, head));
  EXPECT_EQ(up.status, 1);
  EXPECT_NE(up.err.find("\"..\""), std::string::npos) << up.err;
  EXPECT_FALSE(std::filesystem::exists(work.path() / "escaped"));
  auto deep = backup(TarResponse(RawFile("a/../../escaped2", "owned") + end_blocks, head));
  EXPECT_EQ(deep.status, 1);
  EXPECT_NE(deep.err.find("\"..\""), std::string::npos) << deep.err;
  EXPECT_FALSE(std::filesystem::exists(work.path() / "escaped2"));

  // An absolute name.
  const std::filesystem::path abs = work.path() / "absolute";
  auto absolute = backup(TarResponse(RawFile(abs.string(), "owned") + end_blocks, head));
  EXPECT_EQ(absolute.status, 1);
  EXPECT_NE(absolute.err.find("absolute path"), std::string::npos) << absolute.err;
  EXPECT_FALSE(std::filesystem::exists(abs));

  // A symbolic link entry (type 2) that could point anywhere.
  auto link = backup(TarResponse(RawFile("CURRENT", "", '2') + end_blocks, head));
  EXPECT_EQ(link.status, 1);
  EXPECT_NE(link.err.find("only regular files and directories"), std::string::npos) << link.err;

  // The connection closes halfway through the announced length.
  auto cut = backup(TarResponse(tar, head, tar.size() / 2));
  EXPECT_EQ(cut.status, 1);
  EXPECT_NE(cut.err.find("truncated"), std::string::npos) << cut.err;

  // A complete HTTP body that stops before the archive's end-of-archive block.
  auto short_tar = tar.substr(0, tar.size() - 1024);
  auto unended = backup(TarResponse(short_tar, head));
  EXPECT_EQ(unended.status, 1);
  EXPECT_NE(unended.err.find("truncated"), std::string::npos) << unended.err;

  // A store whose head is not the one the service claims.
  auto other = backup(TarResponse(tar, "21:" + head.substr(3)));
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("not at the head the service sent"), std::string::npos) << other.err;

  // An archive of files that are no store at all.
  auto junk = backup(TarResponse(RawFile("CURRENT", "MANIFEST-000099\n") + end_blocks, head));
  EXPECT_EQ(junk.status, 1);
  EXPECT_NE(junk.err.find("cannot be opened"), std::string::npos) << junk.err;
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

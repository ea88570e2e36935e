// Runs the real contrackd binary as a child process for integration tests, and writes its
// bearer-token file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace contrack::testing {

// The tokens written by WriteTokensFile.
inline constexpr char kLeedsOfficerToken[] = "officer-leeds-token-0123456789";
inline constexpr char kLeedsOfficerPrincipal[] = "jane.procurement@leeds.gov.uk";
inline constexpr char kLeicsOfficerToken[] = "officer-leics-token-0123456789";
inline constexpr char kLeicsOfficerPrincipal[] = "sam.commissioning@leics.gov.uk";
inline constexpr char kAuditorToken[] = "auditor-token-0123456789abcdef";
inline constexpr char kAuditorPrincipal[] = "internal.audit@leeds.gov.uk";
inline constexpr char kAdminToken[] = "admin-token-0123456789abcdefgh";
inline constexpr char kAdminPrincipal[] = "ops.admin";

// The tokens file JSON: a Leeds City Council officer, a Leicestershire County Council officer,
// an auditor and an admin (both for every authority, "*").
std::string TestTokensJson();

// Writes `json` to `path` and sets its mode to `mode` exactly (umask does not apply).
void WriteTokensFile(const std::filesystem::path& path, const std::string& json = TestTokensJson(),
                     mode_t mode = 0600);

// One contrackd child process. Its stdout and stderr go to files in a private temporary directory.
// Not safe for concurrent use. The destructor kills (SIGKILL) a process still running and reaps it.
class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `contrackd --listen 127.0.0.1:0 (set_listen) --data data_dir --tokens tokens_file
  // extra_args...` and waits until it prints "listening on HOST:PORT". Returns true once it has
  // (port() is then valid); false when the process exits first, cannot be started, or `timeout`
  // passes (a process still running is then left for Wait() or the destructor). REQUIRES: not
  // started before.
  [[nodiscard]] bool Start(const std::string& data_dir, const std::string& tokens_file,
                           const std::vector<std::string>& extra_args = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // The --listen address Start passes (default 127.0.0.1:0). REQUIRES: before Start.
  void set_listen(std::string listen) { listen_ = std::move(listen); }

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // True while the process has been started and not yet reaped.
  bool running();

  // Sends `sig` to the process if it is still running.
  void Signal(int sig);

  // Waits up to `timeout` for the process to exit and reaps it. Returns its exit code, 128 + the
  // signal number when a signal killed it, or -1 when it is still running after `timeout` (or was
  // never started).
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Everything the process wrote so far.
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  // Reaps the child without blocking; returns true once it has exited.
  bool Poll();

  TempDir logs_;
  std::string listen_ = "127.0.0.1:0";
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::optional<int> exit_status_;  // raw waitpid status once reaped
};

}  // namespace contrack::testing

// Starting, signalling and reaping a contrackd child process.
#include "tests/support/server_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

extern char** environ;

namespace contrack::testing {

std::string TestTokensJson() {
  return std::string(R"({"tokens":[)") +  //
         R"({"token":")" + kLeedsOfficerToken + R"(","principal":")" + kLeedsOfficerPrincipal +
         R"(","role":"officer","authorities":["Leeds City Council"]},)" +  //
         R"({"token":")" + kLeicsOfficerToken + R"(","principal":")" + kLeicsOfficerPrincipal +
         R"(","role":"officer","authorities":["Leicestershire County Council"]},)" +  //
         R"({"token":")" + kAuditorToken + R"(","principal":")" + kAuditorPrincipal +
         R"(","role":"auditor","authorities":["*"]},)" +  //
         R"({"token":")" + kAdminToken + R"(","principal":")" + kAdminPrincipal +
         R"(","role":"admin","authorities":["*"]}]})";
}

void WriteTokensFile(const std::filesystem::path& path, const std::string& json, mode_t mode) {
  WriteFile(path, json);
  ::chmod(path.c_str(), mode);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exit_status_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_status_ = status;
  }
}

bool ServerProcess::Start(const std::string& data_dir, const std::string& tokens_file,
                          const std::vector<std::string>& extra_args,
                          std::chrono::milliseconds timeout) {
  // A test writing to a connection the server closed must see EPIPE, not die.
  std::signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> args = {std::string(CONTRACK_BINARY_DIR) + "/contrackd",
                                   "--listen",
                                   listen_,
                                   "--data",
                                   data_dir,
                                   "--tokens",
                                   tokens_file};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const auto out_path = logs_.path() / "stdout";
  const auto err_path = logs_.path() / "stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // The child must not inherit an ignored SIGPIPE or any blocked signal.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return false;
  pid_ = pid;

  constexpr std::string_view kPrefix = "listening on ";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::string out = Stdout();
    const auto at = out.find(kPrefix);
    if (at != std::string::npos) {
      const auto nl = out.find('\n', at);
      const auto colon = out.rfind(':', nl);
      if (nl != std::string::npos && colon != std::string::npos && colon > at) {
        const std::string digits = out.substr(colon + 1, nl - colon - 1);
        unsigned long port = 0;
        try {
          port = std::stoul(digits);
        } catch (...) {
          return false;
        }
        if (port == 0 || port > 65535) return false;
        port_ = static_cast<uint16_t>(port);
        return true;
      }
    }
    if (Poll()) return false;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool ServerProcess::Poll() {
  if (exit_status_) return true;
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = status;
    return true;
  }
  return false;
}

bool ServerProcess::running() { return pid_ > 0 && !Poll(); }

void ServerProcess::Signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

int ServerProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Poll()) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const int s = *exit_status_;
  if (WIFEXITED(s)) return WEXITSTATUS(s);
  if (WIFSIGNALED(s)) return 128 + WTERMSIG(s);
  return -1;
}

std::string ServerProcess::Stdout() const { return ReadFile(logs_.path() / "stdout"); }
std::string ServerProcess::Stderr() const { return ReadFile(logs_.path() / "stderr"); }

}  // namespace contrack::testing

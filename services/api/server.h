// The HTTP/1.1 server: a Listener accepting connections and a Session per connection, in the
// style of Beast's advanced server. Thread-safe: Run() may be called from several threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "services/api/api.h"
#include "services/api/net.h"

namespace contrack::api {

struct ServerOptions {
  size_t body_limit = 1u << 20;                     // larger bodies: 413
  size_t header_limit = 8192;                       // larger headers: 431
  std::chrono::milliseconds header_timeout{10000};  // a started request must arrive in this
  std::chrono::milliseconds idle_timeout{30000};    // keep-alive connections idle this long close
  bool json_access_log = false;
};

class Server {
 public:
  // Binds `endpoint` (port 0 picks a free port). The Api must outlive the server.
  Server(net::io_context& ioc, Api& api, const ServerOptions& options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  [[nodiscard]] Result<tcp::endpoint> Listen(const tcp::endpoint& endpoint);

  // Stops accepting, lets in-flight requests finish (at most `grace`), then stops the io_context.
  void Shutdown(std::chrono::milliseconds grace);

  // Internal, for sessions.
  Api& api() { return api_; }
  const ServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(); }
  void RequestStarted() { in_flight_++; }
  void RequestFinished() { in_flight_--; }
  void AccessLog(const std::string& method, const std::string& target, unsigned status,
                 size_t bytes, int64_t micros, const std::string& principal);

 private:
  void DoAccept();
  void WaitForDrain(std::chrono::steady_clock::time_point deadline);

  net::io_context& ioc_;
  Api& api_;
  const ServerOptions options_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> in_flight_{0};
  std::shared_ptr<net::steady_timer> drain_timer_;
};

}  // namespace contrack::api

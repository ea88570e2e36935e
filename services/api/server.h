// The HTTP/1.1 server: a Listener accepting connections and a Session per connection, in the
// style of Beast's advanced server. Thread-safe: Run() may be called from several threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "services/api/api.h"
#include "services/api/net.h"
#include "services/api/request_hygiene.h"
#include "services/api/tls.h"

namespace contrack::api {

struct ServerOptions {
  size_t body_limit = 1u << 20;                     // larger bodies: 413
  size_t header_limit = 8192;                       // larger headers: 431
  std::chrono::milliseconds header_timeout{10000};  // a started request must arrive in this
  std::chrono::milliseconds idle_timeout{30000};    // keep-alive connections idle this long close
  bool json_access_log = false;
  // Connections open at once (streams and long polls included); one more is answered 503 and
  // closed.
  size_t max_connections = 1024;
  // Server-Sent Event streams one principal may hold open at once; one more is answered 429.
  size_t max_streams_per_principal = 8;
  // When set, every connection is HTTPS (TLS 1.2+) with this certificate; responses then carry
  // Strict-Transport-Security and session cookies are Secure.
  std::shared_ptr<TlsContext> tls;
};

// Lets one line through a second; counts the ones held back. Safe for concurrent use.
class LogThrottle {
 public:
  // True when a line may be written now; `*suppressed` is then how many were held back since
  // the last line written.
  bool Allow(size_t* suppressed);

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point next_{};  // guarded by mu_
  size_t suppressed_ = 0;                         // guarded by mu_
};

// The open connections and feed streams. Shared by the server and its sessions: a session can be
// destroyed after the server, with the io_context's pending handlers. Safe for concurrent use.
class ConnectionSlots {
 public:
  size_t connections() const { return connections_.load(); }
  void Opened() { connections_++; }
  void Closed() { connections_--; }
  // Takes one of `principal`'s stream slots; false when `max` are taken.
  bool AcquireStream(const std::string& principal, size_t max);
  void ReleaseStream(const std::string& principal);

  std::atomic<int> refusing{0};  // over-limit connections being answered 503

 private:
  std::atomic<size_t> connections_{0};
  std::mutex mu_;
  std::map<std::string, size_t> streams_;  // open streams by principal; guarded by mu_
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
  const std::shared_ptr<ConnectionSlots>& slots() const { return slots_; }

 private:
  void DoAccept();
  void OnAccepted(tcp::socket socket);
  void WaitForDrain(std::chrono::steady_clock::time_point deadline);

  net::io_context& ioc_;
  Api& api_;
  const ServerOptions options_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> in_flight_{0};
  std::shared_ptr<net::steady_timer> drain_timer_;

  // Accept errors (EMFILE) retry after a backoff that doubles from 10 ms to 500 ms; used on the
  // acceptor's strand only.
  net::steady_timer accept_timer_;
  std::chrono::milliseconds accept_backoff_{0};
  LogThrottle accept_log_, refuse_log_;

  const std::shared_ptr<ConnectionSlots> slots_ = std::make_shared<ConnectionSlots>();
};

}  // namespace contrack::api

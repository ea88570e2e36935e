// Listener and Session (Boost.Beast), SSE streaming, graceful shutdown.
#include "services/api/server.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <deque>
#include <sstream>
#include <type_traits>
#include <vector>

#include "domain/codec.h"
#include "domain/dates.h"
//
#include <boost/beast/ssl.hpp>

namespace contrack::api {
namespace {

const std::shared_ptr<spdlog::logger>& ApiLog() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::get("api");
    return l ? l : spdlog::default_logger()->clone("api");
  }();
  return logger;
}

const std::shared_ptr<spdlog::logger>& AccessLogger() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::get("access");
    return l ? l : spdlog::default_logger()->clone("access");
  }();
  return logger;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

// Accept errors that mean the process or the system is out of something: retrying at once
// would fail again at once.
bool Exhausted(const beast::error_code& ec) {
  return ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
         ec == net::error::no_memory || ec.value() == ENFILE;
}

// An over-limit connection: answered at once with `text` (a complete 503 response), then what the
// client sends is read and dropped for at most a second before the close, so that the close does
// not reset the answer away before the client reads it.
class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(tcp::socket&& socket, std::shared_ptr<ConnectionSlots> slots)
      : stream_(std::move(socket)), slots_(std::move(slots)) {
    slots_->refusing++;
  }
  ~Refusal() { slots_->refusing--; }

  void Start(std::string text) {
    text_ = std::move(text);
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->stream_.expires_after(std::chrono::seconds(1));  // the whole exchange
      net::async_write(self->stream_, net::buffer(self->text_),
                       [self](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         beast::error_code ignored;
                         self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                         self->Drain();
                       });
    });
  }

 private:
  void Drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  const std::shared_ptr<ConnectionSlots> slots_;
  std::string text_;
  char scratch_[4096];
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One connection: plain HTTP (PlainStream) or HTTPS (TlsStream, handshaken first).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

 public:
  // REQUIRES: the server counted this connection (released by Close or the destructor); `tls`
  // is set exactly when Stream is TlsStream.
  Session(tcp::socket&& socket, Server& server, std::shared_ptr<ssl::context> tls)
      : tls_(std::move(tls)),
        stream_(MakeStream(std::move(socket), tls_.get())),
        server_(server),
        slots_(server.slots()) {}
  ~Session() { Release(); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if constexpr (kTls) {
        // The handshake must finish within the header timeout, as a request header must.
        self->Lowest().expires_after(self->server_.options().header_timeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return self->Close();  // not TLS, an old version, or gone: nothing to answer
          self->DoRead();
        });
      } else {
        self->DoRead();
      }
    });
  }

 private:
  using StringResponse = http::response<http::string_body>;

  static Stream MakeStream(tcp::socket&& socket, ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // The security headers (SecurityHeaders) on a response about to be sent.
  template <class Message>
  void Secure(Message& res) {
    for (const auto& [k, v] : SecurityHeaders(kTls)) res.set(k, v);
  }

  void DoRead() {
    if (server_.stopping()) return Close();
    if (buffer_.size() == 0) {
      // Idle: wait for the first byte of the next request.
      Lowest().expires_after(server_.options().idle_timeout);
      stream_.async_read_some(buffer_.prepare(4096),
                              [self = shared_from_this()](beast::error_code ec, size_t n) {
                                if (ec) return self->Close();
                                self->buffer_.commit(n);
                                self->ReadRequest();
                              });
      return;
    }
    ReadRequest();
  }

  // The header first, checked (CheckRequestHeader) before any body byte is read, then the body.
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(server_.options().body_limit);
    parser_->header_limit(static_cast<uint32_t>(server_.options().header_limit));
    Lowest().expires_after(server_.options().header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnRead(ec);
    if (auto refused = CheckRequestHeader(parser_->get().base())) {
      started_ = std::chrono::steady_clock::now();
      keep_alive_ = false;  // the rest of the connection's bytes cannot be framed safely
      linger_ = true;
      version_ = parser_->get().version();
      method_ = std::string(parser_->get().method_string());
      target_ = std::string(parser_->get().target());
      server_.RequestStarted();
      return Write(std::move(*refused));
    }
    if (parser_->is_done()) return OnRead(ec);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof || ec == http::error::partial_message) {
      return Close();
    }
    if (ec) {
      Response r;
      if (ec == http::error::body_limit) {
        r = ErrorResponse({ErrorCode::kPayloadTooLarge,
                           "request body exceeds the limit of " +
                               std::to_string(server_.options().body_limit) + " bytes",
                           std::nullopt});
      } else if (ec == http::error::header_limit) {
        r = ErrorResponse(
            {kInvalidArgument,
             "request headers exceed " + std::to_string(server_.options().header_limit) + " bytes",
             std::nullopt});
        r.status = 431;  // Beast's limit, not an error code's status
      } else {
        r = ErrorResponse(
            {kInvalidArgument, "malformed HTTP request: " + ec.message(), std::nullopt});
      }
      keep_alive_ = false;
      linger_ = true;
      method_ = "-";
      target_ = "-";
      server_.RequestStarted();
      return Write(std::move(r));
    }
    auto& msg = parser_->get();
    Request req;
    req.method = msg.method();
    req.method_text = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.body = std::move(msg.body());
    req.authorization = std::string(msg[http::field::authorization]);
    req.accept = std::string(msg[http::field::accept]);
    req.cookie = std::string(msg[http::field::cookie]);
    req.csrf_token = std::string(msg["X-CSRF-Token"]);
    req.if_none_match = std::string(msg[http::field::if_none_match]);
    req.secure = kTls;
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    method_ = req.method_text;
    target_ = req.target;
    server_.RequestStarted();

    if (auto stream = server_.api().MatchStream(req)) {
      if (auto* start = std::get_if<StreamStart>(&*stream)) {
        if (!slots_->AcquireStream(start->principal, server_.options().max_streams_per_principal)) {
          const size_t limit = server_.options().max_streams_per_principal;
          Response r = ErrorResponse(
              {ErrorCode::kTooManyRequests,
               start->principal + " already has " + std::to_string(limit) +
                   " open feed streams (--max-streams-per-principal " + std::to_string(limit) +
                   "); close one, or read the feed with GET /v1/feed?wait_ms=",
               std::nullopt});
          r.headers.emplace_back("Retry-After", "1");
          r.route = "/v1/feed";
          r.principal = start->principal;
          return Write(std::move(r));
        }
        stream_principal_ = start->principal;
        server_.RequestFinished();  // a stream is not an in-flight request for shutdown
        return StartStream(*start);
      }
      return Write(std::get<Response>(std::move(*stream)));
    }
    server_.api().Handle(
        std::move(req), stream_.get_executor(), [self = shared_from_this()](Response r) {
          net::post(self->stream_.get_executor(),
                    [self, r = std::move(r)]() mutable { self->Write(std::move(r)); });
        });
  }

  void Write(Response r) {
    if (r.stream) return WriteStream(std::move(r));
    auto res = std::make_shared<StringResponse>(static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "contrackd");
    res->set(http::field::content_type, r.content_type);
    Secure(*res);
    for (const auto& [k, v] : r.headers) res->insert(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !server_.stopping());
    res->prepare_payload();
    status_ = r.status;
    principal_ = r.principal;
    route_ = r.route;
    Lowest().expires_after(std::chrono::seconds(30));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t bytes) {
                        self->OnWrite(ec, bytes, res->keep_alive());
                      });
  }

  void OnWrite(beast::error_code ec, size_t bytes, bool keep_alive) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started_)
                            .count();
    server_.api().metrics().Observe(route_, status_, micros);
    server_.AccessLog(method_, target_, status_, bytes, micros, principal_);
    server_.RequestFinished();
    if (ec) return Close();
    if (!keep_alive) return linger_ ? LingerThenClose() : Close();
    DoRead();
  }

  // A streamed body (a backup): the header with its Content-Length, then each piece the stream
  // produces (read off the I/O threads), one write at a time; the connection closes after it.
  void WriteStream(Response r) {
    auto res = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "contrackd");
    res->set(http::field::content_type, r.content_type);
    Secure(*res);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->content_length(r.stream->size());
    res->keep_alive(false);
    status_ = r.status;
    principal_ = r.principal;
    route_ = r.route;
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    Lowest().expires_after(std::chrono::seconds(30));
    http::async_write_header(stream_, *sr,
                             [self = shared_from_this(), res, sr, body = std::move(r.stream)](
                                 beast::error_code ec, size_t n) mutable {
                               if (ec) return self->OnWrite(ec, n, false);
                               self->PumpBody(std::move(body), n);
                             });
  }

  void PumpBody(std::shared_ptr<BodyStream> body, size_t sent) {
    auto* raw = body.get();
    raw->Next([self = shared_from_this(), body = std::move(body), sent](Result<std::string> piece) {
      net::post(
          self->stream_.get_executor(), [self, body, sent, piece = std::move(piece)]() mutable {
            if (!piece) return self->OnWrite(net::error::connection_aborted, sent, false);
            if (piece->empty()) return self->OnWrite({}, sent, false);
            auto data = std::make_shared<std::string>(std::move(*piece));
            self->Lowest().expires_after(std::chrono::seconds(30));
            net::async_write(self->stream_, net::buffer(*data),
                             [self, body, data, sent](beast::error_code ec, size_t n) mutable {
                               if (ec) return self->OnWrite(ec, sent + n, false);
                               self->PumpBody(std::move(body), sent + n);
                             });
          });
    });
  }

  // After refusing a request whose bytes were not all read: closing a socket with unread input
  // resets the connection, which can discard the answer before the client reads it. So send FIN,
  // then read and drop what the client still sends, for at most a second, then close.
  void LingerThenClose() {
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    Lowest().expires_after(std::chrono::seconds(1));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(watch_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  // Server-Sent Events: the header, then every committed event after `after`, as it commits.
  void StartStream(const StreamStart& start) {
    cursor_ = start.after;
    principal_ = start.principal;
    auto res = std::make_shared<http::response<http::empty_body>>(http::status::ok, version_);
    res->set(http::field::server, "contrackd");
    res->set(http::field::content_type, "text/event-stream");
    res->set(http::field::cache_control, "no-cache");
    Secure(*res);
    res->keep_alive(false);
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    Lowest().expires_after(std::chrono::seconds(30));
    http::async_write_header(
        stream_, *sr, [self = shared_from_this(), res, sr](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          self->server_.AccessLog(self->method_, self->target_, 200, 0, 0, self->principal_);
          self->WatchPeer();
          self->PumpStream();
        });
  }

  // While streaming, a read stays pending so that a client that has gone (EOF, reset) ends the
  // stream at once, freeing its slot, rather than at the next write that fails. What a client
  // sends on a stream is read and dropped.
  void WatchPeer() {
    Lowest().socket().async_read_some(net::buffer(watch_),
                                      [self = shared_from_this()](beast::error_code ec, size_t) {
                                        if (ec || self->closed_) return self->Close();
                                        self->WatchPeer();
                                      });
  }

  void PumpStream() {
    if (closed_) return;
    if (server_.stopping()) return Close();
    auto events = server_.api().FeedPage(cursor_, 256);
    if (!events) return Close();
    std::string frames;
    for (const auto& e : *events) {
      frames += "id: " + std::to_string(e.sequence()) + "\ndata: " + ToJson(e) + "\n\n";
      cursor_ = e.sequence();
    }
    if (frames.empty()) {
      if (heartbeat_due_) {
        frames = ": keep-alive\n\n";
        heartbeat_due_ = false;
      } else {
        server_.api().hub().Wait(cursor_, stream_.get_executor(), std::chrono::seconds(15),
                                 [self = shared_from_this()] {
                                   self->heartbeat_due_ = true;
                                   self->PumpStream();
                                 });
        return;
      }
    }
    heartbeat_due_ = false;
    auto data = std::make_shared<std::string>(std::move(frames));
    Lowest().expires_after(std::chrono::seconds(30));
    net::async_write(stream_, net::buffer(*data),
                     [self = shared_from_this(), data](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->PumpStream();
                     });
  }

  void Close() {
    Release();  // first, so a client that sees the close finds the slot free
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    Lowest().socket().close(ec);
  }

  // Gives back the connection's slot and its stream slot, once.
  void Release() {
    if (released_) return;
    released_ = true;
    if (!stream_principal_.empty()) slots_->ReleaseStream(stream_principal_);
    slots_->Closed();
  }

  const std::shared_ptr<ssl::context> tls_;  // the context this connection started with (TLS)
  Stream stream_;
  Server& server_;  // used by handlers only: the destructor may run after the server's
  const std::shared_ptr<ConnectionSlots> slots_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::string method_, target_, principal_, route_;
  unsigned status_ = 0;
  std::chrono::steady_clock::time_point started_;
  uint64_t cursor_ = 0;
  bool heartbeat_due_ = false;
  bool closed_ = false;
  bool released_ = false;
  bool linger_ = false;           // drain the input before closing (LingerThenClose)
  std::string stream_principal_;  // set while this session holds a stream slot
  char watch_[512];
};

}  // namespace

bool LogThrottle::Allow(size_t* suppressed) {
  std::lock_guard l(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now < next_) {
    ++suppressed_;
    return false;
  }
  next_ = now + std::chrono::seconds(1);
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

Server::Server(net::io_context& ioc, Api& api, const ServerOptions& options)
    : ioc_(ioc),
      api_(api),
      options_(options),
      acceptor_(net::make_strand(ioc)),
      accept_timer_(acceptor_.get_executor()) {}

Result<tcp::endpoint> Server::Listen(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(kIoError, "cannot listen on " + endpoint.address().to_string() + ":" +
                              std::to_string(endpoint.port()) + ": " + ec.message());
  }
  const tcp::endpoint bound = acceptor_.local_endpoint(ec);
  DoAccept();
  return bound;
}

void Server::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping_) return;
    if (!ec) {
      accept_backoff_ = std::chrono::milliseconds(0);
      OnAccepted(std::move(socket));
      return DoAccept();
    }
    // Keep accepting after an error unless the acceptor closed; when the process is out of file
    // descriptors (or the system of memory), retrying at once fails at once: back off.
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    constexpr std::chrono::milliseconds kFirst{10}, kMost{500};
    const bool exhausted = Exhausted(ec);
    if (exhausted) {
      accept_backoff_ =
          accept_backoff_.count() == 0 ? kFirst : std::min(accept_backoff_ * 2, kMost);
    }
    size_t suppressed = 0;
    if (accept_log_.Allow(&suppressed)) {
      ApiLog()->warn(
          "accept failed: {}; {} connections open; retrying in {} ms ({} more "
          "failures not logged)",
          ec.message(), slots_->connections(), exhausted ? accept_backoff_.count() : 0, suppressed);
    }
    if (!exhausted) return DoAccept();  // e.g. a client that reset before it was accepted
    accept_timer_.expires_after(accept_backoff_);
    accept_timer_.async_wait([this](beast::error_code ec) {
      if (ec || stopping_) return;
      DoAccept();
    });
  });
}

void Server::OnAccepted(tcp::socket socket) {
  if (slots_->connections() < options_.max_connections) {
    slots_->Opened();
    if (options_.tls) {
      std::make_shared<Session<TlsStream>>(std::move(socket), *this, options_.tls->Current())
          ->Start();
    } else {
      std::make_shared<Session<PlainStream>>(std::move(socket), *this, nullptr)->Start();
    }
    return;
  }
  size_t suppressed = 0;
  if (refuse_log_.Allow(&suppressed)) {
    ApiLog()->warn("refused a connection: {} open (--max-connections {}) ({} more not logged)",
                   slots_->connections(), options_.max_connections, suppressed);
  }
  // Answering takes a descriptor for up to a second; past this many, close at once. Over TLS the
  // answer would need a handshake first: the connection is closed at once.
  constexpr int kMostRefusing = 64;
  if (options_.tls || slots_->refusing.load() >= kMostRefusing) {
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  Response r = ErrorResponse({ErrorCode::kUnavailable,
                              "the server has " + std::to_string(options_.max_connections) +
                                  " connections open, its limit (--max-connections); retry later",
                              std::nullopt});
  http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
  res.set(http::field::server, "contrackd");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::retry_after, "1");
  for (const auto& [k, v] : SecurityHeaders(false)) res.set(k, v);
  res.keep_alive(false);
  res.body() = std::move(r.body);
  res.prepare_payload();
  std::ostringstream text;
  text << res;
  std::make_shared<Refusal>(std::move(socket), slots_)->Start(text.str());
}

bool ConnectionSlots::AcquireStream(const std::string& principal, size_t max) {
  std::lock_guard l(mu_);
  size_t& n = streams_[principal];
  if (n >= max) {
    if (n == 0) streams_.erase(principal);
    return false;
  }
  ++n;
  return true;
}

void ConnectionSlots::ReleaseStream(const std::string& principal) {
  std::lock_guard l(mu_);
  auto it = streams_.find(principal);
  if (it == streams_.end()) return;
  if (--it->second == 0) streams_.erase(it);
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  net::post(acceptor_.get_executor(), [this, grace] {
    if (stopping_.exchange(true)) return;
    ApiLog()->info("shutting down: no new connections; finishing {} in-flight requests",
                   in_flight_.load());
    beast::error_code ec;
    acceptor_.close(ec);
    accept_timer_.cancel();
    api_.hub().WakeAll();
    drain_timer_ = std::make_shared<net::steady_timer>(ioc_);
    WaitForDrain(std::chrono::steady_clock::now() + grace);
  });
}

void Server::WaitForDrain(std::chrono::steady_clock::time_point deadline) {
  if (in_flight_.load() <= 0 || std::chrono::steady_clock::now() >= deadline) {
    if (in_flight_.load() > 0) {
      ApiLog()->warn("shutdown grace expired with {} requests in flight", in_flight_.load());
    }
    ioc_.stop();
    return;
  }
  drain_timer_->expires_after(std::chrono::milliseconds(5));
  drain_timer_->async_wait([this, deadline](beast::error_code) { WaitForDrain(deadline); });
}

void Server::AccessLog(const std::string& method, const std::string& target, unsigned status,
                       size_t bytes, int64_t micros, const std::string& principal) {
  if (options_.json_access_log) {
    AccessLogger()->info(
        "{{\"time\":\"{}\",\"method\":\"{}\",\"path\":\"{}\",\"status\":{},\"bytes\":{},"
        "\"micros\":{},\"principal\":\"{}\"}}",
        FormatRfc3339(NowMicros()), JsonEscape(method), JsonEscape(RedactTarget(target)), status,
        bytes, micros, JsonEscape(principal));
  } else {
    AccessLogger()->info("{} {} {} {}B {}us {}", method, RedactTarget(target), status, bytes,
                         micros, principal);
  }
}

}  // namespace contrack::api

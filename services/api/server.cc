// Listener and Session (Boost.Beast), SSE streaming, graceful shutdown.
#include "services/api/server.h"

#include <spdlog/spdlog.h>

#include <deque>

#include "services/lifecycle/codec.h"
#include "services/lifecycle/dates.h"

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

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server& server) : stream_(std::move(socket)), server_(server) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
  }

 private:
  using StringResponse = http::response<http::string_body>;

  void DoRead() {
    if (server_.stopping()) return Close();
    if (buffer_.size() == 0) {
      // Idle: wait for the first byte of the next request.
      stream_.expires_after(server_.options().idle_timeout);
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

  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(server_.options().body_limit);
    parser_->header_limit(static_cast<uint32_t>(server_.options().header_limit));
    stream_.expires_after(server_.options().header_timeout);
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
        r = ErrorResponse({"payload_too_large",
                           "request body exceeds the limit of " +
                               std::to_string(server_.options().body_limit) + " bytes",
                           std::nullopt});
        r.status = 413;
      } else if (ec == http::error::header_limit) {
        r = ErrorResponse(
            {kInvalidArgument,
             "request headers exceed " + std::to_string(server_.options().header_limit) + " bytes",
             std::nullopt});
        r.status = 431;
      } else {
        r = ErrorResponse(
            {kInvalidArgument, "malformed HTTP request: " + ec.message(), std::nullopt});
      }
      keep_alive_ = false;
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
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    method_ = req.method_text;
    target_ = req.target;
    server_.RequestStarted();

    if (auto stream = server_.api().MatchStream(req)) {
      if (auto* start = std::get_if<StreamStart>(&*stream)) {
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
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !server_.stopping());
    res->prepare_payload();
    status_ = r.status;
    principal_ = r.principal;
    route_ = r.route;
    stream_.expires_after(std::chrono::seconds(30));
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
    if (ec || !keep_alive) return Close();
    DoRead();
  }

  // A streamed body (a backup): the header with its Content-Length, then each piece the stream
  // produces (read off the I/O threads), one write at a time; the connection closes after it.
  void WriteStream(Response r) {
    auto res = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "contrackd");
    res->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->content_length(r.stream->size());
    res->keep_alive(false);
    status_ = r.status;
    principal_ = r.principal;
    route_ = r.route;
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    stream_.expires_after(std::chrono::seconds(30));
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
            self->stream_.expires_after(std::chrono::seconds(30));
            net::async_write(self->stream_, net::buffer(*data),
                             [self, body, data, sent](beast::error_code ec, size_t n) mutable {
                               if (ec) return self->OnWrite(ec, sent + n, false);
                               self->PumpBody(std::move(body), sent + n);
                             });
          });
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
    res->keep_alive(false);
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write_header(
        stream_, *sr, [self = shared_from_this(), res, sr](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          self->server_.AccessLog(self->method_, self->target_, 200, 0, 0, self->principal_);
          self->PumpStream();
        });
  }

  void PumpStream() {
    if (server_.stopping()) return Close();
    auto events = server_.api().log().ReadLog(cursor_, 256);
    if (!events) return Close();
    std::string frames;
    for (const auto& e : *events) {
      frames += "id: " + std::to_string(e.record.sequence()) +
                "\ndata: " + ToJson(storage::ToHistoryEntry(e, false)) + "\n\n";
      cursor_ = e.record.sequence();
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
    stream_.expires_after(std::chrono::seconds(30));
    net::async_write(stream_, net::buffer(*data),
                     [self = shared_from_this(), data](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->PumpStream();
                     });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  Server& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::string method_, target_, principal_, route_;
  unsigned status_ = 0;
  std::chrono::steady_clock::time_point started_;
  uint64_t cursor_ = 0;
  bool heartbeat_due_ = false;
};

}  // namespace

Server::Server(net::io_context& ioc, Api& api, const ServerOptions& options)
    : ioc_(ioc), api_(api), options_(options), acceptor_(net::make_strand(ioc)) {}

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
    if (ec) {
      // Keep accepting after an error (e.g. too many open files) unless the acceptor closed.
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      ApiLog()->warn("accept failed: {}", ec.message());
    } else {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    DoAccept();
  });
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  net::post(acceptor_.get_executor(), [this, grace] {
    if (stopping_.exchange(true)) return;
    ApiLog()->info("shutting down: no new connections; finishing {} in-flight requests",
                   in_flight_.load());
    beast::error_code ec;
    acceptor_.close(ec);
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
        FormatRfc3339(NowMicros()), JsonEscape(method), JsonEscape(target), status, bytes, micros,
        JsonEscape(principal));
  } else {
    AccessLogger()->info("{} {} {} {}B {}us {}", method, target, status, bytes, micros, principal);
  }
}

}  // namespace contrack::api

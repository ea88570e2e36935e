// Synchronous HTTP/1.1 test clients on Boost.Beast, with a deadline on every socket operation.
#include "tools/cli/http_client.h"

// clang-format off
#include <utility>  // Before any Boost.Asio header: awaitable.hpp needs it under C++23.
// clang-format on

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace contrack::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

// Extra time past an operation's own deadline before the io_context guard gives up on it.
constexpr milliseconds kGuard{5000};

// Responses are bounded only by memory. (Boost 1.74's body_limit(boost::none) is not "no limit":
// a parser reading the header alone then refuses any Content-Length.)
constexpr std::uint64_t kBodyLimit = std::uint64_t{1} << 40;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Boost 1.74's beast::string_view is boost::string_view, not std::string_view.
beast::string_view Bv(std::string_view s) { return beast::string_view(s.data(), s.size()); }

// Records the completion of one asynchronous operation.
struct Completion {
  std::optional<beast::error_code>* ec;
  std::size_t* bytes;
  void operator()(beast::error_code e) const { *ec = e; }
  void operator()(beast::error_code e, std::size_t n) const {
    *ec = e;
    *bytes = n;
  }
  void operator()(beast::error_code e, const tcp::endpoint&) const { *ec = e; }
};

// Starts an asynchronous operation on `stream` with `start(Completion)` and runs `ioc` until it
// completes. The caller has set the stream's deadline (expires_after/expires_at), which ends the
// operation with beast::error::timeout; run_for is a second guard in case it does not.
template <typename Start>
beast::error_code RunOp(net::io_context& ioc, beast::tcp_stream& stream, milliseconds deadline,
                        Start&& start, std::size_t* bytes_out = nullptr) {
  std::optional<beast::error_code> ec;
  std::size_t bytes = 0;
  std::forward<Start>(start)(Completion{&ec, &bytes});
  ioc.restart();
  ioc.run_for(deadline + kGuard);
  if (!ec) {
    stream.close();  // cancels the operation; its handler then runs with operation_aborted
    ioc.restart();
    ioc.run();
    if (!ec) ec = beast::error::timeout;
  }
  if (bytes_out != nullptr) *bytes_out = bytes;
  return *ec;
}

beast::error_code Connect(net::io_context& ioc, beast::tcp_stream& stream, const std::string& host,
                          uint16_t port, milliseconds timeout) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return ec;
  const tcp::endpoint endpoint(address, port);
  stream.expires_after(timeout);
  ec = RunOp(ioc, stream, timeout, [&](Completion done) { stream.async_connect(endpoint, done); });
  if (!ec) stream.socket().set_option(tcp::no_delay(true), ec);
  return ec;
}

http::request<http::string_body> BuildRequest(std::string_view method, std::string_view target,
                                              std::string_view body, const HttpHeaders& headers,
                                              const std::string& host, uint16_t port,
                                              const std::string& token) {
  http::request<http::string_body> req;
  req.method_string(Bv(method));
  req.target(Bv(target));
  req.version(11);
  req.set(http::field::host, host + ":" + std::to_string(port));
  req.set(http::field::user_agent, "contrack-test");
  bool has_auth = false;
  for (const auto& [name, value] : headers) {
    if (Lower(name) == "authorization") has_auth = true;
    req.insert(Bv(name), Bv(value));
  }
  if (!has_auth && !token.empty()) req.set(http::field::authorization, "Bearer " + token);
  req.body() = std::string(body);
  req.prepare_payload();
  return req;
}

template <typename Fields>
void CopyHeaders(const Fields& fields, HttpResponse* out) {
  for (const auto& f : fields) {
    const auto n = f.name_string();
    const auto v = f.value();
    auto name = Lower(std::string_view(n.data(), n.size()));
    auto [it, inserted] = out->headers.emplace(name, std::string(v.data(), v.size()));
    if (!inserted) it->second += ", " + std::string(v.data(), v.size());
  }
}

HttpResponse FromParsed(const http::response<http::string_body>& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  CopyHeaders(res.base(), &out);
  return out;
}

HttpResponse TransportFailure(std::string_view stage, const beast::error_code& ec) {
  HttpResponse out;
  out.error = std::string(stage) + ": " + ec.message();
  return out;
}

bool IsClose(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? std::string() : it->second;
}

// ---------------------------------------------------------------------------------------------
// HttpClient

struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;  // engaged while connected
  beast::flat_buffer buffer;

  void Close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
      stream.reset();
    }
    buffer.consume(buffer.size());
  }
};

Result<std::unique_ptr<HttpClient>> HttpClient::FromUrl(const std::string& url) {
  const std::string scheme = "http://";
  auto bad = [&](const std::string& why) {
    return Fail(kInvalidArgument, "--url " + url + ": " + why);
  };
  if (!url.starts_with(scheme)) return bad("must start with http://");
  std::string rest = url.substr(scheme.size());
  if (const size_t slash = rest.find('/'); slash != std::string::npos) {
    if (rest.find_first_not_of('/', slash) != std::string::npos) return bad("must have no path");
    rest.resize(slash);
  }
  const size_t colon = rest.rfind(':');
  std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
  unsigned port = 80;
  if (colon != std::string::npos) {
    const std::string p = rest.substr(colon + 1);
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
      return bad("port must be a number");
    }
    port = static_cast<unsigned>(std::stoul(p));
    if (port == 0 || port > 65535) return bad("port must be 1..65535");
  }
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  net::ip::make_address(host, ec);
  if (ec) return bad("host must be an IP address or localhost");
  return std::make_unique<HttpClient>(host, static_cast<uint16_t>(port));
}

HttpClient::HttpClient(std::string host, uint16_t port, milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() {
  if (impl_) impl_->Close();
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::Close() { impl_->Close(); }

bool HttpClient::connected() const { return impl_->stream.has_value(); }

HttpResponse HttpClient::Request(std::string_view method, std::string_view target,
                                 std::string_view body, const HttpHeaders& headers) {
  Impl& c = *impl_;
  auto req = BuildRequest(method, target, body, headers, c.host, c.port, token_);
  for (int attempt = 0;; ++attempt) {
    const bool reused = c.stream.has_value();
    if (!reused) {
      c.stream.emplace(c.ioc);
      auto ec = Connect(c.ioc, *c.stream, c.host, c.port, c.timeout);
      if (ec) {
        c.Close();
        return TransportFailure("connect", ec);
      }
    }
    c.stream->expires_after(c.timeout);
    auto ec = RunOp(c.ioc, *c.stream, c.timeout,
                    [&](Completion done) { http::async_write(*c.stream, req, done); });
    if (ec) {
      c.Close();
      if (reused && attempt == 0 && IsClose(ec)) continue;
      return TransportFailure("write", ec);
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    parser.header_limit(1u << 20);
    c.stream->expires_after(c.timeout);
    ec = RunOp(c.ioc, *c.stream, c.timeout,
               [&](Completion done) { http::async_read(*c.stream, c.buffer, parser, done); });
    if (ec) {
      const bool nothing_received = !parser.got_some();
      c.Close();
      if (reused && attempt == 0 && nothing_received && IsClose(ec)) continue;
      return TransportFailure("read", ec);
    }
    const auto& res = parser.get();
    auto out = FromParsed(res);
    if (!res.keep_alive()) c.Close();
    return out;
  }
}

HttpResponse HttpClient::Download(std::string_view target, const BodySink& sink,
                                  const HttpHeaders& headers) {
  Impl& c = *impl_;
  // A fresh connection: a download is long and not retried.
  c.Close();
  c.stream.emplace(c.ioc);
  auto ec = Connect(c.ioc, *c.stream, c.host, c.port, c.timeout);
  if (ec) {
    c.Close();
    return TransportFailure("connect", ec);
  }
  auto req = BuildRequest("GET", target, "", headers, c.host, c.port, token_);
  c.stream->expires_after(c.timeout);
  ec = RunOp(c.ioc, *c.stream, c.timeout,
             [&](Completion done) { http::async_write(*c.stream, req, done); });
  if (ec) {
    c.Close();
    return TransportFailure("write", ec);
  }
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(kBodyLimit);
  parser.header_limit(1u << 20);
  c.stream->expires_after(c.timeout);
  ec = RunOp(c.ioc, *c.stream, c.timeout,
             [&](Completion done) { http::async_read_header(*c.stream, c.buffer, parser, done); });
  if (ec) {
    c.Close();
    return TransportFailure("read header", ec);
  }
  HttpResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  CopyHeaders(parser.get().base(), &out);
  std::vector<char> piece(1u << 16);
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    c.stream->expires_after(c.timeout);
    ec = RunOp(c.ioc, *c.stream, c.timeout,
               [&](Completion done) { http::async_read(*c.stream, c.buffer, parser, done); });
    if (ec == http::error::need_buffer) ec = {};
    const size_t n = piece.size() - parser.get().body().size;
    if (n > 0) {
      if (out.status != 200) {
        if (out.body.size() < (1u << 20)) out.body.append(piece.data(), n);
      } else if (auto r = sink(std::string_view(piece.data(), n)); !r) {
        out.error = r.error().message;
        c.Close();
        return out;
      }
    }
    if (ec) {
      c.Close();
      out.error = "read: " + ec.message();
      return out;
    }
  }
  c.Close();
  return out;
}

// ---------------------------------------------------------------------------------------------
// RawConnection

struct RawConnection::Impl {
  milliseconds timeout;
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;
};

RawConnection::RawConnection(std::string host, uint16_t port, milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->timeout = timeout;
  impl_->connected = !Connect(impl_->ioc, impl_->stream, host, port, timeout);
}

RawConnection::~RawConnection() {
  beast::error_code ignored;
  impl_->stream.socket().close(ignored);
}

bool RawConnection::connected() const { return impl_->connected; }

bool RawConnection::Send(std::string_view bytes) {
  Impl& c = *impl_;
  if (!c.connected) return false;
  c.stream.expires_after(c.timeout);
  auto ec = RunOp(c.ioc, c.stream, c.timeout, [&](Completion done) {
    net::async_write(c.stream, net::buffer(bytes.data(), bytes.size()), done);
  });
  return !ec;
}

RawConnection::ReadResult RawConnection::ReadUntilClose(milliseconds timeout) {
  Impl& c = *impl_;
  ReadResult out;
  out.data = beast::buffers_to_string(c.buffer.data());
  c.buffer.consume(c.buffer.size());
  if (!c.connected) {
    out.closed = true;
    return out;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 4096> chunk;
  for (;;) {
    c.stream.expires_at(deadline);
    std::size_t n = 0;
    auto ec = RunOp(
        c.ioc, c.stream, timeout,
        [&](Completion done) { c.stream.async_read_some(net::buffer(chunk), done); }, &n);
    out.data.append(chunk.data(), n);
    if (!ec) continue;
    if (IsClose(ec)) {
      out.closed = true;
    } else if (ec == beast::error::timeout) {
      out.timed_out = true;
    } else {
      out.error = ec.message();
    }
    c.connected = false;  // a timed-out tcp_stream has closed its socket
    return out;
  }
}

HttpResponse RawConnection::ReadResponse(milliseconds timeout) {
  Impl& c = *impl_;
  if (!c.connected) return TransportFailure("read", net::error::not_connected);
  http::response_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  c.stream.expires_after(timeout);
  auto ec = RunOp(c.ioc, c.stream, timeout,
                  [&](Completion done) { http::async_read(c.stream, c.buffer, parser, done); });
  if (ec) {
    if (ec == beast::error::timeout) c.connected = false;
    return TransportFailure("read", ec);
  }
  return FromParsed(parser.get());
}

// ---------------------------------------------------------------------------------------------
// SseClient

struct SseClient::Impl {
  std::string host;
  uint16_t port;
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::string_body>> parser;
  bool open = false;
  SseEvent current;        // fields seen since the last dispatched event
  bool has_field = false;  // `current` holds at least one field

  // Takes one complete event out of the parsed body, if there is one.
  std::optional<SseEvent> TakeEvent() {
    std::string& body = parser->get().body();
    std::size_t pos = 0;
    std::optional<SseEvent> out;
    while (!out) {
      const auto nl = body.find('\n', pos);
      if (nl == std::string::npos) break;
      std::string_view line(body.data() + pos, nl - pos);
      pos = nl + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) {
        if (has_field) {
          out = std::move(current);
          current = SseEvent{};
          has_field = false;
        }
        continue;
      }
      if (line.front() == ':') continue;  // comment
      const auto colon = line.find(':');
      std::string_view field = line.substr(0, colon);
      std::string_view value;
      if (colon != std::string_view::npos) {
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      }
      has_field = true;
      if (field == "id") {
        current.id = std::string(value);
      } else if (field == "event") {
        current.event = std::string(value);
      } else if (field == "data") {
        if (!current.data.empty()) current.data += '\n';
        current.data += value;
      }
    }
    body.erase(0, pos);
    return out;
  }
};

SseClient::SseClient(std::string host, uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

SseClient::~SseClient() { Close(); }

void SseClient::Close() {
  if (!impl_->open) return;
  beast::error_code ignored;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  impl_->stream.close();
  impl_->open = false;
}

HttpResponse SseClient::Open(std::string_view target, const HttpHeaders& headers,
                             milliseconds timeout) {
  Impl& c = *impl_;
  auto ec = Connect(c.ioc, c.stream, c.host, c.port, timeout);
  if (ec) return TransportFailure("connect", ec);
  c.open = true;
  HttpHeaders all = headers;
  const bool has_accept =
      std::any_of(all.begin(), all.end(), [](const auto& h) { return Lower(h.first) == "accept"; });
  if (!has_accept) all.emplace_back("Accept", "text/event-stream");
  auto req = BuildRequest("GET", target, "", all, c.host, c.port, "");
  c.stream.expires_after(timeout);
  ec = RunOp(c.ioc, c.stream, timeout,
             [&](Completion done) { http::async_write(c.stream, req, done); });
  if (ec) {
    Close();
    return TransportFailure("write", ec);
  }
  c.parser.emplace();
  c.parser->body_limit(kBodyLimit);
  c.stream.expires_after(timeout);
  ec = RunOp(c.ioc, c.stream, timeout, [&](Completion done) {
    http::async_read_header(c.stream, c.buffer, *c.parser, done);
  });
  if (ec) {
    Close();
    return TransportFailure("read header", ec);
  }
  HttpResponse out;
  out.status = static_cast<int>(c.parser->get().result_int());
  CopyHeaders(c.parser->get().base(), &out);
  if (out.status != 200) {
    c.stream.expires_after(timeout);
    ec = RunOp(c.ioc, c.stream, timeout,
               [&](Completion done) { http::async_read(c.stream, c.buffer, *c.parser, done); });
    out.body = c.parser->get().body();
    if (ec) out.error = "read body: " + ec.message();
    Close();
  }
  return out;
}

std::optional<SseEvent> SseClient::Next(milliseconds timeout) {
  Impl& c = *impl_;
  error_.clear();
  if (!c.parser) {
    error_ = "not open";
    return std::nullopt;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto e = c.TakeEvent()) return e;
    if (!c.open) {
      error_ = "closed";
      return std::nullopt;
    }
    if (c.parser->is_done()) {
      error_ = "end of stream";
      return std::nullopt;
    }
    c.stream.expires_at(deadline);
    auto ec = RunOp(c.ioc, c.stream, timeout, [&](Completion done) {
      http::async_read_some(c.stream, c.buffer, *c.parser, done);
    });
    if (ec == http::error::need_buffer) continue;
    if (ec) {
      if (auto e = c.TakeEvent()) return e;
      error_ = ec == beast::error::timeout ? std::string("timeout") : ec.message();
      c.open = false;
      return std::nullopt;
    }
  }
}

}  // namespace contrack::http

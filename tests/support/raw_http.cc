// Raw HTTP clients for hostile-input and streaming tests: arbitrary bytes on a socket, and
// Server-Sent Events.
#include "tests/support/raw_http.h"

// clang-format off
#include <utility>  // Before any Boost.Asio header: awaitable.hpp needs it under C++23.
// clang-format on

#include "tools/cli/beast_io.h"

namespace contrack::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using namespace contrack::http::detail;
using contrack::http::HttpHeaders;
using contrack::http::HttpResponse;

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

}  // namespace contrack::testing

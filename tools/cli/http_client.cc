// The CLI's synchronous HTTP/1.1 client on Boost.Beast, with a deadline on every socket operation.
#include "tools/cli/http_client.h"

// clang-format off
#include <utility>  // Before any Boost.Asio header: awaitable.hpp needs it under C++23.
// clang-format on

#include <array>

#include "tools/cli/beast_io.h"

namespace contrack::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using namespace detail;

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

}  // namespace contrack::http

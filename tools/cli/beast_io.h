// Blocking Beast I/O with a deadline on every operation, shared by the CLI's HTTP client and the
// tests' raw clients (tests/support/raw_http.h). Header-only; internal to those two.
#pragma once

// clang-format off
#include <utility>  // Before any Boost.Asio header: awaitable.hpp needs it under C++23.
// clang-format on

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "tools/cli/http_client.h"

namespace contrack::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

// Extra time past an operation's own deadline before the io_context guard gives up on it.
inline constexpr milliseconds kGuard{5000};

// Responses are bounded only by memory. (Boost 1.74's body_limit(boost::none) is not "no limit":
// a parser reading the header alone then refuses any Content-Length.)
inline constexpr std::uint64_t kBodyLimit = std::uint64_t{1} << 40;

inline std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Boost 1.74's beast::string_view is boost::string_view, not std::string_view.
inline beast::string_view Bv(std::string_view s) { return beast::string_view(s.data(), s.size()); }

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

inline beast::error_code Connect(net::io_context& ioc, beast::tcp_stream& stream,
                                 const std::string& host, uint16_t port, milliseconds timeout) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return ec;
  const tcp::endpoint endpoint(address, port);
  stream.expires_after(timeout);
  ec = RunOp(ioc, stream, timeout, [&](Completion done) { stream.async_connect(endpoint, done); });
  if (!ec) stream.socket().set_option(tcp::no_delay(true), ec);
  return ec;
}

inline http::request<http::string_body> BuildRequest(std::string_view method,
                                                     std::string_view target, std::string_view body,
                                                     const HttpHeaders& headers,
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

inline HttpResponse FromParsed(const http::response<http::string_body>& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  CopyHeaders(res.base(), &out);
  return out;
}

inline HttpResponse TransportFailure(std::string_view stage, const beast::error_code& ec) {
  HttpResponse out;
  out.error = std::string(stage) + ": " + ec.message();
  return out;
}

inline bool IsClose(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted;
}

}  // namespace contrack::http::detail

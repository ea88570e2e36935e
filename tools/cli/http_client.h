// Small synchronous HTTP/1.1 clients for contrackd: the CLI's remote mode and the integration
// tests (which also use the raw connection and SSE client for hostile input and streaming).
//
// None of these classes is safe for concurrent use: give each thread its own instance. Every
// socket operation has a deadline (beast::tcp_stream::expires_after on asynchronous operations
// driven to completion on a private io_context), so no call can block a test forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/error.h"

namespace contrack::http {

// One HTTP response. status is 0 when the exchange failed at the transport level (connect,
// write, read or timeout); `error` then says why.
struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; repeated headers joined ", "
  std::string error;                           // transport error; empty on success

  // The value of header `name` (any case), or "" when absent.
  std::string Header(std::string_view name) const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// A keep-alive HTTP/1.1 client to one server. Opens its connection lazily, keeps it across
// requests, and reconnects when the server closed it. A request on a reused connection that fails
// before any response byte arrives (the server closed an idle connection) is retried once on a
// fresh connection; a request on a fresh connection is never retried.
class HttpClient {
 public:
  // A client for "http://HOST:PORT" (HOST an IP literal or "localhost"); invalid_argument for
  // anything else (https is not supported: terminate TLS in front of contrackd).
  [[nodiscard]] static Result<std::unique_ptr<HttpClient>> FromUrl(const std::string& url);

  // `host` is an IP address literal ("127.0.0.1"). `timeout` bounds each socket operation.
  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // When non-empty, every request carries "Authorization: Bearer <token>" unless `headers` has
  // its own Authorization header.
  void set_token(std::string token) { token_ = std::move(token); }

  // Sends `method` (any token, e.g. "GET", "DELETE") for `target` with `body` (a Content-Length
  // is always sent for a non-empty body) and `headers`, and reads the whole response.
  HttpResponse Request(std::string_view method, std::string_view target, std::string_view body = "",
                       const HttpHeaders& headers = {});
  HttpResponse Get(std::string_view target, const HttpHeaders& headers = {}) {
    return Request("GET", target, "", headers);
  }
  HttpResponse Post(std::string_view target, std::string_view body,
                    const HttpHeaders& headers = {}) {
    return Request("POST", target, body, headers);
  }

  // GETs `target` and hands a 200 response's body to `sink` piece by piece as it arrives (the
  // returned response's body is then empty); any other status's body is returned whole. A sink
  // error stops the download and is returned in `error` (status kept). A body that ends before
  // its Content-Length (or final chunk) is a transport error: "read: ...partial message".
  using BodySink = std::function<Result<void>(std::string_view)>;
  HttpResponse Download(std::string_view target, const BodySink& sink,
                        const HttpHeaders& headers = {});

  // Drops the current connection (the next request opens a new one).
  void Close();
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string token_;
};

}  // namespace contrack::http

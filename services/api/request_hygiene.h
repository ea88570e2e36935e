// What the server checks and hides of a request before it is handled: the header's framing (RFC
// 9112: no request smuggling) and the secrets in a target the access log writes. Pure; safe for
// concurrent use.
#pragma once

// clang-format off
#include <utility>  // Before any Boost.Asio header: awaitable.hpp needs it under C++23.
// clang-format on

#include <boost/beast/http.hpp>
#include <optional>
#include <string>

#include "services/api/api.h"

namespace contrack::api {

// Request hygiene (RFC 9112), checked on the header before any body is read: a Transfer-Encoding
// on HTTP/1.0, together with Content-Length, or not ending in chunked; an HTTP/1.1 request
// without exactly one Host; more than one Authorization header. Returns the answer to send (400,
// or 501 for a transfer coding other than chunked) after which the connection must be closed, or
// nullopt when the header is acceptable.
std::optional<Response> CheckRequestHeader(const http::request_header<>& header);

// `target` as the access log writes it: the values of query parameters whose name (decoded, any
// case) contains "token", "secret", "passw", "auth" or "key" are replaced by "REDACTED".
std::string RedactTarget(const std::string& target);

}  // namespace contrack::api

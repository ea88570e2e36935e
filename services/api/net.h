// The one header through which contrack includes Boost.Asio and Beast.
#pragma once

// Boost 1.74's Asio uses std::exchange in awaitable.hpp without including <utility>; under C++23
// it must come first.
#include <utility>
//
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace contrack::api {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
}  // namespace contrack::api

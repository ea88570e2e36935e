// What api.cc and web_routes.cc share of one request in flight: the Api's private context.
// Internal to services/api/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/api/api.h"

namespace contrack::api {

struct Api::Ctx {
  Request req;
  std::string path;
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  std::optional<Principal> principal;
  std::optional<WebSession> session;  // when admitted by a session cookie
  std::string route = "unmatched";
  net::any_io_executor executor;  // the session's: long-poll timers run on it
};

// A string as a JSON string literal (quotes included): the session answers are built by hand,
// since their shape is the web interface's, not the schema's.
std::string JsonString(std::string_view s);

// A Set-Cookie value that makes the browser drop the session cookie.
std::string ClearSessionCookie(bool secure);

}  // namespace contrack::api

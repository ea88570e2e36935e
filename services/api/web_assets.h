// The web interface's files (the repository's web/ folder), embedded in the binary at build time
// by tools/embed_web.cmake, so contrackd serves them with no files or network at run time.
// Immutable; safe for concurrent use.
#pragma once

#include <span>
#include <string_view>

namespace contrack::api {

struct WebAsset {
  std::string_view path;          // "/" (index.html) or "/assets/<path under web/>"
  std::string_view content_type;  // with "; charset=utf-8" for text
  std::string_view etag;          // a quoted prefix of the file's SHA-256, e.g. "\"3fa4…\""
  std::string_view body;
};

// Every embedded file. Generated (the build's web_assets_data.cc).
std::span<const WebAsset> WebAssets();

// The file served at `path`, or nullptr. Only exact paths of the table match: "..", "." and
// empty segments, backslashes and NUL bytes never do.
const WebAsset* FindWebAsset(std::string_view path);

// Whether an If-None-Match header value names `etag` (a list of entity tags, weak ones
// included, or "*"; RFC 9110 section 13.1.2).
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace contrack::api

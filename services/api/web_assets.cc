// Lookup of the embedded web files.
#include "services/api/web_assets.h"

namespace contrack::api {

const WebAsset* FindWebAsset(std::string_view path) {
  if (path.find("/.") != std::string_view::npos || path.find("//") != std::string_view::npos ||
      path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) {
    return nullptr;
  }
  // A few dozen files: a scan costs less than the request's parsing.
  for (const WebAsset& a : WebAssets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

bool EtagMatches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);  // weak comparison, as for GET
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

}  // namespace contrack::api

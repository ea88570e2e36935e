// Request targets and query parameters.
#include "services/api/params.h"

#include <charconv>

namespace contrack::api {
namespace {

bool FromHex(char c, int* v) {
  if (c >= '0' && c <= '9')
    *v = c - '0';
  else if (c >= 'a' && c <= 'f')
    *v = c - 'a' + 10;
  else if (c >= 'A' && c <= 'F')
    *v = c - 'A' + 10;
  else
    return false;
  return true;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      int hi, lo;
      if (i + 2 >= s.size()) return std::nullopt;
      if (!FromHex(s[i + 1], &hi) || !FromHex(s[i + 2], &lo)) return std::nullopt;
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Result<uint64_t> ParseUint(const std::map<std::string, std::string>& q, const std::string& key,
                           uint64_t fallback, uint64_t max) {
  auto it = q.find(key);
  if (it == q.end()) return fallback;
  uint64_t v = 0;
  const auto* end = it->second.data() + it->second.size();
  auto [p, ec] = std::from_chars(it->second.data(), end, v);
  if (ec != std::errc() || p != end || it->second.empty()) {
    return Fail(kInvalidArgument,
                key + ": \"" + it->second.substr(0, 32) + "\" is not a non-negative integer");
  }
  if (v > max) {
    return Fail(kInvalidArgument,
                key + " is " + std::to_string(v) + "; the limit is " + std::to_string(max));
  }
  return v;
}

Result<uint64_t> ParseLimit(const std::map<std::string, std::string>& q) {
  auto v = ParseUint(q, "limit", kDefaultPage, kMaxPage);
  if (v && *v == 0) return Fail(kInvalidArgument, "limit is 0; it must be at least 1");
  return v;
}

Result<TimeBounds> ParseBounds(const std::map<std::string, std::string>& q) {
  TimeBounds b;
  if (auto it = q.find("as_of"); it != q.end()) {
    auto d = ParseDate(it->second, "as_of");
    if (!d) return std::unexpected(d.error());
    b.as_of = *d;
  }
  if (auto it = q.find("known_at"); it != q.end()) {
    auto t = ParseRfc3339(it->second, "known_at");
    if (!t) return std::unexpected(t.error());
    b.known_at = *t;
  }
  return b;
}

// Splits the target into decoded path segments and query parameters.
Result<void> ParseTarget(const std::string& target, std::string* path,
                         std::vector<std::string>* segments,
                         std::map<std::string, std::string>* query) {
  const size_t q = target.find('?');
  *path = target.substr(0, q);
  if (path->empty() || (*path)[0] != '/') {
    return Fail(kInvalidArgument, "request target must be an absolute path");
  }
  size_t pos = 1;
  while (pos <= path->size()) {
    size_t slash = path->find('/', pos);
    if (slash == std::string::npos) slash = path->size();
    auto seg = PercentDecode(std::string_view(*path).substr(pos, slash - pos), false);
    if (!seg) return Fail(kInvalidArgument, "malformed percent-encoding in the path");
    segments->push_back(*seg);
    pos = slash + 1;
  }
  if (!segments->empty() && segments->back().empty()) segments->pop_back();
  if (q == std::string::npos) return {};
  std::string_view qs = std::string_view(target).substr(q + 1);
  while (!qs.empty()) {
    size_t amp = qs.find('&');
    std::string_view pair = qs.substr(0, amp);
    qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) return Fail(kInvalidArgument, "malformed percent-encoding in the query");
    (*query)[*key] = *value;
  }
  return {};
}

}  // namespace contrack::api

// Request hygiene: header framing checks and access-log redaction.
#include "services/api/request_hygiene.h"

#include <cctype>
#include <string_view>
#include <vector>

#include "services/api/params.h"

namespace contrack::api {
namespace {

namespace http = boost::beast::http;

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The name of a query parameter, percent-decoded ('+' is a space) and lower-cased; malformed
// escapes are kept as they are, the valid ones around them decoded.
std::string DecodedName(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return LowerAscii(out);
}

bool SecretName(std::string_view raw) {
  const std::string name = DecodedName(raw);
  for (const char* word : {"token", "secret", "passw", "auth", "key"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::optional<Response> CheckRequestHeader(const http::request_header<>& header) {
  auto refuse = [](ErrorCode code, std::string message) {
    return ErrorResponse({code, std::move(message), std::nullopt});
  };
  size_t hosts = 0, authorizations = 0;
  bool has_length = false, has_coding = false;
  std::vector<std::string> codings;
  for (const auto& f : header) {
    switch (f.name()) {
      case http::field::host:
        ++hosts;
        break;
      case http::field::authorization:
        ++authorizations;
        break;
      case http::field::content_length:
        has_length = true;
        break;
      case http::field::transfer_encoding: {
        has_coding = true;
        std::string_view v(f.value().data(), f.value().size());
        while (!v.empty()) {
          const size_t comma = v.find(',');
          std::string_view item = v.substr(0, comma);
          v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
          while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
            item.remove_prefix(1);
          }
          while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
          if (!item.empty()) codings.push_back(LowerAscii(item));
        }
        break;
      }
      default:
        break;
    }
  }
  if (has_coding) {
    if (header.version() < 11) {
      return refuse(kInvalidArgument,
                    "Transfer-Encoding in an HTTP/1.0 request: its framing cannot be trusted "
                    "(RFC 9112 section 6.1); send Content-Length");
    }
    if (has_length) {
      return refuse(kInvalidArgument,
                    "Content-Length and Transfer-Encoding together: the body's length is "
                    "ambiguous (RFC 9112 section 6.1); send one of them");
    }
    std::string all;
    for (const auto& c : codings) all += (all.empty() ? "" : ", ") + c;
    if (codings.empty() || codings.back() != "chunked") {
      return refuse(kInvalidArgument,
                    "Transfer-Encoding \"" + all.substr(0, 64) +
                        "\" does not end in chunked: the body's length is unknown (RFC 9112 "
                        "section 6.3)");
    }
    for (size_t i = 0; i + 1 < codings.size(); ++i) {
      if (codings[i] == "chunked") {
        return refuse(kInvalidArgument,
                      "Transfer-Encoding \"" + all.substr(0, 64) + "\" applies chunked twice");
      }
      return refuse(ErrorCode::kNotImplemented,
                    "transfer coding \"" + codings[i].substr(0, 64) +
                        "\" is not supported; send the body chunked or with Content-Length");
    }
  }
  if (hosts == 0 && header.version() >= 11) {
    return refuse(kInvalidArgument,
                  "an HTTP/1.1 request needs a Host header (RFC 9112 section 3.2)");
  }
  if (hosts > 1) {
    return refuse(kInvalidArgument,
                  std::to_string(hosts) + " Host headers; a request carries exactly one");
  }
  if (authorizations > 1) {
    return refuse(kInvalidArgument, std::to_string(authorizations) +
                                        " Authorization headers; a request carries at most one");
  }
  return std::nullopt;
}

std::string RedactTarget(const std::string& target) {
  const size_t q = target.find('?');
  if (q == std::string::npos) return target;
  std::string out = target.substr(0, q + 1);
  std::string_view rest = std::string_view(target).substr(q + 1);
  bool first = true;
  for (;;) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && SecretName(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1));
      out += "REDACTED";
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace contrack::api

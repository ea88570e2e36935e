// Money and bytes as text.
#include "domain/format_text.h"

#include <cctype>

namespace contrack {
namespace {

// Whole pounds and the pence digits of |pence|, and its sign.
struct Parts {
  bool negative;
  std::string whole;
  char pence[3];
};

Parts Split(int64_t pence) {
  const bool neg = pence < 0;
  const uint64_t p = neg ? 0 - static_cast<uint64_t>(pence) : static_cast<uint64_t>(pence);
  const unsigned frac = static_cast<unsigned>(p % 100);
  return {neg,
          std::to_string(p / 100),
          {static_cast<char>('0' + frac / 10), static_cast<char>('0' + frac % 10), '\0'}};
}

}  // namespace

std::string FormatPounds(int64_t pence) {
  Parts p = Split(pence);
  for (int i = static_cast<int>(p.whole.size()) - 3; i > 0; i -= 3) p.whole.insert(i, ",");
  return (p.negative ? "-£" : "£") + p.whole + "." + p.pence;
}

std::string FormatPoundsPlain(int64_t pence) {
  const Parts p = Split(pence);
  return (p.negative ? "-" : "") + p.whole + "." + p.pence;
}

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace contrack

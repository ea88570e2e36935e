// Flag values as people write them.
#include "tools/cli/flag_values.h"

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>

#include "domain/format_text.h"

namespace contrack::cli {
namespace {

constexpr std::string_view kPound = "\xC2\xA3";  // "£" in UTF-8

std::string Quoted(std::string_view s) {
  constexpr size_t kShown = 64;
  return "\"" + std::string(s.substr(0, kShown)) + (s.size() > kShown ? "...\"" : "\"");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// What a number is, for messages: "an amount in pounds (e.g. ...)".
struct Kind {
  std::string_view noun;     // "an amount in pounds"
  std::string_view example;  // "728678, 728,678.00 or £1,457,356"
  std::string_view unit;     // "whole pence"
};

// `digits` ("1,234.5") in hundredths (pence; basis points of a percent): digits, optionally
// grouped by three with commas, then optionally '.' and one or two digits. `shown` is the text
// the person wrote. Refuses anything above `max` with `too_large`.
Result<uint64_t> Hundredths(std::string_view digits, std::string_view shown, const Kind& kind,
                            uint64_t max, const std::string& too_large) {
  auto not_a_number = [&](std::string why) {
    return Fail(kInvalidArgument, Quoted(shown) + " is not " + std::string(kind.noun) + " (" + why +
                                      "e.g. " + std::string(kind.example) + ")");
  };
  const size_t dot = digits.find('.');
  const std::string_view whole = digits.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : digits.substr(dot + 1);
  if (whole.empty() && frac.empty()) return not_a_number("");
  if (dot != std::string_view::npos && frac.empty()) {
    return not_a_number("no digits after the decimal point; ");
  }
  for (char c : frac) {
    if (!IsDigit(c)) return not_a_number("");
  }
  if (frac.size() > 2) {
    return Fail(kInvalidArgument,
                Quoted(shown) + " has more than two decimal places: " + std::string(kind.noun) +
                    " is recorded in " + std::string(kind.unit));
  }
  if (whole.find(',') != std::string_view::npos) {
    // Groups of three after the first, which has one to three digits: "1,000", "12,345,678".
    size_t group = 0;
    bool first = true;
    for (size_t i = 0; i <= whole.size(); ++i) {
      if (i == whole.size() || whole[i] == ',') {
        if (group == 0 || group > 3 || (!first && group != 3)) {
          return not_a_number("thousands separators group three digits; ");
        }
        first = false;
        group = 0;
      } else {
        ++group;
      }
    }
  }
  uint64_t value = 0;
  bool overflow = false;
  for (char c : whole) {
    if (c == ',') continue;
    if (!IsDigit(c)) return not_a_number("");
    if (value > (max / 100)) {
      overflow = true;  // keep checking the characters: a bad one is the better message
      continue;
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  uint64_t fraction = 0;
  if (!frac.empty()) fraction = static_cast<uint64_t>(frac[0] - '0') * 10;
  if (frac.size() == 2) fraction += static_cast<uint64_t>(frac[1] - '0');
  if (overflow || value > max / 100 || value * 100 > max - fraction) {
    return Fail(kInvalidArgument, Quoted(shown) + " is " + too_large);
  }
  return value * 100 + fraction;
}

}  // namespace

Result<int64_t> ParsePounds(std::string_view text, bool allow_negative) {
  static constexpr Kind kMoney{"an amount in pounds", "728678, 728,678.00 or £1,457,356",
                               "whole pence"};
  std::string_view s = Trim(text);
  bool negative = false;
  if (s.starts_with('-')) {
    negative = true;
    s.remove_prefix(1);
    if (s.starts_with(kPound)) s.remove_prefix(kPound.size());
  } else if (s.starts_with(kPound)) {
    s.remove_prefix(kPound.size());
    if (s.starts_with('-')) {
      negative = true;
      s.remove_prefix(1);
    }
  }
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  auto pence = Hundredths(s, text, kMoney, kMax,
                          "more than the largest amount recorded, " +
                              FormatPounds(std::numeric_limits<int64_t>::max()));
  if (!pence) return std::unexpected(pence.error());
  if (negative && !allow_negative) {
    return Fail(kInvalidArgument,
                Quoted(text) + " is negative; this amount must be 0 or more (a decrease is a " +
                    "variation: vary --value-delta)");
  }
  const auto magnitude = static_cast<int64_t>(*pence);
  return negative ? -magnitude : magnitude;
}

Result<int32_t> ParseSharePercent(std::string_view text) {
  static constexpr Kind kPercent{"a percent", "48.6% or 12.25", "basis points (0.01%)"};
  std::string_view s = Trim(text);
  if (s.ends_with('%')) s = Trim(s.substr(0, s.size() - 1));
  if (s.starts_with('-')) {
    return Fail(kInvalidArgument, Quoted(text) + " is negative; a share is 0% to 100%");
  }
  auto bp = Hundredths(s, text, kPercent, 10000, "more than 100%");
  if (!bp) return std::unexpected(bp.error());
  return static_cast<int32_t>(*bp);
}

Result<v1::Participant> ParseParticipant(std::string_view text) {
  v1::Participant p;
  const size_t colon = text.find(':');
  const std::string_view authority = Trim(text.substr(0, colon));
  if (authority.empty()) {
    return Fail(kInvalidArgument, Quoted(text) +
                                      " names no authority (AUTHORITY[:SHARE%[:ROLE]], e.g. "
                                      "\"North Northamptonshire Council:48.6%\")");
  }
  p.set_authority(std::string(authority));
  if (colon == std::string_view::npos) return p;
  const std::string_view rest = text.substr(colon + 1);
  const size_t second = rest.find(':');
  const std::string_view share = Trim(rest.substr(0, second));
  if (!share.empty()) {
    auto bp = ParseSharePercent(share);
    if (!bp) {
      return Fail(kInvalidArgument, "participant " + Quoted(text) + ": " + bp.error().message +
                                        "; a role without a share is AUTHORITY::ROLE");
    }
    p.set_share_basis_points(*bp);
  }
  if (second != std::string_view::npos) p.set_role(std::string(Trim(rest.substr(second + 1))));
  return p;
}

Result<bool> ParseYesNo(std::string_view text) {
  std::string lower(Trim(text));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "yes" || lower == "true") return true;
  if (lower == "no" || lower == "false") return false;
  return Fail(kInvalidArgument, Quoted(text) + " is not yes or no");
}

}  // namespace contrack::cli

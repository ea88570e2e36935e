// Calendar arithmetic for contract periods and recorded instants.
#include "domain/dates.h"

#include <cstdio>

namespace contrack {
namespace {

using namespace std::chrono;

// Reads exactly `n` ASCII digits from `s` at `pos`; -1 when not all digits.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 64) out += "...";
  return out + "\"";
}

}  // namespace

Result<Date> ParseDate(std::string_view text, std::string_view field) {
  const int y = Digits(text, 0, 4);
  const int m = Digits(text, 5, 2);
  const int d = Digits(text, 8, 2);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || y < 0 || m < 0 || d < 0) {
    return Fail(kInvalidArgument,
                std::string(field) + ": " + Quote(text) + " is not a date in YYYY-MM-DD form");
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1900 || y > 2999) {
    return Fail(kInvalidArgument,
                std::string(field) + ": " + Quote(text) + " is not a real calendar date");
  }
  return sys_days{ymd};
}

Date StoredDate(std::string_view text) {
  const int y = Digits(text, 0, 4);
  const int m = Digits(text, 5, 2);
  const int d = Digits(text, 8, 2);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || y < 0 || m < 0 || d < 0) {
    return Date{};
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  return ymd.ok() ? sys_days{ymd} : Date{};
}

std::string FormatDate(Date d) {
  const year_month_day ymd{d};
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month()), day = static_cast<unsigned>(ymd.day());
  if (y < 0 || y > 9999) {  // outside what ParseDate accepts; kept printable
    char buf[24];
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", y, m, day);
    return buf;
  }
  // Hot in alerts and history (one call per listed entry): no printf.
  std::string out(10, '-');
  out[0] = static_cast<char>('0' + y / 1000);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out[2] = static_cast<char>('0' + y / 10 % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[8] = static_cast<char>('0' + day / 10);
  out[9] = static_cast<char>('0' + day % 10);
  return out;
}

Date PeriodEnd(Date end, int months_n) {
  const year_month_day start{end + days{1}};
  year_month_day target = start + months{months_n};
  if (!target.ok()) {
    target = year_month_day{year_month_day_last{target.year(), month_day_last{target.month()}}};
    return sys_days{target};  // start day does not exist in the target month: clamp, no -1.
  }
  return sys_days{target} - days{1};
}

Micros NowMicros() {
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

Result<Micros> ParseRfc3339(std::string_view text, std::string_view field) {
  auto bad = [&]() {
    return Fail(kInvalidArgument, std::string(field) + ": " + Quote(text) +
                                      " is not an RFC 3339 time such as 2015-02-23T16:00:00Z");
  };
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return bad();
  auto date = ParseDate(text.substr(0, 10), field);
  if (!date) return std::unexpected(date.error());
  const int hh = Digits(text, 11, 2), mm = Digits(text, 14, 2), ss = Digits(text, 17, 2);
  if (hh < 0 || mm < 0 || ss < 0 || text[13] != ':' || text[16] != ':' || hh > 23 || mm > 59 ||
      ss > 59) {
    return bad();
  }
  size_t pos = 19;
  int64_t frac_us = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) frac_us = frac_us * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
    for (int i = digits; i < 6; ++i) frac_us *= 10;
  }
  int64_t offset_s = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int oh = Digits(text, pos + 1, 2), om = Digits(text, pos + 4, 2);
    if (oh < 0 || om < 0 || pos + 6 != text.size() || text[pos + 3] != ':' || oh > 23 || om > 59) {
      return bad();
    }
    offset_s = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  const int64_t secs =
      date->time_since_epoch().count() * 86400LL + hh * 3600 + mm * 60 + ss - offset_s;
  return secs * 1000000 + frac_us;
}

std::string FormatRfc3339(Micros t) {
  int64_t secs = t / 1000000;
  int64_t us = t % 1000000;
  if (us < 0) {
    us += 1000000;
    --secs;
  }
  int64_t day_n = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --day_n;
  }
  const std::string date = FormatDate(Date{days{day_n}});
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%sT%02d:%02d:%02d.%06dZ", date.c_str(),
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60), static_cast<int>(us));
  return buf;
}

Date DayOf(Micros t) {
  int64_t secs = t / 1000000;
  if (t % 1000000 < 0) --secs;
  int64_t day_n = secs / 86400;
  if (secs % 86400 < 0) --day_n;
  return Date{days{day_n}};
}

Result<int> ParseFinancialYear(std::string_view text, std::string_view field) {
  const int y = Digits(text, 0, 4), yy = Digits(text, 5, 2);
  if (text.size() != 7 || text[4] != '/' || y < 1900 || yy < 0 || (y + 1) % 100 != yy) {
    return Fail(kInvalidArgument, std::string(field) + ": " + Quote(text) +
                                      " is not a UK financial year such as 2017/18");
  }
  return y;
}

}  // namespace contrack

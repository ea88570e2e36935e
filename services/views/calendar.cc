// The deadlines calendar (services/views/calendar.h).
#include "services/views/calendar.h"

#include <libical/ical.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <memory>
#include <set>
#include <tuple>
#include <vector>

#include "domain/format_text.h"

namespace contrack::views {
namespace {

// Owners of libical objects: a component or property is freed unless a parent took it.
struct ComponentFree {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
struct PropertyFree {
  void operator()(icalproperty* p) const { icalproperty_free(p); }
};
struct BufferFree {
  void operator()(char* s) const { icalmemory_free_buffer(s); }
};
using Component = std::unique_ptr<icalcomponent, ComponentFree>;
using Property = std::unique_ptr<icalproperty, PropertyFree>;
using Buffer = std::unique_ptr<char, BufferFree>;

// libical's error, for a message.
std::string IcalError() {
  const icalerrorenum e = icalerrno;
  return e == ICAL_NO_ERROR ? "no error reported" : icalerror_strerror(e);
}

contrack::Error LibicalFailed(std::string_view what) {
  return {ErrorCode::kInternal, "libical could not " + std::string(what) + ": " + IcalError()};
}

// Adds the property `raw` (just made; nullptr when libical could not make it) to `parent`.
Result<void> Add(icalcomponent* parent, icalproperty* raw, std::string_view name) {
  Property p(raw);
  if (!p) return std::unexpected(LibicalFailed("make the " + std::string(name) + " property"));
  icalcomponent_add_property(parent, p.get());
  // libical reports a refused add through icalerrno only; the parent is what proves it took it.
  if (icalproperty_get_parent(p.get()) != parent) {
    return std::unexpected(LibicalFailed("add the " + std::string(name) + " property"));
  }
  p.release();
  return {};
}

// An X- property holding text (libical escapes its line breaks).
icalproperty* NewX(const char* name, const std::string& value) {
  icalproperty* p = icalproperty_new_x(value.c_str());
  if (p != nullptr) icalproperty_set_x_name(p, name);
  return p;
}

icaltimetype DateValue(Date d) {
  const std::chrono::year_month_day ymd{d};
  icaltimetype t = icaltime_null_date();  // is_date: written as VALUE=DATE
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  return t;
}

icaltimetype UtcValue(Micros now) {
  const auto secs = std::chrono::sys_seconds{std::chrono::seconds{now / 1000000}};
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{secs - day};
  icaltimetype t = icaltime_null_time();
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  t.hour = static_cast<int>(hms.hours().count());
  t.minute = static_cast<int>(hms.minutes().count());
  t.second = static_cast<int>(hms.seconds().count());
  t.zone = icaltimezone_get_utc_timezone();  // written with a trailing Z
  return t;
}

std::string HexSha256(const std::string& s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(s.data(), s.size(), d, &n, EVP_sha256(), nullptr) != 1) n = 0;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 15];
  }
  return out;
}

// A code such as "exercise_or_decline_option" as words, the first one capitalised.
std::string Words(std::string_view code) {
  std::string out(code);
  std::replace(out.begin(), out.end(), '_', ' ');
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// What an officer is to do, for the SUMMARY (docs/queries.md, Alerts).
std::string DecisionWords(const std::string& action) {
  static const std::map<std::string, std::string, std::less<>> kWords = {
      {"exercise_or_decline_option", "Exercise or decline option"},
      {"reprocure", "Reprocure (no option left)"},
      {"lapsed", "Lapsed without a decision"},
      {"terminating", "Termination takes effect"},
      {"review", "Review"},
      {"waiver_without_award", "Waiver without award"},
  };
  auto it = kWords.find(action);
  return it != kWords.end() ? it->second : Words(action);
}

std::string NoticeWords(const v1::Obligation& o) {
  return o.action().empty() ? "Publish " + Words(o.notice_type()) : Words(o.action());
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// One VEVENT before it is written.
struct Item {
  Date day;
  std::string uid;
  std::string summary;
  std::string description;
  std::string url;
  std::string category;
};

Item DecisionItem(const v1::Alert& a, const std::string& public_url) {
  Item it;
  it.day = StoredDate(a.deadline());
  it.uid = DecisionUid(a);
  it.summary = DecisionWords(a.action()) + ": " + a.title() + " (" + a.contract_id() + ")";
  it.url = ContractPageUrl(public_url, a.contract_id());
  it.category = "Decision";
  std::string d = "Decision: " + a.action() + "\n";
  d += "Due: " + a.deadline() + "\n";
  d += std::string("Status: ") + (a.days_left() < 0 ? "overdue" : "due") + "\n";
  d += "Contract: " + a.title() + " (" + a.contract_id() + ")\n";
  d += "Authority: " + a.authority() + "\n";
  if (a.participants_size() > 0) d += "Joint with: " + Join(a.participants()) + "\n";
  d += "Supplier: " + a.supplier() + "\n";
  if (!a.end_date().empty()) d += "End date: " + a.end_date() + "\n";
  if (a.action() == "exercise_or_decline_option") {
    d += "Options left: " + std::to_string(a.options_left()) + "\n";
  }
  d += "Contract page: " + it.url;
  it.description = std::move(d);
  return it;
}

Item NoticeItem(const v1::Obligation& o, const std::map<std::string, std::string>& suppliers,
                const std::string& public_url) {
  Item it;
  it.day = StoredDate(o.due_date());
  it.uid = NoticeUid(o);
  it.summary = NoticeWords(o) + ": " + o.title() + " (" + o.contract_id() + ")";
  it.url = ContractPageUrl(public_url, o.contract_id());
  it.category = "Notice";
  std::string d = "Notice: " + o.notice_type() + "\n";
  if (!o.action().empty()) d += "Action: " + o.action() + "\n";
  d += "Due: " + o.due_date() + "\n";
  d += "Status: " + o.status() + "\n";
  d += "Regime: " + o.regime() + "\n";
  if (!o.provision().empty()) d += "Provision: " + o.provision() + "\n";
  d += "Created by: " + o.created_by() +
       (o.created_by_event_id().empty() ? "" : " (event " + o.created_by_event_id() + ")") + "\n";
  d += "Contract: " + o.title() + " (" + o.contract_id() + ")\n";
  d += "Authority: " + o.authority() + "\n";
  if (auto s = suppliers.find(o.contract_id()); s != suppliers.end()) {
    d += "Supplier: " + s->second + "\n";
  }
  if (!o.flag().empty()) d += "Flag: " + o.flag() + "\n";
  if (!o.note().empty()) d += "Note: " + o.note() + "\n";
  if (o.unverified()) d += "The deadline rests on an unverified source.\n";
  d += "Contract page: " + it.url;
  it.description = std::move(d);
  return it;
}

Result<void> AddEvent(icalcomponent* calendar, const Item& it, const icaltimetype& stamp) {
  Component ev(icalcomponent_new(ICAL_VEVENT_COMPONENT));
  if (!ev) return std::unexpected(LibicalFailed("make a VEVENT"));
  icalcomponent* e = ev.get();
  const Result<void> steps[] = {
      Add(e, icalproperty_new_uid(it.uid.c_str()), "UID"),
      Add(e, icalproperty_new_dtstamp(stamp), "DTSTAMP"),
      Add(e, icalproperty_new_dtstart(DateValue(it.day)), "DTSTART"),
      Add(e, icalproperty_new_dtend(DateValue(it.day + std::chrono::days{1})), "DTEND"),
      Add(e, icalproperty_new_summary(it.summary.c_str()), "SUMMARY"),
      Add(e, icalproperty_new_description(it.description.c_str()), "DESCRIPTION"),
      Add(e, icalproperty_new_url(it.url.c_str()), "URL"),
      Add(e, icalproperty_new_categories(it.category.c_str()), "CATEGORIES"),
      Add(e, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT), "TRANSP"),
  };
  for (const auto& s : steps) {
    if (!s) return s;
  }
  icalcomponent_add_component(calendar, e);
  if (icalcomponent_get_parent(e) != calendar) {
    return std::unexpected(LibicalFailed("add a VEVENT to the calendar"));
  }
  ev.release();
  return {};
}

// libical 3.0 folds a property line with its CRLF counted in: when the last piece is exactly 75
// octets with no space, ';' or ':' in it, the fold lands between the CR and the LF, writing
// "\r" "\r\n " "\n" (a UID line always: "UID:" + 73 octets). Unfolded, that is the CRLF it
// should have been; clients that split lines on CRLF first see a stray CR and a bare LF. No value
// holds a raw CR or LF (libical escapes text; URLs are checked and percent-encoded), so the
// sequence means only this.
std::string RepairFolds(std::string_view ics) {
  static constexpr std::string_view kBroken = "\r\r\n \n";
  std::string out;
  out.reserve(ics.size());
  for (size_t at = 0;;) {
    const size_t hit = ics.find(kBroken, at);
    out.append(ics.substr(at, hit - at));
    if (hit == std::string_view::npos) break;
    out += "\r\n";
    at = hit + kBroken.size();
  }
  return out;
}

}  // namespace

Result<std::string> ParsePublicUrl(std::string_view url, std::string_view flag) {
  const std::string name(flag);
  auto bad = [&](const std::string& why) -> Result<std::string> {
    return Fail(kInvalidArgument, name + " " + why);
  };
  if (url.size() > 2000) return bad("is longer than 2000 characters");
  for (char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>') {
      return bad(
          "holds a space, a control or non-ASCII character, or one of \\ \" < > "
          "(percent-encode it)");
    }
  }
  std::string out(url);
  const size_t colon = out.find("://");
  std::string scheme = colon == std::string::npos ? "" : out.substr(0, colon);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") {
    return bad("must start with http:// or https://, e.g. https://contracts.example.gov.uk");
  }
  out.replace(0, colon, scheme);
  if (out.find_first_of("?#") != std::string::npos) {
    return bad("must not have a query (?) or a fragment (#): links add their own");
  }
  const size_t host_start = colon + 3;
  const size_t host_end = std::min(out.find('/', host_start), out.size());
  const std::string host = out.substr(host_start, host_end - host_start);
  if (host.empty()) return bad("has no host");
  if (host.find('@') != std::string::npos) return bad("must not carry user information (@)");
  const size_t bracket = host.rfind(']');
  const size_t port_colon = host.rfind(':');
  if (port_colon != std::string::npos && (bracket == std::string::npos || port_colon > bracket)) {
    const std::string port = host.substr(port_colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(port) == 0 || std::stoi(port) > 65535) {
      return bad("has the port \"" + port + "\"; it must be 1..65535");
    }
    if (port_colon == 0) return bad("has no host");
  }
  while (out.size() > host_end && out.back() == '/') out.pop_back();
  return out;
}

std::string ContractPageUrl(std::string_view public_url, std::string_view contract_id) {
  return std::string(public_url) + "/#/contracts/" + PercentEncode(contract_id);
}

std::string DecisionUid(const v1::Alert& a) {
  return HexSha256(a.contract_id() + "/" + a.action()) + "@contrack";
}

std::string NoticeUid(const v1::Obligation& o) {
  const std::string& by =
      o.created_by_event_id().empty() ? o.created_by() : o.created_by_event_id();
  return HexSha256(o.contract_id() + "/" + o.notice_type() + "/" + by) + "@contrack";
}

Result<std::string> CalendarIcs(std::span<const v1::Alert> decisions,
                                std::span<const v1::Obligation> notices,
                                const std::map<std::string, std::string>& suppliers,
                                const CalendarOptions& o) {
  std::vector<Item> items;
  items.reserve(decisions.size() + notices.size());
  for (const auto& a : decisions) items.push_back(DecisionItem(a, o.public_url));
  for (const auto& n : notices) items.push_back(NoticeItem(n, suppliers, o.public_url));
  std::sort(items.begin(), items.end(), [](const Item& x, const Item& y) {
    return std::tie(x.day, x.uid) < std::tie(y.day, y.uid);
  });
  std::set<std::string_view> uids;
  for (const auto& it : items) {
    if (!uids.insert(it.uid).second) {
      return Fail(ErrorCode::kInternal,
                  "two calendar events would share the UID " + it.uid + " (" + it.summary + ")");
    }
  }

  icalerror_clear_errno();
  Component calendar(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
  if (!calendar) return std::unexpected(LibicalFailed("make a VCALENDAR"));
  icalcomponent* cal = calendar.get();
  std::string name =
      o.authority.empty() ? "contrack deadlines" : "contrack deadlines: " + o.authority;
  // The authority is the caller's text: no control character reaches the header.
  for (char& c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  const Result<void> header[] = {
      Add(cal, icalproperty_new_prodid("-//contrack//deadlines calendar//EN"), "PRODID"),
      Add(cal, icalproperty_new_version("2.0"), "VERSION"),
      Add(cal, icalproperty_new_calscale("GREGORIAN"), "CALSCALE"),
      Add(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH), "METHOD"),
      Add(cal, NewX("X-WR-CALNAME", name), "X-WR-CALNAME"),
      Add(cal,
          NewX("X-WR-CALDESC", "Decisions and notices due on the contracts recorded in contrack (" +
                                   o.public_url + ")"),
          "X-WR-CALDESC"),
      // How often a subscribed client should fetch it again (Outlook reads it).
      Add(cal, NewX("X-PUBLISHED-TTL", "PT1H"), "X-PUBLISHED-TTL"),
  };
  for (const auto& s : header) {
    if (!s) return std::unexpected(s.error());
  }
  const icaltimetype stamp = UtcValue(o.now);
  for (const auto& it : items) {
    if (auto r = AddEvent(cal, it, stamp); !r) return std::unexpected(r.error());
  }
  Buffer text(icalcomponent_as_ical_string_r(cal));
  // libical keeps the temporary buffers of its non-reentrant calls in a per-thread ring.
  icalmemory_free_ring();
  if (!text) return std::unexpected(LibicalFailed("write the calendar"));
  return RepairFolds(text.get());
}

}  // namespace contrack::views

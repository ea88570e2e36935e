// The deadlines calendar: an iCalendar (RFC 5545) feed, one all-day VEVENT per decision or notice
// due, made with libical (which escapes and folds the text). Used by GET /v1/calendar.ics and
// `contrack calendar` (docs/api.md, "Calendar subscription"). Pure, no I/O; safe for concurrent
// use.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "domain/dates.h"
#include "domain/error.h"
#include "proto/contrack.pb.h"

namespace contrack::views {

// The web interface's base address for links (contrackd --public-url, contrack calendar
// --public-url): an absolute http or https URL with a host, an optional port and path, and no
// query, fragment, user information, space or control character. Returns it with the scheme in
// lower case and no trailing '/'; invalid_argument naming `flag` otherwise.
[[nodiscard]] Result<std::string> ParsePublicUrl(std::string_view url, std::string_view flag);

// A contract's page in the web interface (its hash route, web/js/app.js):
// public_url + "/#/contracts/" + the percent-encoded id. REQUIRES: public_url from ParsePublicUrl.
std::string ContractPageUrl(std::string_view public_url, std::string_view contract_id);

// Event UIDs: hex SHA-256 of what identifies the deadline, never its date, then "@contrack", so a
// deadline that moves updates the same event in a subscribed calendar.
//   decision: contract_id + "/" + action
//   notice:   contract_id + "/" + notice_type + "/" + created_by_event_id (the event that created
//             the duty; created_by when none, e.g. "end_date")
std::string DecisionUid(const v1::Alert& a);
std::string NoticeUid(const v1::Obligation& o);

struct CalendarOptions {
  std::string public_url;  // as ParsePublicUrl returns it
  std::string authority;   // the authority asked for, named in the calendar; "" for all
  Micros now = 0;          // DTSTAMP: when the feed was made
};

// The VCALENDAR (PRODID, VERSION 2.0, CALSCALE GREGORIAN, METHOD PUBLISH, X-WR-CALNAME) holding a
// VEVENT for each decision (an alert) and each notice (an obligation), ordered by date, then UID:
// DTSTART;VALUE=DATE the deadline, DTEND the next day, SUMMARY, DESCRIPTION, UID, DTSTAMP, URL
// (the contract's page), CATEGORIES and TRANSP:TRANSPARENT (an all-day reminder does not make the
// officer busy). `suppliers` gives the notices' suppliers by contract id. CRLF line ends. Errors:
// internal when libical fails or two deadlines would share a UID.
[[nodiscard]] Result<std::string> CalendarIcs(std::span<const v1::Alert> decisions,
                                              std::span<const v1::Obligation> notices,
                                              const std::map<std::string, std::string>& suppliers,
                                              const CalendarOptions& o);

}  // namespace contrack::views

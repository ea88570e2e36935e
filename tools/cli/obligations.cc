// `contrack obligations` (tools/cli/obligations.h).
#include "tools/cli/obligations.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ostream>

#include "domain/codec.h"
#include "domain/format_text.h"

namespace contrack::cli {
namespace {

std::string Field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

int Print(const v1::ObligationsResponse& r, ObligationsFormat format, std::ostream& out) {
  switch (format) {
    case ObligationsFormat::kTable:
      out << RenderObligations(r);
      return 0;
    case ObligationsFormat::kCsv:
      out << ObligationsCsv(r);
      return 0;
    case ObligationsFormat::kJson:
      out << ToJson(r, true) << "\n";
      return 0;
  }
  return 0;
}

}  // namespace

std::string RenderObligations(const v1::ObligationsResponse& r) {
  int overdue = 0;
  for (const auto& o : r.obligations()) overdue += o.status() == "overdue";
  std::string out =
      "Obligations as of " + r.as_of() + (r.has_known_at() ? " as known at " + r.known_at() : "") +
      ": " + std::to_string(r.obligations_size()) + " (" + std::to_string(overdue) + " overdue)\n";
  size_t id_width = 25;  // the CONTRACT column fits the longest id
  for (const auto& o : r.obligations()) id_width = std::max(id_width, o.contract_id().size() + 1);
  out += "DUE        STATUS   DAYS NOTICE                       " + Pad("CONTRACT", id_width) +
         "REGIME  CREATED BY          DISCHARGED BY (PUBLISHED)\n";
  for (const auto& o : r.obligations()) {
    char days[16] = "";
    if (o.status() == "due" || o.status() == "overdue") {
      std::snprintf(days, sizeof(days), "%5lld", static_cast<long long>(o.days_left()));
    }
    std::string created = o.created_by();
    if (!o.created_by_event_id().empty()) created += " " + o.created_by_event_id().substr(0, 8);
    std::string discharged;
    if (!o.discharged_by_event_id().empty()) {
      discharged = o.discharged_by_event_id().substr(0, 8) + " (" + o.published_on() + ")";
    }
    out += Pad(o.due_date(), 11) + Pad(o.status(), 8) + Pad(days, 6) + " " +
           Pad(o.notice_type(), 29) + Pad(o.contract_id(), id_width) + Pad(o.regime(), 8) +
           Pad(created, 20) + discharged + (o.flag().empty() ? "" : "  [" + o.flag() + "]") +
           (o.unverified() ? "  (deadline unverified)" : "") + "\n";
  }
  return out;
}

std::string ObligationsCsv(const v1::ObligationsResponse& r) {
  std::string out =
      "contract_id,authority,title,regime,notice_type,provision,created_by,created_by_event_id,"
      "due_date,status,days_left,discharged_by_event_id,published_on,flag,standstill_last_day,"
      "unverified,action,note\r\n";
  for (const auto& o : r.obligations()) {
    const bool open = o.status() == "due" || o.status() == "overdue";
    const std::string row[] = {o.contract_id(),
                               o.authority(),
                               o.title(),
                               o.regime(),
                               o.notice_type(),
                               o.provision(),
                               o.created_by(),
                               o.created_by_event_id(),
                               o.due_date(),
                               o.status(),
                               open ? std::to_string(o.days_left()) : "",
                               o.discharged_by_event_id(),
                               o.published_on(),
                               o.flag(),
                               o.standstill_last_day(),
                               o.unverified() ? "true" : "false",
                               o.action(),
                               o.note()};
    for (size_t i = 0; i < std::size(row); ++i) out += (i ? "," : "") + Field(row[i]);
    out += "\r\n";
  }
  return out;
}

int CmdObligations(const storage::EventLog& log, const storage::ObligationsQuery& q,
                   ObligationsFormat format, std::ostream& out, std::ostream& err) {
  auto r = storage::Obligations(log, Principal::Operator("offline-operator"), q);
  if (!r) {
    err << "contrack: " << r.error().name() << ": " << r.error().message << "\n";
    return 1;
  }
  return Print(*r, format, out);
}

int RemoteObligations(Remote& r, const std::string& authority, bool overdue,
                      const std::string& as_of, const std::string& known_at,
                      ObligationsFormat format) {
  std::string target = "/v1/obligations";
  char sep = '?';
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    target += sep + std::string(key) + "=" + PercentEncode(value);
    sep = '&';
  };
  add("authority", authority);
  add("overdue", overdue ? "true" : "");
  add("as_of", as_of);
  add("known_at", known_at);
  auto resp = r.client.Get(target);
  if (resp.status == 0) {
    r.err << "contrack: cannot reach the service: " << resp.error << "\n";
    return 1;
  }
  if (resp.status != 200) {
    auto e = ParseJson<v1::ErrorResponse>(resp.body, "error");
    if (e && e->has_error()) {
      r.err << "contrack: " << resp.status << " " << e->error().code() << ": "
            << e->error().message() << "\n";
    } else {
      r.err << "contrack: HTTP " << resp.status << ": " << resp.body.substr(0, 200) << "\n";
    }
    return 1;
  }
  auto m = ParseJson<v1::ObligationsResponse>(resp.body, "response");
  if (!m) {
    r.err << "contrack: unexpected response: " << m.error().message << "\n";
    return 1;
  }
  return Print(*m, format, r.out);
}

}  // namespace contrack::cli

// Readable alerts and the calendar's deadlines (storage/deadlines.h).
#include "storage/deadlines.h"

#include <algorithm>

#include "domain/alerts.h"
#include "domain/obligations.h"
#include "storage/obligations_query.h"

namespace contrack::storage {

Result<AlertsResult> ReadableAlerts(const EventLog& log, const Principal& reader,
                                    const AlertsQuery& q) {
  if (!q.authority.empty() && !reader.MayRead(q.authority)) {
    return std::unexpected(
        Error{kForbidden, reader.name + " may not read contracts of " + q.authority});
  }
  auto r = log.Alerts(q);
  if (!r) return std::unexpected(r.error());
  std::erase_if(r->alerts, [&](const v1::Alert& a) {
    return !reader.MayRead(a.authority()) &&
           std::none_of(a.participants().begin(), a.participants().end(),
                        [&](const std::string& x) { return reader.Covers(x); });
  });
  return r;
}

Result<Deadlines> DeadlinesFor(const EventLog& log, const Principal& reader,
                               const DeadlinesQuery& q) {
  if (q.months < 1 || q.months > kMaxCalendarMonths) {
    return Fail(kInvalidArgument, "months is " + std::to_string(q.months) + "; it must be 1.." +
                                      std::to_string(kMaxCalendarMonths));
  }
  Deadlines out;
  out.first_day = q.today;
  out.last_day = domain::LastDayOfMonths(q.today, q.months);

  AlertsQuery aq;
  aq.today = q.today;
  aq.as_of = q.today;
  aq.months = q.months;
  aq.authority = q.authority;
  auto alerts = ReadableAlerts(log, reader, aq);
  if (!alerts) return std::unexpected(alerts.error());
  for (auto& a : alerts->alerts) {
    if (a.action().starts_with("publish_")) continue;  // a notice: taken from the obligations
    out.decisions.push_back(std::move(a));
  }

  ObligationsQuery oq;
  oq.as_of = q.today;
  oq.authority = q.authority;
  auto obligations = Obligations(log, reader, oq);
  if (!obligations) return std::unexpected(obligations.error());
  const std::string last = FormatDate(out.last_day);
  for (auto& o : *obligations->mutable_obligations()) {
    const bool open =
        o.status() == domain::kObligationDue || o.status() == domain::kObligationOverdue;
    if (!open || o.due_date() > last) continue;
    if (!out.suppliers.contains(o.contract_id())) {
      auto state = log.GetState(o.contract_id());
      if (!state) return std::unexpected(state.error());
      out.suppliers[o.contract_id()] = state->supplier().name();
    }
    out.notices.push_back(std::move(o));
  }
  return out;
}

}  // namespace contrack::storage

// Wire shapes: the API's and the CLI's answers built from what storage returns.
#include "services/api/wire.h"

#include "domain/codec.h"

namespace contrack::wire {

using storage::AlertsResult;
using storage::LoggedEvent;
using storage::VerifyReport;

v1::AlertsResponse ToAlertsResponse(const storage::AlertsQuery& q, AlertsResult result) {
  v1::AlertsResponse resp;
  resp.set_as_of(FormatDate(q.as_of));
  resp.set_within_days(result.within_days);
  resp.set_months(q.months);
  if (q.known_at) resp.set_known_at(FormatRfc3339(*q.known_at));
  resp.set_index_entries_read(result.index_entries_read);
  resp.set_states_read(result.states_read);
  for (auto& a : result.alerts) *resp.add_alerts() = std::move(a);
  return resp;
}

v1::VerifyResponse ToVerifyResponse(const VerifyReport& r) {
  v1::VerifyResponse v;
  v.set_ok(r.ok);
  v.set_events_checked(r.events_checked);
  v.set_head_sequence(r.head.sequence);
  v.set_head_hash(r.head.hash);
  if (r.first_bad_sequence) v.set_first_bad_sequence(*r.first_bad_sequence);
  v.set_message(r.message);
  if (r.digest_ok) {
    v.set_digest_ok(*r.digest_ok);
    v.set_digest_message(r.digest_message);
  }
  if (r.views_ok) {
    v.set_views_ok(*r.views_ok);
    v.set_contracts_checked(r.contracts_checked);
    v.set_first_bad_contract(r.first_bad_contract);
    v.set_views_message(r.views_message);
  }
  return v;
}

v1::HistoryEntry ToHistoryEntry(const LoggedEvent& e, bool retracted) {
  v1::HistoryEntry h;
  const auto& r = e.record;
  h.set_sequence(r.sequence());
  h.set_contract_id(r.contract_id());
  h.set_version(r.version());
  h.set_event_id(r.event_id());
  h.set_type(r.type());
  h.set_effective_date(r.effective_date());
  h.set_recorded_at(FormatRfc3339(r.recorded_at_us()));
  h.set_recorded_by(r.recorded_by());
  h.set_prev_hash(r.prev_hash());
  h.set_hash(e.hash);
  h.set_retracted(retracted);
  *h.mutable_body() = r.body();
  return h;
}

}  // namespace contrack::wire

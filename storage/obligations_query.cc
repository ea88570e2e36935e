// Obligations over the store (storage/obligations_query.h).
#include "storage/obligations_query.h"

#include <algorithm>

#include "domain/lifecycle.h"
#include "domain/obligations.h"

namespace contrack::storage {

Result<v1::ObligationsResponse> Obligations(const EventLog& log, const Principal& reader,
                                            const ObligationsQuery& q) {
  if (!q.authority.empty() && !reader.MayRead(q.authority)) {
    return std::unexpected(
        Error{kForbidden, reader.name + " may not read contracts of " + q.authority});
  }
  v1::ObligationsResponse out;
  out.set_as_of(FormatDate(q.as_of));
  if (q.known_at) out.set_known_at(FormatRfc3339(*q.known_at));
  // The rules' thresholds change only the key-decision flags, never an obligation.
  const domain::Rules rules;
  std::vector<v1::Obligation> all;
  std::string after;
  constexpr size_t kPage = 256;
  for (;;) {
    auto page = log.ListContracts(after, kPage);
    if (!page) return std::unexpected(page.error());
    for (const auto& current : *page) {
      after = current.contract_id();
      auto events = log.ReadContract(current.contract_id());
      if (!events) return std::unexpected(events.error());
      std::vector<v1::EventRecord> records;
      records.reserve(events->size());
      for (auto& e : *events) records.push_back(std::move(e.record));
      const auto kept = domain::EventsAsOf(records, q.effective_by, q.known_at);
      if (kept.empty()) continue;
      auto state = domain::Replay(kept, rules);
      if (!state) return std::unexpected(state.error());
      out.set_contracts_read(out.contracts_read() + 1);
      if (!reader.MayReadContract(*state)) continue;
      if (!q.authority.empty() && !domain::TakesPart(*state, q.authority)) continue;
      for (auto& o : domain::ObligationsOf(kept, *state, q.as_of)) {
        if (q.overdue_only && o.status() != domain::kObligationOverdue) continue;
        all.push_back(std::move(o));
      }
    }
    if (page->size() < kPage) break;
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return std::tie(a.due_date(), a.contract_id()) < std::tie(b.due_date(), b.contract_id());
  });
  for (auto& o : all) *out.add_obligations() = std::move(o);
  return out;
}

}  // namespace contrack::storage

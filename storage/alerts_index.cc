// The alerts index: one entry per live contract, written only through these functions.
#include "storage/alerts_index.h"

#include <rocksdb/write_batch.h>

#include "services/lifecycle/dates.h"
#include "services/lifecycle/lifecycle.h"
#include "storage/format.h"

namespace contrack::storage {
// The alerts index key of a state, or nullopt when the contract is not live.
std::optional<std::string> AlertKeyOf(const v1::ContractState& s) {
  auto e = lifecycle::AlertEntryFor(s);
  if (!e) return std::nullopt;
  const Date end = *ParseDate(e->end_date(), "end_date");
  return format::AlertKey(static_cast<uint16_t>(e->lead_days()), end.time_since_epoch().count(),
                          e->contract_id());
}

// The alerts index key and entry bytes of a state; both empty when the contract is not live.
void SetAlert(const v1::ContractState& s, std::string* key, std::string* value) {
  key->clear();
  value->clear();
  auto e = lifecycle::AlertEntryFor(s);
  if (!e) return;
  const Date end = *ParseDate(e->end_date(), "end_date");
  *key = format::AlertKey(static_cast<uint16_t>(e->lead_days()), end.time_since_epoch().count(),
                          e->contract_id());
  e->SerializeToString(value);
}

// Replaces `before`'s alerts entry with `after`'s in `batch`.
void UpdateAlertIndex(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                      const v1::ContractState* before, const v1::ContractState& after) {
  const auto old_key = before ? AlertKeyOf(*before) : std::nullopt;
  const auto new_key = AlertKeyOf(after);
  if (old_key && old_key != new_key) batch->Delete(cf, *old_key);
  if (new_key) batch->Put(cf, *new_key, lifecycle::AlertEntryFor(after)->SerializeAsString());
}

}  // namespace contrack::storage

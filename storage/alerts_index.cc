// The alerts index: one entry per live contract, written only through these functions.
#include "storage/alerts_index.h"

#include <rocksdb/write_batch.h>

#include "domain/dates.h"
#include "domain/lifecycle.h"
#include "storage/format.h"

namespace contrack::storage {
// The alerts index key and entry bytes of a state; both empty when the contract is not live.
void SetAlert(const v1::ContractState& s, std::string* key, std::string* value) {
  key->clear();
  value->clear();
  auto e = domain::AlertEntryFor(s);
  if (!e) return;
  const Date end = *ParseDate(e->end_date(), "end_date");
  *key = format::AlertKey(static_cast<uint16_t>(e->lead_days()), end.time_since_epoch().count(),
                          e->contract_id());
  e->SerializeToString(value);
}

void ReplaceAlertEntry(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                       const std::string& old_key, const std::string& old_value,
                       const std::string& new_key, const std::string& new_value) {
  if (!old_key.empty() && old_key != new_key) batch->Delete(cf, old_key);
  if (!new_key.empty() && (old_key != new_key || old_value != new_value)) {
    batch->Put(cf, new_key, new_value);
  }
}

void UpdateAlertIndex(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                      const v1::ContractState* before, const v1::ContractState& after) {
  std::string old_key, old_value, new_key, new_value;
  if (before != nullptr) SetAlert(*before, &old_key, &old_value);
  SetAlert(after, &new_key, &new_value);
  ReplaceAlertEntry(batch, cf, old_key, old_value, new_key, new_value);
}

}  // namespace contrack::storage

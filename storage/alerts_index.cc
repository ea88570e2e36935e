// The alerts index: a contract's entries, written only through these functions.
#include "storage/alerts_index.h"

#include <rocksdb/write_batch.h>

#include <algorithm>

#include "domain/alerts.h"
#include "storage/format.h"

namespace contrack::storage {

std::string AlertKeyId(const v1::AlertIndexEntry& e) {
  if (e.kind() != v1::AlertIndexEntry::NOTICE) return e.contract_id();
  std::string id = e.contract_id();
  id += '\0';
  id += e.notice_type();
  id += '\0';
  id += e.created_by_event_id();
  return id;
}

AlertRows AlertRowsOf(const v1::ContractState& s) {
  AlertRows out;
  for (const auto& e : domain::AlertEntriesFor(s)) {
    AlertRow row;
    row.key = format::AlertKey(static_cast<uint8_t>(e.kind()), static_cast<uint16_t>(e.lead_days()),
                               domain::AlertDay(e).time_since_epoch().count(), AlertKeyId(e));
    e.SerializeToString(&row.value);
    out.push_back(std::move(row));
  }
  return out;
}

void ReplaceAlertRows(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                      const AlertRows& before, const AlertRows& after) {
  auto find = [](const AlertRows& rows, const std::string& key) {
    return std::find_if(rows.begin(), rows.end(), [&](const AlertRow& r) { return r.key == key; });
  };
  for (const auto& old : before) {
    if (find(after, old.key) == after.end()) batch->Delete(cf, old.key);
  }
  for (const auto& now : after) {
    auto old = find(before, now.key);
    if (old == before.end() || old->value != now.value) batch->Put(cf, now.key, now.value);
  }
}

void UpdateAlertIndex(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                      const v1::ContractState* before, const v1::ContractState& after) {
  ReplaceAlertRows(batch, cf, before ? AlertRowsOf(*before) : AlertRows{}, AlertRowsOf(after));
}

}  // namespace contrack::storage

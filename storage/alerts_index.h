// The alerts index (docs/storage-format.md, kAlertsCf): one entry per live contract, keyed by
// (lead days, end day, contract id) so that a query for a day and a window reads exactly the
// entries it lists. Every writer of the index goes through these functions: the write path
// (drafter.cc, from the state before and after an append) and rebuild. Pure; safe for
// concurrent use.
#pragma once

#include <optional>
#include <string>

#include "proto/contrack.pb.h"

namespace rocksdb {
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace contrack::storage {

// The alerts index key and entry bytes of a state; both empty when the contract is not live.
void SetAlert(const v1::ContractState& s, std::string* key, std::string* value);

// Replaces the entry (old_key, old_value) with (new_key, new_value) in `batch`: deletes the old
// key when it moves, puts the new one when it or its bytes changed. An empty key: no entry.
void ReplaceAlertEntry(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                       const std::string& old_key, const std::string& old_value,
                       const std::string& new_key, const std::string& new_value);

// Replaces `before`'s alerts entry with `after`'s in `batch` (before: nullptr for none).
void UpdateAlertIndex(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                      const v1::ContractState* before, const v1::ContractState& after);

}  // namespace contrack::storage

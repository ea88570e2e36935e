// The alerts index (docs/storage-format.md, kAlertsCf): a contract's entries (domain/alerts.h),
// keyed by (kind, lead days, day, AlertKeyId) so that a query for a window reads exactly the
// entries it lists. Every writer of the index goes through these functions: the write path
// (drafter.cc, from the state before and after an append), rebuild and the format upgrade at
// open. Pure; safe for concurrent use.
#pragma once

#include <string>
#include <vector>

#include "proto/contrack.pb.h"

namespace rocksdb {
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace contrack::storage {

// One alerts index entry as stored: its key and the serialized AlertIndexEntry.
struct AlertRow {
  std::string key;
  std::string value;
  bool operator==(const AlertRow&) const = default;
};
using AlertRows = std::vector<AlertRow>;  // a contract's, in kind order; empty: none

// The id part of an entry's key: the contract id; for a NOTICE entry also its notice type and the
// event that created it, '\0'-separated (a contract id holds no '\0'), so that a contract's
// notices due on one day have distinct keys.
std::string AlertKeyId(const v1::AlertIndexEntry& e);

// The alerts index rows of a state (none when it raises no alert).
AlertRows AlertRowsOf(const v1::ContractState& s);

// Replaces the rows `before` with `after` in `batch`: deletes the keys that go, puts the keys
// that come or whose bytes changed; an unchanged row is not written.
void ReplaceAlertRows(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                      const AlertRows& before, const AlertRows& after);

// Replaces `before`'s alerts rows with `after`'s in `batch` (before: nullptr for none).
void UpdateAlertIndex(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf,
                      const v1::ContractState* before, const v1::ContractState& after);

}  // namespace contrack::storage

// Reads: state now and bitemporal, history, the log, contract lists, counters.
#include <algorithm>

#include "domain/validate.h"
#include "storage/log_impl.h"

namespace contrack::storage {
Head LogImpl::GetHead() const {
  std::lock_guard l(mu_);
  return head_;
}

std::optional<Error> LogImpl::WriteError() const {
  std::lock_guard l(mu_);
  return bg_error_;
}

Stats LogImpl::GetStats() const {
  std::lock_guard l(mu_);
  return stats_;
}

MemoryUsage LogImpl::GetMemory() const {
  MemoryUsage m;
  uint64_t v = 0;
  if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &v)) {
    m.memtable_bytes = v;
  }
  if (db_->GetIntProperty(handles_[kEventsIdx], rocksdb::DB::Properties::kBlockCacheUsage, &v)) {
    m.block_cache_bytes = v;  // one cache, shared by every column family
  }
  std::lock_guard l(cache_mu_);
  m.state_cache_entries = cache_.size();
  return m;
}

Result<v1::ContractState> LogImpl::GetState(const std::string& contract_id) const {
  DisablePerfCounters();
  if (auto r = ValidateContractId(contract_id); !r) return std::unexpected(r.error());
  if (StatePtr c = DurableCachedState(contract_id)) return c->state;
  auto s = LoadState(contract_id);
  if (!s) return std::unexpected(s.error());
  if (!*s) return Fail(kNotFound, "no contract " + contract_id);
  return std::move(**s);
}

Result<std::vector<LoggedEvent>> LogImpl::ReadContract(const std::string& contract_id,
                                                       uint64_t after_version, size_t limit) const {
  std::vector<LoggedEvent> out;
  const std::string prefix = format::StreamPrefix(contract_id);
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;  // the contract's entries only (see the streams memtable)
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kStreamsIdx]));
  for (it->Seek(format::StreamKey(contract_id, after_version + 1));
       it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    auto ev = ReadEvent(format::DecodeBe64(it->value().ToStringView()));
    if (!ev) return std::unexpected(ev.error());
    out.push_back(std::move(*ev));
  }
  if (!it->status().ok())
    return std::unexpected(FromStatus(it->status(), "reading " + contract_id));
  return out;
}

Result<std::vector<LoggedEvent>> LogImpl::ReadLog(uint64_t after, size_t limit) const {
  std::vector<LoggedEvent> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEventsIdx]));
  for (it->Seek(format::EncodeBe64(after + 1)); it->Valid() && out.size() < limit; it->Next()) {
    auto ev = DecodeStored(format::DecodeBe64(it->key().ToStringView()), it->value());
    if (!ev) return std::unexpected(ev.error());
    out.push_back(std::move(*ev));
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading the log"));
  return out;
}

Result<std::vector<v1::ContractState>> LogImpl::ListContracts(const std::string& after_id,
                                                              size_t limit) const {
  std::vector<v1::ContractState> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kStateIdx]));
  // Completions seek forward through `streams` in the same (contract id) order.
  rocksdb::ReadOptions sro;
  sro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> streams(db_->NewIterator(sro, handles_[kStreamsIdx]));
  it->Seek(after_id);
  if (it->Valid() && !after_id.empty() && it->key() == after_id) it->Next();
  for (; it->Valid() && out.size() < limit; it->Next()) {
    const std::string id = it->key().ToString();
    if (StatePtr c = DurableCachedState(id)) {
      out.push_back(c->state);
      continue;
    }
    v1::ContractState s;
    if (!s.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Fail(kCorruption, "state of " + id + " is unreadable");
    }
    if (auto r = CompleteState(streams.get(), id, &s); !r) return std::unexpected(r.error());
    out.push_back(std::move(s));
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "listing contracts"));
  return out;
}

Result<std::vector<v1::ContractState>> LogImpl::ListContractsAt(
    const std::string& after_id, size_t limit, std::optional<Date> as_of,
    std::optional<Micros> known_at) const {
  if (!as_of && !known_at) return ListContracts(after_id, limit);
  std::vector<v1::ContractState> out;
  std::string after = after_id;
  while (out.size() < limit) {
    auto page = ListContracts(after, 256);
    if (!page) return std::unexpected(page.error());
    for (const auto& current : *page) {
      after = current.contract_id();
      if (out.size() == limit) break;
      auto s = GetStateAt(current.contract_id(), as_of, known_at);
      if (!s) {
        if (s.error().code == kNotFound) continue;
        return std::unexpected(s.error());
      }
      out.push_back(std::move(*s));
    }
    if (page->size() < 256) break;
  }
  return out;
}

Result<v1::ContractState> LogImpl::GetStateAt(const std::string& contract_id,
                                              std::optional<Date> as_of,
                                              std::optional<Micros> known_at) const {
  if (!as_of && !known_at) return GetState(contract_id);
  if (auto r = ValidateContractId(contract_id); !r) return std::unexpected(r.error());
  auto records = LoadRecords(contract_id, nullptr);
  if (!records) return std::unexpected(records.error());
  if (records->empty()) return Fail(kNotFound, "no contract " + contract_id);
  const auto events = domain::EventsAsOf(*records, as_of, known_at);
  if (events.empty()) {
    return Fail(kNotFound, "contract " + contract_id + " had no events" +
                               (as_of ? " effective by " + FormatDate(*as_of) : "") +
                               (known_at ? " recorded by " + FormatRfc3339(*known_at) : ""));
  }
  auto state = domain::Replay(events, options_.rules);
  if (!state) {
    return Fail(state.error(), "the state of " + contract_id +
                                   " at that time breaks a rule: " + state.error().message);
  }
  return state;
}

}  // namespace contrack::storage

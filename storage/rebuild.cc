// Rebuild: every view dropped and recreated from the log.
#include "storage/alerts_index.h"
#include "storage/log_impl.h"

namespace contrack::storage {
Result<void> LogImpl::Rebuild() {
  DisablePerfCounters();
  std::lock_guard l(mu_);
  {
    std::lock_guard c(cache_mu_);
    cache_.clear();
  }
  // Drop and recreate every derived column family.
  for (size_t idx : {kStreamsIdx, kEventIdsIdx, kStateIdx, kAlertsIdx}) {
    rocksdb::ColumnFamilyDescriptor desc;  // the family's options: memtable, prefix, filters
    auto s = handles_[idx]->GetDescriptor(&desc);
    if (!s.ok()) return std::unexpected(FromStatus(s, "describing a view"));
    s = db_->DropColumnFamily(handles_[idx]);
    if (!s.ok()) return std::unexpected(FromStatus(s, "dropping a view"));
    db_->DestroyColumnFamilyHandle(handles_[idx]);
    handles_[idx] = nullptr;
    s = db_->CreateColumnFamily(desc.options, desc.name, &handles_[idx]);
    if (!s.ok()) return std::unexpected(FromStatus(s, "recreating view " + desc.name));
  }

  constexpr size_t kChunk = 16384;
  std::unordered_map<std::string, v1::ContractState> states;  // touched in this chunk
  rocksdb::WriteBatch batch;
  auto flush = [&]() -> Result<void> {
    for (const auto& [id, st] : states) batch.Put(handles_[kStateIdx], id, Serialize(st));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    auto s = db_->Write(wo, &batch);
    if (!s.ok()) return std::unexpected(FromStatus(s, "writing rebuilt views"));
    batch.Clear();
    states.clear();
    return {};
  };

  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEventsIdx]));
  size_t in_chunk = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t seq = format::DecodeBe64(it->key().ToStringView());
    auto ev = DecodeStored(seq, it->value());
    if (!ev) return std::unexpected(ev.error());
    const auto& rec = ev->record;
    const std::string seq_key = it->key().ToString();
    if (rec.body().has_correction()) {
      // A correction replays its contract: its earlier events must be readable from the views.
      if (auto r = flush(); !r) return r;
      in_chunk = 0;
    }
    auto it_state = states.find(rec.contract_id());
    std::optional<v1::ContractState> prev;
    if (it_state != states.end()) {
      prev = it_state->second;
    } else {
      auto loaded = LoadState(rec.contract_id());
      if (!loaded) return std::unexpected(loaded.error());
      prev = std::move(*loaded);
    }
    std::vector<v1::EventRecord> prior;
    if (rec.body().has_correction()) {
      auto p = LoadRecords(rec.contract_id(), nullptr);
      if (!p) return std::unexpected(p.error());
      prior = std::move(*p);
    }
    auto next = domain::Next(prev ? &*prev : nullptr, rec, prior, options_.rules);
    if (!next) {
      return Fail(next.error(), "rebuild: event " + std::to_string(seq) +
                                    " no longer applies: " + next.error().message);
    }
    states[rec.contract_id()] = std::move(*next);
    batch.Put(handles_[kStreamsIdx], format::StreamKey(rec.contract_id(), rec.version()), seq_key);
    batch.Put(handles_[kEventIdsIdx], rec.event_id(), seq_key);
    if (++in_chunk == kChunk) {
      if (auto r = flush(); !r) return r;
      in_chunk = 0;
    }
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading the log"));
  if (auto r = flush(); !r) return r;

  // The alerts index, from the final states (every one stored current above).
  return FillAlertsIndex(/*states_current=*/true);
}

Result<void> LogImpl::RebuildAlertsIndex() {
  rocksdb::ColumnFamilyDescriptor desc;  // the family's options
  auto s = handles_[kAlertsIdx]->GetDescriptor(&desc);
  if (!s.ok()) return std::unexpected(FromStatus(s, "describing the alerts index"));
  s = db_->DropColumnFamily(handles_[kAlertsIdx]);
  if (!s.ok()) return std::unexpected(FromStatus(s, "dropping the alerts index"));
  db_->DestroyColumnFamilyHandle(handles_[kAlertsIdx]);
  handles_[kAlertsIdx] = nullptr;
  s = db_->CreateColumnFamily(desc.options, desc.name, &handles_[kAlertsIdx]);
  if (!s.ok()) return std::unexpected(FromStatus(s, "recreating the alerts index"));
  return FillAlertsIndex(/*states_current=*/false);
}

Result<void> LogImpl::FillAlertsIndex(bool states_current) {
  constexpr uint32_t kChunk = 16384;
  rocksdb::WriteBatch batch;
  auto flush = [&]() -> Result<void> {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    auto s = db_->Write(wo, &batch);
    if (!s.ok()) return std::unexpected(FromStatus(s, "writing the alerts index"));
    batch.Clear();
    return {};
  };
  std::unique_ptr<rocksdb::Iterator> st(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kStateIdx]));
  for (st->SeekToFirst(); st->Valid(); st->Next()) {
    v1::ContractState state;
    if (states_current) {
      if (!state.ParseFromArray(st->value().data(), static_cast<int>(st->value().size()))) {
        return Fail(kCorruption, "state of " + st->key().ToString() + " is unreadable");
      }
    } else {
      // A stored state may trail its contract, so it is completed from its newer events.
      auto loaded = LoadState(st->key().ToString());
      if (!loaded) return std::unexpected(loaded.error());
      if (!*loaded) continue;
      state = std::move(**loaded);
    }
    UpdateAlertIndex(&batch, handles_[kAlertsIdx], nullptr, state);
    if (batch.Count() >= kChunk) {
      if (auto r = flush(); !r) return r;
    }
  }
  if (!st->status().ok()) return std::unexpected(FromStatus(st->status(), "reading states"));
  return flush();
}

}  // namespace contrack::storage

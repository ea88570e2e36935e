// The state view: the write path's cache of newest states, and stored states completed from the
// contract's newer events.
#include "storage/alerts_index.h"
#include "storage/log_impl.h"

namespace contrack::storage {
LogImpl::StatePtr LogImpl::CachedStateOf(const std::string& id) const {
  std::lock_guard l(cache_mu_);
  auto it = cache_.find(id);
  return it == cache_.end() ? nullptr : it->second;
}

void LogImpl::CacheState(const std::string& id, StatePtr s, uint64_t committed_seq) {
  std::lock_guard l(cache_mu_);
  cache_[id] = std::move(s);
  const size_t cap = options_.state_cache_entries;
  if (cache_.size() <= cap) return;
  // Evict down to 7/8 of the bound. States of groups not yet written stay: the next group
  // builds on them and the store does not have them.
  const size_t target = cap - cap / 8;
  for (auto it = cache_.begin(); it != cache_.end() && cache_.size() > target;) {
    if (it->second->state.last_sequence() <= committed_seq) {
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<LogImpl::StatePtr> LogImpl::StateForWrite(const std::string& id, uint64_t committed_seq) {
  if (auto s = CachedStateOf(id)) return s;
  // Not cached, so no group in flight touched it: the store has its newest state.
  uint64_t stored = 0;
  auto loaded = LoadState(id, &stored);
  if (!loaded) return std::unexpected(loaded.error());
  if (!*loaded) return StatePtr{};
  auto cs = std::make_shared<CachedState>();
  cs->state = std::move(**loaded);
  cs->stored_version = stored;
  cs->alerts = AlertRowsOf(cs->state);
  StatePtr out = cs;
  CacheState(id, out, committed_seq);
  return out;
}

Result<std::optional<v1::ContractState>> LogImpl::LoadState(const std::string& id,
                                                            uint64_t* stored_version) const {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), handles_[kStateIdx], id, &value);
  if (s.IsNotFound()) return std::optional<v1::ContractState>{};
  if (!s.ok()) return std::unexpected(FromStatus(s, "reading state of " + id));
  v1::ContractState state;
  if (!state.ParseFromString(value)) return Fail(kCorruption, "state of " + id + " is unreadable");
  if (stored_version != nullptr) *stored_version = state.version();
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;  // the contract's entries only (see the streams memtable)
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kStreamsIdx]));
  if (auto r = CompleteState(it.get(), id, &state); !r) return std::unexpected(r.error());
  return state;
}

Result<void> LogImpl::CompleteState(rocksdb::Iterator* streams, const std::string& id,
                                    v1::ContractState* s) const {
  const std::string prefix = format::StreamPrefix(id);
  for (streams->Seek(format::StreamKey(id, s->version() + 1));
       streams->Valid() && streams->key().starts_with(prefix); streams->Next()) {
    auto ev = ReadEvent(format::DecodeBe64(streams->value().ToStringView()));
    if (!ev) return std::unexpected(ev.error());
    const v1::EventRecord& rec = ev->record;
    if (rec.contract_id() != id || rec.version() != s->version() + 1) {
      return Fail(kCorruption, "state of " + id + " at version " + std::to_string(s->version()) +
                                   " is followed by event " + std::to_string(rec.sequence()) +
                                   " (" + rec.contract_id() + " version " +
                                   std::to_string(rec.version()) + ")");
    }
    std::vector<v1::EventRecord> prior;  // a correction replays the records before it
    if (rec.body().has_correction()) {
      auto earlier = ReadContract(id, 0, rec.version() - 1);
      if (!earlier) return std::unexpected(earlier.error());
      for (auto& e : *earlier) prior.push_back(std::move(e.record));
    }
    auto next = domain::Next(s, rec, prior, options_.rules);
    if (!next) {
      return Fail(kCorruption, "state of " + id + " cannot be completed: event " +
                                   std::to_string(rec.sequence()) +
                                   " no longer applies: " + next.error().message);
    }
    *s = std::move(*next);
  }
  if (!streams->status().ok()) {
    return std::unexpected(FromStatus(streams->status(), "reading events of " + id));
  }
  return {};
}

LogImpl::StatePtr LogImpl::DurableCachedState(const std::string& id) const {
  StatePtr c = CachedStateOf(id);
  // The cache holds the newest prepared state of a contract: once durable, it is the newest
  // durable one.
  if (c && c->state.last_sequence() <= durable_seq_.load(std::memory_order_acquire)) return c;
  return nullptr;
}

Result<std::vector<v1::EventRecord>> LogImpl::LoadRecords(const std::string& id,
                                                          const Group* g) const {
  auto events = ReadContract(id);
  if (!events) return std::unexpected(events.error());
  std::vector<v1::EventRecord> out;
  out.reserve(events->size());
  for (auto& e : *events) out.push_back(std::move(e.record));
  if (g != nullptr) {
    if (auto it = g->pending.find(id); it != g->pending.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
  }
  return out;
}

Result<LoggedEvent> LogImpl::ReadEvent(uint64_t seq) const {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), handles_[kEventsIdx], format::EncodeBe64(seq), &value);
  if (!s.ok()) return std::unexpected(FromStatus(s, "reading event " + std::to_string(seq)));
  return DecodeStored(seq, value);
}

}  // namespace contrack::storage

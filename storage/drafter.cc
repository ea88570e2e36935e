// Drafting one append: shape checks, authorisation against the stored authority, the lifecycle
// decision on the contract's newest state, then the records, chain links, indexes and state view
// it adds to its group's batch.
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <unordered_set>

#include "domain/decide.h"
#include "domain/validate.h"
#include "storage/alerts_index.h"
#include "storage/chain.h"
#include "storage/log_impl.h"

namespace contrack::storage {
namespace {

// True when `body`, as a request gives it, is the body stored for its event id at `stored_at`:
// normalised as it would have been then, it equals the stored one field for field.
bool SameBody(const v1::EventBody& body, const v1::EventBody& stored, Micros stored_at) {
  auto normal = NormalizeBody(body, stored.event_id(), DayOf(stored_at));
  return normal && google::protobuf::util::MessageDifferencer::Equals(*normal, stored);
}

}  // namespace

Result<bool> LogImpl::CheckShape(const AppendRequest& req) const {
  if (options_.read_only) return Fail(kReadOnly, "the store was opened read-only");
  if (auto r = ValidateContractId(req.contract_id); !r) return std::unexpected(r.error());
  if (req.events.empty()) return Fail(kInvalidArgument, "events: at least one event is required");
  if (req.events.size() > options_.max_events_per_append) {
    return Fail(kInvalidArgument, "events: " + std::to_string(req.events.size()) +
                                      " events in one append; the limit is " +
                                      std::to_string(options_.max_events_per_append));
  }
  std::unordered_set<std::string> ids;
  for (size_t i = 0; i < req.events.size(); ++i) {
    if (auto r = ValidateBody(req.events[i]); !r) {
      Error e = r.error();
      if (req.events.size() > 1) e.message = "events[" + std::to_string(i) + "]." + e.message;
      return std::unexpected(e);
    }
    if (!req.events[i].event_id().empty()) {
      auto id = NormalizeEventId(req.events[i].event_id(), "event_id");
      if (!ids.insert(*id).second) {
        return Fail(kInvalidArgument, "event_id " + *id + " appears twice in one append");
      }
    }
  }
  return !ids.empty();
}

void LogImpl::MakeDraft(const AppendRequest& req, Draft* d) const {
  if (HasCorrection(req)) {
    d->leader_only = true;  // replays the contract's events: prepared when all are known
    return;
  }
  StatePtr base = CachedStateOf(req.contract_id);
  if (!base) {
    auto loaded = LoadState(req.contract_id);
    if (!loaded) {
      d->leader_only = true;  // read again when prepared, which reports the error
      return;
    }
    if (*loaded) {
      auto cs = std::make_shared<CachedState>();
      cs->state = std::move(**loaded);
      cs->alerts = AlertRowsOf(cs->state);
      base = std::move(cs);
    }
  }
  // Taken after reading the state, so later than the recorded times of the events behind it.
  const Micros at = req.recorded_at.value_or(NowMicros());
  if (auto r = Compute(req, base.get(), at, std::nullopt, nullptr, d); !r) d->error = r.error();
  d->drafted = true;
}

Result<void> LogImpl::Compute(const AppendRequest& req, const CachedState* base, Micros recorded_at,
                              std::optional<uint64_t> first_seq, Group* g, Draft* d) const {
  d->base_version = base ? base->state.version() : 0;
  d->recorded_at = recorded_at;
  d->records.clear();
  d->error.reset();
  d->next.reset();
  // Storage loads what the decision needs (the newest state; for a correction, every earlier
  // record), asks the domain once, and writes what it decides.
  std::vector<v1::EventRecord> prior;
  if (HasCorrection(req)) {
    if (g == nullptr) return Fail(kIoError, "a correction is prepared by the write path");
    // Earlier groups are written (PrepareLoop waited for them; an inline append finds none in
    // flight), so the store and the group's `pending` hold every earlier record.
    auto p = LoadRecords(req.contract_id, g);
    if (!p) return std::unexpected(p.error());
    prior = std::move(*p);
  }
  domain::AppendInput in;
  in.contract_id = req.contract_id;
  in.state = base ? &base->state : nullptr;
  in.bodies = req.events;
  in.principal = &req.principal;
  in.recorded_at = recorded_at;
  in.first_sequence = first_seq.value_or(0);
  in.prior = prior;
  in.new_event_id = [recorded_at] { return NewEventId(recorded_at); };
  auto decision = domain::Decide(in, options_.rules);
  if (!decision) return std::unexpected(decision.error());
  d->records = std::move(decision->records);
  auto cs = std::make_shared<CachedState>();
  cs->state = std::move(decision->state);
  if (base != nullptr && domain::SameAlertEntries(base->state, cs->state)) {
    cs->alerts = base->alerts;
  } else {
    cs->alerts = AlertRowsOf(cs->state);
  }
  d->next = std::move(cs);
  return {};
}

Result<v1::AppendResponse> LogImpl::Prepare(Writer& w, Group* g) {
  rocksdb::WriteBatch* batch = &g->batch;
  const AppendRequest& req = *w.req;
  Draft& d = w.draft;
  v1::AppendResponse resp;
  resp.set_contract_id(req.contract_id);

  // The contract's newest state, and the decision whether this principal may write to it, in
  // the step that drafts the append: no other append to the contract is prepared in between.
  auto base_or = StateForWrite(req.contract_id, g->committed_seq);
  if (!base_or) return std::unexpected(base_or.error());
  StatePtr base = std::move(*base_or);
  if (auto r = AuthorizeAppend(req.principal, base ? &base->state : nullptr, req.events); !r) {
    return std::unexpected(r.error());
  }

  // Idempotency: an append whose event ids are all stored, each with the same body, returns the
  // original result; an id stored with another body (or for another contract) is a conflict.
  if (w.has_client_ids) {
    size_t known = 0;
    for (const auto& body : req.events) {
      if (body.event_id().empty()) continue;
      const std::string id = *NormalizeEventId(body.event_id(), "event_id");
      v1::AppendedEvent original;
      std::string contract;
      const v1::EventBody* stored_body = nullptr;
      Micros stored_at = 0;
      LoggedEvent ev;
      if (auto it = inflight_ids_.find(id); it != inflight_ids_.end()) {
        original = it->second.event;
        contract = it->second.contract_id;
        stored_body = &it->second.body;
        stored_at = it->second.recorded_at;
      } else {
        std::string value;
        auto s = db_->Get(rocksdb::ReadOptions(), handles_[kEventIdsIdx], id, &value);
        if (s.IsNotFound()) continue;
        if (!s.ok()) return std::unexpected(FromStatus(s, "looking up event id " + id));
        auto read = ReadEvent(format::DecodeBe64(value));
        if (!read) return std::unexpected(read.error());
        ev = std::move(*read);
        original.set_event_id(id);
        original.set_version(ev.record.version());
        original.set_sequence(ev.record.sequence());
        original.set_hash(ev.hash);
        contract = ev.record.contract_id();
        stored_body = &ev.record.body();
        stored_at = ev.record.recorded_at_us();
      }
      if (contract != req.contract_id) {
        // Not named: the other contract may belong to an authority the principal cannot read.
        return Fail(kEventIdConflict, "event_id " + id + " is already stored for another contract");
      }
      if (!SameBody(body, *stored_body, stored_at)) {
        return Fail(kEventIdConflict, "event_id " + id +
                                          " is already stored with a different "
                                          "body; only a byte-identical retry is idempotent");
      }
      ++known;
      *resp.add_events() = original;
    }
    if (known > 0) {
      if (known != req.events.size()) {
        return Fail(kEventIdConflict, std::to_string(known) + " of the " +
                                          std::to_string(req.events.size()) +
                                          " event ids are already stored; a retried append must "
                                          "repeat exactly the same events");
      }
      resp.set_replayed(true);
      return resp;
    }
  }

  const uint64_t current = base ? base->state.version() : 0;
  if (req.expected_version && *req.expected_version != current) {
    Error e{kVersionConflict,
            "contract " + req.contract_id + " is at version " + std::to_string(current) +
                "; the append expected version " + std::to_string(*req.expected_version),
            current};
    return std::unexpected(e);
  }
  // Record times never go back along the log: a time the log assigns is clamped to the head's
  // (below); a time the caller supplies (an import keeping its record times) must not be earlier.
  if (req.recorded_at && *req.recorded_at < last_recorded_at_) {
    return Fail(kRecordedAtBeforeHead, "recorded_at " + FormatRfc3339(*req.recorded_at) +
                                           " is earlier than the log head's " +
                                           FormatRfc3339(last_recorded_at_) +
                                           "; the log's record times never go back");
  }

  // The caller's draft stands when it was computed on this version; recorded times stay in
  // sequence order unless that would move them to another day.
  bool use_draft = d.drafted && d.base_version == current;
  Micros recorded_at = d.recorded_at;
  if (use_draft && !req.recorded_at && recorded_at < last_recorded_at_) {
    recorded_at = last_recorded_at_;
    use_draft = DayOf(recorded_at) == DayOf(d.recorded_at);
  }
  if (!use_draft) {
    recorded_at = req.recorded_at.value_or(std::max(NowMicros(), last_recorded_at_));
    if (auto r = Compute(req, base.get(), recorded_at, g->next_seq, g, &d); !r) {
      return std::unexpected(r.error());
    }
  } else if (d.error) {
    return std::unexpected(*d.error);
  }
  for (const auto& rec : d.records) {
    if (inflight_ids_.contains(rec.event_id())) {
      return Fail(kEventIdConflict, "event_id " + rec.event_id() + " is already used");
    }
  }

  // Every event passed: chain them and add them, their indexes and the new state to the batch.
  uint64_t seq = g->next_seq;
  for (auto& rec : d.records) {
    rec.set_sequence(seq);
    rec.set_recorded_at_us(recorded_at);
    rec.set_prev_hash(g->head_hash);
    v1::StoredEvent stored;
    std::string* bytes = stored.mutable_record();
    rec.SerializeToString(bytes);
    g->head_hash = ChainHash(g->head_hash, *bytes);
    stored.set_hash(g->head_hash);
    const std::string seq_key = format::EncodeBe64(seq);
    batch->Put(handles_[kEventsIdx], seq_key, Serialize(stored));
    batch->Put(handles_[kStreamsIdx], format::StreamKey(rec.contract_id(), rec.version()), seq_key);
    batch->Put(handles_[kEventIdsIdx], rec.event_id(), seq_key);
    auto* out = resp.add_events();
    out->set_event_id(rec.event_id());
    out->set_version(rec.version());
    out->set_sequence(seq);
    out->set_hash(g->head_hash);
    inflight_ids_[rec.event_id()] =
        InflightId{*out, req.contract_id, g->ticket, rec.body(), rec.recorded_at_us()};
    if (inflight_by_ticket_.empty() || inflight_by_ticket_.back().first != g->ticket) {
      inflight_by_ticket_.emplace_back(g->ticket, std::vector<std::string>{});
    }
    inflight_by_ticket_.back().second.push_back(rec.event_id());
    ++seq;
  }
  CachedState& next = *d.next;
  next.state.set_last_sequence(seq - 1);
  // The state is stored at a contract's first append, at corrections (so a reader's completion
  // never replays one) and state_every versions after the stored one; in between readers
  // complete it from the events (LoadState).
  const uint64_t stored = base ? base->stored_version : 0;
  if (stored == 0 || next.state.version() >= stored + options_.state_every || HasCorrection(req)) {
    batch->Put(handles_[kStateIdx], req.contract_id, Serialize(next.state));
    next.stored_version = next.state.version();
  } else {
    next.stored_version = stored;
  }
  ReplaceAlertRows(batch, handles_[kAlertsIdx], base ? base->alerts : AlertRows{}, next.alerts);
  if (g->keep_pending) {
    auto& pending = g->pending[req.contract_id];
    pending.insert(pending.end(), d.records.begin(), d.records.end());
  }
  CacheState(req.contract_id, std::move(d.next), g->committed_seq);
  w.retired = std::move(base);
  last_recorded_at_ = std::max(last_recorded_at_, recorded_at);
  g->next_seq = seq;
  return resp;
}

}  // namespace contrack::storage

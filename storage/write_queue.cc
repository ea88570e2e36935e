// The write queue: callers queue, the prepare thread chains appends into the open group, the write
// thread writes each group synced and acknowledges its appends (LevelDB's DBImpl::Write).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "storage/log_impl.h"

namespace contrack::storage {
Result<v1::AppendResponse> LogImpl::Append(const AppendRequest& req) {
  // Shape checks need no state: do them before queueing.
  auto client_ids = CheckShape(req);
  if (!client_ids) return std::unexpected(client_ids.error());
  DisablePerfCounters();
  Writer w;
  w.req = &req;
  w.has_client_ids = *client_ids;
  MakeDraft(req, &w.draft);  // in this thread, in parallel with other callers

  std::unique_lock l(mu_);
  if (writers_.empty() && closed_.empty() && !open_ready_ && prepare_idle_ && write_idle_ &&
      !inline_preparing_ && !inline_writing_) {
    // Nothing else is queued, prepared or being written: prepare and write this append in this
    // thread rather than wake two others (a lone writer's append costs one sync, no hand-offs).
    // Both threads stand aside while it prepares; appends arriving meanwhile are prepared into
    // the next group while it writes, and the write thread writes that group after this one.
    inline_preparing_ = inline_writing_ = true;
    const uint64_t committed = head_.sequence, written = written_ticket_;
    const std::optional<Error> bg = bg_error_;
    l.unlock();
    ForgetWrittenIds(written);
    std::unique_ptr<Group> g;
    {
      std::lock_guard o(open_mu_);
      PrepareOne(&w, committed, bg);
      g = std::move(open_);
    }
    l.lock();
    inline_preparing_ = false;
    const bool queued = !writers_.empty();
    l.unlock();
    if (queued) prepare_cv_.notify_one();
    CommitGroup(*g, bg);
    l.lock();
    inline_writing_ = false;
    l.unlock();
    AwaitAck(w);  // released by CommitGroup: only relays the group's other writers, if any
    return std::move(w.result);
  }
  writers_.push_back(&w);
  const bool wake = prepare_idle_;
  l.unlock();
  if (wake) prepare_cv_.notify_one();  // unlocked, so the woken thread finds mu_ free
  AwaitAck(w);
  return std::move(w.result);
}

void LogImpl::AppendAsync(AppendRequest req, AppendCallback done) {
  auto client_ids = CheckShape(req);
  if (!client_ids) return done(std::unexpected(client_ids.error()));
  DisablePerfCounters();
  FreeAcknowledged();
  auto w = std::make_unique<Writer>();
  w->owned = std::move(req);
  w->req = &w->owned;
  w->has_client_ids = *client_ids;
  w->done = std::move(done);
  MakeDraft(*w->req, &w->draft);
  // Never inline: the caller must not wait for the sync. Acknowledge runs `done`; a later
  // caller frees w.
  bool wake = false;
  {
    std::lock_guard l(mu_);
    writers_.push_back(w.release());
    wake = prepare_idle_;
  }
  // Unlocked: notified under mu_, the prepare thread woke only to wait for mu_ again (a third
  // of its context switches).
  if (wake) prepare_cv_.notify_one();
}

void LogImpl::FreeAcknowledged() {
  std::vector<std::unique_ptr<Writer>> dead;
  {
    std::lock_guard l(acked_mu_);
    dead.swap(acked_);
  }
}  // freed here, in the caller's thread

void LogImpl::Release(Writer* x) {
  std::lock_guard l(x->ack_mu);
  x->released = true;
  x->ack_cv.notify_one();
}

void LogImpl::AwaitAck(Writer& w) {
  {
    std::unique_lock l(w.ack_mu);
    while (!w.released) w.ack_cv.wait(l);
  }
  for (Writer* r : w.relay) {
    if (r != nullptr) Release(r);
  }
}

void LogImpl::ForgetWrittenIds(uint64_t written_ticket) {
  while (!inflight_by_ticket_.empty() && inflight_by_ticket_.front().first <= written_ticket) {
    for (const auto& id : inflight_by_ticket_.front().second) inflight_ids_.erase(id);
    inflight_by_ticket_.pop_front();
  }
}

void LogImpl::PrepareLoop() {
  DisablePerfCounters();
  std::vector<Writer*> taken;
  for (;;) {
    uint64_t committed = 0, written = 0;
    std::optional<Error> bg;
    {
      std::unique_lock l(mu_);
      while ((writers_.empty() || inline_preparing_) && !stop_) {
        prepare_idle_ = true;
        prepare_cv_.wait(l);
        prepare_idle_ = false;
      }
      if (writers_.empty()) {  // stopping, and everything queued is prepared
        prepare_done_ = true;
        write_cv_.notify_one();
        return;
      }
      taken.assign(writers_.begin(), writers_.end());
      writers_.clear();
      committed = head_.sequence;
      written = written_ticket_;
      bg = bg_error_;
    }
    ForgetWrittenIds(written);
    for (Writer* x : taken) {
      if (HasCorrection(*x->req)) {
        // A correction reads its contract's earlier records: those of earlier groups from the
        // store, once written, and those of its own group from `pending`, kept only in a group
        // it starts. So close the open group unless it keeps them, and wait for every earlier
        // group without holding open_mu_, which the write thread may need to take the group
        // before it.
        uint64_t earlier = 0;
        {
          std::lock_guard o(open_mu_);
          if (open_ && !open_->keep_pending) CloseOpenGroup();
          earlier = open_ ? open_->ticket - 1 : next_ticket_;
        }
        WaitWritten(earlier);
      }
      bool wake = false;
      {
        std::lock_guard o(open_mu_);
        PrepareOne(x, committed, bg);
        std::lock_guard l(mu_);
        open_ready_ = true;  // open_ holds x
        wake = write_idle_;
        committed = head_.sequence;
        bg = bg_error_;
      }
      if (wake) write_cv_.notify_one();  // with open_mu_ free for the write thread to take
    }
    taken.clear();
  }
}

void LogImpl::PrepareOne(Writer* x, uint64_t committed_seq, const std::optional<Error>& bg) {
  const AppendRequest& req = *x->req;
  size_t bytes = 0;
  for (const auto& e : req.events) bytes += e.ByteSizeLong();
  if (open_ && open_->bytes + bytes > options_.max_group_bytes) CloseOpenGroup();
  if (!open_) {
    open_ = std::make_unique<Group>();
    open_->ticket = ++next_ticket_;
    open_->next_seq = prepared_head_.sequence + 1;
    open_->head_hash = prepared_head_.hash;
    open_->keep_pending = HasCorrection(req);
  }
  Group* g = open_.get();
  g->committed_seq = committed_seq;
  if (bg) {
    x->result = std::unexpected(*bg);
  } else {
    x->result = Prepare(*x, g);
    if (x->result && !x->result->replayed()) {
      ++g->appends;
      g->events += static_cast<uint64_t>(x->result->events_size());
    }
  }
  g->writers.push_back(x);
  g->bytes += bytes;
  prepared_head_ = Head{g->next_seq - 1, g->head_hash};
}

void LogImpl::CloseOpenGroup() {
  bool wake = false;
  {
    std::lock_guard l(mu_);
    closed_.push_back(std::move(open_));
    open_ready_ = false;
    wake = write_idle_;
  }
  if (wake) write_cv_.notify_one();
}

void LogImpl::WriteLoop() {
  DisablePerfCounters();
  for (;;) {
    std::unique_ptr<Group> g;
    {
      std::unique_lock l(mu_);
      while ((closed_.empty() && !open_ready_) || inline_preparing_) {
        if (prepare_done_ && !inline_preparing_) return;
        write_idle_ = true;
        write_cv_.wait(l);
        write_idle_ = false;
      }
      // The oldest group first: a closed one. The prepare thread may hold open_mu_ while it
      // waits for closed groups to be written (a correction), so take those without it.
      if (!closed_.empty()) {
        g = std::move(closed_.front());
        closed_.pop_front();
      }
    }
    if (!g) {
      // The open group as it stands, between two appends.
      std::lock_guard o(open_mu_);
      std::lock_guard l(mu_);
      if (!closed_.empty()) {  // closed meanwhile: it is older than open_
        g = std::move(closed_.front());
        closed_.pop_front();
      } else {
        g = std::move(open_);
        open_ready_ = false;
      }
    }
    if (!g) continue;
    std::optional<Error> err;
    {
      // A caller writing its own group inline goes first: groups are written in ticket order.
      std::unique_lock l(mu_);
      while (written_ticket_ + 1 < g->ticket && !bg_error_) written_cv_.wait(l);
      err = bg_error_;  // an earlier group failed: this one builds on it
    }
    CommitGroup(*g, std::move(err));
  }
}

void LogImpl::CommitGroup(Group& g, std::optional<Error> err) {
  rocksdb::Status s;
  if (!err && g.batch.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db_->Write(wo, &g.batch);
  }

  std::unique_lock l(mu_);
  if (!s.ok()) {
    err = FromStatus(s, "synced write of " + std::to_string(g.events) + " events");
    Log()->error("{}; refusing writes until reopened", err->ToString());
    bg_error_ = err;
  }
  if (err) {
    // Nothing of this group is durable, and a replayed answer may point into a failed group.
    for (Writer* x : g.writers) {
      if (x->result) x->result = std::unexpected(*err);
    }
  } else if (g.batch.Count() > 0) {
    head_ = Head{g.next_seq - 1, g.head_hash};
    durable_seq_.store(head_.sequence, std::memory_order_release);
    stats_.appends += g.appends;
    stats_.events += g.events;
    ++stats_.synced_writes;
  }
  written_ticket_ = g.ticket;
  l.unlock();
  written_cv_.notify_all();
  Acknowledge(g);
}

void LogImpl::Acknowledge(Group& g) {
  // Callers of Append wait in AwaitAck until released: results and relays set here are theirs
  // then. Those of AppendAsync get their callbacks, here.
  std::vector<Writer*> waiting;
  std::vector<std::unique_ptr<Writer>> called;
  called.reserve(g.writers.size());
  for (Writer* x : g.writers) {
    if (x->done) {
      called.emplace_back(x);
    } else {
      waiting.push_back(x);
    }
  }
  const size_t n = waiting.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < 2; ++k) {
      const size_t c = 2 * i + 1 + k;
      waiting[i]->relay[k] = c < n ? waiting[c] : nullptr;
    }
  }
  if (n > 0) Release(waiting[0]);
  if (called.empty()) return;
  for (auto& x : called) {
    x->done(std::move(x->result));
    x->done = nullptr;  // what the callback holds goes now (the server's pool waits for it)
  }
  // Freeing an append's request, draft and replaced state was a sixth of this thread's work,
  // which is the one that limits throughput: the next AppendAsync caller frees them instead.
  // Unless nobody has called for a while: then they are freed here.
  std::vector<std::unique_ptr<Writer>> dead;
  {
    std::lock_guard l(acked_mu_);
    if (acked_.size() > kMaxAcknowledgedKept) dead.swap(acked_);
    for (auto& x : called) acked_.push_back(std::move(x));
  }
}

void LogImpl::WaitWritten(uint64_t ticket) const {
  std::unique_lock l(mu_);
  while (written_ticket_ < ticket && !bg_error_) written_cv_.wait(l);
}

}  // namespace contrack::storage

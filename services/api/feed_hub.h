// Wakes long-poll and SSE waiters when new events commit. Safe for concurrent use.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "services/api/net.h"

namespace contrack::api {

class FeedHub {
 public:
  explicit FeedHub(uint64_t head) : head_(head) {}

  // Records that events up to `head` are committed and wakes every waiter.
  void Notify(uint64_t head);

  // Calls `wake` on `executor` once the head passes `after` or `timeout` elapses, whichever is
  // first (at once when it has already passed). `wake` may see no new events after a timeout.
  void Wait(uint64_t after, net::any_io_executor executor, std::chrono::milliseconds timeout,
            std::function<void()> wake);

  // Wakes every waiter (shutdown).
  void WakeAll();

 private:
  std::mutex mu_;
  uint64_t head_;                                            // guarded by mu_
  std::vector<std::shared_ptr<net::steady_timer>> waiters_;  // guarded by mu_
};

}  // namespace contrack::api

// Feed notification through cancellable timers.
#include "services/api/feed_hub.h"

namespace contrack::api {

void FeedHub::Notify(uint64_t head) {
  std::vector<std::shared_ptr<net::steady_timer>> waiters;
  {
    std::lock_guard l(mu_);
    if (head <= head_) return;
    head_ = head;
    waiters.swap(waiters_);
  }
  for (auto& t : waiters) net::post(t->get_executor(), [t] { t->cancel(); });
}

void FeedHub::WakeAll() {
  std::vector<std::shared_ptr<net::steady_timer>> waiters;
  {
    std::lock_guard l(mu_);
    waiters.swap(waiters_);
  }
  for (auto& t : waiters) net::post(t->get_executor(), [t] { t->cancel(); });
}

void FeedHub::Wait(uint64_t after, net::any_io_executor executor, std::chrono::milliseconds timeout,
                   std::function<void()> wake) {
  auto timer = std::make_shared<net::steady_timer>(executor, timeout);
  {
    std::lock_guard l(mu_);
    if (head_ > after) {
      net::post(executor, std::move(wake));
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(waiters_, [&](const auto& t) { return t->expiry() < now; });
    waiters_.push_back(timer);
  }
  timer->async_wait([timer, wake = std::move(wake)](const beast::error_code&) { wake(); });
}

}  // namespace contrack::api

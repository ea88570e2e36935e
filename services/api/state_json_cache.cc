// The JSON bodies of GET /v1/contracts/{id} (see state_json_cache.h).
#include "services/api/state_json_cache.h"

#include <utility>

namespace contrack::api {

std::optional<std::string> StateJsonCache::Find(const std::string& id, uint64_t version,
                                                const std::string& status) const {
  std::lock_guard l(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.version != version || it->second.status != status) {
    return std::nullopt;
  }
  return it->second.body;
}

void StateJsonCache::Insert(const std::string& id, uint64_t version, const std::string& status,
                            std::string body) {
  if (max_entries_ == 0) return;
  std::lock_guard l(mu_);
  auto it = entries_.find(id);
  if (it != entries_.end()) {
    it->second = Entry{version, status, std::move(body)};
    return;
  }
  while (entries_.size() >= max_entries_ && !order_.empty()) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  entries_.emplace(id, Entry{version, status, std::move(body)});
  order_.push_back(id);
}

size_t StateJsonCache::size() const {
  std::lock_guard l(mu_);
  return entries_.size();
}

}  // namespace contrack::api

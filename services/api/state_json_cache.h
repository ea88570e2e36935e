// The JSON bodies of GET /v1/contracts/{id}, kept by contract, version and status.
//
// Rendering a state through protobuf's JSON printer is most of a state read's work (70% of a
// GET's instructions; docs/performance.md), and a contract's state at a version never changes:
// the log is append-only and a new event makes a new version. The status is part of the key
// because the answer gives the status on the day it is asked. Bounded by entry count; the oldest
// contract added is dropped first. Safe for concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace contrack::api {

class StateJsonCache {
 public:
  // max_entries 0: nothing is kept.
  explicit StateJsonCache(size_t max_entries) : max_entries_(max_entries) {}
  StateJsonCache(const StateJsonCache&) = delete;
  StateJsonCache& operator=(const StateJsonCache&) = delete;

  // The body rendered for contract `id` at `version` with `status`, if kept.
  std::optional<std::string> Find(const std::string& id, uint64_t version,
                                  const std::string& status) const;
  // Keeps `body` as contract `id`'s, replacing what was kept for it.
  void Insert(const std::string& id, uint64_t version, const std::string& status, std::string body);
  size_t size() const;

 private:
  struct Entry {
    uint64_t version = 0;
    std::string status;
    std::string body;
  };
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
  std::deque<std::string> order_;  // guarded by mu_: each kept contract once, oldest first
};

}  // namespace contrack::api

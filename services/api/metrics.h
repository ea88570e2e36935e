// Prometheus counters for the HTTP service. Safe for concurrent use.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "storage/event_log.h"

namespace contrack::api {

class Metrics {
 public:
  // Records one answered request: its route pattern ("/v1/contracts/{id}"), status and latency.
  void Observe(const std::string& route, unsigned status, int64_t micros);

  // The Prometheus text exposition, including the log's counters and memory gauges and the
  // number of rendered state bodies the API keeps (`state_json_entries`).
  std::string Render(const storage::EventLog& log, size_t state_json_entries) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  mutable std::mutex mu_;
  std::map<std::pair<std::string, unsigned>, uint64_t> requests_;  // guarded by mu_
  std::array<uint64_t, kBuckets.size()> bucket_counts_{};          // guarded by mu_
  uint64_t count_ = 0;                                             // guarded by mu_
  double sum_seconds_ = 0;                                         // guarded by mu_
};

}  // namespace contrack::api

// Prometheus text format rendering.
#include "services/api/metrics.h"

#include <sstream>

namespace contrack::api {

void Metrics::Observe(const std::string& route, unsigned status, int64_t micros) {
  const double seconds = static_cast<double>(micros) / 1e6;
  std::lock_guard l(mu_);
  requests_[{route, status}]++;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) bucket_counts_[i]++;
  }
  count_++;
  sum_seconds_ += seconds;
}

std::string Metrics::Render(const storage::EventLog& log, size_t state_json_entries) const {
  std::ostringstream out;
  {
    std::lock_guard l(mu_);
    out << "# HELP contrack_http_requests_total HTTP requests answered, by route and status.\n"
        << "# TYPE contrack_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      out << "contrack_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
          << "\"} " << n << "\n";
    }
    out << "# HELP contrack_http_request_duration_seconds Time from request read to response.\n"
        << "# TYPE contrack_http_request_duration_seconds histogram\n";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out << "contrack_http_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} "
          << bucket_counts_[i] << "\n";
    }
    out << "contrack_http_request_duration_seconds_bucket{le=\"+Inf\"} " << count_ << "\n"
        << "contrack_http_request_duration_seconds_sum " << sum_seconds_ << "\n"
        << "contrack_http_request_duration_seconds_count " << count_ << "\n";
  }
  const storage::Stats s = log.GetStats();
  out << "# HELP contrack_appends_total Append calls that committed events.\n"
      << "# TYPE contrack_appends_total counter\n"
      << "contrack_appends_total " << s.appends << "\n"
      << "# HELP contrack_events_total Events committed.\n"
      << "# TYPE contrack_events_total counter\n"
      << "contrack_events_total " << s.events << "\n"
      << "# HELP contrack_synced_writes_total Synced WriteBatches (group commits).\n"
      << "# TYPE contrack_synced_writes_total counter\n"
      << "contrack_synced_writes_total " << s.synced_writes << "\n"
      << "# HELP contrack_events_per_synced_write Events committed per synced write.\n"
      << "# TYPE contrack_events_per_synced_write gauge\n"
      << "contrack_events_per_synced_write "
      << (s.synced_writes ? static_cast<double>(s.events) / static_cast<double>(s.synced_writes)
                          : 0.0)
      << "\n"
      << "# HELP contrack_log_head_sequence Sequence of the last committed event.\n"
      << "# TYPE contrack_log_head_sequence gauge\n"
      << "contrack_log_head_sequence " << log.GetHead().sequence << "\n";
  const storage::MemoryUsage m = log.GetMemory();
  out << "# HELP contrack_memtable_bytes RocksDB memtables, all column families "
         "(bounded by --write-buffer-mb).\n"
      << "# TYPE contrack_memtable_bytes gauge\n"
      << "contrack_memtable_bytes " << m.memtable_bytes << "\n"
      << "# HELP contrack_block_cache_bytes RocksDB block cache in use (bounded by "
         "--block-cache-mb).\n"
      << "# TYPE contrack_block_cache_bytes gauge\n"
      << "contrack_block_cache_bytes " << m.block_cache_bytes << "\n"
      << "# HELP contrack_state_cache_entries Decoded states the write path holds (bounded by "
         "--state-cache-entries).\n"
      << "# TYPE contrack_state_cache_entries gauge\n"
      << "contrack_state_cache_entries " << m.state_cache_entries << "\n"
      << "# HELP contrack_state_json_cache_entries Rendered state bodies GET /v1/contracts/{id} "
         "keeps (bounded by --state-json-cache-entries).\n"
      << "# TYPE contrack_state_json_cache_entries gauge\n"
      << "contrack_state_json_cache_entries " << state_json_entries << "\n";
  return out.str();
}

}  // namespace contrack::api

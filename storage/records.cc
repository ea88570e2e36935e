// Stored records: encoding, decoding, event ids, and the one place RocksDB statuses become errors.
#include <rocksdb/perf_level.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "storage/log_impl.h"

namespace contrack::storage {
bool HasCorrection(const AppendRequest& req) {
  return std::any_of(req.events.begin(), req.events.end(),
                     [](const v1::EventBody& e) { return e.has_correction(); });
}

// The one place a rocksdb::Status becomes an Error.
Error FromStatus(const rocksdb::Status& s, std::string_view what) {
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNoSpace() || s.subcode() == rocksdb::Status::kNoSpace) return {kStorageFull, msg, {}};
  if (s.IsCorruption()) return {kCorruption, msg, {}};
  return {kIoError, msg, {}};
}

// RocksDB counts every key comparison into a thread-local PerfContext unless the thread's perf
// level is kDisable; from the shared library each count is a __tls_get_addr call, about a tenth of
// an append's instructions. contrack reads no perf counters.
void DisablePerfCounters() {
  thread_local const bool done = [] {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    return true;
  }();
  (void)done;
}

// A UUIDv7 (RFC 9562) for an event that came without an id: the recorded time's Unix
// milliseconds in the first 48 bits, the rest random (Boost's generator, which also sets the
// variant). Ids made later sort later, so the event_ids index takes each new one near its end
// instead of at a random place, which costs the memtable a fraction of the comparisons.
std::string NewEventId(Micros recorded_at) {
  // A Mersenne Twister seeded once per thread from the OS: Boost's default generator asks the
  // kernel (getrandom) for every id, a system call per event.
  static thread_local boost::uuids::random_generator_mt19937 random;
  boost::uuids::uuid u = random();
  const uint64_t ms = recorded_at > 0 ? static_cast<uint64_t>(recorded_at) / 1000 : 0;
  for (int i = 0; i < 6; ++i) u.data[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  u.data[6] = static_cast<uint8_t>(0x70 | (u.data[6] & 0x0f));  // version 7
  return boost::uuids::to_string(u);
}

std::string Serialize(const google::protobuf::MessageLite& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

Result<LoggedEvent> DecodeStored(uint64_t seq, const rocksdb::Slice& value) {
  v1::StoredEvent stored;
  LoggedEvent out;
  if (!stored.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      !out.record.ParseFromString(stored.record())) {
    return Fail(kCorruption, "event at sequence " + std::to_string(seq) + " cannot be decoded");
  }
  out.hash = stored.hash();
  return out;
}

}  // namespace contrack::storage

// Verify: the chain recomputed from the first event, and the views compared with a replay.
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <map>
#include <set>

#include "storage/alerts_index.h"
#include "storage/chain.h"
#include "storage/log_impl.h"

namespace contrack::storage {
Result<VerifyReport> LogImpl::Verify(std::optional<Head> digest, bool views) const {
  VerifyReport report;
  if (digest) {
    report.digest_ok = false;
    report.digest_message = "the log ends before sequence " + std::to_string(digest->sequence);
  }
  report.head = Head{0, ZeroHash()};
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEventsIdx]));
  std::string prev = ZeroHash();
  uint64_t expect = 1;
  Micros prev_recorded_at = 0;
  std::set<std::string> ids;  // with views: the contracts the chain holds
  auto bad = [&](uint64_t seq, std::string why) {
    report.ok = false;
    report.first_bad_sequence = seq;
    report.message = "sequence " + std::to_string(seq) + ": " + why;
    if (digest && seq <= digest->sequence) {
      report.digest_ok = false;
      report.digest_message = "the chain breaks at sequence " + std::to_string(seq) +
                              ", inside the digest's prefix (up to " +
                              std::to_string(digest->sequence) + ")";
    }
    return report;
  };
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    if (it->key().size() != 8) return bad(expect, "malformed key");
    const uint64_t seq = format::DecodeBe64(it->key().ToStringView());
    if (seq != expect) {
      return bad(expect, "missing; the next stored event is " + std::to_string(seq));
    }
    v1::StoredEvent stored;
    v1::EventRecord rec;
    if (!stored.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) ||
        !rec.ParseFromString(stored.record())) {
      return bad(seq, "stored bytes cannot be decoded");
    }
    if (rec.sequence() != seq)
      return bad(seq, "record claims sequence " + std::to_string(rec.sequence()));
    if (rec.prev_hash() != prev)
      return bad(seq, "prev_hash does not match the previous event's hash");
    const std::string h = ChainHash(prev, stored.record());
    if (h != stored.hash())
      return bad(seq, "hash mismatch: stored " + stored.hash() + ", computed " + h);
    if (rec.recorded_at_us() < prev_recorded_at) {
      return bad(seq, "recorded_at " + FormatRfc3339(rec.recorded_at_us()) +
                          " is earlier than the previous event's " +
                          FormatRfc3339(prev_recorded_at) + ": record times never go back");
    }
    prev_recorded_at = rec.recorded_at_us();
    if (views) ids.insert(rec.contract_id());  // the views check replays each of them
    prev = h;
    report.events_checked++;
    report.head = Head{seq, h};
    if (digest && seq == digest->sequence) {
      report.digest_ok = h == digest->hash;
      report.digest_message = *report.digest_ok
                                  ? "digest " + std::to_string(seq) + ":" +
                                        digest->hash.substr(0, 16) + "... is a prefix of the log"
                                  : "sequence " + std::to_string(seq) + " now hashes to " + h +
                                        ", not the digest's " + digest->hash +
                                        ": the log was rewritten at or before it";
    }
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading the log"));
  report.message = "chain intact: " + std::to_string(report.events_checked) + " events";
  if (views) {
    if (auto r = VerifyViews(ids, &report); !r) return std::unexpected(r.error());
  }
  return report;
}

Result<void> LogImpl::VerifyViews(const std::set<std::string>& ids, VerifyReport* report) const {
  report->views_ok = true;
  auto differ = [&](const std::string& id, std::string why) -> Result<void> {
    report->views_ok = false;
    report->first_bad_contract = id;
    report->views_message = "contract " + id + ": " + why;
    return {};
  };
  // Every state the view holds belongs to a contract of the log.
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kStateIdx]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!ids.contains(it->key().ToString())) {
        return differ(it->key().ToString(), "the state view holds it; the log has no event of it");
      }
    }
    if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading states"));
  }
  // Each contract: its state as the views answer it, replayed from its events, and its alerts
  // entry. Appends may go on meanwhile: the state is read first, the events after it (replayed
  // up to the state's version), and a contract that moved while it was checked is checked again.
  auto check = [&](const std::string& id, AlertRows* alerts) -> Result<std::string> {
    std::string why;
    for (int attempt = 0; attempt < 3; ++attempt) {
      auto viewed = LoadState(id);
      if (!viewed) return "its state cannot be read: " + viewed.error().message;
      if (!*viewed) return std::string("the state view has no entry for it");
      auto read = ReadContract(id);
      if (!read) return std::unexpected(read.error());
      std::vector<v1::EventRecord> records;
      why.clear();
      for (auto& e : *read) {
        if (e.record.version() > (*viewed)->version()) break;
        if (e.record.version() != records.size() + 1) {
          why = "the streams index lists version " + std::to_string(e.record.version()) +
                " where version " + std::to_string(records.size() + 1) + " belongs";
          break;
        }
        std::string seq;
        auto st =
            db_->Get(rocksdb::ReadOptions(), handles_[kEventIdsIdx], e.record.event_id(), &seq);
        if (!st.ok() || seq.size() != 8 || format::DecodeBe64(seq) != e.record.sequence()) {
          why = "the event id index does not lead to event " + e.record.event_id() +
                " at sequence " + std::to_string(e.record.sequence());
          break;
        }
        records.push_back(std::move(e.record));
      }
      if (!why.empty()) return why;
      auto replayed = domain::Replay(records, options_.rules);
      if (!replayed) return "its events no longer replay: " + replayed.error().message;
      AlertRows rows = AlertRowsOf(*replayed);
      if (!google::protobuf::util::MessageDifferencer::Equals(*replayed, **viewed)) {
        google::protobuf::util::MessageDifferencer d;
        d.ReportDifferencesToString(&why);
        d.Compare(*replayed, **viewed);
        if (why.size() > 300) why.resize(300);
        why = "the state view differs from a replay of its events: " + why;
      } else {
        for (const auto& row : rows) {
          std::string stored;
          auto st = db_->Get(rocksdb::ReadOptions(), handles_[kAlertsIdx], row.key, &stored);
          if (!st.ok() || stored != row.value) {
            why = "its alerts index entries differ from a replay";
            break;
          }
        }
      }
      auto now = LoadState(id);
      const bool moved = now && *now && (*now)->version() != (*viewed)->version();
      if (why.empty() || !moved) {
        *alerts = std::move(rows);
        return why;
      }
    }
    return why;
  };
  std::set<std::string> alert_keys;
  for (const auto& id : ids) {
    AlertRows rows;
    auto why = check(id, &rows);
    if (!why) return std::unexpected(why.error());
    if (!why->empty()) return differ(id, *why);
    for (auto& row : rows) alert_keys.insert(std::move(row.key));
    report->contracts_checked++;
  }
  // No alerts entry beyond those: a contract whose entry is not the one checked is checked again
  // (it may have moved since).
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kAlertsIdx]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (alert_keys.contains(key)) continue;
    const std::string id =
        key.size() > format::kAlertKeyHeader ? key.substr(format::kAlertKeyHeader) : key;
    AlertRows now;
    auto why = check(id, &now);
    if (!why) return std::unexpected(why.error());
    if (!why->empty()) return differ(id, *why);
    const bool given =
        std::any_of(now.begin(), now.end(), [&](const AlertRow& row) { return row.key == key; });
    std::string still;
    if (!given && db_->Get(rocksdb::ReadOptions(), handles_[kAlertsIdx], key, &still).ok()) {
      return differ(id, "the alerts index holds an entry a replay does not give");
    }
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading alerts"));
  report->views_message =
      "views agree with the log: " + std::to_string(report->contracts_checked) + " contracts";
  return {};
}

}  // namespace contrack::storage

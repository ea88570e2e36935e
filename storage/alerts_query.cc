// Alerts: from the alerts index over the current states, or from each contract's state as it
// stood on a date, as known at a time.
#include <algorithm>

#include "domain/alerts.h"
#include "domain/england_time.h"
#include "storage/alerts_index.h"
#include "storage/log_impl.h"

namespace contrack::storage {
namespace {

constexpr int kMaxWithinDays = 3650;
constexpr int kMaxMonths = 120;

// Orders alerts by deadline, then contract id: sorts small keys, then moves each alert once.
// Deadlines are FormatDate output (YYYY-MM-DD), compared as the number YYYYMMDD.
void SortAlerts(std::vector<v1::Alert>* alerts) {
  struct SortKey {
    int32_t deadline;
    std::string_view contract_id;
    size_t index;
  };
  auto day_number = [](std::string_view d) {
    int32_t n = 0;
    for (char c : d) {
      if (c >= '0' && c <= '9') n = n * 10 + (c - '0');
    }
    return n;
  };
  std::vector<SortKey> keys;
  keys.reserve(alerts->size());
  for (size_t i = 0; i < alerts->size(); ++i) {
    keys.push_back({day_number((*alerts)[i].deadline()), (*alerts)[i].contract_id(), i});
  }
  std::sort(keys.begin(), keys.end(), [](const SortKey& x, const SortKey& y) {
    if (x.deadline != y.deadline) return x.deadline < y.deadline;
    return x.contract_id < y.contract_id;
  });
  std::vector<v1::Alert> sorted;
  sorted.reserve(alerts->size());
  for (const auto& k : keys) sorted.push_back(std::move((*alerts)[k.index]));
  *alerts = std::move(sorted);
}

}  // namespace

Result<AlertsResult> LogImpl::Alerts(const AlertsQuery& q) const {
  if (q.months != 0 && (q.months < 1 || q.months > kMaxMonths)) {
    return Fail(kInvalidArgument, "months is " + std::to_string(q.months) + "; it must be 1.." +
                                      std::to_string(kMaxMonths));
  }
  if (q.months == 0 && (q.within_days < 0 || q.within_days > kMaxWithinDays)) {
    return Fail(kInvalidArgument, "within_days is " + std::to_string(q.within_days) +
                                      "; it must be 0.." + std::to_string(kMaxWithinDays));
  }
  domain::AlertWindow w;
  w.as_of = q.as_of;
  w.last_day = q.months > 0 ? domain::LastDayOfMonths(q.as_of, q.months)
                            : q.as_of + std::chrono::days{q.within_days};
  w.waiver_award_days = options_.waiver_award_days;
  AlertsResult out;
  out.within_days = static_cast<int>((w.last_day - w.as_of).count());
  // From today on, every recorded decision counts whatever its effective date (a termination
  // notice dated ahead is known now): the current states, which the index holds. Before today,
  // or as known at a past time, each contract as it stood then.
  const Date today = q.today.value_or(domain::TodayInEngland());
  Result<void> r;
  if (q.as_of >= today && !q.known_at) {
    r = AlertsFromIndex(q, w, &out);
  } else {
    r = AlertsFromStates(q, q.as_of < today ? std::optional(q.as_of) : std::nullopt, w, &out);
  }
  if (!r) return std::unexpected(r.error());
  SortAlerts(&out.alerts);
  return out;
}

Result<void> LogImpl::AlertsFromIndex(const AlertsQuery& q, const domain::AlertWindow& w,
                                      AlertsResult* out) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kAlertsIdx]));
  // Every position the iterator lands on is one entry read. Per (kind, lead) the entries listed
  // are exactly those whose day is in ListedDays; reaching them costs at most one read below
  // the range (where the previous group's seek landed) and leaving them one read above it.
  for (it->SeekToFirst(); it->Valid();) {
    ++out->index_entries_read;
    const auto key = it->key().ToStringView();
    if (key.size() < format::kAlertKeyHeader) return Fail(kCorruption, "malformed alerts key");
    const auto kind = static_cast<uint8_t>(key[0]);
    const auto lead =
        static_cast<uint16_t>(static_cast<uint8_t>(key[1]) << 8 | static_cast<uint8_t>(key[2]));
    const int64_t day =
        static_cast<int64_t>(format::DecodeBe32(key.substr(3))) - format::kDayOffset;
    const domain::DayRange range =
        domain::ListedDays(static_cast<v1::AlertIndexEntry::Kind>(kind), lead, w);
    const int64_t first = std::max<int64_t>(range.first, -format::kDayOffset);
    if (day < first) {
      it->Seek(format::AlertKey(kind, lead, first, ""));
      continue;
    }
    if (day > range.last) {
      if (lead < 0xffff) {
        it->Seek(format::AlertPrefix(kind, static_cast<uint16_t>(lead + 1)));
      } else if (kind < 0xff) {
        it->Seek(std::string(1, static_cast<char>(kind + 1)));
      } else {
        break;
      }
      continue;
    }
    const std::string id(key.substr(format::kAlertKeyHeader));
    v1::AlertIndexEntry entry;
    if (!entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) ||
        entry.kind() != kind || AlertKeyId(entry) != id) {
      return Fail(kCorruption,
                  "alerts index entry for " + id.substr(0, id.find('\0')) + " is unreadable");
    }
    if (q.authority.empty() || domain::EntryTakesPart(entry, q.authority)) {
      if (auto alert = domain::AlertOn(entry, w)) out->alerts.push_back(std::move(*alert));
    }
    it->Next();
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading alerts"));
  return {};
}

Result<void> LogImpl::AlertsFromStates(const AlertsQuery& q, std::optional<Date> effective_by,
                                       const domain::AlertWindow& w, AlertsResult* out) const {
  // The `state` view lists every contract (a state is stored at a contract's first append); its
  // values are not read, only each contract's events.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kStateIdx]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string id = it->key().ToString();
    auto records = LoadRecords(id, nullptr);
    if (!records) return std::unexpected(records.error());
    ++out->states_read;
    const auto events = domain::EventsAsOf(*records, effective_by, q.known_at);
    if (events.empty()) continue;  // not yet a contract then
    auto state = domain::Replay(events, options_.rules);
    if (!state) {
      return Fail(state.error(),
                  "the state of " + id + " at that time breaks a rule: " + state.error().message);
    }
    for (const auto& e : domain::AlertEntriesFor(*state)) {
      if (!q.authority.empty() && !domain::EntryTakesPart(e, q.authority)) continue;
      if (auto alert = domain::AlertOn(e, w)) out->alerts.push_back(std::move(*alert));
    }
  }
  if (!it->status().ok()) return std::unexpected(FromStatus(it->status(), "reading states"));
  return {};
}

}  // namespace contrack::storage

// EventLog: the public contract, forwarding to its machinery (storage/log_impl.h).
#include "storage/event_log.h"

#include "storage/log_impl.h"

namespace contrack::storage {

LogImpl::LogImpl(const Options& options) : options_(options) {}

LogImpl::~LogImpl() {
  if (prepare_thread_.joinable()) {
    {
      std::lock_guard l(mu_);
      stop_ = true;
    }
    prepare_cv_.notify_all();
    prepare_thread_.join();  // prepares what is queued, then lets the write thread finish
  }
  if (write_thread_.joinable()) write_thread_.join();
  if (db_) {
    for (auto* h : handles_) {
      if (h != nullptr && h != db_->DefaultColumnFamily()) db_->DestroyColumnFamilyHandle(h);
    }
    db_->Close();
  }
}

rocksdb::ColumnFamilyHandle* LogImpl::cf(std::string_view name) const {
  for (size_t i = 0; i < std::size(kCfNames); ++i) {
    if (kCfNames[i] == name) return handles_[i];
  }
  return nullptr;
}

Result<std::unique_ptr<LogImpl>> LogImpl::Open(const Options& options) {
  std::unique_ptr<LogImpl> log(new LogImpl(options));
  if (auto r = log->OpenDb(); !r) return std::unexpected(r.error());
  if (!options.read_only) {
    log->prepare_thread_ = std::thread([p = log.get()] { p->PrepareLoop(); });
    log->write_thread_ = std::thread([p = log.get()] { p->WriteLoop(); });
  }
  return log;
}

EventLog::EventLog(std::unique_ptr<LogImpl> impl) : impl_(std::move(impl)) {}
EventLog::~EventLog() = default;

Result<std::unique_ptr<EventLog>> EventLog::Open(const Options& options) {
  auto impl = LogImpl::Open(options);
  if (!impl) return std::unexpected(impl.error());
  return std::unique_ptr<EventLog>(new EventLog(std::move(*impl)));
}

Result<v1::AppendResponse> EventLog::Append(const AppendRequest& req) { return impl_->Append(req); }
void EventLog::AppendAsync(AppendRequest req, AppendCallback done) {
  impl_->AppendAsync(std::move(req), std::move(done));
}
Result<v1::ContractState> EventLog::GetState(const std::string& contract_id) const {
  return impl_->GetState(contract_id);
}
Result<v1::ContractState> EventLog::GetStateAt(const std::string& contract_id,
                                               std::optional<Date> as_of,
                                               std::optional<Micros> known_at) const {
  return impl_->GetStateAt(contract_id, as_of, known_at);
}
Result<AlertsResult> EventLog::Alerts(const AlertsQuery& q) const { return impl_->Alerts(q); }
Result<std::vector<LoggedEvent>> EventLog::ReadContract(const std::string& contract_id,
                                                        uint64_t after_version,
                                                        size_t limit) const {
  return impl_->ReadContract(contract_id, after_version, limit);
}
Result<std::vector<LoggedEvent>> EventLog::ReadLog(uint64_t after, size_t limit) const {
  return impl_->ReadLog(after, limit);
}
Result<std::vector<v1::ContractState>> EventLog::ListContracts(const std::string& after_id,
                                                               size_t limit) const {
  return impl_->ListContracts(after_id, limit);
}
Result<std::vector<v1::ContractState>> EventLog::ListContractsAt(
    const std::string& after_id, size_t limit, std::optional<Date> as_of,
    std::optional<Micros> known_at) const {
  return impl_->ListContractsAt(after_id, limit, as_of, known_at);
}
Head EventLog::GetHead() const { return impl_->GetHead(); }
const std::string& EventLog::path() const { return impl_->path(); }
Stats EventLog::GetStats() const { return impl_->GetStats(); }
MemoryUsage EventLog::GetMemory() const { return impl_->GetMemory(); }
std::optional<Error> EventLog::WriteError() const { return impl_->WriteError(); }
Result<VerifyReport> EventLog::Verify(std::optional<Head> digest, bool views) const {
  return impl_->Verify(digest, views);
}
Result<Head> EventLog::Backup(const std::string& dir) const { return impl_->Backup(dir); }
Result<void> EventLog::Rebuild() { return impl_->Rebuild(); }

}  // namespace contrack::storage

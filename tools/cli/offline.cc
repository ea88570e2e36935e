// Offline CLI commands.
#include "tools/cli/offline.h"

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "domain/codec.h"
#include "domain/england_time.h"
#include "services/api/wire.h"
#include "services/views/reports.h"
#include "tools/cli/render.h"

namespace contrack::cli {
namespace {

int Report(const Error& e, std::ostream& err) {
  err << "contrack: " << e.name() << ": " << e.message << "\n";
  return 1;
}

Date Today() { return domain::TodayInEngland(); }

}  // namespace

Result<ImportStats> ImportJsonLines(storage::EventLog& log, std::string_view text,
                                    const ImportOptions& options, uint64_t* failed_line) {
  ImportStats stats;
  uint64_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto fail = [&](Error e) -> Result<ImportStats> {
      *failed_line = line_no;
      return std::unexpected(std::move(e));
    };
    ++stats.lines;
    auto body = ParseJson<v1::EventBody>(line, "event JSON");
    if (!body) return fail(body.error());
    storage::AppendRequest req;
    req.contract_id = body->contract_id();
    if (body->has_expected_version()) req.expected_version = body->expected_version();
    req.principal = options.as;
    if (!body->recorded_at().empty()) {
      auto at = ParseRfc3339(body->recorded_at(), "recorded_at");
      if (!at) return fail(at.error());
      if (options.keep_record_times) req.recorded_at = *at;
    }
    if (options.keep_record_times) {
      if (!body->recorded_by().empty()) req.principal.name = body->recorded_by();
    } else if (!body->recorded_at().empty() || !body->recorded_by().empty()) {
      ++stats.times_replaced;
    }
    req.events.push_back(std::move(*body));
    auto r = log.Append(req);
    if (!r) return fail(r.error());
    (r->replayed() ? stats.replayed : stats.appended) += r->events_size();
  }
  return stats;
}

Result<uint64_t> ExportJsonLines(const storage::EventLog& log, uint64_t after, std::ostream& out) {
  constexpr size_t kPage = 4096;
  uint64_t n = 0;
  for (;;) {
    auto page = log.ReadLog(after, kPage);
    if (!page) return std::unexpected(page.error());
    for (const auto& e : *page) {
      v1::EventBody line = e.record.body();
      line.set_contract_id(e.record.contract_id());
      line.set_recorded_at(FormatRfc3339(e.record.recorded_at_us()));
      line.set_recorded_by(e.record.recorded_by());
      out << ToJson(line) << "\n";
      after = e.record.sequence();
      ++n;
    }
    if (page->size() < kPage) break;
  }
  if (!out) return Fail(kIoError, "writing the export failed");
  return n;
}

int CmdImport(storage::EventLog& log, const std::string& file, const ImportOptions& options,
              std::ostream& out, std::ostream& err) {
  std::ostringstream buf;
  if (file == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Report({kNotFound, "cannot open " + file, {}}, err);
    buf << in.rdbuf();
  }
  uint64_t failed_line = 0;
  auto stats = ImportJsonLines(log, buf.str(), options, &failed_line);
  if (!stats) {
    err << "contrack: line " << failed_line << ": " << stats.error().name() << ": "
        << stats.error().message << "\n";
    return 1;
  }
  out << "imported " << stats->appended << " events (" << stats->replayed
      << " already present) from " << stats->lines << " lines as " << options.as.name << "\n";
  if (stats->times_replaced > 0) {
    out << "recorded_at and recorded_by of " << stats->times_replaced
        << " lines were replaced by this import's; --keep-record-times keeps them\n";
  }
  return 0;
}

int CmdDemo(storage::EventLog& log, std::ostream& out, std::ostream& err) {
  uint64_t failed_line = 0;
  // The demo's record times are part of its story (what was known when): kept, so it loads into
  // an empty store, or into one that holds it already (every line then replays).
  ImportOptions options{Principal::Operator("demo-loader"), true};
  auto stats = ImportJsonLines(log, kDemoJsonl, options, &failed_line);
  if (!stats) {
    err << "contrack: demo data line " << failed_line << ": " << stats.error().name() << ": "
        << stats.error().message << "\n";
    return 1;
  }
  out << "demo data: " << stats->appended << " events appended, " << stats->replayed
      << " already present\n";
  return 0;
}

int CmdExport(const storage::EventLog& log, uint64_t after, std::ostream& out, std::ostream& err) {
  auto n = ExportJsonLines(log, after, out);
  if (!n) return Report(n.error(), err);
  return 0;
}

int CmdShow(const storage::EventLog& log, const std::string& id, std::optional<Date> as_of,
            std::optional<Micros> known_at, bool json, std::ostream& out, std::ostream& err) {
  auto s = log.GetStateAt(id, as_of, known_at);
  if (!s) return Report(s.error(), err);
  const v1::ContractState shown = StateOn(*s, as_of.value_or(Today()));
  out << (json ? ToJson(shown, true) + "\n" : RenderState(shown));
  return 0;
}

int CmdAlerts(const storage::EventLog& log, const storage::AlertsQuery& q, bool json,
              std::ostream& out, std::ostream& err) {
  auto r = log.Alerts(q);
  if (!r) return Report(r.error(), err);
  const auto resp = wire::ToAlertsResponse(q, std::move(*r));
  out << (json ? ToJson(resp, true) + "\n" : RenderAlerts(resp));
  return 0;
}

namespace {
Result<std::vector<v1::ContractState>> ReportStates(const storage::EventLog& log,
                                                    const std::string& authority,
                                                    std::optional<Date> as_of) {
  auto states = log.ListContractsAt("", SIZE_MAX, as_of, std::nullopt);
  if (!states) return states;
  std::erase_if(*states, [&](const v1::ContractState& s) {
    return !authority.empty() && s.authority() != authority;
  });
  for (auto& s : *states) s = StateOn(s, as_of.value_or(Today()));
  return states;
}
}  // namespace

int CmdRegister(const storage::EventLog& log, const std::string& authority,
                std::optional<Date> as_of, std::ostream& out, std::ostream& err) {
  auto states = ReportStates(log, authority, as_of);
  if (!states) return Report(states.error(), err);
  out << views::RegisterCsv(*states);
  return 0;
}

int CmdOcds(const storage::EventLog& log, const std::string& id, bool record,
            const views::OcdsOptions& options, std::ostream& out, std::ostream& err) {
  auto state = log.GetState(id);
  if (!state) return Report(state.error(), err);
  auto events = log.ReadContract(id);
  if (!events) return Report(events.error(), err);
  std::vector<v1::EventRecord> records;
  for (auto& e : *events) records.push_back(std::move(e.record));
  auto package = record ? views::RecordPackage(*state, records, options)
                        : views::ReleasePackage(*state, records, options);
  if (!package) return Report(package.error(), err);
  out << *package;
  return 0;
}

int CmdBackup(const storage::EventLog& log, const std::string& dir, std::ostream& out,
              std::ostream& err) {
  auto head = log.Backup(dir);
  if (!head) return Report(head.error(), err);
  out << "backup " << dir << " holds " << head->sequence << " events, head " << head->sequence
      << ":" << head->hash << "\n";
  return 0;
}

int CmdRestore(const std::string& backup_dir, const std::string& data_dir, std::ostream& out,
               std::ostream& err) {
  auto head = storage::Restore(backup_dir, data_dir);
  if (!head) return Report(head.error(), err);
  out << "restored " << backup_dir << " into " << data_dir << ": verified " << head->sequence
      << " events, head " << head->sequence << ":" << head->hash << "\n";
  return 0;
}

int CmdFunding(const storage::EventLog& log, const std::string& authority,
               std::optional<Date> as_of, bool json, std::ostream& out, std::ostream& err) {
  auto states = ReportStates(log, authority, as_of);
  if (!states) return Report(states.error(), err);
  const auto report = views::FundingReportOf(*states);
  out << (json ? ToJson(report, true) + "\n" : RenderFunding(report));
  return 0;
}

int CmdHistory(const storage::EventLog& log, const std::string& id, bool json, std::ostream& out,
               std::ostream& err) {
  auto s = log.GetState(id);
  if (!s) return Report(s.error(), err);
  auto events = log.ReadContract(id);
  if (!events) return Report(events.error(), err);
  const std::set<std::string> retracted(s->retracted_event_ids().begin(),
                                        s->retracted_event_ids().end());
  v1::HistoryResponse resp;
  resp.set_contract_id(id);
  std::vector<v1::HistoryEntry> entries;
  for (const auto& e : *events) {
    entries.push_back(wire::ToHistoryEntry(e, retracted.contains(e.record.event_id())));
    *resp.add_events() = entries.back();
  }
  out << (json ? ToJson(resp, true) + "\n" : RenderHistory(entries));
  return 0;
}

int CmdList(const storage::EventLog& log, bool json, std::ostream& out, std::ostream& err) {
  auto states = log.ListContracts("", SIZE_MAX);
  if (!states) return Report(states.error(), err);
  v1::ContractList list;
  for (auto& s : *states) {
    s = StateOn(s, Today());
    *list.add_contracts() = s;
  }
  out << (json ? ToJson(list, true) + "\n" : RenderList(*states));
  return 0;
}

int CmdVerify(const storage::EventLog& log, const std::string& digest, bool views, bool json,
              std::ostream& out, std::ostream& err) {
  std::optional<storage::Head> d;
  if (!digest.empty()) {
    auto parsed = storage::ParseDigest(digest);
    if (!parsed) return Report(parsed.error(), err);
    d = *parsed;
  }
  auto r = log.Verify(d, views);
  if (!r) return Report(r.error(), err);
  const auto v = wire::ToVerifyResponse(*r);
  if (json) {
    out << ToJson(v, true) << "\n";
    return v.ok() && (!v.has_digest_ok() || v.digest_ok()) && (!v.has_views_ok() || v.views_ok())
               ? 0
               : 1;
  }
  return RenderVerify(v, out, err);
}

int CmdRebuild(storage::EventLog& log, std::ostream& out, std::ostream& err) {
  auto r = log.Rebuild();
  if (!r) return Report(r.error(), err);
  out << "rebuilt every view from " << log.GetHead().sequence << " events\n";
  return 0;
}

int CmdRecord(storage::EventLog& log, const std::string& id, const v1::AppendRequest& request,
              const Principal& as, bool json, std::ostream& out, std::ostream& err) {
  storage::AppendRequest req;
  req.contract_id = id;
  req.principal = as;
  if (request.has_expected_version()) req.expected_version = request.expected_version();
  for (const auto& e : request.events()) {
    if (!e.recorded_by().empty() || !e.recorded_at().empty() || e.has_expected_version() ||
        (!e.contract_id().empty() && e.contract_id() != id)) {
      return Report({kInvalidArgument,
                     "contract_id, expected_version, recorded_at and recorded_by are not event "
                     "fields here",
                     std::nullopt},
                    err);
    }
    req.events.push_back(e);
  }
  auto r = log.Append(req);
  if (!r) {
    err << "contrack: " << r.error().name() << ": " << r.error().message;
    if (r.error().current_version) err << " (current version " << *r.error().current_version << ")";
    err << "\n";
    return 1;
  }
  if (json) {
    out << ToJson(*r, true) << "\n";
    return 0;
  }
  for (const auto& e : r->events()) {
    out << (r->replayed() ? "already recorded " : "recorded ") << id << " version " << e.version()
        << " sequence " << e.sequence() << " event " << e.event_id() << " hash " << e.hash()
        << "\n";
  }
  return 0;
}

}  // namespace contrack::cli

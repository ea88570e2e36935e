// Offline CLI commands.
#include "tools/cli/offline.h"

#include <openssl/sha.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "domain/codec.h"
#include "domain/england_time.h"
#include "domain/lifecycle.h"
#include "services/api/wire.h"
#include "services/views/reports.h"
#include "tools/cli/csv.h"
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

namespace {

// The demo's principals: demo-loader records the demo's lines; the offline operator (an admin)
// retracts the lines a newer demo corrected.
constexpr char kDemoLoader[] = "demo-loader";
constexpr char kDemoUpgrader[] = "offline-operator";

// The id of the correction that retracts demo event `event_id` of `contract_id`: the first 16 bytes
// of sha256("contrack-demo/<contract_id>/retract/<event_id>") as a version-4 UUID, so a rerun
// after an interrupted upgrade appends the same correction (docs/demo-data.md).
std::string RetractionId(const std::string& contract_id, const std::string& event_id) {
  const std::string seed = "contrack-demo/" + contract_id + "/retract/" + event_id;
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), d);
  d[6] = static_cast<unsigned char>((d[6] & 0x0f) | 0x40);
  d[8] = static_cast<unsigned char>((d[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 0x0f];
  }
  return out;
}

struct DemoLine {
  uint64_t line_no = 0;
  v1::EventBody body;
};

// What the store holds of one contract, for the demo upgrade.
struct StoredContract {
  std::vector<v1::EventRecord> demo;  // recorded by demo-loader, corrections left out
  std::set<std::string> retracted;    // ids some correction retracts
  size_t foreign = 0;                 // events by others that are not corrections
};

Result<std::vector<DemoLine>> ParseDemo(uint64_t* failed_line) {
  std::vector<DemoLine> lines;
  uint64_t line_no = 0;
  size_t pos = 0;
  const std::string_view text = kDemoJsonl;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto body = ParseJson<v1::EventBody>(line, "demo JSON");
    if (!body) {
      *failed_line = line_no;
      return std::unexpected(body.error());
    }
    lines.push_back({line_no, std::move(*body)});
  }
  return lines;
}

// Upgrades a store holding an earlier demo to this one: per contract, retracts (newest first) the
// demo events whose ids the file no longer has, then appends the file's lines not yet stored,
// recorded now (their own record times would go back before the head). A contract holding events
// recorded by others is left as it is: retracting the demo under them is not the demo's to do.
int UpgradeDemo(storage::EventLog& log, const std::vector<DemoLine>& lines,
                std::map<std::string, StoredContract> stored,
                const std::set<std::string>& stored_ids, std::ostream& out, std::ostream& err) {
  std::vector<std::string> order;  // the file's contracts in file order, then the others
  std::map<std::string, std::vector<const DemoLine*>> by_contract;
  for (const auto& l : lines) {
    auto& v = by_contract[l.body.contract_id()];
    if (v.empty()) order.push_back(l.body.contract_id());
    v.push_back(&l);
  }
  for (const auto& [id, c] : stored) {
    if (!by_contract.contains(id) && !c.demo.empty()) order.push_back(id);
  }
  uint64_t appended = 0, present = 0, retracted = 0, kept = 0;
  for (const auto& id : order) {
    const auto& file = by_contract[id];
    const StoredContract& have = stored[id];
    std::set<std::string> file_ids;
    for (const auto* l : file) file_ids.insert(l->body.event_id());
    std::vector<const v1::EventRecord*> obsolete;
    for (const auto& e : have.demo) {
      if (!file_ids.contains(e.event_id()) && !have.retracted.contains(e.event_id())) {
        obsolete.push_back(&e);
      }
    }
    std::vector<const DemoLine*> missing;
    for (const auto* l : file) {
      if (stored_ids.contains(l->body.event_id())) {
        ++present;
      } else {
        missing.push_back(l);
      }
    }
    if (obsolete.empty() && missing.empty()) continue;
    if (have.foreign > 0) {
      err << "contrack: demo data: kept " << id << " as it is: it holds " << have.foreign
          << " events recorded by others, which build on its earlier demo events; retracting "
             "those is not the demo's to do (a new data directory gets the current demo)\n";
      ++kept;
      continue;
    }
    for (auto it = obsolete.rbegin(); it != obsolete.rend(); ++it) {
      const v1::EventRecord& e = **it;
      storage::AppendRequest req;
      req.contract_id = id;
      req.principal = Principal::Operator(kDemoUpgrader);
      v1::EventBody c;
      c.set_event_id(RetractionId(id, e.event_id()));
      c.set_effective_date(e.effective_date());
      c.mutable_correction()->set_corrects_event_id(e.event_id());
      c.mutable_correction()->set_reason(
          file.empty() ? "demo data upgrade: the current demo data no longer records this "
                         "contract (docs/demo-data.md)"
                       : "demo data upgrade: this demo line was corrected to its seed decision; "
                         "the corrected line follows under a new event id (docs/demo-data.md)");
      req.events.push_back(std::move(c));
      auto r = log.Append(req);
      if (!r) {
        err << "contrack: demo data: retracting " << e.type() << " " << e.event_id() << " of " << id
            << ": " << r.error().name() << ": " << r.error().message << "\n";
        return 1;
      }
      if (!r->replayed()) ++retracted;
    }
    for (const auto* l : missing) {
      storage::AppendRequest req;
      req.contract_id = id;
      req.principal = Principal::Operator(kDemoLoader);  // recorded now: see above
      req.events.push_back(l->body);
      auto r = log.Append(req);
      if (!r) {
        err << "contrack: demo data line " << l->line_no << ": " << r.error().name() << ": "
            << r.error().message << "\n";
        return 1;
      }
      (r->replayed() ? present : appended) += r->events_size();
    }
    out << "demo data: " << (file.empty() ? "withdrew " : "upgraded ") << id << ": "
        << obsolete.size() << " superseded events retracted, " << missing.size() << " appended\n";
  }
  out << "demo data: " << appended << " events appended, " << present << " already present";
  if (retracted > 0) out << ", " << retracted << " superseded events retracted";
  out << "\n";
  if (kept > 0) {
    out << "demo data: " << kept << " contracts kept their earlier demo events (see above)\n";
  }
  return 0;
}

}  // namespace

int CmdDemo(storage::EventLog& log, std::ostream& out, std::ostream& err) {
  uint64_t failed_line = 0;
  auto report = [&](const Error& e) {
    err << "contrack: demo data line " << failed_line << ": " << e.name() << ": " << e.message
        << "\n";
    return 1;
  };
  // An empty store: the demo's record times are part of its story (what was known when), kept.
  if (log.GetHead().sequence == 0) {
    ImportOptions options{Principal::Operator(kDemoLoader), true};
    auto stats = ImportJsonLines(log, kDemoJsonl, options, &failed_line);
    if (!stats) return report(stats.error());
    out << "demo data: " << stats->appended << " events appended, " << stats->replayed
        << " already present\n";
    return 0;
  }
  auto lines = ParseDemo(&failed_line);
  if (!lines) return report(lines.error());
  std::map<std::string, StoredContract> stored;
  // Reads the whole log once, keeping only what concerns the demo: the file's ids that are
  // stored, and the contracts of the file or with demo events.
  std::set<std::string> file_ids, file_contracts, stored_ids;
  for (const auto& l : *lines) {
    file_ids.insert(l.body.event_id());
    file_contracts.insert(l.body.contract_id());
  }
  bool any_demo = false;
  for (uint64_t after = 0;;) {
    constexpr size_t kPage = 4096;
    auto page = log.ReadLog(after, kPage);
    if (!page) return Report(page.error(), err);
    for (const auto& e : *page) {
      const auto& r = e.record;
      after = r.sequence();
      if (file_ids.contains(r.event_id())) stored_ids.insert(r.event_id());
      const bool demo = r.recorded_by() == kDemoLoader && !r.body().has_correction();
      if (!demo && !file_contracts.contains(r.contract_id()) && !stored.contains(r.contract_id())) {
        continue;
      }
      auto& c = stored[r.contract_id()];
      if (r.body().has_correction()) {
        c.retracted.insert(r.body().correction().corrects_event_id());
      } else if (demo) {
        c.demo.push_back(r);
        any_demo = true;
      } else {
        ++c.foreign;
      }
    }
    if (page->size() < kPage) break;
  }
  if (!any_demo) {
    // No demo here: the plain import keeping record times, refused (recorded_at_before_head) in
    // a store whose head is later than the demo's times.
    ImportOptions options{Principal::Operator(kDemoLoader), true};
    auto stats = ImportJsonLines(log, kDemoJsonl, options, &failed_line);
    if (!stats) return report(stats.error());
    out << "demo data: " << stats->appended << " events appended, " << stats->replayed
        << " already present\n";
    return 0;
  }
  return UpgradeDemo(log, *lines, std::move(stored), stored_ids, out, err);
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

int CmdAlerts(const storage::EventLog& log, const storage::AlertsQuery& q, Output output,
              std::ostream& out, std::ostream& err) {
  auto r = log.Alerts(q);
  if (!r) return Report(r.error(), err);
  const auto resp = wire::ToAlertsResponse(q, std::move(*r));
  out << RenderAlertsAs(resp, output);
  return 0;
}

namespace {
Result<std::vector<v1::ContractState>> ReportStates(const storage::EventLog& log,
                                                    const std::string& authority,
                                                    std::optional<Date> as_of) {
  auto states = log.ListContractsAt("", SIZE_MAX, as_of, std::nullopt);
  if (!states) return states;
  std::erase_if(*states, [&](const v1::ContractState& s) {
    return !authority.empty() && !domain::TakesPart(s, authority);
  });
  for (auto& s : *states) s = StateOn(s, as_of.value_or(Today()));
  return states;
}
}  // namespace

int CmdRegister(const storage::EventLog& log, const std::string& authority,
                std::optional<Date> as_of, std::ostream& out, std::ostream& err) {
  auto states = ReportStates(log, authority, as_of);
  if (!states) return Report(states.error(), err);
  out << views::RegisterCsv(*states, authority);
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
               std::optional<Date> as_of, Output output, std::ostream& out, std::ostream& err) {
  auto states = ReportStates(log, authority, as_of);
  if (!states) return Report(states.error(), err);
  out << RenderFundingAs(views::FundingReportOf(*states), output);
  return 0;
}

int CmdHistory(const storage::EventLog& log, const std::string& id, Output output,
               std::ostream& out, std::ostream& err) {
  auto s = log.GetState(id);
  if (!s) return Report(s.error(), err);
  auto events = log.ReadContract(id);
  if (!events) return Report(events.error(), err);
  const std::set<std::string> retracted(s->retracted_event_ids().begin(),
                                        s->retracted_event_ids().end());
  v1::HistoryResponse resp;
  resp.set_contract_id(id);
  for (const auto& e : *events) {
    *resp.add_events() = wire::ToHistoryEntry(e, retracted.contains(e.record.event_id()));
  }
  out << RenderHistoryAs(resp, output);
  return 0;
}

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `shown`: the state with its status on the day asked about.
bool Matches(const ListFilter& filter, const v1::ContractState& shown) {
  if (!filter.authority.empty() && !domain::TakesPart(shown, filter.authority)) return false;
  if (!filter.supplier.empty() &&
      Lower(shown.supplier().name()).find(Lower(filter.supplier)) == std::string::npos) {
    return false;
  }
  return filter.status.empty() || shown.status() == filter.status;
}

}  // namespace

int CmdList(const storage::EventLog& log, const ListFilter& filter, std::optional<Date> as_of,
            std::optional<Micros> known_at, bool json, std::ostream& out, std::ostream& err) {
  auto states = log.ListContractsAt("", SIZE_MAX, as_of, known_at);
  if (!states) return Report(states.error(), err);
  const Date day = as_of.value_or(Today());
  v1::ContractList list;
  std::vector<v1::ContractState> shown;
  for (auto& s : *states) {
    s.set_status(domain::StatusOn(s, day));
    if (!Matches(filter, s)) continue;
    *list.add_contracts() = s;
    shown.push_back(std::move(s));
  }
  out << (json ? ToJson(list, true) + "\n" : RenderList(shown));
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
    err << RefusalLine(r.error().name(), r.error().message, r.error().current_version);
    return 1;
  }
  if (json) {
    out << ToJson(*r, true) << "\n";
    return 0;
  }
  out << RenderReceipt(*r);
  auto state = log.GetState(id);
  if (!state) {
    err << "contrack: the event is recorded, but reading the contract back failed: "
        << state.error().name() << ": " << state.error().message << "\n";
    return 0;
  }
  out << RenderState(StateOn(*state, Today()));
  return 0;
}

}  // namespace contrack::cli

// Remote CLI commands over the HTTP API.
#include "tools/cli/remote.h"

#include <fstream>
#include <ostream>
#include <sstream>

#include "domain/codec.h"
#include "domain/format_text.h"
#include "storage/backup_archive.h"
#include "storage/event_log.h"
#include "tools/cli/calendar.h"
#include "tools/cli/render.h"

namespace contrack::cli {
namespace {

// Prints an HTTP failure: the API's error shape when there is one.
int Failed(Remote& r, const http::HttpResponse& resp) {
  if (resp.status == 0) {
    r.err << "contrack: cannot reach the service: " << resp.error << "\n";
    return 1;
  }
  auto e = ParseJson<v1::ErrorResponse>(resp.body, "error");
  if (e && e->has_error()) {
    r.err << "contrack: " << resp.status << " " << e->error().code() << ": "
          << e->error().message();
    if (e->error().has_current_version()) {
      r.err << " (current version " << e->error().current_version() << ")";
    }
    r.err << "\n";
  } else {
    r.err << "contrack: HTTP " << resp.status << ": " << resp.body.substr(0, 200) << "\n";
  }
  return 1;
}

// Prints a refused write as offline mode does (RefusalLine); transport failures as Failed.
int Refused(Remote& r, const http::HttpResponse& resp) {
  if (resp.status == 0) return Failed(r, resp);
  auto e = ParseJson<v1::ErrorResponse>(resp.body, "error");
  if (!e || !e->has_error()) return Failed(r, resp);
  const auto& d = e->error();
  r.err << RefusalLine(d.code(), d.message(),
                       d.has_current_version() ? std::optional(d.current_version()) : std::nullopt);
  return 1;
}

Output OutputOf(const Remote& r) {
  return r.csv ? Output::kCsv : (r.json ? Output::kJson : Output::kTable);
}

template <typename M>
std::optional<M> Get(Remote& r, const std::string& target, int* status) {
  auto resp = r.client.Get(target);
  if (resp.status != 200) {
    *status = Failed(r, resp);
    return std::nullopt;
  }
  auto m = ParseJson<M>(resp.body, "response");
  if (!m) {
    r.err << "contrack: unexpected response: " << m.error().message << "\n";
    *status = 1;
    return std::nullopt;
  }
  return *m;
}

}  // namespace

// "?k=v&k2=v2" from the non-empty pairs.
static std::string Query(std::initializer_list<std::pair<const char*, std::string>> params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (!v.empty()) q += (q.empty() ? "?" : "&") + std::string(k) + "=" + PercentEncode(v);
  }
  return q;
}

int RemoteShow(Remote& r, const std::string& id, const std::string& as_of,
               const std::string& known_at) {
  int status = 0;
  auto s = Get<v1::ContractState>(
      r, "/v1/contracts/" + PercentEncode(id) + Query({{"as_of", as_of}, {"known_at", known_at}}),
      &status);
  if (!s) return status;
  r.out << (r.json ? ToJson(*s, true) + "\n" : RenderState(*s));
  return 0;
}

int RemoteHistory(Remote& r, const std::string& id) {
  v1::HistoryResponse all;
  all.set_contract_id(id);
  uint64_t after = 0;
  for (;;) {
    int status = 0;
    auto page =
        Get<v1::HistoryResponse>(r,
                                 "/v1/contracts/" + PercentEncode(id) +
                                     "/events?limit=1000&after_version=" + std::to_string(after),
                                 &status);
    if (!page) return status;
    for (const auto& e : page->events()) *all.add_events() = e;
    if (page->next_after_version() == 0) break;
    after = page->next_after_version();
  }
  r.out << RenderHistoryAs(all, OutputOf(r));
  return 0;
}

int RemoteList(Remote& r, const ListFilter& filter, const std::string& as_of,
               const std::string& known_at) {
  const std::string query = Query({{"authority", filter.authority},
                                   {"supplier", filter.supplier},
                                   {"status", filter.status},
                                   {"as_of", as_of},
                                   {"known_at", known_at}});
  v1::ContractList all;
  std::string after;
  for (;;) {
    int status = 0;
    auto page = Get<v1::ContractList>(r,
                                      "/v1/contracts" + (query.empty() ? "?" : query + "&") +
                                          "limit=1000&after=" + PercentEncode(after),
                                      &status);
    if (!page) return status;
    for (const auto& c : page->contracts()) *all.add_contracts() = c;
    if (page->next_after().empty()) break;
    after = page->next_after();
  }
  r.out << (r.json ? ToJson(all, true) + "\n"
                   : RenderList({all.contracts().begin(), all.contracts().end()}));
  return 0;
}

int RemoteVerify(Remote& r, const std::string& digest, bool views) {
  int status = 0;
  auto v = Get<v1::VerifyResponse>(
      r, "/v1/verify" + Query({{"digest", digest}, {"views", views ? "true" : ""}}), &status);
  if (!v) return status;
  if (r.json) {
    r.out << ToJson(*v, true) << "\n";
    return v->ok() && (!v->has_digest_ok() || v->digest_ok()) &&
                   (!v->has_views_ok() || v->views_ok())
               ? 0
               : 1;
  }
  return RenderVerify(*v, r.out, r.err);
}

int RemoteAlerts(Remote& r, const std::string& as_of, const std::string& known_at, int within_days,
                 int months, const std::string& authority) {
  int status = 0;
  auto a = Get<v1::AlertsResponse>(
      r,
      "/v1/alerts" + Query({{"as_of", as_of},
                            {"known_at", known_at},
                            {"within_days", std::to_string(within_days)},
                            {"months", months ? std::to_string(months) : ""},
                            {"authority", authority}}),
      &status);
  if (!a) return status;
  r.out << RenderAlertsAs(*a, OutputOf(r));
  return 0;
}

int RemoteRegister(Remote& r, const std::string& authority, const std::string& as_of) {
  auto resp = r.client.Get("/v1/reports/register.csv" +
                           Query({{"authority", authority}, {"as_of", as_of}}));
  if (resp.status != 200) return Failed(r, resp);
  r.out << resp.body;
  return 0;
}

int RemoteCalendar(Remote& r, const std::string& authority, int months,
                   const std::string& out_file) {
  auto resp = r.client.Get("/v1/calendar.ics" +
                           Query({{"authority", authority}, {"months", std::to_string(months)}}));
  if (resp.status != 200) return Failed(r, resp);
  return WriteOutput(resp.body, out_file, r.out, r.err);
}

int RemoteBackup(Remote& r, const std::string& dir) {
  auto x = storage::TarExtractor::Create(dir);
  if (!x) {
    r.err << "contrack: " << x.error().name() << ": " << x.error().message << "\n";
    return 1;
  }
  auto& extractor = **x;
  auto fail = [&](const std::string& why) {
    extractor.Discard();
    r.err << "contrack: backup failed: " << why << "; nothing was kept in " << dir << "\n";
    return 1;
  };
  auto resp = r.client.Download("/v1/admin/backup",
                                [&](std::string_view piece) { return extractor.Write(piece); });
  if (resp.status != 200) {
    extractor.Discard();
    return Failed(r, resp);
  }
  if (!resp.error.empty()) {
    if (resp.error.find("partial message") != std::string::npos) {
      return fail("the backup stream was truncated after " + std::to_string(extractor.bytes()) +
                  " bytes (the connection closed before the end)");
    }
    return fail(resp.error);
  }
  if (auto f = extractor.Finish(); !f) return fail(f.error().message);
  auto expected = storage::ParseDigest(resp.Header("X-Contrack-Head"));
  if (!expected) {
    return fail("the response has no valid X-Contrack-Head header (" + expected.error().message +
                ")");
  }
  // Open the copy and check its chain ends at the head the service says it holds.
  storage::Options o;
  o.path = dir;
  o.read_only = true;
  auto copy = storage::EventLog::Open(o);
  if (!copy) return fail("the downloaded backup cannot be opened: " + copy.error().message);
  auto v = (*copy)->Verify();
  if (!v) return fail("verifying the downloaded backup: " + v.error().message);
  if (!v->ok) return fail("the downloaded backup fails verification: " + v->message);
  if (v->head.sequence != expected->sequence || v->head.hash != expected->hash) {
    return fail("the downloaded backup ends at " + std::to_string(v->head.sequence) + ":" +
                v->head.hash + ", not at the head the service sent, " +
                std::to_string(expected->sequence) + ":" + expected->hash);
  }
  r.out << "backup " << dir << " holds " << v->head.sequence << " events, head " << v->head.sequence
        << ":" << v->head.hash << " (" << extractor.files() << " files, chain verified)\n";
  return 0;
}

int RemoteOcds(Remote& r, const std::string& id, bool record) {
  auto resp = r.client.Get("/v1/ocds/" + PercentEncode(id) + (record ? "?record=true" : ""));
  if (resp.status != 200) return Failed(r, resp);
  r.out << resp.body;
  return 0;
}

int RemoteFunding(Remote& r, const std::string& authority, const std::string& as_of) {
  int status = 0;
  auto f = Get<v1::FundingReport>(
      r, "/v1/reports/funding" + Query({{"authority", authority}, {"as_of", as_of}}), &status);
  if (!f) return status;
  r.out << RenderFundingAs(*f, OutputOf(r));
  return 0;
}

Result<v1::AppendRequest> ReadEventFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(kNotFound, "cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find("\"events\"") != std::string::npos) {
    return ParseJson<v1::AppendRequest>(text.str(), path);
  }
  auto body = ParseJson<v1::EventBody>(text.str(), path);
  if (!body) return std::unexpected(body.error());
  v1::AppendRequest req;
  *req.add_events() = std::move(*body);
  return req;
}

int RemoteRecord(Remote& r, const std::string& id, const v1::AppendRequest& request) {
  auto resp = r.client.Post("/v1/contracts/" + PercentEncode(id) + "/events", ToJson(request),
                            {{"Content-Type", "application/json"}});
  if (resp.status != 201 && resp.status != 200) return Refused(r, resp);
  auto result = ParseJson<v1::AppendResponse>(resp.body, "response");
  if (!result) {
    r.err << "contrack: the service answered " << resp.status
          << " but its answer is not an AppendResponse: " << result.error().message << "\n";
    return 1;
  }
  if (r.json) {
    r.out << ToJson(*result, true) << "\n";
    return 0;
  }
  r.out << RenderReceipt(*result);
  // The event is recorded whatever happens now: a failure to read it back is reported, not
  // turned into a failed exit that invites a duplicate retry.
  auto state = r.client.Get("/v1/contracts/" + PercentEncode(id));
  if (state.status != 200) {
    r.err << "contrack: the event is recorded; reading the contract back failed:\n";
    Failed(r, state);
    return 0;
  }
  auto s = ParseJson<v1::ContractState>(state.body, "state");
  if (!s) {
    r.err << "contrack: the event is recorded; the contract read back is not a state: "
          << s.error().message << "\n";
    return 0;
  }
  r.out << RenderState(*s);
  return 0;
}

int RemoteFollow(Remote& r, uint64_t after, std::optional<uint64_t> max_events) {
  uint64_t seen = 0;
  for (;;) {
    int status = 0;
    auto page = Get<v1::FeedResponse>(
        r, "/v1/feed?limit=1000&wait_ms=25000&after=" + std::to_string(after), &status);
    if (!page) return status;
    std::vector<v1::HistoryEntry> rows;
    for (const auto& e : page->events()) {
      if (max_events && seen == *max_events) break;
      if (r.json) {
        r.out << ToJson(e) << "\n";
      } else {
        rows.push_back(e);
      }
      after = e.sequence();
      ++seen;
    }
    if (!rows.empty()) {
      std::string table = RenderHistory(rows);
      // Print the header once, then only rows.
      if (seen != rows.size()) table = table.substr(table.find('\n') + 1);
      r.out << table;
    }
    r.out.flush();
    if (max_events && seen >= *max_events) return 0;
  }
}

}  // namespace contrack::cli

// The CLI's remote commands: talk to contrackd over HTTP with a bearer token. Each writes its
// output to `out`, errors to `err`, and returns the exit status (0 ok, 1 refused or failed).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "proto/contrack.pb.h"
#include "tools/cli/http_client.h"
#include "tools/cli/options.h"

namespace contrack::cli {

struct Remote {
  http::HttpClient& client;
  std::ostream& out;
  std::ostream& err;
  bool json = false;
  bool csv = false;  // alerts, history, funding: CSV (csv.h) instead of the table
};

// The state now, or as_of (YYYY-MM-DD) / known_at (RFC 3339) when non-empty.
int RemoteShow(Remote& r, const std::string& id, const std::string& as_of,
               const std::string& known_at);
int RemoteHistory(Remote& r, const std::string& id);
// GET /v1/contracts with the filter's parameters and as_of (YYYY-MM-DD) / known_at (RFC 3339)
// when non-empty, every page.
int RemoteList(Remote& r, const ListFilter& filter, const std::string& as_of,
               const std::string& known_at);
int RemoteVerify(Remote& r, const std::string& digest, bool views);
// GET /v1/alerts: as_of and known_at when non-empty, months when not 0.
int RemoteAlerts(Remote& r, const std::string& as_of, const std::string& known_at, int within_days,
                 int months, const std::string& authority);
int RemoteRegister(Remote& r, const std::string& authority, const std::string& as_of);
// Downloads the service's backup stream (GET /v1/admin/backup, admin token) into `dir` (new or
// empty), opens the copy read-only and verifies its chain ends at the head the service sent.
// Removes what it wrote when any of that fails.
int RemoteBackup(Remote& r, const std::string& dir);
int RemoteOcds(Remote& r, const std::string& id, bool record);
int RemoteFunding(Remote& r, const std::string& authority, const std::string& as_of);

// Appends `request` to contract `id` (POST /v1/contracts/{id}/events), then prints what was
// recorded and the contract's state after it (GET /v1/contracts/{id}), or with json the
// AppendResponse. A refusal prints "contrack: refused (CODE): MESSAGE" and returns 1.
int RemoteRecord(Remote& r, const std::string& id, const v1::AppendRequest& request);

// Reads an event body, or a whole append request ({"events":[...]}), from a JSON file.
[[nodiscard]] Result<v1::AppendRequest> ReadEventFile(const std::string& path);

// Prints every event after `after` as it commits (long-poll); stops after `max_events` when set.
int RemoteFollow(Remote& r, uint64_t after, std::optional<uint64_t> max_events);

}  // namespace contrack::cli

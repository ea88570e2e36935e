// The CLI's remote commands: talk to contrackd over HTTP with a bearer token. Each writes its
// output to `out`, errors to `err`, and returns the exit status (0 ok, 1 refused or failed).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "proto/contrack.pb.h"
#include "tools/cli/http_client.h"

namespace contrack::cli {

struct Remote {
  http::HttpClient& client;
  std::ostream& out;
  std::ostream& err;
  bool json = false;
};

int RemoteShow(Remote& r, const std::string& id);
int RemoteHistory(Remote& r, const std::string& id);
int RemoteList(Remote& r);
int RemoteVerify(Remote& r);
int RemoteAlerts(Remote& r, const std::string& as_of, int within_days);

// Appends `events` to contract `id` (POST /v1/contracts/{id}/events).
int RemoteRecord(Remote& r, const std::string& id, const v1::AppendRequest& request);

// Reads an event body, or a whole append request ({"events":[...]}), from a JSON file.
[[nodiscard]] Result<v1::AppendRequest> ReadEventFile(const std::string& path);

// Prints every event after `after` as it commits (long-poll); stops after `max_events` when set.
int RemoteFollow(Remote& r, uint64_t after, std::optional<uint64_t> max_events);

}  // namespace contrack::cli

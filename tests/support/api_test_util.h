// Small helpers for tests that talk to a running contrackd: request bodies, paths, response
// parsing and reading the whole feed. Header-only; every function fails the calling test (gtest
// ADD_FAILURE / EXPECT) rather than throwing.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "domain/codec.h"
#include "proto/contrack.pb.h"
#include "tests/support/http_client.h"

namespace contrack::testing {

// {"expected_version":N?,"events":[...]} from event bodies given as JSON.
inline std::string AppendBody(const std::vector<std::string>& events,
                              std::optional<uint64_t> expected = std::nullopt) {
  std::string out = "{";
  if (expected) out += R"("expected_version":)" + std::to_string(*expected) + ",";
  out += R"("events":[)";
  for (size_t i = 0; i < events.size(); ++i) out += (i ? "," : "") + events[i];
  return out + "]}";
}

inline std::string ContractPath(const std::string& id) { return "/v1/contracts/" + id; }
inline std::string EventsPath(const std::string& id) { return "/v1/contracts/" + id + "/events"; }

// "status N (transport: ...), body: ..." for failure messages.
inline std::string Describe(const HttpResponse& r) {
  std::ostringstream s;
  s << "status " << r.status;
  if (!r.error.empty()) s << " (transport: " << r.error << ")";
  s << ", body: " << r.body.substr(0, 2000);
  return s.str();
}

// Parses a JSON response body as M; nullopt (and a test failure) when it does not parse.
template <typename M>
std::optional<M> ParseBody(const HttpResponse& r) {
  auto m = ParseJson<M>(r.body, "response");
  if (!m) {
    ADD_FAILURE() << m.error().ToString() << "\n" << Describe(r);
    return std::nullopt;
  }
  return std::move(*m);
}

// The error code of an error response ("" and a test failure when it is not one).
inline std::string ErrorCode(const HttpResponse& r) {
  auto e = ParseJson<v1::ErrorResponse>(r.body, "error response");
  if (!e || !e->has_error()) {
    ADD_FAILURE() << "not an error response: " << Describe(r);
    return "";
  }
  return e->error().code();
}

// The whole feed after `after`, paged `limit` at a time, with `client` (an auditor or admin).
// Fails the test when a page is refused or the feed does not advance.
inline std::vector<v1::HistoryEntry> ReadWholeFeed(HttpClient& client, uint64_t after = 0,
                                                   int limit = 1000) {
  std::vector<v1::HistoryEntry> out;
  for (;;) {
    auto r =
        client.Get("/v1/feed?after=" + std::to_string(after) + "&limit=" + std::to_string(limit));
    if (r.status != 200) {
      ADD_FAILURE() << "reading the feed after " << after << ": " << Describe(r);
      break;
    }
    auto f = ParseBody<v1::FeedResponse>(r);
    if (!f || f->events_size() == 0) break;
    const uint64_t last = f->events(f->events_size() - 1).sequence();
    for (auto& e : *f->mutable_events()) out.push_back(std::move(e));
    if (last <= after) {
      ADD_FAILURE() << "the feed did not advance past " << after;
      break;
    }
    after = last;
  }
  return out;
}

}  // namespace contrack::testing

// Fuzz target: raw bytes through Beast's request parser into api::Api::Handle, against a real
// EventLog.
#include "services/api/net.h"
//
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "domain/codec.h"
#include "services/api/api.h"
#include "services/api/auth.h"
#include "services/api/feed_hub.h"
#include "services/api/metrics.h"
#include "services/api/server.h"
#include "storage/event_log.h"
#include "tests/fuzz/targets.h"

namespace contrack::fuzz {
namespace {

namespace net = api::net;
namespace http = api::http;

constexpr int kMaxRequestsPerInput = 8;
constexpr auto kLongPollGrace = std::chrono::milliseconds(50);

[[noreturn]] void Broken(const std::string& what, const api::Request& req, const api::Response& r) {
  std::fprintf(stderr,
               "http_request invariant broken: %s\nrequest: %s %s\nrequest body: %s\n"
               "response: %u %s\n",
               what.c_str(), req.method_text.c_str(), req.target.c_str(),
               req.body.substr(0, 2000).c_str(), r.status, r.body.substr(0, 2000).c_str());
  std::abort();
}

// Everything one process of this target shares: the store, tokens, Api and executors. Never
// destroyed (libFuzzer exits without unwinding).
struct Env {
  Env() {
    const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = std::string(base) + "/contrack-fuzz-http-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    // The store stays open to the end; its directory goes at exit.
    static const std::string* const kCleanup = new std::string(dir);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*kCleanup, ec);
    });
    const std::string tokens_path = dir + "/tokens.json";
    {
      std::ofstream out(tokens_path);
      out << R"({"tokens":[{"token":")" << kFuzzOfficerToken
          << R"(","principal":"officer","role":"officer","authorities":["Leeds City Council"]},)"
          << R"({"token":")" << kFuzzAuditorToken
          << R"(","principal":"auditor","role":"auditor","authorities":["*"]},)"
          << R"({"token":")" << kFuzzAdminToken
          << R"(","principal":"admin","role":"admin","authorities":["*"]}]})";
    }
    ::chmod(tokens_path.c_str(), 0600);
    auto t = api::TokenStore::Load(tokens_path);
    if (!t) {
      std::fprintf(stderr, "tokens: %s\n", t.error().ToString().c_str());
      std::abort();
    }
    tokens = std::move(*t);
    storage::Options o;
    o.path = dir + "/data";
    auto l = storage::EventLog::Open(o);
    if (!l) {
      std::fprintf(stderr, "store: %s\n", l.error().ToString().c_str());
      std::abort();
    }
    log = std::move(*l);
    hub = std::make_unique<api::FeedHub>(log->GetHead().sequence);
    routes = std::make_unique<api::Api>(*log, *tokens, metrics, *hub, writers.get_executor());
    io_thread = std::thread([this] { ioc.run(); });
  }

  std::string dir;
  std::unique_ptr<api::TokenStore> tokens;
  std::unique_ptr<storage::EventLog> log;
  api::Metrics metrics;
  std::unique_ptr<api::FeedHub> hub;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(ioc);
  net::thread_pool writers{2};
  std::unique_ptr<api::Api> routes;
  std::thread io_thread;
};

Env& GetEnv() {
  static Env* env = new Env();  // leaked on purpose: see Env
  return *env;
}

void CheckResponse(const api::Request& req, const api::Response& r, uint64_t head_before,
                   uint64_t head_after) {
  static const unsigned kDocumented[] = {200, 201, 400, 401, 403, 404, 405,
                                         409, 413, 422, 501, 503, 507};
  bool documented = false;
  for (unsigned s : kDocumented) documented = documented || s == r.status;
  if (!documented) Broken("an undocumented status", req, r);
  if (r.status >= 400) {
    if (!r.content_type.starts_with("application/json"))
      Broken("an error that is not JSON", req, r);
    auto e = ParseJson<v1::ErrorResponse>(r.body, "error");
    if (!e || e->error().code().empty() || e->error().message().empty()) {
      Broken("an error response without the one error shape", req, r);
    }
    // A name that is no ErrorCode's is a lifecycle rule's (ErrorCode::kRuleRefused).
    const ErrorCode code = ErrorCodeFromName(e->error().code()).value_or(ErrorCode::kRuleRefused);
    if (api::HttpStatusFor(code) != r.status && r.status != 405 && r.status != 413) {
      Broken("the status is not HttpStatusFor(code)", req, r);
    }
    if (head_after != head_before) Broken("a refused request wrote to the log", req, r);
  } else if (r.status == 201) {
    auto a = ParseJson<v1::AppendResponse>(r.body, "append");
    if (!a || a->replayed() || a->events_size() == 0) Broken("a 201 without events", req, r);
    if (head_after != head_before + static_cast<uint64_t>(a->events_size())) {
      Broken("a 201 did not add exactly its events to the log", req, r);
    }
  } else if (req.method == http::verb::get || r.status == 200) {
    if (head_after != head_before) Broken("a read or a replay wrote to the log", req, r);
  }
}

}  // namespace

void HttpRequest(const uint8_t* data, size_t size) {
  Env& env = GetEnv();
  const api::ServerOptions limits;  // the server's defaults: 1 MiB body, 8 KiB header
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequestsPerInput && !rest.empty(); ++i) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.body_limit);
    parser.header_limit(static_cast<uint32_t>(limits.header_limit));
    parser.eager(true);
    api::beast::error_code ec;
    size_t used = 0;
    for (;;) {
      const size_t n = parser.put(net::buffer(rest.data() + used, rest.size() - used), ec);
      used += n;
      if (parser.is_done()) break;
      if (ec == http::error::need_more) {
        ec = {};
        if (n > 0 && used < rest.size()) continue;
        parser.put_eof(ec);  // nothing more will come: the server would see the peer close
        break;
      }
      if (ec || n == 0) break;
    }
    if (ec || !parser.is_done()) return;  // the server answers 400/413/431 or closes
    rest.remove_prefix(used);

    auto& msg = parser.get();
    // Request hygiene as the session applies it before reading the body: a refused header is
    // answered and the connection closed, so nothing after it is ever read as a request.
    if (auto refused = api::CheckRequestHeader(msg.base())) {
      api::Request req;
      req.method_text = std::string(msg.method_string());
      req.target = std::string(msg.target());
      if (refused->status != 400 && refused->status != 501) {
        Broken("a refused header not answered 400 or 501", req, *refused);
      }
      CheckResponse(req, *refused, env.log->GetHead().sequence, env.log->GetHead().sequence);
      return;
    }
    // An accepted header frames its body unambiguously: a Transfer-Encoding means chunked
    // (RFC 9112 section 6.3), never a body read as empty and left to parse as the next request.
    if (msg.count(http::field::transfer_encoding) > 0 &&
        (!parser.chunked() || msg.count(http::field::content_length) > 0 || msg.version() < 11)) {
      api::Request req;
      req.method_text = std::string(msg.method_string());
      req.target = std::string(msg.target());
      Broken("a Transfer-Encoding that is not chunked alone passed the header check", req,
             api::Response{});
    }
    api::Request req;
    req.method = msg.method();
    req.method_text = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.body = msg.body();
    req.authorization = std::string(msg[http::field::authorization]);
    req.accept = std::string(msg[http::field::accept]);

    if (auto stream = env.routes->MatchStream(req)) {
      if (auto* r = std::get_if<api::Response>(&*stream)) {
        CheckResponse(req, *r, env.log->GetHead().sequence, env.log->GetHead().sequence);
      }
      continue;  // a validated stream would be served by the session
    }
    const uint64_t head_before = env.log->GetHead().sequence;
    auto answered = std::make_shared<std::promise<api::Response>>();
    auto future = answered->get_future();
    env.routes->Handle(req, env.ioc.get_executor(),
                       [answered](api::Response r) { answered->set_value(std::move(r)); });
    if (future.wait_for(kLongPollGrace) != std::future_status::ready) {
      env.hub->WakeAll();  // a long poll: end it as shutdown would
      if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        Broken("no answer within 30 s", req, api::Response{});
      }
    }
    const api::Response r = future.get();
    CheckResponse(req, r, head_before, env.log->GetHead().sequence);
  }
}

}  // namespace contrack::fuzz

// contrackd: the contrack HTTP service. Argument parsing, wiring and signal handling only.
#include "services/api/net.h"
//
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "services/api/access_log.h"
#include "services/api/api.h"
#include "services/api/auth.h"
#include "services/api/server.h"
#include "services/views/calendar.h"
#include "storage/backup_archive.h"
#include "storage/event_log.h"

namespace {

using namespace contrack;

int Fatal(const std::string& what) {
  std::cerr << "contrackd: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"contrackd: the contrack HTTP service"};
  app.set_config("--config", "", "read options from an INI/TOML file (key = value)");
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "data";
  std::string tokens_path;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  unsigned writer_threads = std::max(2u, std::thread::hardware_concurrency());
  size_t body_limit = 1u << 20;
  int64_t header_timeout_ms = 10000, idle_timeout_ms = 30000, shutdown_grace_ms = 10000;
  size_t max_connections = api::ServerOptions{}.max_connections;
  size_t max_streams_per_principal = api::ServerOptions{}.max_streams_per_principal;
  int64_t threshold = domain::Rules{}.key_decision_threshold_pence;
  int64_t call_in_threshold = domain::Rules{}.call_in_threshold_pence;
  std::string authorities_path;
  size_t block_cache_mb = 64;
  size_t write_buffer_mb = storage::Options{}.write_buffer_bytes >> 20;
  size_t state_cache_entries = storage::Options{}.state_cache_entries;
  uint32_t state_every = storage::Options{}.state_every;
  uint64_t wal_prefill_kb = storage::Options{}.wal_prefill_bytes >> 10;
  size_t state_json_cache_entries = api::Api::kDefaultStateJsonCacheEntries;
  std::string log_level = "info", log_format = "text";
  std::string tls_cert, tls_key;
  bool insecure_http = false;
  api::SessionOptions sessions;
  int64_t session_idle_seconds = sessions.idle.count();
  int64_t session_max_seconds = sessions.absolute.count();
  contrack::views::OcdsOptions ocds;
  app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port");
  app.add_option("--data", data_dir, "data directory (created when missing)");
  app.add_option("--tokens", tokens_path, "bearer tokens JSON file (mode 600)")->required();
  app.add_option("--threads", threads, "I/O threads (default: the machine's cores)")
      ->check(CLI::Range(1u, 256u));
  app.add_option(
         "--writer-threads", writer_threads,
         "threads that encode append answers and run backups (appends wait for their synced "
         "write without holding a thread; default: the machine's cores, at least 2)")
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--body-limit", body_limit, "largest request body in bytes (larger: 413)");
  app.add_option("--header-timeout-ms", header_timeout_ms, "time allowed to send a request");
  app.add_option("--idle-timeout-ms", idle_timeout_ms, "keep-alive idle time before closing");
  app.add_option("--shutdown-grace-ms", shutdown_grace_ms, "time to finish in-flight requests");
  app.add_option("--max-connections", max_connections,
                 "connections open at once, streams included; one more is answered 503 and closed")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  app.add_option("--max-streams-per-principal", max_streams_per_principal,
                 "feed streams (text/event-stream) one principal may hold open; one more: 429")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  app.add_option("--key-decision-threshold", threshold, "key decision threshold in pence")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--call-in-threshold", call_in_threshold,
                 "call-in threshold in pence (default 25000000 = £250,000)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--authorities", authorities_path,
                 "authorities file: each authority's key-decision and call-in thresholds "
                 "(docs/rules.md), overriding the defaults; change it, then run `contrack "
                 "rebuild` for stored flags to follow");
  app.add_option("--block-cache-mb", block_cache_mb,
                 "RocksDB block cache size (data, index and filter blocks)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  app.add_option("--write-buffer-mb", write_buffer_mb,
                 "RocksDB memtables of all column families together")
      ->check(CLI::Range(size_t{4}, size_t{1} << 20));
  app.add_option("--state-cache-entries", state_cache_entries,
                 "contract states the write path keeps decoded in memory")
      ->check(CLI::Range(size_t{1}, size_t{1} << 24));
  app.add_option("--state-every", state_every,
                 "store a contract's state every this many versions; readers complete it from "
                 "its newer events (1: at every append)")
      ->check(CLI::Range(uint32_t{1}, uint32_t{1024}));
  int waiver_award_days = storage::Options{}.waiver_award_days;
  app.add_option("--waiver-award-days", waiver_award_days,
                 "days a waiver may stand without an award before it alerts")
      ->check(CLI::Range(0, 3650));
  app.add_option("--state-json-cache-entries", state_json_cache_entries,
                 "contracts whose rendered current state GET /v1/contracts/{id} keeps; 0: none")
      ->check(CLI::Range(size_t{0}, size_t{1} << 24));
  app.add_option("--wal-prefill-kb", wal_prefill_kb,
                 "grow the write-ahead log this much at a time into zeros written ahead, so a "
                 "synced append writes no file metadata; 0: grow it with every append")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 20));
  std::string public_url;
  app.add_option("--public-url", public_url,
                 "the web interface's address as users reach it (http or https, no query or "
                 "fragment), for the calendar's links to contract pages; default: the scheme and "
                 "address contrackd serves");
  app.add_option("--ocid-prefix", ocds.ocid_prefix, "OCDS ocid prefix (register one with OCP)");
  app.add_option("--ocds-publisher", ocds.publisher_name, "OCDS publisher name");
  app.add_option("--tls-cert", tls_cert,
                 "PEM certificate chain: serve HTTPS (TLS 1.2+) with it; SIGHUP reloads it");
  app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert");
  app.add_flag("--insecure-http", insecure_http,
               "allow plain HTTP on an address other than loopback (tokens and session cookies "
               "then cross the network in clear)");
  app.add_option("--session-idle-seconds", session_idle_seconds,
                 "a browser session unused this long ends (default 1800: 30 minutes)")
      ->check(CLI::Range(int64_t{1}, int64_t{7} * 24 * 3600));
  app.add_option("--session-max-seconds", session_max_seconds,
                 "a browser session ends this long after sign-in, however used (default 43200: "
                 "12 hours)")
      ->check(CLI::Range(int64_t{1}, int64_t{30} * 24 * 3600));
  app.add_option("--sessions-per-principal", sessions.per_principal,
                 "browser sessions one principal holds; one more ends its least recently used")
      ->check(CLI::Range(size_t{1}, size_t{1024}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-format", log_format, "text or json (access log lines)")
      ->check(CLI::IsMember({"text", "json"}));
  CLI11_PARSE(app, argc, argv);
  // The store, its backups and anything else this process creates are the service user's only:
  // directories 0700, files 0600.
  ::umask(077);

  spdlog::set_default_logger(spdlog::stderr_color_mt("contrackd"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  // One line per request, buffered (services/api/access_log.h): written every second, when
  // 16 KiB have gathered, and at exit.
  auto access = std::make_shared<spdlog::logger>(
      "access", std::make_shared<api::BufferedFdSink>(STDERR_FILENO));
  spdlog::initialize_logger(access);
  if (log_format == "json") access->set_pattern("%v");
  spdlog::flush_every(std::chrono::seconds(1));

  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Fatal("--listen must be HOST:PORT, not " + listen);
  api::tcp::endpoint endpoint;
  try {
    const auto port = std::stoul(listen.substr(colon + 1));
    if (port > 65535) return Fatal("--listen port " + std::to_string(port) + " is out of range");
    endpoint = api::tcp::endpoint(api::net::ip::make_address(listen.substr(0, colon)),
                                  static_cast<uint16_t>(port));
  } catch (const std::exception& e) {
    return Fatal("--listen " + listen + " is not HOST:PORT: " + e.what());
  }

  // Each connection holds a descriptor: with fewer than the cap (plus the store's), accepts fail
  // with "too many open files" first (the server then backs off and keeps serving).
  if (rlimit nofile{}; ::getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
                       nofile.rlim_cur != RLIM_INFINITY && nofile.rlim_cur < max_connections + 64) {
    spdlog::warn(
        "the open-file limit ({}) is below --max-connections {} plus 64 for the store; raise it "
        "(ulimit -n, LimitNOFILE=) or lower --max-connections",
        nofile.rlim_cur, max_connections);
  }

  // Tokens and session cookies must not cross a network in clear: plain HTTP is for loopback
  // (or a proxy on the same host) unless asked for.
  if (tls_cert.empty() != tls_key.empty()) {
    return Fatal("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither");
  }
  std::shared_ptr<api::TlsContext> tls;
  if (!tls_cert.empty()) {
    if (insecure_http) return Fatal("--insecure-http contradicts --tls-cert: choose one");
    auto loaded = api::TlsContext::Load(tls_cert, tls_key);
    if (!loaded) return Fatal(loaded.error().message);
    tls = std::move(*loaded);
  } else if (!endpoint.address().is_loopback()) {
    if (!insecure_http) {
      return Fatal("refusing to serve plain HTTP on " + listen +
                   ", which is not a loopback address: bearer tokens and session cookies would "
                   "cross the network in clear. Serve HTTPS with --tls-cert FILE --tls-key FILE, "
                   "or accept the risk with --insecure-http (e.g. behind a TLS proxy on a "
                   "private network)");
    }
    spdlog::warn(
        "--insecure-http: serving plain HTTP on {}, not a loopback address; bearer tokens and "
        "session cookies cross the network in clear",
        listen);
  }
  if (!public_url.empty()) {
    auto parsed = views::ParsePublicUrl(public_url, "--public-url");
    if (!parsed) return Fatal(parsed.error().message);
    public_url = *parsed;
  }
  sessions.idle = std::chrono::seconds(session_idle_seconds);
  sessions.absolute = std::chrono::seconds(session_max_seconds);

  auto tokens = api::TokenStore::Load(tokens_path);
  if (!tokens) return Fatal(tokens.error().message);

  storage::Options options;
  options.path = data_dir;
  options.rules.key_decision_threshold_pence = threshold;
  options.rules.call_in_threshold_pence = call_in_threshold;
  if (!authorities_path.empty()) {
    if (auto r = storage::LoadAuthoritiesFile(authorities_path, &options.rules); !r) {
      return Fatal(r.error().message);
    }
  }
  options.block_cache_bytes = block_cache_mb << 20;
  options.write_buffer_bytes = write_buffer_mb << 20;
  options.state_cache_entries = state_cache_entries;
  options.state_every = state_every;
  options.waiver_award_days = waiver_award_days;
  options.wal_prefill_bytes = wal_prefill_kb << 10;
  auto log = storage::EventLog::Open(options);
  if (!log) return Fatal(log.error().ToString());
  // Backups being streamed when an earlier process stopped.
  if (auto n = storage::RemoveBackupLeftovers(data_dir); !n) {
    return Fatal(n.error().ToString());
  } else if (*n > 0) {
    spdlog::info("removed {} unfinished backup checkpoints from {}", *n,
                 storage::BackupStagingDir(data_dir));
  }

  {
    api::net::io_context ioc(static_cast<int>(threads));
    api::net::thread_pool writers(writer_threads);
    api::FeedHub hub((*log)->GetHead().sequence);
    api::Metrics metrics;
    api::Api routes(**log, **tokens, metrics, hub, writers.get_executor());
    routes.set_state_json_cache_entries(state_json_cache_entries);
    routes.set_ocds_options(ocds);
    routes.set_session_options(sessions);
    api::ServerOptions server_options;
    server_options.body_limit = body_limit;
    server_options.header_timeout = std::chrono::milliseconds(header_timeout_ms);
    server_options.idle_timeout = std::chrono::milliseconds(idle_timeout_ms);
    server_options.json_access_log = log_format == "json";
    server_options.max_connections = max_connections;
    server_options.max_streams_per_principal = max_streams_per_principal;
    server_options.tls = tls;
    api::Server server(ioc, routes, server_options);
    auto bound = server.Listen(endpoint);
    if (!bound) return Fatal(bound.error().message);
    if (public_url.empty()) {
      const auto address = bound->address();
      public_url = std::string(tls ? "https" : "http") + "://" +
                   (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
                   std::to_string(bound->port());
      if (address.is_unspecified()) {
        spdlog::warn(
            "the calendar links contract pages under {}, an address no browser reaches; set "
            "--public-url to the address users open",
            public_url);
      }
    }
    routes.set_public_url(public_url);

    api::net::signal_set stop_signals(ioc, SIGINT, SIGTERM);
    stop_signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("signal {}: shutting down", sig);
      server.Shutdown(std::chrono::milliseconds(shutdown_grace_ms));
    });
    api::net::signal_set hup(ioc, SIGHUP);
    std::function<void()> arm_hup = [&] {
      hup.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        auto n = (*tokens)->Reload();
        if (n) {
          spdlog::info("SIGHUP: reloaded {} tokens from {}", *n, tokens_path);
        } else {
          spdlog::error("SIGHUP: kept the previous tokens: {}", n.error().message);
        }
        if (tls) {
          if (auto r = tls->Reload(); r) {
            spdlog::info("SIGHUP: reloaded the TLS certificate {}", tls->cert_file());
          } else {
            spdlog::error("SIGHUP: kept the previous TLS certificate: {}", r.error().message);
          }
        }
        arm_hup();
      });
    };
    arm_hup();

    std::cout << "listening on " << bound->address().to_string() << ":" << bound->port()
              << std::endl;
    spdlog::info(
        "contrackd serving {} (head sequence {}) with {} I/O threads over {}; the web "
        "interface is at {}://{}:{}/",
        data_dir, (*log)->GetHead().sequence, threads, tls ? "HTTPS" : "plain HTTP",
        tls ? "https" : "http", bound->address().to_string(), bound->port());

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    writers.join();  // appends already handed to the store finish before it closes
  }
  log->reset();  // closes RocksDB
  spdlog::info("contrackd stopped cleanly");
  spdlog::shutdown();  // flushes the access log
  return 0;
}

// contrack: the command-line tool. Offline mode (--data DIR) works on a data directory with the
// service stopped; remote mode (--url URL --token T) talks to contrackd. Argument parsing only:
// the commands live in tools/cli/.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "domain/codec.h"
#include "domain/england_time.h"
#include "services/views/calendar.h"
#include "tools/cli/calendar.h"
#include "tools/cli/event_commands.h"
#include "tools/cli/obligations.h"
#include "tools/cli/offline.h"
#include "tools/cli/remote.h"

namespace {

using namespace contrack;

int Usage(const std::string& msg) {
  std::cerr << "contrack: " << msg << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Stores, backups and restores this tool creates are its user's only: directories 0700, files
  // 0600.
  ::umask(077);
  spdlog::set_default_logger(spdlog::stderr_color_mt("contrack"));
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{
      "contrack: contract lifecycle tracker.\n"
      "Offline mode: --data DIR (service stopped). Remote mode: --url URL --token TOKEN."};
  app.require_subcommand(1);
  // Usage errors (an unknown flag, a missing or invalid value) name the flag and exit 2.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "contrack: " + std::string(e.what()) + "\nRun with --help for more information.\n";
  });
  std::string data_dir, url, token;
  int64_t threshold = domain::Rules{}.key_decision_threshold_pence;
  int64_t call_in_threshold = domain::Rules{}.call_in_threshold_pence;
  std::string authorities_path;
  app.add_option("--data", data_dir, "data directory (offline mode)");
  app.add_option("--url", url, "contrackd base URL, e.g. http://127.0.0.1:8080 (remote mode)");
  app.add_option("--token", token, "bearer token (remote mode; default $CONTRACK_TOKEN)");
  std::string as_name = "offline-operator";
  app.add_option("--as", as_name,
                 "offline writes (record, import, extend, ...): the principal recorded as "
                 "recorded_by, an operator with every authority (default offline-operator)");
  app.add_option("--key-decision-threshold", threshold,
                 "offline: key decision threshold in pence (default 25000000 = £250,000)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--call-in-threshold", call_in_threshold,
                 "offline: call-in threshold in pence (default 25000000 = £250,000)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--authorities", authorities_path,
                 "offline: authorities file with each authority's thresholds (docs/rules.md)");
  int waiver_award_days = storage::Options{}.waiver_award_days;
  app.add_option("--waiver-award-days", waiver_award_days,
                 "offline: days a waiver may stand without an award before it alerts (90)")
      ->check(CLI::Range(0, 3650));

  std::string file, id, as_of, known_at, authority, digest;
  bool json = false, csv = false;
  uint64_t after = 0, max_events = 0;
  int within_days = 90;
  std::optional<uint64_t> expected;
  auto json_flag = [&](CLI::App* c) { return c->add_flag("--json", json, "proto JSON output"); };
  auto csv_flag = [&](CLI::App* c, CLI::Option* json_option) {
    c->add_flag("--csv", csv, "CSV (RFC 4180): money in plain pounds, blank when not stated")
        ->excludes(json_option);
  };
  auto expected_flag = [&](CLI::App* c) {
    c->add_option("--expected-version", expected, "refuse unless the contract is at this version");
  };

  auto* import =
      app.add_subcommand("import", "offline: append JSON-lines events from FILE ('-': stdin)");
  import->add_option("FILE", file)->required();
  bool keep_record_times = false;
  import->add_flag("--keep-record-times", keep_record_times,
                   "keep each line's recorded_at and recorded_by (refused where a time is "
                   "earlier than the log head's: a migration into an empty store)");
  auto* show =
      app.add_subcommand("show", "state of a contract: now, or as of a date as known then");
  show->add_option("ID", id)->required();
  show->add_option("--as-of", as_of, "events effective on or before YYYY-MM-DD");
  show->add_option("--known-at", known_at, "events recorded by this RFC 3339 time");
  json_flag(show);
  auto* history = app.add_subcommand("history", "a contract's events with hashes");
  history->add_option("ID", id)->required();
  csv_flag(history, json_flag(history));
  cli::ListFilter list_filter;
  auto* list =
      app.add_subcommand("list", "the contracts, one line each (every one, or those that match)");
  list->add_option("--authority", list_filter.authority,
                   "contracts this authority leads or takes part in");
  list->add_option("--supplier", list_filter.supplier,
                   "contracts whose supplier's name holds this text (any case)");
  list->add_option("--status", list_filter.status,
                   "the status on the day (as of --as-of, or today)")
      ->check(
          CLI::IsMember({"pre_award", "active", "lapsed", "expired", "terminated", "terminating"}));
  list->add_option("--as-of", as_of, "contracts as they stood on YYYY-MM-DD");
  list->add_option("--known-at", known_at, "as recorded by this RFC 3339 time");
  json_flag(list);
  auto* verify = app.add_subcommand("verify", "recompute the hash chain; exit 1 if broken");
  verify->add_option("--digest", digest, "SEQ:HASH taken earlier: check it is still a prefix");
  bool verify_views = false;
  verify->add_flag("--views", verify_views,
                   "also replay every contract and compare it with the views (rebuild repairs)");
  json_flag(verify);
  auto* rebuild =
      app.add_subcommand("rebuild", "offline: drop and recreate every view from the log");
  auto* exp = app.add_subcommand("export", "offline: the log as JSON lines that import accepts");
  exp->add_option("--after", after, "only events after this sequence");
  auto* demo = app.add_subcommand("demo", "offline: load the demo data set (idempotent)");
  auto* alerts = app.add_subcommand("alerts", "contracts needing a decision, by deadline");
  alerts->add_option("--as-of", as_of, "YYYY-MM-DD (default today)");
  alerts->add_option("--within-days", within_days, "window in days (default 90)")
      ->check(CLI::Range(0, 3650));
  alerts->add_option("--authority", authority, "one authority (lead or participant) only");
  alerts->add_option("--known-at", known_at, "as recorded by this RFC 3339 time");
  int months = 0;
  alerts->add_option("--months", months, "one section per calendar month, this many (1-120)")
      ->check(CLI::Range(1, 120));
  csv_flag(alerts, json_flag(alerts));
  auto* reg = app.add_subcommand("register", "the contract register (Transparency Code CSV)");
  reg->add_option("--authority", authority, "one authority only");
  reg->add_option("--as-of", as_of, "contracts as they stood on YYYY-MM-DD");
  auto* funding = app.add_subcommand("funding", "committed funding by funder, authority and year");
  funding->add_option("--authority", authority, "one authority only");
  funding->add_option("--as-of", as_of, "as they stood on YYYY-MM-DD");
  csv_flag(funding, json_flag(funding));
  bool overdue_only = false;
  auto* obligations = app.add_subcommand(
      "obligations", "the notices each contract owes (met, due, overdue, late), by due date");
  obligations->add_option("--authority", authority, "one authority only (lead or participant)");
  obligations->add_flag("--overdue", overdue_only, "only those overdue");
  obligations->add_option("--as-of", as_of, "YYYY-MM-DD: events effective by then (default today)");
  obligations->add_option("--known-at", known_at, "events recorded by this RFC 3339 time");
  csv_flag(obligations, json_flag(obligations));

  int calendar_months = storage::kDefaultCalendarMonths;
  std::string out_file, public_url;
  auto* calendar = app.add_subcommand(
      "calendar", "decisions and notices due, as an iCalendar (.ics) file for a calendar");
  calendar->add_option("--authority", authority, "one authority only (lead or participant)");
  calendar
      ->add_option("--months", calendar_months,
                   "calendar months, this month the first (1-120, default 12)")
      ->check(CLI::Range(1, storage::kMaxCalendarMonths));
  calendar->add_option("--out", out_file, "write the .ics to FILE (replaced whole), not stdout");
  auto* public_url_option = calendar->add_option(
      "--public-url", public_url,
      "offline: the web interface's address the events link to (default http://127.0.0.1:8080)");

  std::string backup_dir;
  auto* backup = app.add_subcommand(
      "backup",
      "write a consistent copy of the store to DIR (remote: download the service's backup "
      "stream into DIR, then verify it)");
  backup
      ->add_option("DIR", backup_dir,
                   "offline: an absolute path that does not exist yet; remote: a new or empty "
                   "directory")
      ->required();
  auto* restore = app.add_subcommand(
      "restore", "copy BACKUP into the --data directory (new or empty), then verify it");
  restore->add_option("BACKUP", backup_dir, "a directory written by backup")->required();
  bool ocds_record = false;
  views::OcdsOptions ocds_options;
  auto* ocds = app.add_subcommand("ocds", "a contract's OCDS 1.1 release package (or record)");
  ocds->add_option("ID", id)->required();
  ocds->add_flag("--record", ocds_record, "the record package with the compiled release");
  ocds->add_option("--ocid-prefix", ocds_options.ocid_prefix, "offline: the ocid prefix");
  auto* record = app.add_subcommand("record", "append the event(s) in a JSON file to a contract");
  record->add_option("ID", id)->required();
  record->add_option("--file", file, "an event body, or {\"events\":[...]}")->required();
  expected_flag(record);
  json_flag(record);

  // award, waive, extend, decline-option, vary, novate, terminate, expire, fund, correct,
  // reassign.
  cli::EventCommands events(app);
  auto* follow = app.add_subcommand("follow", "remote: print events as they commit");
  follow->add_option("--after", after, "start after this sequence");
  follow->add_option("--max-events", max_events, "stop after this many events (0: never)");
  json_flag(follow);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help exits 0
  }
  if (data_dir.empty() == url.empty()) return Usage("give exactly one of --data DIR or --url URL");

  // The append a write command describes, if any.
  std::optional<v1::AppendRequest> append;
  auto event = events.Build();
  if (!event) return Usage(event.error().message);
  if (*event) {
    id = (*event)->contract_id;
    json = (*event)->json;
    append = std::move((*event)->request);
  } else if (*record) {
    auto req = cli::ReadEventFile(file);
    if (!req) {
      std::cerr << "contrack: " << req.error().name() << ": " << req.error().message << "\n";
      return 1;
    }
    append = std::move(*req);
    if (expected) append->set_expected_version(*expected);
  }

  auto& out = std::cout;
  auto& err = std::cerr;
  if (!url.empty()) {
    if (token.empty()) {
      if (const char* env = std::getenv("CONTRACK_TOKEN")) token = env;
    }
    auto client = http::HttpClient::FromUrl(url);
    if (!client) return Usage(client.error().message);
    (*client)->set_token(token);
    cli::Remote r{**client, out, err, json, csv};
    if (*show) return cli::RemoteShow(r, id, as_of, known_at);
    if (*history) return cli::RemoteHistory(r, id);
    if (*list) return cli::RemoteList(r, list_filter, as_of, known_at);
    if (*verify) return cli::RemoteVerify(r, digest, verify_views);
    if (*alerts) return cli::RemoteAlerts(r, as_of, known_at, within_days, months, authority);
    if (*reg) return cli::RemoteRegister(r, authority, as_of);
    if (*funding) return cli::RemoteFunding(r, authority, as_of);
    if (*obligations) {
      return cli::RemoteObligations(r, authority, overdue_only, as_of, known_at,
                                    csv    ? cli::ObligationsFormat::kCsv
                                    : json ? cli::ObligationsFormat::kJson
                                           : cli::ObligationsFormat::kTable);
    }
    if (*calendar) {
      if (public_url_option->count() > 0) {
        return Usage("--public-url is for offline mode; the service links to its own --public-url");
      }
      return cli::RemoteCalendar(r, authority, calendar_months, out_file);
    }
    if (*ocds) return cli::RemoteOcds(r, id, ocds_record);
    if (*backup) return cli::RemoteBackup(r, backup_dir);
    if (append) return cli::RemoteRecord(r, id, *append);
    if (*follow) {
      return cli::RemoteFollow(r, after, max_events ? std::optional(max_events) : std::nullopt);
    }
    return Usage("this command works offline only: use --data DIR with the service stopped");
  }

  if (*follow) return Usage("follow needs the service: use --url URL --token TOKEN");
  std::optional<Date> as_of_date;
  std::optional<Micros> known_at_time;
  if (!as_of.empty()) {
    auto d = ParseDate(as_of, "--as-of");
    if (!d) return Usage(d.error().message);
    as_of_date = *d;
  }
  if (!known_at.empty()) {
    auto t = ParseRfc3339(known_at, "--known-at");
    if (!t) return Usage(t.error().message);
    known_at_time = *t;
  }
  if (*restore) return cli::CmdRestore(backup_dir, data_dir, out, err);
  if (*calendar) {
    auto parsed = views::ParsePublicUrl(
        public_url.empty() ? std::string(cli::kDefaultCalendarPublicUrl) : public_url,
        "--public-url");
    if (!parsed) return Usage(parsed.error().message);
    public_url = *parsed;
  }
  storage::Options options;
  options.path = data_dir;
  options.rules.key_decision_threshold_pence = threshold;
  options.rules.call_in_threshold_pence = call_in_threshold;
  if (!authorities_path.empty()) {
    if (auto r = storage::LoadAuthoritiesFile(authorities_path, &options.rules); !r) {
      return Usage(r.error().message);
    }
  }
  options.waiver_award_days = waiver_award_days;
  auto log = storage::EventLog::Open(options);
  if (!log) {
    err << "contrack: " << log.error().name() << ": " << log.error().message << "\n";
    return 1;
  }
  auto& l = **log;
  const cli::Output output =
      csv ? cli::Output::kCsv : (json ? cli::Output::kJson : cli::Output::kTable);
  const Principal as = Principal::Operator(as_name);
  if (append) return cli::CmdRecord(l, id, *append, as, json, out, err);
  if (*import) return cli::CmdImport(l, file, {as, keep_record_times}, out, err);
  if (*show) return cli::CmdShow(l, id, as_of_date, known_at_time, json, out, err);
  if (*alerts) {
    storage::AlertsQuery q;
    q.today = domain::TodayInEngland();
    q.as_of = as_of_date.value_or(*q.today);
    q.within_days = within_days;
    q.months = months;
    q.authority = authority;
    q.known_at = known_at_time;
    return cli::CmdAlerts(l, q, output, out, err);
  }
  if (*reg) return cli::CmdRegister(l, authority, as_of_date, out, err);
  if (*funding) return cli::CmdFunding(l, authority, as_of_date, output, out, err);
  if (*obligations) {
    storage::ObligationsQuery q{as_of_date.value_or(domain::TodayInEngland()), as_of_date,
                                known_at_time, authority, overdue_only};
    return cli::CmdObligations(l, q,
                               csv    ? cli::ObligationsFormat::kCsv
                               : json ? cli::ObligationsFormat::kJson
                                      : cli::ObligationsFormat::kTable,
                               out, err);
  }
  if (*calendar) {
    storage::DeadlinesQuery q{domain::TodayInEngland(), calendar_months, authority};
    return cli::CmdCalendar(l, q, public_url, out_file, out, err);
  }
  if (*ocds) return cli::CmdOcds(l, id, ocds_record, ocds_options, out, err);
  if (*backup) return cli::CmdBackup(l, backup_dir, out, err);
  if (*history) return cli::CmdHistory(l, id, output, out, err);
  if (*list) return cli::CmdList(l, list_filter, as_of_date, known_at_time, json, out, err);
  if (*verify) return cli::CmdVerify(l, digest, verify_views, json, out, err);
  if (*rebuild) return cli::CmdRebuild(l, out, err);
  if (*exp) return cli::CmdExport(l, after, out, err);
  if (*demo) return cli::CmdDemo(l, out, err);
  return 2;
}

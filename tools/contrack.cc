// contrack: the command-line tool. Offline mode works on a data directory with the service
// stopped; argument parsing only, the commands live in tools/cli/.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/cli/offline.h"

int main(int argc, char** argv) {
  using namespace contrack;
  spdlog::set_default_logger(spdlog::stderr_color_mt("contrack"));
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"contrack: contract lifecycle tracker (offline mode on a data directory)"};
  app.require_subcommand(1);
  std::string data_dir;
  int64_t threshold = lifecycle::Rules{}.key_decision_threshold_pence;
  app.add_option("--data", data_dir, "data directory (a contrack store)")->required();
  app.add_option("--key-decision-threshold", threshold,
                 "key decision threshold in pence (default 25000000 = £250,000)")
      ->check(CLI::NonNegativeNumber);

  std::string file, id;
  bool json = false;
  uint64_t after = 0;
  auto* import = app.add_subcommand("import", "append JSON-lines events from FILE ('-': stdin)");
  import->add_option("FILE", file)->required();
  auto* show = app.add_subcommand("show", "current state of a contract");
  show->add_option("ID", id)->required();
  show->add_flag("--json", json, "proto JSON of the view");
  auto* history = app.add_subcommand("history", "a contract's events with hashes");
  history->add_option("ID", id)->required();
  history->add_flag("--json", json, "proto JSON");
  auto* list = app.add_subcommand("list", "every contract, one line each");
  list->add_flag("--json", json, "proto JSON");
  auto* verify = app.add_subcommand("verify", "recompute the hash chain; exit 1 if broken");
  verify->add_flag("--json", json, "proto JSON");
  auto* rebuild = app.add_subcommand("rebuild", "drop and recreate every view from the log");
  auto* exp = app.add_subcommand("export", "the log as JSON lines that import accepts");
  exp->add_option("--after", after, "only events after this sequence");
  auto* demo = app.add_subcommand("demo", "load the demo data set (idempotent)");

  CLI11_PARSE(app, argc, argv);

  storage::Options options;
  options.path = data_dir;
  options.rules.key_decision_threshold_pence = threshold;
  options.read_only = false;
  auto log = storage::EventLog::Open(options);
  if (!log) {
    std::cerr << "contrack: " << log.error().code << ": " << log.error().message << "\n";
    return 1;
  }
  auto& l = **log;
  auto& out = std::cout;
  auto& err = std::cerr;
  if (*import) return cli::CmdImport(l, file, out, err);
  if (*show) return cli::CmdShow(l, id, json, out, err);
  if (*history) return cli::CmdHistory(l, id, json, out, err);
  if (*list) return cli::CmdList(l, json, out, err);
  if (*verify) return cli::CmdVerify(l, json, out, err);
  if (*rebuild) return cli::CmdRebuild(l, out, err);
  if (*exp) return cli::CmdExport(l, after, out, err);
  if (*demo) return cli::CmdDemo(l, out, err);
  return 2;
}

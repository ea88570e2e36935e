// The CLI's event commands: award, waive, extend, decline-option, vary, novate, terminate,
// expire, fund, correct and reassign, one per event type, with a flag for every field of its
// payload (proto/contrack.proto) and the flags every decision shares (--event-id,
// --effective-date, --decision-reference, ...). Each builds the AppendRequest that
// `record --file` reads, so offline and remote mode write it through the same path.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "domain/error.h"
#include "proto/contrack.pb.h"

namespace CLI {
class App;
}

namespace contrack::cli {

// One event command as parsed: the contract and the append it describes.
struct EventCommand {
  std::string name;  // the subcommand: "award", "extend", ...
  std::string contract_id;
  v1::AppendRequest request;  // one event; expected_version when --expected-version was given
  bool json = false;          // --json: print the append's answer as proto JSON
};

// The event subcommands of one CLI11 app and the values their flags parse into.
// Not safe for concurrent use.
class EventCommands {
 public:
  // Adds the subcommands to `app`. REQUIRES: this object outlives app's parse, which writes into
  // it; `app` outlives this object.
  explicit EventCommands(CLI::App& app);
  ~EventCommands();
  EventCommands(const EventCommands&) = delete;
  EventCommands& operator=(const EventCommands&) = delete;

  // After a successful parse: the chosen event command, nullopt when the app chose another
  // command, or invalid_argument whose message starts with the flag whose value does not parse
  // ("--value: \"1.234\" has more than two decimal places: ...").
  [[nodiscard]] Result<std::optional<EventCommand>> Build() const;

 private:
  struct Flags;
  std::unique_ptr<Flags> flags_;
};

}  // namespace contrack::cli

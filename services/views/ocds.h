// OCDS 1.1 output for one contract: a release per event, release packages and record packages.
//
// Pure functions: no I/O, no clock; safe for concurrent use. The mapping from contrack events to
// OCDS releases is documented in docs/ocds.md.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "domain/error.h"
#include "proto/contrack.pb.h"

namespace contrack::views {

struct OcdsOptions {
  // Every release's ocid is ocid_prefix + "-" + contract_id. Register a prefix with the Open
  // Contracting Partnership before publishing; the default marks the data as unregistered.
  std::string ocid_prefix = "ocds-contrack";
  std::string publisher_name = "contrack";
  // The package's publishedDate (RFC 3339). Empty: the date of the newest release.
  std::string published_date;
  // The package's uri is uri_base + contract_id.
  std::string uri_base = "https://contrack.invalid/ocds/";
  // Indentation of the JSON text; -1 writes one line.
  int indent = 2;
};

// A release package (tests/ocds/release-package-schema.json) holding one release per event of
// the contract, oldest first: release id = event id, date = the event's recorded time.
//
// `state` is the contract's current state (its contract_id names the contract); `events` are all
// of the contract's events, oldest first (versions 1, 2, ...), retracted ones included. The
// releases are rebuilt by replaying `events`, so the flags' key-decision threshold is irrelevant.
// Returns the package as JSON text, or invalid_argument when `events` is empty, holds another
// contract's events or is out of version order, or the stream does not replay.
[[nodiscard]] Result<std::string> ReleasePackage(const v1::ContractState& state,
                                                 std::span<const v1::EventRecord> events,
                                                 const OcdsOptions& options);

// A record package (tests/ocds/record-package-schema.json) with one record: the releases of
// ReleasePackage embedded, and the compiledRelease merged from them by the OCDS merge routine
// (services/views/ocds_merge.h) with the OCDS 1.1.5 merge rules. Same arguments and errors.
[[nodiscard]] Result<std::string> RecordPackage(const v1::ContractState& state,
                                                std::span<const v1::EventRecord> events,
                                                const OcdsOptions& options);

// The OCDS `method` code (open, selective, limited, direct) for a contrack award procedure, or ""
// when none applies ("other", "", unknown).
std::string ProcurementMethod(std::string_view procedure);

}  // namespace contrack::views

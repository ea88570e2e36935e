// The OCDS merge routine (docs/schema/merging.md of OCDS 1.1): compiled and versioned releases.
//
// Pure functions on JSON values, no I/O; safe for concurrent use. Verified against every fixture of
// open-contracting/ocds-merge (docs/ocds.md).
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "domain/error.h"

namespace contrack::views {

// A JSON path made of object keys only (array positions dropped), e.g. {"parties", "roles"}.
using MergePath = std::vector<std::string>;

// The merge rules read from a release schema, plus optional per-path overrides.
struct MergeRules {
  std::set<MergePath> omit;        // omitWhenMerged: never in a compiled or versioned release
  std::set<MergePath> whole_list;  // wholeListMerge: the newest array replaces the old one whole
  // Overrides for arrays of objects (not from the schema): every object is appended instead of
  // merged by `id`, or objects are merged by their position in the array.
  std::set<MergePath> append;
  std::set<MergePath> by_position;

  bool operator==(const MergeRules&) const = default;
};

// Derives the merge rules from a release schema (JSON Schema draft 4; local "#/..." references
// are followed). `omitWhenMerged` supersedes every other rule; `wholeListMerge` applies to
// arrays; arrays of non-objects, and arrays of objects whose items declare no `id`, are merged
// whole. Returns invalid_argument when the schema has no "properties" or a reference cannot be
// resolved.
[[nodiscard]] Result<MergeRules> MergeRulesFromSchema(const nlohmann::json& release_schema);

// The rules of the OCDS 1.1.5 release schema (tests/ocds/release-schema.json), built in so that
// producing records needs no schema file. Lives for the whole program.
const MergeRules& Ocds115MergeRules();

// Merges releases (any order; sorted here by `date`, ties kept in the given order) into the
// compiled release: tag ["compiled"], id = ocid + "-" + newest date, date = newest date; fields
// merged newest-wins, null removes, arrays of objects merged by `id`, other arrays replaced.
// Returns invalid_argument when there are no releases, or a release is not an object, lacks a
// string `ocid` or `date`, or two releases give one field incompatible shapes.
[[nodiscard]] Result<nlohmann::json> CompileReleases(const std::vector<nlohmann::json>& releases,
                                                     const nlohmann::json& release_schema);
[[nodiscard]] Result<nlohmann::json> CompileReleases(const std::vector<nlohmann::json>& releases,
                                                     const MergeRules& rules);
// The same on insertion-ordered JSON (keeps the releases' field order in the output).
[[nodiscard]] Result<nlohmann::ordered_json> CompileReleases(
    const std::vector<nlohmann::ordered_json>& releases, const MergeRules& rules);

// Merges releases into the versioned release: every field's history as a list of
// {releaseID, releaseDate, releaseTag, value}, a new entry only when the value changes. Errors
// as CompileReleases.
[[nodiscard]] Result<nlohmann::json> VersionReleases(const std::vector<nlohmann::json>& releases,
                                                     const MergeRules& rules);

}  // namespace contrack::views

// The OCDS merge routine: releases flattened to (path, value) pairs, merged newest-wins,
// unflattened.
#include "services/views/ocds_merge.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace contrack::views {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;  // schema nesting (guards against recursive references)

Error Invalid(std::string message) { return Error{kInvalidArgument, std::move(message), {}}; }

// ---------------------------------------------------------------------------------------------
// Merge rules from a release schema.

std::vector<std::string> Types(const json& v) {
  std::vector<std::string> out;
  const auto t = v.find("type");
  if (t == v.end()) return out;
  if (t->is_string()) out.push_back(t->get<std::string>());
  if (t->is_array()) {
    for (const auto& x : *t) {
      if (x.is_string()) out.push_back(x.get<std::string>());
    }
  }
  return out;
}

bool Has(const std::vector<std::string>& types, std::string_view t) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

bool IsTrue(const json& v, const char* key) {
  const auto f = v.find(key);
  return f != v.end() && f->is_boolean() && f->get<bool>();
}

bool StringIs(const json& v, const char* key, std::string_view want) {
  const auto f = v.find(key);
  return f != v.end() && f->is_string() && f->get<std::string>() == want;
}

class RuleReader {
 public:
  explicit RuleReader(const json& root) : root_(root) {}

  Result<void> Read(const json& properties, MergePath& path, MergeRules* out, int depth) {
    if (depth > kMaxDepth) {
      return std::unexpected(Invalid("the release schema nests deeper than " +
                                     std::to_string(kMaxDepth) + " levels (a recursive $ref?)"));
    }
    if (!properties.is_object()) return {};
    for (const auto& [key, raw] : properties.items()) {
      auto resolved = Deref(raw);
      if (!resolved) return std::unexpected(resolved.error());
      const json& v = **resolved;
      if (!v.is_object()) continue;
      path.push_back(key);
      const auto types = Types(v);
      Result<void> r;
      if (IsTrue(v, "omitWhenMerged") || StringIs(v, "mergeStrategy", "ocdsOmit")) {
        out->omit.insert(path);
      } else if (Has(types, "array") &&
                 (IsTrue(v, "wholeListMerge") || StringIs(v, "mergeStrategy", "ocdsVersion"))) {
        out->whole_list.insert(path);
      } else if (Has(types, "object") && v.contains("properties")) {
        r = Read(v["properties"], path, out, depth + 1);
      } else if (Has(types, "array") && v.contains("items")) {
        auto items = Deref(v["items"]);
        if (!items) return std::unexpected(items.error());
        const json& it = **items;
        const auto item_types = it.is_object() ? Types(it) : std::vector<std::string>{};
        const bool non_object = std::any_of(item_types.begin(), item_types.end(),
                                            [](const std::string& t) { return t != "object"; });
        if (non_object) {
          out->whole_list.insert(path);
        } else if (Has(item_types, "object") && it.contains("properties")) {
          if (!it["properties"].is_object() || !it["properties"].contains("id")) {
            out->whole_list.insert(path);
          } else {
            r = Read(it["properties"], path, out, depth + 1);
          }
        }
      }
      path.pop_back();
      if (!r) return r;
    }
    return {};
  }

 private:
  // Follows local references ("#/definitions/Award"); a node with "$ref" is replaced whole by its
  // target, as jsonref does.
  Result<const json*> Deref(const json& node) const {
    const json* v = &node;
    for (int hops = 0; v->is_object() && v->contains("$ref"); ++hops) {
      const json& ref = (*v)["$ref"];
      if (!ref.is_string() || hops > kMaxDepth) {
        return std::unexpected(Invalid("the release schema has a bad or cyclic $ref"));
      }
      const std::string r = ref.get<std::string>();
      if (r.empty() || r[0] != '#') {
        return std::unexpected(Invalid("the release schema refers outside itself: " + r));
      }
      try {
        const json::json_pointer pointer(r.substr(1));
        if (!root_.contains(pointer)) {
          return std::unexpected(
              Invalid("the release schema's $ref " + r + " resolves to nothing"));
        }
        v = &root_.at(pointer);
      } catch (const json::exception& e) {
        return std::unexpected(Invalid("the release schema's $ref " + r + ": " + e.what()));
      }
    }
    return v;
  }

  const json& root_;
};

// ---------------------------------------------------------------------------------------------
// Flattening. A key is a list of parts: an object key, or an item of an array of objects named by
// its identity (its `id` value, its position, or a fresh unique name).

template <typename Json>
struct Part {
  bool item = false;
  std::string name;  // object key, or item identity
  Json id;           // an item's own `id` value (null when it has none)
};

template <typename Json>
struct Flat {
  std::vector<Part<Json>> key;
  Json value;
};

template <typename Json>
std::string Encode(const Part<Json>& p) {
  return (p.item ? "i" : "k") + std::to_string(p.name.size()) + ":" + p.name;
}

template <typename Json>
class Flattener {
 public:
  Flattener(const MergeRules& rules, uint64_t* unique) : rules_(rules), unique_(unique) {}

  // Flattens a release, leaving out the top-level keys in `skip`.
  std::vector<Flat<Json>> Run(const Json& release, std::initializer_list<std::string_view> skip) {
    out_.clear();
    for (const auto& [key, value] : release.items()) {
      if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
      path_.push_back(Part<Json>{false, key, Json()});
      rule_path_.push_back(key);
      Handle(value);
      rule_path_.pop_back();
      path_.pop_back();
    }
    return std::move(out_);
  }

 private:
  void Handle(const Json& value) {
    if (rules_.omit.contains(rule_path_)) return;
    const bool container = value.is_object() || value.is_array();
    const bool has_non_object =
        value.is_array() &&
        std::any_of(value.begin(), value.end(), [](const Json& x) { return !x.is_object(); });
    if (!container || rules_.whole_list.contains(rule_path_) || has_non_object) {
      out_.push_back(Flat<Json>{path_, value});
      return;
    }
    if (value.is_object()) {
      for (const auto& [key, child] : value.items()) {
        path_.push_back(Part<Json>{false, key, Json()});
        rule_path_.push_back(key);
        Handle(child);
        rule_path_.pop_back();
        path_.pop_back();
      }
      return;
    }
    for (size_t i = 0; i < value.size(); ++i) {
      path_.push_back(ItemPart(value[i], i));
      Handle(value[i]);
      path_.pop_back();
    }
  }

  // Array items are merged by `id` (identifier merge); items without a usable `id` are always
  // new. Overrides append every item, or merge items by position.
  Part<Json> ItemPart(const Json& item, size_t index) {
    Part<Json> p;
    p.item = true;
    Json id;
    if (const auto f = item.find("id"); f != item.end() && !f->is_null()) id = *f;
    MergePath id_path = rule_path_;
    id_path.push_back("id");
    const bool usable_id =
        (id.is_string() || id.is_number() || id.is_boolean()) && !rules_.omit.contains(id_path);
    p.id = id;
    if (rules_.append.contains(rule_path_)) {
      p.name = "u" + std::to_string((*unique_)++);
    } else if (rules_.by_position.contains(rule_path_)) {
      p.name = "p" + std::to_string(index);
    } else if (usable_id) {
      p.name = "v" + id.dump();
    } else {
      p.id = Json();
      p.name = "u" + std::to_string((*unique_)++);
    }
    return p;
  }

  const MergeRules& rules_;
  uint64_t* unique_;
  std::vector<Part<Json>> path_;
  MergePath rule_path_;
  std::vector<Flat<Json>> out_;
};

// Flattened fields in order of first appearance; setting a field again keeps its position.
template <typename Json>
class Merged {
 public:
  Flat<Json>* Find(const std::vector<Part<Json>>& key) {
    const auto it = index_.find(EncodeKey(key));
    return it == index_.end() ? nullptr : &entries_[it->second];
  }
  Flat<Json>& Set(const std::vector<Part<Json>>& key, Json value) {
    const auto [it, inserted] = index_.try_emplace(EncodeKey(key), entries_.size());
    if (inserted) {
      entries_.push_back(Flat<Json>{key, std::move(value)});
    } else {
      entries_[it->second].value = std::move(value);
    }
    return entries_[it->second];
  }
  const std::vector<Flat<Json>>& entries() const { return entries_; }

 private:
  static std::string EncodeKey(const std::vector<Part<Json>>& key) {
    std::string out;
    for (const auto& p : key) out += Encode(p);
    return out;
  }

  std::vector<Flat<Json>> entries_;
  std::unordered_map<std::string, size_t> index_;
};

template <typename Json>
std::vector<Part<Json>> TopKey(const char* name) {
  return {Part<Json>{false, name, Json()}};
}

std::string ShapeError(const std::string& where) {
  return "releases give incompatible shapes (object, array, value) to one field at " + where;
}

// Rebuilds JSON from merged fields. Array items are created in order of first appearance, with
// their original `id`; null values are left out.
template <typename Json>
Result<Json> Unflatten(const Merged<Json>& merged) {
  Json root = Json::object();
  std::unordered_map<std::string, std::unordered_map<std::string, size_t>> arrays;
  for (const auto& entry : merged.entries()) {
    Json* cur = &root;
    std::string enc;
    std::string where;
    for (size_t i = 0; i < entry.key.size(); ++i) {
      const auto& part = entry.key[i];
      const bool last = i + 1 == entry.key.size();
      if (part.item) {
        if (!cur->is_array()) return std::unexpected(Invalid(ShapeError(where)));
        auto& ids = arrays[enc];
        auto it = ids.find(part.name);
        if (it == ids.end()) {
          Json node = Json::object();
          if (!part.id.is_null()) node["id"] = part.id;
          cur->push_back(std::move(node));
          it = ids.emplace(part.name, cur->size() - 1).first;
        }
        cur = &(*cur)[it->second];
        enc += Encode(part);
        where += "[]";
        continue;
      }
      enc += Encode(part);
      where += (where.empty() ? "" : ".") + part.name;
      if (!cur->is_object()) return std::unexpected(Invalid(ShapeError(where)));
      const auto found = cur->find(part.name);
      if (found != cur->end() && !found->is_null()) {
        cur = &*found;  // an object or array seen before, or an item's `id` already set
        continue;
      }
      if (last) {
        if (!entry.value.is_null()) (*cur)[part.name] = entry.value;
        continue;
      }
      (*cur)[part.name] = entry.key[i + 1].item ? Json::array() : Json::object();
      cur = &(*cur)[part.name];
    }
  }
  return root;
}

// The releases in date order (a stable sort: equal dates keep the given order).
template <typename Json>
Result<std::vector<const Json*>> SortByDate(const std::vector<Json>& releases, bool need_ocid) {
  if (releases.empty()) return std::unexpected(Invalid("no releases to merge"));
  std::vector<const Json*> out;
  for (size_t i = 0; i < releases.size(); ++i) {
    const Json& r = releases[i];
    const std::string which = "release " + std::to_string(i);
    if (!r.is_object()) return std::unexpected(Invalid(which + " is not a JSON object"));
    const auto date = r.find("date");
    if (date == r.end() || !date->is_string()) {
      return std::unexpected(Invalid(which + " has no string `date`"));
    }
    const auto ocid = r.find("ocid");
    if (need_ocid && (ocid == r.end() || !ocid->is_string())) {
      return std::unexpected(Invalid(which + " has no string `ocid`"));
    }
    out.push_back(&r);
  }
  std::stable_sort(out.begin(), out.end(), [](const Json* a, const Json* b) {
    return (*a)["date"].template get_ref<const std::string&>() <
           (*b)["date"].template get_ref<const std::string&>();
  });
  return out;
}

template <typename Json>
Result<Json> Compile(const std::vector<Json>& releases, const MergeRules& rules) {
  auto sorted = SortByDate(releases, /*need_ocid=*/true);
  if (!sorted) return std::unexpected(sorted.error());
  Merged<Json> merged;
  merged.Set(TopKey<Json>("tag"), Json::array({"compiled"}));
  uint64_t unique = 0;
  Flattener<Json> flattener(rules, &unique);
  for (const Json* r : *sorted) {
    const std::string& ocid = (*r)["ocid"].template get_ref<const std::string&>();
    const std::string& date = (*r)["date"].template get_ref<const std::string&>();
    auto flat = flattener.Run(*r, {"tag"});
    merged.Set(TopKey<Json>("id"), Json(ocid + "-" + date));
    merged.Set(TopKey<Json>("date"), Json(date));
    merged.Set(TopKey<Json>("ocid"), Json(ocid));
    for (auto& f : flat) merged.Set(f.key, std::move(f.value));
  }
  return Unflatten(merged);
}

template <typename Json>
Result<Json> Version(const std::vector<Json>& releases, const MergeRules& rules) {
  auto sorted = SortByDate(releases, /*need_ocid=*/false);
  if (!sorted) return std::unexpected(sorted.error());
  Merged<Json> merged;
  uint64_t unique = 0;
  Flattener<Json> flattener(rules, &unique);
  for (const Json* r : *sorted) {
    if (const auto ocid = r->find("ocid"); ocid != r->end())
      merged.Set(TopKey<Json>("ocid"), *ocid);
    const Json release_id = r->contains("id") ? (*r)["id"] : Json();
    const Json tag = r->contains("tag") ? (*r)["tag"] : Json();
    const Json date = (*r)["date"];
    for (auto& f : flattener.Run(*r, {"ocid", "tag"})) {
      Flat<Json>* seen = merged.Find(f.key);
      if (seen != nullptr && seen->value.back()["value"] == f.value) continue;
      if (seen == nullptr) seen = &merged.Set(f.key, Json::array());
      Json version = Json::object();
      version["releaseID"] = release_id;
      version["releaseDate"] = date;
      version["releaseTag"] = tag;
      version["value"] = std::move(f.value);
      seen->value.push_back(std::move(version));
    }
  }
  return Unflatten(merged);
}

// Runs `f`, turning a JSON library exception (e.g. a string that is not UTF-8) into an error.
template <typename F>
auto Guard(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(Invalid(std::string("cannot merge releases: ") + e.what()));
  }
}

MergeRules BuiltInRules() {
  MergeRules r;
  r.omit = {{"id"}, {"date"}, {"tag"}};
  r.whole_list = {
      {"parties", "additionalIdentifiers"},
      {"parties", "roles"},
      {"buyer", "additionalIdentifiers"},
      {"tender", "procuringEntity", "additionalIdentifiers"},
      {"tender", "items", "additionalClassifications"},
      {"tender", "additionalProcurementCategories"},
      {"tender", "submissionMethod"},
      {"tender", "tenderers", "additionalIdentifiers"},
      {"tender", "amendments", "changes"},
      {"tender", "amendment", "changes"},
      {"awards", "suppliers", "additionalIdentifiers"},
      {"awards", "items", "additionalClassifications"},
      {"awards", "amendments", "changes"},
      {"awards", "amendment", "changes"},
      {"contracts", "items", "additionalClassifications"},
      {"contracts", "implementation", "transactions", "payer", "additionalIdentifiers"},
      {"contracts", "implementation", "transactions", "payee", "additionalIdentifiers"},
      {"contracts", "relatedProcesses", "relationship"},
      {"contracts", "amendments", "changes"},
      {"contracts", "amendment", "changes"},
      {"relatedProcesses", "relationship"},
  };
  return r;
}

}  // namespace

Result<MergeRules> MergeRulesFromSchema(const json& release_schema) {
  return Guard([&]() -> Result<MergeRules> {
    if (!release_schema.is_object() || !release_schema.contains("properties")) {
      return std::unexpected(Invalid("the release schema has no top-level \"properties\""));
    }
    MergeRules rules;
    MergePath path;
    RuleReader reader(release_schema);
    if (auto r = reader.Read(release_schema["properties"], path, &rules, 0); !r) {
      return std::unexpected(r.error());
    }
    return rules;
  });
}

const MergeRules& Ocds115MergeRules() {
  static const MergeRules* const kRules = new MergeRules(BuiltInRules());
  return *kRules;
}

Result<json> CompileReleases(const std::vector<json>& releases, const json& release_schema) {
  auto rules = MergeRulesFromSchema(release_schema);
  if (!rules) return std::unexpected(rules.error());
  return CompileReleases(releases, *rules);
}

Result<json> CompileReleases(const std::vector<json>& releases, const MergeRules& rules) {
  return Guard([&] { return Compile(releases, rules); });
}

Result<nlohmann::ordered_json> CompileReleases(const std::vector<nlohmann::ordered_json>& releases,
                                               const MergeRules& rules) {
  return Guard([&] { return Compile(releases, rules); });
}

Result<json> VersionReleases(const std::vector<json>& releases, const MergeRules& rules) {
  return Guard([&] { return Version(releases, rules); });
}

}  // namespace contrack::views

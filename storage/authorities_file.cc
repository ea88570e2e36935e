// The authorities file: per-authority thresholds read at start (contrackd) or per run (contrack).
#include <fstream>
#include <sstream>

#include "storage/options.h"

namespace contrack::storage {

Result<void> LoadAuthoritiesFile(const std::string& path, domain::Rules* rules) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(kIoError, "cannot read the authorities file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Fail(kIoError, "cannot read the authorities file " + path);
  auto r = domain::LoadAuthorities(text.str(), rules);
  if (!r) return Fail(kInvalidArgument, path + ": " + r.error().message);
  return {};
}

}  // namespace contrack::storage

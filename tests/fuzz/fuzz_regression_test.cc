// Runs every seed (tests/fuzz/corpus/<target>/) and every saved crashing input
// (tests/fuzz/regressions/<target>/) through the fuzz targets, in the normal and the sanitizer
// suites. A target aborts on a broken invariant; the file it was reading is printed first.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/fuzz/targets.h"
#include "tests/support/test_support.h"

namespace contrack {
namespace {

using Target = void (*)(const uint8_t*, size_t);

// Every file under tests/fuzz/<kind>/<target>/, sorted.
std::vector<std::filesystem::path> Inputs(const std::string& kind, const std::string& target) {
  std::vector<std::filesystem::path> out;
  const auto dir = std::filesystem::path(CONTRACK_SOURCE_DIR) / "tests/fuzz" / kind / target;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t RunAll(const std::string& target, Target fn) {
  size_t n = 0;
  for (const std::string kind : {"corpus", "regressions"}) {
    for (const auto& path : Inputs(kind, target)) {
      std::fprintf(stderr, "[fuzz-regression] %s\n", path.c_str());
      const std::string bytes = testing::ReadFile(path);
      fn(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++n;
    }
  }
  return n;
}

TEST(FuzzRegressionTest, EventJsonSeedsAndCrashes) {
  EXPECT_GT(RunAll("event_json", fuzz::EventJson), 0u);
}

TEST(FuzzRegressionTest, LifecycleSeedsAndCrashes) {
  EXPECT_GT(RunAll("lifecycle", fuzz::Lifecycle), 0u);
}

TEST(FuzzRegressionTest, HttpRequestSeedsAndCrashes) {
  EXPECT_GT(RunAll("http_request", fuzz::HttpRequest), 0u);
}

}  // namespace
}  // namespace contrack

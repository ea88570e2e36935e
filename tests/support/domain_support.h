// Test helpers that need no storage: temporary directories, event builders, files. The pure
// layers' tests (lifecycle_test) link only these.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "proto/contrack.pb.h"

namespace contrack::testing {

// A fresh directory under the build tree (on real disk, not tmpfs), removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Parses an EventBody from JSON; fails the test on a parse error.
v1::EventBody Body(const std::string& json);

// A normalised record as the storage layer would build it, for pure lifecycle tests.
v1::EventRecord Record(const std::string& contract_id, uint64_t version, const std::string& json);

std::string ReadFile(const std::filesystem::path& p);
void WriteFile(const std::filesystem::path& p, const std::string& text);

// The Leeds CRI interim contract (seed 001 paras 5.1, 6.2.1): waiver, then an award from
// 2015-04-01 to 2016-03-31 with two 6-month options, £728,678.
inline constexpr const char kCriWaiver[] =
    R"({"event_id":"11111111-1111-4111-8111-000000000001","decision":{"reference":"LCC-DDN-2015-02-23","maker":"Director of Environment & Housing","date":"2015-02-23","key_decision":true,"call_in_eligible":true},"waiver":{"authority":"Leeds City Council","rules":["CPR 9.1","CPR 9.2"],"justification":"continuity pending the DIP/IOM review","approved_by":"Director of Environment & Housing"}})";
inline constexpr const char kCriAward[] =
    R"({"event_id":"11111111-1111-4111-8111-000000000002","decision":{"reference":"LCC-DDN-2015-02-23","maker":"Director of Environment & Housing","date":"2015-02-23"},"award":{"authority":"Leeds City Council","title":"DIP/IOM interim contract","supplier":{"name":"CRI"},"procedure":"interim","start_date":"2015-04-01","end_date":"2016-03-31","value_pence":72867800,"annual_value_pence":72867800,"extension_options":[{"months":6},{"months":6}],"waiver_event_id":"11111111-1111-4111-8111-000000000001"}})";

}  // namespace contrack::testing

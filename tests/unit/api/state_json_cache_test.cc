// The rendered-state cache of GET /v1/contracts/{id}: kept by contract, version and status, and
// bounded by entry count (oldest contract first).
#include "services/api/state_json_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace contrack::api {
namespace {

TEST(StateJsonCacheTest, ABodyIsFoundOnlyForTheSameVersionAndStatus) {
  StateJsonCache cache(8);
  EXPECT_FALSE(cache.Find("LCC-1", 3, "active"));
  cache.Insert("LCC-1", 3, "active", R"({"version":"3"})");
  auto hit = cache.Find("LCC-1", 3, "active");
  ASSERT_TRUE(hit);
  EXPECT_EQ(*hit, R"({"version":"3"})");
  EXPECT_FALSE(cache.Find("LCC-1", 4, "active"));  // a newer version is rendered afresh
  EXPECT_FALSE(cache.Find("LCC-1", 3, "lapsed"));  // so is another day's status
  EXPECT_FALSE(cache.Find("LCC-2", 3, "active"));

  // A contract's new version replaces its old one.
  cache.Insert("LCC-1", 4, "active", R"({"version":"4"})");
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.Find("LCC-1", 3, "active"));
  EXPECT_EQ(*cache.Find("LCC-1", 4, "active"), R"({"version":"4"})");
}

TEST(StateJsonCacheTest, TheOldestContractGoesWhenTheBoundIsReached) {
  StateJsonCache cache(2);
  cache.Insert("A", 1, "active", "a");
  cache.Insert("B", 1, "active", "b");
  cache.Insert("A", 2, "active", "a2");  // an update: A stays the oldest
  cache.Insert("C", 1, "active", "c");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.Find("A", 2, "active"));
  EXPECT_TRUE(cache.Find("B", 1, "active"));
  EXPECT_TRUE(cache.Find("C", 1, "active"));
}

TEST(StateJsonCacheTest, ZeroEntriesKeepsNothing) {
  StateJsonCache cache(0);
  cache.Insert("A", 1, "active", "a");
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.Find("A", 1, "active"));
}

}  // namespace
}  // namespace contrack::api

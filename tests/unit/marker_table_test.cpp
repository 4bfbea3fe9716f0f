// SPDX-License-Identifier: MIT
// The read markers' flat table against std::map as the reference: inserts through many growths,
// colliding keys (same user, same conversation, negative group conversations), and iteration.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "store/sqlite/marker_table.hpp"

namespace parley::store::sqlite {
namespace {

TEST(MarkerTable, AgreesWithAMapThroughManyGrowths) {
  MarkerTable table;
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> ref;
  std::mt19937_64 rng(7);
  EXPECT_EQ(table.get(1, 1), 0);  // empty: no slots yet
  for (int i = 0; i < 200000; ++i) {
    std::int64_t user = 1 + std::int64_t(rng() % 3000);
    std::int64_t conv = std::int64_t(rng() % 400) - 200;  // peers and groups (< 0)
    if (conv == 0) conv = 1;
    std::int64_t upto = std::int64_t(rng() % 1000000);
    auto& m = table.at(user, conv);
    auto& r = ref[{user, conv}];
    if (upto > m) m = upto;
    if (upto > r) r = upto;
  }
  ASSERT_EQ(table.size(), ref.size());
  for (const auto& [k, v] : ref) ASSERT_EQ(table.get(k.first, k.second), v);
  EXPECT_EQ(table.get(3001, 5), 0);
  EXPECT_EQ(table.get(1, 0), 0);
  std::size_t seen = 0;
  table.for_each([&](std::int64_t user, std::int64_t conv, std::int64_t upto) {
    ++seen;
    EXPECT_EQ(ref.at({user, conv}), upto);
  });
  EXPECT_EQ(seen, ref.size());
  table.clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.get(ref.begin()->first.first, ref.begin()->first.second), 0);
}

TEST(MarkerTable, ASecondLookupOfTheSameKeyFindsTheSameSlot) {
  MarkerTable table;
  table.at(5, -9) = 42;
  table.at(9, -5) = 7;  // the same numbers the other way round
  EXPECT_EQ(table.get(5, -9), 42);
  EXPECT_EQ(table.get(9, -5), 7);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.at(5, -9), 42);  // found, not inserted again
  EXPECT_EQ(table.size(), 2u);
}

}  // namespace
}  // namespace parley::store::sqlite

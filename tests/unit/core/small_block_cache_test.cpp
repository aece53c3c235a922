// A thread's freed small blocks are kept and handed out again (core/small_block_cache.hpp).
#include "core/small_block_cache.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace canopy::core {
namespace {

// An open cache that gives back what it keeps when the test ends (LeakSanitizer
// would name any block left behind).
struct OpenCache : SmallBlockCache {
  explicit OpenCache(std::size_t budget = default_budget) : SmallBlockCache(budget) { open(); }
  ~OpenCache() { close(); }
};

TEST(SmallBlockCache, TheBlockFreedLastIsHandedOutFirst) {
  OpenCache cache;
  void* first = cache.allocate(100);
  void* second = cache.allocate(100);
  cache.deallocate(first);
  cache.deallocate(second);
  EXPECT_EQ(cache.allocate(100), second);
  EXPECT_EQ(cache.allocate(100), first);
  cache.deallocate(first);
  cache.deallocate(second);
}

TEST(SmallBlockCache, SizesOfOneClassShareBlocksAndOthersDoNot) {
  OpenCache cache;
  void* block = cache.allocate(100);  // 100 bytes and the header: a 128-byte block
  cache.deallocate(block);
  void* larger = cache.allocate(120);  // 136: the next class
  EXPECT_NE(larger, block);
  void* same_class = cache.allocate(112);
  EXPECT_EQ(same_class, block);
  cache.deallocate(larger);
  cache.deallocate(same_class);
}

TEST(SmallBlockCache, EveryBlockIsAlignedAndHoldsWhatWasAskedFor) {
  OpenCache cache;
  std::vector<void*> blocks;
  for (std::size_t size = 0; size <= 9000; size += 7) {
    void* block = cache.allocate(size);
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % 16, 0u) << size << " bytes";
    std::memset(block, 0xab, size);  // AddressSanitizer checks the bounds
    blocks.push_back(block);
  }
  for (void* block : blocks) cache.deallocate(block);
  for (void* block : blocks) cache.deallocate(cache.allocate(reinterpret_cast<std::uintptr_t>(block) % 1000));
}

TEST(SmallBlockCache, ZeroBytesGiveDistinctBlocks) {
  OpenCache cache;
  void* one = cache.allocate(0);
  void* other = cache.allocate(0);
  EXPECT_NE(one, nullptr);
  EXPECT_NE(one, other);
  cache.deallocate(one);
  cache.deallocate(other);
  cache.deallocate(nullptr);
  EXPECT_EQ(cache.kept_bytes(), 32u);
}

TEST(SmallBlockCache, BlocksLargerThanTheLargestClassGoBackToMalloc) {
  OpenCache cache;
  cache.deallocate(cache.allocate(SmallBlockCache::largest_cached - 16));
  EXPECT_EQ(cache.kept_bytes(), SmallBlockCache::largest_cached);
  cache.deallocate(cache.allocate(SmallBlockCache::largest_cached - 15));
  EXPECT_EQ(cache.kept_bytes(), SmallBlockCache::largest_cached);
}

TEST(SmallBlockCache, TheBudgetBoundsWhatIsKept) {
  OpenCache cache(1024);
  std::vector<void*> blocks;
  for (int i = 0; i < 10; ++i) blocks.push_back(cache.allocate(240));  // 256-byte blocks
  for (void* block : blocks) cache.deallocate(block);
  EXPECT_EQ(cache.kept_bytes(), 1024u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(cache.allocate(240), blocks[3 - i]) << i;  // the first four freed
  EXPECT_EQ(cache.kept_bytes(), 0u);
  for (int i = 0; i < 4; ++i) cache.deallocate(blocks[i]);
}

TEST(SmallBlockCache, ACacheKeepsNothingBeforeItIsOpenedNorAfterItIsClosed) {
  SmallBlockCache cache;
  cache.deallocate(cache.allocate(64));
  EXPECT_EQ(cache.kept_bytes(), 0u);
  EXPECT_FALSE(cache.opened());
  cache.open();
  cache.deallocate(cache.allocate(64));
  cache.deallocate(cache.allocate(500));
  EXPECT_EQ(cache.kept_bytes(), 80u + 528u);  // 64 and 500 bytes with the header, rounded up to 16
  cache.close();
  EXPECT_EQ(cache.kept_bytes(), 0u);
  cache.deallocate(cache.allocate(64));
  cache.open();  // a closed cache stays closed
  cache.deallocate(cache.allocate(64));
  EXPECT_EQ(cache.kept_bytes(), 0u);
}

TEST(SmallBlockCache, ABlockFreedOnAnotherThreadIsKeptThere) {
  OpenCache here;
  void* block = here.allocate(300);
  std::memset(block, 1, 300);
  std::thread([block] {
    OpenCache there;
    there.deallocate(block);
    EXPECT_EQ(there.kept_bytes(), 320u);
    EXPECT_EQ(there.allocate(290), block);
    there.deallocate(block);
  }).join();
  EXPECT_EQ(here.kept_bytes(), 0u);
}

}  // namespace
}  // namespace canopy::core

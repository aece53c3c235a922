// The executables' operator new and delete go through the thread's
// SmallBlockCache (core/operator_new.hpp); this test binary links them as
// `canopy` and `canopy-upstream` do.
#include "core/operator_new.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

namespace canopy::core {
namespace {

TEST(OperatorNew, ADeletedObjectsBlockIsKeptAndTheNextNewOfItsSizeTakesIt) {
  auto* first = new std::string(200, 'x');  // the string's buffer and the string: two blocks
  const std::size_t before = this_thread_block_cache().kept_bytes();
  const void* string_at = first;
  delete first;
  EXPECT_GT(this_thread_block_cache().kept_bytes(), before);
  auto* second = new std::string();
  EXPECT_EQ(static_cast<const void*>(second), string_at);
  delete second;
}

TEST(OperatorNew, EachThreadKeepsWhatItFreesInItsOwnCache) {
  const std::size_t kept_here = this_thread_block_cache().kept_bytes();
  std::thread([] {
    auto numbers = std::make_unique<int[]>(1000);
    numbers.reset();
    EXPECT_TRUE(this_thread_block_cache().opened());
    EXPECT_GE(this_thread_block_cache().kept_bytes(), 4000u);
  }).join();  // and closes it as it ends: its blocks go back to malloc
  EXPECT_EQ(this_thread_block_cache().kept_bytes(), kept_here);
}

TEST(OperatorNew, NothrowAndArrayFormsShareTheCache) {
  int* array = new int[10];
  delete[] array;
  int* again = new (std::nothrow) int[10];
  EXPECT_EQ(again, array);
  delete[] again;
}

}  // namespace
}  // namespace canopy::core

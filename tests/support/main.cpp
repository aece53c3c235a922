// The test main: a listener fails any test that leaves a task alive or orphaned.
#include <gtest/gtest.h>

#include "core/task_tree.hpp"

namespace {

class TaskTreeMustBeEmpty : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo&) override {
    orphaned_before_ = canopy::core::TaskTree::this_thread().stats().orphaned_total;
  }

  void OnTestEnd(const ::testing::TestInfo& info) override {
    const auto stats = canopy::core::TaskTree::this_thread().stats();
    EXPECT_EQ(stats.live_tasks, 0u) << info.name() << " left tasks running";
    EXPECT_EQ(stats.live_nurseries, 0u) << info.name() << " left nurseries open";
    EXPECT_EQ(stats.orphaned_total, orphaned_before_) << info.name() << " orphaned tasks";
  }

  std::uint64_t orphaned_before_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new TaskTreeMustBeEmpty);
  return RUN_ALL_TESTS();
}

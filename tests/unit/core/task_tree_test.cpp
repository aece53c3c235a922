#include "core/task_tree.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>

#include "core/bounded_channel.hpp"
#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using test::settle;

std::vector<std::string> names(const std::vector<TaskInfo>& snapshot) {
  std::vector<std::string> out;
  for (const auto& info : snapshot) out.push_back(std::string(info.depth * 2, ' ') + info.name);
  return out;
}

TEST(TaskTree, SnapshotShowsEachNurseryWithItsTasksWhileTheyRun) {
  asio::io_context io;
  auto& tree = TaskTree::this_thread();
  std::vector<std::string> during;
  test::run(io, open_nursery([&](Nursery& request) -> Awaitable<void> {
    request.start_soon("watch_disconnect", test::sleep_for(1h));
    request.start_soon("handler", [&]() -> Awaitable<void> {
      co_await open_nursery([&](Nursery& fan_out) -> Awaitable<void> {
        fan_out.start_soon("upstream users", test::sleep_for(1h));
        fan_out.start_soon("upstream orders", test::sleep_for(1h));
        co_await settle();
        during = names(tree.snapshot());
        request.cancel_scope().cancel(CancelReason::client_disconnect);
      }, {.name = "fan-out", .parent = &request});
    });
    co_return;
  }, {.name = "GET /api/dashboard"}));
  EXPECT_EQ(during, (std::vector<std::string>{
                        "GET /api/dashboard",  // its body has returned already
                        "  watch_disconnect",
                        "  handler",
                        "  fan-out",
                        "    body",
                        "    upstream users",
                        "    upstream orders",
                    }));
  EXPECT_TRUE(tree.snapshot().empty());
}

TEST(TaskTree, SnapshotMarksANurseryWhoseScopeIsWindingDownWithItsReason) {
  asio::io_context io;
  auto& tree = TaskTree::this_thread();
  std::vector<TaskInfo> before, after;
  test::run(io, open_nursery([&](Nursery& request) -> Awaitable<void> {
    request.start_soon("shielded", [&]() -> Awaitable<void> {
      co_await open_nursery([&](Nursery&) -> Awaitable<void> { co_await test::sleep_for(20ms); },
                            {.name = "write", .shield = Shield::always()});
    });
    co_await settle();
    before = tree.snapshot();
    request.cancel_scope().cancel(CancelReason::client_disconnect);
    after = tree.snapshot();
  }, {.name = "request"}));
  ASSERT_FALSE(before.empty());
  EXPECT_FALSE(before[0].cancelled);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after[0].name, "request");
  EXPECT_EQ(after[0].cancelled, CancelReason::client_disconnect);
}

TEST(TaskTree, ANameLongerThanItsInlineCapacityIsCut) {
  asio::io_context io;
  auto& tree = TaskTree::this_thread();
  const std::string long_name(TaskName::capacity + 10, 'x');
  std::vector<std::string> during;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon(long_name, test::sleep_for(1h));
    co_await settle();
    during = names(tree.snapshot());
    n.cancel_scope().cancel();
  }, {.name = "short"}));
  EXPECT_EQ(during, (std::vector<std::string>{"short", "  body", "  " + std::string(TaskName::capacity, 'x')}));
}

TEST(TaskTree, CountsStartedAndFinishedTasks) {
  asio::io_context io;
  auto& tree = TaskTree::this_thread();
  const auto before = tree.stats();
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    for (int i = 0; i < 10; ++i) n.start_soon("t", test::sleep_for(10s));
    co_await settle();
    EXPECT_EQ(tree.stats().live_tasks, before.live_tasks + 11);  // ten and the body
    n.cancel_scope().cancel();
  }));
  const auto after = tree.stats();
  EXPECT_EQ(after.started_total - before.started_total, 11u);
  EXPECT_EQ(after.finished_total - before.finished_total, 11u);
  EXPECT_EQ(after.live_tasks, 0u);
}

TEST(TaskTree, CountsEachCancellationOnceByTheReasonItStartedWith) {
  asio::io_context io;
  auto& tree = TaskTree::this_thread();
  const auto before = tree.stats().cancellations_total;
  test::run(io, open_nursery([&](Nursery& outer) -> Awaitable<void> {
    outer.start_soon("inner", [&]() -> Awaitable<void> {
      co_await open_nursery([](Nursery&) -> Awaitable<void> { co_await test::sleep_for(1h); });
    });
    co_await settle();
    outer.cancel_scope().cancel(CancelReason::shutdown);
  }));
  const auto after = tree.stats().cancellations_total;
  for (auto reason : all_cancel_reasons) {
    const auto i = static_cast<std::size_t>(reason);
    EXPECT_EQ(after[i] - before[i], reason == CancelReason::shutdown ? 1u : 0u) << to_string(reason);
  }
}

// The orphan counter exists to prove a negative; this shows that it can count.
// A private tree, so that the suite's own stays clean.
TEST(TaskTree, CountsAnOrphanWhenAParentEndsBeforeItsChild) {
  TaskTree tree;
  auto parent = std::make_unique<detail::TreeNode>(tree, nullptr, "request", TaskKind::nursery);
  auto child = std::make_unique<detail::TreeNode>(tree, parent.get(), "upstream", TaskKind::task);
  parent.reset();
  EXPECT_EQ(tree.stats().orphaned_total, 1u);
  ASSERT_EQ(tree.snapshot().size(), 1u);
  EXPECT_EQ(tree.snapshot()[0].parent_id, 0u);  // listed as a root, so /debug/tasks still shows it
  child.reset();
  EXPECT_EQ(tree.stats().live_tasks, 0u);
}

}  // namespace
}  // namespace canopy::core

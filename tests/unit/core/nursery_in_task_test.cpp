// A nursery whose body runs in place, in the task that opens it (open_nursery_in_task).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

#include "core/cancelled.hpp"
#include "core/nursery.hpp"
#include "core/task_tree.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::sleep_for;

// Runs `work` to its end, failing the test instead of hanging it if it has
// not ended within a few seconds (a cancellation that never arrives).
ScopeResult run_within_seconds(asio::io_context& io, Awaitable<ScopeResult> work) {
  std::optional<ScopeResult> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, ScopeResult r) {
    error = e;
    result = r;
  });
  io.run_for(5s);
  EXPECT_TRUE(result.has_value()) << "did not end within 5 s";
  if (error) std::rethrow_exception(error);
  return result.value_or(ScopeResult{});
}

// Runs fn(self) as a task of a nursery (fn outlives it: the caller keeps it).
template <typename Fn>
ScopeResult run_in_a_task(asio::io_context& io, Fn& fn, ScopeOptions options = {.name = "tasks"}) {
  const auto orphans_before = TaskTree::this_thread().stats().orphaned_total;
  const auto result = run_within_seconds(io, open_nursery(
                                                 [&fn](Nursery& tasks) -> Awaitable<void> {
                                                   tasks.start_soon("task", [&fn](ThisTask self) { return fn(self); });
                                                   co_return;
                                                 },
                                                 options));
  EXPECT_EQ(TaskTree::this_thread().stats().orphaned_total, orphans_before);
  return result;
}

// Awaits `op`, noting whether it ended by cancellation.
Awaitable<void> noting_cancellation(bool& cancelled, Awaitable<void> op) {
  try {
    co_await std::move(op);
  } catch (const boost::system::system_error& e) {
    cancelled = e.code() == asio::error::operation_aborted;
    throw;
  }
}

TEST(NurseryInTask, ItsDeadlineCancelsWhatTheBodyAwaitsAndTheTaskAwaitsNormallyAfter) {
  asio::io_context io;
  bool body_cancelled = false, awaited_after = false;
  std::optional<ScopeResult> result;
  auto task = [&](ThisTask self) -> Awaitable<void> {
    result = co_await open_nursery_in_task(
        self, [&](Nursery&) { return noting_cancellation(body_cancelled, sleep_for(1h)); },
        {.name = "request", .deadline = Clock::now() + 5ms});
    co_await sleep_for(1ms);  // the task's own await: not cancelled
    awaited_after = true;
  };
  run_in_a_task(io, task);
  EXPECT_TRUE(body_cancelled);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, ScopeOutcome::cancelled);
  EXPECT_EQ(result->reason, CancelReason::deadline);
  EXPECT_TRUE(awaited_after);
}

TEST(NurseryInTask, ABodyThatCancelsItsScopeEndsItsChildrenAndIsWaitedFor) {
  asio::io_context io;
  bool child_cancelled = false, child_ended_before_return = false;
  auto task = [&](ThisTask self) -> Awaitable<void> {
    const auto result = co_await open_nursery_in_task(
        self,
        [&](Nursery& n) -> Awaitable<void> {
          n.start_soon("child", [&]() { return noting_cancellation(child_cancelled, sleep_for(1h)); });
          co_await sleep_for(1ms);  // the child runs
          n.cancel_scope().cancel();  // as the gateway ends a request
        },
        {.name = "request"});
    child_ended_before_return = child_cancelled;
    EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  };
  run_in_a_task(io, task);
  EXPECT_TRUE(child_ended_before_return);
}

TEST(NurseryInTask, ABodyThatFailsCancelsTheChildrenAndItsErrorComesOut) {
  asio::io_context io;
  bool child_cancelled = false;
  std::optional<std::string> error;
  auto task = [&](ThisTask self) -> Awaitable<void> {
    try {
      co_await open_nursery_in_task(
          self,
          [&](Nursery& n) -> Awaitable<void> {
            n.start_soon("child", [&]() { return noting_cancellation(child_cancelled, sleep_for(1h)); });
            co_await sleep_for(1ms);
            throw std::runtime_error("backend said no");
          },
          {.name = "request"});
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
  };
  run_in_a_task(io, task);
  EXPECT_EQ(error, "backend said no");
  EXPECT_TRUE(child_cancelled);
}

TEST(NurseryInTask, ATaskCancelledFromOutsideEndsItWithCancelledAndStaysCancelled) {
  asio::io_context io;
  bool body_cancelled = false, child_cancelled = false, later_await_refused = false;
  std::optional<CancelReason> seen;
  auto task = [&](ThisTask self) -> Awaitable<void> {
    try {
      co_await open_nursery_in_task(
          self,
          [&](Nursery& n) -> Awaitable<void> {
            n.start_soon("child", [&]() { return noting_cancellation(child_cancelled, sleep_for(1h)); });
            co_await noting_cancellation(body_cancelled, sleep_for(1h));
          },
          {.name = "request"});
    } catch (const Cancelled& c) {
      seen = c.reason();
    }
    try {
      co_await sleep_for(1ms);
    } catch (const boost::system::system_error&) {
      later_await_refused = true;
    }
  };
  const auto result = run_in_a_task(io, task, {.name = "worker", .deadline = Clock::now() + 5ms});
  EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  EXPECT_TRUE(body_cancelled);
  EXPECT_TRUE(child_cancelled);
  EXPECT_EQ(seen, CancelReason::deadline);
  EXPECT_TRUE(later_await_refused);
}

TEST(NurseryInTask, ANurseryNestedInTheBodyIsCancelledWithTheScopesReason) {
  asio::io_context io;
  std::optional<CancelReason> inner_saw;
  auto task = [&](ThisTask self) -> Awaitable<void> {
    co_await open_nursery_in_task(
        self,
        [&](Nursery&) -> Awaitable<void> {
          try {
            co_await open_nursery([](Nursery& inner) -> Awaitable<void> {
              inner.start_soon("sleeper", []() { return sleep_for(1h); });
              co_return;
            });
          } catch (const Cancelled& c) {
            inner_saw = c.reason();
            throw;
          }
        },
        {.name = "request", .deadline = Clock::now() + 5ms});
  };
  run_in_a_task(io, task);
  EXPECT_EQ(inner_saw, CancelReason::deadline);
}

TEST(NurseryInTask, NestedInPlaceTheOuterCancelReachesTheInnerAndItsChildrenWithItsReason) {
  asio::io_context io;
  bool child_cancelled = false, outer_await_refused = false;
  std::optional<CancelReason> inner_saw;
  std::optional<ScopeResult> outer;
  auto task = [&](ThisTask self) -> Awaitable<void> {
    outer = co_await open_nursery_in_task(
        self,
        [&](Nursery&) -> Awaitable<void> {
          try {
            co_await open_nursery_in_task(
                self,
                [&](Nursery& inner) -> Awaitable<void> {
                  inner.start_soon("child", [&]() { return noting_cancellation(child_cancelled, sleep_for(1h)); });
                  co_await sleep_for(1h);
                },
                {.name = "inner"});
          } catch (const Cancelled& c) {
            inner_saw = c.reason();
          }
          try {
            co_await sleep_for(1ms);  // the outer body is still cancelled
          } catch (const boost::system::system_error&) {
            outer_await_refused = true;
          }
        },
        {.name = "outer", .deadline = Clock::now() + 5ms});
  };
  run_in_a_task(io, task);
  EXPECT_TRUE(child_cancelled);
  EXPECT_EQ(inner_saw, CancelReason::deadline);
  EXPECT_TRUE(outer_await_refused);
  ASSERT_TRUE(outer);
  EXPECT_EQ(outer->reason, CancelReason::deadline);
}

TEST(NurseryInTask, NestedInPlaceTheInnerCancelLeavesTheOuterRunning) {
  asio::io_context io;
  bool outer_awaited = false;
  std::optional<ScopeResult> inner;
  auto task = [&](ThisTask self) -> Awaitable<void> {
    co_await open_nursery_in_task(
        self,
        [&](Nursery&) -> Awaitable<void> {
          inner = co_await open_nursery_in_task(
              self, [](Nursery&) { return sleep_for(1h); }, {.name = "inner", .deadline = Clock::now() + 5ms});
          co_await sleep_for(1ms);
          outer_awaited = true;
        },
        {.name = "outer"});
  };
  run_in_a_task(io, task);
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->outcome, ScopeOutcome::cancelled);
  EXPECT_TRUE(outer_awaited);
}

TEST(NurseryInTask, ADeadlineAlreadyPastSkipsTheBody) {
  asio::io_context io;
  bool body_ran = false;
  std::optional<ScopeResult> result;
  auto task = [&](ThisTask self) -> Awaitable<void> {
    result = co_await open_nursery_in_task(
        self,
        [&](Nursery&) -> Awaitable<void> {
          body_ran = true;
          co_return;
        },
        {.name = "request", .deadline = Clock::now() - 1s});
  };
  run_in_a_task(io, task);
  EXPECT_FALSE(body_ran);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->reason, CancelReason::deadline);
}

}  // namespace
}  // namespace canopy::core

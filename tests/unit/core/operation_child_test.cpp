// Nursery::start_operation: a child that is one Asio operation, with a task's
// guarantees (joined, cancelled with the scope, errors fail the nursery).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Starts a wait on `timer` as an operation child of `n`; its completion counts
// itself and keeps the error code it saw.
void start_wait(Nursery& n, SteadyTimer& timer, int& completions, std::optional<boost::system::error_code>& seen) {
  n.start_operation(
      "wait", [&timer](auto handler) { timer.async_wait(std::move(handler)); },
      [&](boost::system::error_code ec) {
        ++completions;
        seen = ec;
      });
}

TEST(OperationChild, TheNurseryWaitsForItAndItsCompletionRunsOnce) {
  asio::io_context io;
  SteadyTimer timer(io.get_executor(), 20ms);
  int completions = 0;
  std::optional<boost::system::error_code> seen;
  std::size_t live_while_pending = 0;
  const auto started = Clock::now();
  auto result = test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    start_wait(n, timer, completions, seen);
    live_while_pending = n.stats().live_tasks;  // the body and the operation
    co_return;
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::completed);
  EXPECT_EQ(live_while_pending, 2u);
  EXPECT_EQ(completions, 1);
  EXPECT_EQ(seen, boost::system::error_code());
  EXPECT_GE(Clock::now() - started, 20ms) << "the nursery ended before its operation";
}

// Its completion resumes the nursery's waiter itself: a proxied request's
// nursery ends with the disconnect watcher's completion, and a posted wake
// cost each request another turn of the event loop.
TEST(OperationChild, EndingLastItResumesTheNurserysWaiterInItsOwnCompletion) {
  asio::io_context io;
  SteadyTimer timer(io.get_executor(), 10ms);
  int completions = 0;
  std::optional<boost::system::error_code> seen;
  int completions_when_the_waiter_ran = -1;
  asio::co_spawn(
      io,
      [&]() -> Awaitable<void> {
        co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
          start_wait(n, timer, completions, seen);
          co_return;  // the body ends first: the operation is the last child
        });
        completions_when_the_waiter_ran = completions;
      },
      asio::detached);
  while (completions == 0 && io.run_one() > 0) {}  // up to and including the operation's completion
  EXPECT_EQ(completions_when_the_waiter_ran, 1) << "the waiter was left for a later turn of the loop";
  io.run();
  EXPECT_EQ(completions_when_the_waiter_ran, 1);
}

// The timers below would end on their own after 3 s: a missed cancellation
// fails the test instead of hanging it.
TEST(OperationChild, CancellingTheScopeCancelsItAndItsCompletionSeesAborted) {
  asio::io_context io;
  SteadyTimer timer(io.get_executor(), 3s);
  int completions = 0;
  std::optional<boost::system::error_code> seen;
  auto result = test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    start_wait(n, timer, completions, seen);
    co_await asio::post(use_awaitable);
    n.cancel_scope().cancel();
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  EXPECT_EQ(completions, 1);
  EXPECT_EQ(seen, asio::error::operation_aborted);
}

TEST(OperationChild, OneStartedInACancelledScopeIsCancelledAtOnce) {
  asio::io_context io;
  SteadyTimer timer(io.get_executor(), 3s);
  int completions = 0;
  std::optional<boost::system::error_code> seen;
  const auto started = Clock::now();
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.cancel_scope().cancel();
    start_wait(n, timer, completions, seen);
    co_return;
  }));
  EXPECT_EQ(completions, 1);
  EXPECT_EQ(seen, asio::error::operation_aborted);
  EXPECT_LT(Clock::now() - started, 1s);
}

TEST(OperationChild, WhatItsCompletionThrowsFailsTheNurseryAndCancelsItsSiblings) {
  asio::io_context io;
  SteadyTimer timer(io.get_executor(), 1ms);
  bool sibling_cancelled = false;
  auto body = [&](Nursery& n) -> Awaitable<void> {
    n.start_soon("sibling", [&]() -> Awaitable<void> {
      try {
        co_await test::sleep_for(1h);
      } catch (...) {
        sibling_cancelled = true;
        throw;
      }
    });
    n.start_operation(
        "failing", [&timer](auto handler) { timer.async_wait(std::move(handler)); },
        [](boost::system::error_code) { throw std::runtime_error("completion failed"); });
    co_return;
  };
  EXPECT_THROW(test::run(io, open_nursery(body)), std::runtime_error);
  EXPECT_TRUE(sibling_cancelled);
}

}  // namespace
}  // namespace canopy::core

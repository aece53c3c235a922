#include "core/cancel_scope.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "core/cancelled.hpp"
#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::sleep_for;

TEST(CancelScope, IsLevelTriggeredEveryLaterAwaitFailsAtOnce) {
  asio::io_context io;
  int aborted_awaits = 0;
  const auto started = Clock::now();
  auto result = test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.cancel_scope().cancel();
    for (int i = 0; i < 3; ++i) {
      try {
        co_await sleep_for(1h);
      } catch (const boost::system::system_error& e) {
        if (e.code() == asio::error::operation_aborted) ++aborted_awaits;
      }
    }
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  EXPECT_EQ(aborted_awaits, 3);
  EXPECT_LT(Clock::now() - started, 1s);
}

TEST(CancelScope, CancelsTheOperationInFlight) {
  asio::io_context io;
  bool aborted = false;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("canceller", [&]() -> Awaitable<void> {
      co_await asio::post(use_awaitable);
      n.cancel_scope().cancel();
    });
    try {
      co_await sleep_for(1h);
    } catch (const boost::system::system_error& e) {
      aborted = e.code() == asio::error::operation_aborted;
      throw;
    }
  }));
  EXPECT_TRUE(aborted);
}

TEST(CancelScope, TheFirstReasonSticks) {
  asio::io_context io;
  auto result = test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.cancel_scope().cancel(CancelReason::client_disconnect);
    n.cancel_scope().cancel(CancelReason::deadline);
    EXPECT_TRUE(n.cancel_scope().cancel_called());
    co_return;
  }));
  EXPECT_EQ(result.reason, CancelReason::client_disconnect);
}

TEST(CancelScope, DeadlineCancelsWithReasonDeadline) {
  asio::io_context io;
  auto result = test::run(io, open_nursery([&](Nursery&) -> Awaitable<void> { co_await sleep_for(1h); },
                                           {.name = "slow", .deadline = Clock::now() + 5ms}));
  EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  EXPECT_EQ(result.reason, CancelReason::deadline);
}

TEST(CancelScope, DeadlineCanBeMovedWhileTheScopeRuns) {
  asio::io_context io;
  bool finished = false;
  auto result = test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.cancel_scope().set_deadline_after(5ms);
    n.cancel_scope().set_deadline_after(1h);  // later: the 5 ms deadline no longer applies
    co_await sleep_for(20ms);
    finished = true;
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::completed);
  EXPECT_TRUE(finished);
}

TEST(CancelScope, ANestedScopeCancelledByItselfLeavesTheOuterRunning) {
  asio::io_context io;
  bool outer_went_on = false;
  auto result = test::run(io, open_nursery([&](Nursery&) -> Awaitable<void> {
    auto inner = co_await open_nursery([](Nursery& n) -> Awaitable<void> {
      n.cancel_scope().cancel(CancelReason::hedge_lost);
      co_await sleep_for(1h);
    });
    EXPECT_EQ(inner.outcome, ScopeOutcome::cancelled);
    co_await asio::post(use_awaitable);
    outer_went_on = true;
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::completed);
  EXPECT_TRUE(outer_went_on);
}

}  // namespace
}  // namespace canopy::core

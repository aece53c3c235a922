// The deadlines of a context's scopes share one timer (core/deadline_queue.hpp).
#include "core/deadline_queue.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <vector>

#include "core/cancelled.hpp"
#include "core/deadline.hpp"
#include "core/nursery.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::sleep_for;

// Runs `work` to its end, or for at most `limit`: a deadline that never fires
// fails the test instead of hanging it, and so does a timer that holds run().
::testing::AssertionResult ends_within(asio::io_context& io, Awaitable<void> work, Clock::duration limit) {
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) {
    error = e;
    done = true;
  });
  io.run_for(limit);
  if (!done) return ::testing::AssertionFailure() << "the work did not end in time";
  if (!io.stopped()) return ::testing::AssertionFailure() << "the work ended, but something still holds run()";
  if (error) return ::testing::AssertionFailure() << "the work threw";
  return ::testing::AssertionSuccess();
}

TEST(DeadlineQueue, RunReturnsOnceTheLastScopeWithADeadlineHasEnded) {
  asio::io_context io;
  std::optional<DeadlineOutcome> outcome;
  auto short_work = [&]() -> Awaitable<void> { outcome = co_await move_on_after(1h, sleep_for(1ms)); };
  // The shared timer stays armed for the hour: it must not hold run() once no scope is queued.
  EXPECT_TRUE(ends_within(io, short_work(), 2s));
  EXPECT_EQ(outcome, DeadlineOutcome::met);
  EXPECT_EQ(asio::use_service<DeadlineQueue>(io).size(), 0u);
}

TEST(DeadlineQueue, AScopeDueBeforeTheArmedTimeIsCancelledAtItsOwnDeadline) {
  asio::io_context io;
  std::optional<DeadlineOutcome> late, early;
  Clock::time_point early_deadline, early_ended;
  auto both = [&]() -> Awaitable<void> {
    co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
      n.start_soon("late", [&]() -> Awaitable<void> { late = co_await move_on_after(1h, sleep_for(1h)); });
      co_await sleep_for(1ms);  // the hour is armed first
      early_deadline = Clock::now() + 20ms;
      early = co_await move_on_at(early_deadline, sleep_for(1h));
      early_ended = Clock::now();
      n.cancel_scope().cancel();
    });
  };
  EXPECT_TRUE(ends_within(io, both(), 5s));
  EXPECT_EQ(early, DeadlineOutcome::expired);
  EXPECT_GE(early_ended, early_deadline);
  EXPECT_LT(early_ended - early_deadline, 1s);
  EXPECT_FALSE(late.has_value());  // cancelled by the nursery, not by its hour
}

TEST(DeadlineQueue, ATimerArmedForAScopeThatEndedWaitsAgainForTheNext) {
  asio::io_context io;
  Clock::time_point second_deadline, second_ended;
  std::optional<DeadlineOutcome> first, second;
  auto in_turn = [&]() -> Awaitable<void> {
    first = co_await move_on_after(30ms, sleep_for(1ms));  // leaves the timer armed for +30 ms
    second_deadline = Clock::now() + 80ms;
    second = co_await move_on_at(second_deadline, sleep_for(1h));
    second_ended = Clock::now();
  };
  EXPECT_TRUE(ends_within(io, in_turn(), 5s));
  EXPECT_EQ(first, DeadlineOutcome::met);
  EXPECT_EQ(second, DeadlineOutcome::expired);
  EXPECT_GE(second_ended, second_deadline);  // not at the first scope's time
  EXPECT_LT(second_ended - second_deadline, 1s);
}

TEST(DeadlineQueue, ScopesDueAtOnceAreAllCancelledByOneExpiry) {
  asio::io_context io;
  constexpr int scopes = 200;
  std::vector<std::optional<DeadlineOutcome>> outcomes(scopes);
  auto many = [&]() -> Awaitable<void> {
    const auto deadline = Clock::now() + 10ms;
    co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
      for (int i = 0; i < scopes; ++i) {
        n.start_soon("scope", [&, i]() -> Awaitable<void> { outcomes[i] = co_await move_on_at(deadline, sleep_for(1h)); });
      }
      co_return;
    });
  };
  EXPECT_TRUE(ends_within(io, many(), 5s));
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome, DeadlineOutcome::expired);
}

TEST(DeadlineQueue, NestedScopesDueAtTheSameTimeExpireTogetherWithTheOuterReason) {
  asio::io_context io;
  std::optional<CancelReason> inner_saw;
  auto nested = [&](Clock::time_point deadline) -> Awaitable<void> {
    try {
      co_await move_on_at(deadline, sleep_for(1h));
    } catch (const Cancelled& c) {
      inner_saw = c.reason();
      throw;
    }
  };
  // One expiry takes both: the outer's cancel stops the inner's deadline while
  // the inner waits in the same batch of due entries.
  const auto deadline = Clock::now() + 5ms;
  const auto outcome = test::run(io, move_on_at(deadline, nested(deadline)));
  EXPECT_EQ(outcome, DeadlineOutcome::expired);
  // The outer scope was queued first, so its cancel reached the inner one first.
  EXPECT_EQ(inner_saw, CancelReason::deadline);
  EXPECT_EQ(asio::use_service<DeadlineQueue>(io).size(), 0u);
}

}  // namespace
}  // namespace canopy::core

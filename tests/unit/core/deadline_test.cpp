#include "core/deadline.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "core/cancelled.hpp"
#include "core/executor.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::sleep_for;

Awaitable<int> answer_after(Clock::duration d) {
  co_await sleep_for(d);
  co_return 42;
}

TEST(MoveOnAfter, ReportsExpiredAndCancelsTheWork) {
  asio::io_context io;
  bool work_aborted = false;
  auto work = [&]() -> Awaitable<void> {
    try {
      co_await sleep_for(1h);
    } catch (const boost::system::system_error& e) {
      work_aborted = e.code() == asio::error::operation_aborted;
      throw;
    }
  };
  EXPECT_EQ(test::run(io, move_on_after(5ms, work())), DeadlineOutcome::expired);
  EXPECT_TRUE(work_aborted);
}

TEST(MoveOnAfter, ReportsMetWhenTheWorkEndsFirst) {
  asio::io_context io;
  EXPECT_EQ(test::run(io, move_on_after(1h, sleep_for(1ms))), DeadlineOutcome::met);
}

TEST(MoveOnAfter, ReturnsTheValueOrNothing) {
  asio::io_context io;
  EXPECT_EQ(test::run(io, move_on_after(1h, answer_after(1ms))), std::optional<int>(42));
  EXPECT_EQ(test::run(io, move_on_after(1ms, answer_after(1h))), std::nullopt);
}

TEST(FailAfter, ThrowsTooSlowErrorWhenTheDeadlinePasses) {
  asio::io_context io;
  EXPECT_THROW(test::run(io, fail_after(2ms, answer_after(1h))), TooSlowError);
  EXPECT_EQ(test::run(io, fail_after(1h, answer_after(1ms))), 42);
}

TEST(Deadlines, TheNearerOuterDeadlineWinsAndCancelsThroughTheInner) {
  asio::io_context io;
  std::optional<CancelReason> inner_saw;
  auto inner = [&]() -> Awaitable<void> {
    try {
      co_await move_on_after(1h, sleep_for(1h));
    } catch (const Cancelled& c) {
      inner_saw = c.reason();
      throw;
    }
  };
  EXPECT_EQ(test::run(io, move_on_after(5ms, inner())), DeadlineOutcome::expired);
  EXPECT_EQ(inner_saw, CancelReason::deadline);
}

TEST(Deadlines, AnExpiredInnerDeadlineCancelsOnlyTheInnerScope) {
  asio::io_context io;
  std::optional<DeadlineOutcome> inner_outcome;
  auto outer_work = [&]() -> Awaitable<void> {
    inner_outcome = co_await move_on_after(2ms, sleep_for(1h));
    co_await sleep_for(1ms);  // the outer scope is not cancelled: this wait completes
  };
  EXPECT_EQ(test::run(io, move_on_after(1h, outer_work())), DeadlineOutcome::met);
  EXPECT_EQ(inner_outcome, DeadlineOutcome::expired);
}

TEST(Deadlines, ADeadlineAlreadyPastCancelsBeforeTheWorkRuns) {
  asio::io_context io;
  bool work_ran = false;
  auto work = [&]() -> Awaitable<void> {
    work_ran = true;
    co_await sleep_for(1h);
  };
  const auto started = Clock::now();
  EXPECT_EQ(test::run(io, move_on_at(Clock::now() - 1s, work())), DeadlineOutcome::expired);
  EXPECT_FALSE(work_ran);
  EXPECT_LT(Clock::now() - started, 1s);
}

TEST(Deadlines, ErrorsOfTheWorkPassThrough) {
  asio::io_context io;
  auto failing = []() -> Awaitable<void> {
    co_await asio::post(use_awaitable);
    throw std::runtime_error("backend said no");
  };
  EXPECT_THROW(test::run(io, move_on_after(1h, failing())), std::runtime_error);
}

}  // namespace
}  // namespace canopy::core

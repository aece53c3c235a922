#include "core/shield.hpp"

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

TEST(Shield, ShieldedScopeCompletesItsWorkAndTheTaskIsCancelledAfterwards) {
  asio::io_context io;
  bool shielded_work_done = false;
  bool cancelled_after_shield = false;
  auto result = test::run(io, open_nursery([&](Nursery& outer) -> Awaitable<void> {
    outer.start_soon("cleanup", [&]() -> Awaitable<void> {
      auto flush = [&](Nursery&) -> Awaitable<void> {
        co_await sleep_for(20ms);
        shielded_work_done = true;
      };
      co_await open_nursery(flush, {.name = "flush", .deadline = Clock::now() + 10s, .shield = Shield::always()});
      try {
        co_await asio::post(use_awaitable);
      } catch (const boost::system::system_error&) {
        cancelled_after_shield = true;
        throw;
      }
    });
    co_await sleep_for(1ms);
    outer.cancel_scope().cancel(CancelReason::shutdown);
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  EXPECT_TRUE(shielded_work_done);
  EXPECT_TRUE(cancelled_after_shield);
}

TEST(Shield, GraceShieldRunsOnForItsGraceThenCancelsWithTheOuterReason) {
  asio::io_context io;
  std::optional<CancelReason> reason_seen;
  Clock::time_point outer_cancelled_at{};
  Clock::duration ran_on_for{};
  test::run(io, open_nursery([&](Nursery& outer) -> Awaitable<void> {
    outer.start_soon("write", [&]() -> Awaitable<void> {
      auto slow_write = [&](Nursery&) -> Awaitable<void> { co_await sleep_for(1h); };
      try {
        co_await open_nursery(slow_write, {.name = "write", .shield = Shield::grace(30ms)});
      } catch (const Cancelled& c) {
        reason_seen = c.reason();
        ran_on_for = Clock::now() - outer_cancelled_at;
        throw;
      }
    });
    co_await sleep_for(1ms);
    outer_cancelled_at = Clock::now();
    outer.cancel_scope().cancel(CancelReason::client_disconnect);
  }));
  EXPECT_EQ(reason_seen, CancelReason::client_disconnect);
  EXPECT_GE(ran_on_for, 30ms);  // a guarantee, not a speed: never cut before the grace
  EXPECT_LT(ran_on_for, 5s);    // liveness: it does end
}

}  // namespace
}  // namespace canopy::core

#include "core/capacity_limiter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <vector>

#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using test::settle;

TEST(CapacityLimiter, AdmitsUpToCapacityThenQueues) {
  asio::io_context io;
  CapacityLimiter limiter(io.get_executor(), {.capacity = 2, .queue = 4});
  std::vector<Permit> held;
  int admitted_late = 0;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      auto admission = co_await limiter.acquire();
      EXPECT_EQ(admission.outcome, AdmissionOutcome::admitted);
      held.push_back(std::move(admission.permit));
    }
    n.start_soon("third", [&]() -> Awaitable<void> {
      auto admission = co_await limiter.acquire();
      if (admission) ++admitted_late;
    });
    co_await settle();
    EXPECT_EQ(limiter.stats().in_use, 2u);
    EXPECT_EQ(limiter.stats().waiting, 1u);
    held.pop_back();  // the token goes to the waiter
    co_await settle();
    EXPECT_EQ(admitted_late, 1);
  }));
  held.clear();
  EXPECT_EQ(limiter.stats().in_use, 0u);
  EXPECT_EQ(limiter.stats().waited_total, 1u);
}

TEST(CapacityLimiter, RejectsAtOnceWhenTheQueueIsFull) {
  asio::io_context io;
  CapacityLimiter limiter(io.get_executor(), {.capacity = 1, .queue = 1});
  Permit held = limiter.try_acquire();
  std::optional<AdmissionOutcome> second;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("queued", [&]() -> Awaitable<void> { co_await limiter.acquire(); });
    co_await settle();
    const auto started = Clock::now();
    auto admission = co_await limiter.acquire();
    second = admission.outcome;
    EXPECT_LT(Clock::now() - started, 1s);
    held.reset();
  }));
  EXPECT_EQ(second, AdmissionOutcome::queue_full);
  EXPECT_EQ(limiter.stats().queue_full_total, 1u);
}

TEST(CapacityLimiter, AdmitsWaitersInArrivalOrder) {
  asio::io_context io;
  CapacityLimiter limiter(io.get_executor(), {.capacity = 1, .queue = 10});
  std::vector<int> order;
  Permit held = limiter.try_acquire();
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    for (int id = 0; id < 5; ++id) {
      n.start_soon("waiter", [&, id]() -> Awaitable<void> {
        auto admission = co_await limiter.acquire();
        order.push_back(id);
        co_await asio::post(use_awaitable);
      });
    }
    co_await settle();
    held.reset();
  }));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(CapacityLimiter, TryAcquireCannotJumpTheQueue) {
  asio::io_context io;
  CapacityLimiter limiter(io.get_executor(), {.capacity = 1, .queue = 10});
  Permit held = limiter.try_acquire();
  ASSERT_TRUE(held);
  EXPECT_FALSE(limiter.try_acquire());
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("waiter", [&]() -> Awaitable<void> { co_await limiter.acquire(); });
    co_await settle();
    held.reset();                       // the token passes to the waiter directly
    EXPECT_FALSE(limiter.try_acquire());
  }));
  EXPECT_TRUE(limiter.try_acquire());
}

TEST(CapacityLimiter, AWaiterTimesOutAfterTheQueueTimeout) {
  asio::io_context io;
  CapacityLimiter limiter(io.get_executor(), {.capacity = 1, .queue = 4, .queue_timeout = 5ms});
  Permit held = limiter.try_acquire();
  auto admission = test::run(io, limiter.acquire());
  EXPECT_EQ(admission.outcome, AdmissionOutcome::timed_out);
  EXPECT_GE(admission.waited, 5ms);
  EXPECT_EQ(limiter.stats().waiting, 0u);
  EXPECT_EQ(limiter.stats().timed_out_total, 1u);
}

TEST(CapacityLimiter, ACancelledWaiterLeavesTheQueueWithoutAToken) {
  asio::io_context io;
  CapacityLimiter limiter(io.get_executor(), {.capacity = 1, .queue = 4});
  Permit held = limiter.try_acquire();
  bool aborted = false;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("waiter", [&]() -> Awaitable<void> {
      try {
        co_await limiter.acquire();
      } catch (const boost::system::system_error& e) {
        aborted = e.code() == asio::error::operation_aborted;
        throw;
      }
    });
    co_await settle();
    n.cancel_scope().cancel();
  }));
  EXPECT_TRUE(aborted);
  EXPECT_EQ(limiter.stats().waiting, 0u);
  EXPECT_EQ(limiter.stats().cancelled_waits_total, 1u);
  held.reset();
  EXPECT_EQ(limiter.stats().in_use, 0u);
}

TEST(CapacityLimiter, AnIdleQueueKeepsNoTimerRunning) {
  asio::io_context io;
  CapacityLimiter limiter(io.get_executor(), {.capacity = 1, .queue = 4, .queue_timeout = 1h});
  Permit held = limiter.try_acquire();
  const auto started = Clock::now();
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("waiter", [&]() -> Awaitable<void> { co_await limiter.acquire(); });
    co_await settle();
    held.reset();
  }));
  EXPECT_LT(Clock::now() - started, 1s);  // run() returned: no one-hour timer left behind
}

TEST(CapacityLimiter, RaisingTheCapacityAdmitsWaitersAndLoweringItWaitsForHoldersToRelease) {
  asio::io_context io;
  CapacityLimiter limiter(io.get_executor(), {.capacity = 1, .queue = 4});
  std::vector<Permit> held;
  held.push_back(limiter.try_acquire());
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      n.start_soon("waiter", [&]() -> Awaitable<void> {
        auto admission = co_await limiter.acquire();
        if (admission) held.push_back(std::move(admission.permit));
      });
    }
    co_await settle();
    EXPECT_EQ(limiter.stats().waiting, 3u);
    limiter.set_capacity(3);
    co_await settle();
    EXPECT_EQ(held.size(), 3u) << "two waiters admitted at once";
    EXPECT_EQ(limiter.stats().waiting, 1u);
    limiter.set_capacity(1);
    held.pop_back();  // 3 held, capacity 1: the token is not passed on
    co_await settle();
    EXPECT_EQ(limiter.stats().in_use, 2u);
    EXPECT_EQ(limiter.stats().waiting, 1u);
    held.pop_back();
    co_await settle();
    EXPECT_EQ(limiter.stats().waiting, 1u) << "still at capacity 1 with one holder";
    held.pop_back();  // below capacity: the last waiter gets its token
    co_await settle();
    EXPECT_EQ(held.size(), 1u);
    EXPECT_EQ(limiter.stats().waiting, 0u);
  }));
  held.clear();
  EXPECT_EQ(limiter.stats().in_use, 0u);
}

}  // namespace
}  // namespace canopy::core

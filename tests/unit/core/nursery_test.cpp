#include "core/nursery.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/bounded_channel.hpp"
#include "core/cancelled.hpp"
#include "core/capacity_limiter.hpp"
#include "core/error_group.hpp"
#include "core/executor.hpp"
#include "tests/support/loopback.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using test::sleep_for;

// Runs `op`, records whether it ended by cancellation, and lets the error go on.
template <typename Op>
Awaitable<void> record_cancellation(bool& cancelled, Op op) {
  try {
    co_await op();
  } catch (const boost::system::system_error& e) {
    cancelled = e.code() == asio::error::operation_aborted;
    throw;
  }
}

TEST(Nursery, WaitsForEveryChildBeforeReturning) {
  asio::io_context io;
  int finished = 0;
  test::run(io, [&]() -> Awaitable<void> {
    auto result = co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
      for (int i = 1; i <= 3; ++i) {
        n.start_soon("sleeper", [&finished, i]() -> Awaitable<void> {
          co_await sleep_for(i * 2ms);
          ++finished;
        });
      }
      co_return;
    });
    EXPECT_EQ(result.outcome, ScopeOutcome::completed);
    EXPECT_EQ(finished, 3);
  }());
}

TEST(Nursery, StartSoonRunsTheTaskOnlyAfterTheStarterSuspends) {
  asio::io_context io;
  bool ran = false;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("flag", [&]() -> Awaitable<void> {
      ran = true;
      co_return;
    });
    EXPECT_FALSE(ran);
    co_await asio::post(use_awaitable);
    co_await asio::post(use_awaitable);
    EXPECT_TRUE(ran);
  }));
}

TEST(Nursery, ItsBodyRunsAtOnceLikeInlineCodeNotLikeAStartedTask) {
  asio::io_context io;
  std::vector<std::string> order;
  test::run(io, open_nursery([&](Nursery& outer) -> Awaitable<void> {
    outer.start_soon("sibling", [&]() -> Awaitable<void> {
      order.push_back("sibling");
      co_return;
    });
    co_await open_nursery([&](Nursery&) -> Awaitable<void> {
      order.push_back("inner body");  // before the sibling: the starter has not suspended yet
      co_return;
    });
  }));
  EXPECT_EQ(order, (std::vector<std::string>{"inner body", "sibling"}));
}

TEST(Nursery, ABodyThatFailsBeforeItFirstSuspendsStillCancelsAndAwaitsItsTasks) {
  asio::io_context io;
  bool child_cancelled = false;
  try {
    test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
      n.start_soon("sleeper", record_cancellation(child_cancelled, [&]() { return sleep_for(1h); }));
      throw std::runtime_error("bad request");
      co_return;
    }));
    FAIL() << "the body's error did not reach the caller";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "bad request");
  }
  EXPECT_TRUE(child_cancelled);
}

TEST(Nursery, ChildErrorCancelsSiblingsBlockedOnSocketTimerChannelAndLimiter) {
  asio::io_context io;
  auto pairs = test::connected_pairs(io, 1);
  BoundedChannel<int> channel(1);
  CapacityLimiter limiter(io.get_executor(), {.capacity = 1, .queue = 4});
  Permit held = limiter.try_acquire();
  ASSERT_TRUE(held);
  bool socket_cancelled = false, timer_cancelled = false, channel_cancelled = false, limiter_cancelled = false;

  auto fan_out = open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("socket", record_cancellation(socket_cancelled, [&]() -> Awaitable<void> {
      char byte;
      co_await asio::async_read(pairs[0].client, asio::buffer(&byte, 1), use_awaitable);
    }));
    n.start_soon("timer", record_cancellation(timer_cancelled, [&]() { return sleep_for(1h); }));
    n.start_soon("channel", record_cancellation(channel_cancelled, [&]() -> Awaitable<void> {
      co_await channel.receive();
    }));
    n.start_soon("limiter", record_cancellation(limiter_cancelled, [&]() -> Awaitable<void> {
      co_await limiter.acquire();
    }));
    n.start_soon("failing", []() -> Awaitable<void> {
      co_await sleep_for(1ms);
      throw std::runtime_error("upstream exploded");
    });
    co_return;
  });

  try {
    test::run(io, std::move(fan_out));
    FAIL() << "the child's error did not reach the caller";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "upstream exploded");
  }
  EXPECT_TRUE(socket_cancelled);
  EXPECT_TRUE(timer_cancelled);
  EXPECT_TRUE(channel_cancelled);
  EXPECT_TRUE(limiter_cancelled);
  EXPECT_EQ(limiter.stats().waiting, 0u);
  EXPECT_EQ(channel.stats().waiting_receivers, 0u);
}

TEST(Nursery, BodyErrorCancelsTheChildren) {
  asio::io_context io;
  bool child_cancelled = false;
  EXPECT_THROW(test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
                 n.start_soon("child", record_cancellation(child_cancelled, [] { return sleep_for(1h); }));
                 co_await asio::post(use_awaitable);
                 throw std::invalid_argument("bad body");
               })),
               std::invalid_argument);
  EXPECT_TRUE(child_cancelled);
}

TEST(Nursery, KeepsEveryErrorWhenSeveralTasksFail) {
  asio::io_context io;
  auto failing = [](std::string what) -> Awaitable<void> {
    co_await asio::post(use_awaitable);
    throw std::runtime_error(what);
  };
  try {
    test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
      n.start_soon("a", failing("first"));
      n.start_soon("b", failing("second"));
      co_return;
    }, {.name = "pair"}));
    FAIL() << "no error";
  } catch (const ErrorGroup& group) {
    ASSERT_EQ(group.errors().size(), 2u);
    EXPECT_EQ(describe(group.first()), "first");
    EXPECT_EQ(describe(group.errors()[1]), "second");
    EXPECT_NE(std::string(group.what()).find("2 tasks failed in 'pair'"), std::string::npos);
  }
}

TEST(Nursery, CancellingItsOwnScopeEndsTasksWithoutAnError) {
  asio::io_context io;
  bool child_cancelled = false;
  auto result = test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("child", record_cancellation(child_cancelled, [] { return sleep_for(1h); }));
    co_await asio::post(use_awaitable);
    n.cancel_scope().cancel(CancelReason::hedge_lost);
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  EXPECT_EQ(result.reason, CancelReason::hedge_lost);
  EXPECT_TRUE(child_cancelled);
}

TEST(Nursery, OuterCancellationWaitsForInnerTasksAndCarriesItsReason) {
  asio::io_context io;
  BoundedChannel<int> running(3);
  int inner_ended = 0;
  bool inner_ended_before_nursery_returned = false;
  std::optional<CancelReason> inner_saw;
  auto result = test::run(io, open_nursery([&](Nursery& outer) -> Awaitable<void> {
    outer.start_soon("handler", [&]() -> Awaitable<void> {
      auto fan_out = [&](Nursery& inner) -> Awaitable<void> {
        for (int i = 0; i < 3; ++i) {
          inner.start_soon("upstream", [&]() -> Awaitable<void> {
            co_await running.send(1);
            try {
              co_await sleep_for(1h);
            } catch (...) {
              ++inner_ended;
              throw;
            }
          });
        }
        co_return;
      };
      try {
        co_await open_nursery(fan_out, {.name = "fan-out", .parent = &outer});
      } catch (const Cancelled& c) {
        inner_saw = c.reason();
        inner_ended_before_nursery_returned = inner_ended == 3;
        throw;
      }
    });
    for (int i = 0; i < 3; ++i) co_await running.receive();
    outer.cancel_scope().cancel(CancelReason::shutdown);
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  EXPECT_EQ(result.reason, CancelReason::shutdown);
  EXPECT_EQ(inner_saw, CancelReason::shutdown);
  EXPECT_TRUE(inner_ended_before_nursery_returned);
}

TEST(Nursery, TasksStartedInACancelledScopeNeverRun) {
  asio::io_context io;
  bool ran = false;
  auto result = test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.cancel_scope().cancel();
    n.start_soon("late", [&]() -> Awaitable<void> {
      ran = true;
      co_return;
    });
    co_return;
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  EXPECT_FALSE(ran);
}

TEST(Nursery, ATaskMayStartSiblingsWhileTheNurseryIsOpen) {
  asio::io_context io;
  int generations = 0;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("parent", [&]() -> Awaitable<void> {
      co_await sleep_for(1ms);
      ++generations;
      n.start_soon("child", [&]() -> Awaitable<void> {
        co_await sleep_for(1ms);
        ++generations;
      });
    });
    co_return;
  }));
  EXPECT_EQ(generations, 2);
}

}  // namespace
}  // namespace canopy::core

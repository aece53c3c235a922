// Scale: a cancelled scope tears down thousands of blocked tasks, and every
// socket they held is closed by the time the nursery returns.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <chrono>

#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "tests/support/fds.hpp"
#include "tests/support/loopback.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

Awaitable<void> read_one_byte(asio::ip::tcp::socket socket) {
  char byte;
  co_await asio::async_read(socket, asio::buffer(&byte, 1), use_awaitable);
}

TEST(Teardown, CancellingAScopeClosesEveryOneOf5000LoopbackSocketsBeforeItReturns) {
  constexpr std::size_t tasks = 5000;
  ASSERT_GE(test::raise_fd_limit(), 2 * tasks + 100) << "needs 10,100 file descriptors";
  asio::io_context io;
  asio::ip::tcp::socket(io).open(asio::ip::tcp::v4());  // the reactor opens its own descriptors once
  const std::size_t fds_before = test::open_fd_count();
  auto pairs = test::connected_pairs(io, tasks);
  ASSERT_EQ(test::open_fd_count(), fds_before + 2 * tasks);

  std::size_t fds_when_nursery_returned = 0;
  test::run(io, [&]() -> Awaitable<void> {
    auto result = co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
      for (auto& pair : pairs) n.start_soon("reader", read_one_byte(std::move(pair.client)));
      for (int i = 0; i < 4; ++i) co_await asio::post(use_awaitable);
      n.cancel_scope().cancel(CancelReason::shutdown);
    });
    EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
    fds_when_nursery_returned = test::open_fd_count();
  }());
  // Only the test's own server ends remain; each sees the client side closed.
  EXPECT_EQ(fds_when_nursery_returned, fds_before + tasks);
  for (auto& pair : pairs) {
    char byte;
    boost::system::error_code ec;
    asio::read(pair.server, asio::buffer(&byte, 1), ec);
    ASSERT_EQ(ec, asio::error::eof);
  }
  pairs.clear();
  EXPECT_EQ(test::open_fd_count(), fds_before);
}

TEST(Teardown, CancellingAScopeEndsAHundredThousandTimerWaits) {
  constexpr int tasks = 100'000;
  asio::io_context io;
  std::size_t cancelled = 0;
  const auto started = Clock::now();
  test::run(io, [&]() -> Awaitable<void> {
    co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
      for (int i = 0; i < tasks; ++i) n.start_soon("sleeper", test::sleep_for(1h));
      for (int i = 0; i < 4; ++i) co_await asio::post(use_awaitable);
      n.cancel_scope().cancel();
      cancelled = n.stats().live_tasks;
    });
  }());
  EXPECT_EQ(cancelled, static_cast<std::size_t>(tasks) + 1);  // and the body itself
  EXPECT_LT(Clock::now() - started, 60s);                      // liveness only
}

}  // namespace
}  // namespace canopy::core

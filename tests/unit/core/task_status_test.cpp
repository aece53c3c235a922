#include "core/task_status.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(TaskStatus, StartReturnsTheValueTheTaskReportsWhenReady) {
  asio::io_context io;
  std::string greeting;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    const auto port = co_await n.start<unsigned short>("listener", [](TaskStatus<unsigned short>& status)
                                                                      -> Awaitable<void> {
      using asio::ip::tcp;
      tcp::acceptor acceptor(co_await asio::this_coro::executor, {asio::ip::address_v4::loopback(), 0});
      status.started(acceptor.local_endpoint().port());
      auto peer = co_await acceptor.async_accept(use_awaitable);
      co_await asio::async_write(peer, asio::buffer(std::string_view("ready")), use_awaitable);
    });
    asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect({asio::ip::address_v4::loopback(), port}, use_awaitable);
    greeting.resize(5);
    co_await asio::async_read(socket, asio::buffer(greeting), use_awaitable);
  }));
  EXPECT_EQ(greeting, "ready");
}

TEST(TaskStatus, StartThrowsTheErrorOfATaskThatFailsBeforeItIsReady) {
  asio::io_context io;
  bool start_threw = false;
  EXPECT_THROW(test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
                 try {
                   co_await n.start("broken", [](TaskStatus<void>&) -> Awaitable<void> {
                     co_await asio::post(use_awaitable);
                     throw std::runtime_error("bind failed");
                   });
                 } catch (const std::runtime_error&) {
                   start_threw = true;
                 }
               })),
               std::runtime_error);
  EXPECT_TRUE(start_threw);
}

TEST(TaskStatus, StartFailsWhenTheTaskReturnsWithoutReportingReady) {
  asio::io_context io;
  EXPECT_THROW(test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
                 co_await n.start("forgetful", [](TaskStatus<void>&) -> Awaitable<void> { co_return; });
               })),
               std::logic_error);
}

TEST(TaskStatus, CancellingTheStarterCancelsTheTaskBeingStarted) {
  asio::io_context io;
  bool task_cancelled = false;
  auto result = test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("canceller", [&]() -> Awaitable<void> {
      co_await asio::post(use_awaitable);
      co_await asio::post(use_awaitable);
      n.cancel_scope().cancel(CancelReason::shutdown);
    });
    co_await n.start("never ready", [&](TaskStatus<void>&) -> Awaitable<void> {
      try {
        co_await test::sleep_for(1h);
      } catch (const boost::system::system_error&) {
        task_cancelled = true;
        throw;
      }
    });
    ADD_FAILURE() << "start() returned although the task never reported ready";
  }));
  EXPECT_EQ(result.outcome, ScopeOutcome::cancelled);
  EXPECT_TRUE(task_cancelled);
}

TEST(TaskStatus, StartedTwiceWakesTheStarterOnce) {
  asio::io_context io;
  int value = 0;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    value = co_await n.start<int>("eager", [](TaskStatus<int>& status) -> Awaitable<void> {
      status.started(1);
      status.started(2);
      co_return;
    });
  }));
  EXPECT_EQ(value, 1);
}

}  // namespace
}  // namespace canopy::core

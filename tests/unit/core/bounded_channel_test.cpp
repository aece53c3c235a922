#include "core/bounded_channel.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "tests/support/run.hpp"
#include "tests/support/steps.hpp"

namespace canopy::core {
namespace {

namespace asio = boost::asio;

using test::settle;

TEST(BoundedChannel, SendSuspendsWhenFullUntilAReceiverMakesRoom) {
  asio::io_context io;
  BoundedChannel<int> channel(2);
  int sent = 0;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("producer", [&]() -> Awaitable<void> {
      for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(co_await channel.send(i), SendOutcome::sent);
        ++sent;
      }
    });
    co_await settle();
    EXPECT_EQ(sent, 2);  // backpressure: the third send waits
    EXPECT_EQ(channel.stats().buffered, 2u);
    EXPECT_EQ(channel.stats().waiting_senders, 1u);
    EXPECT_EQ(co_await channel.receive(), std::optional<int>(0));
    co_await settle();
    EXPECT_EQ(sent, 3);
    EXPECT_EQ(channel.stats().buffered, 2u);
  }));
}

TEST(BoundedChannel, ReceiveSuspendsWhenEmpty) {
  asio::io_context io;
  BoundedChannel<std::string> channel(1);
  std::optional<std::string> got;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("consumer", [&]() -> Awaitable<void> { got = co_await channel.receive(); });
    co_await settle();
    EXPECT_FALSE(got);
    EXPECT_EQ(channel.stats().waiting_receivers, 1u);
    co_await channel.send("hello");
    co_await settle();
    EXPECT_EQ(got, "hello");
  }));
}

TEST(BoundedChannel, ServesWaitingSendersAndReceiversInArrivalOrder) {
  asio::io_context io;
  BoundedChannel<int> channel(0);
  std::vector<int> received_by;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    for (int id = 0; id < 3; ++id) {
      n.start_soon("receiver", [&, id]() -> Awaitable<void> {
        co_await channel.receive();
        received_by.push_back(id);
      });
    }
    co_await settle();
    for (int i = 0; i < 3; ++i) co_await channel.send(i);
    co_await settle();
  }));
  EXPECT_EQ(received_by, (std::vector<int>{0, 1, 2}));

  std::vector<int> order;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    for (int id = 0; id < 3; ++id) {
      n.start_soon("sender", [&, id]() -> Awaitable<void> { co_await channel.send(id); });
    }
    co_await settle();
    for (int i = 0; i < 3; ++i) order.push_back(*co_await channel.receive());
  }));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(BoundedChannel, CloseDeliversWhatIsBufferedThenEnds) {
  asio::io_context io;
  BoundedChannel<int> channel(4);
  std::vector<int> got;
  test::run(io, [&]() -> Awaitable<void> {
    co_await channel.send(1);
    co_await channel.send(2);
    channel.close();
    EXPECT_EQ(co_await channel.send(3), SendOutcome::closed);
    while (auto message = co_await channel.receive()) got.push_back(*message);
  }());
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
}

TEST(BoundedChannel, CloseWakesEveryWaiter) {
  asio::io_context io;
  BoundedChannel<int> full(1), empty(1);
  std::optional<SendOutcome> send_outcome;
  bool receiver_saw_end = false;
  test::run(io, open_nursery([&](Nursery& n) -> Awaitable<void> {
    co_await full.send(0);
    n.start_soon("sender", [&]() -> Awaitable<void> { send_outcome = co_await full.send(1); });
    n.start_soon("receiver", [&]() -> Awaitable<void> { receiver_saw_end = !(co_await empty.receive()); });
    co_await settle();
    full.close();
    empty.close();
  }));
  EXPECT_EQ(send_outcome, SendOutcome::closed);
  EXPECT_TRUE(receiver_saw_end);
  EXPECT_EQ(full.stats().buffered, 1u);  // close keeps what was accepted
}

TEST(BoundedChannel, ACancelledSendDeliversNothingAndLeavesTheChannelUnchanged) {
  asio::io_context io;
  BoundedChannel<int> channel(1);
  test::run(io, [&]() -> Awaitable<void> {
    co_await channel.send(1);
    co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
      n.start_soon("blocked sender", [&]() -> Awaitable<void> { co_await channel.send(2); });
      co_await settle();
      n.cancel_scope().cancel();
    });
    EXPECT_EQ(channel.stats().waiting_senders, 0u);
    EXPECT_EQ(channel.stats().buffered, 1u);
    EXPECT_EQ(co_await channel.receive(), std::optional<int>(1));
    EXPECT_EQ(channel.try_receive(), std::nullopt);
  }());
}

TEST(BoundedChannel, ACancelledReceiveTakesNothing) {
  asio::io_context io;
  BoundedChannel<int> channel(1);
  test::run(io, [&]() -> Awaitable<void> {
    co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
      n.start_soon("blocked receiver", [&]() -> Awaitable<void> { co_await channel.receive(); });
      co_await settle();
      n.cancel_scope().cancel();
    });
    EXPECT_EQ(channel.stats().waiting_receivers, 0u);
    co_await channel.send(7);
    EXPECT_EQ(channel.try_receive(), std::optional<int>(7));
  }());
}

TEST(BoundedChannel, TrySendReportsFullAndKeepsTheMessage) {
  BoundedChannel<std::string> channel(1);
  std::string first = "a", second = "b";
  EXPECT_EQ(channel.try_send(first), TrySendOutcome::sent);
  EXPECT_EQ(channel.try_send(second), TrySendOutcome::full);
  EXPECT_EQ(second, "b");
  channel.close();
  EXPECT_EQ(channel.try_send(second), TrySendOutcome::closed);
  EXPECT_EQ(channel.stats().sent_total, 1u);
}

}  // namespace
}  // namespace canopy::core

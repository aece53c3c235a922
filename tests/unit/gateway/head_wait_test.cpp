#include "gateway/server/head_wait.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <chrono>
#include <memory>
#include <optional>

#include "tests/support/loopback.hpp"

namespace canopy::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Client connections waiting for a head: a read pending on each, bounded by a
// HeadWait in the context's deadline queue.
class HeadWaitTest : public ::testing::Test {
 protected:
  static constexpr std::size_t count = 3;

  HeadWaitTest() {
    auto pairs = test::connected_pairs(io_, count);
    for (std::size_t i = 0; i < count; ++i) {
      peers_[i] = std::move(pairs[i].client);  // the "clients": they never send
      sockets_[i].emplace(io_.get_executor(), asio::ip::tcp::v4(), pairs[i].server.release());
    }
  }
  std::size_t waiting() const { return deadlines_.size(); }

  // Connection i waits for a head until `after` from now.
  void wait_for_head(std::size_t i, core::Clock::duration after) {
    waits_[i] = std::make_unique<HeadWait>(deadlines_, *sockets_[i], core::Clock::now() + after);
    sockets_[i]->async_read_some(asio::buffer(bytes_[i]), [this, i](boost::system::error_code ec, std::size_t) {
      ended_[i] = ec;
    });
  }

  asio::io_context io_{1};
  core::DeadlineQueue& deadlines_ = core::DeadlineQueue::of(io_.get_executor());
  std::array<asio::ip::tcp::socket, count> peers_{asio::ip::tcp::socket(io_), asio::ip::tcp::socket(io_),
                                                  asio::ip::tcp::socket(io_)};
  std::array<std::optional<TcpSocket>, count> sockets_;
  std::array<std::array<char, 16>, count> bytes_{};
  std::array<std::unique_ptr<HeadWait>, count> waits_;
  std::array<std::optional<boost::system::error_code>, count> ended_;
};

TEST_F(HeadWaitTest, EveryWaitPastItsDeadlineIsCutAndOnlyThose) {
  wait_for_head(0, 100ms);
  wait_for_head(1, 100ms);
  wait_for_head(2, 30s);
  io_.run_for(1s);
  io_.restart();
  EXPECT_EQ(ended_[0], asio::error::operation_aborted);
  EXPECT_EQ(ended_[1], asio::error::operation_aborted);
  EXPECT_TRUE(waits_[0]->expired());
  EXPECT_TRUE(waits_[1]->expired());
  EXPECT_FALSE(ended_[2]) << "a wait far from its deadline was cut";
  EXPECT_FALSE(waits_[2]->expired());
  EXPECT_EQ(waiting(), 1u);
}

TEST_F(HeadWaitTest, AWaitWithAnEarlierDeadlineThanAnyBeforeItIsCutOnTime) {
  wait_for_head(0, 30s);
  io_.run_for(50ms);  // the queue's timer is armed for that one
  io_.restart();
  wait_for_head(1, 100ms);
  const auto started = core::Clock::now();
  while (!ended_[1] && core::Clock::now() - started < 5s) io_.run_one_for(100ms);
  io_.restart();
  ASSERT_TRUE(ended_[1]) << "the earlier deadline waited for the later one";
  EXPECT_LT(core::Clock::now() - started, 2s);
  EXPECT_FALSE(ended_[0]);
}

TEST_F(HeadWaitTest, WaitsAddedEachEarlierThanTheLastAreAllCutOnTime) {
  wait_for_head(0, 30s);
  io_.run_for(50ms);  // the queue's timer is armed for that one
  io_.restart();
  wait_for_head(1, 400ms);  // re-arms: the timer's wait is cancelled
  wait_for_head(2, 200ms);  // re-arms again before that cancelled wait has completed
  const auto started = core::Clock::now();
  while (!(ended_[1] && ended_[2]) && core::Clock::now() - started < 5s) io_.run_one_for(100ms);
  io_.restart();
  EXPECT_TRUE(ended_[2]) << "the timer stopped after the second re-arm";
  EXPECT_TRUE(ended_[1]);
  EXPECT_FALSE(ended_[0]);
}

TEST_F(HeadWaitTest, AHeadThatArrivesInTimeEndsItsWaitAndIsNeverCut) {
  wait_for_head(0, 100ms);
  asio::write(peers_[0], asio::buffer("GET / HTTP/1.1\r\n\r\n", 18));
  while (!ended_[0]) io_.run_one_for(100ms);
  waits_[0].reset();  // the head arrived: the connection stops waiting
  io_.run_for(300ms);  // past the deadline it had
  io_.restart();
  EXPECT_EQ(ended_[0], boost::system::error_code{});
  EXPECT_EQ(waiting(), 0u);
}

}  // namespace
}  // namespace canopy::gateway

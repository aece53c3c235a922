#include "gateway/net/send_now.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <string>
#include <thread>
#include <vector>

#include "core/executor.hpp"
#include "tests/support/loopback.hpp"

namespace canopy::gateway {
namespace {

namespace asio = boost::asio;

struct Connected {
  asio::io_context io;
  TcpSocket sender{io.get_executor()};
  asio::ip::tcp::socket receiver{io};

  Connected() {
    auto pairs = test::connected_pairs(io, 1);
    receiver = std::move(pairs[0].client);
    sender.assign(asio::ip::tcp::v4(), pairs[0].server.release());
    sender.set_option(asio::socket_base::send_buffer_size(4096));  // the kernel makes it a few KiB
    sender.set_option(asio::ip::tcp::no_delay(true));
  }
};

std::string pattern(std::size_t size, char first) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>(first + i % 23);
  return text;
}

TEST(SendNow, SendsWhatTheSocketTakesAtOnceAndNothingOnceItIsFull) {
  Connected c;
  const std::string small = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
  std::array<asio::const_buffer, 2> pieces{asio::buffer(small.data(), 17),
                                           asio::buffer(small.data() + 17, small.size() - 17)};
  boost::system::error_code ec;
  EXPECT_EQ(send_now(c.sender, pieces, ec), small.size());
  EXPECT_FALSE(ec);
  std::string got(small.size(), '\0');
  asio::read(c.receiver, asio::buffer(got));
  EXPECT_EQ(got, small);

  // Nobody reads: the socket's buffers fill, and then it takes nothing, without an error.
  const std::string block = pattern(64 * 1024, 'a');
  std::size_t total = 0, last = 1;
  for (int i = 0; i < 1000 && last > 0; ++i) {
    last = send_now(c.sender, std::array{asio::buffer(block)}, ec);
    ASSERT_FALSE(ec) << ec.message();
    total += last;
  }
  EXPECT_EQ(last, 0u) << "the socket never filled after " << total << " bytes";
  EXPECT_GT(total, 0u);
}

TEST(SendNow, ReportsAPeerThatResetTheConnection) {
  Connected c;
  c.receiver.set_option(asio::socket_base::linger(true, 0));  // close sends RST
  c.receiver.close();
  boost::system::error_code ec;
  const std::string text = "GET / HTTP/1.1\r\n\r\n";
  for (int i = 0; i < 100 && !ec; ++i) send_now(c.sender, std::array{asio::buffer(text)}, ec);
  EXPECT_TRUE(ec == asio::error::connection_reset || ec == asio::error::broken_pipe) << ec.message();
}

TEST(SendNow, DropSentLeavesTheUnsentRestInOrder) {
  const std::string a = "abc", b = "defgh";
  const auto left = [&](std::size_t sent) {
    std::array<asio::const_buffer, 3> buffers{asio::buffer(a), asio::const_buffer(), asio::buffer(b)};
    std::string rest;
    for (const auto& buffer : drop_sent(buffers, sent)) {
      rest.append(static_cast<const char*>(buffer.data()), buffer.size());
    }
    return rest;
  };
  EXPECT_EQ(left(0), "abcdefgh");
  EXPECT_EQ(left(2), "cdefgh");
  EXPECT_EQ(left(3), "defgh");
  EXPECT_EQ(left(4), "efgh");
  EXPECT_EQ(left(8), "");
}

// The way relay() writes: at once what the socket takes, the rest with
// async_write; the reader gets every byte, in order.
TEST(SendNow, WhatIsLeftGoesWithAsyncWriteAndArrivesInOrder) {
  Connected c;
  const std::string head = pattern(100, 'A'), body = pattern(256 * 1024, 'a');
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  boost::system::error_code ec;
  const std::size_t at_once = send_now(c.sender, buffers, ec);
  ASSERT_FALSE(ec);
  ASSERT_LT(at_once, head.size() + body.size()) << "the socket took it all at once: the test proves nothing";
  std::size_t written_later = 0;
  asio::co_spawn(
      c.io,
      [&]() -> core::Awaitable<void> {
        auto [write_ec, n] = co_await asio::async_write(c.sender, drop_sent(buffers, at_once),
                                                         asio::as_tuple(core::use_awaitable));
        EXPECT_FALSE(write_ec);
        written_later = n;
        c.sender.shutdown(asio::socket_base::shutdown_send);
      },
      asio::detached);
  std::string received;
  std::thread reader([&] {
    std::array<char, 65536> chunk;
    boost::system::error_code read_ec;
    for (;;) {
      const auto n = c.receiver.read_some(asio::buffer(chunk), read_ec);
      if (read_ec) break;
      received.append(chunk.data(), n);
    }
  });
  c.io.run();
  reader.join();
  EXPECT_EQ(at_once + written_later, head.size() + body.size());
  EXPECT_TRUE(received == head + body) << "received " << received.size() << " bytes, not in order";
}

}  // namespace
}  // namespace canopy::gateway

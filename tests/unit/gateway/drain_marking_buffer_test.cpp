// Its own test binary: it counts the recv() calls made on one descriptor by
// defining recv() here, in front of the C library's, and passing every call on.
#include "gateway/net/drain_marking_buffer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <atomic>
#include <chrono>
#include <dlfcn.h>
#include <optional>
#include <string>
#include <sys/socket.h>

#include "gateway/net/sockets.hpp"
#include "tests/support/loopback.hpp"

namespace {

std::atomic<int> counted_fd{-1};
std::atomic<int> recv_calls{0};

}  // namespace

extern "C" ssize_t recv(int fd, void* data, size_t size, int flags) {
  using Recv = ssize_t (*)(int, void*, size_t, int);
  static const auto next = reinterpret_cast<Recv>(dlsym(RTLD_NEXT, "recv"));
  if (fd == counted_fd.load()) recv_calls.fetch_add(1);
  return next(fd, data, size, flags);
}

namespace canopy::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Read {
  boost::system::error_code ec;
  std::size_t bytes = 0;
};

// A connection whose reading end is a gateway socket with its recv() calls counted.
struct Counted {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> busy{io.get_executor()};  // poll() runs the reactor
  TcpSocket reader{io.get_executor()};
  asio::ip::tcp::socket writer{io};
  char room[64];
  std::optional<Read> read;

  Counted() {
    auto pairs = test::connected_pairs(io, 1);
    writer = std::move(pairs[0].client);
    reader.assign(asio::ip::tcp::v4(), pairs[0].server.release());
    counted_fd = reader.native_handle();
    recv_calls = 0;
  }
  ~Counted() { counted_fd = -1; }

  void send(const std::string& bytes) { asio::write(writer, asio::buffer(bytes)); }

  // Lets the reactor see what has arrived so far (epoll reports it at once on loopback).
  void settle() {
    for (int i = 0; i < 3; ++i) io.poll();
  }

  template <typename Buffer>
  void start_read(Buffer buffer) {
    read.reset();
    reader.async_read_some(buffer, [this](boost::system::error_code ec, std::size_t n) { read = Read{ec, n}; });
  }

  // Runs until the read started last completes; false if it has not within a second.
  bool finish_read() {
    const auto give_up = std::chrono::steady_clock::now() + 1s;
    while (!read && std::chrono::steady_clock::now() < give_up) io.run_one_for(10ms);
    return read.has_value();
  }

  std::string got() const { return std::string(room, read ? read->bytes : 0); }

  // Five bytes sent, read with a buffer of 64 (a short read) and seen through;
  // false if the read did not complete.
  template <typename Buffer>
  bool read_hello(Buffer buffer) {
    send("hello");
    settle();
    start_read(buffer);
    const bool done = finish_read();
    settle();
    return done && got() == "hello";
  }
  static int recv_calls_now() { return recv_calls.load(); }
};

TEST(DrainMarkingBuffer, AShortReadLetsTheNextReadWaitForBytesWithoutTryingRecv) {
  Counted c;
  ASSERT_TRUE(c.read_hello(drain_marking(asio::buffer(c.room))));
  const int before = c.recv_calls_now();

  c.start_read(drain_marking(asio::buffer(c.room)));
  c.settle();
  EXPECT_FALSE(c.read) << "nothing was sent, yet the read completed";
  EXPECT_EQ(c.recv_calls_now(), before) << "the read tried recv() although the socket had been drained";

  c.send("abc");
  ASSERT_TRUE(c.finish_read()) << "the bytes that came later were never read";
  EXPECT_FALSE(c.read->ec);
  EXPECT_EQ(c.got(), "abc");
  EXPECT_EQ(c.recv_calls_now(), before + 1);
}

// The premise: a plain read tries recv() at once, and on a drained socket it fails.
TEST(DrainMarkingBuffer, APlainReadAfterAShortOneTriesRecvBeforeAnythingArrived) {
  Counted c;
  ASSERT_TRUE(c.read_hello(asio::buffer(c.room)));
  const int before = c.recv_calls_now();
  c.start_read(asio::buffer(c.room));
  c.settle();
  EXPECT_FALSE(c.read);
  EXPECT_EQ(c.recv_calls_now(), before + 1);
}

TEST(DrainMarkingBuffer, BytesArrivingBetweenAShortReadAndTheNextAreNotMissed) {
  Counted c;
  ASSERT_TRUE(c.read_hello(drain_marking(asio::buffer(c.room))));

  // Before the reactor has looked again: epoll still holds the report of them.
  c.send("abc");
  c.start_read(drain_marking(asio::buffer(c.room)));
  ASSERT_TRUE(c.finish_read()) << "bytes that came before the read started were never read";
  EXPECT_EQ(c.got(), "abc");

  // After the reactor has seen them with no read waiting: the next read tries at once.
  c.send("de");
  c.settle();
  c.start_read(drain_marking(asio::buffer(c.room)));
  c.io.poll();
  ASSERT_TRUE(c.read) << "bytes the reactor had seen arrive were not read at once";
  EXPECT_EQ(c.got(), "de");
}

TEST(DrainMarkingBuffer, AReadThatFillsItsBufferLeavesTheRestToTheNextReadAtOnce) {
  Counted c;
  c.send(std::string(100, 'x'));
  c.settle();
  c.start_read(drain_marking(asio::buffer(c.room)));
  ASSERT_TRUE(c.finish_read());
  EXPECT_EQ(c.read->bytes, sizeof c.room);
  c.settle();
  c.start_read(drain_marking(asio::buffer(c.room)));
  ASSERT_TRUE(c.finish_read()) << "a full read marked the socket drained: the rest waits for bytes that never come";
  EXPECT_EQ(c.read->bytes, 100 - sizeof c.room);
}

TEST(DrainMarkingBuffer, ThePeerClosingAfterAShortReadEndsTheNextRead) {
  Counted c;
  ASSERT_TRUE(c.read_hello(drain_marking(asio::buffer(c.room))));
  c.start_read(drain_marking(asio::buffer(c.room)));
  c.settle();
  EXPECT_FALSE(c.read);
  c.writer.shutdown(asio::socket_base::shutdown_send);
  ASSERT_TRUE(c.finish_read());
  EXPECT_EQ(c.read->ec, asio::error::eof);
}

// As a request scope cancels what its tasks await: through the operation's cancellation slot.
TEST(DrainMarkingBuffer, CancellingAReadWaitingOnADrainedSocketEndsIt) {
  Counted c;
  ASSERT_TRUE(c.read_hello(drain_marking(asio::buffer(c.room))));
  asio::cancellation_signal cancel;
  c.read.reset();
  c.reader.async_read_some(drain_marking(asio::buffer(c.room)),
                           asio::bind_cancellation_slot(cancel.slot(), [&c](boost::system::error_code ec, std::size_t n) {
                             c.read = Read{ec, n};
                           }));
  c.settle();
  EXPECT_FALSE(c.read);
  cancel.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(c.finish_read());
  EXPECT_EQ(c.read->ec, asio::error::operation_aborted);
}

}  // namespace
}  // namespace canopy::gateway

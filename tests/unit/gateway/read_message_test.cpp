#include "gateway/http/read_message.hpp"
#include "gateway/http/response_head.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <chrono>
#include <optional>
#include <string_view>

#include "tests/support/loopback.hpp"

namespace canopy::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

// An upstream socket that writes what a test says, and the gateway's end that
// reads a response head (or a whole response: read_whole_response) from
// it, on one io_context.
class ReadMessage : public ::testing::Test {
 protected:
  void upstream_sends(std::string_view bytes) { asio::write(pair_.server, asio::buffer(bytes)); }
  void upstream_closes() { pair_.server.close(); }

  // Starts read_response_head (or read_whole_response); it runs whenever the test runs the io_context.
  void start_reading() {
    asio::co_spawn(
        io_.get_executor(),
        [this]() -> core::Awaitable<void> { result_ = co_await read_response_head(pair_.client, buffer_, parser_); },
        asio::detached);
  }
  void start_reading_whole() {
    asio::co_spawn(
        io_.get_executor(),
        [this]() -> core::Awaitable<void> {
          result_ = co_await read_whole_response(pair_.client, buffer_, parser_, body_, body_limit_);
        },
        asio::detached);
  }
  std::optional<boost::system::error_code> run_for(std::chrono::milliseconds time) {
    io_.run_for(time);
    io_.restart();
    return result_;
  }

  asio::io_context io_{1};
  test::SocketPair pair_ = std::move(test::connected_pairs(io_, 1).front());
  beast::flat_buffer buffer_;
  UpstreamResponseParser parser_;
  std::string body_;
  std::uint64_t body_limit_ = 1 << 20;
  std::optional<boost::system::error_code> result_;
};

TEST_F(ReadMessage, WaitsForAHeadSplitAcrossReadsThenLeavesTheBodyBuffered) {
  upstream_sends("HTTP/1.1 200 OK\r\nContent-Le");
  start_reading();
  EXPECT_FALSE(run_for(100ms)) << "returned with half a head";
  upstream_sends("ngth: 5\r\nX-Test: yes\r\n\r\nhello");
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_FALSE(*ec) << ec->message();
  ASSERT_TRUE(parser_.is_header_done());
  EXPECT_EQ(parser_.status(), 200u);
  ASSERT_EQ(parser_.fields().size(), 2u);
  EXPECT_EQ(parser_.fields()[1].value, "yes");
  EXPECT_EQ(beast::buffers_to_string(buffer_.data()), "hello");  // for the body's relay
}

// What one read brings: a head and a body of a few KiB that are already there
// come in one read, not in a first one of 512 bytes (Beast's start) and more.
TEST_F(ReadMessage, AHeadAndASmallBodyAlreadyThereComeInOneRead) {
  const std::string body(3000, 'b');
  upstream_sends("HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + body);
  start_reading();
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_FALSE(*ec) << ec->message();
  EXPECT_EQ(buffer_.size(), body.size()) << "the body did not come with the head";
}

TEST_F(ReadMessage, AStreamThatEndsBeforeAnyByteIsTheEndOfStream) {
  upstream_closes();
  start_reading();
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_EQ(*ec, http::error::end_of_stream);
}

TEST_F(ReadMessage, AStreamThatEndsInsideTheHeadIsAPartialMessage) {
  upstream_sends("HTTP/1.1 200 OK\r\nConte");
  upstream_closes();
  start_reading();
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_EQ(*ec, http::error::partial_message);
}

TEST_F(ReadMessage, AHeadOverTheLimitIsRefused) {
  upstream_sends("HTTP/1.1 200 OK\r\nX-Long: " + std::string(upstream_head_limit, 'a') + "\r\n\r\n");
  start_reading();
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_EQ(*ec, http::error::header_limit);
}

TEST_F(ReadMessage, GarbageIsABadHeadNotAWait) {
  upstream_sends("SMTP ready\r\n\r\n");
  start_reading();
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_TRUE(*ec);
  EXPECT_NE(*ec, http::error::need_more);
}

TEST_F(ReadMessage, AWholeMessageWaitsForABodySplitAcrossReadsChunkByChunk) {
  upstream_sends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6");
  start_reading_whole();
  EXPECT_FALSE(run_for(100ms)) << "returned with half a body";
  upstream_sends("\r\n world\r\n0\r\n\r\nHTTP/1.1 204");  // and the start of the next response
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_FALSE(*ec) << ec->message();
  EXPECT_EQ(body_, "hello world");
  EXPECT_EQ(parser_.status(), 200u);
  EXPECT_TRUE(parser_.keep_alive());
  EXPECT_EQ(beast::buffers_to_string(buffer_.data()), "HTTP/1.1 204");  // left for the next read
}

TEST_F(ReadMessage, AWholeCountedBodySplitAcrossReadsLeavesTheNextResponseBuffered) {
  upstream_sends("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello");
  start_reading_whole();
  EXPECT_FALSE(run_for(100ms)) << "returned with half a body";
  upstream_sends(" worldHTTP/1.1 204");
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_FALSE(*ec) << ec->message();
  EXPECT_EQ(body_, "hello world");
  EXPECT_TRUE(parser_.keep_alive());
  EXPECT_EQ(beast::buffers_to_string(buffer_.data()), "HTTP/1.1 204");  // left for the next read
}

TEST_F(ReadMessage, AWholeMessageWithoutLengthEndsWithTheConnection) {
  upstream_sends("HTTP/1.1 200 OK\r\n\r\nuntil the end");
  upstream_closes();
  start_reading_whole();
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_FALSE(*ec) << ec->message();
  EXPECT_EQ(body_, "until the end");
  EXPECT_FALSE(parser_.keep_alive()) << "a connection that ended the body cannot be reused";
}

TEST_F(ReadMessage, AWholeMessageCutShortOfItsLengthIsAPartialMessage) {
  upstream_sends("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
  upstream_closes();
  start_reading_whole();
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_EQ(*ec, http::error::partial_message);
}

TEST_F(ReadMessage, AWholeMessageOverTheBodyLimitIsRefused) {
  body_limit_ = 4;
  upstream_sends("HTTP/1.1 503 Busy\r\nContent-Length: 10\r\n\r\n0123456789");
  start_reading_whole();
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_EQ(*ec, http::error::body_limit);
  EXPECT_EQ(parser_.status(), 503u);  // known once the head is read, for the upstream's metrics
}

TEST_F(ReadMessage, AWholeChunkedMessageOverTheBodyLimitIsRefused) {
  body_limit_ = 4;
  upstream_sends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
  start_reading_whole();
  const auto ec = run_for(2s);
  ASSERT_TRUE(ec);
  EXPECT_EQ(*ec, http::error::body_limit);
}

}  // namespace
}  // namespace canopy::gateway

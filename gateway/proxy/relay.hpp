#pragma once
// Streams one HTTP message from a parser on one connection to a serializer on
// another, a piece at a time: bodies are never held whole, and a slow reader
// slows the writer (each piece is written before the next is read).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <array>
#include <cstdint>

namespace canopy::gateway {

enum class RelayOutcome {
  complete,      // the whole message went through
  read_failed,   // the source closed or reset
  bad_framing,   // the source sent a body that breaks HTTP framing (a bad chunk size …)
  write_failed,  // the destination closed or reset
  cancelled,     // the request scope was cancelled (deadline, client gone, shutdown)
};

struct RelayResult {
  RelayOutcome outcome = RelayOutcome::complete;
  std::uint64_t body_bytes = 0;
  bool header_written = false;
};

// `parser` has read the header already; `serializer` is over parser.get(),
// whose header the caller may have rewritten. The header goes out at once, then
// every piece of body as soon as it arrives (a streamed response is not held back).
template <typename ReadStream, typename WriteStream, bool isRequest>
boost::asio::awaitable<RelayResult> relay(
    ReadStream& from, boost::beast::flat_buffer& from_buffer,
    boost::beast::http::parser<isRequest, boost::beast::http::buffer_body>& parser, WriteStream& to,
    boost::beast::http::serializer<isRequest, boost::beast::http::buffer_body>& serializer) {
  namespace http = boost::beast::http;
  constexpr auto as_values = boost::asio::as_tuple(boost::asio::use_awaitable);
  auto failed = [](const boost::system::error_code& ec, RelayOutcome otherwise) {
    return ec == boost::asio::error::operation_aborted ? RelayOutcome::cancelled : otherwise;
  };
  std::array<char, 16 * 1024> chunk;
  RelayResult result;
  auto& body = parser.get().body();

  // The header goes alone only when no body is at hand yet (a streaming source);
  // otherwise it leaves with the first piece of body in one write.
  if (!parser.is_done() && from_buffer.size() == 0) {
    auto [header_ec, header_n] = co_await http::async_write_header(to, serializer, as_values);
    if (header_ec) {
      result.outcome = failed(header_ec, RelayOutcome::write_failed);
      co_return result;
    }
    result.header_written = true;
  }

  // Beast reads at most the buffer's free capacity (at least 512 bytes): a buffer
  // sized for the header would stream a body 512 bytes per syscall.
  if (!parser.is_done() && from_buffer.capacity() < chunk.size()) from_buffer.reserve(chunk.size());

  while (!serializer.is_done()) {
    if (!parser.is_done()) {
      body.data = chunk.data();
      body.size = chunk.size();
      auto [ec, n] = co_await http::async_read_some(from, from_buffer, parser, as_values);
      if (ec && ec != http::error::need_buffer) {
        const bool framing = ec.category() == http::make_error_code(http::error::bad_chunk).category();
        result.outcome = framing ? RelayOutcome::bad_framing : failed(ec, RelayOutcome::read_failed);
        co_return result;
      }
      body.size = chunk.size() - body.size;
      body.data = chunk.data();
      body.more = !parser.is_done();
      if (body.size == 0 && body.more) continue;  // framing only (a chunk header): nothing to pass on yet
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    result.body_bytes += body.size;
    auto [ec, n] = co_await http::async_write(to, serializer, as_values);
    if (ec && ec != http::error::need_buffer) {
      result.outcome = failed(ec, RelayOutcome::write_failed);
      result.header_written = result.header_written || n > 0;
      co_return result;
    }
    result.header_written = true;
  }
  co_return result;
}

}  // namespace canopy::gateway

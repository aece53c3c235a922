#pragma once
// Streams one HTTP message from a parser on one connection to another
// connection, a piece at a time: bodies are never held whole, and a slow reader
// slows the writer (each piece is written before the next is read).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "core/executor.hpp"
#include "gateway/http/message_head.hpp"
#include "gateway/http/read_message.hpp"
#include "gateway/net/drain_marking_buffer.hpp"
#include "gateway/net/receive_now.hpp"
#include "gateway/net/send_now.hpp"

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
  // Bytes after the head were taken from the source (body or framing, such as
  // a chunked body's last chunk): the message cannot be sent again.
  bool source_taken = false;
};

namespace detail {

// Most bytes of body read per piece.
constexpr std::size_t relay_piece_size = 16 * 1024;

// Pieces read at once (without waiting) before the relay lets the event loop
// run: a source that always has bytes must not keep other connections waiting.
constexpr int relay_pieces_between_turns = 16;

// Room for the pieces of a body: no more than it has, when its length is known.
template <typename Parser>
std::size_t relay_piece_capacity(const Parser& parser) {
  if (parser.is_done()) return 0;
  if (const auto remaining = parser.content_length_remaining()) {
    return static_cast<std::size_t>(std::min<std::uint64_t>(*remaining, relay_piece_size));
  }
  return relay_piece_size;
}

// The chunk-size line of a piece of chunked body ("1a2b\r\n").
class ChunkSizeLine {
 public:
  explicit ChunkSizeLine(std::size_t size) {
    char* end = text_.data() + text_.size() - 2;
    end[0] = '\r';
    end[1] = '\n';
    begin_ = end;
    do {
      *--begin_ = "0123456789abcdef"[size % 16];
      size /= 16;
    } while (size != 0);
  }
  boost::asio::const_buffer buffer() const {
    return {begin_, static_cast<std::size_t>(text_.data() + text_.size() - begin_)};
  }

 private:
  std::array<char, 2 * sizeof(std::size_t) + 2> text_;
  char* begin_;
};

// Where a parser puts the next piece of body (buffer_body's value).
template <bool isRequest>
boost::beast::http::buffer_body::value_type& body_piece(
    boost::beast::http::parser<isRequest, boost::beast::http::buffer_body>& parser) {
  return parser.get().body();
}
template <typename Parser>
auto& body_piece(Parser& parser) requires requires { parser.body(); } {
  return parser.body();
}

}  // namespace detail

// `parser` has read the header; `head` writes the head that goes out instead
// (a WireHead: size(), write(char*) and chunked()). The head goes out at once,
// then every piece of body as soon as it arrives (a streamed response is not
// held back), chunk-coded if head.chunked().
template <typename ReadStream, typename WriteStream, typename Parser, typename WireHead>
core::Awaitable<RelayResult> relay(ReadStream& from, boost::beast::flat_buffer& from_buffer, Parser& parser,
                                   const WireHead& head, WriteStream& to) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  constexpr auto as_values = asio::as_tuple(core::use_awaitable);
  auto failed = [](const boost::system::error_code& ec, RelayOutcome otherwise) {
    return ec == asio::error::operation_aborted ? RelayOutcome::cancelled : otherwise;
  };
  const bool chunked = head.chunked();

  // One block for the head and the pieces of body: one allocation per message.
  const std::size_t head_size = head.size();
  const std::size_t piece_capacity = detail::relay_piece_capacity(parser);
  const auto storage = std::make_unique_for_overwrite<char[]>(head_size + piece_capacity);
  head.write(storage.get());
  char* const piece = storage.get() + head_size;

  RelayResult result;
  std::array<asio::const_buffer, 5> out;
  std::size_t out_count = 0;
  out[out_count++] = asio::buffer(storage.get(), head_size);
  // Writes are made in the body of relay itself: a helper coroutine would cost
  // a frame per write. send_at_once() sends what the socket takes without
  // waiting and, when that is all of it (or the send failed), books it and says
  // so; otherwise write_rest() sends the rest and wrote() books it.
  std::size_t sent_at_once = 0;
  auto wrote = [&](const boost::system::error_code& ec, std::size_t n) {
    out_count = 0;
    result.header_written = result.header_written || n > 0;
    if (ec) result.outcome = failed(ec, RelayOutcome::write_failed);
  };
  auto send_at_once = [&] {
    boost::system::error_code ec;
    const std::span pending(out.data(), out_count);
    sent_at_once = send_now(to, pending, ec);
    if (!ec && sent_at_once < asio::buffer_size(pending)) return false;
    wrote(ec, sent_at_once);
    return true;
  };
  auto write_rest = [&] {
    return asio::async_write(to, drop_sent(std::span(out.data(), out_count), sent_at_once), as_values);
  };

  // The head goes alone only when no body is at hand yet (a streaming source);
  // otherwise it leaves with the first piece of body in one write.
  if (!parser.is_done() && from_buffer.size() == 0) {
    if (!send_at_once()) {
      auto [ec, n] = co_await write_rest();
      wrote(ec, sent_at_once + n);
    }
    if (result.outcome != RelayOutcome::complete) co_return result;
  }

  // Beast reads at most the buffer's free capacity (at least 512 bytes): a buffer
  // sized for the header would stream a body 512 bytes per syscall.
  if (piece_capacity > from_buffer.size() && from_buffer.capacity() < piece_capacity) {
    from_buffer.reserve(piece_capacity);
  }

  auto& body = detail::body_piece(parser);
  bool buffered_needs_more = false;  // what from_buffer holds does not complete the next element
  int pieces_without_waiting = 0;
  while (!parser.is_done()) {
    body.data = piece;
    body.size = piece_capacity;
    result.source_taken = true;
    boost::system::error_code ec;
    if (from_buffer.size() > 0 && !buffered_needs_more) {
      // Bytes already read (a small body comes with its head) are parsed in
      // place, as Beast's read would first do, without an asynchronous
      // operation and a trip through the event loop.
      buffered_needs_more = parse_buffered(from_buffer, parser, ec);
    } else {
      // What arrives is parsed on the next turn, as bytes already read are. The
      // body continues a message: the socket is tried at once (net/receive_now.hpp).
      if (++pieces_without_waiting == detail::relay_pieces_between_turns) {
        pieces_without_waiting = 0;
        co_await asio::post(from.get_executor(), core::use_awaitable);
      }
      const auto into = from_buffer.prepare(std::max(boost::beast::read_size(from_buffer, 65536), piece_capacity));
      auto got = receive_now(from.native_handle(), into);
      if (!got) {
        auto [wait_ec, n] = co_await from.async_read_some(drain_marking(into), as_values);
        got = Received{wait_ec, n};
        pieces_without_waiting = 0;
      }
      const auto read_ec = got->ec;
      from_buffer.commit(got->bytes);
      buffered_needs_more = false;
      if (read_ec == asio::error::eof) {
        parser.put_eof(ec);  // complete for a body that ends with the connection
        if (!ec && !parser.is_done()) ec = http::error::partial_message;
      } else {
        ec = read_ec;
      }
      if (!ec && !parser.is_done()) continue;
    }
    if (ec && ec != http::error::need_buffer) {
      const bool framing = ec.category() == http::make_error_code(http::error::bad_chunk).category();
      result.outcome = framing ? RelayOutcome::bad_framing : failed(ec, RelayOutcome::read_failed);
      co_return result;
    }
    const std::size_t got = piece_capacity - body.size;
    if (got == 0 && !parser.is_done()) continue;  // framing only (a chunk header): nothing to pass on yet
    result.body_bytes += got;
    const detail::ChunkSizeLine size_line(got);
    if (got > 0) {
      if (chunked) out[out_count++] = size_line.buffer();
      out[out_count++] = asio::buffer(piece, got);
      if (chunked) out[out_count++] = asio::buffer("\r\n", 2);
    }
    if (parser.is_done() && chunked) out[out_count++] = asio::buffer("0\r\n\r\n", 5);
    if (!send_at_once()) {
      auto [write_ec, written] = co_await write_rest();
      wrote(write_ec, sent_at_once + written);
    }
    if (result.outcome != RelayOutcome::complete) co_return result;
  }
  if (out_count > 0 && !send_at_once()) {  // a message without body: the head alone
    auto [ec, n] = co_await write_rest();
    wrote(ec, sent_at_once + n);
  }
  co_return result;
}

}  // namespace canopy::gateway

#pragma once
// Reads from a stream until a Beast parser has a whole message (read_message):
// what Beast's async_read does, without its two layers of composed operations
// (each with its own handler wrapping, work tracking and, for bytes already
// buffered, a post through the event loop). The fan-out reads its backends'
// answers so; the proxy reads heads with read_response_head().
//
// Errors are Beast's: http::error::end_of_stream when the stream ends before
// any byte, partial_message when it ends before the part asked for,
// header_limit, body_limit, buffer_overflow; otherwise the stream's own
// (operation_aborted when cancelled).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/system/error_code.hpp>
#include <algorithm>

#include "core/executor.hpp"

namespace canopy::gateway {

// Feeds what `buffer` holds to `parser` and drops the bytes it used, as Beast's
// reads first do. Returns true when the buffered bytes end inside an element
// (Beast's need_more, which is then not left in `ec`): read more before the next
// call. Other errors are left in `ec`.
template <typename Parser>
bool parse_buffered(boost::beast::flat_buffer& buffer, Parser& parser, boost::system::error_code& ec) {
  buffer.consume(parser.put(buffer.data(), ec));
  if (ec != boost::beast::http::error::need_more) return false;
  ec = {};
  return true;
}

// How many bytes the next read of a message asks for; 0 when `buffer` is full.
// At least a message head and a small body: Beast starts an empty buffer at
// 512 bytes, and a message longer than that would take two reads (and a relay
// two writes) where one does.
inline std::size_t message_read_room(boost::beast::flat_buffer& buffer) {
  constexpr std::size_t first_read_bytes = 4096;
  const std::size_t room = boost::beast::read_size(buffer, 65536);
  if (room == 0) return 0;
  return std::max(room, std::min(first_read_bytes, buffer.max_size() - buffer.size()));
}

namespace detail {

// Reads and parses until done(parser).
template <typename ReadStream, bool isRequest, typename Done>
core::Awaitable<boost::system::error_code> read_until(ReadStream& stream, boost::beast::flat_buffer& buffer,
                                                      boost::beast::http::basic_parser<isRequest>& parser, Done done) {
  namespace http = boost::beast::http;
  boost::system::error_code ec;
  for (;;) {
    if (const std::size_t before = buffer.size(); before > 0) {
      const bool needs_more = parse_buffered(buffer, parser, ec);
      if (done(parser)) co_return boost::system::error_code{};
      if (ec) co_return ec;
      if (!needs_more && buffer.size() < before) continue;  // one element at a time: go on with what is buffered
    }
    const std::size_t room = message_read_room(buffer);
    if (room == 0) co_return http::error::buffer_overflow;
    constexpr auto as_values = boost::asio::as_tuple(core::use_awaitable);
    auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(room), as_values);
    buffer.commit(n);
    if (read_ec == boost::asio::error::eof) {
      if (!parser.got_some()) co_return http::error::end_of_stream;
      parser.put_eof(ec);  // a body that ends with the connection is complete here
      if (ec) co_return ec;
      co_return done(parser) ? boost::system::error_code{} : http::error::partial_message;
    }
    if (read_ec) co_return read_ec;
  }
}

}  // namespace detail

// The whole message (the body into the parser's body), as Beast's async_read.
template <typename ReadStream, bool isRequest>
core::Awaitable<boost::system::error_code> read_message(ReadStream& stream, boost::beast::flat_buffer& buffer,
                                                        boost::beast::http::basic_parser<isRequest>& parser) {
  return detail::read_until(stream, buffer, parser, [](const auto& p) { return p.is_done(); });
}

}  // namespace canopy::gateway

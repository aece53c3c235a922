#pragma once
// An upstream's response head, read and checked in one pass: the status line
// and every field line are checked against RFC 9110/9112 and cut into views for
// the UpstreamResponseParser, which hands Beast only the fields that frame the
// body and the connection (Beast's own parse read every field of the head,
// looking each name up, a third of what relaying a small answer cost).
//
// Errors are Beast's (http::error): bad_version, bad_status, bad_reason,
// bad_field, bad_value, bad_line_ending, header_limit; end_of_stream when the
// upstream closed before sending a byte (a pooled connection it had closed),
// partial_message when it closed within the head; and framing errors from Beast
// (bad_content_length, multiple_content_length, bad_transfer_encoding). A
// read's own error otherwise (operation_aborted when cancelled).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string_view>

#include "core/executor.hpp"
#include "gateway/http/buffered_head.hpp"
#include "gateway/http/read_message.hpp"
#include "gateway/http/upstream_response_parser.hpp"

namespace canopy::gateway {

// Beast's default for a response head, kept.
inline constexpr std::size_t upstream_head_limit = 8192;

// `head` is a whole head, up to and with its blank line.
boost::system::error_code take_response_head(std::string_view head, UpstreamResponseParser& parser);

// Reads until `buffer` holds a whole head and takes it; body bytes read with it
// stay in `buffer` (after the head, which the parser's views point into).
template <typename ReadStream>
core::Awaitable<boost::system::error_code> read_response_head(ReadStream& stream, boost::beast::flat_buffer& buffer,
                                                              UpstreamResponseParser& parser) {
  namespace http = boost::beast::http;
  std::size_t scanned = 0;
  for (;;) {
    if (const auto head = buffered_head(buffer, scanned)) {
      if (head->size() > upstream_head_limit) co_return http::error::header_limit;
      const auto ec = take_response_head(*head, parser);
      buffer.consume(head->size());
      co_return ec;
    }
    if (buffer.size() >= upstream_head_limit) co_return http::error::header_limit;
    const std::size_t room = message_read_room(buffer);
    if (room == 0) co_return http::error::buffer_overflow;
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(room), boost::asio::as_tuple(core::use_awaitable));
    buffer.commit(n);
    if (ec == boost::asio::error::eof) co_return buffer.size() == 0 ? http::error::end_of_stream : http::error::partial_message;
    if (ec) co_return ec;
  }
}

}  // namespace canopy::gateway

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
#include <cstdint>
#include <string>
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

namespace detail {

// The head; then, given `body`, the whole body into it. One coroutine for both
// (the fan-out's calls): a frame less per call than a head reader and a body
// reader would cost.
template <typename ReadStream>
core::Awaitable<boost::system::error_code> read_response(ReadStream& stream, boost::beast::flat_buffer& buffer,
                                                         UpstreamResponseParser& parser, std::string* body,
                                                         std::uint64_t body_limit) {
  namespace http = boost::beast::http;
  bool head_taken = false;
  std::size_t scanned = 0;
  boost::system::error_code ec;
  for (;;) {
    if (!head_taken) {
      if (const auto head = buffered_head(buffer, scanned)) {
        if (head->size() > upstream_head_limit) co_return http::error::header_limit;
        ec = take_response_head(*head, parser);
        buffer.consume(head->size());
        if (ec || !body) co_return ec;
        head_taken = true;
        if (const auto length = parser.content_length_remaining()) {
          if (*length > body_limit) co_return http::error::body_limit;
          body->reserve(body->size() + static_cast<std::size_t>(*length));
        } else {
          parser.body_limit(body_limit);  // Beast frames it (chunked, or until the connection ends) and bounds it
        }
      } else if (buffer.size() >= upstream_head_limit) {
        co_return http::error::header_limit;
      }
    }
    if (head_taken) {
      if (parser.is_done()) co_return boost::system::error_code{};
      if (buffer.size() > 0) {
        const std::size_t used = take_buffered_body(buffer, parser, *body, ec);
        if (ec) co_return ec;
        if (used > 0) continue;  // one element at a time: go on with what is buffered
      }
    }
    const std::size_t room = message_read_room(buffer);
    if (room == 0) co_return http::error::buffer_overflow;
    auto [read_ec, n] =
        co_await stream.async_read_some(buffer.prepare(room), boost::asio::as_tuple(core::use_awaitable));
    buffer.commit(n);
    if (read_ec == boost::asio::error::eof) {
      if (!head_taken) co_return buffer.size() == 0 ? http::error::end_of_stream : http::error::partial_message;
      parser.put_eof(ec);  // a body that ends with the connection is complete here
      if (ec) co_return ec;
      co_return parser.is_done() ? boost::system::error_code{} : http::error::partial_message;
    }
    if (read_ec) co_return read_ec;
  }
}

}  // namespace detail

// Reads until `buffer` holds a whole head and takes it; body bytes read with it
// stay in `buffer` (after the head, which the parser's views point into).
template <typename ReadStream>
core::Awaitable<boost::system::error_code> read_response_head(ReadStream& stream, boost::beast::flat_buffer& buffer,
                                                              UpstreamResponseParser& parser) {
  return detail::read_response(stream, buffer, parser, nullptr, 0);
}

// The head, then the whole body into `body` (after what it holds); bytes after
// the body (the next response) stay in `buffer`. More errors than the head's:
// body_limit when the body is longer than `body_limit` (a counted one is
// refused before any of it is read), partial_message when the stream ends
// before the body does, Beast's framing errors of a chunked body.
template <typename ReadStream>
core::Awaitable<boost::system::error_code> read_whole_response(ReadStream& stream, boost::beast::flat_buffer& buffer,
                                                               UpstreamResponseParser& parser, std::string& body,
                                                               std::uint64_t body_limit) {
  return detail::read_response(stream, buffer, parser, &body, body_limit);
}

}  // namespace canopy::gateway

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
#include <optional>
#include <string>
#include <string_view>

#include "core/executor.hpp"
#include "gateway/http/buffered_head.hpp"
#include "gateway/http/read_message.hpp"
#include "gateway/http/upstream_response_parser.hpp"
#include "gateway/net/drain_marking_buffer.hpp"
#include "gateway/net/receive_now.hpp"

namespace canopy::gateway {

// Beast's default for a response head, kept.
inline constexpr std::size_t upstream_head_limit = 8192;

// `head` is a whole head, up to and with its blank line.
boost::system::error_code take_response_head(std::string_view head, UpstreamResponseParser& parser);

namespace detail {

// The head, when `buffer` holds all of it: take_response_head's result (the
// bytes are consumed); header_limit when it is too long; nothing yet otherwise.
inline std::optional<boost::system::error_code> take_buffered_response_head(boost::beast::flat_buffer& buffer,
                                                                            std::size_t& scanned,
                                                                            UpstreamResponseParser& parser) {
  const auto head = buffered_head(buffer, scanned);
  if (!head) {
    if (buffer.size() >= upstream_head_limit) return boost::beast::http::error::header_limit;
    return std::nullopt;
  }
  if (head->size() > upstream_head_limit) return boost::beast::http::error::header_limit;
  const auto ec = take_response_head(*head, parser);
  buffer.consume(head->size());
  return ec;
}

// Readies `body` for a body of the head's framing, bounded by `limit`: a
// counted one longer is refused at once; Beast bounds one it frames.
inline boost::system::error_code ready_body(UpstreamResponseParser& parser, std::string& body, std::uint64_t limit) {
  if (const auto length = parser.content_length_remaining()) {
    if (*length > limit) return boost::beast::http::error::body_limit;
    body.reserve(body.size() + static_cast<std::size_t>(*length));
  } else {
    parser.body_limit(limit);  // chunked, or until the connection ends
  }
  return {};
}

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
  // The first read follows our request: the answer cannot be there yet, and
  // epoll reports it (or the upstream's reset of a connection it had closed)
  // when it comes. Later reads continue the message (net/receive_now.hpp).
  for (bool may_wait_at_once = buffer.size() == 0;; may_wait_at_once = false) {
    if (!head_taken) {
      if (const auto taken = take_buffered_response_head(buffer, scanned, parser)) {
        if (*taken || !body) co_return *taken;
        if (const auto refused = ready_body(parser, *body, body_limit)) co_return refused;
        head_taken = true;
      }
    }
    if (head_taken) {
      if (parser.is_done()) co_return boost::system::error_code{};
      if (buffer.size() > 0 && take_buffered_body(buffer, parser, *body, ec) > 0 && !ec) {
        continue;  // one element at a time: go on with what is buffered
      }
      if (ec) co_return ec;
    }
    const std::size_t room = message_read_room(buffer);
    if (room == 0) co_return http::error::buffer_overflow;
    const auto into = buffer.prepare(room);
    auto got = may_wait_at_once ? std::nullopt : receive_now(stream.native_handle(), into);
    if (!got) {
      auto [read_ec, n] = co_await stream.async_read_some(drain_marking(into), boost::asio::as_tuple(core::use_awaitable));
      got = Received{read_ec, n};
    }
    const auto read_ec = got->ec;
    buffer.commit(got->bytes);
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

#pragma once
// Reads from a stream until a parser has a whole message head: what Beast's
// async_read_header does, without its two layers of composed operations (each
// with its own handler wrapping, work tracking and, for bytes already
// buffered, a post through the event loop).
//
// Errors are Beast's: http::error::end_of_stream when the stream ends before
// any byte, partial_message when it ends inside the head, header_limit,
// buffer_overflow; otherwise the stream's own (operation_aborted when cancelled).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/system/error_code.hpp>

#include "core/executor.hpp"

namespace canopy::gateway {

template <typename ReadStream, bool isRequest, typename Body>
core::Awaitable<boost::system::error_code> read_head(ReadStream& stream, boost::beast::flat_buffer& buffer,
                                                     boost::beast::http::parser<isRequest, Body>& parser) {
  namespace http = boost::beast::http;
  boost::system::error_code ec;
  for (;;) {
    if (buffer.size() > 0) {
      buffer.consume(parser.put(buffer.data(), ec));
      if (parser.is_header_done()) co_return boost::system::error_code{};
      if (ec && ec != http::error::need_more) co_return ec;
      ec = {};
    }
    const std::size_t room = boost::beast::read_size(buffer, 65536);
    if (room == 0) co_return http::error::buffer_overflow;
    auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(room), boost::asio::as_tuple(core::use_awaitable));
    buffer.commit(n);
    if (read_ec == boost::asio::error::eof) {
      if (!parser.got_some()) co_return http::error::end_of_stream;
      parser.put_eof(ec);
      co_return ec ? ec : http::error::partial_message;  // the head is not complete here
    }
    if (read_ec) co_return read_ec;
  }
}

}  // namespace canopy::gateway

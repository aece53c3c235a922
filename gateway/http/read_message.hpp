#pragma once
// Steps of reading messages from a stream without Beast's composed read
// operations (each with its own handler wrapping, work tracking and, for bytes
// already buffered, a post through the event loop): how much to read next, and
// handing a parser what is buffered (read_response_head and read_whole_response
// in response_head.hpp, the relay).

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>
#include <algorithm>
#include <string>

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

// Takes the body bytes `buffer` holds into `body` (after what it holds) and
// drops them from `buffer`; returns how many bytes of `buffer` the parser used
// (body and framing). A body's bytes are at most all that is buffered: that much
// room is made. Errors are the parser's, except need_more (read more).
template <typename PieceParser>
std::size_t take_buffered_body(boost::beast::flat_buffer& buffer, PieceParser& parser, std::string& body,
                               boost::system::error_code& ec) {
  const std::size_t buffered = buffer.size();
  const std::size_t had = body.size();
  body.resize(had + buffered);
  auto& piece = parser.body();
  piece.data = body.data() + had;
  piece.size = buffered;
  const std::size_t used = parser.put(buffer.data(), ec);
  body.resize(had + buffered - piece.size);
  piece = {};
  buffer.consume(used);
  if (ec == boost::beast::http::error::need_more) ec = {};  // the buffered bytes end inside a chunk's framing
  return used;
}

}  // namespace canopy::gateway

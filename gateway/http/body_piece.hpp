#pragma once
// Body bytes handed out in pieces the way Beast's buffer_body does it: the
// reader points `piece` (data, size) at where the next bytes go; the parser
// copies what fits and says need_buffer when the piece is full or not set.
// Shared by the parsers that relay bodies (client requests, upstream responses).

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <algorithm>
#include <cstring>
#include <string_view>

namespace canopy::gateway {

// Copies what of `bytes` fits into `piece`; returns how many bytes it took.
inline std::size_t fill_body_piece(boost::beast::http::buffer_body::value_type& piece, std::string_view bytes,
                                   boost::system::error_code& ec) {
  if (piece.data == nullptr) {
    ec = boost::beast::http::error::need_buffer;
    return 0;
  }
  const std::size_t taken = std::min(bytes.size(), piece.size);
  std::memcpy(piece.data, bytes.data(), taken);
  piece.data = static_cast<char*>(piece.data) + taken;
  piece.size -= taken;
  if (taken < bytes.size()) {
    ec = boost::beast::http::error::need_buffer;
  } else {
    ec = {};
  }
  return taken;
}

}  // namespace canopy::gateway

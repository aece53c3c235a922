#pragma once
// A Beast parser whose body comes out in pieces the way Beast's buffer_body
// does it: the reader points body() (data, size) at where the next bytes go;
// the parser copies what fits and says need_buffer when the piece is full or
// not set. The parsers that relay bodies (client requests, upstream responses)
// derive from it and keep only their head's callbacks.

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <algorithm>
#include <cstdint>
#include <cstring>

namespace canopy::gateway {

template <bool isRequest>
class PieceBodyParser : public boost::beast::http::basic_parser<isRequest> {
 public:
  // Where the next piece of body goes (data, size), as buffer_body's value.
  boost::beast::http::buffer_body::value_type& body() noexcept { return piece_; }

 private:
  void on_header_impl(boost::beast::error_code& ec) final { ec = {}; }
  void on_body_init_impl(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) final { ec = {}; }
  std::size_t on_body_impl(boost::beast::string_view bytes, boost::beast::error_code& ec) final {
    return take(bytes, ec);
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, boost::beast::error_code& ec) final { ec = {}; }
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view bytes, boost::beast::error_code& ec) final {
    return take(bytes, ec);
  }
  void on_finish_impl(boost::beast::error_code& ec) final { ec = {}; }

  // Copies what of `bytes` fits into the piece; returns how many it took.
  std::size_t take(boost::beast::string_view bytes, boost::beast::error_code& ec) {
    if (piece_.data == nullptr) {
      ec = boost::beast::http::error::need_buffer;
      return 0;
    }
    const std::size_t taken = std::min(bytes.size(), piece_.size);
    std::memcpy(piece_.data, bytes.data(), taken);
    piece_.data = static_cast<char*>(piece_.data) + taken;
    piece_.size -= taken;
    if (taken < bytes.size()) {
      ec = boost::beast::http::error::need_buffer;
    } else {
      ec = {};
    }
    return taken;
  }

  boost::beast::http::buffer_body::value_type piece_{};
};

}  // namespace canopy::gateway

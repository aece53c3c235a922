#pragma once
// The body side of the parsers that relay messages (client requests, upstream
// responses), whose heads Canopy reads itself. The body comes out in pieces the
// way Beast's buffer_body does it: the reader points body() (data, size) at
// where the next bytes go; put() copies what fits and says need_buffer when the
// piece is full or not set.
//
// Framing: a message without a body or with a Content-Length — nearly every
// one — is framed here (a count of bytes); a chunked body, or one that ends with
// the connection, by Beast's basic_parser, given a head that states only the
// framing. Beast's parse of even that one field cost more than reading the
// whole head (callgrind: ~1.5k instructions for "Content-Length: 208").
//
// Guarantees
// - is_done(), keep_alive(), chunked(), need_eof() and content_length_remaining()
//   answer as Beast's basic_parser does, whichever frames the body.
// - A counted body's length was checked with the head (its reader refuses one
//   over the limit); body_limit() bounds the bodies Beast frames.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/optional/optional.hpp>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace canopy::gateway {

template <bool isRequest>
class PieceBodyParser : private boost::beast::http::basic_parser<isRequest> {
  using Beast = boost::beast::http::basic_parser<isRequest>;

 public:
  // Where the next piece of body goes (data, size), as buffer_body's value.
  boost::beast::http::buffer_body::value_type& body() noexcept { return piece_; }

  // The head said: `length` bytes of body (0: none), and whether the connection stays open.
  void frame_by_length(std::uint64_t length, bool keep_alive) noexcept {
    counted_ = true;
    remaining_ = length;
    keep_alive_ = keep_alive;
  }
  // The head said chunked, or nothing that ends the body before the connection
  // does: Beast frames it from `head`, a message head stating only that.
  boost::system::error_code frame_by_beast(std::string_view head) {
    boost::system::error_code ec;
    Beast::put(boost::asio::buffer(head.data(), head.size()), ec);
    if (!ec && !Beast::is_header_done()) ec = boost::beast::http::error::partial_message;
    return ec;
  }

  bool is_header_done() const noexcept { return counted_ || Beast::is_header_done(); }
  bool is_done() const noexcept { return counted_ ? remaining_ == 0 : Beast::is_done(); }
  bool keep_alive() const { return counted_ ? keep_alive_ : Beast::keep_alive(); }
  bool chunked() const noexcept { return !counted_ && Beast::chunked(); }
  bool need_eof() const noexcept { return !counted_ && Beast::need_eof(); }
  boost::optional<std::uint64_t> content_length_remaining() const {
    if (counted_) return remaining_;
    return Beast::content_length_remaining();
  }

  // Takes body bytes from `buffer` into the piece; returns how many it used.
  std::size_t put(boost::asio::const_buffer buffer, boost::system::error_code& ec) {
    if (!counted_) return Beast::put(buffer, ec);
    ec = {};
    if (remaining_ == 0) return 0;
    // The body's bytes, not what follows it (the next message on the connection).
    const auto body_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), remaining_));
    const std::size_t taken = take({static_cast<const char*>(buffer.data()), body_bytes}, ec);
    remaining_ -= taken;
    return taken;
  }
  // The source ended: complete for a body that ends with the connection.
  void put_eof(boost::system::error_code& ec) {
    if (!counted_) return Beast::put_eof(ec);
    ec = remaining_ == 0 ? boost::system::error_code() : boost::beast::http::error::partial_message;
  }

  // An answer to HEAD: no body, whatever its head says.
  void skip(bool v) {
    skip_ = v;
    Beast::skip(v);
  }
  bool skipping() const noexcept { return skip_; }
  using Beast::body_limit;
  using Beast::header_limit;

 private:
  // Beast reads only the head frame_by_beast() gives it, which states nothing but the framing.
  void on_request_impl(boost::beast::http::verb, boost::beast::string_view, boost::beast::string_view, int,
                       boost::beast::error_code& ec) final {
    ec = {};
  }
  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code& ec) final { ec = {}; }
  void on_field_impl(boost::beast::http::field, boost::beast::string_view, boost::beast::string_view,
                     boost::beast::error_code& ec) final {
    ec = {};
  }
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
  std::uint64_t remaining_ = 0;
  bool counted_ = false;
  bool keep_alive_ = false;
  bool skip_ = false;
};

}  // namespace canopy::gateway

#pragma once
// A parser for the upstream responses the proxy relays. Its head is kept as
// views into the bytes it parsed (the connection's read buffer) instead of a
// Beast field set, which costs an allocation and a sorted insert per field and
// then a lookup per edit; the proxy writes the head that goes downstream in one
// pass over the views (DownstreamResponseHead). The body is handed out in pieces
// the way Beast's buffer_body does it (body().data/size: where the next bytes
// go and how many fit; need_buffer when that is full).
//
// Guarantees
// - fields(), reason() and their views stay valid while the bytes the head was
//   parsed from are unchanged: until the read buffer is read into again. (A
//   value Beast unfolded from obs-fold lines is not in the buffer; it is copied
//   here, with its folds replaced by spaces as RFC 9112 §5.2 asks of a proxy.)
// - Framing (Content-Length, chunked, keep_alive(), the header and body limits)
//   is Beast's basic_parser's own.

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <forward_list>
#include <span>
#include <string>
#include <string_view>

#include "gateway/http/field_view.hpp"
#include "gateway/http/piece_body_parser.hpp"

namespace canopy::gateway {

class UpstreamResponseParser : public PieceBodyParser<false> {
 public:
  using Field = FieldView;

  UpstreamResponseParser() = default;
  UpstreamResponseParser(const UpstreamResponseParser&) = delete;
  UpstreamResponseParser& operator=(const UpstreamResponseParser&) = delete;

  unsigned status() const noexcept { return status_; }
  std::string_view reason() const noexcept { return reason_; }
  unsigned version() const noexcept { return version_; }  // 10 or 11
  std::span<const Field> fields() const noexcept { return fields_; }

 private:
  void on_request_impl(boost::beast::http::verb, boost::beast::string_view, boost::beast::string_view, int,
                       boost::beast::error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view reason, int version, boost::beast::error_code& ec) override;
  void on_field_impl(boost::beast::http::field id, boost::beast::string_view name, boost::beast::string_view value,
                     boost::beast::error_code& ec) override;

  unsigned status_ = 0;
  unsigned version_ = 11;
  std::string_view reason_;
  boost::container::small_vector<Field, 8> fields_;
  std::forward_list<std::string> unfolded_;  // values that are not in the parsed bytes (rare)
};

}  // namespace canopy::gateway

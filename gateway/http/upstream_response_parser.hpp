#pragma once
// A parser for the upstream responses the proxy relays. Its head is kept as
// views into the bytes it came in (the connection's read buffer), as
// take_response_head() checked and tokenized them in one pass, instead of a
// Beast field set, which costs an allocation and a sorted insert per field and
// then a lookup per edit; the proxy writes the head that goes downstream in one
// pass over the views (DownstreamResponseHead). The body is handed out in pieces
// the way Beast's buffer_body does it (body().data/size: where the next bytes
// go and how many fit; need_buffer when that is full).
//
// Guarantees
// - fields(), reason() and their views stay valid while the bytes the head was
//   parsed from are unchanged: until the read buffer is read into again. (A
//   value unfolded from obs-fold lines is not in the buffer; it is copied
//   here, its folds replaced by spaces as RFC 9112 §5.2 asks of a proxy.)
// - The body is framed as PieceBodyParser says: no body (an answer to HEAD,
//   1xx, 204, 304) or a Content-Length here; chunked, or until the connection
//   ends, by Beast's parser given the fields that frame it as they came.

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <forward_list>
#include <span>
#include <string>
#include <string_view>

#include "gateway/http/connection_options.hpp"
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
  unsigned version() const noexcept { return version_; }  // 10 + the minor version
  std::span<const Field> fields() const noexcept { return fields_; }

  // The head, as take_response_head() reads it.
  void set_status_line(unsigned version, unsigned status, std::string_view reason) noexcept {
    version_ = version;
    status_ = status;
    reason_ = reason;
  }
  void add_field(boost::beast::http::field id, std::string_view name, std::string_view value) {
    fields_.push_back(Field{id, name, value});
  }
  // Appends `more` (an obs-fold's continuation) to the last field's value, with a space.
  void unfold_last_value(std::string_view more);
  // Readies the body's framing (after the status line and fields), with
  // Beast's rules for Content-Length, Transfer-Encoding and Connection; errors
  // are Beast's (bad_content_length, multiple_content_length,
  // bad_transfer_encoding, bad_value).
  boost::system::error_code frame_body();

 private:
  unsigned status_ = 0;
  unsigned version_ = 11;
  std::string_view reason_;
  boost::container::small_vector<Field, 8> fields_;
  std::forward_list<std::string> unfolded_;  // values that are not in the parsed bytes (rare)
};

}  // namespace canopy::gateway

#pragma once
// A client's request: its head as views into the bytes it came in (the
// connection's read buffer), as take_request_head() checked and tokenized them
// in one pass, and its body decoded by Beast's basic_parser. A Beast field set
// would cost an allocation and a sorted insert per field and a free per field
// when the request ends; Beast's own parse of the head would read every byte
// again after the strict check. The body is handed out in pieces the way
// Beast's buffer_body does it (body().data/size: where the next bytes go).
//
// Guarantees
// - method_string(), target(), fields() and their views stay valid while the
//   bytes of the head are unchanged: until the read buffer is read into again
//   (the body's relay, the next request). Whatever outlives that (the access
//   log's method and target) is copied.
// - The body is framed as PieceBodyParser says: counted here, or chunked by
//   Beast's parser given a head that says only that; keep_alive() as Beast's.

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "gateway/http/connection_options.hpp"
#include "gateway/http/field_view.hpp"
#include "gateway/http/piece_body_parser.hpp"

namespace canopy::gateway {

class ClientRequestParser : public PieceBodyParser<true> {
 public:
  using Field = FieldView;

  ClientRequestParser() = default;
  ClientRequestParser(const ClientRequestParser&) = delete;
  ClientRequestParser& operator=(const ClientRequestParser&) = delete;

  boost::beast::http::verb method() const noexcept { return method_; }
  std::string_view method_string() const noexcept { return method_string_; }
  std::string_view target() const noexcept { return target_; }
  unsigned version() const noexcept { return version_; }  // 10 or 11
  std::span<const Field> fields() const noexcept { return fields_; }

  // The head, as take_request_head() reads it.
  void set_request_line(boost::beast::http::verb method, std::string_view method_string, std::string_view target,
                        unsigned version) noexcept {
    method_ = method;
    method_string_ = method_string;
    target_ = target;
    version_ = version;
  }
  void add_field(boost::beast::http::field id, std::string_view name, std::string_view value) {
    fields_.push_back(Field{id, name, value});
  }
  // What the head says of the body and the connection.
  struct Framing {
    std::optional<std::uint64_t> content_length;
    bool chunked = false;
    ConnectionOptions connection;
  };
  // Readies the body's framing (after the request line and fields).
  boost::system::error_code frame_body(const Framing& framing);

  // The first field of that name (any case), or none.
  const Field* find(std::string_view name) const noexcept;
  // The first value of the field, or an empty view (as Beast's fields[]).
  std::string_view operator[](boost::beast::http::field id) const noexcept;
  std::string_view operator[](std::string_view name) const noexcept {
    const Field* field = find(name);
    return field ? field->value : std::string_view();
  }
  // Forgets every field of that name: it goes nowhere from here on.
  void forget(std::string_view name) noexcept;

 private:
  boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
  std::string_view method_string_;
  std::string_view target_;
  unsigned version_ = 11;
  // Inline room for a browser's head; more fields cost one allocation.
  boost::container::small_vector<Field, 16> fields_;
};

}  // namespace canopy::gateway

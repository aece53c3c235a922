#pragma once
// A parser for the requests clients send. Its head is kept as views into the
// bytes it parsed (the connection's read buffer) instead of a Beast field set,
// which costs an allocation and a sorted insert per field, and a free per field
// when the request ends: about half of what a typical browser head of ten
// fields cost to take in. The body is handed out in pieces the way Beast's
// buffer_body does it (body().data/size: where the next bytes go).
//
// Guarantees
// - method_string(), target(), fields() and their views stay valid while the
//   bytes the head was parsed from are unchanged: until the read buffer is read
//   into again (the body's relay, the next request). Whatever outlives that
//   (the access log's method and target) is copied.
// - The head was checked before it was parsed (check_request_head): no field
//   value is folded, so every value is in the parsed bytes. A folded one is
//   refused here all the same (bad_value), never copied or rewritten.
// - Framing (Content-Length, chunked, keep_alive(), the header and body limits)
//   is Beast's basic_parser's own.

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <span>
#include <string_view>

namespace canopy::gateway {

class ClientRequestParser : public boost::beast::http::basic_parser<true> {
 public:
  struct Field {
    boost::beast::http::field id;  // field::unknown for a name Beast has no constant for
    std::string_view name;
    std::string_view value;
  };

  ClientRequestParser() = default;
  ClientRequestParser(const ClientRequestParser&) = delete;
  ClientRequestParser& operator=(const ClientRequestParser&) = delete;

  boost::beast::http::verb method() const noexcept { return method_; }
  std::string_view method_string() const noexcept { return method_string_; }
  std::string_view target() const noexcept { return target_; }
  unsigned version() const noexcept { return version_; }  // 10 or 11
  std::span<const Field> fields() const noexcept { return fields_; }

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

  // Where the next piece of body goes (data, size), as buffer_body's value.
  boost::beast::http::buffer_body::value_type& body() noexcept { return body_; }

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_string,
                       boost::beast::string_view target, int version, boost::beast::error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {}
  void on_field_impl(boost::beast::http::field id, boost::beast::string_view name, boost::beast::string_view value,
                     boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override { ec = {}; }
  void on_body_init_impl(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) override { ec = {}; }
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, boost::beast::error_code& ec) override {
    ec = {};
  }
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code& ec) override { ec = {}; }

  boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
  std::string_view method_string_;
  std::string_view target_;
  unsigned version_ = 11;
  // Inline room for a browser's head; more fields cost one allocation.
  boost::container::small_vector<Field, 16> fields_;
  boost::beast::http::buffer_body::value_type body_{};
};

}  // namespace canopy::gateway

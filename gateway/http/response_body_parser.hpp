#pragma once
// A parser for responses read whole whose fields go nowhere (the fan-out's
// backend answers): the status and the body, in a string. Not keeping the
// fields spares a Beast field set, an allocation and a sorted insert per field.
// Framing, keep_alive() and body_limit() are Beast's basic_parser's own.

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>

namespace canopy::gateway {

class ResponseBodyParser : public boost::beast::http::basic_parser<false> {
 public:
  ResponseBodyParser() = default;
  ResponseBodyParser(const ResponseBodyParser&) = delete;
  ResponseBodyParser& operator=(const ResponseBodyParser&) = delete;

  unsigned status() const noexcept { return status_; }
  std::string& body() noexcept { return body_; }

 private:
  void on_request_impl(boost::beast::http::verb, boost::beast::string_view, boost::beast::string_view, int,
                       boost::beast::error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int, boost::beast::error_code& ec) override {
    status_ = static_cast<unsigned>(code);
    ec = {};
  }
  void on_field_impl(boost::beast::http::field, boost::beast::string_view, boost::beast::string_view,
                     boost::beast::error_code& ec) override {
    ec = {};
  }
  void on_header_impl(boost::beast::error_code& ec) override { ec = {}; }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) override {
    if (length) body_.reserve(static_cast<std::size_t>(*length));  // Beast checked it against body_limit()
    ec = {};
  }
  std::size_t on_body_impl(boost::beast::string_view piece, boost::beast::error_code& ec) override {
    body_.append(piece.data(), piece.size());
    ec = {};
    return piece.size();
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, boost::beast::error_code& ec) override {
    ec = {};
  }
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view piece,
                                 boost::beast::error_code& ec) override {
    return on_body_impl(piece, ec);
  }
  void on_finish_impl(boost::beast::error_code& ec) override { ec = {}; }

  unsigned status_ = 0;
  std::string body_;
};

}  // namespace canopy::gateway

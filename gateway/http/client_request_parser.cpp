#include "gateway/http/client_request_parser.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <algorithm>

#include "gateway/http/body_piece.hpp"

namespace canopy::gateway {

namespace http = boost::beast::http;

void ClientRequestParser::on_request_impl(http::verb method, boost::beast::string_view method_string,
                                          boost::beast::string_view target, int version,
                                          boost::beast::error_code& ec) {
  method_ = method;
  method_string_ = method_string;
  target_ = target;
  version_ = static_cast<unsigned>(version);
  ec = {};
}

void ClientRequestParser::on_field_impl(http::field id, boost::beast::string_view name,
                                        boost::beast::string_view value, boost::beast::error_code& ec) {
  // Beast hands out a value with obs-fold in a buffer of its own, gone after
  // this call; a value in the parsed bytes starts after the colon and blanks.
  const char* at = name.data() + name.size() + 1;
  while (at < value.data() && (*at == ' ' || *at == '\t')) ++at;
  if (!value.empty() && at != value.data()) {
    ec = http::error::bad_value;
    return;
  }
  fields_.push_back(Field{id, name, value});
  ec = {};
}

std::string_view ClientRequestParser::operator[](http::field id) const noexcept {
  const auto it = std::find_if(fields_.begin(), fields_.end(), [&](const Field& f) { return f.id == id; });
  return it == fields_.end() ? std::string_view() : it->value;
}

const ClientRequestParser::Field* ClientRequestParser::find(std::string_view name) const noexcept {
  const auto it =
      std::find_if(fields_.begin(), fields_.end(), [&](const Field& f) { return boost::beast::iequals(f.name, name); });
  return it == fields_.end() ? nullptr : &*it;
}

void ClientRequestParser::forget(std::string_view name) noexcept {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Field& f) { return boost::beast::iequals(f.name, name); }),
                fields_.end());
}

std::size_t ClientRequestParser::on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) {
  return fill_body_piece(body_, body, ec);
}

std::size_t ClientRequestParser::on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                                    boost::beast::error_code& ec) {
  return fill_body_piece(body_, body, ec);
}

}  // namespace canopy::gateway

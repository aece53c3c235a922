#include "gateway/http/client_request_parser.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <algorithm>
#include <charconv>

namespace canopy::gateway {

namespace http = boost::beast::http;

boost::system::error_code ClientRequestParser::frame_body(const Framing& framing) {
  // Room for all of it at once: the request line, both Connection options,
  // Transfer-Encoding and a Content-Length of 20 digits take 127 bytes.
  char head[128];
  char* out = head;
  const auto append = [&](std::string_view text) { out = std::copy(text.begin(), text.end(), out); };
  append(version_ == 10 ? "GET / HTTP/1.0\r\n" : "GET / HTTP/1.1\r\n");
  if (framing.close) append("Connection: close\r\n");
  if (framing.keep_alive) append("Connection: keep-alive\r\n");
  if (framing.chunked) append("Transfer-Encoding: chunked\r\n");
  if (framing.content_length) {
    append("Content-Length: ");
    out = std::to_chars(out, head + sizeof head, *framing.content_length).ptr;
    append("\r\n");
  }
  append("\r\n");
  boost::system::error_code ec;
  this->put(boost::asio::buffer(head, static_cast<std::size_t>(out - head)), ec);
  if (!ec && !is_header_done()) ec = http::error::partial_message;
  return ec;
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

}  // namespace canopy::gateway

#include "gateway/http/client_request_parser.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <algorithm>

namespace canopy::gateway {

namespace http = boost::beast::http;

boost::system::error_code ClientRequestParser::frame_body(const Framing& framing) {
  if (!framing.chunked) {
    frame_by_length(framing.content_length.value_or(0), framing.connection.keep_alive_for(version_));
    return {};
  }
  // Room for all of it at once: the request line, both Connection options and
  // Transfer-Encoding take 79 bytes.
  char head[96];
  char* out = head;
  const auto append = [&](std::string_view text) { out = std::copy(text.begin(), text.end(), out); };
  append(version_ == 10 ? "GET / HTTP/1.0\r\n" : "GET / HTTP/1.1\r\n");
  if (framing.connection.close) append("Connection: close\r\n");
  if (framing.connection.keep_alive) append("Connection: keep-alive\r\n");
  append("Transfer-Encoding: chunked\r\n\r\n");
  return frame_by_beast(std::string_view(head, static_cast<std::size_t>(out - head)));
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

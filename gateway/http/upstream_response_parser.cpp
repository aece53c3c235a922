#include "gateway/http/upstream_response_parser.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <algorithm>
#include <charconv>
#include <optional>

#include "gateway/http/char_classes.hpp"

namespace canopy::gateway {

namespace http = boost::beast::http;

namespace {

bool frames_the_message(http::field id) {
  switch (id) {
    case http::field::connection:
    case http::field::proxy_connection:
    case http::field::content_length:
    case http::field::transfer_encoding:
    case http::field::upgrade: return true;
    default: return false;
  }
}

// A Content-Length value, as Beast takes it: one length or a list of equal
// ones ("5, 5"), equal to what earlier Content-Length fields said (`length`).
boost::system::error_code take_content_length(std::string_view value, std::optional<std::uint64_t>& length) {
  while (true) {
    const auto comma = value.find(',');
    const auto element = trim_ows(value.substr(0, comma));
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(element.data(), element.data() + element.size(), n);
    if (element.empty() || ec != std::errc() || end != element.data() + element.size()) {
      return http::error::bad_content_length;
    }
    if (length && *length != n) return http::error::multiple_content_length;
    length = n;
    if (comma == std::string_view::npos) return {};
    value.remove_prefix(comma + 1);
  }
}

// Whether the last coding a Transfer-Encoding value lists is chunked.
bool last_coding_is_chunked(std::string_view value) {
  const auto comma = value.rfind(',');
  auto last = trim_ows(comma == std::string_view::npos ? value : value.substr(comma + 1));
  last = last.substr(0, last.find(';'));
  return boost::beast::iequals(trim_ows(last), "chunked");
}

}  // namespace

void UpstreamResponseParser::unfold_last_value(std::string_view more) {
  Field& last = fields_.back();
  std::string& unfolded = unfolded_.emplace_front(last.value);
  if (!unfolded.empty() && !more.empty()) unfolded += ' ';
  unfolded += more;
  last.value = unfolded;
}

boost::system::error_code UpstreamResponseParser::frame_body() {
  // Beast's rules, field by field in order (basic_parser::do_field).
  ConnectionOptions connection;
  std::optional<std::uint64_t> length;
  bool chunked = false;
  for (const auto& field : fields_) {
    if (field.id == http::field::connection || field.id == http::field::proxy_connection) {
      if (!connection.take(field.value)) return http::error::bad_value;
    } else if (field.id == http::field::content_length) {
      if (chunked) return http::error::bad_content_length;
      if (const auto ec = take_content_length(field.value, length)) return ec;
    } else if (field.id == http::field::transfer_encoding) {
      if (chunked || length) return http::error::bad_transfer_encoding;
      chunked = last_coding_is_chunked(field.value);
    }
  }
  const bool bodiless = skipping() || status_ / 100 == 1 || status_ == 204 || status_ == 304;
  if (bodiless || length) {
    frame_by_length(bodiless ? 0 : *length, connection.keep_alive_for(version_));
    return {};
  }
  // Chunked, or until the connection ends: "HTTP/1.1 200 R\r\n", the fields that
  // frame it as they came, and the blank line.
  std::size_t size = 16 + 2;
  for (const auto& field : fields_) {
    if (frames_the_message(field.id)) size += field.name.size() + 2 + field.value.size() + 2;
  }
  char small[512];
  std::string large;
  char* const head = size <= sizeof small ? small : (large.resize(size), large.data());
  char* out = head;
  const auto append = [&](std::string_view text) { out = std::copy(text.begin(), text.end(), out); };
  append("HTTP/1.");
  *out++ = static_cast<char>('0' + version_ % 10);
  *out++ = ' ';
  *out++ = static_cast<char>('0' + status_ / 100 % 10);
  *out++ = static_cast<char>('0' + status_ / 10 % 10);
  *out++ = static_cast<char>('0' + status_ % 10);
  append(" R\r\n");
  for (const auto& field : fields_) {
    if (!frames_the_message(field.id)) continue;
    append(field.name);
    append(": ");
    append(field.value);
    append("\r\n");
  }
  append("\r\n");
  return frame_by_beast(std::string_view(head, static_cast<std::size_t>(out - head)));
}

}  // namespace canopy::gateway

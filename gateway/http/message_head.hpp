#pragma once
// The head of an HTTP/1 message as it goes on the wire (start line, fields,
// blank line), written into one contiguous buffer. A relay sends it in the same
// write as the first piece of body; Beast's serializer would hand the socket one
// buffer per field and walk them all again on every partial write.

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace canopy::gateway {

// Bytes write_head() writes for this head.
std::size_t head_wire_size(const boost::beast::http::request_header<>& head);
std::size_t head_wire_size(const boost::beast::http::response_header<>& head);

// One field line, "name: value\r\n": its size, and writing it at `out` (returns the end).
constexpr std::size_t field_wire_size(std::string_view name, std::string_view value) noexcept {
  return name.size() + 2 + value.size() + 2;
}
char* write_field(std::string_view name, std::string_view value, char* out) noexcept;

// Copies `text` to `out`; returns the end.
inline char* write_text(char* out, std::string_view text) noexcept {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

// Whether two field names are the same name (RFC 9110: case-insensitive).
inline bool same_field_name(std::string_view name, std::string_view other) noexcept {
  return name.size() == other.size() && boost::beast::iequals(name, other);
}

// Writes the head at `out` (head_wire_size() bytes) and returns the end.
char* write_head(const boost::beast::http::request_header<>& head, char* out);
char* write_head(const boost::beast::http::response_header<>& head, char* out);

// A wire head (size() and write(char*): UpstreamRequestHead, DownstreamResponseHead)
// as one string: for a message whose body is already in memory.
template <typename WireHead>
std::string wire_text(const WireHead& head) {
  std::string text(head.size(), '\0');
  head.write(text.data());
  return text;
}

// A Beast head as one string: for messages whose body is already in memory.
std::string head_text(const boost::beast::http::request_header<>& head);
std::string head_text(const boost::beast::http::response_header<>& head);

}  // namespace canopy::gateway

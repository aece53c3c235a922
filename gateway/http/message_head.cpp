#include "gateway/http/message_head.hpp"

#include <cstring>
#include <string_view>

namespace canopy::gateway {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::size_t version_size = 8;  // HTTP/1.1

char* put_version(char* out, unsigned version) {
  out = write_text(out, "HTTP/");
  *out++ = static_cast<char>('0' + version / 10 % 10);
  *out++ = '.';
  *out++ = static_cast<char>('0' + version % 10);
  return out;
}

std::size_t fields_wire_size(const http::fields& fields) {
  std::size_t size = crlf.size();  // the blank line
  for (const auto& field : fields) size += field_wire_size(field.name_string(), field.value());
  return size;
}

char* put_fields(char* out, const http::fields& fields) {
  for (const auto& field : fields) out = write_field(field.name_string(), field.value(), out);
  return write_text(out, crlf);
}

std::string_view reason_of(const http::response_header<>& head) {
  const std::string_view reason = head.reason();
  return reason.empty() ? std::string_view(http::obsolete_reason(head.result())) : reason;
}

}  // namespace

char* write_field(std::string_view name, std::string_view value, char* out) noexcept {
  out = write_text(out, name);
  out = write_text(out, ": ");
  out = write_text(out, value);
  return write_text(out, crlf);
}

std::size_t head_wire_size(const http::request_header<>& head) {
  return head.method_string().size() + 1 + head.target().size() + 1 + version_size + crlf.size() +
         fields_wire_size(head);
}

std::size_t head_wire_size(const http::response_header<>& head) {
  return version_size + 1 + 3 + 1 + reason_of(head).size() + crlf.size() + fields_wire_size(head);
}

char* write_head(const http::request_header<>& head, char* out) {
  out = write_text(out, head.method_string());
  *out++ = ' ';
  out = write_text(out, head.target());
  *out++ = ' ';
  out = put_version(out, head.version());
  out = write_text(out, crlf);
  return put_fields(out, head);
}

char* write_head(const http::response_header<>& head, char* out) {
  out = put_version(out, head.version());
  *out++ = ' ';
  const unsigned status = head.result_int() % 1000;
  *out++ = static_cast<char>('0' + status / 100);
  *out++ = static_cast<char>('0' + status / 10 % 10);
  *out++ = static_cast<char>('0' + status % 10);
  *out++ = ' ';
  out = write_text(out, reason_of(head));
  out = write_text(out, crlf);
  return put_fields(out, head);
}

namespace {

template <bool isRequest>
std::string head_text_of(const http::header<isRequest>& head) {
  std::string text(head_wire_size(head), '\0');
  write_head(head, text.data());
  return text;
}

}  // namespace

std::string head_text(const http::request_header<>& head) { return head_text_of(head); }
std::string head_text(const http::response_header<>& head) { return head_text_of(head); }

}  // namespace canopy::gateway

#pragma once
// Appends one JSON object to a string, field by field, without building a
// document first: for log lines on the hot path.

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace canopy::gateway {

class JsonText {
 public:
  explicit JsonText(std::string& out) noexcept : out_(out) {}

  void begin() { out_ += '{'; }
  void end_line() { out_ += "}\n"; }

  void field(std::string_view key, std::string_view value) {
    name(key);
    out_ += '"';
    escaped(value);
    out_ += '"';
  }
  void field(std::string_view key, std::uint64_t value) {
    name(key);
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    out_.append(digits, end);
  }
  void field(std::string_view key, unsigned value) { field(key, static_cast<std::uint64_t>(value)); }

 private:
  void name(std::string_view key) {
    out_ += first_ ? "\"" : ",\"";
    first_ = false;
    out_ += key;
    out_ += "\":";
  }
  // RFC 8259: quote, backslash and control characters are escaped.
  void escaped(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (byte < 0x20) {
        out_ += "\\u00";
        out_ += hex[byte >> 4];
        out_ += hex[byte & 0xf];
      } else {
        out_ += c;
      }
    }
  }

  std::string& out_;
  bool first_ = true;
};

}  // namespace canopy::gateway

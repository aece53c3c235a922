#pragma once
// Appends one JSON object to a string, field by field, without building a
// document first: for log lines on the hot path.

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace canopy::gateway {

// Appends `text` as the inside of a JSON string. RFC 8259: quote, backslash and
// control characters are escaped; runs of characters that need none are
// appended whole.
inline void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (c != '"' && c != '\\' && byte >= 0x20) continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    if (byte < 0x20) {
      const char escape[] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 0xf]};
      out.append(escape, sizeof escape);
    } else {
      const char escape[] = {'\\', c};
      out.append(escape, sizeof escape);
    }
  }
  out.append(text.data() + run, text.size() - run);
}

class JsonText {
 public:
  explicit JsonText(std::string& out) noexcept : out_(out) {}

  void begin() { out_ += '{'; }
  void end_line() { out_ += "}\n"; }

  void field(std::string_view key, std::string_view value) {
    name(key);
    out_ += '"';
    append_json_escaped(out_, value);
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
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_.append(key);
    out_.append("\":", 2);
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace canopy::gateway

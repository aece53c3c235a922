#pragma once
// Appends one JSON object to a string, field by field, without building a
// document first: for log lines on the hot path.

#include <charconv>
#include <cstring>
#include <cstdint>
#include <string>
#include <string_view>

namespace canopy::gateway {

// How many leading bytes of `text` need no escape in a JSON string (RFC 8259:
// everything but quote, backslash and control characters). Log fields are
// almost always clean, so this checks eight bytes at a time.
inline std::size_t json_clean_prefix(std::string_view text) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  // Non-zero if some byte of x is below n (n <= 0x80); exact for the word as a whole.
  constexpr auto has_byte_below = [](std::uint64_t x, std::uint64_t n) { return (x - ones * n) & ~x & highs; };
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    const auto quote = has_byte_below(word ^ (ones * '"'), 1);
    const auto backslash = has_byte_below(word ^ (ones * '\\'), 1);
    if (has_byte_below(word, 0x20) | quote | backslash) break;
  }
  for (; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '"' || byte == '\\' || byte < 0x20) break;
  }
  return i;
}

// Appends `text` as the inside of a JSON string: quote, backslash and control
// characters escaped, runs of characters that need none appended whole.
inline void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  while (!text.empty()) {
    const std::size_t clean = json_clean_prefix(text);
    out.append(text.data(), clean);
    if (clean == text.size()) return;
    const auto byte = static_cast<unsigned char>(text[clean]);
    if (byte < 0x20) {
      const char escape[] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 0xf]};
      out.append(escape, sizeof escape);
    } else {
      const char escape[] = {'\\', static_cast<char>(byte)};
      out.append(escape, sizeof escape);
    }
    text.remove_prefix(clean + 1);
  }
}

class JsonText {
 public:
  explicit JsonText(std::string& out) noexcept : out_(out) {}

  void begin() { out_ += '{'; }
  void end_line() { out_ += "}\n"; }

  void field(std::string_view key, std::string_view value) {
    const std::size_t clean = json_clean_prefix(value);
    if (clean < value.size()) {  // rare: something to escape
      write(name_size(key, "\":\""), [&](char* at) { return name(at, key, "\":\""); });
      append_json_escaped(out_, value);
      out_ += '"';
      return;
    }
    write(name_size(key, "\":\"") + value.size() + 1, [&](char* at) {
      at = name(at, key, "\":\"");
      at = copy(at, value);
      *at++ = '"';
      return at;
    });
  }
  void field(std::string_view key, std::uint64_t value) {
    write(name_size(key, "\":") + 20, [&](char* at) {
      at = name(at, key, "\":");
      return std::to_chars(at, at + 20, value).ptr;
    });
  }
  void field(std::string_view key, unsigned value) { field(key, static_cast<std::uint64_t>(value)); }

 private:
  // Grows the text by at most `most` bytes, written by put(start) -> end, in
  // one resize rather than an append per piece (a line has a dozen fields).
  template <typename Put>
  void write(std::size_t most, Put put) {
    const std::size_t before = out_.size();
    out_.resize(before + most);
    char* const end = put(out_.data() + before);
    out_.resize(static_cast<std::size_t>(end - out_.data()));
  }
  static char* copy(char* at, std::string_view text) noexcept {
    std::memcpy(at, text.data(), text.size());
    return at + text.size();
  }
  // `,"key` then `then` (the colon, and the value's opening quote if it has one).
  static constexpr std::size_t name_size(std::string_view key, std::string_view then) noexcept {
    return 2 + key.size() + then.size();
  }
  char* name(char* at, std::string_view key, std::string_view then) noexcept {
    if (!first_) *at++ = ',';
    first_ = false;
    *at++ = '"';
    return copy(copy(at, key), then);
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace canopy::gateway

#pragma once
// Appends one JSON object to a string, field by field, without building a
// document first: for log lines on the hot path.

#include <charconv>
#include <cstring>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/http/byte_words.hpp"

namespace canopy::gateway {

// How many leading bytes of `text` need no escape in a JSON string (RFC 8259:
// everything but quote, backslash and control characters). Log fields are
// almost always clean, so this checks eight bytes at a time.
inline std::size_t json_clean_prefix(std::string_view text) noexcept {
  using namespace byte_words;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    const std::uint64_t word = load(text.data() + i);
    if (has_byte_below(word, 0x20) | has_byte(word, '"') | has_byte(word, '\\')) break;
  }
  for (; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '"' || byte == '\\' || byte < 0x20) break;
  }
  return i;
}

// Bytes `text` takes at most once escaped (a control character becomes \u00XX).
constexpr std::size_t json_escaped_size_bound(std::string_view text) noexcept { return 6 * text.size(); }

// Writes `text` at `at` as the inside of a JSON string (quote, backslash and
// control characters escaped; runs that need none copied whole) and returns the
// end; `at` has room for json_escaped_size_bound(text) bytes.
inline char* write_json_escaped(char* at, std::string_view text) noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  while (!text.empty()) {
    const std::size_t clean = json_clean_prefix(text);
    std::memcpy(at, text.data(), clean);
    at += clean;
    if (clean == text.size()) break;
    const auto byte = static_cast<unsigned char>(text[clean]);
    *at++ = '\\';
    if (byte < 0x20) {
      const char escape[] = {'u', '0', '0', hex[byte >> 4], hex[byte & 0xf]};
      std::memcpy(at, escape, sizeof escape);
      at += sizeof escape;
    } else {
      *at++ = static_cast<char>(byte);
    }
    text.remove_prefix(clean + 1);
  }
  return at;
}

inline void append_json_escaped(std::string& out, std::string_view text) {
  const std::size_t before = out.size();
  out.resize(before + json_escaped_size_bound(text));
  out.resize(static_cast<std::size_t>(write_json_escaped(out.data() + before, text) - out.data()));
}

// One JSON object appended to `out`, field by field. The text grows in steps of
// a line's usual size rather than once per field (a line has a dozen fields and
// each std::string growth is a call that checks and fills); whatever was grown
// and not written is cut off by end_line() (or when the JsonText ends without
// one), so `out` holds no unwritten bytes once a line is done.
class JsonText {
 public:
  explicit JsonText(std::string& out) noexcept : out_(out), end_(out.size()) {}
  ~JsonText() {
    if (!ended_) out_.resize(end_);  // after end_line() `out` is the caller's again
  }
  JsonText(const JsonText&) = delete;
  JsonText& operator=(const JsonText&) = delete;

  void begin() { *room(1) = '{'; ++end_; }
  void end_line() {
    char* at = room(2);
    at[0] = '}';
    at[1] = '\n';
    end_ += 2;
    out_.resize(end_);
    ended_ = true;
  }

  [[gnu::always_inline]] void field(std::string_view key, std::string_view value) {
    const std::size_t clean = json_clean_prefix(value);  // usually all of it
    const auto rest = value.substr(clean);
    char* at = name(room(name_size(key, 3) + clean + json_escaped_size_bound(rest) + 1), key, "\":\"");
    if (clean > 0) std::memcpy(at, value.data(), clean);
    at = write_json_escaped(at + clean, rest);
    *at++ = '"';
    end_ = static_cast<std::size_t>(at - out_.data());
  }
  [[gnu::always_inline]] void field(std::string_view key, std::uint64_t value) {
    char* at = name(room(name_size(key, 2) + 20), key, "\":");
    end_ = static_cast<std::size_t>(std::to_chars(at, at + 20, value).ptr - out_.data());
  }
  void field(std::string_view key, unsigned value) { field(key, static_cast<std::uint64_t>(value)); }

 private:
  static constexpr std::size_t usual_line_bytes = 512;

  // Room for `most` bytes at the end of what is written.
  [[gnu::always_inline]] char* room(std::size_t most) {
    if (out_.size() - end_ < most) [[unlikely]] grow(most);
    return out_.data() + end_;
  }
  [[gnu::noinline]] void grow(std::size_t most) { out_.resize(end_ + most + usual_line_bytes); }
  // `,"key` and `then` (the colon, and the value's opening quote if it has one).
  static constexpr std::size_t name_size(std::string_view key, std::size_t then) noexcept {
    return 2 + key.size() + then;
  }
  char* name(char* at, std::string_view key, std::string_view then) noexcept {
    if (!first_) *at++ = ',';
    first_ = false;
    *at++ = '"';
    std::memcpy(at, key.data(), key.size());
    at += key.size();
    std::memcpy(at, then.data(), then.size());
    return at + then.size();
  }

  std::string& out_;
  std::size_t end_;  // what is written; out_ may be longer (room not yet used)
  bool first_ = true;
  bool ended_ = false;
};

}  // namespace canopy::gateway

#pragma once
// RFC 9110's character classes for checking message heads, one table lookup per
// byte: tokens (methods, field names, Connection options), visible characters
// (request targets), field values (and reason phrases). None of them holds a
// control character but the tab: a head whose every part is checked against
// them has no NUL and no bare CR left to look for.

#include <array>
#include <cstdint>
#include <string_view>

#include "gateway/http/byte_words.hpp"

namespace canopy::gateway {

enum CharClass : unsigned char { token_char = 1, visible_char = 2, field_value_char = 4 };

inline constexpr std::array<unsigned char, 256> char_classes = [] {
  std::array<unsigned char, 256> classes{};
  for (unsigned c = 0; c < 256; ++c) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool visible = c >= 0x21 && c <= 0x7e;
    if (alnum || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      classes[c] |= token_char;
    }
    if (visible) classes[c] |= visible_char;
    if (c == '\t' || c == ' ' || visible || c >= 0x80) classes[c] |= field_value_char;
  }
  return classes;
}();

inline bool all_of_class(std::string_view text, CharClass wanted) noexcept {
  for (const char c : text) {
    if ((char_classes[static_cast<unsigned char>(c)] & wanted) == 0) return false;
  }
  return true;
}

// How many leading bytes of `text` are token characters (a field name runs up to its colon).
inline std::size_t token_prefix(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size() && (char_classes[static_cast<unsigned char>(text[i])] & token_char) != 0) ++i;
  return i;
}

// A field value: all_of_class(value, field_value_char), eight bytes at a time
// where no byte is below 0x20 or DEL (what a value may not hold but a tab);
// values are the long part of a head (User-Agent, Cookie, Authorization).
inline bool is_field_value(std::string_view value) noexcept {
  using namespace byte_words;
  std::size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    const std::uint64_t word = load(value.data() + i);
    if (has_byte_below(word, 0x20) | has_byte(word, 0x7f)) break;  // a tab, or something to refuse: byte by byte
  }
  return all_of_class(value.substr(i), field_value_char);
}

// Without leading and trailing spaces and tabs (RFC 9110's OWS).
inline std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace canopy::gateway

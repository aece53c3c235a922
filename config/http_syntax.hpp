#pragma once
// What HTTP allows in the names and values the config puts on the wire. Internal to config/.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace canopy::config {

// RFC 9110 token: method and header names.
inline bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

inline bool is_header_value(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](unsigned char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// A request target in origin form: "/path?query", visible ASCII only.
inline bool is_origin_form(std::string_view s) {
  return !s.empty() && s.front() == '/' &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace canopy::config

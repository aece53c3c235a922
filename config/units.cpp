#include "config/units.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace canopy::config {
namespace {

struct Number {
  double value;
  std::string_view unit;
};

std::optional<Number> split_number(std::string_view text) {
  std::size_t digits = 0;
  bool seen_point = false;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) ||
                                  (text[digits] == '.' && !seen_point))) {
    seen_point = seen_point || text[digits] == '.';
    ++digits;
  }
  if (digits == 0 || text[0] == '.' || text[digits - 1] == '.') return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (ec != std::errc() || end != text.data() + digits) return std::nullopt;
  return Number{value, text.substr(digits)};
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  auto number = split_number(text);
  if (!number) return std::nullopt;
  static constexpr std::pair<std::string_view, double> units[] = {
      {"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
  };
  for (auto [unit, nanos] : units) {
    if (number->unit != unit) continue;
    const double total = number->value * nanos;
    if (total > static_cast<double>(std::numeric_limits<Duration::rep>::max())) return std::nullopt;
    return Duration(static_cast<Duration::rep>(std::llround(total)));
  }
  return std::nullopt;
}

std::optional<std::size_t> parse_size(std::string_view text) {
  auto number = split_number(text);
  if (!number) return std::nullopt;
  static constexpr std::pair<std::string_view, double> units[] = {
      {"", 1},   {"B", 1},     {"KB", 1e3},     {"MB", 1e6},       {"GB", 1e9},
      {"KiB", 1024}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024},
  };
  for (auto [unit, bytes] : units) {
    if (number->unit != unit) continue;
    const double total = number->value * bytes;
    if (total != std::floor(total) || total > static_cast<double>(std::numeric_limits<std::size_t>::max() / 2)) {
      return std::nullopt;
    }
    return static_cast<std::size_t>(total);
  }
  return std::nullopt;
}

std::optional<Address> parse_address(std::string_view text) {
  std::string_view host, port;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty() || port.empty()) return std::nullopt;
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '_')) {
      return std::nullopt;
    }
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value > 65535) return std::nullopt;
  return Address{std::string(host), static_cast<std::uint16_t>(value)};
}

std::string format_duration(Duration d) {
  static constexpr std::pair<const char*, Duration::rep> units[] = {
      {"h", 3'600'000'000'000}, {"m", 60'000'000'000}, {"s", 1'000'000'000}, {"ms", 1'000'000}, {"us", 1'000},
  };
  const auto n = d.count();
  for (auto [unit, size] : units) {
    if (n != 0 && n % size == 0) return std::to_string(n / size) + unit;
  }
  return std::to_string(n) + "ns";
}

std::string to_string(const Address& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

}  // namespace canopy::config

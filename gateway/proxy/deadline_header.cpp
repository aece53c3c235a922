#include "gateway/proxy/deadline_header.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace canopy::gateway {

namespace {

std::string grpc_timeout_value(std::chrono::milliseconds left) {
  // At most 8 digits: milliseconds up to ~27 hours, seconds beyond.
  if (left.count() < 100'000'000) return std::to_string(left.count()) + "m";
  return std::to_string(std::min<long long>(99'999'999, left.count() / 1000)) + "S";
}

}  // namespace

std::string_view deadline_header_name(config::DeadlineHeader header) noexcept {
  return header == config::DeadlineHeader::canopy ? deadline_header : grpc_timeout_header;
}

std::chrono::milliseconds deadline_time_left(core::Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - core::Clock::now()));
}

std::string deadline_header_value(config::DeadlineHeader header, std::chrono::milliseconds left) {
  return header == config::DeadlineHeader::canopy ? std::to_string(left.count()) : grpc_timeout_value(left);
}

std::optional<core::Clock::duration> parse_grpc_timeout(std::string_view value) noexcept {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  long long n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size() - 1, n);
  if (ec != std::errc() || end != value.data() + value.size() - 1 || n < 0) return std::nullopt;
  switch (value.back()) {
    case 'H': return std::chrono::hours(n);
    case 'M': return std::chrono::minutes(n);
    case 'S': return std::chrono::seconds(n);
    case 'm': return std::chrono::milliseconds(n);
    case 'u': return std::chrono::microseconds(n);
    case 'n': return std::chrono::nanoseconds(n);
    default: return std::nullopt;
  }
}

std::optional<core::Clock::time_point> requested_deadline(std::string_view deadline_value,
                                                          std::string_view grpc_timeout_value,
                                                          core::Clock::time_point now) {
  std::optional<core::Clock::time_point> earliest;
  auto consider = [&](core::Clock::time_point t) { earliest = earliest ? std::min(*earliest, t) : t; };
  if (const std::string_view value = deadline_value; !value.empty()) {
    long long ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec == std::errc() && end == value.data() + value.size() && ms >= 0) consider(now + std::chrono::milliseconds(ms));
  }
  if (!grpc_timeout_value.empty()) {
    if (auto timeout = parse_grpc_timeout(grpc_timeout_value)) consider(now + *timeout);
  }
  return earliest;
}

}  // namespace canopy::gateway

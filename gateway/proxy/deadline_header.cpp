#include "gateway/proxy/deadline_header.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace canopy::gateway {

void set_deadline_header(boost::beast::http::fields& fields, core::Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - core::Clock::now()).count();
  fields.set(deadline_header, std::to_string(std::max<long long>(1, left)));
}

std::optional<core::Clock::time_point> requested_deadline(const boost::beast::http::fields& fields,
                                                          core::Clock::time_point now) {
  const auto it = fields.find(deadline_header);
  if (it == fields.end()) return std::nullopt;
  const std::string_view value = it->value();
  long long ms = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
  if (ec != std::errc() || end != value.data() + value.size() || ms < 0) return std::nullopt;
  return now + std::chrono::milliseconds(ms);
}

}  // namespace canopy::gateway

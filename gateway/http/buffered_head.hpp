#pragma once
// Where a message head ends in what a read buffer holds: the bytes up to and
// with the blank line, or nothing yet. `scanned` (0 at first) carries how far
// earlier calls looked, so that each byte is searched about once however the
// head trickles in.

#include <boost/beast/core/flat_buffer.hpp>
#include <optional>
#include <string_view>

namespace canopy::gateway {

inline std::optional<std::string_view> buffered_head(const boost::beast::flat_buffer& buffer, std::size_t& scanned) {
  const std::string_view seen(static_cast<const char*>(buffer.cdata().data()), buffer.size());
  const auto end = seen.find("\r\n\r\n", scanned > 3 ? scanned - 3 : 0);
  scanned = seen.size();
  if (end == std::string_view::npos) return std::nullopt;
  return seen.substr(0, end + 4);
}

}  // namespace canopy::gateway

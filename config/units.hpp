#pragma once
// The value syntaxes of Canopy's TOML: durations ("150ms", "2s", "1m"), sizes
// ("64KiB", "10MB", 512) and addresses ("127.0.0.1:9001", "[::1]:80",
// "localhost:8080"). Each parser returns nullopt on bad input; the caller adds
// the place and the key to the message.

#include <optional>
#include <string_view>

#include "config/config.hpp"

namespace canopy::config {

// <number><unit> with unit one of ns, us, ms, s, m, h; the number may have a fraction.
std::optional<Duration> parse_duration(std::string_view text);

// <number><unit> with unit one of B, KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024).
std::optional<std::size_t> parse_size(std::string_view text);

// host:port, [ipv6]:port. The port is required (0 is allowed: any free port).
std::optional<Address> parse_address(std::string_view text);

// "1.5s", "150ms": the shortest exact spelling, for messages and /config.
std::string format_duration(Duration d);

}  // namespace canopy::config

#pragma once
// Deadline propagation: every upstream call carries the time left, so that an
// upstream (or another Canopy) need not work past the moment nobody waits for
// its answer. Per upstream, as X-Canopy-Deadline-Ms (milliseconds) and/or gRPC's
// grpc-timeout ("250m", "3S"). A trusted client's header can shorten a route's
// deadline, never lengthen it.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/clock.hpp"

namespace canopy::gateway {

inline constexpr std::string_view deadline_header = "X-Canopy-Deadline-Ms";
inline constexpr std::string_view grpc_timeout_header = "grpc-timeout";

std::string_view deadline_header_name(config::DeadlineHeader header) noexcept;

// The time left until `deadline` in whole milliseconds, at least 1 (a deadline
// already past still says 1: 0 reads as "none" to some upstreams). Taken once
// per request so that every header of it says the same.
std::chrono::milliseconds deadline_time_left(core::Clock::time_point deadline);

// The header's value for `left` (from deadline_time_left).
std::string deadline_header_value(config::DeadlineHeader header, std::chrono::milliseconds left);

// The earliest deadline the request's headers ask for, if they carry a valid
// one: the values of its deadline_header and grpc_timeout_header (empty: none).
std::optional<core::Clock::time_point> requested_deadline(std::string_view deadline_value,
                                                          std::string_view grpc_timeout_value,
                                                          core::Clock::time_point now);

// grpc-timeout's value ("<up to 8 digits><H|M|S|m|u|n>") as a duration.
std::optional<core::Clock::duration> parse_grpc_timeout(std::string_view value) noexcept;

}  // namespace canopy::gateway

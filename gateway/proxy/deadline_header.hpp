#pragma once
// Deadline propagation: every upstream call carries the time left in
// X-Canopy-Deadline-Ms, so that an upstream (or another Canopy) need not work
// past the moment nobody waits for its answer. A trusted client's header can
// shorten a route's deadline, never lengthen it.

#include <boost/beast/http/fields.hpp>
#include <optional>
#include <string_view>

#include "core/clock.hpp"

namespace canopy::gateway {

inline constexpr std::string_view deadline_header = "X-Canopy-Deadline-Ms";

// Sets the header to the milliseconds left until `deadline` (at least 1).
void set_deadline_header(boost::beast::http::fields& fields, core::Clock::time_point deadline);

// The deadline a request's header asks for, if it carries a valid one.
std::optional<core::Clock::time_point> requested_deadline(const boost::beast::http::fields& fields,
                                                          core::Clock::time_point now);

}  // namespace canopy::gateway

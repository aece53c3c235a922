#pragma once
// Admission control: before a request may call any upstream it takes a permit
// of the gateway-wide limiter ([limits]) and then one of its route's own
// (`limits` on the route), waiting in a bounded queue for at most queue_timeout.
// A full queue or a wait that timed out refuses the request at once (503 with
// Retry-After), before anything reaches an upstream: load is shed, memory stays
// bounded.

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "core/capacity_limiter.hpp"
#include "core/executor.hpp"
#include "gateway/server/gateway.hpp"

namespace canopy::gateway {

struct RequestAdmission {
  core::Permit gateway_permit;
  core::Permit route_permit;
  std::string_view refused;  // "queue_full" or "timed_out"; empty when admitted
  std::string detail;        // for the 503's body
  bool admitted() const noexcept { return refused.empty(); }
};

core::Awaitable<RequestAdmission> admit_request(Gateway& gateway, std::size_t route_index);

// The admission when every limiter has room now (no wait, no coroutine);
// otherwise none, and the caller awaits admit_request().
std::optional<RequestAdmission> admit_request_now(Gateway& gateway, std::size_t route_index);

}  // namespace canopy::gateway

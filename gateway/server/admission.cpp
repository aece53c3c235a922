#include "gateway/server/admission.hpp"

#include <chrono>

#include "core/executor.hpp"

namespace canopy::gateway {

namespace {

// Fills in why `limiter` (kind + name, e.g. "route " "/api/*") refused, if it did; returns whether it
// admitted. The text is built only for a refusal: admitting allocates nothing.
bool admitted(const core::Admission& admission, const core::CapacityLimiter& limiter, std::string_view kind,
              std::string_view name, RequestAdmission& out) {
  if (admission.outcome == core::AdmissionOutcome::admitted) return true;
  const std::string what = std::string(kind) + std::string(name);
  const auto& options = limiter.options();
  if (admission.outcome == core::AdmissionOutcome::queue_full) {
    out.refused = "queue_full";
    out.detail = what + " is at capacity: " + std::to_string(options.capacity) + " requests in flight and " +
                 std::to_string(options.queue) + " waiting";
  } else {
    out.refused = "timed_out";
    out.detail = what + " is at capacity: no room within " +
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(options.queue_timeout).count()) +
                 " ms";
  }
  return false;
}

}  // namespace

core::Awaitable<RequestAdmission> admit_request(Gateway& gateway, std::size_t route_index) {
  RequestAdmission result;
  auto global = co_await gateway.admission().acquire();
  if (!admitted(global, gateway.admission(), "the gateway", "", result)) co_return result;
  result.gateway_permit = std::move(global.permit);
  if (auto* route = gateway.route_admission(route_index)) {
    auto own = co_await route->acquire();
    if (!admitted(own, *route, "route ", gateway.route(route_index).name, result)) {
      result.gateway_permit.reset();
      co_return result;
    }
    result.route_permit = std::move(own.permit);
  }
  co_return result;
}

std::optional<RequestAdmission> admit_request_now(Gateway& gateway, std::size_t route_index) {
  core::CapacityLimiter* route = gateway.route_admission(route_index);
  if (!gateway.admission().has_room() || (route && !route->has_room())) return std::nullopt;
  RequestAdmission result;
  result.gateway_permit = gateway.admission().try_acquire();
  if (route) result.route_permit = route->try_acquire();
  return result;
}

}  // namespace canopy::gateway

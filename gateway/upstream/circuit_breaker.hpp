#pragma once
// An upstream's circuit breaker, in Envoy's sense: bounds on the calls to one
// upstream on one worker, all endpoints together. A call beyond a bound fails
// at once (UpstreamError::circuit_open → 503) instead of joining a pile-up in
// front of an upstream that has slowed down. "Open" means "at the bound now":
// the breaker closes by itself as calls end.
//
// Thread-safety: none; one worker's executor.

#include <array>
#include <cstddef>
#include <cstdint>

#include "config/config.hpp"

namespace canopy::gateway {

class CircuitBreaker {
 public:
  enum class Limit : std::size_t { requests, pending };

  explicit CircuitBreaker(const config::CircuitBreakerConfig& limits) noexcept : limits_(limits) {}

  // Whether one more call may hold a connection; counts a refusal.
  bool admits_request() noexcept { return admits(requests_ < limits_.max_requests, Limit::requests); }
  // Whether one more call may wait for a connection of a full pool; counts a refusal.
  bool admits_waiter() noexcept { return admits(pending_ < limits_.max_pending, Limit::pending); }

  void request_started() noexcept { ++requests_; }
  void request_ended() noexcept { --requests_; }
  void wait_started() noexcept { ++pending_; }
  void wait_ended() noexcept { --pending_; }

  bool open(Limit limit) const noexcept {
    return limit == Limit::requests ? requests_ >= limits_.max_requests : pending_ >= limits_.max_pending;
  }
  std::uint64_t refusals(Limit limit) const noexcept { return refusals_[static_cast<std::size_t>(limit)]; }
  std::size_t requests() const noexcept { return requests_; }
  std::size_t pending() const noexcept { return pending_; }

 private:
  bool admits(bool below_bound, Limit limit) noexcept {
    if (!below_bound) ++refusals_[static_cast<std::size_t>(limit)];
    return below_bound;
  }

  config::CircuitBreakerConfig limits_;
  std::size_t requests_ = 0;
  std::size_t pending_ = 0;
  std::array<std::uint64_t, 2> refusals_{};
};

}  // namespace canopy::gateway

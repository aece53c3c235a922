#pragma once
// How much of an enclosing scope's cancellation reaches a scope.
//
//   Shield::none()      the default: outer cancellation cancels the scope at once.
//   Shield::always()    outer cancellation never reaches the scope; give it its own
//                       deadline so that cleanup stays bounded.
//   Shield::grace(d)    the scope may run on for `d` after the outer cancellation
//                       (a write that must not be cut mid-way), then it is
//                       cancelled with the outer reason.
//
// A shield protects work that is under way when cancellation arrives. Asio
// refuses every co_await of a task that is already cancelled, so work that must
// start after cancellation belongs to the parent, outside the cancelled scope.

#include <optional>

#include "core/clock.hpp"

namespace canopy::core {

class Shield {
 public:
  static constexpr Shield none() noexcept { return Shield(false, std::nullopt); }
  static constexpr Shield always() noexcept { return Shield(true, std::nullopt); }
  static constexpr Shield grace(Clock::duration d) noexcept { return Shield(true, d); }

  // Whether outer cancellation is held off at all.
  constexpr bool active() const noexcept { return active_; }
  // How long it is held off; nullopt with active(): for ever.
  constexpr std::optional<Clock::duration> grace_period() const noexcept { return grace_; }

 private:
  constexpr Shield(bool active, std::optional<Clock::duration> grace) noexcept
      : active_(active), grace_(grace) {}

  bool active_;
  std::optional<Clock::duration> grace_;
};

}  // namespace canopy::core

#pragma once
// Why a cancel scope was cancelled. Cancellation is the third outcome of a task
// (neither value nor error); the reason travels with it so that the gateway can
// answer 504 for a deadline, log 499 for a client that left, and count each.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace canopy::core {

enum class CancelReason : std::uint8_t {
  explicit_cancel,    // someone called cancel() without a more specific reason
  client_disconnect,  // the downstream client closed or reset its connection
  deadline,           // a deadline of this scope (or an enclosing one) passed
  shutdown,           // the gateway is stopping
  sibling_failed,     // another task of the same nursery failed
  hedge_lost,         // another attempt of a race or hedge answered first
};

inline constexpr std::size_t cancel_reason_count = 6;

inline constexpr std::array<CancelReason, cancel_reason_count> all_cancel_reasons{
    CancelReason::explicit_cancel, CancelReason::client_disconnect, CancelReason::deadline,
    CancelReason::shutdown,        CancelReason::sibling_failed,    CancelReason::hedge_lost,
};

// The label used in logs and metrics ("explicit", "client_disconnect", ...).
constexpr std::string_view to_string(CancelReason reason) noexcept {
  switch (reason) {
    case CancelReason::explicit_cancel: return "explicit";
    case CancelReason::client_disconnect: return "client_disconnect";
    case CancelReason::deadline: return "deadline";
    case CancelReason::shutdown: return "shutdown";
    case CancelReason::sibling_failed: return "sibling_failed";
    case CancelReason::hedge_lost: return "hedge_lost";
  }
  return "unknown";
}

}  // namespace canopy::core

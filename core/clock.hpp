#pragma once
// The one clock of core/: monotonic, and the one Asio's steady_timer waits on.

#include <chrono>

namespace canopy::core {

using Clock = std::chrono::steady_clock;

}  // namespace canopy::core

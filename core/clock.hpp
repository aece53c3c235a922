#pragma once
// The one clock of core/: monotonic, and the one Asio's steady_timer waits on.

#include <chrono>
#include <ctime>

namespace canopy::core {

using Clock = std::chrono::steady_clock;

// Clock's time as of the kernel's last tick (1–4 ms behind at most), read in a
// few nanoseconds instead of the ~40 a precise read costs on this kind of VM:
// for ages and idle times that a display or a one-second threshold reads, never
// for deadlines or latencies. Never later than Clock::now() read after it.
inline Clock::time_point coarse_now() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);  // steady_clock is CLOCK_MONOTONIC: the same time base
  return Clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

}  // namespace canopy::core

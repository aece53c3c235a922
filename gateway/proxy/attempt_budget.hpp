#pragma once
// Caps the extra load that hedges and retries add: a token bucket per route
// where every request earns budget_percent/100 of a token and every extra
// attempt costs a whole one, so extra attempts stay at most budget_percent of
// requests (plus a small burst). gRPC's retry throttling works the same way.
// One per route, per config snapshot.

#include <algorithm>
#include <cstdint>

namespace canopy::gateway {

struct AttemptBudgetStats {
  std::uint64_t requests = 0;
  std::uint64_t extra_attempts = 0;  // sent
  std::uint64_t refused = 0;         // wanted, but the budget was spent
};

class AttemptBudget {
 public:
  // In hundredths of a token, so that sums stay exact.
  static constexpr std::uint32_t token = 100;
  static constexpr std::uint32_t burst = 10 * token;  // what a quiet route can save up

  explicit AttemptBudget(unsigned budget_percent = 0) : earn_(budget_percent) {}

  void on_request() noexcept {
    ++stats_.requests;
    tokens_ = std::min(burst, tokens_ + earn_);
  }

  // Takes a token for one extra attempt, if there is one.
  bool try_spend() noexcept {
    if (tokens_ < token) {
      ++stats_.refused;
      return false;
    }
    tokens_ -= token;
    ++stats_.extra_attempts;
    return true;
  }

  const AttemptBudgetStats& stats() const noexcept { return stats_; }

 private:
  std::uint32_t earn_;
  std::uint32_t tokens_ = 0;
  AttemptBudgetStats stats_;
};

}  // namespace canopy::gateway

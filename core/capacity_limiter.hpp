#pragma once
// CapacityLimiter: at most `capacity` holders at once, a bounded FIFO queue of
// waiters, and a bound on how long one waits. Admission control for the gateway
// (max in-flight requests, per-route and per-upstream limits).
//
// Guarantees
// - acquire() returns an Admission at once when a token is free and nobody
//   waits; otherwise it queues, unless `queue` callers already wait: then it
//   returns AdmissionOutcome::queue_full at once, without waiting (the caller
//   answers 503 with Retry-After).
// - Waiters are admitted in arrival order; a released token goes straight to
//   the oldest waiter, so try_acquire() cannot jump the queue.
// - A waiter still queued after `queue_timeout` gets AdmissionOutcome::timed_out.
// - Cancelling a waiter removes it from the queue and throws
//   system_error(operation_aborted); no token is taken.
// - A Permit returns its token when destroyed; no normal path calls release().
//
// Thread-safety: none; one executor's thread. The limiter must outlive its permits.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "core/clock.hpp"
#include "core/detail/parking.hpp"
#include "core/executor.hpp"

namespace canopy::core {

class CapacityLimiter;

struct LimiterOptions {
  std::size_t capacity = 1;
  std::size_t queue = 0;                       // callers allowed to wait
  Clock::duration queue_timeout = Clock::duration::max();
};

static_assert(std::is_trivially_copyable_v<LimiterOptions>);

struct LimiterStats {
  std::size_t capacity = 0;
  std::size_t in_use = 0;
  std::size_t waiting = 0;
  std::uint64_t admitted_total = 0;
  std::uint64_t queue_full_total = 0;
  std::uint64_t timed_out_total = 0;
  std::uint64_t cancelled_waits_total = 0;
  std::uint64_t waited_total = 0;          // admissions that had to queue
  Clock::duration wait_time_total{};       // summed over those admissions
};

// One token. Move-only; releases its token on destruction.
class Permit {
 public:
  Permit() noexcept = default;
  Permit(Permit&& other) noexcept : limiter_(std::exchange(other.limiter_, nullptr)) {}
  Permit& operator=(Permit&& other) noexcept;
  ~Permit() { reset(); }

  explicit operator bool() const noexcept { return limiter_ != nullptr; }
  void reset() noexcept;

 private:
  friend class CapacityLimiter;
  explicit Permit(CapacityLimiter* limiter) noexcept : limiter_(limiter) {}
  CapacityLimiter* limiter_ = nullptr;
};

enum class AdmissionOutcome {
  admitted,    // permit holds a token
  queue_full,  // rejected at once: too many callers already wait
  timed_out,   // waited queue_timeout without a token
};

struct Admission {
  AdmissionOutcome outcome = AdmissionOutcome::admitted;
  Permit permit;
  Clock::duration waited{};
  explicit operator bool() const noexcept { return outcome == AdmissionOutcome::admitted; }
};

class CapacityLimiter {
 public:
  CapacityLimiter(Executor executor, LimiterOptions options);
  CapacityLimiter(const CapacityLimiter&) = delete;
  CapacityLimiter& operator=(const CapacityLimiter&) = delete;
  ~CapacityLimiter();

  [[nodiscard]] Awaitable<Admission> acquire();
  // A permit if a token is free and nobody waits; an empty Permit otherwise.
  [[nodiscard]] Permit try_acquire() noexcept;
  // Whether try_acquire() would give a permit now.
  bool has_room() const noexcept { return in_use_ < options_.capacity && waiters_.empty(); }

  // A new bound (a reloaded config). Raising it admits waiters at once;
  // lowering it takes effect as holders release: nobody loses a permit.
  void set_capacity(std::size_t capacity) noexcept;

  LimiterStats stats() const noexcept;
  const LimiterOptions& options() const noexcept { return options_; }

 private:
  friend class Permit;

  struct Waiter : detail::Parking {
    Clock::time_point enqueued;
    Clock::time_point deadline;
    bool admitted = false;
  };

  void release() noexcept;
  void admit_oldest_waiter() noexcept;
  void expire_waiters();
  void arm_timer();
  void stop_timer_if_idle() noexcept;

  LimiterOptions options_;
  std::size_t in_use_ = 0;
  detail::IntrusiveList<Waiter, detail::ListHook> waiters_;
  SteadyTimer timer_;
  bool timer_waiting_ = false;
  // Timer handlers hold this weakly: a handler already queued when the limiter
  // is destroyed must find it gone, not dangling.
  std::shared_ptr<CapacityLimiter*> self_;
  LimiterStats stats_;
};

}  // namespace canopy::core

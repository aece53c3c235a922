#include "core/capacity_limiter.hpp"

#include <boost/asio/error.hpp>
#include <cassert>

#include "core/executor.hpp"

namespace canopy::core {

namespace asio = boost::asio;

Permit& Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    reset();
    limiter_ = std::exchange(other.limiter_, nullptr);
  }
  return *this;
}

void Permit::reset() noexcept {
  if (auto* limiter = std::exchange(limiter_, nullptr)) limiter->release();
}

CapacityLimiter::CapacityLimiter(Executor executor, LimiterOptions options)
    : options_(options), timer_(std::move(executor)), self_(std::make_shared<CapacityLimiter*>(this)) {
  assert(options_.capacity > 0 && "a limiter needs at least one token");
}

CapacityLimiter::~CapacityLimiter() {
  self_.reset();
  while (!waiters_.empty()) waiters_.pop_front().wake(asio::error::operation_aborted);
}

Permit CapacityLimiter::try_acquire() noexcept {
  if (in_use_ >= options_.capacity || !waiters_.empty()) return Permit();
  ++in_use_;
  ++stats_.admitted_total;
  return Permit(this);
}

Awaitable<Admission> CapacityLimiter::acquire() {
  if (Permit permit = try_acquire()) co_return Admission{AdmissionOutcome::admitted, std::move(permit), {}};
  if (waiters_.size() >= options_.queue) {
    ++stats_.queue_full_total;
    co_return Admission{AdmissionOutcome::queue_full, Permit(), {}};
  }
  Waiter waiter;
  waiter.enqueued = Clock::now();
  waiter.deadline = options_.queue_timeout >= Clock::time_point::max() - waiter.enqueued
                        ? Clock::time_point::max()
                        : waiter.enqueued + options_.queue_timeout;
  waiters_.push_back(waiter);
  arm_timer();
  auto [ec] = co_await waiter.park([this](detail::Parking& p) {
    waiters_.erase(static_cast<Waiter&>(p));
    ++stats_.cancelled_waits_total;
    p.wake(asio::error::operation_aborted);
    stop_timer_if_idle();
  });
  const auto waited = Clock::now() - waiter.enqueued;
  if (waiter.admitted) {  // the token was handed over by release()
    stats_.wait_time_total += waited;
    ++stats_.waited_total;
    co_return Admission{AdmissionOutcome::admitted, Permit(this), waited};
  }
  if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec, "CapacityLimiter::acquire");
  co_return Admission{AdmissionOutcome::timed_out, Permit(), waited};
}

void CapacityLimiter::release() noexcept {
  assert(in_use_ > 0);
  if (waiters_.empty() || in_use_ > options_.capacity) {  // above capacity: the capacity was lowered
    --in_use_;
    return;
  }
  admit_oldest_waiter();  // the token passes on; in_use_ is unchanged
}

void CapacityLimiter::admit_oldest_waiter() noexcept {
  Waiter& next = waiters_.pop_front();
  next.admitted = true;
  ++stats_.admitted_total;
  next.wake();
  stop_timer_if_idle();
}

void CapacityLimiter::set_capacity(std::size_t capacity) noexcept {
  assert(capacity > 0 && "a limiter needs at least one token");
  options_.capacity = capacity;
  while (in_use_ < options_.capacity && !waiters_.empty()) {
    ++in_use_;
    admit_oldest_waiter();
  }
}

void CapacityLimiter::stop_timer_if_idle() noexcept {
  // A pending wait would keep the executor busy for up to queue_timeout.
  if (waiters_.empty() && timer_waiting_) timer_.cancel();
}

void CapacityLimiter::expire_waiters() {
  const auto now = Clock::now();
  while (!waiters_.empty() && waiters_.front().deadline <= now) {
    ++stats_.timed_out_total;
    waiters_.pop_front().wake(asio::error::timed_out);
  }
}

void CapacityLimiter::arm_timer() {
  // Every waiter waits the same queue_timeout, so the oldest expires first and
  // one timer serves the whole queue.
  if (timer_waiting_ || waiters_.empty() || waiters_.front().deadline == Clock::time_point::max()) return;
  timer_waiting_ = true;
  timer_.expires_at(waiters_.front().deadline);
  timer_.async_wait([self = std::weak_ptr<CapacityLimiter*>(self_)](boost::system::error_code) {
    auto alive = self.lock();
    if (!alive) return;
    CapacityLimiter& limiter = **alive;
    limiter.timer_waiting_ = false;
    limiter.expire_waiters();
    limiter.arm_timer();
  });
}

LimiterStats CapacityLimiter::stats() const noexcept {
  LimiterStats s = stats_;
  s.capacity = options_.capacity;
  s.in_use = in_use_;
  s.waiting = waiters_.size();
  return s;
}

}  // namespace canopy::core

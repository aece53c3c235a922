#include "gateway/server/head_timeouts.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>

namespace canopy::gateway {

HeadWait::HeadWait(HeadTimeouts& timeouts, TcpSocket& socket, core::Clock::time_point deadline)
    : timeouts_(timeouts), socket_(socket), deadline_(deadline) {
  timeouts_.add(*this);
}

HeadWait::~HeadWait() { timeouts_.remove(*this); }

void HeadTimeouts::add(HeadWait& wait) {
  waits_.push_back(wait);
  if (wait.deadline_ < armed_for_) {
    // Rare once traffic flows: with one timeout a newer wait ends after every
    // older one. The first wait, a shorter header_timeout, a reload do this.
    armed_for_ = wait.deadline_;
    timer_.cancel();  // run() arms it again, for armed_for_
  }
}

void HeadTimeouts::remove(HeadWait& wait) noexcept {
  if (wait.linked()) waits_.erase(wait);
  // The timer stays armed: when it fires for a wait that is gone, it finds the
  // next deadline then. Re-arming here would cost a cancel per request.
}

void HeadTimeouts::expire_due() {
  const auto now = core::Clock::now();
  auto next = core::Clock::time_point::max();
  waits_.for_each([&](HeadWait& wait) {
    if (wait.deadline_ > now) {
      next = std::min(next, wait.deadline_);
      return;
    }
    waits_.erase(wait);
    wait.expired_ = true;
    boost::system::error_code ignored;
    wait.socket_.cancel(ignored);  // the head's read ends with operation_aborted
  });
  armed_for_ = next;
}

core::Awaitable<void> HeadTimeouts::run() {
  for (;;) {
    timer_.expires_at(armed_for_);
    auto [ec] = co_await timer_.async_wait(boost::asio::as_tuple(core::use_awaitable));
    if (ec == boost::asio::error::operation_aborted) {
      // Cancelled by add() to arm it earlier, or the task itself (the worker's tree) was.
      const auto state = co_await boost::asio::this_coro::cancellation_state;
      if (state.cancelled() != boost::asio::cancellation_type::none) co_return;
      continue;
    }
    expire_due();
  }
}

}  // namespace canopy::gateway

#pragma once
// A cancellable wait on a real Asio timer, for tasks that must block on something.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"

namespace canopy::test {

inline boost::asio::awaitable<void> sleep_for(core::Clock::duration d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

}  // namespace canopy::test

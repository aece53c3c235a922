#pragma once
// Small steps for coroutine tests: block on a real timer, or let every ready
// task run until all of them are blocked again.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"

namespace canopy::test {

// A cancellable wait on a real Asio timer.
inline boost::asio::awaitable<void> sleep_for(core::Clock::duration d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

// Yields to the executor a few times: every task that was ready has run until
// it blocked. Deterministic, unlike sleeping.
inline boost::asio::awaitable<void> settle() {
  for (int i = 0; i < 8; ++i) co_await boost::asio::post(boost::asio::use_awaitable);
}

}  // namespace canopy::test

#pragma once
// Small steps for coroutine tests: block on a real timer, or let every ready
// task run until all of them are blocked again.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/clock.hpp"
#include "core/executor.hpp"

namespace canopy::test {

// A cancellable wait on a real Asio timer.
inline core::Awaitable<void> sleep_for(core::Clock::duration d) {
  core::SteadyTimer timer(co_await boost::asio::this_coro::executor, d);
  co_await timer.async_wait(core::use_awaitable);
}

// Yields to the executor a few times: every task that was ready has run until
// it blocked. Deterministic, unlike sleeping.
inline core::Awaitable<void> settle() {
  for (int i = 0; i < 8; ++i) co_await boost::asio::post(core::use_awaitable);
}

}  // namespace canopy::test

#pragma once
// The one executor type of core/ and the gateway: an io_context's. Every task
// tree runs on one worker's io_context, so coroutines, timers and sockets name
// its executor type directly. The default, type-erased any_io_executor costs a
// tenth of a proxied request's instructions (copies, prefer() and execute()
// through a table of functions, measured with callgrind).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"

namespace canopy::core {

using Executor = boost::asio::io_context::executor_type;

template <typename T = void>
using Awaitable = boost::asio::awaitable<T, Executor>;

// The completion token that makes an Asio operation an Awaitable.
inline constexpr boost::asio::use_awaitable_t<Executor> use_awaitable{};

using SteadyTimer = boost::asio::basic_waitable_timer<Clock, boost::asio::wait_traits<Clock>, Executor>;

}  // namespace canopy::core

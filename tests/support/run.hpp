#pragma once
// Drive a coroutine to its end on an io_context the test owns.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <stdexcept>

#include "core/executor.hpp"

namespace canopy::test {

// Spawns `work` and runs the context until nothing is left; rethrows what the
// coroutine threw. Fails if the work never finished (a lost wake-up).
template <typename T>
T run(boost::asio::io_context& io, core::Awaitable<T> work) {
  std::exception_ptr error;
  bool done = false;
  std::optional<std::conditional_t<std::is_void_v<T>, int, T>> value;
  if constexpr (std::is_void_v<T>) {
    boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) {
      error = e;
      done = true;
    });
  } else {
    boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T v) {
      error = e;
      if (!e) value.emplace(std::move(v));
      done = true;
    });
  }
  io.run();
  io.restart();
  if (!done) throw std::logic_error("the coroutine never finished: the io_context ran out of work");
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<T>) return std::move(*value);
}

}  // namespace canopy::test

// What structure costs: a request's scope (nursery, deadline, disconnect
// watcher), nursery spawn-and-join and scope cancellation, each next to the same
// work done with bare Asio (co_spawn + one cancellation_signal per coroutine, and
// a counter to join on). Run: ./dev bench
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "core/executor.hpp"
#include "core/nursery.hpp"

namespace {

namespace asio = boost::asio;
using namespace canopy::core;
using namespace std::chrono_literals;

Awaitable<void> nothing() { co_return; }

Awaitable<void> sleep_long() {
  SteadyTimer timer(co_await asio::this_coro::executor, 1h);
  co_await timer.async_wait(use_awaitable);
}

// The same wait taking cancellation as a value, the way Canopy's own I/O does.
Awaitable<void> sleep_long_as_value() {
  SteadyTimer timer(co_await asio::this_coro::executor, 1h);
  auto [ec] = co_await timer.async_wait(asio::as_tuple(use_awaitable));
  benchmark::DoNotOptimize(ec);
}

Awaitable<void> read_one_byte(asio::ip::tcp::socket socket) {
  char byte;
  co_await asio::async_read(socket, asio::buffer(&byte, 1), use_awaitable);
}

template <typename Work>
void run_to_end(asio::io_context& io, Work work) {
  asio::co_spawn(io, std::move(work), [](std::exception_ptr e, auto&&...) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  io.restart();
}

// --- spawn and join ---------------------------------------------------------

void NurserySpawnAndJoin(benchmark::State& state) {
  const auto n = state.range(0);
  asio::io_context io{1};  // one thread per context, as gateway workers run
  for (auto _ : state) {
    run_to_end(io, open_nursery([n](Nursery& nursery) -> Awaitable<void> {
      for (int64_t i = 0; i < n; ++i) nursery.start_soon("t", nothing());
      co_return;
    }));
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BareAsioSpawnAndJoin(benchmark::State& state) {
  const auto n = state.range(0);
  asio::io_context io{1};  // one thread per context, as gateway workers run
  for (auto _ : state) {
    int64_t done = 0;
    for (int64_t i = 0; i < n; ++i) asio::co_spawn(io, nothing(), [&done](std::exception_ptr) { ++done; });
    io.run();
    io.restart();
    benchmark::DoNotOptimize(done);
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// --- cancel N blocked tasks: time from cancel() until the nursery has returned -

template <typename MakeTask>
void cancel_blocked_nursery(benchmark::State& state, asio::io_context& io, MakeTask make_task) {
  const auto n = state.range(0);
  Clock::time_point cancelled_at;
  Clock::duration teardown{};
  run_to_end(io, [&]() -> Awaitable<void> {
    co_await open_nursery([&](Nursery& nursery) -> Awaitable<void> {
      for (int64_t i = 0; i < n; ++i) nursery.start_soon("blocked", make_task(i));
      for (int i = 0; i < 4; ++i) co_await asio::post(use_awaitable);
      cancelled_at = Clock::now();
      nursery.cancel_scope().cancel();
    });
    teardown = Clock::now() - cancelled_at;
  }());
  state.SetIterationTime(std::chrono::duration<double>(teardown).count());
}

void NurseryCancelTimerTasks(benchmark::State& state) {
  asio::io_context io{1};  // one thread per context, as gateway workers run
  for (auto _ : state) cancel_blocked_nursery(state, io, [](int64_t) { return sleep_long(); });
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void NurseryCancelTimerTasksAsValue(benchmark::State& state) {
  asio::io_context io{1};  // one thread per context, as gateway workers run
  for (auto _ : state) cancel_blocked_nursery(state, io, [](int64_t) { return sleep_long_as_value(); });
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

template <bool as_value>
void bare_asio_cancel_timer_tasks(benchmark::State& state) {
  const auto n = state.range(0);
  asio::io_context io{1};  // one thread per context, as gateway workers run
  for (auto _ : state) {
    std::vector<std::unique_ptr<asio::cancellation_signal>> signals;
    int64_t done = 0;
    for (int64_t i = 0; i < n; ++i) {
      signals.push_back(std::make_unique<asio::cancellation_signal>());
      asio::co_spawn(io, as_value ? sleep_long_as_value() : sleep_long(),
                     asio::bind_cancellation_slot(signals.back()->slot(), [&done](std::exception_ptr) { ++done; }));
    }
    io.poll();
    const auto cancelled_at = Clock::now();
    for (auto& signal : signals) signal->emit(asio::cancellation_type::terminal);
    io.run();
    io.restart();
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - cancelled_at).count());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BareAsioCancelTimerTasks(benchmark::State& state) { bare_asio_cancel_timer_tasks<false>(state); }
void BareAsioCancelTimerTasksAsValue(benchmark::State& state) { bare_asio_cancel_timer_tasks<true>(state); }

struct Pairs {
  std::vector<asio::ip::tcp::socket> clients, servers;
};

Pairs connect_pairs(asio::io_context& io, int64_t n) {
  using asio::ip::tcp;
  tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
  acceptor.listen(1024);
  Pairs pairs;
  for (int64_t i = 0; i < n; ++i) {
    pairs.clients.emplace_back(io).connect(acceptor.local_endpoint());
    pairs.servers.push_back(acceptor.accept());
  }
  return pairs;
}

void raise_fd_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

void NurseryCancelSocketTasks(benchmark::State& state) {
  raise_fd_limit();  // two descriptors a task
  asio::io_context io{1};  // one thread per context, as gateway workers run
  for (auto _ : state) {
    state.PauseTiming();
    auto pairs = connect_pairs(io, state.range(0));
    state.ResumeTiming();
    cancel_blocked_nursery(state, io, [&](int64_t i) { return read_one_byte(std::move(pairs.clients[i])); });
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// --- a request's structure ---------------------------------------------------
// What Canopy puts around every proxied request: a nursery whose cancel scope
// has the route's deadline armed, a disconnect watcher waiting on the client
// socket, and the scope's cancel once the answer is out. The bare twin does the
// same work without them. The work is one trip through the event loop, standing
// in for the upstream call (which costs the same either way).

Awaitable<void> one_trip() { co_await asio::post(use_awaitable); }

// A request's body as the gateway's: a disconnect watch (one operation, not a
// task), the call, and the scope's cancel once answered (which ends the watch).
Awaitable<void> answer_one(Nursery& request, asio::ip::tcp::socket& client) {
  request.start_operation(
      "watch_disconnect",
      [&client](auto handler) { client.async_wait(asio::ip::tcp::socket::wait_read, std::move(handler)); },
      [](boost::system::error_code ec) { benchmark::DoNotOptimize(ec); });
  co_await one_trip();
  request.cancel_scope().cancel();
}

void NurseryRequestScope(benchmark::State& state) {
  const auto n = state.range(0);
  asio::io_context io{1};  // one thread per context, as gateway workers run
  auto pair = connect_pairs(io, 1);
  auto& client = pair.servers[0];
  for (auto _ : state) {
    run_to_end(io, [&]() -> Awaitable<void> {
      for (int64_t i = 0; i < n; ++i) {
        co_await open_nursery([&](Nursery& request) { return answer_one(request, client); },
                              {.name = "route", .deadline = Clock::now() + 30s});
      }
    }());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// The same scope as the gateway opens it: its body runs in place, in the
// connection's task (open_nursery_in_task), here a task of a nursery.
void NurseryInTaskRequestScope(benchmark::State& state) {
  const auto n = state.range(0);
  asio::io_context io{1};
  auto pair = connect_pairs(io, 1);
  auto& client = pair.servers[0];
  auto connection = [&](ThisTask self) -> Awaitable<void> {
    for (int64_t i = 0; i < n; ++i) {
      co_await open_nursery_in_task(
          self, [&](Nursery& request) { return answer_one(request, client); },
          {.name = "route", .deadline = Clock::now() + 30s});
    }
  };
  for (auto _ : state) {
    run_to_end(io, open_nursery([&](Nursery& connections) -> Awaitable<void> {
                 connections.start_soon("connection", [&](ThisTask self) { return connection(self); });
                 co_return;
               }));
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BareAsioRequestScope(benchmark::State& state) {
  const auto n = state.range(0);
  asio::io_context io{1};  // one thread per context, as gateway workers run
  for (auto _ : state) {
    run_to_end(io, [&]() -> Awaitable<void> {
      for (int64_t i = 0; i < n; ++i) co_await one_trip();
    }());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

}  // namespace

BENCHMARK(BareAsioRequestScope)->Arg(1000);
BENCHMARK(NurseryRequestScope)->Arg(1000);
BENCHMARK(NurseryInTaskRequestScope)->Arg(1000);
BENCHMARK(BareAsioSpawnAndJoin)->Arg(1000)->Arg(10000);
BENCHMARK(NurserySpawnAndJoin)->Arg(1000)->Arg(10000);
BENCHMARK(BareAsioCancelTimerTasks)->Arg(1000)->Arg(10000)->Arg(100000)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(NurseryCancelTimerTasks)->Arg(1000)->Arg(10000)->Arg(100000)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BareAsioCancelTimerTasksAsValue)->Arg(1000)->Arg(10000)->Arg(100000)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(NurseryCancelTimerTasksAsValue)->Arg(1000)->Arg(10000)->Arg(100000)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(NurseryCancelSocketTasks)->Arg(1000)->Arg(5000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(5);

BENCHMARK_MAIN();

// The four client scenarios of bench/scenarios/run.sh with Canopy's core/ as
// the client runtime (nurseries, deadlines, a bounded channel) and Beast for
// HTTP. One scenario per run; prints `name value` lines, then peak RSS.
//
//   core_scenarios HOST:PORT SCENARIO     (SCENARIO: 1, 2, 3 or 4)
#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "core/bounded_channel.hpp"
#include "core/deadline.hpp"
#include "core/executor.hpp"
#include "core/nursery.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using namespace canopy::core;
using namespace std::chrono_literals;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A client connection: one request at a time on it, closed when it goes. I/O
// errors and cancellation come back as values (status 0), the way Canopy's
// own I/O takes them: an unwinding exception per cancelled call would cost more
// than the rest of the cancel.
class Client {
 public:
  explicit Client(Executor executor) : stream_(executor) {}
  Awaitable<bool> connect(const tcp::endpoint& upstream) {
    auto [ec] = co_await stream_.async_connect(upstream, as_values);
    co_return !ec;
  }
  Awaitable<unsigned> get(const std::string& target) {
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "scenarios");
    auto [write_ec, written] = co_await http::async_write(stream_, request, as_values);
    if (write_ec) co_return 0;
    http::response<http::string_body> response;
    auto [read_ec, read] = co_await http::async_read(stream_, buffer_, response, as_values);
    co_return read_ec ? 0 : response.result_int();
  }

 private:
  static constexpr auto as_values = asio::as_tuple(use_awaitable);
  tcp::socket stream_;
  beast::flat_buffer buffer_;
};

Awaitable<unsigned> get_once(tcp::endpoint upstream, std::string target) {
  Client client(co_await asio::this_coro::executor);
  if (!co_await client.connect(upstream)) co_return 0;
  co_return co_await client.get(target);
}

// 1: 1,000 GETs at once, each on its own connection.
Awaitable<void> concurrent_gets(tcp::endpoint upstream) {
  int ok = 0;
  const auto started = Clock::now();
  co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
    for (int i = 0; i < 1000; ++i) {
      n.start_soon("get", [&, upstream]() -> Awaitable<void> {
        ok += co_await get_once(upstream, "/") == 200 ? 1 : 0;
      });
    }
    co_return;
  });
  std::printf("seconds %.4f\nok %d\n", seconds_since(started), ok);
}

// 2: 100 GETs, one in five to an endpoint that takes 5 s, each with a 1 s timeout.
Awaitable<void> timeouts(tcp::endpoint upstream) {
  int ok = 0;
  int timed_out = 0;
  const auto started = Clock::now();
  co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
    for (int i = 0; i < 100; ++i) {
      const std::string target = i % 5 == 0 ? "/?delay=5000" : "/";
      n.start_soon("get", [&, upstream, target]() -> Awaitable<void> {
        auto status = co_await move_on_after(1s, get_once(upstream, target));
        if (status) ok += *status == 200 ? 1 : 0;
        else ++timed_out;
      });
    }
    co_return;
  });
  std::printf("seconds %.4f\nok %d\ntimed_out %d\n", seconds_since(started), ok, timed_out);
}

// 3: 500 workers each looping GETs of a slow endpoint on its own connection;
// everything is cancelled after 2 s.
Awaitable<void> cancel_workers(tcp::endpoint upstream) {
  long requests = 0;
  const auto deadline = Clock::now() + 2s;
  co_await open_nursery(
      [&](Nursery& n) -> Awaitable<void> {
        for (int i = 0; i < 500; ++i) {
          n.start_soon("worker", [&, upstream]() -> Awaitable<void> {
            Client client(co_await asio::this_coro::executor);
            if (!co_await client.connect(upstream)) co_return;
            while (co_await client.get("/?delay=100") == 200) ++requests;  // 0: cancelled
          });
        }
        co_return;
      },
      {.name = "workers", .deadline = deadline});
  std::printf("cancel_ms %.3f\nrequests %ld\n", seconds_since(deadline) * 1000, requests);
  // run.sh counts the sockets still open at the upstream now, while this process lives on.
  std::printf("measure_now\n");
  std::fflush(stdout);
  SteadyTimer linger(co_await asio::this_coro::executor, 500ms);
  co_await linger.async_wait(use_awaitable);
}

// 4: a producer and a consumer through a bounded channel of 100; 10,000 items.
Awaitable<void> channel() {
  BoundedChannel<int> items(100);
  long sum = 0;
  const auto started = Clock::now();
  co_await open_nursery([&](Nursery& n) -> Awaitable<void> {
    n.start_soon("producer", [&]() -> Awaitable<void> {
      for (int i = 0; i < 10'000; ++i) (void)co_await items.send(i);
      items.close();
    });
    n.start_soon("consumer", [&]() -> Awaitable<void> {
      while (auto item = co_await items.receive()) sum += *item;
    });
    co_return;
  });
  std::printf("seconds %.4f\nitems_sum %ld\n", seconds_since(started), sum);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: core_scenarios HOST:PORT SCENARIO\n");
    return 2;
  }
  const std::string address = argv[1];
  const auto colon = address.rfind(':');
  const tcp::endpoint upstream(asio::ip::make_address(address.substr(0, colon)),
                               static_cast<unsigned short>(std::stoi(address.substr(colon + 1))));
  const int scenario = std::atoi(argv[2]);
  asio::io_context io{1};
  auto run = [&]() -> Awaitable<void> {
    switch (scenario) {
      case 1: co_await concurrent_gets(upstream); break;
      case 2: co_await timeouts(upstream); break;
      case 3: co_await cancel_workers(upstream); break;
      case 4: co_await channel(); break;
      default: std::fprintf(stderr, "core_scenarios: no scenario %d\n", scenario);
    }
  };
  std::exception_ptr failed;
  asio::co_spawn(io, run(), [&](std::exception_ptr e) { failed = e; });
  io.run();
  if (failed) std::rethrow_exception(failed);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("max_rss_kib %ld\n", usage.ru_maxrss);
  return 0;
}

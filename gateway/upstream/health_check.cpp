#include "gateway/upstream/health_check.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/deadline.hpp"
#include "gateway/log/json_log.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto as_values = asio::as_tuple(core::use_awaitable);

struct Probe {
  bool passed = false;
  std::string detail;  // why it failed, or the status
};

core::Awaitable<Probe> ask(EndpointPool& endpoint, const config::HealthCheckConfig& check) {
  TcpStream stream(co_await asio::this_coro::executor);
  auto [connect_ec] = co_await stream.async_connect(endpoint.address(), as_values);
  if (connect_ec) co_return Probe{false, "connect: " + connect_ec.message()};
  http::request<http::empty_body> request{http::verb::get, check.path, 11};
  request.set(http::field::host, check.host ? *check.host : endpoint.name());
  request.set(http::field::user_agent, "canopy-health-check/" CANOPY_VERSION);
  request.set(http::field::connection, "close");
  auto [write_ec, written] = co_await http::async_write(stream, request, as_values);
  if (write_ec) co_return Probe{false, "send: " + write_ec.message()};
  beast::flat_buffer buffer(16 * 1024);
  http::response_parser<http::empty_body> parser;
  auto [read_ec, read] = co_await http::async_read_header(stream, buffer, parser, as_values);
  if (read_ec) co_return Probe{false, "read: " + read_ec.message()};
  const unsigned status = parser.get().result_int();
  co_return Probe{status >= 200 && status < 400, "status " + std::to_string(status)};
}

void record(const Cluster& cluster, EndpointPool& endpoint, const config::HealthCheckConfig& check, const Probe& probe,
            const HealthPublisher& publish) {
  auto& health = endpoint.active_health();
  ++(probe.passed ? health.passed_total : health.failed_total);
  if (probe.passed == health.healthy) {  // confirms the state it is in
    health.same_results_in_a_row = 0;
    return;
  }
  const std::size_t needed = health.healthy ? check.unhealthy_threshold : check.healthy_threshold;
  if (++health.same_results_in_a_row < needed) return;
  health.healthy = probe.passed;
  health.same_results_in_a_row = 0;
  log_event(health.healthy ? "info" : "warn", health.healthy ? "endpoint_healthy" : "endpoint_unhealthy",
            {{"upstream", cluster.name()}, {"endpoint", endpoint.name()}, {"checks_in_a_row", needed},
             {"last_check", probe.detail}});
  publish(HealthChange{cluster.name(), endpoint.address(), health.healthy});
}

core::Awaitable<void> check_endpoint(const Cluster& cluster, EndpointPool& endpoint, const HealthPublisher& publish) {
  const auto& check = *cluster.health_check();
  core::SteadyTimer pause(co_await asio::this_coro::executor);
  for (;;) {
    const auto started = core::Clock::now();
    auto probe = co_await core::move_on_after(check.timeout, ask(endpoint, check));
    record(cluster, endpoint, check, probe ? *probe : Probe{false, "no answer within the timeout"}, publish);
    pause.expires_at(started + check.interval);
    co_await pause.async_wait(core::use_awaitable);
  }
}

}  // namespace

void start_health_checks(Cluster& cluster, core::Nursery& checks, const HealthPublisher& publish) {
  if (!cluster.health_check()) return;
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    checks.start_soon("health_check", check_endpoint(cluster, cluster.endpoint(i), publish));
  }
}

void apply_health_change(Cluster& cluster, const HealthChange& change) {
  if (!cluster.health_check()) return;  // a reload on this worker turned the checks off
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    auto& health = cluster.endpoint(i).active_health();
    if (cluster.endpoint(i).address() != change.endpoint || health.healthy == change.healthy) continue;
    health.healthy = change.healthy;
    health.same_results_in_a_row = 0;
  }
}

void inherit_active_health(Cluster& next, const Cluster& previous) {
  if (!next.health_check() || !previous.health_check()) return;
  for (std::size_t i = 0; i < next.size(); ++i) {
    for (std::size_t j = 0; j < previous.size(); ++j) {
      if (previous.endpoint(j).address() == next.endpoint(i).address()) {
        next.endpoint(i).active_health() = previous.endpoint(j).active_health();
      }
    }
  }
}

}  // namespace canopy::gateway

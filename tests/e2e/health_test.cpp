// Active health checks: an endpoint that stops answering its checks is taken
// out of balancing and traffic goes on without errors; it comes back when its
// checks pass again; with nothing healthy, requests get 503 at once.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <csignal>
#include <memory>
#include <set>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"
#include "tests/e2e/support/metrics_text.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

std::string answered_by(std::uint16_t port) {
  auto response = get(port, "/");
  if (response.result_int() != 200) return "status " + std::to_string(response.result_int());
  return std::string(boost::json::parse(response.body()).as_object().at("upstream").as_string());
}

// One worker: these tests count what one balancer did (workers_test covers checks shared by workers).
std::string checked_pair(std::uint16_t a, std::uint16_t b) {
  return "workers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\n[upstreams.pair]\n"
         "endpoints = [\"127.0.0.1:" + std::to_string(a) + "\", \"127.0.0.1:" + std::to_string(b) + "\"]\n"
         "health_check = { path = \"/health\", interval = \"50ms\", timeout = \"200ms\", unhealthy_threshold = 2, "
         "healthy_threshold = 2 }\n[[routes]]\nupstream = \"pair\"\n";
}

TEST(HealthCheck, AKilledEndpointIsTakenOutTrafficFlowsWithoutErrorsAndItReturnsWhenItComesBack) {
  auto a = std::make_unique<DemoUpstreams>(std::vector<std::string>{"a"});
  DemoUpstreams b{{"b"}};
  const std::uint16_t a_port = a->port("a");
  Canopy canopy{checked_pair(a_port, b.port("b")), nullptr};
  std::set<std::string> seen;
  for (int i = 0; i < 4; ++i) seen.insert(answered_by(canopy.port()));
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b"}));

  a.reset();  // the process is gone: its port refuses connections
  auto unhealthy = canopy.next_event("endpoint_unhealthy", 3s);
  ASSERT_TRUE(unhealthy) << "two failed checks 50 ms apart were not noticed";
  EXPECT_EQ(unhealthy->at("endpoint").as_string(), ("127.0.0.1:" + std::to_string(a_port)).c_str());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(answered_by(canopy.port()), "b") << "request " << i;
  auto text = scrape(canopy.admin_port());
  EXPECT_EQ(metric(text, "canopy_upstream_endpoint_healthy", {{"endpoint", "127.0.0.1:" + std::to_string(a_port)}}), 0);
  EXPECT_EQ(metric(text, "canopy_upstream_endpoint_healthy", {{"endpoint", "127.0.0.1:" + std::to_string(b.port("b"))}}), 1);
  EXPECT_GE(metric(text, "canopy_upstream_health_checks_total", {{"result", "failed"}}), 2);

  a = std::make_unique<DemoUpstreams>("a", a_port);  // back on the same address
  ASSERT_TRUE(canopy.next_event("endpoint_healthy", 3s));
  seen.clear();
  for (int i = 0; i < 4; ++i) seen.insert(answered_by(canopy.port()));
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b"})) << "a came back into balancing";

  // The checks are tasks of the server's tree: SIGTERM ends them with everything else.
  EXPECT_EQ(canopy.process().stop(SIGTERM, 10s), 0);
  EXPECT_EQ(canopy.stopped_tasks(5s), std::pair(std::int64_t{0}, std::int64_t{0})) << "live, orphaned";
}

TEST(HealthCheck, WithNoHealthyEndpointRequestsGet503AtOnceAndAReloadKeepsWhatTheChecksFound) {
  DemoUpstreams upstreams{{"sick"}};
  const std::string toml = "workers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\n[upstreams.sick]\nendpoints = [\"127.0.0.1:{port:sick}\"]\n"
                           "health_check = { path = \"/health?status=503\", interval = \"10s\", unhealthy_threshold = 1 }\n"
                           "[[routes]]\nupstream = \"sick\"\n";
  Canopy canopy{toml, &upstreams};
  ASSERT_TRUE(canopy.next_event("endpoint_unhealthy", 3s)) << "the first check runs at once";
  const auto requests_before = upstreams.stats("sick").at("requests").as_int64();
  const auto asked = std::chrono::steady_clock::now();
  auto response = get(canopy.port(), "/users");
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s);
  EXPECT_EQ(response.result_int(), 503u);
  EXPECT_NE(response.body().find("no_healthy_endpoint"), std::string::npos) << response.body();
  EXPECT_EQ(upstreams.stats("sick").at("requests").as_int64(), requests_before) << "the upstream was called";
  EXPECT_EQ(metric(scrape(canopy.admin_port()), "canopy_upstream_requests_total",
                   {{"upstream", "sick"}, {"outcome", "no_healthy_endpoint"}}), 1);

  // The new config needs 3 failures 10 s apart: only the inherited state can refuse this one.
  std::string reloaded = toml;
  reloaded.replace(reloaded.find("unhealthy_threshold = 1"), 23, "unhealthy_threshold = 3");
  canopy.rewrite_config(reloaded);
  ::kill(canopy.process().pid(), SIGHUP);
  ASSERT_TRUE(canopy.next_event("config_reloaded", 2s));
  EXPECT_EQ(get(canopy.port(), "/users").result_int(), 503u);
}

}  // namespace
}  // namespace canopy::test

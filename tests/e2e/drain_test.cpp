// SIGTERM drains: requests in flight finish, clients that hang up meanwhile
// have their upstream calls closed at once, the drain timeout cancels what is
// left (each client told with a 503), and the process exits 0 only with an
// empty task tree.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

std::string slow_gateway(const std::string& drain_timeout) {
  return "drain_timeout = \"" + drain_timeout + "\"\n" + upstream_sections({"slow"}) +
         "[[routes]]\nupstream = \"slow\"\ntimeout = \"30s\"\n";
}

// The "stopped" event said the task tree was empty and nothing was orphaned.
void expect_stopped_clean(Canopy& canopy) {
  EXPECT_EQ(canopy.stopped_tasks(10s), std::pair(std::int64_t{0}, std::int64_t{0})) << "live, orphaned";
}

TEST(Drain, FiftyRequestsInFlightAllCompleteAndTheProcessExitsZeroWithNothingLeft) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{slow_gateway("10s"), &upstreams};
  auto clients = start_requests(canopy.port(), "/?delay=600", 50);
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 50));
  ::kill(canopy.process().pid(), SIGTERM);
  int ok = 0;
  for (auto& client : clients) {
    auto response = client->read_response(5s);
    ok += response && response->result_int() == 200 ? 1 : 0;
  }
  EXPECT_EQ(ok, 50);
  EXPECT_EQ(canopy.process().stop(0, 10s), 0);
  auto drained = canopy.next_event("drained", 1s);
  ASSERT_TRUE(drained);
  EXPECT_EQ(drained->at("requests_finished"), 50);
  EXPECT_EQ(drained->at("requests_cut"), 0);
  expect_stopped_clean(canopy);
}

TEST(Drain, ClientsThatHangUpDuringTheDrainHaveTheirUpstreamCallsClosedAtOnce) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{slow_gateway("10s"), &upstreams};
  auto staying = start_requests(canopy.port(), "/?delay=800", 5);
  auto leaving = start_requests(canopy.port(), "/?delay=20000", 10);
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 15));
  ::kill(canopy.process().pid(), SIGTERM);
  std::this_thread::sleep_for(100ms);  // draining now
  const auto left = monotonic_ns();
  for (auto& client : leaving) client->close();
  const auto closed = wait_abandoned(upstreams, "slow", 10);
  ASSERT_NE(closed, 0) << "calls of clients that left kept running during the drain";
  const double ms = static_cast<double>(closed - left) / 1e6;
  std::printf("10 hang-ups during the drain -> upstream calls closed within %.3f ms\n", ms);
  EXPECT_LT(ms, 50.0);
  for (auto& client : staying) {
    auto response = client->read_response(5s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
  }
  EXPECT_EQ(canopy.process().stop(0, 10s), 0);
  expect_stopped_clean(canopy);
}

TEST(Drain, PastTheDrainTimeoutTheRestIsCancelledWith503AndNothingIsLeft) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{slow_gateway("200ms"), &upstreams};
  auto clients = start_requests(canopy.port(), "/?delay=20000", 5);
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 5));
  const auto signalled = std::chrono::steady_clock::now();
  ::kill(canopy.process().pid(), SIGTERM);
  EXPECT_EQ(canopy.process().stop(0, 10s), 0);
  const auto took = std::chrono::steady_clock::now() - signalled;
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s);
  auto drained = canopy.next_event("drained", 1s);
  ASSERT_TRUE(drained);
  EXPECT_EQ(drained->at("requests_cut"), 5);
  expect_stopped_clean(canopy);
  EXPECT_NE(wait_abandoned(upstreams, "slow", 5), 0) << "the cut requests' upstream calls were left open";
  for (auto& client : clients) {
    auto response = client->read_response(2s);
    ASSERT_TRUE(response) << "a cut request was not told";
    EXPECT_EQ(response->result_int(), 503u);
    EXPECT_FALSE(response->keep_alive());
    EXPECT_NE(response->body().find("shutting down"), std::string::npos) << response->body();
    EXPECT_TRUE(client->closed_by_peer());
  }
}

}  // namespace
}  // namespace canopy::test

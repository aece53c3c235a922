// Circuit breakers: calls beyond an upstream's max_requests or max_pending are
// refused at once with 503 instead of piling up, the breaker's state is in the
// metrics, and it closes by itself as calls end.
#include <gtest/gtest.h>

#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"
#include "tests/e2e/support/metrics_text.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

double breaker_open(const Canopy& canopy, const std::string& limit) {
  return metric(scrape(canopy.admin_port()), "canopy_upstream_circuit_breaker_open", {{"upstream", "slow"}, {"limit", limit}});
}

void expect_refused_at_once(const Canopy& canopy) {
  const auto asked = std::chrono::steady_clock::now();
  auto refused = get(canopy.port(), "/?delay=2000");
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s);  // liveness: it did not queue
  EXPECT_EQ(refused.result_int(), 503u);
  EXPECT_NE(refused.body().find("circuit_open"), std::string::npos) << refused.body();
}

TEST(CircuitBreaker, AtMaxRequestsFurtherCallsGet503AtOnceAndTheBreakerClosesAsCallsEnd) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{"workers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\n[upstreams.slow]\nendpoints = [\"127.0.0.1:{port:slow}\"]\n"
                "circuit_breaker = { max_requests = 2 }\n[[routes]]\nupstream = \"slow\"\n",
                &upstreams};
  auto busy = start_requests(canopy.port(), "/?delay=600", 2);
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 2));
  EXPECT_EQ(breaker_open(canopy, "requests"), 1);
  expect_refused_at_once(canopy);
  EXPECT_EQ(upstreams.stats("slow").at("requests"), 2) << "the refused call reached the upstream";
  const auto text = scrape(canopy.admin_port());
  EXPECT_EQ(metric(text, "canopy_upstream_circuit_breaker_refusals_total", {{"upstream", "slow"}, {"limit", "requests"}}), 1);
  EXPECT_EQ(metric(text, "canopy_upstream_requests_total", {{"upstream", "slow"}, {"outcome", "circuit_open"}}), 1);
  for (auto& client : busy) {
    auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
  }
  EXPECT_EQ(breaker_open(canopy, "requests"), 0);
  EXPECT_EQ(get(canopy.port(), "/").result_int(), 200u);
}

TEST(CircuitBreaker, AtMaxPendingACallThatWouldWaitForAConnectionGets503AtOnce) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{"workers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\n[upstreams.slow]\nendpoints = [\"127.0.0.1:{port:slow}\"]\n"
                "max_connections = 1\nconnect_timeout = \"5s\"\ncircuit_breaker = { max_pending = 1 }\n"
                "[[routes]]\nupstream = \"slow\"\n",
                &upstreams};
  auto busy = start_requests(canopy.port(), "/?delay=600", 2);  // one holds the connection, one waits for it
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 1));
  for (int i = 0; i < 200 && breaker_open(canopy, "pending") == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(breaker_open(canopy, "pending"), 1);
  expect_refused_at_once(canopy);
  for (auto& client : busy) {  // the waiter gets the connection when the first call ends
    auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
  }
  EXPECT_EQ(breaker_open(canopy, "pending"), 0);
}

}  // namespace
}  // namespace canopy::test

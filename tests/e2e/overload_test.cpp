// Admission control: bounded in-flight requests and queues; what does not fit
// gets 503 with Retry-After at once, and the upstream never sees it.
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"
#include "tests/e2e/support/metrics_text.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

TEST(Overload, AFullQueueIsRefusedAtOnceWith503AndTheUpstreamNeverSeesIt) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{"workers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\n[limits]\nmax_inflight = 2\nqueue = 1\nqueue_timeout = \"10s\"\n" +
                    upstream_sections({"slow"}) + "[[routes]]\nupstream = \"slow\"\n",
                &upstreams};
  auto busy = start_requests(canopy.port(), "/?delay=500", 3);  // two in flight, one queued
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 2));
  std::this_thread::sleep_for(50ms);  // the third is in the queue by now
  const auto started = std::chrono::steady_clock::now();
  auto refused = get(canopy.port(), "/?delay=2000");
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::printf("queue full -> 503 in %.3f ms\n", ms);
  EXPECT_EQ(refused.result_int(), 503u);
  EXPECT_EQ(refused["Retry-After"], "1");
  EXPECT_NE(refused.body().find("2 requests in flight and 1 waiting"), std::string::npos) << refused.body();
  EXPECT_LT(ms, 1000.0);  // liveness: it did not wait for a permit
  EXPECT_EQ(upstreams.stats("slow").at("requests"), 2) << "the refused request must not reach the upstream";
  const auto text = scrape(canopy.admin_port());
  EXPECT_EQ(metric(text, "canopy_limiter_rejections_total", {{"limiter", "requests"}, {"reason", "queue_full"}}), 1);
  EXPECT_EQ(metric(text, "canopy_limiter_queue_depth", {{"limiter", "requests"}}), 1);
  for (auto& client : busy) {  // all three admitted ones finish normally
    auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
  }
}

TEST(Overload, AQueuedRequestGivesUpAfterTheQueueTimeout) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{"workers = 1\n[limits]\nmax_inflight = 1\nqueue = 5\nqueue_timeout = \"150ms\"\n" + upstream_sections({"slow"}) +
                    "[[routes]]\nupstream = \"slow\"\n",
                &upstreams};
  auto busy = start_requests(canopy.port(), "/?delay=3000", 1);
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 1));
  const auto started = std::chrono::steady_clock::now();
  auto refused = get(canopy.port(), "/");
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(refused.result_int(), 503u);
  EXPECT_NE(refused.body().find("no room within 150 ms"), std::string::npos) << refused.body();
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 2s);
  EXPECT_EQ(upstreams.stats("slow").at("requests"), 1);
}

TEST(Overload, ARoutesOwnLimitLeavesOtherRoutesAlone) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{"workers = 1\n" + upstream_sections({"slow"}) +
                    "[[routes]]\nmatch = { path_prefix = \"/report\" }\nupstream = \"slow\"\n"
                    "limits = { max_inflight = 1, queue = 0 }\n"
                    "[[routes]]\nmatch = { path_prefix = \"/api\" }\nupstream = \"slow\"\n",
                &upstreams};
  auto busy = start_requests(canopy.port(), "/report?delay=2000", 1);
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 1));
  auto refused = get(canopy.port(), "/report");
  EXPECT_EQ(refused.result_int(), 503u);
  EXPECT_NE(refused.body().find("route /report/* is at capacity"), std::string::npos) << refused.body();
  EXPECT_EQ(get(canopy.port(), "/api/x").result_int(), 200u);
}

}  // namespace
}  // namespace canopy::test

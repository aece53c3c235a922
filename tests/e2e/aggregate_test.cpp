// Fan-out: one request, several upstream calls in one nursery.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

TEST(Aggregate, ThreeBackendsMergeIntoOneExactJsonAnswer) {
  DemoUpstreams upstreams{{"users", "orders", "stock"}};
  Canopy canopy{upstream_sections({"users", "orders", "stock"}) + R"(
[[routes]]
match = { path_prefix = "/dashboard" }
aggregate = { backends = [
  { upstream = "users", path = "/users/me", key = "user" },
  { upstream = "orders", path = "/orders?{query}", key = "orders" },
  { upstream = "stock", path = "/stock{rest}" },
] }
)", &upstreams};
  auto response = get(canopy.port(), "/dashboard/42?limit=5");
  ASSERT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response["X-Canopy-Completed"], "true");
  auto body = json::parse(response.body()).as_object();
  EXPECT_EQ(body.at("user").at("upstream"), "users");
  EXPECT_EQ(body.at("user").at("target"), "/users/me");
  EXPECT_EQ(body.at("orders").at("target"), "/orders?limit=5");
  EXPECT_EQ(body.at("target"), "/stock/42");  // no key: merged into the root
  EXPECT_EQ(body.at("upstream"), "stock");
  EXPECT_EQ(body.size(), 2u + 6u);  // user, orders, and the six fields of stock's echo
}

TEST(Aggregate, PartialAnswersAtTheDeadlineWithoutTheSlowOptionalBackendAndClosesIt) {
  DemoUpstreams upstreams{{"users", "slow"}};
  Canopy canopy{upstream_sections({"users", "slow"}) + R"(
[[routes]]
timeout = "300ms"
aggregate = { policy = "partial", errors_in_body = true, backends = [
  { upstream = "users", path = "/me", key = "user", required = true },
  { upstream = "slow", path = "/?delay=10000", key = "slow" },
] }
)", &upstreams};
  const auto started = std::chrono::steady_clock::now();
  auto response = get(canopy.port(), "/");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  ASSERT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response["X-Canopy-Completed"], "false");
  auto body = json::parse(response.body()).as_object();
  EXPECT_TRUE(body.contains("user"));
  EXPECT_FALSE(body.contains("slow"));
  EXPECT_EQ(body.at("canopy_errors").at("slow").at("reason"), "deadline");
  EXPECT_NE(wait_abandoned(upstreams, "slow", 1), 0) << "the slow backend's connection was left open";
}

TEST(Aggregate, AllWithOneFailingBackendGives502AndClosesTheOthersAtOnce) {
  DemoUpstreams upstreams{{"broken", "b", "c"}};
  Canopy canopy{upstream_sections({"broken", "b", "c"}) + R"(
[[routes]]
timeout = "10s"
aggregate = { policy = "all", backends = [
  { upstream = "broken", path = "/?status=500&delay=20", key = "broken" },
  { upstream = "b", path = "/?delay=10000", key = "b" },
  { upstream = "c", path = "/?delay=10000", key = "c" },
] }
)", &upstreams};
  auto response = get(canopy.port(), "/");
  const auto answered = monotonic_ns();
  EXPECT_EQ(response.result_int(), 502u);
  const auto b = wait_abandoned(upstreams, "b", 1), c = wait_abandoned(upstreams, "c", 1);
  ASSERT_NE(b, 0);
  ASSERT_NE(c, 0);
  // Both closed before the client even had its 502.
  const double ms = static_cast<double>(std::max(b, c) - answered) / 1e6;
  std::printf("siblings closed %.3f ms relative to the 502 reaching the client\n", ms);
  EXPECT_LT(ms, 50.0);
}

TEST(Aggregate, AClientThatLeavesAFiveBackendFanOutClosesAllFiveUpstreamConnections) {
  const std::vector<std::string> names{"u1", "u2", "u3", "u4", "u5"};
  DemoUpstreams upstreams{names};
  std::string backends;
  for (const auto& n : names) backends += "{ upstream = \"" + n + "\", path = \"/?delay=20000\", key = \"" + n + "\" },";
  Canopy canopy{upstream_sections(names) + "[[routes]]\ntimeout = \"30s\"\naggregate = { backends = [" + backends + "] }\n",
                &upstreams};
  Connection client(canopy.port());
  client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  for (const auto& n : names) {
    for (int i = 0; i < 1000 && upstreams.stats(n).at("requests").as_int64() < 1; ++i) std::this_thread::sleep_for(1ms);
  }
  const auto left = monotonic_ns();
  client.close();
  double worst_ms = 0;
  for (const auto& n : names) {
    const auto closed = wait_abandoned(upstreams, n, 1);
    ASSERT_NE(closed, 0) << n << " kept running after the client left";
    worst_ms = std::max(worst_ms, static_cast<double>(closed - left) / 1e6);
  }
  std::printf("disconnect -> all 5 upstream connections closed: %.3f ms\n", worst_ms);
  EXPECT_LT(worst_ms, 50.0);
}

TEST(Aggregate, QuorumAnswersOnceEnoughBackendsAnsweredAndCancelsTheRest) {
  DemoUpstreams upstreams{{"fast1", "fast2", "slow"}};
  Canopy canopy{upstream_sections({"fast1", "fast2", "slow"}) + R"(
[[routes]]
timeout = "10s"
aggregate = { policy = "quorum", quorum = 2, backends = [
  { upstream = "fast1", path = "/", key = "fast1" },
  { upstream = "fast2", path = "/", key = "fast2" },
  { upstream = "slow", path = "/?delay=10000", key = "slow" },
] }
)", &upstreams};
  const auto started = std::chrono::steady_clock::now();
  auto response = get(canopy.port(), "/");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  ASSERT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response["X-Canopy-Completed"], "false");
  auto body = json::parse(response.body()).as_object();
  EXPECT_TRUE(body.contains("fast1"));
  EXPECT_TRUE(body.contains("fast2"));
  EXPECT_FALSE(body.contains("slow"));
  EXPECT_NE(wait_abandoned(upstreams, "slow", 1), 0) << "the call the quorum did not need was left running";
}

TEST(Aggregate, ABackendThatIsNotJsonFailsTheRequestUnderAll) {
  DemoUpstreams upstreams{{"json", "bytes"}};
  Canopy canopy{upstream_sections({"json", "bytes"}) + R"(
[[routes]]
aggregate = { backends = [ { upstream = "json", path = "/", key = "a" }, { upstream = "bytes", path = "/?bytes=100", key = "b" } ] }
)", &upstreams};
  EXPECT_EQ(get(canopy.port(), "/").result_int(), 502u);
}

TEST(Aggregate, ABackendStillRunningAtTheRouteDeadlineGives504EveryTime) {
  DemoUpstreams upstreams{{"fast", "slow"}};
  Canopy canopy{upstream_sections({"fast", "slow"}) + R"(
[[routes]]
timeout = "150ms"
aggregate = { backends = [ { upstream = "fast", path = "/", key = "a" }, { upstream = "slow", path = "/?delay=5000", key = "b" } ] }
)", &upstreams};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(get(canopy.port(), "/").result_int(), 504u) << "request " << i;
}

// config/examples/aggregate.toml as shipped, on free ports.
std::string bundled_example() {
  std::ifstream in(CANOPY_SOURCE_DIR "/config/examples/aggregate.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string toml = text.str();
  auto replace_all = [&toml](const std::string& from, const std::string& to) {
    for (auto at = toml.find(from); at != std::string::npos; at = toml.find(from, at + to.size())) toml.replace(at, from.size(), to);
  };
  replace_all("[server]\nlisten = \"127.0.0.1:8080\"\n", "");  // the test's own [server] comes first
  replace_all("127.0.0.1:9001", "127.0.0.1:{port:users}");
  replace_all("127.0.0.1:9002", "127.0.0.1:{port:orders}");
  replace_all("127.0.0.1:9003", "127.0.0.1:{port:recommendations}");
  return toml;
}

TEST(Aggregate, TheBundledExampleServesEachOfItsRoutes) {
  DemoUpstreams upstreams{{"users", "orders", "recommendations"}};
  Canopy canopy{bundled_example(), &upstreams};
  auto dashboard = get(canopy.port(), "/api/dashboard");
  ASSERT_EQ(dashboard.result_int(), 200u) << dashboard.body();
  EXPECT_EQ(dashboard["X-Canopy-Completed"], "true");
  auto body = json::parse(dashboard.body()).as_object();
  EXPECT_TRUE(body.contains("user") && body.contains("orders") && body.contains("recommendations"));

  auto profile = get(canopy.port(), "/api/users/42/profile");
  ASSERT_EQ(profile.result_int(), 200u) << profile.body();
  body = json::parse(profile.body()).as_object();
  EXPECT_EQ(body.at("user").at("target"), "/users/42");
  EXPECT_EQ(body.at("orders").at("target"), "/orders?customer=%2Fusers%2F42");
  EXPECT_EQ(body.at("view").at("method"), "POST");

  EXPECT_EQ(get(canopy.port(), "/api/search?q=x").result_int(), 200u);
}

}  // namespace
}  // namespace canopy::test

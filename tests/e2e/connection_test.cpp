// Connections and their limits: balancing, rewriting, timeouts, max_connections,
// half-close, and a drain on SIGTERM.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>

#include <boost/json/parse.hpp>
#include <memory>
#include <set>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

std::string upstream_of(const Response& r) {
  return std::string(boost::json::parse(r.body()).as_object().at("upstream").as_string());
}

TEST(Connections, RoundRobinSpreadsRequestsOverEveryEndpoint) {
  DemoUpstreams upstreams{{"a", "b", "c"}};
  Canopy canopy{R"(workers = 1  # balancing is per worker
[upstreams.pool]
endpoints = ["127.0.0.1:{port:a}", "127.0.0.1:{port:b}", "127.0.0.1:{port:c}"]
balance = "round_robin"
[[routes]]
upstream = "pool"
)", &upstreams};
  std::multiset<std::string> seen;
  for (int i = 0; i < 9; ++i) seen.insert(upstream_of(get(canopy.port(), "/")));
  EXPECT_EQ(seen.count("a"), 3u);
  EXPECT_EQ(seen.count("b"), 3u);
  EXPECT_EQ(seen.count("c"), 3u);
}

TEST(Connections, RoutesRewriteThePathAndEditHeaders) {
  DemoUpstreams upstreams{{"api"}};
  Canopy canopy{R"(
[upstreams.api]
endpoints = ["127.0.0.1:{port:api}"]
[[routes]]
match = { path_prefix = "/v1" }
upstream = "api"
prefix_rewrite = "/v2"
request_headers = { set = { "X-Env" = "test" }, remove = ["Cookie"] }
response_headers = { set = { "X-Served-By" = "canopy" }, remove = ["Server"] }
[[routes]]
match = { path_prefix = "/strip" }
upstream = "api"
strip_prefix = "/strip"
)", &upstreams};
  Connection c(canopy.port());
  c.send("GET /v1/items?q=1 HTTP/1.1\r\nHost: h\r\nCookie: secret\r\n\r\n");
  auto response = c.read_response();
  ASSERT_TRUE(response);
  auto echo = boost::json::parse(response->body()).as_object();
  EXPECT_EQ(echo.at("target"), "/v2/items?q=1");
  EXPECT_EQ(echo.at("headers").as_object().at("x-env"), "test");
  EXPECT_FALSE(echo.at("headers").as_object().contains("cookie"));
  EXPECT_EQ((*response)["X-Served-By"], "canopy");
  EXPECT_EQ(response->count("Server"), 0u);
  auto stripped = boost::json::parse(get(canopy.port(), "/strip/x").body()).as_object();
  EXPECT_EQ(stripped.at("target"), "/x");
}

TEST(Connections, AClientThatSendsNothingIsClosedAfterTheHeaderTimeout) {
  Canopy canopy{"header_timeout = \"200ms\"\n[[routes]]\nstatic = {}\n", nullptr};
  Connection c(canopy.port());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);
}

TEST(Connections, AtMaxConnectionsNewClientsWaitInTheBacklogUntilOneCloses) {
  Canopy canopy{"workers = 1\nmax_connections = 2\n[[routes]]\nstatic = { body = \"hi\" }\n", nullptr};
  Connection first(canopy.port()), second(canopy.port());
  first.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  second.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(first.read_response());
  ASSERT_TRUE(second.read_response());
  Connection third(canopy.port());  // the kernel completes the handshake; Canopy does not accept yet
  third.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_FALSE(third.read_response(300ms));
  first.close();
  auto late = third.read_response(5s);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->body(), "hi");
}

const char* slow = R"(
[upstreams.slow]
endpoints = ["127.0.0.1:{port:slow}"]
[[routes]]
upstream = "slow"
timeout = "10s"
)";

TEST(Connections, AHalfClosedClientIsCancelledByDefault) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{slow, &upstreams};
  Connection c(canopy.port());
  c.send("GET /?delay=5000 HTTP/1.1\r\nHost: h\r\n\r\n");
  ::shutdown(c.socket().native_handle(), SHUT_WR);
  auto lines = canopy.access_log(1, 5s);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("status").as_int64(), 499);
  EXPECT_EQ(lines[0].at("cancel_reason"), "client_disconnect");
}

TEST(Connections, AHalfClosedClientIsAnsweredWithContinue) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{std::string("client_half_close = \"continue\"\n") + slow, &upstreams};
  Connection c(canopy.port());
  c.send("GET /?delay=100 HTTP/1.1\r\nHost: h\r\n\r\n");
  ::shutdown(c.socket().native_handle(), SHUT_WR);
  auto response = c.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
}

TEST(Connections, SigtermLetsTheRequestInFlightFinishThenExitsWithNoTaskLeft) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{std::string("drain_timeout = \"5s\"\n") + slow, &upstreams};
  Connection c(canopy.port());
  c.send("GET /?delay=300 HTTP/1.1\r\nHost: h\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  kill(canopy.process().pid(), SIGTERM);
  auto response = c.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(canopy.process().stop(0, 10s), 0);  // signal 0: only wait for the exit
  bool stopped_clean = false;
  while (auto line = canopy.process().read_line(ChildProcess::Stream::err, 1s)) {
    auto event = boost::json::parse(*line).as_object();
    if (event.at("event") == "stopped") {
      stopped_clean = event.at("live_tasks").as_int64() == 0 && event.at("orphaned_tasks").as_int64() == 0;
    }
  }
  EXPECT_TRUE(stopped_clean);
}

TEST(Connections, AKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  Canopy canopy{"idle_timeout = \"200ms\"\n[[routes]]\nstatic = {}\n", nullptr};
  Connection c(canopy.port());
  c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(c.read_response());
  const auto idle_since = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - idle_since, 150ms);
}

TEST(Connections, LeastRequestSendsNewCallsAwayFromABusyEndpoint) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{R"(workers = 1  # balancing is per worker
[upstreams.pool]
endpoints = ["127.0.0.1:{port:a}", "127.0.0.1:{port:b}"]
balance = "least_request"
[[routes]]
upstream = "pool"
timeout = "10s"
)", &upstreams};
  // Two slow calls occupy both endpoints once each; a third slow call lands on
  // one of them, so that endpoint has two in flight and the other one.
  std::vector<std::unique_ptr<Connection>> slow_calls;
  for (int i = 0; i < 3; ++i) {
    slow_calls.push_back(std::make_unique<Connection>(canopy.port()));
    slow_calls.back()->send("GET /?delay=2000 HTTP/1.1\r\nHost: h\r\n\r\n");
    std::this_thread::sleep_for(30ms);
  }
  const auto a = upstreams.stats("a").at("requests").as_int64();
  const std::string busy = a >= 2 ? "a" : "b";  // two of the three slow calls
  for (int i = 0; i < 4; ++i) EXPECT_NE(upstream_of(get(canopy.port(), "/")), busy) << i;
}

TEST(Connections, ASecondSignalCutsTheDrainShort) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{std::string("drain_timeout = \"30s\"\n") + slow, &upstreams};
  Connection c(canopy.port());
  c.send("GET /?delay=20000 HTTP/1.1\r\nHost: h\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  kill(canopy.process().pid(), SIGTERM);
  std::this_thread::sleep_for(50ms);
  const auto second = std::chrono::steady_clock::now();
  EXPECT_EQ(canopy.process().stop(SIGTERM, 10s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - second, 5s);
  EXPECT_TRUE(c.closed_by_peer());
}

}  // namespace
}  // namespace canopy::test

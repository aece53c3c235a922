// Retries: a failed try is made again on another endpoint only when it is safe,
// within the route's deadline and retry budget.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"
#include "tests/e2e/support/metrics_text.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// A fresh gateway sends a route's first try to the first endpoint: a.
std::string retrying(const std::string& retries, const std::string& first_endpoint = "127.0.0.1:{port:a}") {
  // One worker: budgets and balancing are per worker, and these tests count exactly.
  return "workers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\n[upstreams.pair]\nendpoints = [\"" + first_endpoint +
         "\", \"127.0.0.1:{port:b}\"]\n[[routes]]\nupstream = \"pair\"\nretries = " + retries + "\n";
}

std::string answered_by(const std::string& body) {
  return std::string(json::parse(body).as_object().at("upstream").as_string());
}

Response send(std::uint16_t port, const std::string& request) {
  Connection client(port);
  client.send(request);
  auto response = client.read_response();
  if (!response) throw std::runtime_error("no response");
  return *response;
}

TEST(Retries, AResetBeforeTheAnswerIsRetriedOnAnotherEndpoint) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{retrying("{ attempts = 2, on = [\"reset\"], budget_percent = 100 }"), &upstreams};
  auto response = get(canopy.port(), "/?only=a&reset=1");
  ASSERT_EQ(response.result_int(), 200u);
  EXPECT_EQ(answered_by(response.body()), "b");
  auto log = canopy.access_log(1, 5s);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].at("attempts"), 2);
  EXPECT_EQ(metric(scrape(canopy.admin_port()), "canopy_retries_total", {{"result", "sent"}}), 1);
}

TEST(Retries, APostWhoseBodyWasSentIsNeverRetried) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{retrying("{ attempts = 3, on = [\"reset\", \"5xx\"], budget_percent = 100 }"), &upstreams};
  auto response = send(canopy.port(), "POST /?only=a&reset=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(response.result_int(), 502u);
  EXPECT_EQ(upstreams.stats("b").at("requests"), 0) << "the upstream may have acted on it: no second try";
}

TEST(Retries, AConnectFailureIsRetriedEvenForAPostBecauseNothingWasSent) {
  DemoUpstreams upstreams{{"b"}};
  Canopy canopy{retrying("{ attempts = 2, budget_percent = 100 }", "127.0.0.1:1"), &upstreams};
  auto response = send(canopy.port(), "POST /orders HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_EQ(response.result_int(), 200u);
  auto echo = json::parse(response.body()).as_object();
  EXPECT_EQ(echo.at("upstream"), "b");
  EXPECT_EQ(echo.at("body_bytes"), 5) << "the body went whole to the second endpoint";
}

TEST(Retries, APerTryTimeoutMovesOnAndClosesTheSlowTry) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{retrying("{ attempts = 2, on = [\"timeout\"], per_try_timeout = \"100ms\", budget_percent = 100 }"),
                &upstreams};
  const auto started = std::chrono::steady_clock::now();
  auto response = get(canopy.port(), "/?only=a&delay=10000");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(response.result_int(), 200u);
  EXPECT_EQ(answered_by(response.body()), "b");
  EXPECT_GE(took, 100ms);
  EXPECT_LT(took, 3s);
  EXPECT_NE(wait_abandoned(upstreams, "a", 1), 0) << "the timed-out try kept its connection";
}

TEST(Retries, AClientThatLeavesDuringATimedTryCancelsItAndNoRetryFollows) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{retrying("{ attempts = 2, on = [\"timeout\", \"reset\"], per_try_timeout = \"5s\", budget_percent = 100 }"),
                &upstreams};
  Connection client(canopy.port());
  client.send("GET /?delay=20000 HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(wait_counter(upstreams, "a", "requests", 1));
  client.close();
  EXPECT_NE(wait_abandoned(upstreams, "a", 1), 0);
  auto log = canopy.access_log(1, 5s);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].at("status"), 499);
  EXPECT_FALSE(log[0].contains("attempts")) << "a client that left is not retried for";
  EXPECT_EQ(upstreams.stats("b").at("requests"), 0);
  EXPECT_EQ(get(canopy.port(), "/").result_int(), 200u);
}

TEST(Retries, AListedStatusIsRetriedAndAnUnlistedOneIsForwarded) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{retrying("{ attempts = 2, on = [\"503\"], budget_percent = 100 }"), &upstreams};
  auto retried = get(canopy.port(), "/?only=a&status=503");
  EXPECT_EQ(retried.result_int(), 200u);
  EXPECT_EQ(answered_by(retried.body()), "b");
  auto forwarded = get(canopy.port(), "/?status=500");
  EXPECT_EQ(forwarded.result_int(), 500u);
  EXPECT_EQ(forwarded["Server"], "canopy-upstream");
}

TEST(Retries, TheBudgetCapsRetriesAtItsShareOfRequests) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{retrying("{ attempts = 2, on = [\"5xx\"], budget_percent = 10 }"), &upstreams};
  constexpr int requests = 30;
  int failed = 0;
  for (int i = 0; i < requests; ++i) failed += get(canopy.port(), "/?status=503").result_int() == 503 ? 1 : 0;
  EXPECT_EQ(failed, requests);  // both endpoints fail: a retry never helps here
  const auto text = scrape(canopy.admin_port());
  EXPECT_EQ(metric(text, "canopy_retries_total", {{"result", "sent"}}), requests * 10 / 100);
  EXPECT_EQ(metric(text, "canopy_retries_total", {{"result", "refused"}}), requests - requests * 10 / 100);
}

}  // namespace
}  // namespace canopy::test

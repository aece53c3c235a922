// Fan-out beyond parallel calls: values of the incoming request in backend
// paths, sequential steps fed by an earlier backend's JSON, forwarded headers,
// and shielded calls that may finish after the client has left.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

TEST(FanOutSteps, BackendPathsTakePathParametersQueryValuesHeadersAndAnEarlierBackendsFields) {
  DemoUpstreams upstreams{{"users", "orders"}};
  Canopy canopy{upstream_sections({"users", "orders"}) + R"(
[[routes]]
match = { path = "/api/users/{id}/dashboard" }
aggregate = { forward_headers = ["Authorization", "Host", "X-Forwarded-For"], backends = [
  { upstream = "users", path = "/users/{path.id}?tenant={header.x-tenant}&v={query.v}", key = "user" },
  { upstream = "orders", path = "/orders/by/{user.upstream}/{user.method}", key = "orders" },
] }
)", &upstreams};
  auto body = json_answer(canopy.port(),
                       "GET /api/users/42/dashboard?v=7 HTTP/1.1\r\nHost: h\r\nX-Tenant: acme corp\r\n"
                       "Authorization: Bearer t0k\r\nCookie: private\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n");
  EXPECT_EQ(body.at("user").at("target"), "/users/42?tenant=acme%20corp&v=7");
  // The step ran after users answered, with fields of users' JSON in its path.
  EXPECT_EQ(body.at("orders").at("target"), "/orders/by/users/GET");
  const auto& headers = body.at("user").at("headers").as_object();
  EXPECT_EQ(headers.at("authorization"), "Bearer t0k");
  EXPECT_FALSE(headers.contains("cookie")) << "only the listed headers go to backends";
  // What the gateway sets replaces a forwarded header of the same name.
  EXPECT_EQ(headers.at("host").as_string(), "127.0.0.1:" + std::to_string(upstreams.port("users")));
  EXPECT_EQ(headers.at("x-forwarded-for"), "127.0.0.1");
  EXPECT_EQ(headers.at("x-forwarded-proto"), "http");
  EXPECT_TRUE(headers.contains("x-canopy-deadline-ms"));
}

TEST(FanOutSteps, AStepWhoseInputIsMissingOrWhoseSourceFailedSaysSo) {
  DemoUpstreams upstreams{{"users", "orders", "broken", "audit"}};
  Canopy canopy{upstream_sections({"users", "orders", "broken", "audit"}) + R"(
[[routes]]
aggregate = { policy = "partial", errors_in_body = true, backends = [
  { upstream = "users", path = "/", key = "user" },
  { upstream = "orders", path = "/orders/{user.no_such_field}", key = "orders" },
  { upstream = "broken", path = "/?status=500", key = "broken" },
  { upstream = "audit", path = "/audit/{broken.id}", key = "audit" },
] }
)", &upstreams};
  auto body = json_answer(canopy.port(), "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_TRUE(body.contains("user"));
  EXPECT_EQ(body.at("canopy_errors").at("orders").at("reason"), "missing_field");
  EXPECT_EQ(body.at("canopy_errors").at("broken").at("reason"), "status");
  EXPECT_EQ(body.at("canopy_errors").at("audit").at("reason"), "dependency_failed");
  EXPECT_EQ(upstreams.stats("orders").at("responses_sent"), 0) << "a step without its input must not be called";
  EXPECT_EQ(upstreams.stats("audit").at("responses_sent"), 0);
}

TEST(FanOutSteps, AShieldedBackendFinishesAfterTheClientLeavesAndItsSiblingsDoNot) {
  DemoUpstreams upstreams{{"write", "read"}};
  Canopy canopy{upstream_sections({"write", "read"}) + R"(
[[routes]]
timeout = "30s"
aggregate = { backends = [
  { upstream = "write", path = "/?delay=300", key = "write", shield = "2s" },
  { upstream = "read", path = "/?delay=20000", key = "read" },
] }
)", &upstreams};
  Connection client(canopy.port());
  client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(wait_counter(upstreams, "write", "requests", 1));
  ASSERT_TRUE(wait_counter(upstreams, "read", "requests", 1));
  client.close();
  EXPECT_NE(wait_abandoned(upstreams, "read", 1), 0) << "the unshielded sibling kept running";
  EXPECT_TRUE(wait_counter(upstreams, "write", "responses_sent", 1)) << "the shielded call was cut";
  EXPECT_EQ(upstreams.stats("write").at("requests_abandoned"), 0);
}

TEST(FanOutSteps, AShieldHoldsOnlyForItsGrace) {
  DemoUpstreams upstreams{{"write"}};
  Canopy canopy{upstream_sections({"write"}) + R"(
[[routes]]
timeout = "30s"
aggregate = { backends = [ { upstream = "write", path = "/?delay=20000", key = "write", shield = "200ms" } ] }
)", &upstreams};
  Connection client(canopy.port());
  client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(wait_counter(upstreams, "write", "requests", 1));
  const auto left = monotonic_ns();
  client.close();
  const auto closed = wait_abandoned(upstreams, "write", 1);
  ASSERT_NE(closed, 0) << "the shielded call outlived its grace";
  EXPECT_GE(static_cast<double>(closed - left) / 1e6, 200.0) << "cut before its grace";
}

}  // namespace
}  // namespace canopy::test

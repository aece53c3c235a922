// The real canopy binary in front of real canopy-upstream processes.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

const char* users_route = R"(
[upstreams.users]
endpoints = ["127.0.0.1:{port:users}"]

[[routes]]
match = { path_prefix = "/api/users" }
upstream = "users"
timeout = "5s"

[[routes]]
match = { path = "/health" }
static = { status = 200, headers = { "Content-Type" = "text/plain" }, body = "ok\n" }
)";

boost::json::object echo_of(const Response& response) { return boost::json::parse(response.body()).as_object(); }

class Proxy : public ::testing::Test {
 protected:
  DemoUpstreams upstreams{{"users"}};
  Canopy canopy{users_route, &upstreams};
};

TEST_F(Proxy, AStaticRouteAnswersWithoutAnUpstream) {
  auto response = get(canopy.port(), "/health");
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response.body(), "ok\n");
  EXPECT_EQ(response[boost::beast::http::field::content_type], "text/plain");
}

TEST_F(Proxy, ForwardsTheRequestKeepsHostAndAddsForwardedHeaders) {
  Connection c(canopy.port());
  c.send("GET /api/users/42?x=1 HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
  auto response = c.read_response();
  ASSERT_TRUE(response);
  auto echo = echo_of(*response);
  EXPECT_EQ(echo.at("target"), "/api/users/42?x=1");
  const auto& headers = echo.at("headers").as_object();
  EXPECT_EQ(headers.at("host"), "api.example.com");
  EXPECT_EQ(headers.at("x-forwarded-for"), "10.0.0.1, 127.0.0.1");
  EXPECT_EQ(headers.at("x-forwarded-proto"), "http");
  EXPECT_EQ(headers.at("x-forwarded-host"), "api.example.com");
}

TEST_F(Proxy, StripsHopByHopHeadersAndEveryHeaderNamedInConnection) {
  Connection c(canopy.port());
  c.send("GET /api/users HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n"
         "Keep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: websocket\r\nProxy-Authorization: Basic eA==\r\n"
         "X-Kept: yes\r\n\r\n");
  auto response = c.read_response();
  ASSERT_TRUE(response);
  const auto echo = echo_of(*response);
  const auto& headers = echo.at("headers").as_object();
  for (auto gone : {"connection", "x-secret", "keep-alive", "te", "upgrade", "proxy-authorization"}) {
    EXPECT_FALSE(headers.contains(gone)) << gone;
  }
  EXPECT_EQ(headers.at("x-kept"), "yes");
}

TEST_F(Proxy, BodiesOfEverySizeArriveIntactBothWays) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1024}, std::size_t{8} << 20}) {
    std::string body(size, '\0');
    for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + (i * 7) % 26);
    Connection c(canopy.port());
    c.send("POST /api/users HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n");
    c.send(body);
    auto response = c.read_response();
    ASSERT_TRUE(response) << size;
    auto echo = echo_of(*response);
    EXPECT_EQ(echo.at("body_bytes").as_int64(), static_cast<std::int64_t>(size));
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a64(body)));
    EXPECT_EQ(echo.at("body_fnv1a64"), hash) << size;

    c.send("GET /api/users?bytes=" + std::to_string(size) + " HTTP/1.1\r\nHost: h\r\n\r\n");
    auto download = c.read_response();
    ASSERT_TRUE(download) << size;
    EXPECT_EQ(download->body().size(), size);
  }
}

TEST_F(Proxy, ChunkedBodiesPassBothWays) {
  Connection c(canopy.port());
  c.send("POST /api/users HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  auto response = c.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(echo_of(*response).at("body_bytes").as_int64(), 11);

  c.send("GET /api/users?bytes=100000&chunked=1 HTTP/1.1\r\nHost: h\r\n\r\n");
  auto chunked = c.read_response();
  ASSERT_TRUE(chunked);
  EXPECT_TRUE(chunked->chunked());
  EXPECT_EQ(chunked->body().size(), 100000u);
}

// The head's read brings part of the body along, cut inside a chunk-size line
// (or short of Content-Length): what is buffered is relayed, the rest read after.
TEST_F(Proxy, ABodyCutMidChunkOrMidLengthRightAfterTheHeadArrivesWhole) {
  Connection chunked(canopy.port());
  chunked.send("POST /api/users HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6");
  std::this_thread::sleep_for(50ms);
  chunked.send("\r\n world\r\n0\r\n\r\n");
  auto response = chunked.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(echo_of(*response).at("body_bytes").as_int64(), 11);
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a64("hello world")));
  EXPECT_EQ(echo_of(*response).at("body_fnv1a64"), hash);

  Connection sized(canopy.port());
  sized.send("POST /api/users HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello");
  std::this_thread::sleep_for(50ms);
  sized.send(" world");
  response = sized.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(echo_of(*response).at("body_bytes").as_int64(), 11);
  EXPECT_EQ(echo_of(*response).at("body_fnv1a64"), hash);
}

TEST_F(Proxy, KeepAliveReusesOneUpstreamConnectionForAHundredRequests) {
  const auto opened_before = upstreams.stats("users").at("connections_opened").as_int64();
  Connection c(canopy.port());
  for (int i = 0; i < 100; ++i) {
    c.send("GET /api/users/" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n");
    auto response = c.read_response();
    ASSERT_TRUE(response) << i;
    ASSERT_EQ(response->result_int(), 200u);
  }
  // One connection for the hundred, plus the one the /_stats probe itself opened.
  EXPECT_EQ(upstreams.stats("users").at("connections_opened").as_int64() - opened_before, 2);
}

TEST_F(Proxy, PipelinedRequestsAreAnsweredInOrder) {
  Connection c(canopy.port());
  c.send("GET /api/users/1 HTTP/1.1\r\nHost: h\r\n\r\nGET /health HTTP/1.1\r\nHost: h\r\n\r\n"
         "GET /api/users/3 HTTP/1.1\r\nHost: h\r\n\r\n");
  auto first = c.read_response(), second = c.read_response(), third = c.read_response();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(echo_of(*first).at("target"), "/api/users/1");
  EXPECT_EQ(second->body(), "ok\n");
  EXPECT_EQ(echo_of(*third).at("target"), "/api/users/3");
}

TEST_F(Proxy, AnHttp10ClientGetsItsAnswerAndTheConnectionCloses) {
  Connection c(canopy.port());
  c.send("GET /api/users?bytes=5000&chunked=1 HTTP/1.0\r\nHost: h\r\n\r\n");
  auto response = c.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->version(), 10u);
  EXPECT_FALSE(response->chunked());
  EXPECT_EQ(response->body().size(), 5000u);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(Proxy, EveryRequestWritesOneJsonAccessLine) {
  get(canopy.port(), "/health");
  get(canopy.port(), "/api/users/7");
  auto lines = canopy.access_log(2, 5s);
  ASSERT_EQ(lines.size(), 2u);
  // Two connections may land on two workers, each flushing its own lines: find them by route.
  if (lines[0].at("route") != "/health") std::swap(lines[0], lines[1]);
  EXPECT_EQ(lines[0].at("route"), "/health");
  EXPECT_EQ(lines[1].at("status").as_int64(), 200);
  EXPECT_EQ(lines[1].at("upstream"), "users");
  EXPECT_TRUE(lines[1].contains("duration_us"));
}

}  // namespace
}  // namespace canopy::test

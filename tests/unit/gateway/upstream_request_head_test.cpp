#include "gateway/proxy/upstream_request_head.hpp"

#include <gtest/gtest.h>

#include <string>

#include "config/load.hpp"
#include "gateway/http/message_head.hpp"
#include "tests/unit/gateway/parsed_request.hpp"

namespace canopy::gateway {
namespace {

using namespace std::chrono_literals;

// The client's head as the gateway parsed it.
using ClientHead = ParsedRequest;

// A config whose one route matches /v1 and goes to an upstream, with `settings` added to the route.
config::Config route_config(const std::string& settings) {
  return config::parse_config("[upstreams.u]\nendpoints = [\"127.0.0.1:9\"]\n"
                              "[[routes]]\nmatch = { path_prefix = \"/v1\" }\nupstream = \"u\"\n" + settings,
                              "route.toml");
}

std::string upstream_head(const ClientHead& client, const config::RouteConfig& route,
                          const std::vector<config::DeadlineHeader>& deadline_headers = {}) {
  const UpstreamRequestHead head(client.parser(), "192.0.2.7", route, core::Clock::now() + 30s, deadline_headers);
  std::string text = wire_text(head);
  std::string again(head.size(), '\0');
  EXPECT_EQ(head.write(again.data()), again.data() + again.size()) << "size() and write() disagree";
  return text;
}

TEST(UpstreamRequestHead, KeepsTheClientsFieldsInOrderAndAppendsTheForwardedOnes) {
  const ClientHead client("GET /a?b=1 HTTP/1.1\r\nHost: api.example.com\r\nAccept: */*\r\nX-Custom: 1\r\n\r\n");
  EXPECT_EQ(upstream_head(client, {}),
            "GET /a?b=1 HTTP/1.1\r\nHost: api.example.com\r\nAccept: */*\r\nX-Custom: 1\r\n"
            "X-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: api.example.com\r\n\r\n");
}

TEST(UpstreamRequestHead, DropsHopByHopFieldsEveryFieldConnectionNamesAndExpect) {
  const ClientHead client(
      "POST /p HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret , x-other\r\nX-Secret: 1\r\nX-Other: 2\r\n"
      "Keep-Alive: timeout=5\r\nTE: trailers\r\nTrailer: X-T\r\nUpgrade: websocket\r\n"
      "Proxy-Authorization: Basic eA==\r\n"
      "Proxy-Connection: keep-alive\r\nExpect: 100-continue\r\nContent-Length: 0\r\nX-Kept: yes\r\n\r\n");
  EXPECT_EQ(upstream_head(client, {}),
            "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nX-Kept: yes\r\n"
            "X-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n");
}

TEST(UpstreamRequestHead, AppendsTheClientToEveryForwardedForItSentAndReplacesItsProtoAndHost) {
  const ClientHead client(
      "GET / HTTP/1.1\r\nx-forwarded-for: 10.0.0.1\r\nHost: h\r\nX-Forwarded-Proto: https\r\n"
      "X-Forwarded-For: 10.0.0.2, 10.0.0.3\r\nX-Forwarded-Host: spoofed\r\n\r\n");
  EXPECT_EQ(upstream_head(client, {}),
            "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2, 10.0.0.3, 192.0.2.7\r\n"
            "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n");
}

TEST(UpstreamRequestHead, AClientWithoutHostKeepsItsForwardedHostAndAnHttp10RequestGoesAs11) {
  const ClientHead client("GET / HTTP/1.0\r\nX-Forwarded-Host: theirs\r\n\r\n");
  EXPECT_EQ(upstream_head(client, {}),
            "GET / HTTP/1.1\r\nX-Forwarded-Host: theirs\r\nX-Forwarded-For: 192.0.2.7\r\n"
            "X-Forwarded-Proto: http\r\n\r\n");
}

TEST(UpstreamRequestHead, TheRoutesEditsRemoveAndReplaceClientAndGatewayFieldsAlike) {
  const auto config = route_config(
      "request_headers = { remove = [\"Cookie\", \"X-Forwarded-Proto\"], set = { \"Host\" = \"internal\", "
      "\"X-Forwarded-For\" = \"hidden\", \"X-Env\" = \"test\" } }\n");
  const ClientHead client("GET / HTTP/1.1\r\nHost: h\r\nCookie: secret\r\nX-Env: client\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(upstream_head(client, config.routes.front()),
            "GET / HTTP/1.1\r\nAccept: */*\r\nX-Forwarded-Host: h\r\nHost: internal\r\nX-Env: test\r\n"
            "X-Forwarded-For: hidden\r\n\r\n");
}

TEST(UpstreamRequestHead, CarriesTheTimeLeftAndReplacesTheClientsDeadlineFields) {
  const ClientHead client("GET / HTTP/1.1\r\nHost: h\r\nX-Canopy-Deadline-Ms: 999999\r\ngrpc-timeout: 99S\r\n\r\n");
  const std::string head =
      upstream_head(client, {}, {config::DeadlineHeader::canopy, config::DeadlineHeader::grpc_timeout});
  EXPECT_EQ(head.find("999999"), std::string::npos) << head;
  EXPECT_EQ(head.find("99S"), std::string::npos) << head;
  const auto canopy = head.find("\r\nX-Canopy-Deadline-Ms: ");
  const auto grpc = head.find("\r\ngrpc-timeout: ");
  ASSERT_NE(canopy, std::string::npos) << head;
  ASSERT_NE(grpc, std::string::npos) << head;
  const long ms = std::stol(head.substr(canopy + 24));
  EXPECT_GT(ms, 29'000);
  EXPECT_LE(ms, 30'000);
  EXPECT_EQ(head.substr(grpc + 16, head.find("\r\n", grpc + 2) - grpc - 16), std::to_string(ms) + "m");
}

TEST(UpstreamRequestHead, RewritesTheTargetOnlyWhenTheRouteSaysSo) {
  const auto config = route_config("prefix_rewrite = \"/v2\"\n");
  const ClientHead client("GET /v1/items?q=1 HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_TRUE(upstream_head(client, config.routes.front()).starts_with("GET /v2/items?q=1 HTTP/1.1\r\n"));
  EXPECT_TRUE(upstream_head(client, {}).starts_with("GET /v1/items?q=1 HTTP/1.1\r\n"));
}

}  // namespace
}  // namespace canopy::gateway

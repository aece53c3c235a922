// Deadlines across the tree: the time left goes upstream on every call, a
// trusted client's budget can shorten a route's deadline, and a request with
// too little time left is refused before any work starts.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

TEST(Deadlines, EveryUpstreamCallCarriesTheTimeLeftAndItShrinksAcrossHops) {
  DemoUpstreams upstreams{{"echo"}};
  Canopy inner{"trust_deadline_header = true\n" + upstream_sections({"echo"}) +
                   "[[routes]]\nupstream = \"echo\"\ntimeout = \"10s\"\n",
               &upstreams};
  Canopy outer{"[upstreams.inner]\nendpoints = [\"127.0.0.1:" + std::to_string(inner.port()) +
                   "\"]\n[[routes]]\nupstream = \"inner\"\ntimeout = \"2s\"\n",
               nullptr};
  auto direct = json::parse(get(inner.port(), "/").body()).as_object();
  const auto direct_ms = std::stoll(std::string(direct.at("headers").at("x-canopy-deadline-ms").as_string()));
  EXPECT_GT(direct_ms, 9000);
  EXPECT_LE(direct_ms, 10000);
  auto chained = json::parse(get(outer.port(), "/").body()).as_object();
  const auto chained_ms = std::stoll(std::string(chained.at("headers").at("x-canopy-deadline-ms").as_string()));
  EXPECT_GT(chained_ms, 0);
  EXPECT_LE(chained_ms, 2000);  // the outer route's 2s, less what the first hop took
}

TEST(Deadlines, AnUpstreamThatSpeaksGrpcGetsGrpcTimeout) {
  DemoUpstreams upstreams{{"grpc"}};
  Canopy canopy{"[upstreams.grpc]\nendpoints = [\"127.0.0.1:{port:grpc}\"]\ndeadline_headers = [\"grpc-timeout\"]\n"
                "[[routes]]\nupstream = \"grpc\"\ntimeout = \"1500ms\"\n",
                &upstreams};
  // The client's own deadline header goes nowhere: upstream calls carry the gateway's.
  auto echo = json_answer(canopy.port(), "GET / HTTP/1.1\r\nHost: h\r\nX-Canopy-Deadline-Ms: 99999\r\n\r\n");
  const auto& headers = echo.at("headers").as_object();
  ASSERT_TRUE(headers.contains("grpc-timeout"));
  const std::string value(headers.at("grpc-timeout").as_string());
  ASSERT_EQ(value.back(), 'm') << value;
  const auto ms = std::stoll(value.substr(0, value.size() - 1));
  EXPECT_GT(ms, 0);
  EXPECT_LE(ms, 1500);
  EXPECT_FALSE(headers.contains("x-canopy-deadline-ms")) << "only the headers this upstream takes";
}

TEST(Deadlines, ATrustedClientsGrpcTimeoutShortensTheRoutesDeadline) {
  DemoUpstreams upstreams{{"echo"}};
  Canopy canopy{"trust_deadline_header = true\n" + upstream_sections({"echo"}) +
                    "[[routes]]\nupstream = \"echo\"\ntimeout = \"10s\"\n",
                &upstreams};
  auto echo = json_answer(canopy.port(), "GET / HTTP/1.1\r\nHost: h\r\ngrpc-timeout: 300m\r\n\r\n");
  const auto ms = std::stoll(std::string(echo.at("headers").at("x-canopy-deadline-ms").as_string()));
  EXPECT_GT(ms, 0);
  EXPECT_LE(ms, 300);
}

TEST(Deadlines, ARequestWithLessTimeLeftThanTheRoutesMinimumIsRefusedAtOnce) {
  DemoUpstreams upstreams{{"echo"}};
  Canopy canopy{"trust_deadline_header = true\n" + upstream_sections({"echo"}) +
                    "[[routes]]\nupstream = \"echo\"\ntimeout = \"2s\"\nmin_budget = \"100ms\"\n",
                &upstreams};
  Connection client(canopy.port());
  client.send("GET /work HTTP/1.1\r\nHost: h\r\nX-Canopy-Deadline-Ms: 40\r\n\r\n");
  auto refused = client.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 504u);
  EXPECT_NE(refused->body().find("needs at least 100 ms"), std::string::npos) << refused->body();
  EXPECT_EQ(upstreams.stats("echo").at("requests"), 0) << "no work may start for a request that cannot finish";
  // The same connection goes on; with enough time left the request is served.
  client.send("GET /work HTTP/1.1\r\nHost: h\r\nX-Canopy-Deadline-Ms: 1000\r\n\r\n");
  auto served = client.read_response();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->result_int(), 200u);
}

}  // namespace
}  // namespace canopy::test

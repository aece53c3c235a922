// Strict request framing (RFC 9112): ambiguous or malformed requests get a 4xx
// and the connection closes, because nothing after them can be trusted.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

const char* echo_route = R"(max_header_bytes = "8KiB"
max_uri_bytes = "1KiB"
max_body_bytes = "64KiB"

[upstreams.echo]
endpoints = ["127.0.0.1:{port:echo}"]

[[routes]]
upstream = "echo"
)";

class Framing : public ::testing::Test {
 protected:
  DemoUpstreams upstreams{{"echo"}};
  Canopy canopy{echo_route, &upstreams};

  // Sends `raw`, expects `status` and the connection closed after it.
  void expect_rejected(const std::string& raw, unsigned status) {
    Connection c(canopy.port());
    c.send(raw);
    auto response = c.read_response(5s);
    ASSERT_TRUE(response) << raw;
    EXPECT_EQ(response->result_int(), status) << raw;
    EXPECT_TRUE(c.closed_by_peer()) << "connection left open after: " << raw;
  }
};

TEST_F(Framing, BothContentLengthAndTransferEncodingIs400) {
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
}

TEST_F(Framing, DuplicateOrInvalidContentLengthIs400) {
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400);
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400);
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n", 400);
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5x\r\n\r\nhello", 400);
}

TEST_F(Framing, ABadChunkSizeIs400) {
  Connection c(canopy.port());
  c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
  auto response = c.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(Framing, AHeaderLineWithoutAColonIs400) {
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nNoColonHere\r\n\r\n", 400);
}

TEST_F(Framing, ObsoleteLineFoldingIs400) {
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX-Folded: a\r\n b\r\n\r\n", 400);
}

TEST_F(Framing, NulCrOrLfInsideAFieldValueIs400) {
  static constexpr char with_nul[] = "GET / HTTP/1.1\r\nHost: h\r\nX-Nul: a\0b\r\n\r\n";
  expect_rejected(std::string(with_nul, sizeof with_nul - 1), 400);
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX-Cr: a\rb\r\n\r\n", 400);
}

TEST_F(Framing, InvalidCharactersInTheMethodOrTargetAre400) {
  expect_rejected("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  expect_rejected("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  expect_rejected("GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

TEST_F(Framing, LimitsGive414And431And413) {
  expect_rejected("GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", 414);
  expect_rejected("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", 414);
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(9000, 'b') + "\r\n\r\n", 431);
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n", 413);
}

// What arrives on `c` until it ends with `last` (or `timeout` passed).
std::string read_until_end(Connection& c, std::string_view last, std::chrono::milliseconds timeout) {
  std::string got;
  c.socket().non_blocking(true);
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!got.ends_with(last) && std::chrono::steady_clock::now() < until) {
    char chunk[4096];
    boost::system::error_code ec;
    const auto n = c.socket().read_some(boost::asio::buffer(chunk), ec);
    if (ec == boost::asio::error::would_block) {
      std::this_thread::sleep_for(5ms);
      continue;
    }
    if (ec) break;
    got.append(chunk, n);
  }
  return got;
}

TEST(HeadRequests, TheGatewaysOwnAnswersToHeadHaveNoBodySoTheNextResponseStaysFramed) {
  Canopy canopy{"[[routes]]\nmatch = { path = \"/s\" }\nstatic = { status = 200, body = \"hello\" }\n", nullptr};
  Connection c(canopy.port());
  c.send("HEAD /s HTTP/1.1\r\nHost: h\r\n\r\n"      // a static route
         "HEAD /none HTTP/1.1\r\nHost: h\r\n\r\n"   // no route: the gateway's 404
         "GET /s HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string got = read_until_end(c, "hello", 5s);
  const auto second = got.find("HTTP/1.1", 1);
  const auto third = got.find("HTTP/1.1", second + 1);
  ASSERT_NE(third, std::string::npos) << got;
  EXPECT_TRUE(got.substr(0, second).ends_with("Content-Length: 5\r\n\r\n")) << got;
  EXPECT_TRUE(got.substr(second, third - second).starts_with("HTTP/1.1 404")) << got;
  EXPECT_TRUE(got.substr(second, third - second).ends_with("\r\n\r\n")) << got;
  EXPECT_TRUE(got.ends_with("\r\n\r\nhello")) << got;
}

TEST(HeadRequests, TheAdminListenersAnswersToHeadHaveNoBody) {
  Canopy canopy{"[admin]\nlisten = \"127.0.0.1:0\"\n[[routes]]\nstatic = {}\n", nullptr};
  Connection c(canopy.admin_port());
  c.send("HEAD /healthz HTTP/1.1\r\nHost: h\r\n\r\nGET /healthz HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string got = read_until_end(c, "ok\n", 5s);
  const auto second = got.find("HTTP/1.1", 1);
  ASSERT_NE(second, std::string::npos) << got;
  EXPECT_TRUE(got.substr(0, second).ends_with("\r\n\r\n")) << got;
  EXPECT_TRUE(got.ends_with("\r\n\r\nok\n")) << got;
}

TEST_F(Framing, AWellFormedRequestAfterAllThatStillWorks) {
  auto response = get(canopy.port(), "/fine");
  EXPECT_EQ(response.result_int(), 200u);
}

}  // namespace
}  // namespace canopy::test

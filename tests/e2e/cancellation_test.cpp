// What the product promises: when a request ends, every upstream call under it
// ends too, and its connection closes at once.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <boost/asio/write.hpp>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

const char* slow_route = R"(
[upstreams.slow]
endpoints = ["127.0.0.1:{port:slow}"]

[upstreams.dead]
endpoints = ["127.0.0.1:1"]
connect_timeout = "1s"

[[routes]]
match = { path_prefix = "/slow" }
upstream = "slow"
timeout = "300ms"

[[routes]]
match = { path_prefix = "/patient" }
upstream = "slow"
timeout = "30s"

[[routes]]
match = { path_prefix = "/dead" }
upstream = "dead"
timeout = "5s"
)";

class Cancellation : public ::testing::Test {
 protected:
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{slow_route, &upstreams};

  std::int64_t stat(const char* name) { return upstreams.stats("slow").at(name).as_int64(); }

  // Polls until the upstream has received `n` requests (its /_stats probes do not count).
  void wait_for_requests(std::int64_t n) {
    for (int i = 0; i < 500 && stat("requests") < n; ++i) std::this_thread::sleep_for(2ms);
  }
};

TEST_F(Cancellation, AClientThatLeavesClosesItsUpstreamConnectionAtOnce) {
  Connection client(canopy.port());
  client.send("GET /patient?delay=20000 HTTP/1.1\r\nHost: h\r\n\r\n");
  wait_for_requests(1);
  const auto abandoned_before = stat("requests_abandoned");
  const auto left_at = monotonic_ns();
  client.close();
  std::int64_t closed_at = 0;
  for (int i = 0; i < 1000 && stat("requests_abandoned") == abandoned_before; ++i) std::this_thread::sleep_for(1ms);
  closed_at = upstreams.stats("slow").at("last_peer_close_ns").as_int64();
  ASSERT_EQ(stat("requests_abandoned"), abandoned_before + 1) << "the upstream call outlived its client";
  const double ms = static_cast<double>(closed_at - left_at) / 1e6;
  RecordProperty("disconnect_to_upstream_close_ms", std::to_string(ms));
  std::printf("disconnect -> upstream close: %.3f ms\n", ms);
  EXPECT_LT(ms, 1000.0);  // liveness; the figure itself is reported above
  auto lines = canopy.access_log(1, 5s);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("status").as_int64(), 499);
  EXPECT_EQ(lines[0].at("cancel_reason"), "client_disconnect");
}

TEST_F(Cancellation, TheRouteDeadlineAnswers504AndClosesTheUpstreamConnection) {
  const auto abandoned_before = stat("requests_abandoned");
  Connection client(canopy.port());
  const auto started = std::chrono::steady_clock::now();
  client.send("GET /slow?delay=20000 HTTP/1.1\r\nHost: h\r\n\r\n");
  auto response = client.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 504u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  for (int i = 0; i < 1000 && stat("requests_abandoned") == abandoned_before; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(stat("requests_abandoned"), abandoned_before + 1);
  // The connection to the client is still good for the next request.
  client.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
}

TEST_F(Cancellation, ADeadUpstreamAnswers502Fast) {
  const auto started = std::chrono::steady_clock::now();
  auto response = get(canopy.port(), "/dead/x");
  EXPECT_EQ(response.result_int(), 502u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);  // refused, not timed out
  auto lines = canopy.access_log(1, 5s);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("upstream_error"), "connect_failed");
}

TEST_F(Cancellation, AnUpstreamResetMidBodyClosesTheClientConnectionInsteadOfFakingCompletion) {
  Connection client(canopy.port());
  client.send("GET /patient?bytes=100000&reset_after=1000 HTTP/1.1\r\nHost: h\r\n\r\n");
  auto response = client.read_response(5s);
  EXPECT_FALSE(response) << "a truncated body was presented as complete";
  EXPECT_TRUE(client.closed_by_peer());
}

TEST_F(Cancellation, AnUpstreamThatResetsBeforeAnsweringGives502) {
  auto response = get(canopy.port(), "/patient?reset=1");
  EXPECT_EQ(response.result_int(), 502u);
  auto lines = canopy.access_log(1, 5s);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("upstream_error"), "reset");
}

// An upstream that answers with bytes that are not HTTP.
class GarbageUpstream {
 public:
  GarbageUpstream() : acceptor_(io_, {boost::asio::ip::address_v4::loopback(), 0}) {
    thread_ = std::thread([this] {
      boost::system::error_code ec;
      for (;;) {
        auto socket = acceptor_.accept(ec);
        if (ec) return;
        char request[4096];
        socket.read_some(boost::asio::buffer(request), ec);
        boost::asio::write(socket, boost::asio::buffer(std::string_view("SSH-2.0-not-http\r\n\r\n")), ec);
      }
    });
  }
  ~GarbageUpstream() {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocked accept()
    thread_.join();
    boost::system::error_code ec;
    acceptor_.close(ec);
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(InvalidUpstream, AResponseThatIsNotHttpGives502AndIsNeverRelayed) {
  GarbageUpstream garbage;
  Canopy canopy{"[upstreams.g]\nendpoints = [\"127.0.0.1:" + std::to_string(garbage.port()) +
                    "\"]\n[[routes]]\nupstream = \"g\"\n",
                nullptr};
  auto response = get(canopy.port(), "/");
  EXPECT_EQ(response.result_int(), 502u);
  EXPECT_EQ(response.body().find("SSH"), std::string::npos);
  auto lines = canopy.access_log(1, 5s);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("upstream_error"), "invalid_response");
}

}  // namespace
}  // namespace canopy::test

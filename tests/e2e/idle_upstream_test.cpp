// Idle keep-alive connections to upstreams: closed by Canopy once the upstream
// has closed its side, with no traffic needed to notice.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// The upstream's end of the connection sees end of stream within `timeout`.
bool peer_closes_within(tcp::socket& socket, int timeout_ms) {
  pollfd readable{socket.native_handle(), POLLIN, 0};
  if (::poll(&readable, 1, timeout_ms) != 1) return false;
  char byte;
  return ::recv(socket.native_handle(), &byte, 1, 0) == 0;
}

// An upstream that answers one request through a Canopy with `upstream_settings`
// in its [upstreams.api]; keeps its end of the connection for the test.
class OneAnswerUpstream {
 public:
  explicit OneAnswerUpstream(const std::string& upstream_settings)
      : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        canopy_("workers = 1\n[upstreams.api]\nendpoints = [\"127.0.0.1:" +
                    std::to_string(acceptor_.local_endpoint().port()) + "\"]\n" + upstream_settings +
                    "\n[[routes]]\nupstream = \"api\"\n",
                nullptr) {}

  // A GET through Canopy, answered keep-alive with `answer`; its status.
  unsigned serve_one(std::string_view answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") {
    unsigned status = 0;
    std::thread client([&] { status = get(canopy_.port(), "/").result_int(); });
    socket_ = acceptor_.accept();
    std::string request;
    asio::read_until(*socket_, asio::dynamic_buffer(request), "\r\n\r\n");
    asio::write(*socket_, asio::buffer(answer));
    client.join();
    return status;
  }

  tcp::socket& connection() { return *socket_; }
  tcp::acceptor& acceptor() { return acceptor_; }
  std::uint16_t canopy_port() const { return canopy_.port(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  Canopy canopy_;
  std::optional<tcp::socket> socket_;
};

TEST(IdleUpstreamConnections, OneTheUpstreamClosedIsClosedWithoutFurtherTraffic) {
  OneAnswerUpstream upstream("");
  ASSERT_EQ(upstream.serve_one(), 200u);
  // The upstream ends the idle connection, as upstreams do after their own
  // keep-alive timeout; nothing else reaches the gateway from now on.
  upstream.connection().shutdown(tcp::socket::shutdown_send);
  EXPECT_TRUE(peer_closes_within(upstream.connection(), 4000)) << "canopy kept the connection open (CLOSE_WAIT)";
}

TEST(IdleUpstreamConnections, OneIdleLongerThanTheIdleTimeoutIsClosedWithoutFurtherTraffic) {
  OneAnswerUpstream upstream("idle_timeout = \"300ms\"");
  ASSERT_EQ(upstream.serve_one(), 200u);
  EXPECT_TRUE(peer_closes_within(upstream.connection(), 4000)) << "canopy kept the idle connection past idle_timeout";
}

// A connection back in the pool moments ago is reused without checking it first
// (the check is a system call per request); if the upstream closed it meanwhile,
// the request goes out again on a new connection and the client never sees it.
TEST(IdleUpstreamConnections, OneTheUpstreamClosedJustAfterAnsweringIsReplacedUnseenByTheNextRequest) {
  OneAnswerUpstream upstream("");
  ASSERT_EQ(upstream.serve_one(), 200u);
  upstream.connection().close();
  EXPECT_EQ(upstream.serve_one(), 200u) << "the request on the closed connection reached the client as an error";
}

// Bytes past a complete response (a broken upstream, or one that answered ahead)
// are not the next request's answer: the connection they came on is closed, and
// the next request goes out on a new one.
TEST(IdleUpstreamConnections, OneWithBytesPastItsResponseIsClosedNotReused) {
  OneAnswerUpstream upstream("");
  ASSERT_EQ(upstream.serve_one("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                               "HTTP/1.1 502 Stale\r\nContent-Length: 0\r\n\r\n"),
            200u);
  ASSERT_TRUE(peer_closes_within(upstream.connection(), 4000)) << "canopy kept a connection with unread bytes";
  EXPECT_EQ(upstream.serve_one(), 200u) << "the next request was not answered on a new connection";
}

// A request whose body (here only a chunked body's last chunk) was taken from
// the client cannot be sent again: the replay on a new connection would go
// without it. When the reused connection turns out closed, the client gets 502.
TEST(IdleUpstreamConnections, ARequestWhoseBodyWasTakenIsNotReplayedOnANewConnection) {
  OneAnswerUpstream upstream("");
  ASSERT_EQ(upstream.serve_one(), 200u);
  upstream.connection().close();
  std::string replayed;  // what a second connection got, if Canopy made one
  std::thread second([&] {
    pollfd incoming{upstream.acceptor().native_handle(), POLLIN, 0};
    if (::poll(&incoming, 1, 3000) != 1) return;
    tcp::socket socket = upstream.acceptor().accept();
    boost::system::error_code ec;
    asio::read_until(socket, asio::dynamic_buffer(replayed), "0\r\n\r\n", ec);  // a whole chunked body
    asio::write(socket, asio::buffer(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")), ec);
  });
  Connection client(upstream.canopy_port());
  client.send("POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the head goes upstream first
  client.send("0\r\n\r\n");
  const auto response = client.read_response(std::chrono::seconds(5));
  second.join();
  ASSERT_TRUE(response) << "no answer: a replay without the body left the upstream waiting";
  if (!replayed.empty()) {
    EXPECT_TRUE(replayed.ends_with("0\r\n\r\n")) << replayed;
  }
  EXPECT_EQ(response->result_int(), 502u);
}

}  // namespace
}  // namespace canopy::test

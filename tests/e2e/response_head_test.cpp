// What of an upstream's response head reaches the client, through the real
// binary, for heads the demo upstream never sends: a body that ends with the
// upstream's connection, a folded field value.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <atomic>
#include <string>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// An upstream that answers each request on a new connection with `response`,
// written as is, and then closes the connection.
class ScriptedUpstream {
 public:
  explicit ScriptedUpstream(std::string response)
      : response_(std::move(response)), acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        canopy_("[upstreams.api]\nendpoints = [\"127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) +
                    "\"]\n[[routes]]\nupstream = \"api\"\n",
                nullptr),
        server_([this] { serve(); }) {}
  ~ScriptedUpstream() {
    stopping_ = true;
    boost::system::error_code ignored;
    tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ignored);
    server_.join();
  }

  std::uint16_t port() const { return canopy_.port(); }

 private:
  void serve() {
    while (!stopping_) {
      boost::system::error_code ec;
      tcp::socket socket = acceptor_.accept(ec);
      if (ec || stopping_) return;
      std::string request;
      asio::read_until(socket, asio::dynamic_buffer(request), "\r\n\r\n", ec);
      if (!ec) asio::write(socket, asio::buffer(response_), ec);
      socket.close(ec);
    }
  }

  std::string response_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  Canopy canopy_;
  std::atomic<bool> stopping_{false};
  std::thread server_;
};

TEST(ResponseHead, ABodyThatEndsWithTheUpstreamsConnectionReachesAnHttp11ClientWholeOnAConnectionThatStays) {
  ScriptedUpstream upstream("HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nhello, world");
  Connection client(upstream.port());
  for (int i = 0; i < 2; ++i) {  // the second request proves the first response was framed
    client.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    const auto response = client.read_response(5s);
    ASSERT_TRUE(response) << "request " << i << " got no whole response";
    EXPECT_EQ(response->body(), "hello, world");
    EXPECT_EQ((*response)["Transfer-Encoding"], "chunked");
    EXPECT_EQ((*response)["X-A"], "1");
  }
}

TEST(ResponseHead, ABodyThatEndsWithTheUpstreamsConnectionEndsAnHttp10ClientsConnection) {
  ScriptedUpstream upstream("HTTP/1.1 200 OK\r\n\r\nhello, world");
  Connection client(upstream.port());
  client.send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const auto response = client.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body(), "hello, world");
  EXPECT_TRUE(client.closed_by_peer(5s));
}

TEST(ResponseHead, AFoldedFieldValueReachesTheClientOnOneLine) {
  ScriptedUpstream upstream("HTTP/1.1 200 OK\r\nX-Folded: one\r\n two\r\nContent-Length: 2\r\n\r\nok");
  Connection client(upstream.port());
  client.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
  const auto response = client.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["X-Folded"], "one two");
  EXPECT_EQ(response->body(), "ok");
}

}  // namespace
}  // namespace canopy::test

#pragma once
// Real TCP connections on 127.0.0.1, for tests that block tasks on sockets.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <utility>
#include <vector>

namespace canopy::test {

struct SocketPair {
  boost::asio::ip::tcp::socket client;
  boost::asio::ip::tcp::socket server;
};

// `count` connected pairs through one listener on 127.0.0.1, port 0.
inline std::vector<SocketPair> connected_pairs(boost::asio::io_context& io, std::size_t count) {
  using boost::asio::ip::tcp;
  tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
  acceptor.listen(1024);
  const auto endpoint = acceptor.local_endpoint();
  std::vector<SocketPair> pairs;
  pairs.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    tcp::socket client(io);
    client.connect(endpoint);
    tcp::socket server = acceptor.accept();
    pairs.push_back(SocketPair{std::move(client), std::move(server)});
  }
  return pairs;
}

}  // namespace canopy::test

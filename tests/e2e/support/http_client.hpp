#pragma once
// A deliberately plain HTTP/1.1 client over a blocking loopback socket: tests
// send exact bytes (including malformed ones) and read exactly what comes back.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace canopy::test {

using Response = boost::beast::http::response<boost::beast::http::string_body>;

class Connection {
 public:
  explicit Connection(std::uint16_t port);

  void send(std::string_view bytes);
  // The next response; nullopt if the peer closed or `timeout` passed first.
  std::optional<Response> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True if the peer closes the connection (EOF or reset) within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void close();

  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// `n` GETs of `target`, each on its own connection, sent without waiting for the answers.
std::vector<std::unique_ptr<Connection>> start_requests(std::uint16_t port, const std::string& target, int n);

// One GET on a fresh connection.
Response get(std::uint16_t port, const std::string& target);

// Sends `request` (exact bytes) on a fresh connection and parses the answer's
// JSON body; throws, saying what came instead, unless the status is 200.
boost::json::object json_answer(std::uint16_t port, const std::string& request);

std::uint64_t fnv1a64(std::string_view data);

}  // namespace canopy::test

#include "tests/e2e/support/http_client.hpp"

#include <poll.h>

#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/beast/http/read.hpp>
#include <stdexcept>

namespace canopy::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {
bool readable_within(tcp::socket& socket, std::chrono::milliseconds timeout) {
  pollfd p{socket.native_handle(), POLLIN, 0};
  return poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}
}  // namespace

Connection::Connection(std::uint16_t port) : socket_(io_) {
  socket_.connect({asio::ip::address_v4::loopback(), port});
  socket_.set_option(tcp::no_delay(true));
}

void Connection::send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

std::optional<Response> Connection::read_response(std::chrono::milliseconds timeout) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024 * 1024 * 1024);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  boost::system::error_code ec;
  for (;;) {
    if (buffer_.size() > 0) {
      const auto used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      if (parser.is_done()) return parser.release();
      if (ec && ec != http::error::need_more) return std::nullopt;
      ec = {};
      if (used > 0) continue;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !readable_within(socket_, left)) return std::nullopt;
    const auto n = socket_.read_some(buffer_.prepare(64 * 1024), ec);
    if (ec == asio::error::eof) {
      if (!parser.got_some()) return std::nullopt;
      parser.put_eof(ec);  // a body delimited by the close is complete now
      if (!ec && parser.is_done()) return parser.release();
      return std::nullopt;
    }
    if (ec) return std::nullopt;
    buffer_.commit(n);
  }
}

bool Connection::closed_by_peer(std::chrono::milliseconds timeout) {
  if (!readable_within(socket_, timeout)) return false;
  char byte;
  boost::system::error_code ec;
  const auto n = socket_.read_some(asio::buffer(&byte, 1), ec);
  return n == 0 || ec;
}

void Connection::close() {
  boost::system::error_code ec;
  socket_.close(ec);
}

std::vector<std::unique_ptr<Connection>> start_requests(std::uint16_t port, const std::string& target, int n) {
  std::vector<std::unique_ptr<Connection>> clients;
  for (int i = 0; i < n; ++i) {
    clients.push_back(std::make_unique<Connection>(port));
    clients.back()->send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
  }
  return clients;
}

Response get(std::uint16_t port, const std::string& target) {
  Connection c(port);
  c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  auto response = c.read_response();
  if (!response) throw std::runtime_error("no response to GET " + target);
  return *response;
}

boost::json::object json_answer(std::uint16_t port, const std::string& request) {
  Connection c(port);
  c.send(request);
  auto response = c.read_response();
  if (!response) throw std::runtime_error("no response to " + request);
  if (response->result_int() != 200) {
    throw std::runtime_error("status " + std::to_string(response->result_int()) + ": " + response->body());
  }
  return boost::json::parse(response->body()).as_object();
}

std::uint64_t fnv1a64(std::string_view data) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace canopy::test

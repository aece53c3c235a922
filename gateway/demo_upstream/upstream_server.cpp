#include "gateway/demo_upstream/upstream_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <ctime>
#include <map>

#include "core/nursery.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::demo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using core::use_awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto as_values = asio::as_tuple(use_awaitable);

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Whether a comma-separated list names this listener.
bool names_listener(std::string_view list, std::string_view name) {
  for (std::size_t at = 0;;) {
    const auto comma = list.find(',', at);
    if (list.substr(at, comma - at) == name) return true;
    if (comma == std::string_view::npos) return false;
    at = comma + 1;
  }
}

std::map<std::string, std::string, std::less<>> query_of(std::string_view target) {
  std::map<std::string, std::string, std::less<>> out;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    out.emplace(std::string(pair.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  }
  return out;
}

std::uint64_t number(const std::map<std::string, std::string, std::less<>>& query, std::string_view key,
                     std::uint64_t fallback) {
  auto it = query.find(key);
  if (it == query.end()) return fallback;
  std::uint64_t value = fallback;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  return value;
}

std::string pattern(std::size_t n) {
  static constexpr std::string_view alphabet = "0123456789abcdefghijklmnopqrstuvwxyz\n";
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = alphabet[i % alphabet.size()];
  return out;
}

// Ends when the peer closes or resets the connection; returns at once with
// `false` if it sends data instead (a pipelined request: not a disconnect).
core::Awaitable<bool> peer_closed(gateway::TcpSocket& socket) {
  auto [ec] = co_await socket.async_wait(gateway::TcpSocket::wait_read, as_values);
  if (ec) co_return ec != asio::error::operation_aborted;
  char byte;
  boost::system::error_code peek_ec;
  const auto n = socket.receive(asio::buffer(&byte, 1), gateway::TcpSocket::message_peek, peek_ec);
  co_return n == 0 || peek_ec;
}

}  // namespace

std::uint64_t fnv1a64(std::string_view data, std::uint64_t hash) noexcept {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

UpstreamServer::UpstreamServer(gateway::TcpAcceptor acceptor, std::string name)
    : acceptor_(std::move(acceptor)), name_(std::move(name)) {}

core::Awaitable<void> UpstreamServer::serve() {
  co_await core::open_nursery([this](core::Nursery& connections) -> core::Awaitable<void> {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(as_values);
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) continue;  // EMFILE and friends: keep serving the connections we have
      connections.start_soon("connection", serve_connection(std::move(socket)));
    }
  }, {.name = "upstream connections"});
}

core::Awaitable<void> UpstreamServer::serve_connection(gateway::TcpSocket socket) {
  ++stats_.connections_opened;
  socket.set_option(tcp::no_delay(true));
  gateway::TcpStream stream(std::move(socket));
  beast::flat_buffer buffer;
  auto peer_left = [this] {
    ++stats_.connections_closed;
    stats_.last_peer_close_ns = monotonic_ns();
  };
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, as_values);
    if (read_ec == http::error::end_of_stream || read_ec == asio::error::eof ||
        read_ec == asio::error::connection_reset) {
      peer_left();
      co_return;
    }
    if (read_ec) co_return;
    auto request = parser.release();
    if (request.target() != "/_stats") ++stats_.requests;
    auto query = query_of(request.target());
    if (auto only = query.find("only"); only != query.end() && !names_listener(only->second, name_)) query.clear();

    if (auto delay = number(query, "delay", 0)) {
      core::SteadyTimer timer(stream.get_executor(), std::chrono::milliseconds(delay));
      auto first = co_await (timer.async_wait(use_awaitable) || peer_closed(stream.socket()));
      if (first.index() == 1 && std::get<1>(first)) {
        peer_left();
        ++stats_.requests_abandoned;
        co_return;
      }
      if (first.index() == 1) co_await timer.async_wait(use_awaitable);  // pipelined data: just wait
    }

    http::response<http::string_body> response{static_cast<http::status>(number(query, "status", 200)),
                                               request.version()};
    response.set(http::field::server, "canopy-upstream");
    if (request.target() == "/_stats") {
      response.set(http::field::content_type, "application/json");
      response.body() = boost::json::serialize(boost::json::object{
          {"requests", stats_.requests},
          {"connections_opened", stats_.connections_opened},
          {"connections_closed", stats_.connections_closed},
          {"requests_abandoned", stats_.requests_abandoned},
          {"responses_sent", stats_.responses_sent},
          {"last_peer_close_ns", stats_.last_peer_close_ns},
      });
    } else if (query.contains("bytes")) {
      response.set(http::field::content_type, "application/octet-stream");
      response.body() = pattern(number(query, "bytes", 0));
    } else {
      boost::json::object headers;
      for (const auto& field : request) {
        std::string key(field.name_string());
        for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (auto* existing = headers.if_contains(key)) {
          *existing = std::string(existing->as_string()) + ", " + std::string(field.value());
        } else {
          headers[key] = std::string(field.value());
        }
      }
      char hash[17];
      std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a64(request.body())));
      response.set(http::field::content_type, "application/json");
      response.body() = boost::json::serialize(boost::json::object{
          {"upstream", name_},
          {"method", std::string(request.method_string())},
          {"target", std::string(request.target())},
          {"headers", std::move(headers)},
          {"body_bytes", request.body().size()},
          {"body_fnv1a64", hash},
      }) + "\n";
    }
    response.keep_alive(request.keep_alive());
    if (query.contains("chunked")) {
      response.chunked(true);
    } else {
      response.prepare_payload();
    }

    if (query.contains("reset")) {  // no answer at all
      stream.socket().set_option(asio::socket_base::linger(true, 0));
      stream.socket().close();
      co_return;
    }
    if (query.contains("reset_after")) {
      const auto keep = std::min<std::size_t>(number(query, "reset_after", 0), response.body().size());
      response.content_length(response.body().size() + 1);  // promise more than will come
      http::response_serializer<http::string_body> serializer(response);
      co_await http::async_write_header(stream, serializer, as_values);
      co_await asio::async_write(stream.socket(), asio::buffer(response.body().data(), keep), as_values);
      // Let the peer read what was sent: a reset discards data it has not read yet.
      core::SteadyTimer pause(stream.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(as_values);
      stream.socket().set_option(asio::socket_base::linger(true, 0));
      stream.socket().close();
      co_return;
    }

    auto [write_ec, write_n] = co_await http::async_write(stream, response, as_values);
    if (write_ec) {
      peer_left();
      co_return;
    }
    if (request.target() != "/_stats") ++stats_.responses_sent;
    if (!request.keep_alive()) {
      stream.socket().shutdown(gateway::TcpSocket::shutdown_send);
      co_return;
    }
  }
}

}  // namespace canopy::demo

#include "gateway/server/responses.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/write.hpp>
#include <array>

#include "gateway/http/message_head.hpp"
#include "gateway/net/send_now.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace http = boost::beast::http;

SimpleResponse error_response(unsigned status, unsigned version, bool keep_alive, const std::string& detail) {
  SimpleResponse response{static_cast<http::status>(status), version};
  response.set(http::field::server, "canopy");
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  if (status == 503) response.set(http::field::retry_after, "1");
  response.body() = std::to_string(status) + " " + std::string(http::obsolete_reason(response.result())) + ": " +
                    detail + "\n";
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

SimpleResponse static_response(const config::StaticResponse& configured, unsigned version, bool keep_alive) {
  SimpleResponse response{static_cast<http::status>(configured.status), version};
  response.set(http::field::server, "canopy");
  for (const auto& [name, value] : configured.headers) response.set(name, value);
  response.body() = configured.body;
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

namespace {

// `head` and `body` in one gather write (Beast's serializer would walk one
// buffer per field), what the socket takes at once without waiting; whether it all went.
core::Awaitable<bool> send_head_and_body(TcpSocket& socket, std::string head, std::string_view body) {
  std::array<asio::const_buffer, 2> message{asio::buffer(head), asio::buffer(body)};
  boost::system::error_code ec;
  if (const auto rest = send_what_goes_now(socket, message, ec); !rest.empty()) {
    auto [write_ec, n] = co_await asio::async_write(socket, rest, asio::as_tuple(core::use_awaitable));
    ec = write_ec;
  }
  co_return !ec;
}

}  // namespace

core::Awaitable<bool> send(TcpSocket& socket, SimpleResponse& response, http::verb request_method) {
  const std::string_view body = request_method == http::verb::head ? std::string_view() : response.body();
  return send_head_and_body(socket, head_text(response.base()), body);
}

core::Awaitable<bool> send_continue(TcpSocket& socket) {
  return send_head_and_body(socket, "HTTP/1.1 100 Continue\r\n\r\n", {});
}

}  // namespace canopy::gateway

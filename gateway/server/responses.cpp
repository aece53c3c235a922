#include "gateway/server/responses.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/write.hpp>
#include <array>

#include "gateway/http/message_head.hpp"
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

core::Awaitable<bool> send(TcpSocket& socket, SimpleResponse& response, http::verb request_method) {
  // Head and body in one gather write: Beast's serializer would walk one buffer per field.
  const std::string head = head_text(response.base());
  const std::string_view body = request_method == http::verb::head ? std::string_view() : response.body();
  const std::array<asio::const_buffer, 2> message{asio::buffer(head), asio::buffer(body)};
  auto [ec, n] = co_await asio::async_write(socket, message, asio::as_tuple(core::use_awaitable));
  co_return !ec;
}

core::Awaitable<bool> send_continue(TcpSocket& socket) {
  static constexpr std::string_view line = "HTTP/1.1 100 Continue\r\n\r\n";
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(line), asio::as_tuple(core::use_awaitable));
  co_return !ec;
}

}  // namespace canopy::gateway

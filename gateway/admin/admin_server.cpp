#include "gateway/admin/admin_server.hpp"

#include <prometheus/text_serializer.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>

#include "gateway/net/sockets.hpp"
#include "gateway/server/responses.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto as_values = asio::as_tuple(core::use_awaitable);
constexpr auto admin_idle_timeout = std::chrono::seconds(60);

std::string utc(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

core::Awaitable<http::response<http::string_body>> answer(Control& control,
                                                          const http::request<http::string_body>& request) {
  http::response<http::string_body> response{http::status::ok, request.version()};
  response.set(http::field::server, "canopy");
  response.set(http::field::cache_control, "no-store");
  const auto target = request.target();
  const auto path = target.substr(0, target.find('?'));
  auto text = [&](http::status status, std::string body) {
    response.result(status);
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = std::move(body);
  };
  auto json = [&](const boost::json::value& value) {
    response.set(http::field::content_type, "application/json");
    response.body() = boost::json::serialize(value) + "\n";
  };
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    text(http::status::method_not_allowed, "the admin endpoints answer GET and HEAD\n");
    response.set(http::field::allow, "GET, HEAD");
  } else if (path == "/metrics") {
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = prometheus::TextSerializer().Serialize(co_await control.collect_metrics());
  } else if (path == "/healthz") {
    text(http::status::ok, "ok\n");
  } else if (path == "/readyz") {
    if (control.draining()) text(http::status::service_unavailable, "draining\n");
    else text(http::status::ok, "ready\n");
  } else if (path == "/debug/tasks") {
    json(co_await control.task_trees());
  } else if (path == "/config") {
    const auto& config = control.config();
    json(boost::json::object{{"file", config.source},
                             {"hash", config.hash},
                             {"loaded_at", utc(config.loaded_at)},
                             {"routes", config.routes.size()},
                             {"upstreams", config.upstreams.size()},
                             {"workers", control.worker_count()}});
  } else {
    text(http::status::not_found, "admin endpoints: /metrics /healthz /readyz /debug/tasks /config\n");
  }
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  co_return response;
}

core::Awaitable<void> serve_admin_connection(Control& control, TcpSocket socket) {
  TcpStream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(16 * 1024);
    stream.expires_after(admin_idle_timeout);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, as_values);
    if (read_ec) co_return;  // closed, idle, or not HTTP: nothing to answer
    stream.expires_never();
    auto response = co_await answer(control, parser.get());
    if (!co_await send(stream.socket(), response, parser.get().method()) || !response.keep_alive()) co_return;
  }
}

}  // namespace

core::Awaitable<void> serve_admin(Control& control, TcpAcceptor& acceptor, core::Nursery& tree) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(as_values);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {  // out of descriptors and the like: give the system a moment
      core::SteadyTimer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(as_values);
      continue;
    }
    tree.start_soon("admin connection", serve_admin_connection(control, std::move(socket)));
  }
}

}  // namespace canopy::gateway

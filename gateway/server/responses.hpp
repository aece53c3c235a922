#pragma once
// The answers the gateway writes itself: errors, static routes, 100 Continue.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "config/config.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

using SimpleResponse = boost::beast::http::response<boost::beast::http::string_body>;

// A short text/plain answer. `detail` ends up in the body.
SimpleResponse error_response(unsigned status, unsigned version, bool keep_alive, const std::string& detail);
SimpleResponse static_response(const config::StaticResponse& response, unsigned version, bool keep_alive);

// Writes the response; false if the client is gone. The answer to a HEAD
// request is its head alone (RFC 9110 §9.3.2; Content-Length still says what a
// GET would get): a body there would be read as the start of the next response.
core::Awaitable<bool> send(TcpSocket& socket, SimpleResponse& response,
                           boost::beast::http::verb request_method);
core::Awaitable<bool> send_continue(TcpSocket& socket);

}  // namespace canopy::gateway

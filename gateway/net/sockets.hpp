#pragma once
// TCP sockets, acceptors and Beast streams bound to the worker's executor type
// (core/executor.hpp), so that no operation on them goes through a type-erased
// executor.

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/basic_stream.hpp>

#include "core/executor.hpp"

namespace canopy::gateway {

using TcpSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, core::Executor>;
using TcpAcceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, core::Executor>;
using TcpStream = boost::beast::basic_stream<boost::asio::ip::tcp, core::Executor>;

}  // namespace canopy::gateway

#pragma once
// A client request head parsed by the gateway's parser, with the bytes its
// views point into kept alive beside it.
#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>
#include <string_view>

#include "gateway/http/client_request_parser.hpp"

namespace canopy::gateway {

class ParsedRequest {
 public:
  explicit ParsedRequest(std::string_view wire) : wire_(wire) {
    boost::system::error_code ec;
    parser_.put(boost::asio::buffer(wire_.data(), wire_.size()), ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(parser_.is_header_done());
  }
  ParsedRequest(const ParsedRequest&) = delete;
  ParsedRequest& operator=(const ParsedRequest&) = delete;

  ClientRequestParser& parser() { return parser_; }
  const ClientRequestParser& parser() const { return parser_; }
  const std::string& wire() const { return wire_; }

 private:
  const std::string wire_;
  ClientRequestParser parser_;
};

}  // namespace canopy::gateway

#pragma once
// A client request head taken in as the gateway takes it (take_request_head),
// with the bytes its views point into kept alive beside it.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "gateway/http/client_request_parser.hpp"
#include "gateway/http/request_head.hpp"

namespace canopy::gateway {

class ParsedRequest {
 public:
  // `wire`: a head (ending in CRLF CRLF), and body bytes if any (not parsed here).
  explicit ParsedRequest(std::string_view wire) : wire_(wire) {
    const auto end = wire_.find("\r\n\r\n");
    EXPECT_NE(end, std::string::npos);
    const HeadLimits limits{.max_header_bytes = 65536, .max_uri_bytes = 8192, .max_body_bytes = 1 << 20};
    const auto problem = take_request_head(std::string_view(wire_).substr(0, end + 4), limits, parser_);
    EXPECT_FALSE(problem) << problem->detail;
    EXPECT_TRUE(parser_.is_header_done());
  }
  // Where the body starts in wire().
  std::size_t body_offset() const { return wire_.find("\r\n\r\n") + 4; }
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

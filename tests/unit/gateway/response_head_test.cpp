// An upstream's response head checked and cut into views in one pass
// (gateway/http/response_head.hpp), its body framed as Beast framed it. Reading
// a head from a socket: read_message_test.cpp.
#include "gateway/http/response_head.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/error.hpp>
#include <string>


namespace canopy::gateway {
namespace {

namespace http = boost::beast::http;

boost::system::error_code take(const std::string& head, UpstreamResponseParser& parser) {
  return take_response_head(head, parser);
}

TEST(ResponseHead, RefusesMalformedHeadsWithBeastsErrors) {
  const std::pair<std::string, http::error> cases[] = {
      {"HTTP/2.0 200 OK\r\n\r\n", http::error::bad_version},
      {"HTTP/1.1 20 OK\r\n\r\n", http::error::bad_status},
      {"HTTP/1.1 2000 OK\r\n\r\n", http::error::bad_status},
      {"HTTP/1.1 2x0 OK\r\n\r\n", http::error::bad_status},
      {"HTTP/1.1 200 O\x01K\r\n\r\n", http::error::bad_reason},
      {"HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n", http::error::bad_field},
      {"HTTP/1.1 200 OK\r\nName : v\r\n\r\n", http::error::bad_field},
      {"HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n", http::error::bad_field},
      {"HTTP/1.1 200 OK\r\n folded-first: v\r\n\r\n", http::error::bad_field},
      {"HTTP/1.1 200 OK\r\nX: a\x7f b\r\n\r\n", http::error::bad_value},
      {std::string("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 27), http::error::bad_value},
      {"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", http::error::bad_value},
      {"HTTP/1.1 200 O\rK\r\n\r\n", http::error::bad_reason},
      {"HTTP/1.1 200 OK\nX: a\r\n\r\n", http::error::bad_line_ending},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", http::error::multiple_content_length},
      {"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", http::error::bad_content_length},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", http::error::bad_transfer_encoding},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", http::error::bad_content_length},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
       http::error::bad_transfer_encoding},
  };
  for (const auto& [head, expected] : cases) {
    UpstreamResponseParser parser;
    EXPECT_EQ(take(head, parser), http::make_error_code(expected)) << head;
  }
}

TEST(ResponseHead, TakesTheHeadsBeastTookAndFramesTheirBodiesAsItDid) {
  {
    UpstreamResponseParser parser;  // no reason phrase, not even its space
    EXPECT_FALSE(take("HTTP/1.1 204\r\nServer: s\r\n\r\n", parser));
    EXPECT_EQ(parser.status(), 204u);
    EXPECT_EQ(parser.reason(), "");
    EXPECT_TRUE(parser.is_done());
  }
  {
    UpstreamResponseParser parser;  // the same length twice is one length
    EXPECT_FALSE(take("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n", parser));
    EXPECT_EQ(parser.content_length_remaining().value_or(0), 5u);
  }
  {
    UpstreamResponseParser parser;  // a coding other than chunked last: the body ends with the connection
    EXPECT_FALSE(take("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", parser));
    EXPECT_TRUE(parser.need_eof());
    EXPECT_FALSE(parser.chunked());
  }
  {
    UpstreamResponseParser parser;
    EXPECT_FALSE(take("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", parser));
    EXPECT_TRUE(parser.chunked());
  }
  {
    UpstreamResponseParser parser;  // 304 and 1xx have no body, whatever their Content-Length says
    EXPECT_FALSE(take("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", parser));
    EXPECT_TRUE(parser.is_done());
  }
  {
    UpstreamResponseParser parser;  // an answer to HEAD has none either
    parser.skip(true);
    EXPECT_FALSE(take("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", parser));
    EXPECT_TRUE(parser.is_done());
  }
  {
    UpstreamResponseParser parser;  // HTTP/1.0 stays open only when it says so
    EXPECT_FALSE(take("HTTP/1.0 200 OK\r\nconnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", parser));
    EXPECT_TRUE(parser.keep_alive());
    EXPECT_EQ(parser.version(), 10u);
  }
  {
    UpstreamResponseParser parser;
    EXPECT_FALSE(take("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", parser));
    EXPECT_FALSE(parser.keep_alive());
  }
  {
    UpstreamResponseParser parser;  // a framing field folded over two lines frames as one
    EXPECT_FALSE(take("HTTP/1.1 200 OK\r\nContent-Length:\r\n 7\r\n\r\n", parser));
    EXPECT_EQ(parser.content_length_remaining().value_or(0), 7u);
  }
}

}  // namespace
}  // namespace canopy::gateway

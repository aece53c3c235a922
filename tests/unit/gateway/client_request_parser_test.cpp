#include "gateway/http/client_request_parser.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

#include "tests/unit/gateway/parsed_request.hpp"

namespace canopy::gateway {
namespace {

namespace http = boost::beast::http;

bool points_into(std::string_view view, const std::string& bytes) {
  return view.data() >= bytes.data() && view.data() + view.size() <= bytes.data() + bytes.size();
}

TEST(ClientRequestParser, KeepsTheHeadAsViewsOfTheBytesItParsedInOrder) {
  const ParsedRequest request(
      "PATCH /a/b?c=1 HTTP/1.0\r\nHost: api\r\nX-Tenant:  acme \r\nAccept: */*\r\nx-tenant: second\r\n"
      "Connection: keep-alive\r\n\r\n");
  const auto& parser = request.parser();
  EXPECT_EQ(parser.method(), http::verb::patch);
  EXPECT_EQ(parser.method_string(), "PATCH");
  EXPECT_EQ(parser.target(), "/a/b?c=1");
  EXPECT_EQ(parser.version(), 10u);
  EXPECT_TRUE(parser.keep_alive()) << "HTTP/1.0 with Connection: keep-alive";
  ASSERT_EQ(parser.fields().size(), 5u);
  EXPECT_EQ(parser.fields()[0].id, http::field::host);
  EXPECT_EQ(parser.fields()[1].id, http::field::unknown);
  EXPECT_EQ(parser.fields()[1].name, "X-Tenant");
  EXPECT_EQ(parser.fields()[1].value, "acme") << "without the blanks around it";
  EXPECT_EQ(parser["x-TENANT"], "acme") << "the first of its name, in any case";
  EXPECT_EQ(parser[http::field::accept], "*/*");
  EXPECT_EQ(parser["X-Absent"], "");
  EXPECT_EQ(parser.find("X-Absent"), nullptr);
  for (const auto& field : parser.fields()) {
    EXPECT_TRUE(points_into(field.name, request.wire()) && points_into(field.value, request.wire())) << field.name;
  }
  EXPECT_TRUE(points_into(parser.target(), request.wire()));
}

TEST(ClientRequestParser, ForgetsEveryFieldOfANameAndKeepsTheRestInOrder) {
  ParsedRequest request("GET / HTTP/1.1\r\nA: 1\r\nX-Canopy-Deadline-Ms: 5\r\nB: 2\r\nx-canopy-deadline-ms: 6\r\n\r\n");
  request.parser().forget("X-Canopy-Deadline-Ms");
  ASSERT_EQ(request.parser().fields().size(), 2u);
  EXPECT_EQ(request.parser().fields()[0].name, "A");
  EXPECT_EQ(request.parser().fields()[1].name, "B");
  EXPECT_EQ(request.parser()["x-canopy-deadline-ms"], "");
}

TEST(ClientRequestParser, KeepsAliveAsTheVersionAndTheConnectionOptionsSay) {
  EXPECT_TRUE(ParsedRequest("GET / HTTP/1.1\r\nHost: h\r\n\r\n").parser().keep_alive());
  EXPECT_FALSE(ParsedRequest("GET / HTTP/1.1\r\nConnection: x-a, Close\r\n\r\n").parser().keep_alive());
  EXPECT_FALSE(ParsedRequest("GET / HTTP/1.0\r\nHost: h\r\n\r\n").parser().keep_alive());
  EXPECT_TRUE(ParsedRequest("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").parser().keep_alive());
  EXPECT_FALSE(ParsedRequest("GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n").parser().keep_alive())
      << "as Beast reads it";
}

TEST(ClientRequestParser, ABodylessHeadIsDoneAndABodysLengthIsKnown) {
  EXPECT_TRUE(ParsedRequest("GET / HTTP/1.1\r\n\r\n").parser().is_done());
  ParsedRequest post("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n");
  EXPECT_FALSE(post.parser().is_done());
  EXPECT_EQ(post.parser().content_length_remaining().value_or(0), 12u);
}

TEST(ClientRequestParser, HandsOutAChunkedBodyInThePiecesItIsGiven) {
  ParsedRequest request(
      "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n");
  auto& parser = request.parser();
  const std::string& wire = request.wire();
  std::size_t used = request.body_offset();
  boost::system::error_code ec;
  std::string body;
  char piece[4];
  while (!parser.is_done()) {
    parser.body().data = piece;
    parser.body().size = sizeof piece;
    used += parser.put(boost::asio::buffer(wire.data() + used, wire.size() - used), ec);
    if (ec == http::error::need_buffer) ec = {};
    ASSERT_FALSE(ec) << ec.message();
    body.append(piece, sizeof piece - parser.body().size);
  }
  EXPECT_EQ(body, "hello world");
  EXPECT_EQ(used, wire.size());
}

TEST(ClientRequestParser, HandsOutACountedBodyInPiecesAndStopsAtItsLength) {
  // The next request's bytes, pipelined behind the body, are not the body's.
  ParsedRequest request("POST /p HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello worldGET / HTTP/1.1\r\n\r\n");
  auto& parser = request.parser();
  const std::string& wire = request.wire();
  std::size_t used = request.body_offset();
  std::string body;
  char piece[4];
  for (int step = 0; step < 10 && !parser.is_done(); ++step) {
    parser.body().data = piece;
    parser.body().size = sizeof piece;
    boost::system::error_code ec;
    used += parser.put(boost::asio::buffer(wire.data() + used, wire.size() - used), ec);
    if (ec == http::error::need_buffer) ec = {};
    ASSERT_FALSE(ec) << ec.message();
    body.append(piece, sizeof piece - parser.body().size);
  }
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(body, "hello world");
  EXPECT_EQ(wire.substr(used), "GET / HTTP/1.1\r\n\r\n");
  boost::system::error_code ec;
  parser.put_eof(ec);
  EXPECT_FALSE(ec) << "a whole counted body is complete at the end of the stream";
}

TEST(ClientRequestParser, ACountedBodyCutShortIsAPartialMessage) {
  ParsedRequest request("POST /p HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello");
  auto& parser = request.parser();
  char piece[16];
  parser.body().data = piece;
  parser.body().size = sizeof piece;
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(request.wire().data() + request.body_offset(), 5), ec);
  EXPECT_FALSE(ec);
  EXPECT_FALSE(parser.is_done());
  parser.put_eof(ec);
  EXPECT_EQ(ec, http::error::partial_message);
}

}  // namespace
}  // namespace canopy::gateway

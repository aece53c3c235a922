#include "gateway/proxy/downstream_response_head.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

#include "gateway/http/message_head.hpp"
#include "gateway/http/response_head.hpp"

namespace canopy::gateway {
namespace {

namespace http = boost::beast::http;

// An upstream response head parsed the way the proxy parses it.
struct Parsed {
  std::string bytes;
  UpstreamResponseParser parser;

  explicit Parsed(std::string wire) : bytes(std::move(wire)) {
    const auto head = std::string_view(bytes).substr(0, bytes.find("\r\n\r\n") + 4);
    const auto ec = take_response_head(head, parser);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(parser.is_header_done());
  }
};

std::string downstream(const std::string& upstream, unsigned client_version = 11, bool keep_alive = true,
                       const config::HeaderEdits& edits = {}) {
  Parsed parsed(upstream);
  return wire_text(DownstreamResponseHead(parsed.parser, edits, client_version, keep_alive));
}

TEST(DownstreamResponseHead, PassesTheUpstreamsFieldsInOrderUnderTheClientsVersion) {
  Parsed parsed("HTTP/1.0 201 Created\r\nServer: s\r\nContent-Type: a/b\r\nContent-Length: 2\r\n\r\nok");
  const DownstreamResponseHead head(parsed.parser, {}, 11, true);
  EXPECT_EQ(wire_text(head), "HTTP/1.1 201 Created\r\nServer: s\r\nContent-Type: a/b\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(head.size(), wire_text(head).size());
  EXPECT_FALSE(head.chunked());
  EXPECT_TRUE(head.keep_alive());
}

TEST(DownstreamResponseHead, LeavesOutHopByHopFieldsAndEveryFieldConnectionNames) {
  EXPECT_EQ(downstream("HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: timeout=5\r\n"
                       "Upgrade: h2c\r\nTE: trailers\r\nTrailer: X-T\r\nProxy-Authenticate: Basic\r\n"
                       "Proxy-Connection: close\r\nx-secret: 1\r\nX-Kept: 2\r\nContent-Length: 0\r\n\r\n"),
            "HTTP/1.1 200 OK\r\nX-Kept: 2\r\nContent-Length: 0\r\n\r\n");
}

TEST(DownstreamResponseHead, AppliesTheRoutesEditsAfterTheUpstreamsFields) {
  config::HeaderEdits edits;
  edits.remove = {"server"};
  edits.set = {{"X-Served-By", "canopy"}, {"Content-Type", "text/plain"}};
  EXPECT_EQ(downstream("HTTP/1.1 200 OK\r\nSERVER: s\r\ncontent-type: a/b\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n", 11,
                       true, edits),
            "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 0\r\nX-Served-By: canopy\r\n"
            "Content-Type: text/plain\r\n\r\n");
}

TEST(DownstreamResponseHead, SaysConnectionCloseToAnHttp11ClientWhoseConnectionEnds) {
  Parsed parsed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  const DownstreamResponseHead head(parsed.parser, {}, 11, false);
  EXPECT_EQ(wire_text(head), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(head.keep_alive());
}

TEST(DownstreamResponseHead, SaysKeepAliveToAnHttp10ClientWhoseConnectionStays) {
  EXPECT_EQ(downstream("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 10, true),
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(downstream("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 10, false),
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST(DownstreamResponseHead, GivesAnHttp10ClientAChunkedBodyUnchunkedAndEndsItsConnection) {
  Parsed parsed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n");
  const DownstreamResponseHead head(parsed.parser, {}, 10, true);
  EXPECT_EQ(wire_text(head), "HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\n");
  EXPECT_FALSE(head.chunked());
  EXPECT_FALSE(head.keep_alive());

  Parsed coded("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
  EXPECT_EQ(wire_text(DownstreamResponseHead(coded.parser, {}, 10, true)),
            "HTTP/1.0 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
}

TEST(DownstreamResponseHead, ChunksABodyThatEndsWithTheUpstreamsConnectionForAnHttp11Client) {
  Parsed parsed("HTTP/1.1 200 OK\r\nServer: s\r\n\r\n");
  ASSERT_TRUE(parsed.parser.need_eof());
  const DownstreamResponseHead head(parsed.parser, {}, 11, true);
  EXPECT_EQ(wire_text(head), "HTTP/1.1 200 OK\r\nServer: s\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_TRUE(head.chunked());
  EXPECT_TRUE(head.keep_alive());

  const DownstreamResponseHead for_http10(parsed.parser, {}, 10, true);
  EXPECT_EQ(wire_text(for_http10), "HTTP/1.0 200 OK\r\nServer: s\r\n\r\n");
  EXPECT_FALSE(for_http10.chunked());
  EXPECT_FALSE(for_http10.keep_alive());
}

TEST(DownstreamResponseHead, GivesAnEmptyReasonTheStandardOne) {
  EXPECT_EQ(downstream("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n"),
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

TEST(UpstreamResponseParser, KeepsFieldsAsViewsOfTheParsedBytesAndAFoldedValueUnfolded) {
  Parsed parsed("HTTP/1.1 200 OK\r\nX-Plain:  a b \r\nX-Folded: one\r\n  two\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n");
  const auto fields = parsed.parser.fields();
  ASSERT_EQ(fields.size(), 4u);
  const auto inside = [&](std::string_view view) {
    return view.data() >= parsed.bytes.data() && view.data() + view.size() <= parsed.bytes.data() + parsed.bytes.size();
  };
  EXPECT_EQ(fields[0].value, "a b");
  EXPECT_TRUE(inside(fields[0].name) && inside(fields[0].value));
  EXPECT_EQ(fields[1].name, "X-Folded");
  EXPECT_EQ(fields[1].value, "one two");  // unfolded: a copy, not in the parsed bytes
  EXPECT_FALSE(inside(fields[1].value));
  EXPECT_EQ(fields[2].value, "");
  EXPECT_EQ(fields[3].id, http::field::content_length);
  EXPECT_EQ(parsed.parser.status(), 200u);
  EXPECT_EQ(parsed.parser.reason(), "OK");
}

TEST(UpstreamResponseParser, KeepsEveryFieldOfAHeadWithMoreThanItHoldsInline) {
  std::string wire = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 40; ++i) wire += "X-" + std::to_string(i) + ": v" + std::to_string(i) + "\r\n";
  Parsed parsed(wire + "Content-Length: 0\r\n\r\n");
  const auto fields = parsed.parser.fields();
  ASSERT_EQ(fields.size(), 41u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(fields[i].name, "X-" + std::to_string(i));
    EXPECT_EQ(fields[i].value, "v" + std::to_string(i));
  }
  // Every field goes on, in order.
  EXPECT_EQ(wire_text(DownstreamResponseHead(parsed.parser, {}, 11, true)), parsed.bytes);
}

TEST(UpstreamResponseParser, HandsOutTheBodyInPiecesTheSizeOfTheRoomGiven) {
  for (const std::string wire : {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789",
                                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "6\r\n012345\r\n4\r\n6789\r\n0\r\n\r\n"}) {
    Parsed parsed(wire);
    std::string body;
    std::size_t at = parsed.parser.is_header_done() ? wire.find("\r\n\r\n") + 4 : 0;
    for (int step = 0; step < 100 && !parsed.parser.is_done(); ++step) {
      char room[4];
      parsed.parser.body().data = room;
      parsed.parser.body().size = sizeof room;
      boost::system::error_code ec;
      at += parsed.parser.put(boost::asio::buffer(wire.data() + at, wire.size() - at), ec);
      ASSERT_TRUE(!ec || ec == http::error::need_buffer) << ec.message();
      body.append(room, sizeof room - parsed.parser.body().size);
    }
    EXPECT_TRUE(parsed.parser.is_done()) << wire;
    EXPECT_EQ(body, "0123456789") << wire;
  }
}

}  // namespace
}  // namespace canopy::gateway

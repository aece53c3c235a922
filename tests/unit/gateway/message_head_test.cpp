#include "gateway/http/message_head.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>  // operator<< : how Beast writes a head
#include <sstream>
#include <string>

#include "gateway/proxy/relay.hpp"

namespace canopy::gateway {
namespace {

namespace http = boost::beast::http;

template <typename Header>
std::string written(const Header& head) {
  std::string out(head_wire_size(head), '\0');
  char* end = write_head(head, out.data());
  EXPECT_EQ(end, out.data() + out.size()) << "head_wire_size and write_head disagree";
  return out;
}

template <typename Header>
std::string as_beast_writes_it(const Header& head) {
  std::ostringstream out;
  out << head;
  return out.str();
}

TEST(MessageHead, WritesARequestHeadAsBeastWould) {
  http::request<http::empty_body> request(http::verb::post, "/a/b?c=d", 11);
  request.set(http::field::host, "example.test");
  request.set("X-Custom-Name", "value with spaces");
  request.insert("X-Repeated", "1");
  request.insert("X-Repeated", "2");
  request.content_length(12);
  EXPECT_EQ(written(request.base()), as_beast_writes_it(request.base()));
  EXPECT_EQ(written(request.base()).substr(0, 26), "POST /a/b?c=d HTTP/1.1\r\nHo");
}

TEST(MessageHead, WritesAnUnknownMethodAndHttp10) {
  http::request<http::empty_body> request;
  request.method_string("PURGE");
  request.target("/");
  request.version(10);
  EXPECT_EQ(written(request.base()), "PURGE / HTTP/1.0\r\n\r\n");
}

TEST(MessageHead, KeepsTheUpstreamsReasonPhrase) {
  http::response<http::empty_body> response(http::status::ok, 11);
  response.reason("Fine");
  response.set(http::field::server, "up");
  EXPECT_EQ(written(response.base()), "HTTP/1.1 200 Fine\r\nServer: up\r\n\r\n");
}

TEST(MessageHead, FallsBackToTheStandardReasonPhrase) {
  http::response<http::empty_body> response(http::status::service_unavailable, 10);
  EXPECT_EQ(written(response.base()), as_beast_writes_it(response.base()));
  EXPECT_EQ(written(response.base()), "HTTP/1.0 503 Service Unavailable\r\n\r\n");
}

TEST(MessageHead, HeadTextIsTheWrittenHead) {
  http::response<http::empty_body> response(http::status::accepted, 11);
  response.set(http::field::server, "canopy");
  response.content_length(3);
  EXPECT_EQ(head_text(response.base()), as_beast_writes_it(response.base()));
  http::request<http::empty_body> request(http::verb::get, "/x", 11);
  request.set(http::field::host, "h");
  EXPECT_EQ(head_text(request.base()), as_beast_writes_it(request.base()));
}

TEST(ChunkSizeLine, WritesTheSizeInLowercaseHex) {
  auto text = [](std::size_t size) {
    const detail::ChunkSizeLine line(size);
    const auto buffer = line.buffer();
    return std::string(static_cast<const char*>(buffer.data()), buffer.size());
  };
  EXPECT_EQ(text(0), "0\r\n");
  EXPECT_EQ(text(26), "1a\r\n");
  EXPECT_EQ(text(16 * 1024), "4000\r\n");
  EXPECT_EQ(text(~std::size_t{0}), "ffffffffffffffff\r\n");
}

}  // namespace
}  // namespace canopy::gateway

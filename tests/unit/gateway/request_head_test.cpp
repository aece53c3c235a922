#include "gateway/http/request_head.hpp"

#include <gtest/gtest.h>

namespace canopy::gateway {
namespace {

const HeadLimits limits{.max_header_bytes = 4096, .max_uri_bytes = 64, .max_body_bytes = 1000};

std::string verdict(std::string_view head) {
  auto problem = check_request_head(head, limits);
  if (!problem) return "ok";
  switch (problem->outcome) {
    case HeadOutcome::uri_too_long: return "414";
    case HeadOutcome::body_too_large: return "413";
    default: return "400 " + problem->detail;
  }
}

TEST(RequestHead, AcceptsAPlainRequest) {
  EXPECT_EQ(verdict("GET /a?b=c HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Tab:\ta\tb\r\n\r\n"), "ok");
  EXPECT_EQ(verdict("POST / HTTP/1.0\r\nContent-Length: 10\r\n\r\n"), "ok");
  EXPECT_EQ(verdict("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"), "ok");
}

TEST(RequestHead, RefusesAmbiguousFraming) {
  EXPECT_EQ(verdict("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n"), "400 Content-Length appears more than once");
  EXPECT_EQ(verdict("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), "400 both Content-Length and Transfer-Encoding");
  EXPECT_EQ(verdict("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), "400 Transfer-Encoding other than chunked");
  EXPECT_EQ(verdict("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n"), "400 Content-Length is not a number");
  EXPECT_EQ(verdict("POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n"), "413");
}

TEST(RequestHead, RefusesMalformedLines) {
  EXPECT_EQ(verdict("GET / HTTP/1.1\nHost: h\r\n\r\n"), "400 a line does not end in CRLF");
  EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost: h\rx\r\n\r\n"), "400 a control character in the value of Host");
  EXPECT_EQ(verdict("GET /a\rb HTTP/1.1\r\n\r\n"), "400 the request target has a byte outside VCHAR");
  EXPECT_EQ(verdict(std::string("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26)), "400 a control character in the value of X");
  EXPECT_EQ(verdict("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), "400 a header name is not a token (or has whitespace before the colon)");
  EXPECT_EQ(verdict("GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n"), "400 obsolete line folding (obs-fold)");
  EXPECT_EQ(verdict("GET / HTTP/1.1\r\nX: a\x01\r\n\r\n"), "400 a control character in the value of X");
  EXPECT_EQ(verdict("GET / HTTP/2.0\r\n\r\n"), "400 only HTTP/1.0 and HTTP/1.1 are served");
  EXPECT_EQ(verdict("GET / HTTP/1.1\r\nConnection: keep alive\r\n\r\n"), "400 Connection is not a list of tokens");
  EXPECT_EQ(verdict("GET / HTTP/1.1\r\nConnection: , close,, x-a \r\n\r\n"), "ok") << "empty elements are allowed";
  EXPECT_EQ(verdict("GET  / HTTP/1.1\r\n\r\n"), "400 the request line is not METHOD SP TARGET SP VERSION");
  EXPECT_EQ(verdict("GET /" + std::string(64, 'a') + " HTTP/1.1\r\n\r\n"), "414");
}

// Every byte value in each part of the head, against RFC 9110's definitions
// written out plainly here (the checker looks bytes up in a table).
TEST(RequestHead, TellsEveryByteOfEachPartByItsRfcClass) {
  const auto is_token = [](unsigned c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  };
  const auto is_visible = [](unsigned c) { return c > 0x20 && c < 0x7f; };
  const auto is_value = [&](unsigned c) { return c == '\t' || c == ' ' || is_visible(c) || c >= 0x80; };
  for (unsigned c = 1; c < 256; ++c) {
    if (c == '\r' || c == '\n') continue;  // line ends: refused as bare CR or LF elsewhere
    const std::string byte(1, static_cast<char>(c));
    const bool space = c == ' ';
    if (!space) {
      EXPECT_EQ(verdict("G" + byte + "T / HTTP/1.1\r\n\r\n") == "ok", is_token(c)) << "method byte " << c;
      EXPECT_EQ(verdict("GET /" + byte + " HTTP/1.1\r\n\r\n") == "ok", is_visible(c)) << "target byte " << c;
    }
    if (c != ':') {
      EXPECT_EQ(verdict("GET / HTTP/1.1\r\nX" + byte + "Y: v\r\n\r\n") == "ok", is_token(c)) << "name byte " << c;
    }
    EXPECT_EQ(verdict("GET / HTTP/1.1\r\nX: a" + byte + "b\r\n\r\n") == "ok", is_value(c)) << "value byte " << c;
  }
}

// Field values are checked eight bytes at a time: a byte must be told right in
// any lane of a word and in the tail, among bytes that are fine.
TEST(RequestHead, TellsEveryByteOfAValueWhereverItStands) {
  const auto is_value = [](unsigned c) { return c == '\t' || c == ' ' || (c > 0x20 && c < 0x7f) || c >= 0x80; };
  for (const char filler : {'a', '\t', '\x80', '\xff', '~'}) {
    for (std::size_t length = 1; length <= 19; ++length) {
      for (std::size_t at = 0; at < length; ++at) {
        for (unsigned c = 1; c < 256; ++c) {
          if (c == '\r' || c == '\n') continue;
          std::string value(length, filler);
          value[at] = static_cast<char>(c);
          // Between non-space bytes, so that trimming keeps every byte of the value.
          const std::string head = "GET / HTTP/1.1\r\nX: <" + value + ">\r\n\r\n";
          ASSERT_EQ(verdict(head) == "ok", is_value(c))
              << "byte " << c << " at " << at << " of " << length << " among " << int(filler);
        }
      }
    }
  }
}

}  // namespace
}  // namespace canopy::gateway

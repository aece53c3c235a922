#include "gateway/http/request_head.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <charconv>
#include <cstdint>

#include "gateway/http/buffered_head.hpp"
#include "gateway/http/char_classes.hpp"
#include "gateway/net/drain_marking_buffer.hpp"
#include "gateway/net/receive_now.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

HeadResult bad(std::string detail) { return {HeadOutcome::bad_request, std::move(detail)}; }

// The request line METHOD SP TARGET SP VERSION, checked; on success `parser` has it.
std::optional<HeadResult> take_request_line(std::string_view line, const HeadLimits& limits,
                                            ClientRequestParser& parser) {
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return bad("the request line is not METHOD SP TARGET SP VERSION");
  }
  const auto method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1), version = line.substr(sp2 + 1);
  if (method.empty() || !all_of_class(method, token_char)) {
    return bad("the method is not a token");
  }
  if (target.size() > limits.max_uri_bytes) return HeadResult{HeadOutcome::uri_too_long, "the request target is too long"};
  if (target.empty() || !all_of_class(target, visible_char)) {
    return bad("the request target has a byte outside VCHAR");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return bad("only HTTP/1.0 and HTTP/1.1 are served");
  parser.set_request_line(http::string_to_verb(method), method, target, version == "HTTP/1.1" ? 11 : 10);
  return std::nullopt;
}

}  // namespace

std::optional<HeadResult> take_request_head(std::string_view head, const HeadLimits& limits,
                                            ClientRequestParser& parser) {
  bool first = true;
  ClientRequestParser::Framing framing;
  while (!head.empty()) {
    const auto lf = head.find('\n');
    if (lf == std::string_view::npos || lf == 0 || head[lf - 1] != '\r') return bad("a line does not end in CRLF");
    const auto line = head.substr(0, lf - 1);
    head.remove_prefix(lf + 1);
    if (line.empty()) break;  // the end of the head
    if (first) {
      if (auto problem = take_request_line(line, limits, parser)) return problem;
      first = false;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') return bad("obsolete line folding (obs-fold)");
    const auto colon = token_prefix(line);
    if (colon == 0 || colon == line.size() || line[colon] != ':') {
      if (line.find(':') == std::string_view::npos) return bad("a header line without a colon");
      return bad("a header name is not a token (or has whitespace before the colon)");
    }
    const auto name = line.substr(0, colon);
    const auto value = trim_ows(line.substr(colon + 1));
    if (!is_field_value(value)) {
      return bad("a control character in the value of " + std::string(name));
    }
    const auto id = http::string_to_field(name);
    if (id == http::field::content_length) {
      if (framing.content_length) return bad("Content-Length appears more than once");
      std::uint64_t length = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size()) return bad("Content-Length is not a number");
      framing.content_length = length;
    } else if (id == http::field::transfer_encoding) {
      if (framing.chunked) return bad("Transfer-Encoding appears more than once");
      if (!beast::iequals(value, "chunked")) return bad("Transfer-Encoding other than chunked");
      framing.chunked = true;
    } else if (id == http::field::connection || id == http::field::proxy_connection) {
      if (!framing.connection.take(value)) return bad(std::string(name) + " is not a list of tokens");
    }
    parser.add_field(id, name, value);
  }
  if (framing.content_length && framing.chunked) return bad("both Content-Length and Transfer-Encoding");
  if (framing.content_length && *framing.content_length > limits.max_body_bytes) {
    return HeadResult{HeadOutcome::body_too_large, "the body is larger than allowed"};
  }
  if (const auto ec = parser.frame_body(framing)) return bad("the body's framing: " + ec.message());
  return std::nullopt;
}

std::optional<HeadResult> check_request_head(std::string_view head, const HeadLimits& limits) {
  ClientRequestParser parser;
  return take_request_head(head, limits, parser);
}

core::Awaitable<HeadResult> read_request_head(TcpSocket& socket, beast::flat_buffer& buffer,
                                              ClientRequestParser& parser, const HeadLimits& limits,
                                              bool nothing_unreported) {
  std::size_t scanned = 0;
  for (bool may_wait_at_once = nothing_unreported && buffer.size() == 0;; may_wait_at_once = false) {
    if (const auto head = buffered_head(buffer, scanned)) {
      if (head->size() > limits.max_header_bytes) co_return HeadResult{HeadOutcome::header_too_large, "the request head is too large"};
      if (auto problem = take_request_head(*head, limits, parser)) co_return *problem;
      buffer.consume(head->size());
      co_return HeadResult{};
    }
    const std::string_view seen(static_cast<const char*>(buffer.cdata().data()), buffer.size());
    if (seen.find("\r\n") == std::string_view::npos && seen.size() > limits.max_uri_bytes + 32) {
      co_return HeadResult{HeadOutcome::uri_too_long, "the request target is too long"};
    }
    if (seen.size() >= limits.max_header_bytes) co_return HeadResult{HeadOutcome::header_too_large, "the request head is too large"};
    const auto room = buffer.prepare(std::min<std::size_t>(limits.max_header_bytes + 4 - seen.size(), 16384));
    auto got = may_wait_at_once ? std::nullopt : receive_now(socket.native_handle(), room);
    if (!got) {
      auto [ec, n] = co_await socket.async_read_some(drain_marking(room), asio::as_tuple(core::use_awaitable));
      got = Received{ec, n};
    }
    if (got->ec) co_return HeadResult{HeadOutcome::closed, got->ec.message()};
    buffer.commit(got->bytes);
  }
}

}  // namespace canopy::gateway

#pragma once
// Reads a request head (request line and header fields) strictly, in one pass:
// RFC 9112 is checked on the raw bytes, where nothing has been normalised yet,
// and the head is tokenized by the same pass into views (ClientRequestParser).
// The body is framed from what this pass found: counted by the parser, or
// decoded by Beast's when chunked.
// Anything ambiguous is refused, because a proxy that reads a request
// differently from its upstream is open to request smuggling.
//
// Refused with 400: a method that is not a token; a target with bytes outside
// VCHAR; a version other than HTTP/1.0 or 1.1; a field line without a colon, with
// whitespace before the colon, or folded (obs-fold); NUL, a bare CR or a bare LF
// anywhere; Content-Length repeated (even with equal values) or not a number;
// Content-Length together with Transfer-Encoding; a Transfer-Encoding other than
// "chunked"; a Connection (or Proxy-Connection) value that is not a list of
// tokens. 414: a target longer than max_uri_bytes. 431: a head longer than
// max_header_bytes.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/http/client_request_parser.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

enum class HeadOutcome {
  complete,          // the parser holds the request head; the body (if any) follows
  closed,            // the client left, idled out or sent nothing usable: close silently
  bad_request,       // 400
  uri_too_long,      // 414
  header_too_large,  // 431
  body_too_large,    // 413: Content-Length above max_body_bytes
};

struct HeadResult {
  HeadOutcome outcome = HeadOutcome::complete;
  std::string detail;  // for the error body and the log
};

struct HeadLimits {
  std::size_t max_header_bytes;
  std::size_t max_uri_bytes;
  std::size_t max_body_bytes;
};

// What is wrong with a complete head (ending in CRLF CRLF), if anything; when
// nothing is, `parser` holds the head (views of `head`) and is ready for the body.
std::optional<HeadResult> take_request_head(std::string_view head, const HeadLimits& limits,
                                            ClientRequestParser& parser);
// The same verdict, the head taken nowhere.
std::optional<HeadResult> check_request_head(std::string_view head, const HeadLimits& limits);

// Reads into `buffer` until the head is complete and takes it into `parser`
// (take_request_head). The caller bounds the wait (a HeadWait cancels the read).
// `nothing_unreported`: whatever the socket holds will be seen by Asio's first
// try or reported by epoll — nothing was read from it yet (Asio tries a new
// socket's first read at once), or the disconnect watcher waited on it after
// its last read (a pipelined request, the client's end of stream) — so the
// first read need not try the socket itself (net/receive_now.hpp says why that
// matters).
core::Awaitable<HeadResult> read_request_head(TcpSocket& socket, boost::beast::flat_buffer& buffer,
                                              ClientRequestParser& parser, const HeadLimits& limits,
                                              bool nothing_unreported);

}  // namespace canopy::gateway

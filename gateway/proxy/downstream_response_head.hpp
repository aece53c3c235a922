#pragma once
// The upstream's response head as it goes to the client (RFC 9110 §7.6),
// written in one pass from the parsed head, as UpstreamRequestHead does for
// requests: the hop-by-hop fields and every field a Connection field names are
// skipped, the route's response_headers edits applied, the status line given
// the client's HTTP version, and Connection says whether the connection stays
// open. For an HTTP/1.0 client a chunked body goes unchunked and the
// connection closes after it (HTTP/1.0 has no chunked coding). Content-Length
// and Transfer-Encoding otherwise pass as the upstream framed the body.
//
// Holds views of the parser's head and of the route: valid while both are (the
// relay writes the head before it reads more into the upstream's buffer).

#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "gateway/http/upstream_response_parser.hpp"

namespace canopy::gateway {

class DownstreamResponseHead {
 public:
  // `keep_alive`: whether the client's connection may stay open after this response.
  DownstreamResponseHead(const UpstreamResponseParser& upstream, const config::HeaderEdits& edits,
                         unsigned client_version, bool keep_alive);
  DownstreamResponseHead(const DownstreamResponseHead&) = delete;
  DownstreamResponseHead& operator=(const DownstreamResponseHead&) = delete;

  // Whether the body goes chunk-coded.
  bool chunked() const noexcept { return chunked_; }
  // Whether the client's connection stays open after the response.
  bool keep_alive() const noexcept { return keep_alive_; }

  // Bytes write() writes.
  std::size_t size() const noexcept { return size_; }
  // Writes the head (status line, fields, blank line) at `out`; returns the end.
  char* write(char* out) const noexcept;

 private:
  struct Field {
    std::string_view name;
    std::string_view value;
  };

  unsigned version_;
  unsigned status_;
  std::string_view reason_;
  bool chunked_;
  bool keep_alive_;
  std::string unchunked_encodings_;  // an HTTP/1.0 client's Transfer-Encoding without "chunked"
  boost::container::small_vector<Field, 16> fields_;
  std::size_t size_ = 0;
};

}  // namespace canopy::gateway

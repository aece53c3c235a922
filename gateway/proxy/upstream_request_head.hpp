#pragma once
// The client's request head as it goes upstream (RFC 9110 §7.6), written in one
// pass from the parsed head: the hop-by-hop fields, Expect and every field the
// gateway replaces are skipped; X-Forwarded-For/-Proto/-Host, the route's
// request_headers edits and the time left are appended; the target is
// rewritten if the route says so. The client's fields are never edited in
// place: each edit of Beast's field set is a lookup and an allocation, several
// per request. (nginx's proxy module builds its upstream request the same way.)
//
// Holds views of the client's head and of the route: both outlive the request.

#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "gateway/http/client_request_parser.hpp"

namespace canopy::gateway {

class UpstreamRequestHead {
 public:
  UpstreamRequestHead(const ClientRequestParser& client_head, std::string_view client_ip,
                      const config::RouteConfig& route, core::Clock::time_point deadline,
                      const std::vector<config::DeadlineHeader>& deadline_headers);
  UpstreamRequestHead(const UpstreamRequestHead&) = delete;
  UpstreamRequestHead& operator=(const UpstreamRequestHead&) = delete;

  // Whether the body goes chunk-coded (as the client sent it).
  bool chunked() const noexcept { return chunked_; }
  // Bytes write() writes.
  std::size_t size() const noexcept { return size_; }
  // Writes the head (request line, fields, blank line) at `out`; returns the end.
  char* write(char* out) const noexcept;

 private:
  struct Field {
    std::string_view name;
    std::string_view value;
  };

  // Appended after the client's fields, replacing any field of the same name
  // appended before it (the semantics of "set").
  void append(std::string_view name, std::string_view value);

  std::string_view method_;
  std::string_view target_;
  std::string rewritten_target_;  // what target_ views when the route rewrites it
  std::string forwarded_for_;
  std::string deadline_values_[2];
  // Decided once: a retry writes the same head again. The client's fields that
  // go on, in order, by their place in client_fields_ (four bytes each, not a
  // pair of views: this head lives in the proxy's frame, allocated per request).
  std::span<const ClientRequestParser::Field> client_fields_;
  boost::container::small_vector<std::uint32_t, 16> forwarded_;
  boost::container::small_vector<Field, 8> appended_;
  std::size_t size_ = 0;
  bool chunked_ = false;
};

}  // namespace canopy::gateway

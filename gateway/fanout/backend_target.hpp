#pragma once
// Fills in a backend's path template for one request: values of the incoming
// request ({query}, {rest}, {path.NAME}, {query.NAME}, {header.NAME}) and a field
// of the earlier backend it follows ({KEY.FIELD}). Values that come from headers
// or JSON are percent-encoded; values taken from the incoming URL go as sent.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "gateway/http/client_request_parser.hpp"

namespace canopy::gateway {

struct IncomingValues {
  std::string_view path;           // without the query
  std::string_view query;          // after '?', as sent
  std::string_view route_pattern;  // the route's match.path, for {path.NAME}
  std::string_view rest;           // the path below the route's prefix
  const ClientRequestParser* request = nullptr;  // its head, for {header.NAME}
};

struct FilledTarget {
  std::string target;
  std::string missing;  // non-empty: the placeholder that had no value
};

// `earlier` is the JSON of the backend named by {KEY.FIELD} placeholders, if any.
FilledTarget fill_backend_target(const config::PathTemplate& path, const IncomingValues& incoming,
                                 const boost::json::value* earlier);

// One query parameter's raw value ("a=1&b=2", "b" → "2").
std::optional<std::string_view> query_param(std::string_view query, std::string_view name) noexcept;

// RFC 3986: everything but unreserved characters as %XX.
void append_percent_encoded(std::string& out, std::string_view value);

}  // namespace canopy::gateway

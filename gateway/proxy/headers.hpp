#pragma once
// Header hygiene between hops (RFC 9110 §7.6.1): what a proxy removes, adds and
// rewrites. Framing (Content-Length, Transfer-Encoding) is left to the message.

#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace canopy::gateway {

// Removes Connection and every header it names, and the other hop-by-hop
// headers: Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, Proxy-Authorization,
// Proxy-Authenticate.
void strip_hop_by_hop(boost::beast::http::fields& fields);

// X-Forwarded-For (appended to any the client sent), -Proto and -Host.
void add_forwarded(boost::beast::http::fields& fields, std::string_view client_ip, std::string_view original_host);

void apply_edits(boost::beast::http::fields& fields, const config::HeaderEdits& edits);

// The target as it goes upstream: strip_prefix or prefix_rewrite applied to the
// path; the query is kept.
std::string upstream_target(std::string_view target, const config::RouteConfig& route);

}  // namespace canopy::gateway

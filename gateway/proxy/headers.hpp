#pragma once
// Header hygiene between hops (RFC 9110 §7.6.1): what a proxy removes, adds and
// rewrites, shared by the heads that go upstream and downstream.

#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace canopy::gateway {

// Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade,
// Proxy-Authorization, Proxy-Authenticate: never forwarded.
bool is_hop_by_hop(boost::beast::http::field name);

// Calls each(option) for every option a Connection field's value lists (the
// names of more hop-by-hop fields, or keep-alive / close), trimmed.
template <typename F>
void for_each_connection_option(std::string_view list, F each) {
  const auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (const auto option = trim(list.substr(0, comma)); !option.empty()) each(option);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
}

// The target as it goes upstream: strip_prefix or prefix_rewrite applied to the
// path; the query is kept.
std::string upstream_target(std::string_view target, const config::RouteConfig& route);

}  // namespace canopy::gateway

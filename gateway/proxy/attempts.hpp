#pragma once
// race and hedge: one request sent to several endpoints of its upstream, each
// send an attempt in its own cancel scope under one nursery of the request.
//
//   race   every attempt starts at once
//   hedge  one attempt; another after each `delay` without an answer, or at once
//          when every attempt so far failed; extra attempts spend the route's
//          AttemptBudget
//
// The first attempt whose response header has a status below 500 wins; the
// others are cancelled (hedge_lost) and their connections closed; the winner's
// body is streamed to the client. With no winner, the first 5xx answer is
// forwarded as is, or the last failure becomes a 502/503/504.
//
// Only for requests without a body whose method is idempotent; the session
// sends any other request down the plain proxy path.

#include <boost/asio/awaitable.hpp>

#include "config/config.hpp"
#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "gateway/proxy/attempt_budget.hpp"
#include "gateway/proxy/proxy.hpp"
#include "gateway/server/exchange.hpp"
#include "gateway/upstream/cluster.hpp"

namespace canopy::gateway {

core::Awaitable<void> proxy_attempts(Downstream& client, Cluster& cluster, const config::RouteConfig& route,
                                     AttemptBudget& budget, config::HalfClose half_close, core::Nursery& request,
                                     Exchange& exchange);

// Whether a request may be sent more than once: an idempotent method and no body.
bool may_send_twice(std::string_view method, bool has_body) noexcept;

}  // namespace canopy::gateway

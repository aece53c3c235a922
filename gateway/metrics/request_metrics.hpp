#pragma once
// The metrics the hot path moves: one handle per route and per upstream,
// created with the config (never looked up per request), so that recording a
// request costs a few atomic increments.
//
//   canopy_requests_total{route, method, code_class}       counter
//   canopy_request_duration_seconds{route}                 histogram
//   canopy_requests_cancelled_total{route, reason}         counter
//   canopy_fanout_requests_total{route, result}            counter (aggregate routes)
//   canopy_upstream_requests_total{upstream, outcome}      counter
//   canopy_upstream_request_duration_seconds{upstream}     histogram (until the response head)

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/cancel_reason.hpp"
#include "gateway/upstream/upstream_error.hpp"

namespace canopy::gateway {

// Method label values: the common methods, everything else as "other".
inline constexpr std::array<std::string_view, 8> method_labels{"GET",   "HEAD",    "POST",  "PUT",
                                                              "DELETE", "PATCH", "OPTIONS", "other"};
std::size_t method_label_index(std::string_view method) noexcept;

enum class FanOutResult : std::uint8_t { complete, partial, failed };
inline constexpr std::array<std::string_view, 3> fanout_results{"complete", "partial", "failed"};

class RouteMetrics {
 public:
  void record(std::size_t method, unsigned status, std::chrono::nanoseconds duration,
              std::optional<core::CancelReason> cancelled, std::optional<FanOutResult> fanout) noexcept;

 private:
  friend class RequestMetrics;
  std::array<std::array<prometheus::Counter*, 5>, method_labels.size()> requests_{};  // [method][status / 100 - 1]
  prometheus::Histogram* duration_ = nullptr;
  std::array<prometheus::Counter*, core::cancel_reason_count> cancelled_{};
  std::array<prometheus::Counter*, fanout_results.size()> fanout_{};  // null for other routes
};

// How one upstream call ended: a response head with its status class, an
// UpstreamError, or cancelled (the request's deadline, the client, a lost hedge).
class UpstreamMetrics {
 public:
  void answered(unsigned status, std::chrono::nanoseconds took) noexcept;
  void failed(UpstreamError error, std::chrono::nanoseconds took) noexcept;
  // Not called at all (no healthy endpoint): counted, no latency.
  void not_called(UpstreamError error) noexcept { failed_[static_cast<std::size_t>(error)]->Increment(); }
  void cancelled(std::chrono::nanoseconds took) noexcept;

 private:
  friend class RequestMetrics;
  std::array<prometheus::Counter*, 4> answered_{};  // 2xx..5xx; 1xx counts as 2xx (never final here)
  std::array<prometheus::Counter*, upstream_error_count> failed_{};  // by UpstreamError
  prometheus::Counter* cancelled_ = nullptr;
  prometheus::Histogram* duration_ = nullptr;
};

class RequestMetrics {
 public:
  RequestMetrics(prometheus::Registry& registry, const config::Config& config);

  // Route index npos: a request that matched no route (404, 405, malformed).
  RouteMetrics& route(std::size_t index) noexcept { return index < routes_.size() ? routes_[index] : unmatched_; }
  UpstreamMetrics& upstream(std::size_t index) noexcept { return upstreams_[index]; }  // in config.upstreams order

 private:
  std::vector<RouteMetrics> routes_;
  RouteMetrics unmatched_;
  std::vector<UpstreamMetrics> upstreams_;
};

}  // namespace canopy::gateway

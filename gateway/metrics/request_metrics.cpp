#include "gateway/metrics/request_metrics.hpp"

#include <prometheus/family.h>

namespace canopy::gateway {

namespace {

using Seconds = std::chrono::duration<double>;

// From 0.5 ms to 10 s: a gateway's requests and upstream calls both fall in here.
const prometheus::Histogram::BucketBoundaries latency_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};

const std::array<std::string_view, 4> status_classes{"2xx", "3xx", "4xx", "5xx"};

std::size_t class_index(unsigned status) noexcept { return status < 300 ? 0 : status < 400 ? 1 : status < 500 ? 2 : 3; }

}  // namespace

std::size_t method_label_index(std::string_view method) noexcept {
  for (std::size_t i = 0; i + 1 < method_labels.size(); ++i) {
    if (method_labels[i] == method) return i;
  }
  return method_labels.size() - 1;
}

void RouteMetrics::record(std::size_t method, unsigned status, std::chrono::nanoseconds duration,
                          std::optional<core::CancelReason> cancelled, std::optional<FanOutResult> fanout) noexcept {
  if (status >= 100 && status < 600) requests_[method][status / 100 - 1]->Increment();
  duration_->Observe(std::chrono::duration_cast<Seconds>(duration).count());
  if (cancelled) cancelled_[static_cast<std::size_t>(*cancelled)]->Increment();
  if (fanout && fanout_[0]) fanout_[static_cast<std::size_t>(*fanout)]->Increment();
}

void UpstreamMetrics::answered(unsigned status, std::chrono::nanoseconds took) noexcept {
  answered_[status < 200 ? 0 : class_index(status)]->Increment();
  duration_->Observe(std::chrono::duration_cast<Seconds>(took).count());
}

void UpstreamMetrics::failed(UpstreamError error, std::chrono::nanoseconds took) noexcept {
  failed_[static_cast<std::size_t>(error)]->Increment();
  duration_->Observe(std::chrono::duration_cast<Seconds>(took).count());
}

void UpstreamMetrics::cancelled(std::chrono::nanoseconds took) noexcept {
  cancelled_->Increment();
  duration_->Observe(std::chrono::duration_cast<Seconds>(took).count());
}

RequestMetrics::RequestMetrics(prometheus::Registry& registry, const config::Config& config) {
  auto& requests = prometheus::BuildCounter()
                       .Name("canopy_requests_total")
                       .Help("Requests by route, method and status class of the answer; a client that left counts as its 499.")
                       .Register(registry);
  auto& duration = prometheus::BuildHistogram()
                       .Name("canopy_request_duration_seconds")
                       .Help("Time from a request's head to its last byte sent (or its end), by route.")
                       .Register(registry);
  auto& cancelled = prometheus::BuildCounter()
                        .Name("canopy_requests_cancelled_total")
                        .Help("Requests whose scope was cancelled, by route and reason.")
                        .Register(registry);
  auto& fanout = prometheus::BuildCounter()
                     .Name("canopy_fanout_requests_total")
                     .Help("Aggregate requests by how complete their answer was: complete, partial (X-Canopy-Completed: false) or failed.")
                     .Register(registry);
  auto& calls = prometheus::BuildCounter()
                    .Name("canopy_upstream_requests_total")
                    .Help("Upstream calls by upstream and outcome: the status class of the answer, the failure, or cancelled.")
                    .Register(registry);
  auto& call_duration = prometheus::BuildHistogram()
                            .Name("canopy_upstream_request_duration_seconds")
                            .Help("Time from taking a connection to the upstream's response head (or the failure), by upstream.")
                            .Register(registry);

  auto make_route = [&](const std::string& name, bool aggregate) {
    RouteMetrics m;
    for (std::size_t method = 0; method < method_labels.size(); ++method) {
      for (std::size_t c = 0; c < 5; ++c) {
        m.requests_[method][c] = &requests.Add({{"route", name},
                                                {"method", std::string(method_labels[method])},
                                                {"code_class", std::to_string(c + 1) + "xx"}});
      }
    }
    m.duration_ = &duration.Add({{"route", name}}, latency_buckets);
    for (const auto reason : core::all_cancel_reasons) {
      m.cancelled_[static_cast<std::size_t>(reason)] =
          &cancelled.Add({{"route", name}, {"reason", std::string(core::to_string(reason))}});
    }
    if (aggregate) {
      for (std::size_t r = 0; r < fanout_results.size(); ++r) {
        m.fanout_[r] = &fanout.Add({{"route", name}, {"result", std::string(fanout_results[r])}});
      }
    }
    return m;
  };
  for (const auto& route : config.routes) routes_.push_back(make_route(route.name, route.aggregate.has_value()));
  unmatched_ = make_route("unmatched", false);

  for (const auto& [name, upstream] : config.upstreams) {
    UpstreamMetrics m;
    for (std::size_t c = 0; c < status_classes.size(); ++c) {
      m.answered_[c] = &calls.Add({{"upstream", name}, {"outcome", std::string(status_classes[c])}});
    }
    for (std::size_t e = 1; e < m.failed_.size(); ++e) {
      const auto error = static_cast<UpstreamError>(e);
      m.failed_[e] = &calls.Add({{"upstream", name}, {"outcome", std::string(to_string(error))}});
    }
    m.failed_[0] = m.failed_[static_cast<std::size_t>(UpstreamError::invalid_response)];  // never used: none is no failure
    m.cancelled_ = &calls.Add({{"upstream", name}, {"outcome", "cancelled"}});
    m.duration_ = &call_duration.Add({{"upstream", name}}, latency_buckets);
    upstreams_.push_back(m);
  }
}

}  // namespace canopy::gateway

#pragma once
// One call to one upstream endpoint, recorded however it ends: in the
// upstream's metrics (outcome, time to the response head) and in the
// endpoint's passive health (a failure, or a success that clears the count).
// Unless told otherwise it ended cancelled, which says nothing about health.

#include <chrono>
#include <utility>

#include "gateway/metrics/request_metrics.hpp"
#include "gateway/upstream/cluster.hpp"

namespace canopy::gateway {

class UpstreamCall {
 public:
  UpstreamCall(Cluster& cluster, EndpointPool& endpoint) noexcept
      : cluster_(cluster), endpoint_(endpoint), started_(std::chrono::steady_clock::now()) {}
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;
  ~UpstreamCall() {
    if (!recorded_) cluster_.metrics().cancelled(took());
  }

  void answered(unsigned status) noexcept {
    if (std::exchange(recorded_, true)) return;
    cluster_.metrics().answered(status, took());
    cluster_.call_ended(endpoint_, status >= 500);
  }
  void failed(UpstreamError error) noexcept {
    if (std::exchange(recorded_, true)) return;
    cluster_.metrics().failed(error, took());
    if (!refused_by_gateway(error)) cluster_.call_ended(endpoint_, true);
  }

 private:
  std::chrono::nanoseconds took() const noexcept { return std::chrono::steady_clock::now() - started_; }

  Cluster& cluster_;
  EndpointPool& endpoint_;
  std::chrono::steady_clock::time_point started_;
  bool recorded_ = false;
};

}  // namespace canopy::gateway

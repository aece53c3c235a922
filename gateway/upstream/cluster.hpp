#pragma once
// An upstream service: its endpoints' pools on one worker, its circuit
// breaker, and the balancing policy that picks one endpoint per call
// (round_robin, least_request, or power_of_two_choices: the less loaded of two
// picked at random) among the healthy ones.

#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/executor.hpp"
#include "gateway/metrics/request_metrics.hpp"
#include "gateway/upstream/endpoint_pool.hpp"

namespace canopy::gateway {

class Cluster {
 public:
  // Resolves every endpoint now, off the request path; throws std::runtime_error
  // naming the endpoint if one does not resolve.
  Cluster(core::Executor executor, const config::UpstreamConfig& upstream, UpstreamMetrics& metrics);

  // Picks by the balance policy among the endpoints that pass their active
  // health checks and are not ejected (if every healthy one is ejected, among
  // the healthy ones). nullptr when active checks found none healthy.
  EndpointPool* pick();
  // For another attempt of the same request: the least loaded healthy endpoint
  // neither in `taken` nor ejected (ties rotate); nullptr when there is none.
  EndpointPool* pick_other_than(std::span<EndpointPool* const> taken);

  // How a call to `endpoint` ended, for passive health (config::OutlierConfig):
  // enough failures in a row eject it for a while.
  void call_ended(EndpointPool& endpoint, bool failed);
  // The headers that tell this upstream the time left for a call.
  const std::vector<config::DeadlineHeader>& deadline_headers() const noexcept { return deadline_headers_; }
  const std::string& name() const noexcept { return name_; }
  const std::optional<config::HealthCheckConfig>& health_check() const noexcept { return health_check_; }
  const CircuitBreaker& circuit_breaker() const noexcept { return breaker_; }
  UpstreamMetrics& metrics() const noexcept { return metrics_; }
  std::size_t size() const noexcept { return pools_.size(); }
  EndpointPool& endpoint(std::size_t i) { return *pools_[i]; }
  const EndpointPool& endpoint(std::size_t i) const { return *pools_[i]; }

 private:
  std::string name_;
  UpstreamMetrics& metrics_;
  config::Balance balance_;
  std::vector<config::DeadlineHeader> deadline_headers_;
  config::OutlierConfig outlier_;
  std::optional<config::HealthCheckConfig> health_check_;
  CircuitBreaker breaker_;  // before the pools, which hold it
  std::vector<std::unique_ptr<EndpointPool>> pools_;
  std::size_t next_ = 0;
  std::minstd_rand random_{std::random_device{}()};

  template <typename Usable>
  EndpointPool* pick_among(Usable usable);
};

}  // namespace canopy::gateway

#pragma once
// One config snapshot of the running gateway on one worker: the config, the
// router built from it, the upstream clusters, admission limiters and metric
// handles. A reload builds a new one; requests in flight keep theirs alive
// (Server holds the current one).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/capacity_limiter.hpp"
#include "core/executor.hpp"
#include "gateway/metrics/request_metrics.hpp"
#include "gateway/proxy/attempt_budget.hpp"
#include "gateway/routing/router.hpp"
#include "gateway/upstream/cluster.hpp"

namespace canopy::gateway {

class Gateway {
 public:
  // Resolves every upstream endpoint; throws std::runtime_error if one fails.
  // Metric handles are created in `registry`, which outlives the gateway (a
  // reloaded config finds its counters where the old one left them).
  Gateway(core::Executor executor, std::shared_ptr<const config::Config> config,
          prometheus::Registry& registry);

  const config::Config& config() const noexcept { return *config_; }
  const Router& router() const noexcept { return router_; }
  const config::RouteConfig& route(std::size_t index) const { return config_->routes[index]; }
  // The cluster a route proxies to; nullptr for a static route.
  Cluster* cluster_for(std::size_t route_index) const { return route_clusters_[route_index]; }
  // The clusters of an aggregate route's backends, in backend order.
  const std::vector<Cluster*>& backend_clusters(std::size_t route_index) const { return backend_clusters_[route_index]; }

  RequestMetrics& metrics() noexcept { return metrics_; }
  const std::map<std::string, std::unique_ptr<Cluster>>& clusters() const noexcept { return clusters_; }
  std::size_t route_count() const noexcept { return config_->routes.size(); }
  const AttemptBudget& attempt_budget(std::size_t route_index) const { return attempt_budgets_[route_index]; }

  // The extra-attempt budget of a hedge or retry route.
  AttemptBudget& attempt_budget(std::size_t route_index) { return attempt_budgets_[route_index]; }

  // Admission of requests that go upstream: [limits], and each route's own (null: none).
  core::CapacityLimiter& admission() noexcept { return admission_; }
  const core::CapacityLimiter& admission() const noexcept { return admission_; }
  core::CapacityLimiter* route_admission(std::size_t route_index) const { return route_admission_[route_index].get(); }

 private:
  std::shared_ptr<const config::Config> config_;
  Router router_;
  RequestMetrics metrics_;
  std::map<std::string, std::unique_ptr<Cluster>> clusters_;
  std::vector<Cluster*> route_clusters_;
  std::vector<std::vector<Cluster*>> backend_clusters_;
  std::vector<AttemptBudget> attempt_budgets_;
  core::CapacityLimiter admission_;
  std::vector<std::unique_ptr<core::CapacityLimiter>> route_admission_;
};

}  // namespace canopy::gateway

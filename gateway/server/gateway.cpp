#include "gateway/server/gateway.hpp"

#include "core/executor.hpp"

namespace canopy::gateway {

Gateway::Gateway(core::Executor executor, std::shared_ptr<const config::Config> config,
                 prometheus::Registry& registry)
    : config_(std::move(config)),
      router_(config_->routes),
      metrics_(registry, *config_),
      admission_(executor, {.capacity = config_->limits.max_inflight,
                            .queue = config_->limits.queue,
                            .queue_timeout = config_->limits.queue_timeout}) {
  std::size_t upstream_index = 0;
  for (const auto& [name, upstream] : config_->upstreams) {  // the order RequestMetrics numbers them in
    clusters_.emplace(name, std::make_unique<Cluster>(executor, upstream, metrics_.upstream(upstream_index++)));
  }
  for (const auto& route : config_->routes) {
    route_clusters_.push_back(route.upstream ? clusters_.at(*route.upstream).get() : nullptr);
    route_admission_.push_back(route.limits ? std::make_unique<core::CapacityLimiter>(
                                                  executor, core::LimiterOptions{.capacity = route.limits->max_inflight,
                                                                                 .queue = route.limits->queue,
                                                                                 .queue_timeout = route.limits->queue_timeout})
                                            : nullptr);
    attempt_budgets_.emplace_back(route.attempts ? route.attempts->budget_percent : route.retries ? route.retries->budget_percent : 0u);
    auto& backends = backend_clusters_.emplace_back();
    if (route.aggregate) {
      for (const auto& backend : route.aggregate->backends) backends.push_back(clusters_.at(backend.upstream).get());
    }
  }
}

}  // namespace canopy::gateway

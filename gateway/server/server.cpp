#include "gateway/server/server.hpp"

#include "config/load.hpp"
#include "gateway/log/json_log.hpp"

namespace canopy::gateway {

Server::Server(boost::asio::any_io_executor executor, std::shared_ptr<const config::Config> config,
               prometheus::Registry& registry, LifecycleMetrics& lifecycle)
    : executor_(executor),
      registry_(registry),
      lifecycle_(lifecycle),
      gateway_(std::make_shared<Gateway>(executor, config, registry)),
      listener_config_(config->server),
      connection_slots_(executor, {.capacity = config->server.max_connections, .queue = 1}) {}

bool Server::reload() {
  const auto& running = gateway_->config();
  try {
    auto config = std::make_shared<const config::Config>(config::load_config_file(running.source));
    if (config->server.listen != listener_config_.listen ||
        config->server.max_connections != listener_config_.max_connections) {
      log_event("warn", "reload_listener_unchanged",
                {{"detail", "server.listen and server.max_connections take a restart to change"}});
    }
    auto next = std::make_shared<Gateway>(executor_, config, registry_);
    log_event("info", "config_reloaded",
              {{"config", config->source}, {"hash", config->hash}, {"previous_hash", running.hash},
               {"routes", config->routes.size()}, {"upstreams", config->upstreams.size()}});
    gateway_ = std::move(next);
    lifecycle_.reloads_succeeded.Increment();
    return true;
  } catch (const std::exception& e) {  // ConfigError (file:line:col: …) or an upstream that does not resolve
    log_event("error", "reload_failed", {{"error", e.what()}, {"config", running.source}, {"running_hash", running.hash}});
    lifecycle_.reloads_failed.Increment();
    return false;
  }
}

}  // namespace canopy::gateway

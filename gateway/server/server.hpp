#pragma once
// The process-wide part of the running gateway, which outlives any one config:
// the snapshot new requests use (a Gateway, swapped by a reload while in-flight
// requests finish on the one they started with), client connection slots,
// in-flight count, drain state, and the metrics registry.
//
// Thread-safety: none; the worker's thread (a reload runs there too).

#include <prometheus/registry.h>

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "core/capacity_limiter.hpp"
#include "gateway/metrics/lifecycle_metrics.hpp"
#include "gateway/server/gateway.hpp"

namespace canopy::gateway {

class Server {
 public:
  // Builds the first snapshot; throws std::runtime_error if it cannot (an
  // upstream does not resolve).
  Server(boost::asio::any_io_executor executor, std::shared_ptr<const config::Config> config,
         prometheus::Registry& registry, LifecycleMetrics& lifecycle);

  // The snapshot a new request runs on; hold it until the request has ended.
  std::shared_ptr<Gateway> gateway() const noexcept { return gateway_; }

  // Reads the config file again (the one it started with). A valid file becomes
  // the snapshot for new requests; a bad one is logged with its file:line:col
  // and changes nothing. Counted either way. Returns whether it took effect.
  bool reload();

  // What the listener was opened with: [server] listen and max_connections take
  // a restart to change.
  const config::ServerConfig& listener_config() const noexcept { return listener_config_; }

  // One permit per open downstream connection (server.max_connections).
  core::CapacityLimiter& connection_slots() noexcept { return connection_slots_; }
  const core::CapacityLimiter& connection_slots() const noexcept { return connection_slots_; }

  bool draining() const noexcept { return draining_; }
  void start_draining() noexcept { draining_ = true; }

  // Requests between their header and their access-log line, on any snapshot.
  std::size_t in_flight() const noexcept { return in_flight_; }
  void request_started() noexcept { ++in_flight_; }
  void request_finished() noexcept { --in_flight_; }

  const prometheus::Registry& registry() const noexcept { return registry_; }
  LifecycleMetrics& lifecycle() noexcept { return lifecycle_; }

 private:
  boost::asio::any_io_executor executor_;
  prometheus::Registry& registry_;
  LifecycleMetrics& lifecycle_;
  std::shared_ptr<Gateway> gateway_;
  config::ServerConfig listener_config_;
  core::CapacityLimiter connection_slots_;
  bool draining_ = false;
  std::size_t in_flight_ = 0;
};

}  // namespace canopy::gateway

#include "gateway/metrics/runtime_metrics.hpp"

#include <deque>

#include "core/task_tree.hpp"
#include "gateway/log/access_log.hpp"
#include "gateway/metrics/process_stats.hpp"

namespace canopy::gateway {

namespace {

using Labels = std::vector<prometheus::ClientMetric::Label>;

class Families {
 public:
  prometheus::MetricFamily& add(std::string name, std::string help, prometheus::MetricType type) {
    out_.push_back({std::move(name), std::move(help), type, {}});
    return out_.back();
  }
  void gauge(std::string name, std::string help, double value, Labels labels = {}) {
    sample(add(std::move(name), std::move(help), prometheus::MetricType::Gauge), value, std::move(labels));
  }
  void counter(std::string name, std::string help, double value, Labels labels = {}) {
    sample(add(std::move(name), std::move(help), prometheus::MetricType::Counter), value, std::move(labels));
  }
  static void sample(prometheus::MetricFamily& family, double value, Labels labels) {
    prometheus::ClientMetric metric;
    metric.label = std::move(labels);
    if (family.type == prometheus::MetricType::Counter) metric.counter.value = value;
    else metric.gauge.value = value;
    family.metric.push_back(std::move(metric));
  }
  // Families without a sample (no hedge routes, say) are left out.
  std::vector<prometheus::MetricFamily> take() {
    std::vector<prometheus::MetricFamily> out;
    for (auto& family : out_) {
      if (!family.metric.empty()) out.push_back(std::move(family));
    }
    return out;
  }

 private:
  std::deque<prometheus::MetricFamily> out_;  // a deque: add() must not move the families handed out
};

using Type = prometheus::MetricType;

using NamedLimiter = std::pair<std::string, core::LimiterStats>;

void add_limiters(Families& f, const std::vector<NamedLimiter>& limiters) {
  auto& in_use = f.add("canopy_limiter_in_use", "Permits held, by limiter (connections: open client connections; "
                                                 "requests: requests admitted upstream).", Type::Gauge);
  auto& capacity = f.add("canopy_limiter_capacity", "Permits a limiter has.", Type::Gauge);
  auto& depth = f.add("canopy_limiter_queue_depth", "Callers waiting for a permit.", Type::Gauge);
  auto& rejected = f.add("canopy_limiter_rejections_total",
                         "Callers refused: the queue was full, or the wait timed out.", Type::Counter);
  auto& waits = f.add("canopy_limiter_waits_total", "Admissions that had to wait for a permit.", Type::Counter);
  auto& waited = f.add("canopy_limiter_wait_seconds_total", "Time spent waiting by those admissions.", Type::Counter);
  for (const auto& [name, s] : limiters) {
    const Labels l{{"limiter", name}};
    Families::sample(in_use, static_cast<double>(s.in_use), l);
    Families::sample(capacity, static_cast<double>(s.capacity), l);
    Families::sample(depth, static_cast<double>(s.waiting), l);
    Families::sample(rejected, static_cast<double>(s.queue_full_total), {{"limiter", name}, {"reason", "queue_full"}});
    Families::sample(rejected, static_cast<double>(s.timed_out_total), {{"limiter", name}, {"reason", "timed_out"}});
    Families::sample(waits, static_cast<double>(s.waited_total), l);
    Families::sample(waited, std::chrono::duration<double>(s.wait_time_total).count(), l);
  }
}

void add_tasks(Families& f) {
  const auto tree = core::TaskTree::this_thread().stats();
  f.gauge("canopy_tasks_live", "Tasks alive now (requests' handlers, upstream calls, watchers, …).",
          static_cast<double>(tree.live_tasks));
  f.gauge("canopy_nurseries_live", "Nurseries (cancel scopes) open now.", static_cast<double>(tree.live_nurseries));
  f.counter("canopy_tasks_started_total", "Tasks started.", static_cast<double>(tree.started_total));
  f.counter("canopy_tasks_finished_total", "Tasks that ended.", static_cast<double>(tree.finished_total));
  f.counter("canopy_tasks_orphaned_total",
            "Tasks found alive after their parent ended. Impossible by construction: anything but 0 is a bug.",
            static_cast<double>(tree.orphaned_total));
  auto& cancellations = f.add("canopy_cancellations_total",
                              "Cancel scopes that cancelled themselves, by reason (scopes cancelled with an enclosing "
                              "one are not counted again; the routine end of helper tasks is not counted).",
                              Type::Counter);
  for (const auto reason : core::all_cancel_reasons) {
    if (reason == core::CancelReason::explicit_cancel) continue;
    Families::sample(cancellations, static_cast<double>(tree.cancellations_total[static_cast<std::size_t>(reason)]),
                     {{"reason", std::string(core::to_string(reason))}});
  }
}

void add_upstreams(Families& f, const Gateway& gateway) {
  auto& connections = f.add("canopy_upstream_connections", "Upstream connections by state: active (in use or "
                                                           "connecting) and idle (pooled for reuse).", Type::Gauge);
  auto& waiters = f.add("canopy_upstream_pool_waiters", "Calls waiting for a connection of a full pool.", Type::Gauge);
  auto& ejected = f.add("canopy_upstream_endpoint_ejected",
                        "1 while an endpoint is left out of balancing after consecutive failures (outlier).",
                        Type::Gauge);
  auto& ejections = f.add("canopy_upstream_ejections_total", "Times an endpoint was ejected.", Type::Counter);
  auto& healthy = f.add("canopy_upstream_endpoint_healthy",
                        "1 while an endpoint passes its active health checks (upstreams with health_check).",
                        Type::Gauge);
  auto& checks = f.add("canopy_upstream_health_checks_total", "Active health checks, by result.", Type::Counter);
  auto& breaker_open = f.add("canopy_upstream_circuit_breaker_open",
                             "1 while an upstream's calls are at a circuit-breaker limit (requests: max_requests "
                             "holding connections; pending: max_pending waiting for one); further calls get 503.",
                             Type::Gauge);
  auto& breaker_refusals = f.add("canopy_upstream_circuit_breaker_refusals_total",
                                 "Calls refused at once because a circuit-breaker limit was reached.", Type::Counter);
  const auto now = core::Clock::now();
  for (const auto& [name, cluster] : gateway.clusters()) {
    const auto& breaker = cluster->circuit_breaker();
    for (const auto& [limit, label] : {std::pair{CircuitBreaker::Limit::requests, "requests"},
                                      std::pair{CircuitBreaker::Limit::pending, "pending"}}) {
      Families::sample(breaker_open, breaker.open(limit) ? 1 : 0, {{"upstream", name}, {"limit", label}});
      Families::sample(breaker_refusals, static_cast<double>(breaker.refusals(limit)), {{"upstream", name}, {"limit", label}});
    }
    for (std::size_t i = 0; i < cluster->size(); ++i) {
      const auto& pool = cluster->endpoint(i);
      const auto limiter = pool.limiter_stats();
      Families::sample(connections, static_cast<double>(limiter.in_use),
                       {{"upstream", name}, {"endpoint", pool.name()}, {"state", "active"}});
      Families::sample(connections, static_cast<double>(pool.idle()),
                       {{"upstream", name}, {"endpoint", pool.name()}, {"state", "idle"}});
      Families::sample(waiters, static_cast<double>(limiter.waiting), {{"upstream", name}, {"endpoint", pool.name()}});
      Families::sample(ejected, pool.ejected(now) ? 1 : 0, {{"upstream", name}, {"endpoint", pool.name()}});
      Families::sample(ejections, static_cast<double>(pool.ejections_total()), {{"upstream", name}, {"endpoint", pool.name()}});
      if (!cluster->health_check()) continue;
      const auto& health = pool.active_health();
      Families::sample(healthy, health.healthy ? 1 : 0, {{"upstream", name}, {"endpoint", pool.name()}});
      Families::sample(checks, static_cast<double>(health.passed_total),
                       {{"upstream", name}, {"endpoint", pool.name()}, {"result", "passed"}});
      Families::sample(checks, static_cast<double>(health.failed_total),
                       {{"upstream", name}, {"endpoint", pool.name()}, {"result", "failed"}});
    }
  }
}

void add_extra_attempts(Families& f, const Gateway& gateway) {
  auto& hedges = f.add("canopy_hedge_attempts_total",
                       "Extra attempts of hedge routes: sent, or refused because the hedge budget was spent.",
                       Type::Counter);
  auto& retries = f.add("canopy_retries_total",
                        "Retries of routes with `retries`: sent, or refused because the retry budget was spent.",
                        Type::Counter);
  for (std::size_t r = 0; r < gateway.route_count(); ++r) {
    const auto& route = gateway.route(r);
    const bool hedged = route.attempts && route.attempts->mode == config::AttemptsMode::hedge;
    if (!hedged && !route.retries) continue;
    auto& family = hedged ? hedges : retries;
    const auto& stats = gateway.attempt_budget(r).stats();
    Families::sample(family, static_cast<double>(stats.extra_attempts), {{"route", route.name}, {"result", "sent"}});
    Families::sample(family, static_cast<double>(stats.refused), {{"route", route.name}, {"result", "refused"}});
  }
}

}  // namespace

std::vector<prometheus::MetricFamily> collect_worker_metrics(const Server& server) {
  const auto snapshot = server.gateway();
  const Gateway& gateway = *snapshot;
  Families f;
  f.gauge("canopy_inflight_requests", "Requests between their head and their access-log line.",
          static_cast<double>(server.in_flight()));
  f.gauge("canopy_downstream_connections", "Open client connections.",
          static_cast<double>(server.connection_slots().stats().in_use));
  std::vector<NamedLimiter> limiters{{"connections", server.connection_slots().stats()},
                                     {"requests", gateway.admission().stats()}};
  for (std::size_t r = 0; r < gateway.route_count(); ++r) {
    if (const auto* limiter = gateway.route_admission(r)) limiters.emplace_back("route:" + gateway.route(r).name, limiter->stats());
  }
  add_limiters(f, limiters);
  add_tasks(f);
  add_upstreams(f, gateway);
  add_extra_attempts(f, gateway);
  f.counter("canopy_access_log_dropped_lines_total",
            "Access lines dropped because stdout's reader fell more than 4 MiB behind (requests are never held up by logging).",
            static_cast<double>(access_log_dropped_lines()));
  return f.take();
}

std::vector<prometheus::MetricFamily> collect_task_metrics() {
  Families f;
  add_tasks(f);
  return f.take();
}

std::vector<prometheus::MetricFamily> collect_process_metrics(const config::Config& config, bool draining,
                                                              std::size_t workers) {
  Families f;
  f.gauge("canopy_draining", "1 from SIGTERM on, while in-flight requests finish; /readyz answers 503.",
          draining ? 1 : 0);
  f.gauge("canopy_workers", "Worker threads, each with its own listener, task tree and upstream pools.",
          static_cast<double>(workers));
  f.gauge("canopy_build_info", "Always 1; the version Canopy was built as.", 1, {{"version", CANOPY_VERSION}});
  f.gauge("canopy_config_info", "Always 1; the running config's file and hash (FNV-1a 64 of its text).", 1,
          {{"file", config.source}, {"hash", config.hash}});
  f.gauge("canopy_config_load_timestamp_seconds", "When the running config was loaded (Unix time).",
          std::chrono::duration<double>(config.loaded_at.time_since_epoch()).count());
  if (const auto process = read_process_stats()) {
    f.counter("process_cpu_seconds_total", "User and system CPU time spent.", process->cpu_seconds);
    f.gauge("process_resident_memory_bytes", "Resident memory size.", process->resident_bytes);
    f.gauge("process_virtual_memory_bytes", "Virtual memory size.", process->virtual_bytes);
    f.gauge("process_open_fds", "Open file descriptors.", process->open_fds);
    f.gauge("process_max_fds", "Limit on open file descriptors.", process->max_fds);
    f.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch.",
            process->start_time_seconds);
  }
  return f.take();
}

}  // namespace canopy::gateway

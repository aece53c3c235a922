#include "gateway/upstream/cluster.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <algorithm>
#include <stdexcept>

#include "core/executor.hpp"
#include "gateway/log/json_log.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

Cluster::Cluster(core::Executor executor, const config::UpstreamConfig& upstream, UpstreamMetrics& metrics)
    : name_(upstream.name),
      metrics_(metrics),
      balance_(upstream.balance),
      deadline_headers_(upstream.deadline_headers),
      outlier_(upstream.outlier),
      health_check_(upstream.health_check),
      breaker_(upstream.circuit_breaker) {
  tcp::resolver resolver(executor);
  for (const auto& address : upstream.endpoints) {
    boost::system::error_code ec;
    auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) {
      throw std::runtime_error("upstream " + name_ + ": cannot resolve " + config::to_string(address) + ": " +
                               ec.message());
    }
    pools_.push_back(std::make_unique<EndpointPool>(executor, upstream, results.begin()->endpoint(), breaker_));
  }
}

template <typename Usable>
EndpointPool* Cluster::pick_among(Usable usable) {
  const std::size_t start = next_++ % pools_.size();
  switch (balance_) {
    case config::Balance::round_robin:
      for (std::size_t k = 0; k < pools_.size(); ++k) {
        if (usable(*pools_[(start + k) % pools_.size()])) return pools_[(start + k) % pools_.size()].get();
      }
      return nullptr;
    case config::Balance::least_request: {
      // Ties rotate, so equal load still spreads.
      EndpointPool* best = nullptr;
      for (std::size_t k = 0; k < pools_.size(); ++k) {
        EndpointPool* pool = pools_[(start + k) % pools_.size()].get();
        if (usable(*pool) && (!best || pool->in_flight() < best->in_flight())) best = pool;
      }
      return best;
    }
    case config::Balance::power_of_two_choices: {
      std::uniform_int_distribution<std::size_t> any(0, pools_.size() - 1);
      EndpointPool* a = pools_[any(random_)].get();
      EndpointPool* b = pools_[any(random_)].get();
      for (int tries = 0; tries < 8 && !usable(*a); ++tries) a = pools_[any(random_)].get();
      for (int tries = 0; tries < 8 && !usable(*b); ++tries) b = pools_[any(random_)].get();
      if (!usable(*a)) a = b;
      if (!usable(*b)) b = a;
      if (usable(*a)) return b->in_flight() < a->in_flight() ? b : a;
      // Few usable among many: look at each once.
      for (std::size_t k = 0; k < pools_.size(); ++k) {
        if (usable(*pools_[(start + k) % pools_.size()])) return pools_[(start + k) % pools_.size()].get();
      }
      return nullptr;
    }
  }
  return nullptr;
}

EndpointPool* Cluster::pick() {
  if (pools_.size() == 1) return pools_.front()->active_health().healthy ? pools_.front().get() : nullptr;
  const auto now = core::Clock::now();
  if (auto* pool = pick_among([&](const EndpointPool& p) { return p.active_health().healthy && !p.ejected(now); })) {
    return pool;
  }
  // Ejection is a guess from live traffic; an endpoint that passes its active
  // checks is still better than refusing the call.
  return pick_among([](const EndpointPool& p) { return p.active_health().healthy; });
}

EndpointPool* Cluster::pick_other_than(std::span<EndpointPool* const> taken) {
  const auto now = core::Clock::now();
  auto is_taken = [&](const EndpointPool* pool) { return std::find(taken.begin(), taken.end(), pool) != taken.end(); };
  EndpointPool* best = nullptr;
  const std::size_t start = next_++ % pools_.size();
  for (std::size_t k = 0; k < pools_.size(); ++k) {
    EndpointPool* pool = pools_[(start + k) % pools_.size()].get();
    if (!is_taken(pool) && pool->active_health().healthy && !pool->ejected(now) && (!best || pool->in_flight() < best->in_flight())) best = pool;
  }
  return best;
}

void Cluster::call_ended(EndpointPool& endpoint, bool failed) {
  if (!failed) {
    endpoint.consecutive_failures_ = 0;
    return;
  }
  if (++endpoint.consecutive_failures_ < outlier_.consecutive_failures || pools_.size() < 2) return;
  const auto now = core::Clock::now();
  if (endpoint.ejected(now)) return;
  const auto ejected_now = static_cast<std::size_t>(
      std::count_if(pools_.begin(), pools_.end(), [&](const auto& pool) { return pool->ejected(now); }));
  const std::size_t allowed = std::max<std::size_t>(1, pools_.size() * outlier_.max_ejected_percent / 100);
  if (outlier_.max_ejected_percent == 0 || ejected_now >= allowed) return;
  endpoint.ejected_until_ = now + outlier_.ejection;
  endpoint.consecutive_failures_ = 0;
  ++endpoint.ejections_total_;
  log_event("warn", "endpoint_ejected",
            {{"upstream", name_},
             {"endpoint", endpoint.name()},
             {"for_seconds", std::chrono::duration<double>(outlier_.ejection).count()},
             {"consecutive_failures", outlier_.consecutive_failures}});
}

}  // namespace canopy::gateway

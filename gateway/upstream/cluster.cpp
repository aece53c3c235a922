#include "gateway/upstream/cluster.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <algorithm>
#include <optional>
#include <stdexcept>

#include "gateway/log/json_log.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

Cluster::Cluster(asio::any_io_executor executor, const config::UpstreamConfig& upstream, UpstreamMetrics& metrics)
    : name_(upstream.name),
      metrics_(metrics),
      balance_(upstream.balance),
      deadline_headers_(upstream.deadline_headers),
      outlier_(upstream.outlier) {
  tcp::resolver resolver(executor);
  for (const auto& address : upstream.endpoints) {
    boost::system::error_code ec;
    auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) {
      throw std::runtime_error("upstream " + name_ + ": cannot resolve " + config::to_string(address) + ": " +
                               ec.message());
    }
    pools_.push_back(std::make_unique<EndpointPool>(executor, upstream, results.begin()->endpoint()));
  }
}

EndpointPool& Cluster::pick() {
  if (pools_.size() == 1) return *pools_.front();
  const auto now = core::Clock::now();
  auto usable = [&](std::size_t i) { return !pools_[i]->ejected(now); };
  const std::size_t start = next_++ % pools_.size();
  switch (balance_) {
    case config::Balance::round_robin:
      for (std::size_t k = 0; k < pools_.size(); ++k) {
        if (usable((start + k) % pools_.size())) return *pools_[(start + k) % pools_.size()];
      }
      break;
    case config::Balance::least_request: {
      // Ties rotate, so equal load still spreads.
      std::optional<std::size_t> best;
      for (std::size_t k = 0; k < pools_.size(); ++k) {
        const std::size_t i = (start + k) % pools_.size();
        if (usable(i) && (!best || pools_[i]->in_flight() < pools_[*best]->in_flight())) best = i;
      }
      if (best) return *pools_[*best];
      break;
    }
    case config::Balance::power_of_two_choices: {
      std::uniform_int_distribution<std::size_t> any(0, pools_.size() - 1);
      std::size_t a = any(random_), b = any(random_);
      for (int tries = 0; tries < 8 && !usable(a); ++tries) a = any(random_);
      for (int tries = 0; tries < 8 && !usable(b); ++tries) b = any(random_);
      if (!usable(a)) a = b;
      if (!usable(b)) b = a;
      if (usable(a)) return pools_[b]->in_flight() < pools_[a]->in_flight() ? *pools_[b] : *pools_[a];
      break;
    }
  }
  return *pools_[start];  // every endpoint ejected: cannot happen within max_ejected_percent, but never fail here
}

EndpointPool* Cluster::pick_other_than(std::span<EndpointPool* const> taken) {
  const auto now = core::Clock::now();
  auto is_taken = [&](const EndpointPool* pool) { return std::find(taken.begin(), taken.end(), pool) != taken.end(); };
  EndpointPool* best = nullptr;
  const std::size_t start = next_++ % pools_.size();
  for (std::size_t k = 0; k < pools_.size(); ++k) {
    EndpointPool* pool = pools_[(start + k) % pools_.size()].get();
    if (!is_taken(pool) && !pool->ejected(now) && (!best || pool->in_flight() < best->in_flight())) best = pool;
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

#include "gateway/upstream/cluster.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <algorithm>
#include <stdexcept>

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

Cluster::Cluster(asio::any_io_executor executor, const config::UpstreamConfig& upstream, UpstreamMetrics& metrics)
    : name_(upstream.name), metrics_(metrics), balance_(upstream.balance), deadline_headers_(upstream.deadline_headers) {
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
  switch (balance_) {
    case config::Balance::round_robin:
      return *pools_[next_++ % pools_.size()];
    case config::Balance::least_request: {
      // Ties rotate, so equal load still spreads.
      const std::size_t start = next_++ % pools_.size();
      std::size_t best = start;
      for (std::size_t k = 1; k < pools_.size(); ++k) {
        const std::size_t i = (start + k) % pools_.size();
        if (pools_[i]->in_flight() < pools_[best]->in_flight()) best = i;
      }
      return *pools_[best];
    }
    case config::Balance::power_of_two_choices: {
      std::uniform_int_distribution<std::size_t> any(0, pools_.size() - 1);
      auto& a = *pools_[any(random_)];
      auto& b = *pools_[any(random_)];
      return b.in_flight() < a.in_flight() ? b : a;
    }
  }
  return *pools_.front();
}

EndpointPool* Cluster::pick_other_than(std::span<EndpointPool* const> taken) {
  auto is_taken = [&](const EndpointPool* pool) { return std::find(taken.begin(), taken.end(), pool) != taken.end(); };
  EndpointPool* best = nullptr;
  const std::size_t start = next_++ % pools_.size();
  for (std::size_t k = 0; k < pools_.size(); ++k) {
    EndpointPool* pool = pools_[(start + k) % pools_.size()].get();
    if (!is_taken(pool) && (!best || pool->in_flight() < best->in_flight())) best = pool;
  }
  return best;
}

}  // namespace canopy::gateway

// What each worker enforces of the gateway's limits.
#include "config/worker_share.hpp"

#include <gtest/gtest.h>

#include "config/load.hpp"

namespace canopy::config {
namespace {

const char* const limited = R"(
max_connections = 1001
[limits]
max_inflight = 5
queue = 0
[upstreams.a]
endpoints = ["127.0.0.1:1"]
max_connections = 7
circuit_breaker = { max_requests = 10, max_pending = 3 }
[[routes]]
upstream = "a"
limits = { max_inflight = 1, queue = 4 }
)";

TEST(WorkerShare, EachOfTwoWorkersEnforcesHalfOfEveryTotalRoundedUp) {
  const auto config = parse_config(std::string("[server]\n") + limited, "w.toml");
  const auto share = worker_share(config, 2);
  EXPECT_EQ(share.server.max_connections, 501u);
  EXPECT_EQ(share.limits.max_inflight, 3u);
  EXPECT_EQ(share.limits.queue, 0u) << "no queue stays no queue";
  EXPECT_EQ(share.routes[0].limits->max_inflight, 1u) << "never less than one";
  EXPECT_EQ(share.routes[0].limits->queue, 2u);
  EXPECT_EQ(share.upstreams.at("a").circuit_breaker.max_requests, 5u);
  EXPECT_EQ(share.upstreams.at("a").circuit_breaker.max_pending, 2u);
  EXPECT_EQ(share.upstreams.at("a").max_connections, 7u) << "a pool's size is per worker";
  EXPECT_EQ(share.hash, config.hash) << "still the same config";
}

TEST(WorkerShare, OneWorkerEnforcesTheTotals) {
  const auto config = parse_config(std::string("[server]\n") + limited, "w.toml");
  const auto share = worker_share(config, 1);
  EXPECT_EQ(share.limits.max_inflight, 5u);
  EXPECT_EQ(share.server.max_connections, 1001u);
}

TEST(WorkerShare, ZeroWorkersMeansOnePerCore) {
  ServerConfig server;
  server.workers = 0;
  EXPECT_GE(effective_workers(server), 1u);
  server.workers = 3;
  EXPECT_EQ(effective_workers(server), 3u);
}

}  // namespace
}  // namespace canopy::config

#pragma once
// Canopy's configuration: immutable, validated values. Produced by load.hpp from
// TOML; nothing here knows about TOML or sockets. Defaults are the ones a user
// gets for a key they leave out (README lists them).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace canopy::config {

using Duration = std::chrono::nanoseconds;
using namespace std::chrono_literals;

struct Address {
  std::string host;  // a name or an IP literal, without brackets
  std::uint16_t port = 0;
  friend bool operator==(const Address&, const Address&) = default;
};
std::string to_string(const Address& address);

// Where a value came from, for messages at run time ("route quickstart.toml:12").
struct SourcePlace {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

enum class HalfClose {
  abort,     // a client that half-closes after its request has left: cancel (NGINX's default)
  continue_, // finish the request and answer anyway
};

struct ServerConfig {
  Address listen{"0.0.0.0", 8080};
  unsigned workers = 0;  // 0: one per core
  Duration header_timeout = 10s;
  Duration idle_timeout = 60s;
  Duration drain_timeout = 30s;
  std::size_t max_connections = 10'000;
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_uri_bytes = 8 * 1024;
  std::size_t max_body_bytes = 10 * 1024 * 1024;
  HalfClose client_half_close = HalfClose::abort;
  // Honour a client's X-Canopy-Deadline-Ms (it can only shorten a route's
  // deadline). Turn on where the clients are trusted, e.g. another Canopy.
  bool trust_deadline_header = false;
};

struct AdminConfig {
  std::optional<Address> listen;
};

struct LimitsConfig {
  std::size_t max_inflight = 5'000;
  std::size_t queue = 1'000;
  Duration queue_timeout = 100ms;
};

enum class Balance { round_robin, least_request, power_of_two_choices };

struct UpstreamConfig {
  std::string name;
  std::vector<Address> endpoints;
  Balance balance = Balance::round_robin;
  std::size_t max_connections = 256;  // per endpoint, per worker
  Duration connect_timeout = 1s;
  Duration idle_timeout = 60s;        // a pooled connection unused this long is closed
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HeaderEdits {
  HeaderList set;                   // replaces any header of the same name
  std::vector<std::string> remove;  // lower-case names
  bool empty() const noexcept { return set.empty() && remove.empty(); }
};

struct RouteMatch {
  std::optional<std::string> host;         // lower-case, without port
  std::optional<std::string> path;         // exact
  std::optional<std::string> path_prefix;  // segment-aware: "/api" matches "/api" and "/api/x", not "/apix"
  std::vector<std::string> methods;        // empty: any
};

struct StaticResponse {
  unsigned status = 200;
  HeaderList headers;
  std::string body;
};

enum class AggregatePolicy {
  all,      // every backend must succeed; the first failure cancels the rest → 502
  partial,  // answer with what finished by the deadline; required backends must succeed
  quorum,   // answer once `quorum` backends succeeded; the rest are cancelled
};

struct AggregateBackend {
  std::string upstream;
  std::string method = "GET";
  std::string path;                 // may use {query} (the incoming query) and {rest} (the path below the route prefix)
  std::string key;                  // where its JSON goes; empty: merged into the root object
  bool required = false;            // under `partial` and `quorum`: its failure fails the request
  std::optional<Duration> timeout;  // its own deadline, inside the route's
};

struct AggregateConfig {
  AggregatePolicy policy = AggregatePolicy::all;
  std::size_t quorum = 0;
  bool errors_in_body = false;              // add "canopy_errors": {key: {status, reason}} for what is missing
  std::size_t max_backend_body_bytes = 1024 * 1024;
  std::vector<AggregateBackend> backends;
};

struct RouteConfig {
  std::string name;  // `name = …`, or derived from the match
  SourcePlace place;
  RouteMatch match;
  std::optional<std::string> upstream;
  std::optional<StaticResponse> static_response;
  std::optional<AggregateConfig> aggregate;
  Duration timeout = 15s;
  std::optional<std::string> strip_prefix;   // removed from the path before it goes upstream
  std::optional<std::string> prefix_rewrite; // put in place of the matched prefix
  HeaderEdits request_headers;
  HeaderEdits response_headers;
};

struct Config {
  std::string source;  // the file it was read from
  ServerConfig server;
  AdminConfig admin;
  LimitsConfig limits;
  std::map<std::string, UpstreamConfig> upstreams;
  std::vector<RouteConfig> routes;  // in file order; the router ranks them
};

}  // namespace canopy::config

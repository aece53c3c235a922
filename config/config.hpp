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
  unsigned workers = 0;  // 0: one per core; a restart applies a change
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

// Admission: at most max_inflight requests at once; up to `queue` more wait, each
// for at most queue_timeout; beyond that, 503 with Retry-After at once.
struct LimitsConfig {
  std::size_t max_inflight = 5'000;
  std::size_t queue = 1'000;
  Duration queue_timeout = 100ms;
};

enum class Balance { round_robin, least_request, power_of_two_choices };

// How an upstream is told the time left for a call.
enum class DeadlineHeader {
  canopy,        // X-Canopy-Deadline-Ms: <milliseconds>
  grpc_timeout,  // grpc-timeout: <value><unit> (gRPC over HTTP)
};

// Passive health: an endpoint whose calls fail `consecutive_failures` times in
// a row (connect failures, resets, invalid answers, 5xx) is left out of
// balancing for `ejection`; never more than max_ejected_percent of the
// endpoints at once (at least one may go when there are two or more).
struct OutlierConfig {
  std::size_t consecutive_failures = 5;
  Duration ejection = 30s;
  unsigned max_ejected_percent = 50;
};

// Active health: every `interval` each endpoint is asked `GET path` on a
// connection of its own; an answer in 200..399 within `timeout` passes.
// `unhealthy_threshold` failures in a row take the endpoint out of balancing,
// `healthy_threshold` passes in a row bring it back. Endpoints start healthy
// and are checked at once.
struct HealthCheckConfig {
  std::string path = "/health";
  std::optional<std::string> host;  // the Host header; default: the endpoint's address
  Duration interval = 5s;
  Duration timeout = 1s;
  std::size_t unhealthy_threshold = 3;
  std::size_t healthy_threshold = 2;
};

// Limits on the calls to one upstream (gateway totals; see worker_share.hpp), as Envoy's circuit
// breakers: beyond them a call fails at once with 503 instead of queueing.
struct CircuitBreakerConfig {
  std::size_t max_requests = 1024;  // calls holding a connection, all endpoints together
  std::size_t max_pending = 1024;   // calls waiting for a connection of a full pool
};

struct UpstreamConfig {
  std::string name;
  std::vector<Address> endpoints;
  Balance balance = Balance::round_robin;
  std::size_t max_connections = 256;  // per endpoint, per worker
  Duration connect_timeout = 1s;
  Duration idle_timeout = 60s;        // a pooled connection unused this long is closed
  std::vector<DeadlineHeader> deadline_headers{DeadlineHeader::canopy};  // empty: none
  OutlierConfig outlier;
  std::optional<HealthCheckConfig> health_check;
  CircuitBreakerConfig circuit_breaker;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HeaderEdits {
  HeaderList set;                   // replaces any header of the same name
  std::vector<std::string> remove;  // lower-case names
  bool empty() const noexcept { return set.empty() && remove.empty(); }
};

struct RouteMatch {
  std::optional<std::string> host;         // lower-case, without port
  std::optional<std::string> path;         // exact; a segment "{name}" matches any one segment (a path parameter)
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

// A backend path with values of the incoming request and of earlier backends'
// answers, checked when the config is loaded and filled in per request.
struct TemplatePart {
  enum class Kind {
    literal,        // text
    query,          // {query}: the incoming query string, as sent
    rest,           // {rest}: the incoming path below the route's path_prefix
    path_param,     // {path.NAME}: the segment matched by {NAME} in match.path
    query_param,    // {query.NAME}: one query parameter, as sent
    header,         // {header.NAME}: a request header, percent-encoded
    backend_field,  // {KEY.FIELD.SUB}: a field of an earlier backend's JSON, percent-encoded
  };
  Kind kind = Kind::literal;
  std::string text;                // the literal, or NAME (lower-case for headers)
  std::vector<std::string> field;  // backend_field: the path into the JSON object
  std::size_t backend = 0;         // backend_field: index of the earlier backend
};

struct PathTemplate {
  std::string source;  // as written
  std::vector<TemplatePart> parts;
};

struct AggregateBackend {
  std::string upstream;
  std::string method = "GET";
  PathTemplate path;
  std::string key;                  // where its JSON goes; empty: merged into the root object
  bool required = false;            // under `partial` and `quorum`: its failure fails the request
  std::optional<Duration> timeout;  // its own deadline, inside the route's
  // After the request is cancelled (client gone, deadline), this call may still
  // run for this long: for writes that must not be cut mid-way.
  std::optional<Duration> shield;
  // A backend whose path uses a field of an earlier one starts when that one has
  // answered (a sequential step); it fails if that one failed.
  std::optional<std::size_t> after;
};

struct AggregateConfig {
  AggregatePolicy policy = AggregatePolicy::all;
  std::size_t quorum = 0;
  bool errors_in_body = false;              // add "canopy_errors": {key: {status, reason}} for what is missing
  std::size_t max_backend_body_bytes = 1024 * 1024;
  std::vector<std::string> forward_headers;  // request headers copied to every backend call (lower-case)
  std::vector<AggregateBackend> backends;
};

// Several attempts of one request to different endpoints of the route's
// upstream; the first good answer (a status below 500) wins and the other
// attempts are cancelled (hedge_lost). Only requests without a body whose
// method is idempotent are sent more than once.
enum class AttemptsMode {
  race,   // all attempts at once
  hedge,  // one attempt; another after each `delay` without an answer, or at once after a failure
};

struct AttemptsConfig {
  AttemptsMode mode = AttemptsMode::hedge;
  std::size_t max_attempts = 2;  // the first included; at most the number of endpoints
  Duration delay = 50ms;         // hedge only
  // hedge only: extra attempts may add at most this share of the route's requests
  // (a token bucket: each request earns percent/100 of a token, an extra attempt costs one).
  unsigned budget_percent = 10;
};

// Retries of a proxied request, each try in its own scope on another endpoint
// when there is one. Only when safe: a request whose body Canopy has started to
// send is retried never; one that has not reached the upstream (a connect
// failure), always; the others only with an idempotent method and no body.
inline constexpr std::size_t max_retry_attempts = 10;

struct RetryConfig {
  std::size_t attempts = 2;  // tries in all, the first included; at most max_retry_attempts
  bool on_connect_failure = true;
  bool on_reset = true;       // the upstream closed or reset before its response head
  bool on_timeout = false;    // per_try_timeout passed before the response head
  std::vector<unsigned> on_status;  // answers that are retried (e.g. 502, 503); 5xx in the file means 500..599
  std::optional<Duration> per_try_timeout;  // until the response head; inside the route's deadline
  unsigned budget_percent = 20;  // retries as a share of the route's requests (token bucket, burst 10)
};

struct RouteConfig {
  std::string name;  // `name = …`, or derived from the match
  SourcePlace place;
  RouteMatch match;
  std::optional<std::string> upstream;
  std::optional<StaticResponse> static_response;
  std::optional<AggregateConfig> aggregate;
  std::optional<AttemptsConfig> attempts;  // race or hedge, with `upstream`
  std::optional<RetryConfig> retries;       // with `upstream`
  Duration timeout = 15s;
  // Deadline-aware admission: a request with less time left than this (the
  // client's deadline header can shorten the route's) is refused at once (504).
  std::optional<Duration> min_budget;
  std::optional<LimitsConfig> limits;  // this route's own admission, inside the global one
  std::optional<std::string> strip_prefix;   // removed from the path before it goes upstream
  std::optional<std::string> prefix_rewrite; // put in place of the matched prefix
  HeaderEdits request_headers;
  HeaderEdits response_headers;
};

struct Config {
  std::string source;  // the file it was read from
  std::string hash;    // of the file's text (FNV-1a 64, hex): tells two configs apart
  std::chrono::system_clock::time_point loaded_at;
  ServerConfig server;
  AdminConfig admin;
  LimitsConfig limits;
  std::map<std::string, UpstreamConfig> upstreams;
  std::vector<RouteConfig> routes;  // in file order; the router ranks them
};

}  // namespace canopy::config

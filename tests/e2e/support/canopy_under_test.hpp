#pragma once
// The real binaries under test: canopy-upstream with named listeners on free
// ports, and canopy with a TOML file written for them.

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "tests/e2e/support/process.hpp"

namespace canopy::test {

class DemoUpstreams {
 public:
  explicit DemoUpstreams(const std::vector<std::string>& names);
  // One listener on a given port: an endpoint that comes back where it was.
  DemoUpstreams(const std::string& name, std::uint16_t port);
  std::uint16_t port(const std::string& name) const { return ports_.at(name); }
  // GET /_stats of one listener (its counters are per process).
  boost::json::object stats(const std::string& name) const;

 private:
  struct Listeners {
    std::vector<std::pair<std::string, std::uint16_t>> named;  // port 0: a free one
  };
  explicit DemoUpstreams(const Listeners& listeners);
  std::unique_ptr<ChildProcess> process_;
  std::map<std::string, std::uint16_t> ports_;
};

class Canopy {
 public:
  // Writes `toml` (with "{port:NAME}" replaced by that upstream's port) to a
  // file and starts canopy on it, listening on a free port.
  Canopy(std::string toml, const DemoUpstreams* upstreams);
  ~Canopy();

  std::uint16_t port() const noexcept { return port_; }
  // The admin listener's port, when the toml has "[admin]\nlisten = \"127.0.0.1:0\"".
  std::uint16_t admin_port() const noexcept { return admin_port_; }
  ChildProcess& process() { return *process_; }
  // Replaces the config file (same prefix and port filling as the constructor);
  // send SIGHUP to make canopy read it.
  void rewrite_config(std::string toml);
  // The same, with [server] listen = `listen` ("127.0.0.1:0" by default).
  void rewrite_config(std::string toml, const std::string& listen);
  // The next event line (stderr) named `name`, skipping others; nullopt after `timeout`.
  std::optional<boost::json::object> next_event(const std::string& name, std::chrono::milliseconds timeout);
  // The "stopped" event's counts: {live_tasks, orphaned_tasks}; nullopt if it did not come within `timeout`.
  std::optional<std::pair<std::int64_t, std::int64_t>> stopped_tasks(std::chrono::milliseconds timeout);
  // The next access-log lines (stdout) not read by an earlier call: at least
  // `at_least` of them, or fewer when `timeout` passes without one.
  std::vector<boost::json::object> access_log(std::size_t at_least, std::chrono::milliseconds timeout);

 private:
  const DemoUpstreams* upstreams_;
  std::string path_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
};

// "[upstreams.NAME] endpoints = [{port:NAME}]" for each name: one endpoint each.
std::string upstream_sections(const std::vector<std::string>& names);

// Waits (up to 2 s) until listener `name` reports `n` abandoned requests; returns
// when its last peer close happened, or 0 if it never did.
std::int64_t wait_abandoned(const DemoUpstreams& upstreams, const std::string& name, std::int64_t n);

// Waits (up to 2 s) until `counter` of listener `name` reaches `n`; whether it did.
bool wait_counter(const DemoUpstreams& upstreams, const std::string& name, const std::string& counter, std::int64_t n);

std::string binary(const std::string& name);  // path of a built binary
std::int64_t monotonic_ns();                  // CLOCK_MONOTONIC, as canopy-upstream reports it

}  // namespace canopy::test

#include "tests/e2e/support/canopy_under_test.hpp"

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {

using namespace std::chrono_literals;

// CANOPY_BINARY_DIR in the environment runs the suite against other builds of
// the binaries (`./dev test pgo`: the profile-optimised ones).
std::string binary(const std::string& name) {
  const char* other = std::getenv("CANOPY_BINARY_DIR");
  return std::string(other && *other ? other : CANOPY_BINARY_DIR) + "/" + name;
}

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

namespace {
std::vector<std::pair<std::string, std::uint16_t>> on_free_ports(const std::vector<std::string>& names) {
  std::vector<std::pair<std::string, std::uint16_t>> listeners;
  for (const auto& name : names) listeners.emplace_back(name, 0);
  return listeners;
}
}  // namespace

DemoUpstreams::DemoUpstreams(const std::vector<std::string>& names) : DemoUpstreams(Listeners{on_free_ports(names)}) {}

DemoUpstreams::DemoUpstreams(const std::string& name, std::uint16_t port) : DemoUpstreams(Listeners{{{name, port}}}) {}

DemoUpstreams::DemoUpstreams(const Listeners& listeners) {
  std::vector<std::string> argv{binary("canopy-upstream")};
  for (const auto& [name, port] : listeners.named) {
    argv.push_back("--listen");
    argv.push_back("127.0.0.1:" + std::to_string(port) + "=" + name);
  }
  process_ = std::make_unique<ChildProcess>(argv);
  for (std::size_t i = 0; i < listeners.named.size(); ++i) {
    auto line = process_->read_line(ChildProcess::Stream::out, 10s);
    if (!line) throw std::runtime_error("canopy-upstream did not start");
    auto event = boost::json::parse(*line).as_object();
    const std::string address(event.at("address").as_string());
    ports_[std::string(event.at("name").as_string())] =
        static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
  }
}

boost::json::object DemoUpstreams::stats(const std::string& name) const {
  return boost::json::parse(get(port(name), "/_stats").body()).as_object();
}

Canopy::Canopy(std::string toml, const DemoUpstreams* upstreams) : upstreams_(upstreams) {
  char path[] = "/tmp/canopy-e2e-XXXXXX.toml";
  const int fd = mkstemps(path, 5);
  if (fd < 0) throw std::runtime_error("mkstemps failed");
  ::close(fd);
  path_ = path;
  rewrite_config(std::move(toml));
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{binary("canopy"), "--config", path_});
  while (auto line = process_->read_line(ChildProcess::Stream::err, 10s)) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(*line, ec);
    if (ec || !parsed.is_object()) throw std::runtime_error("canopy did not start: " + *line);
    auto event = parsed.as_object();
    if (event.at("event") == "listening") {
      auto port_of = [&](const char* key) {
        const std::string address(event.at(key).as_string());
        return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
      };
      port_ = port_of("address");
      if (event.contains("admin_address")) admin_port_ = port_of("admin_address");
      return;
    }
  }
  throw std::runtime_error("canopy did not start on " + path_);
}

void Canopy::rewrite_config(std::string toml) { rewrite_config(std::move(toml), "127.0.0.1:0"); }

void Canopy::rewrite_config(std::string toml, const std::string& listen) {
  for (auto at = toml.find("{port:"); at != std::string::npos; at = toml.find("{port:")) {
    const auto end = toml.find('}', at);
    const std::string name = toml.substr(at + 6, end - at - 6);
    toml.replace(at, end - at + 1, std::to_string(upstreams_->port(name)));
  }
  const auto temporary = path_ + ".new";  // a reload must never see half a file
  std::ofstream(temporary) << "[server]\nlisten = \"" << listen << "\"\n" << toml;
  std::rename(temporary.c_str(), path_.c_str());
}

std::optional<boost::json::object> Canopy::next_event(const std::string& name, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    auto line = process_->read_line(ChildProcess::Stream::err, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                   until - std::chrono::steady_clock::now()));
    if (!line) break;
    boost::system::error_code ec;
    auto parsed = boost::json::parse(*line, ec);
    if (!ec && parsed.is_object() && parsed.as_object().at("event") == name.c_str()) return parsed.as_object();
  }
  return std::nullopt;
}

std::optional<std::pair<std::int64_t, std::int64_t>> Canopy::stopped_tasks(std::chrono::milliseconds timeout) {
  auto stopped = next_event("stopped", timeout);
  if (!stopped) return std::nullopt;
  return std::pair{stopped->at("live_tasks").to_number<std::int64_t>(), stopped->at("orphaned_tasks").to_number<std::int64_t>()};
}

Canopy::~Canopy() {
  process_.reset();
  std::remove(path_.c_str());
}

std::vector<boost::json::object> Canopy::access_log(std::size_t at_least, std::chrono::milliseconds timeout) {
  std::vector<boost::json::object> lines;
  while (lines.size() < at_least) {
    auto line = process_->read_line(ChildProcess::Stream::out, timeout);
    if (!line) break;
    lines.push_back(boost::json::parse(*line).as_object());
  }
  return lines;
}

std::string upstream_sections(const std::vector<std::string>& names) {
  std::string toml;
  for (const auto& n : names) toml += "[upstreams." + n + "]\nendpoints = [\"127.0.0.1:{port:" + n + "}\"]\n";
  return toml;
}

bool wait_counter(const DemoUpstreams& upstreams, const std::string& name, const std::string& counter, std::int64_t n) {
  for (int i = 0; i < 2000; ++i) {
    if (upstreams.stats(name).at(counter).as_int64() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

std::int64_t wait_abandoned(const DemoUpstreams& upstreams, const std::string& name, std::int64_t n) {
  if (!wait_counter(upstreams, name, "requests_abandoned", n)) return 0;
  return upstreams.stats(name).at("last_peer_close_ns").as_int64();
}

}  // namespace canopy::test

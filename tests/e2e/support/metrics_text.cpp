#include "tests/e2e/support/metrics_text.hpp"

#include <chrono>
#include <sstream>
#include <thread>
#include <stdexcept>

#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {

std::string scrape(std::uint16_t admin_port) {
  auto response = get(admin_port, "/metrics");
  if (response.result_int() != 200) throw std::runtime_error("/metrics answered " + std::to_string(response.result_int()));
  return response.body();
}

std::string scrape_when(std::uint16_t admin_port, const std::function<bool(const std::string&)>& ready) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  auto text = scrape(admin_port);
  while (!ready(text) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    text = scrape(admin_port);
  }
  return text;
}

double metric(const std::string& text, const std::string& name, const std::map<std::string, std::string>& labels) {
  double sum = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto name_end = line.find_first_of("{ ");
    if (line.compare(0, name_end, name) != 0 || name_end != name.size()) continue;
    bool all = true;
    for (const auto& [key, value] : labels) {
      all = all && line.find(key + "=\"" + value + "\"") != std::string::npos;
    }
    if (all) sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

}  // namespace canopy::test

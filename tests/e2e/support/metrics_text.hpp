#pragma once
// Reading Prometheus' text format in tests: scrape /metrics, pick series.

#include <cstdint>
#include <map>
#include <string>

namespace canopy::test {

// GET /metrics from an admin port.
std::string scrape(std::uint16_t admin_port);

// The sum of every sample of `name` whose labels include all of `labels`
// (0 when there is none). Histograms' _bucket/_sum/_count are names of their own.
double metric(const std::string& text, const std::string& name, const std::map<std::string, std::string>& labels = {});

}  // namespace canopy::test

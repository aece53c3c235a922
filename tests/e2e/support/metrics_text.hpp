#pragma once
// Reading Prometheus' text format in tests: scrape /metrics, pick series.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace canopy::test {

// GET /metrics from an admin port.
std::string scrape(std::uint16_t admin_port);

// Scrapes until `ready(text)` (at most 2 s) and returns the last scrape. A
// request is counted just after its answer's last byte has gone out, so a
// client that scrapes at once can be faster than the count.
std::string scrape_when(std::uint16_t admin_port, const std::function<bool(const std::string&)>& ready);

// The sum of every sample of `name` whose labels include all of `labels`
// (0 when there is none). Histograms' _bucket/_sum/_count are names of their own.
double metric(const std::string& text, const std::string& name, const std::map<std::string, std::string>& labels = {});

}  // namespace canopy::test

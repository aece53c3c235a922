#pragma once
// The process as the kernel sees it, read from /proc at scrape time (Linux):
// the standard process_* metrics every Prometheus client exports.

#include <optional>

namespace canopy::gateway {

struct ProcessStats {
  double cpu_seconds = 0;        // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double start_time_seconds = 0;  // since the Unix epoch
};

std::optional<ProcessStats> read_process_stats();

}  // namespace canopy::gateway

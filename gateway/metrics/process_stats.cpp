#include "gateway/metrics/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace canopy::gateway {

namespace {

// Seconds since the epoch at which the machine booted (/proc/stat "btime").
std::optional<double> boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double seconds = 0;
      in >> seconds;
      return seconds;
    }
    in.ignore(1 << 16, '\n');
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessStats> read_process_stats() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // Fields after the command name, which is in parentheses and may contain spaces.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::string field[22];
  for (auto& f : field) fields >> f;  // field[0] is stat's 3rd field (state)
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessStats stats;
  try {
    stats.cpu_seconds = (std::stod(field[11]) + std::stod(field[12])) / ticks;  // utime, stime
    stats.virtual_bytes = std::stod(field[20]);                                 // vsize
    stats.resident_bytes = std::stod(field[21]) * page;                         // rss (pages)
    if (auto boot = boot_time()) stats.start_time_seconds = *boot + std::stod(field[19]) / ticks;  // starttime
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    ++stats.open_fds;
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) stats.max_fds = static_cast<double>(limit.rlim_cur);
  return stats;
}

}  // namespace canopy::gateway

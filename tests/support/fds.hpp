#pragma once
#include <cstddef>

namespace canopy::test {

// File descriptors this process has open now (entries of /proc/self/fd).
std::size_t open_fd_count();

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
std::size_t raise_fd_limit();

}  // namespace canopy::test

#pragma once
// Access lines (one JSON object per request, on stdout), formatted straight
// into this thread's buffer and written in batches: no allocation per line once
// the buffer has grown, and one write() per batch instead of one per request.
//
// Guarantees
// - Never blocks the event loop for long: when stdout is a pipe or a file it is
//   made non-blocking; what the reader cannot take yet stays buffered (up to
//   max_buffered_bytes), and lines beyond that are dropped and counted
//   (canopy_access_log_dropped_lines_total) rather than stalling requests.
//   A terminal keeps blocking writes (interactive use).
// - Each write() carries whole lines and at most PIPE_BUF bytes, so lines from
//   several writers of one pipe never interleave.
// - A line reaches stdout at the latest one flush interval after its request
//   ended (flush_access_log_every), or at once when a batch fills up.
// - With nothing buffered the flusher sleeps until the next line: an idle
//   worker is not woken every interval.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>

#include "core/executor.hpp"
#include "gateway/server/exchange.hpp"

namespace canopy::gateway {

inline constexpr std::size_t max_buffered_bytes = 4 * 1024 * 1024;

// Logs `exchange` as of exchange.ended (its duration and time stamp).
void log_access(const Exchange& exchange);

// Writes everything, waiting for the reader if need be: at exit.
void flush_access_log_to_the_end() noexcept;
// Flushes every `interval` until cancelled: a task of the server's tree.
core::Awaitable<void> flush_access_log_every(std::chrono::milliseconds interval);

std::uint64_t access_log_dropped_lines() noexcept;

}  // namespace canopy::gateway

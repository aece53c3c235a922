#include "gateway/log/access_log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <unistd.h>
#include <utility>

#include "core/executor.hpp"
#include "gateway/log/json_text.hpp"

namespace canopy::gateway {

namespace {

constexpr std::size_t batch_bytes = PIPE_BUF;  // one atomic write to a pipe

struct Buffered {
  std::string text;          // whole lines, oldest first
  std::size_t written = 0;   // bytes of `text` already out
  std::uint64_t dropped = 0;
  bool mode_set = false;
  // The wall clock read once a second; in between, a line's time is its end on
  // the steady clock plus the offset between the two (a wall clock set back or
  // forward shows in the next second's lines).
  core::Clock::time_point stamp_until{};  // steady time the formatted second ends
  std::chrono::system_clock::duration wall_minus_steady{};
  char stamp[32] = {};  // "2026-11-26T05:37:06.mmmZ"; the part up to the second is formatted once
  std::size_t stamp_length = 0;
  // The flusher's timer while it waits for a first line (nothing buffered):
  // the next line wakes it, so that an idle worker sleeps.
  core::SteadyTimer* idle_flusher = nullptr;
};

thread_local Buffered buffered;

void make_stdout_nonblocking() {
  if (std::exchange(buffered.mode_set, true) || isatty(STDOUT_FILENO)) return;
  const int flags = fcntl(STDOUT_FILENO, F_GETFL);
  if (flags >= 0) fcntl(STDOUT_FILENO, F_SETFL, flags | O_NONBLOCK);
}

// The wall clock minus the steady one, from a wall-clock read between two
// steady ones that were close together (a thread preempted between the reads
// would skew every stamp of the next second by as long as it waited).
std::chrono::system_clock::duration wall_minus_steady() {
  using std::chrono::duration_cast;
  using std::chrono::system_clock;
  core::Clock::time_point before, after;
  system_clock::time_point wall;
  for (int tries = 0; tries < 4; ++tries) {
    before = core::Clock::now();
    wall = system_clock::now();
    after = core::Clock::now();
    if (after - before < std::chrono::microseconds(20)) break;
  }
  const auto steady = before + (after - before) / 2;
  return wall.time_since_epoch() - duration_cast<system_clock::duration>(steady.time_since_epoch());
}

// ISO 8601 UTC with milliseconds of the steady time `at` (a request's end).
std::string_view timestamp(core::Clock::time_point at) {
  using std::chrono::duration_cast;
  using std::chrono::system_clock;
  auto& b = buffered;
  if (at >= b.stamp_until || at < b.stamp_until - std::chrono::seconds(1)) {
    b.wall_minus_steady = wall_minus_steady();
    const auto wall = system_clock::time_point(duration_cast<system_clock::duration>(at.time_since_epoch()) + b.wall_minus_steady);
    const auto second = std::chrono::floor<std::chrono::seconds>(wall);
    const std::time_t seconds = system_clock::to_time_t(second);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    const int n = std::snprintf(b.stamp, sizeof b.stamp, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    b.stamp_length = static_cast<std::size_t>(n) + 4;  // + "mmmZ"
    b.stamp_until = at + duration_cast<core::Clock::duration>(second + std::chrono::seconds(1) - wall);
  }
  const auto wall = duration_cast<system_clock::duration>(at.time_since_epoch()) + b.wall_minus_steady;
  const auto millis = duration_cast<std::chrono::milliseconds>(wall).count() % 1000;
  char* ms = b.stamp + b.stamp_length - 4;
  ms[0] = static_cast<char>('0' + millis / 100);
  ms[1] = static_cast<char>('0' + millis / 10 % 10);
  ms[2] = static_cast<char>('0' + millis % 10);
  ms[3] = 'Z';
  return {b.stamp, b.stamp_length};
}

// Writes batches of whole lines; false when the reader takes no more now.
bool write_some() noexcept {
  make_stdout_nonblocking();
  auto& b = buffered;
  while (b.written < b.text.size()) {
    std::size_t end = std::min(b.text.size(), b.written + batch_bytes);
    if (end < b.text.size()) {  // cut after the last whole line that fits (a longer line goes alone)
      const auto newline = b.text.rfind('\n', end - 1);
      end = newline != std::string::npos && newline >= b.written ? newline + 1 : b.text.find('\n', b.written) + 1;
    }
    const ssize_t n = ::write(STDOUT_FILENO, b.text.data() + b.written, end - b.written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // EAGAIN (the reader is behind), or stdout is gone
    b.written += static_cast<std::size_t>(n);
  }
  b.text.clear();
  b.written = 0;
  return true;
}

}  // namespace

void log_access(const Exchange& e) {
  auto& b = buffered;
  if (b.text.size() - b.written >= max_buffered_bytes) {
    ++b.dropped;  // the reader is far behind: losing a line beats stalling every request
    return;
  }
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(e.ended - e.started).count();
  JsonText line(b.text);
  line.begin();
  line.field("ts", timestamp(e.ended));
  line.field("type", std::string_view("access"));
  line.field("method", e.method);
  line.field("target", e.target);
  line.field("status", e.status);
  line.field("duration_us", static_cast<std::uint64_t>(us));
  line.field("client", e.client);
  line.field("bytes_in", e.bytes_in);
  line.field("bytes_out", e.bytes_out);
  if (!e.route.empty()) line.field("route", e.route);
  if (!e.upstream.empty()) line.field("upstream", e.upstream);
  if (!e.endpoint.empty()) line.field("endpoint", e.endpoint);
  if (e.attempts > 1) line.field("attempts", e.attempts);
  if (e.upstream_error != UpstreamError::none) line.field("upstream_error", to_string(e.upstream_error));
  if (e.cancel_reason) line.field("cancel_reason", core::to_string(*e.cancel_reason));
  if (!e.refused.empty()) line.field("refused", e.refused);
  line.end_line();
  if (b.idle_flusher) std::exchange(b.idle_flusher, nullptr)->cancel();
  if (b.text.size() - b.written >= batch_bytes) write_some();
}

void flush_access_log_to_the_end() noexcept {
  while (!write_some()) {
    pollfd writable{STDOUT_FILENO, POLLOUT, 0};
    if (::poll(&writable, 1, 1000) <= 0 || (writable.revents & (POLLERR | POLLHUP))) return;  // nobody reads any more
  }
}

core::Awaitable<void> flush_access_log_every(std::chrono::milliseconds interval) {
  core::SteadyTimer tick(co_await boost::asio::this_coro::executor);
  struct Registration {
    ~Registration() {
      if (buffered.idle_flusher == timer) buffered.idle_flusher = nullptr;
    }
    core::SteadyTimer* timer;
  } registration{&tick};
  for (;;) {
    if (buffered.written == buffered.text.size()) {
      // Nothing to write: wait, without a deadline, until log_access() cancels the wait.
      tick.expires_at(core::SteadyTimer::time_point::max());
      buffered.idle_flusher = &tick;
      co_await tick.async_wait(boost::asio::as_tuple(core::use_awaitable));
    }
    tick.expires_after(interval);
    co_await tick.async_wait(core::use_awaitable);
    write_some();
  }
}

std::uint64_t access_log_dropped_lines() noexcept { return buffered.dropped; }

}  // namespace canopy::gateway
